//! Exporting contacts: vCard 3.0 (what iOS and Android both import) and JSON.

mod card_source;
mod from_doc;
pub mod json;
mod labels;
pub mod vcard;

pub use card_source::{CardSource, Related};
pub use from_doc::{card_of, export_vcards, to_card};
pub use json::export_json;
pub use vcard::{write_card, write_vcards};
