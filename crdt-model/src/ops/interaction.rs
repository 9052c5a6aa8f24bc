//! Logging interactions.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::Automerge;
use autosurgeon::reconcile_prop;
use chrono::{DateTime, Utc};

use super::contact::contact_obj;
use super::{collection, get_map, transact};
use crate::error::ModelError;
use crate::ids::{ContactId, InteractionId};
use crate::schema::{Interaction, InteractionKind};

/// A call, meeting, message... to log.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionDraft {
    /// At least one; each must exist.
    pub contact_ids: Vec<ContactId>,
    pub kind: InteractionKind,
    /// When it happened (may be in the past: "we met last Tuesday").
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Logs an interaction and returns its id. Restarts the keep-in-touch clock of every
/// contact in it (last contacted is derived from interactions).
pub fn log_interaction(
    doc: &mut Automerge,
    draft: InteractionDraft,
    now: DateTime<Utc>,
) -> Result<InteractionId, ModelError> {
    if draft.contact_ids.is_empty() {
        return Err(ModelError::InvalidInput("an interaction needs at least one contact".into()));
    }
    let id = InteractionId::new_random();
    let interaction = Interaction {
        id,
        contact_ids: draft.contact_ids.iter().map(|c| (*c, true)).collect::<BTreeMap<_, _>>(),
        kind: draft.kind,
        at: draft.at,
        note: draft.note,
    };
    // No ids or note text in the message: it is kept in history forever (size, privacy).
    let message = format!("Log {}", interaction.kind);
    transact(doc, message, now, |tx| {
        for c in &draft.contact_ids {
            contact_obj(tx, *c)?;
        }
        let interactions = collection(tx, "interactions")?;
        reconcile_prop(tx, &interactions, id.to_string().as_str(), &interaction)?;
        Ok(())
    })?;
    Ok(id)
}

/// Deletes a logged interaction (a mistaken entry; last contacted is recomputed from the rest).
pub fn delete_interaction(
    doc: &mut Automerge,
    id: InteractionId,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    transact(doc, format!("Delete interaction {id}"), now, |tx| {
        let interactions =
            get_map(tx, &automerge::ROOT, "interactions")?.ok_or(ModelError::InteractionNotFound(id))?;
        let key = id.to_string();
        if get_map(tx, &interactions, &key)?.is_none() {
            return Err(ModelError::InteractionNotFound(id));
        }
        tx.delete(&interactions, key.as_str())?;
        Ok(())
    })?;
    Ok(())
}
