//! A follow-up (`followUps.<id>`): "remind me to call her after the surgery", for one or
//! several people, once or repeating.

use std::collections::BTreeMap;
use std::fmt;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, Text};
use chrono::{DateTime, Utc};

use crate::ids::{ContactId, FollowUpId};

/// One follow-up. `note` is `Text`, so a device editing it while another marks it done
/// both survive the merge (different fields; characters merge within the note).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct FollowUp {
    /// Always equal to the map key; [`crate::load`] overwrites it with the key.
    #[autosurgeon(missing = "nil_follow_up_id")]
    pub id: FollowUpId,
    /// A set `{ <contact id>: true }`, like an interaction's, so re-pointing never conflicts.
    #[autosurgeon(rename = "contactIds", missing = "Default::default", with = "autosurgeon::map_with_parseable_keys")]
    pub contact_ids: BTreeMap<ContactId, bool>,
    /// The due instant; with `all_day`, only its local date (in the user's zone) counts.
    #[autosurgeon(rename = "dueAt", missing = "crate::time::epoch", with = "crate::schema::stored::timestamp")]
    pub due_at: DateTime<Utc>,
    /// Due at the user's reminder hour on `due_at`'s local day, not at `due_at` itself.
    #[autosurgeon(rename = "allDay", missing = "Default::default")]
    pub all_day: bool,
    #[autosurgeon(missing = "Default::default", hydrate = "crate::strings::hydrate_text")]
    pub note: Text,
    /// `None`: a one-off follow-up.
    #[autosurgeon(missing = "Default::default")]
    pub repeat: Option<Repeat>,
    /// When a one-off follow-up was marked done (repeating ones run until deleted).
    #[autosurgeon(rename = "doneAt", missing = "Default::default", with = "crate::schema::stored::opt_timestamp")]
    pub done_at: Option<DateTime<Utc>>,
    #[autosurgeon(rename = "createdAt", missing = "crate::time::epoch", with = "crate::schema::stored::timestamp")]
    pub created_at: DateTime<Utc>,
}

impl FollowUp {
    /// The contacts this follow-up is about (entries set to `true`).
    pub fn contacts(&self) -> impl Iterator<Item = ContactId> + '_ {
        self.contact_ids.iter().filter(|(_, on)| **on).map(|(id, _)| *id)
    }

    /// Still to be reminded of: repeating ones always, one-off ones until done.
    pub fn is_open(&self) -> bool {
        self.repeat.is_some() || self.done_at.is_none()
    }
}

fn nil_follow_up_id() -> FollowUpId {
    FollowUpId(uuid::Uuid::nil())
}

/// `repeat: { every, unit }`: every `every` days/weeks/months/years from the due date.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Repeat {
    #[autosurgeon(missing = "one", with = "crate::schema::stored::int")]
    pub every: u32,
    #[autosurgeon(missing = "unknown_unit")]
    pub unit: RepeatUnit,
}

fn one() -> u32 {
    1
}

fn unknown_unit() -> RepeatUnit {
    RepeatUnit::Unrecognized(String::new())
}

/// `repeat.unit`. An unknown unit (from a newer client) is kept as written and does not
/// repeat here (the follow-up then behaves as a one-off).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RepeatUnit {
    Day,
    Week,
    Month,
    Year,
    Unrecognized(String),
}

impl RepeatUnit {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::Unrecognized(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "day" => Self::Day,
            "week" => Self::Week,
            "month" => Self::Month,
            "year" => Self::Year,
            other => Self::Unrecognized(other.to_owned()),
        }
    }
}

impl fmt::Display for RepeatUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Hydrate for RepeatUnit {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Self::parse(s))
    }
    fn hydrate_text<D: autosurgeon::ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, HydrateError> {
        Ok(Self::parse(&doc.text(obj)?))
    }
}

impl Reconcile for RepeatUnit {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.as_str())
    }
}
