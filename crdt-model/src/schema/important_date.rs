//! Per-contact memory fields added in schema v2 (besides plain strings): important dates
//! and related names. URLs are [`super::LabeledValue`]s like emails.

use autosurgeon::{Hydrate, Reconcile};

use super::Birthday;

/// `contacts.<id>.dates.<key>`: an anniversary or any other yearly date.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct ImportantDate {
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub label: String,
    #[autosurgeon(with = "crate::schema::stored::int")]
    pub month: u32,
    #[autosurgeon(with = "crate::schema::stored::int")]
    pub day: u32,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::opt_int")]
    pub year: Option<i32>,
    /// Nudge yearly on the day, like a birthday.
    #[autosurgeon(missing = "Default::default")]
    pub remind: bool,
}

impl ImportantDate {
    /// The same month/day/year as a [`Birthday`], so the birthday math (Feb 29 rule,
    /// validation) applies unchanged.
    pub fn as_birthday(&self) -> Birthday {
        Birthday { month: self.month, day: self.day, year: self.year }
    }
}

/// `contacts.<id>.relatedNames.<key>`: a related person known only by name (an imported
/// `X-ABRELATEDNAMES`), not (yet) linked to a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hydrate, Reconcile)]
pub struct RelatedName {
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub label: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub name: String,
}
