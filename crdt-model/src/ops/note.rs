//! Notes: add, edit (character-level), pin, delete.

use automerge::ReadDoc as _;
use automerge::transaction::{Transactable, Transaction};
use automerge::{Automerge, ObjId, ObjType, ScalarValue, Value};
use autosurgeon::{reconcile_prop, Text};
use chrono::{DateTime, Utc};

use super::contact::contact_obj;
use super::{collection, get_map, put_if_changed, transact};
use crate::error::ModelError;
use crate::ids::{ContactId, NoteId};
use crate::schema::Note;

/// Adds a note about `contact` and returns its id.
pub fn add_note(
    doc: &mut Automerge,
    contact: ContactId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<NoteId, ModelError> {
    let id = NoteId::new_random();
    let note = Note {
        id,
        contact_id: contact,
        created_at: now,
        body: Text::with_value(body),
        pinned: false,
    };
    transact(doc, "Add note".to_owned(), now, |tx| {
        contact_obj(tx, contact)?;
        let notes = collection(tx, "notes")?;
        reconcile_prop(tx, &notes, id.to_string().as_str(), &note)?;
        Ok(())
    })?;
    Ok(id)
}

/// Replaces the body with `new_body` by the smallest splice(s) that turn the old text into
/// the new one, so a concurrent edit elsewhere in the same note survives the merge.
pub fn edit_note(
    doc: &mut Automerge,
    id: NoteId,
    new_body: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    transact(doc, "Edit note".to_owned(), now, |tx| {
        let body = body_obj(tx, id)?;
        tx.update_text(&body, new_body)?;
        Ok(())
    })?;
    Ok(())
}

/// Deletes `delete` characters (Unicode code points) at `pos` and inserts `insert` there —
/// what an editor sends per keystroke. `pos`/`delete` beyond the end are clamped.
pub fn splice_note(
    doc: &mut Automerge,
    id: NoteId,
    pos: usize,
    delete: usize,
    insert: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    transact(doc, "Edit note".to_owned(), now, |tx| {
        let body = body_obj(tx, id)?;
        let len = tx.length(&body);
        let pos = pos.min(len);
        let delete = delete.min(len - pos);
        let delete = isize::try_from(delete)
            .map_err(|_| ModelError::InvalidInput("deletion too long".into()))?;
        tx.splice_text(&body, pos, delete, insert)?;
        Ok(())
    })?;
    Ok(())
}

/// Pins or unpins a note.
pub fn set_note_pinned(
    doc: &mut Automerge,
    id: NoteId,
    pinned: bool,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    let verb = if pinned { "Pin" } else { "Unpin" };
    transact(doc, format!("{verb} note {id}"), now, |tx| {
        let note = note_obj(tx, id)?;
        put_if_changed(tx, &note, "pinned", ScalarValue::Boolean(pinned))
    })?;
    Ok(())
}

/// Deletes a note (the user asked to; unlike a merge, this really removes it).
pub fn delete_note(doc: &mut Automerge, id: NoteId, now: DateTime<Utc>) -> Result<(), ModelError> {
    transact(doc, format!("Delete note {id}"), now, |tx| {
        note_obj(tx, id)?;
        let notes = collection(tx, "notes")?;
        tx.delete(&notes, id.to_string().as_str())?;
        Ok(())
    })?;
    Ok(())
}

fn note_obj(tx: &Transaction<'_>, id: NoteId) -> Result<ObjId, ModelError> {
    let notes = get_map(tx, &automerge::ROOT, "notes")?.ok_or(ModelError::NoteNotFound(id))?;
    get_map(tx, &notes, &id.to_string())?.ok_or(ModelError::NoteNotFound(id))
}

/// The note's `body` Text object; a body some client wrote as a plain string is converted
/// to Text (keeping its content) so it can be edited per character from now on.
fn body_obj(tx: &mut Transaction<'_>, id: NoteId) -> Result<ObjId, ModelError> {
    let note = note_obj(tx, id)?;
    match tx.get(&note, "body")? {
        Some((Value::Object(ObjType::Text), body)) => Ok(body),
        Some((Value::Scalar(s), _)) => {
            let old = match s.as_ref() {
                ScalarValue::Str(s) => s.to_string(),
                _ => String::new(),
            };
            let body = tx.put_object(&note, "body", ObjType::Text)?;
            tx.splice_text(&body, 0, 0, &old)?;
            Ok(body)
        }
        _ => Ok(tx.put_object(&note, "body", ObjType::Text)?),
    }
}
