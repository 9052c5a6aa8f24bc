//! Exporting contacts: vCard 3.0 (what iOS and Android both import) and JSON.

mod labels;
pub mod vcard;

pub use vcard::{write_card, write_vcards};
