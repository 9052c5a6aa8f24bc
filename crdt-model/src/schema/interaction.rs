//! A logged interaction (`interactions.<id>`): the only input to "last contacted".

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};

use super::kinds::InteractionKind;
use crate::ids::{ContactId, InteractionId};

/// One call, meeting, message... with one or more contacts.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct Interaction {
    /// Always equal to the map key; [`crate::load`] overwrites it with the key.
    #[autosurgeon(missing = "nil_interaction_id")]
    pub id: InteractionId,
    /// A set `{ <contact id>: true }`, so two devices re-pointing it never conflict.
    #[autosurgeon(
        rename = "contactIds",
        missing = "Default::default",
        with = "autosurgeon::map_with_parseable_keys"
    )]
    pub contact_ids: BTreeMap<ContactId, bool>,
    #[autosurgeon(missing = "other_kind")]
    pub kind: InteractionKind,
    #[autosurgeon(
        missing = "crate::time::epoch",
        with = "crate::schema::stored::timestamp"
    )]
    pub at: DateTime<Utc>,
    #[autosurgeon(missing = "Default::default", with = "crate::schema::stored::string")]
    pub note: String,
}

impl Interaction {
    /// The contacts this interaction is with (entries set to `true`).
    pub fn contacts(&self) -> impl Iterator<Item = ContactId> + '_ {
        self.contact_ids.iter().filter(|(_, on)| **on).map(|(id, _)| *id)
    }
}

fn nil_interaction_id() -> InteractionId {
    InteractionId(uuid::Uuid::nil())
}

fn other_kind() -> InteractionKind {
    InteractionKind::Other
}
