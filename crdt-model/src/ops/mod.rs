//! Pure operations on a Kith document.
//!
//! Each public function is exactly one Automerge transaction with a commit message and the
//! caller's `now` as commit time; on error the transaction is rolled back and the document
//! is unchanged. Writes are targeted (only the fields that change are put), so concurrent
//! edits of different fields merge, and an edit that changes nothing makes no change.

mod contact;
mod document;
mod follow_up;
mod interaction;
mod memory;
mod merge;
mod merge_memory;
mod note;
mod records;
mod relationship;

pub use contact::{
    archive_contact, create_contact, insert_contact, set_cadence, snooze, update_contact,
    new_entry_key, ContactDraft, ContactPatch,
};
pub use document::{new_document, update_settings};
pub use interaction::{delete_interaction, log_interaction, InteractionDraft};
pub use merge::merge_contacts;
pub use note::{add_note, delete_note, edit_note, set_note_pinned, splice_note};
pub use follow_up::{
    add_follow_up, complete_follow_up, delete_follow_up, edit_follow_up, FollowUpDraft, FollowUpPatch,
};
pub use memory::{
    add_important_date, add_url, remove_important_date, remove_url, set_department, set_pronouns,
    update_important_date,
};
pub use relationship::{relate, unrelate};

use automerge::ReadDoc as _;
use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, ObjId, ObjType, ScalarValue, Value, ROOT};
use chrono::{DateTime, Utc};

use crate::error::ModelError;

/// Runs `f` as one transaction; commits with `message` at `now`, rolls back on error.
/// Returns `f`'s result and whether a change was recorded (false when nothing differed).
pub(crate) fn transact<O>(
    doc: &mut Automerge,
    message: String,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<O, ModelError>,
) -> Result<(O, bool), ModelError> {
    // Change times are seconds since the epoch, as the JS client writes them.
    let options = CommitOptions::default().with_message(message).with_time(now.timestamp());
    doc.transact_with(|_| options, f)
        .map(|ok| (ok.result, ok.hash.is_some()))
        .map_err(|failure| failure.error)
}

/// The map at `parent[key]`, or `None` if absent or not a map.
pub(crate) fn get_map(
    tx: &Transaction<'_>,
    parent: &ObjId,
    key: &str,
) -> Result<Option<ObjId>, ModelError> {
    Ok(match tx.get(parent, key)? {
        Some((Value::Object(ObjType::Map | ObjType::Table), id)) => Some(id),
        _ => None,
    })
}

/// The map at `parent[key]`, created if absent. A non-map value there is replaced: a map
/// is what the schema requires and the old value could not have been read anyway.
pub(crate) fn ensure_map(
    tx: &mut Transaction<'_>,
    parent: &ObjId,
    key: &str,
) -> Result<ObjId, ModelError> {
    match get_map(tx, parent, key)? {
        Some(id) => Ok(id),
        None => Ok(tx.put_object(parent, key, ObjType::Map)?),
    }
}

/// A root collection (`contacts`, `interactions`, `notes`). `new_document` creates them;
/// creating one here only happens for documents made elsewhere without it.
pub(crate) fn collection(tx: &mut Transaction<'_>, name: &str) -> Result<ObjId, ModelError> {
    ensure_map(tx, &ROOT, name)
}

/// Puts `value` at `obj[key]` unless it is already the current value.
pub(crate) fn put_if_changed(
    tx: &mut Transaction<'_>,
    obj: &ObjId,
    key: &str,
    value: ScalarValue,
) -> Result<(), ModelError> {
    match tx.get(obj, key)? {
        Some((Value::Scalar(current), _)) if current.as_ref() == &value => return Ok(()),
        // The same string written as Text by a JS client: nothing to change either.
        Some((Value::Object(ObjType::Text), text)) => {
            if let ScalarValue::Str(s) = &value {
                if tx.text(&text)? == s.as_str() {
                    return Ok(());
                }
            }
        }
        _ => {}
    }
    tx.put(obj, key, value)?;
    Ok(())
}

/// Deletes `obj[key]` if present.
pub(crate) fn delete_if_present(
    tx: &mut Transaction<'_>,
    obj: &ObjId,
    key: &str,
) -> Result<(), ModelError> {
    if tx.get(obj, key)?.is_some() {
        tx.delete(obj, key)?;
    }
    Ok(())
}

/// `Some(t)` as a Timestamp scalar, `None` as null.
pub(crate) fn opt_ts(t: Option<DateTime<Utc>>) -> ScalarValue {
    t.map(crate::time::scalar).unwrap_or(ScalarValue::Null)
}
