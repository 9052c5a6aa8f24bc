//! A contact: one person, as stored under `contacts.<id>`.

use std::collections::BTreeMap;

use autosurgeon::bytes::ByteVec;
use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};

use super::important_date::{ImportantDate, RelatedName};
use super::kinds::SourceKind;
use crate::ids::ContactId;

/// `contacts.<id>`. Every field except `id` has a `missing` default so that documents
/// written before the field existed still hydrate.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct Contact {
    /// Always equal to the map key; [`crate::load`] overwrites it with the key.
    #[autosurgeon(missing = "nil_contact_id")]
    pub id: ContactId,
    #[autosurgeon(
        rename = "createdAt",
        missing = "crate::time::epoch",
        with = "crate::schema::stored::timestamp"
    )]
    pub created_at: DateTime<Utc>,
    #[autosurgeon(missing = "Default::default")]
    pub name: Name,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub nickname: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub company: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub title: String,
    /// Keyed by a per-entry uuid string, so two devices adding an email never collide.
    #[autosurgeon(missing = "Default::default")]
    pub emails: BTreeMap<String, LabeledValue>,
    #[autosurgeon(missing = "Default::default")]
    pub phones: BTreeMap<String, LabeledValue>,
    #[autosurgeon(missing = "Default::default")]
    pub addresses: BTreeMap<String, Address>,
    #[autosurgeon(missing = "Default::default")]
    pub birthday: Option<Birthday>,
    /// A set: `{ <tag>: true }`. A key whose value is `false` counts as absent.
    #[autosurgeon(missing = "Default::default")]
    pub tags: BTreeMap<String, bool>,
    #[autosurgeon(rename = "howWeMet", missing = "Default::default", with = "crate::schema::stored::string")]
    pub how_we_met: String,
    #[autosurgeon(missing = "Default::default")]
    pub photo: Option<Photo>,
    /// Keep-in-touch cadence; `None` means no reminders for this person.
    #[autosurgeon(rename = "cadenceDays", missing = "Default::default", with = "crate::schema::stored::opt_int")]
    pub cadence_days: Option<u32>,
    /// When the cadence was last set: the due-time anchor while there are no interactions.
    /// (Additive field, not in the first DESIGN sketch.)
    #[autosurgeon(
        rename = "cadenceSetAt",
        missing = "Default::default",
        with = "crate::schema::stored::opt_timestamp"
    )]
    pub cadence_set_at: Option<DateTime<Utc>>,
    #[autosurgeon(
        rename = "snoozedUntil",
        missing = "Default::default",
        with = "crate::schema::stored::opt_timestamp"
    )]
    pub snoozed_until: Option<DateTime<Utc>>,
    #[autosurgeon(missing = "Default::default")]
    pub archived: bool,
    /// Set on the loser of a duplicate merge; the contact is then hidden, never deleted.
    #[autosurgeon(rename = "mergedInto", missing = "Default::default")]
    pub merged_into: Option<ContactId>,
    /// Where this contact was imported from, keyed by a stable source key
    /// (e.g. `vcard:<uid>`), so re-importing the same file matches instead of duplicating.
    #[autosurgeon(missing = "Default::default")]
    pub sources: BTreeMap<String, Source>,
    // Schema v2 (relationship memory), all additive.
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub department: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub pronouns: String,
    /// Websites and social profiles, keyed by a per-entry uuid string like `emails`.
    #[autosurgeon(missing = "Default::default")]
    pub urls: BTreeMap<String, LabeledValue>,
    /// Anniversaries and other yearly dates, keyed by a per-entry uuid string.
    #[autosurgeon(missing = "Default::default")]
    pub dates: BTreeMap<String, ImportantDate>,
    /// Related people known only by name (imported, not linked to a contact).
    #[autosurgeon(rename = "relatedNames", missing = "Default::default")]
    pub related_names: BTreeMap<String, RelatedName>,
    /// vCard lines Kith does not model, keyed by the importer, written back unchanged.
    #[autosurgeon(missing = "Default::default")]
    pub unmodeled: BTreeMap<String, String>,
    /// The href (last path segment, e.g. `3F2A….vcf`) a CardDAV client chose when it created
    /// this contact; empty for contacts made in Kith, which are served as `<id>.vcf`. Kept so
    /// the phone finds its card where it put it (answering elsewhere is how duplicates start).
    #[autosurgeon(rename = "davHref", missing = "Default::default", with = "crate::schema::stored::string")]
    pub dav_href: String,
}

fn nil_contact_id() -> ContactId {
    ContactId(uuid::Uuid::nil())
}

impl Contact {
    /// A contact with only an id, creation time and display name; everything else empty.
    pub fn new(id: ContactId, display_name: &str, created_at: DateTime<Utc>) -> Self {
        Contact {
            id,
            created_at,
            name: Name { display: display_name.to_owned(), ..Name::default() },
            nickname: String::new(),
            company: String::new(),
            title: String::new(),
            emails: BTreeMap::new(),
            phones: BTreeMap::new(),
            addresses: BTreeMap::new(),
            birthday: None,
            tags: BTreeMap::new(),
            how_we_met: String::new(),
            photo: None,
            cadence_days: None,
            cadence_set_at: None,
            snoozed_until: None,
            archived: false,
            merged_into: None,
            sources: BTreeMap::new(),
            department: String::new(),
            pronouns: String::new(),
            urls: BTreeMap::new(),
            dates: BTreeMap::new(),
            related_names: BTreeMap::new(),
            unmodeled: BTreeMap::new(),
            dav_href: String::new(),
        }
    }

    /// Tags that are set (value `true`), in order.
    pub fn tag_names(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().filter(|(_, on)| **on).map(|(t, _)| t.as_str())
    }

}

/// `name`: display is what lists show; given/family are for sorting and export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Name {
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub display: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub given: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub family: String,
}

/// An email or phone entry: `{ label, value }` (label e.g. "work", "mobile", or "").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hydrate, Reconcile)]
pub struct LabeledValue {
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub label: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub value: String,
}

/// A postal address entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Address {
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub label: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub street: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub city: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub region: String,
    #[autosurgeon(rename = "postalCode", missing = "Default::default", with = "crate::schema::stored::string")]
    pub postal_code: String,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub country: String,
}

/// `birthday: { month, day, year|null }`; the year is often unknown (vCard `--MMDD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Birthday {
    #[autosurgeon(with = "crate::schema::stored::int")]
    pub month: u32,
    #[autosurgeon(with = "crate::schema::stored::int")]
    pub day: u32,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::opt_int")]
    pub year: Option<i32>,
}

/// `photo: { mime, bytes | url }`.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Photo {
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub mime: String,
    #[autosurgeon(missing = "Default::default")]
    pub bytes: Option<ByteVec>,
    #[autosurgeon(missing = "Default::default", hydrate = "crate::strings::hydrate_opt_string")]
    pub url: Option<String>,
}

/// `sources.<key>`: one import origin of this contact.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Source {
    #[autosurgeon(missing = "unknown_source_kind")]
    pub kind: SourceKind,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub uid: String,
    #[autosurgeon(
        rename = "importedAt",
        missing = "crate::time::epoch",
        with = "crate::schema::stored::timestamp"
    )]
    pub imported_at: DateTime<Utc>,
}

fn unknown_source_kind() -> SourceKind {
    SourceKind::Unrecognized(String::new())
}
