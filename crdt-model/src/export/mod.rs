//! Exporting contacts: vCard 3.0 (what iOS and Android both import) and JSON.

mod from_doc;
pub mod json;
mod labels;
pub mod vcard;

pub use from_doc::{export_vcards, to_card};
pub use json::export_json;
pub use vcard::{write_card, write_vcards};
