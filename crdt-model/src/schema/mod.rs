//! The typed schema of a Kith document (DESIGN.md "The document").
//!
//! Field names in the document are camelCase exactly as DESIGN.md shows them (`rename`).
//! Every field that may be absent in an older document has a `missing` default.

mod contact;
mod follow_up;
mod important_date;
mod interaction;
mod kinds;
mod note;
mod relationship;
mod stored;

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

pub use contact::{Address, Birthday, Contact, LabeledValue, Name, Photo, Source};
pub use follow_up::{FollowUp, Repeat, RepeatUnit};
pub use important_date::{ImportantDate, RelatedName};
pub use interaction::Interaction;
pub use kinds::{InteractionKind, SourceKind};
pub use note::Note;
pub use relationship::{Relationship, RelationshipKind};

use crate::ids::{ContactId, FollowUpId, InteractionId, NoteId, RelationshipId};

/// The current schema number written into `schema`.
pub const SCHEMA_VERSION: i64 = 1;

/// Reminder hour used when a document has none.
pub const DEFAULT_REMINDER_HOUR: u32 = 9;

/// The whole document, as [`crate::load`] returns it.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct KithDoc {
    #[autosurgeon(missing = "schema_default", with = "crate::schema::stored::int")]
    pub schema: i64,
    #[autosurgeon(missing = "Default::default")]
    pub settings: Settings,
    #[autosurgeon(missing = "Default::default", with = "autosurgeon::map_with_parseable_keys")]
    pub contacts: BTreeMap<ContactId, Contact>,
    #[autosurgeon(missing = "Default::default", with = "autosurgeon::map_with_parseable_keys")]
    pub interactions: BTreeMap<InteractionId, Interaction>,
    #[autosurgeon(missing = "Default::default", with = "autosurgeon::map_with_parseable_keys")]
    pub notes: BTreeMap<NoteId, Note>,
    // Schema v2 (relationship memory), additive.
    #[autosurgeon(rename = "followUps", missing = "Default::default", with = "autosurgeon::map_with_parseable_keys")]
    pub follow_ups: BTreeMap<FollowUpId, FollowUp>,
    #[autosurgeon(missing = "Default::default", with = "autosurgeon::map_with_parseable_keys")]
    pub relationships: BTreeMap<RelationshipId, Relationship>,
}

impl Default for KithDoc {
    /// An empty document (what [`crate::load`] returns for a document with nothing in it).
    fn default() -> Self {
        KithDoc {
            schema: SCHEMA_VERSION,
            settings: Settings::default(),
            contacts: BTreeMap::new(),
            interactions: BTreeMap::new(),
            notes: BTreeMap::new(),
            follow_ups: BTreeMap::new(),
            relationships: BTreeMap::new(),
        }
    }
}

fn schema_default() -> i64 {
    SCHEMA_VERSION
}

/// `settings`: per-user preferences every device shares.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Settings {
    /// IANA zone name, e.g. "Europe/Berlin". See [`Settings::tz`].
    #[autosurgeon(missing = "utc_name", with = "crate::schema::stored::string")]
    pub timezone: String,
    /// Local hour (0–23) at which reminders are sent.
    #[autosurgeon(rename = "reminderHour", missing = "reminder_hour_default", with = "crate::schema::stored::int")]
    pub reminder_hour: u32,
    /// Several nudges due together arrive as one notification.
    #[autosurgeon(missing = "digest_default")]
    pub digest: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timezone: utc_name(),
            reminder_hour: DEFAULT_REMINDER_HOUR,
            digest: true,
        }
    }
}

impl Settings {
    /// The zone to compute local times in; UTC when the stored name is not a known zone
    /// (a client may have written anything).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The reminder hour, clamped to 0–23.
    pub fn hour(&self) -> u32 {
        self.reminder_hour.min(23)
    }
}

fn utc_name() -> String {
    "UTC".to_owned()
}

fn reminder_hour_default() -> u32 {
    DEFAULT_REMINDER_HOUR
}

fn digest_default() -> bool {
    true
}

impl KithDoc {
    /// Contacts that are neither archived nor merged away.
    pub fn active_contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values().filter(|c| self.is_active(c))
    }

    /// Shown in lists and reminders: not archived and not merged into another contact
    /// (a contact on a merge cycle that [`KithDoc::resolve`] picks as survivor counts).
    pub fn is_active(&self, c: &Contact) -> bool {
        !c.archived && (c.merged_into.is_none() || self.resolve(c.id) == c.id)
    }

    /// Follows `mergedInto` from `id` to the surviving contact (cycle-safe: stops at
    /// the first repeat). Interactions and notes written against a merged contact on
    /// another device while the merge happened are thereby still attributed correctly.
    pub fn resolve(&self, id: ContactId) -> ContactId {
        resolve_merged(id, |c| self.contacts.get(&c).and_then(|c| c.merged_into))
    }

    /// Notes about `contact` (including notes still pointing at contacts merged into it).
    pub fn notes_for(&self, contact: ContactId) -> impl Iterator<Item = &Note> {
        let target = self.resolve(contact);
        self.notes.values().filter(move |n| self.resolve(n.contact_id) == target)
    }

    /// Interactions with `contact` (including ones pointing at contacts merged into it).
    pub fn interactions_for(&self, contact: ContactId) -> impl Iterator<Item = &Interaction> {
        let target = self.resolve(contact);
        self.interactions
            .values()
            .filter(move |i| i.contacts().any(|c| self.resolve(c) == target))
    }
}

impl KithDoc {
    /// Follow-ups about `contact` (including ones still naming contacts merged into it).
    pub fn follow_ups_for(&self, contact: ContactId) -> impl Iterator<Item = &FollowUp> {
        let target = self.resolve(contact);
        self.follow_ups.values().filter(move |f| f.contacts().any(|c| self.resolve(c) == target))
    }

    /// `contact`'s relationships as (other person, what they are to `contact`, the
    /// record), with both ends resolved through merges. A relationship whose ends resolve
    /// to the same person (one device related A and B while another merged them) is left
    /// out: a self-relationship is never shown.
    pub fn relationships_of(
        &self,
        contact: ContactId,
    ) -> impl Iterator<Item = (ContactId, RelationshipKind, &Relationship)> {
        let me = self.resolve(contact);
        self.relationships.values().filter_map(move |r| {
            let (from, to) = (self.resolve(r.from), self.resolve(r.to));
            if from == to {
                return None;
            }
            let resolved = Relationship { from, to, ..r.clone() };
            resolved.seen_from(me).map(|(other, kind)| (other, kind, r))
        })
    }
}

/// Follows a `mergedInto` chain given a lookup; stops at a missing link. If two devices
/// merged A into B and B into A concurrently the chain is a cycle; then the smallest id on
/// the cycle survives, so every device picks the same one and nobody disappears.
pub(crate) fn resolve_merged(
    start: ContactId,
    merged_into: impl Fn(ContactId) -> Option<ContactId>,
) -> ContactId {
    let mut seen = vec![start];
    let mut id = start;
    loop {
        match merged_into(id) {
            None => return id,
            Some(next) => {
                if let Some(pos) = seen.iter().position(|s| *s == next) {
                    return seen[pos..].iter().copied().min().unwrap_or(next);
                }
                seen.push(next);
                id = next;
            }
        }
    }
}
