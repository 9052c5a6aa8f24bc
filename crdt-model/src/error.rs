//! Errors of document operations.

use crate::ids::{ContactId, FollowUpId, InteractionId, NoteId, RelationshipId};

/// Why an operation refused to change the document (the document is then unchanged:
/// the transaction is rolled back).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("contact {0} not found")]
    ContactNotFound(ContactId),
    #[error("interaction {0} not found")]
    InteractionNotFound(InteractionId),
    #[error("note {0} not found")]
    NoteNotFound(NoteId),
    #[error("unknown time zone {0:?} (expected an IANA name like \"Europe/Berlin\")")]
    InvalidTimezone(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("cannot merge contact {0} into itself")]
    MergeIntoSelf(ContactId),
    #[error("contact {0} is already merged into another contact")]
    AlreadyMerged(ContactId),
    #[error("follow-up {0} not found")]
    FollowUpNotFound(FollowUpId),
    #[error("relationship {0} not found")]
    RelationshipNotFound(RelationshipId),
    /// A relationship needs two different people (after following merges).
    #[error("contact {0} cannot be related to itself")]
    SelfRelationship(ContactId),
    /// An entry (`urls`, `dates`, ...) of a contact that is not there.
    #[error("no {field} entry {key:?} on contact {contact}")]
    EntryNotFound { contact: ContactId, field: &'static str, key: String },
    #[error("the document is malformed: {0}")]
    Malformed(String),
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    /// Boxed: autosurgeon's error is large and would bloat every `Result` of this crate.
    #[error(transparent)]
    Reconcile(Box<autosurgeon::ReconcileError>),
}

impl From<autosurgeon::ReconcileError> for ModelError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        ModelError::Reconcile(Box::new(e))
    }
}
