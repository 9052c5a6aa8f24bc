//! A note about a contact (`notes.<id>`), with a character-merged body.

use autosurgeon::{Hydrate, Reconcile, Text};
use chrono::{DateTime, Utc};

use crate::ids::{ContactId, NoteId};

/// A note. `body` is Automerge `Text`, so two devices typing into it merge per character.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct Note {
    /// Always equal to the map key; [`crate::load`] overwrites it with the key.
    #[autosurgeon(missing = "nil_note_id")]
    pub id: NoteId,
    #[autosurgeon(rename = "contactId")]
    pub contact_id: ContactId,
    #[autosurgeon(
        rename = "createdAt",
        missing = "crate::time::epoch",
        with = "crate::schema::stored::timestamp"
    )]
    pub created_at: DateTime<Utc>,
    #[autosurgeon(missing = "Default::default", hydrate = "crate::strings::hydrate_text")]
    pub body: Text,
    #[autosurgeon(missing = "Default::default")]
    pub pinned: bool,
}

fn nil_note_id() -> NoteId {
    NoteId(uuid::Uuid::nil())
}
