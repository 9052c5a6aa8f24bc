//! Follow-ups: add, edit, mark done, delete.

use std::collections::BTreeSet;

use automerge::ReadDoc as _;
use automerge::transaction::{Transactable, Transaction};
use automerge::{Automerge, ObjId, ObjType, ScalarValue, Value};
use autosurgeon::{reconcile_prop, Text};
use chrono::{DateTime, Utc};

use super::contact::contact_obj;
use super::records::find_record;
use super::{collection, delete_if_present, ensure_map, opt_ts, put_if_changed, transact};
use crate::error::ModelError;
use crate::ids::{ContactId, FollowUpId};
use crate::limits::{check_len, MAX_FOLLOW_UP_CONTACTS, MAX_NOTE_CHARS, MAX_REPEAT_YEARS};
use crate::schema::{FollowUp, Repeat, RepeatUnit};

/// A follow-up to add.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpDraft {
    /// At least one; each must exist.
    pub contact_ids: Vec<ContactId>,
    /// The due instant; with `all_day` only its local date counts (clients write the
    /// local midnight of the chosen day).
    pub due_at: DateTime<Utc>,
    pub all_day: bool,
    pub note: String,
    pub repeat: Option<Repeat>,
}

/// A partial edit; `None` / empty leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowUpPatch {
    pub due_at: Option<DateTime<Utc>>,
    pub all_day: Option<bool>,
    /// The whole new note; written as the smallest splices, so a concurrent edit of
    /// another part of the note survives.
    pub note: Option<String>,
    /// `Some(None)` makes it a one-off.
    pub repeat: Option<Option<Repeat>>,
    pub add_contacts: Vec<ContactId>,
    pub remove_contacts: Vec<ContactId>,
}

/// Adds a follow-up and returns its id.
pub fn add_follow_up(
    doc: &mut Automerge,
    draft: FollowUpDraft,
    now: DateTime<Utc>,
) -> Result<FollowUpId, ModelError> {
    let contacts: BTreeSet<ContactId> = draft.contact_ids.iter().copied().collect();
    if contacts.is_empty() {
        return Err(ModelError::InvalidInput("a follow-up needs at least one contact".into()));
    }
    check_contact_count(contacts.len())?;
    check_len("note", &draft.note, MAX_NOTE_CHARS)?;
    validate_repeat(draft.repeat.as_ref())?;
    let id = FollowUpId::new_random();
    let follow_up = FollowUp {
        id,
        contact_ids: contacts.iter().map(|c| (*c, true)).collect(),
        due_at: draft.due_at,
        all_day: draft.all_day,
        note: Text::with_value(draft.note),
        repeat: draft.repeat,
        done_at: None,
        created_at: now,
    };
    // No note text in the message: history is kept forever (size, privacy).
    transact(doc, "Add follow-up".to_owned(), now, |tx| {
        for c in &contacts {
            contact_obj(tx, *c)?;
        }
        let follow_ups = collection(tx, "followUps")?;
        reconcile_prop(tx, &follow_ups, id.to_string().as_str(), &follow_up)?;
        Ok(())
    })?;
    Ok(id)
}

/// Applies `patch`; returns whether anything changed.
pub fn edit_follow_up(
    doc: &mut Automerge,
    id: FollowUpId,
    patch: FollowUpPatch,
    now: DateTime<Utc>,
) -> Result<bool, ModelError> {
    if let Some(note) = &patch.note {
        check_len("note", note, MAX_NOTE_CHARS)?;
    }
    if let Some(repeat) = &patch.repeat {
        validate_repeat(repeat.as_ref())?;
    }
    let ((), changed) = transact(doc, "Edit follow-up".to_owned(), now, |tx| {
        let f = follow_up_obj(tx, id)?;
        if let Some(due) = patch.due_at {
            put_if_changed(tx, &f, "dueAt", crate::time::scalar(due))?;
        }
        if let Some(all_day) = patch.all_day {
            put_if_changed(tx, &f, "allDay", ScalarValue::Boolean(all_day))?;
        }
        if let Some(note) = &patch.note {
            let text = note_obj(tx, &f)?;
            tx.update_text(&text, note)?;
        }
        if let Some(repeat) = &patch.repeat {
            reconcile_prop(tx, &f, "repeat", repeat)?;
        }
        if !patch.add_contacts.is_empty() || !patch.remove_contacts.is_empty() {
            edit_contacts(tx, &f, &patch.add_contacts, &patch.remove_contacts)?;
        }
        Ok(())
    })?;
    Ok(changed)
}

/// Marks a follow-up done (`done = true`: `doneAt = now`, kept if already done, so a
/// second device pressing Done changes nothing) or not done again.
pub fn complete_follow_up(
    doc: &mut Automerge,
    id: FollowUpId,
    done: bool,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    let message = if done { "Complete follow-up" } else { "Reopen follow-up" };
    transact(doc, message.to_owned(), now, |tx| {
        let f = follow_up_obj(tx, id)?;
        let already = matches!(tx.get(&f, "doneAt")?, Some((Value::Scalar(s), _)) if crate::time::from_scalar(&s).is_some());
        match (done, already) {
            (true, false) => put_if_changed(tx, &f, "doneAt", opt_ts(Some(now))),
            (false, true) => put_if_changed(tx, &f, "doneAt", ScalarValue::Null),
            _ => Ok(()),
        }
    })?;
    Ok(())
}

/// Deletes a follow-up (the user asked to; a repeating one stops).
pub fn delete_follow_up(doc: &mut Automerge, id: FollowUpId, now: DateTime<Utc>) -> Result<(), ModelError> {
    transact(doc, "Delete follow-up".to_owned(), now, |tx| {
        let (map, _) = find_record(tx, "followUps", &id.to_string())?.ok_or(ModelError::FollowUpNotFound(id))?;
        tx.delete(&map, id.to_string().as_str())?;
        Ok(())
    })?;
    Ok(())
}

fn follow_up_obj(tx: &Transaction<'_>, id: FollowUpId) -> Result<ObjId, ModelError> {
    find_record(tx, "followUps", &id.to_string())?.map(|(_, obj)| obj).ok_or(ModelError::FollowUpNotFound(id))
}

/// The `note` Text object; a note some client wrote as a plain string becomes Text
/// (keeping its content) so it merges per character from now on.
fn note_obj(tx: &mut Transaction<'_>, f: &ObjId) -> Result<ObjId, ModelError> {
    match tx.get(f, "note")? {
        Some((Value::Object(ObjType::Text), text)) => Ok(text),
        other => {
            let old = match other {
                Some((Value::Scalar(s), _)) => match s.as_ref() {
                    ScalarValue::Str(s) => s.to_string(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            let text = tx.put_object(f, "note", ObjType::Text)?;
            tx.splice_text(&text, 0, 0, &old)?;
            Ok(text)
        }
    }
}

fn edit_contacts(
    tx: &mut Transaction<'_>,
    f: &ObjId,
    add: &[ContactId],
    remove: &[ContactId],
) -> Result<(), ModelError> {
    for c in add {
        contact_obj(tx, *c)?;
    }
    let ids = ensure_map(tx, f, "contactIds")?;
    for c in add {
        put_if_changed(tx, &ids, &c.to_string(), ScalarValue::Boolean(true))?;
    }
    for c in remove {
        delete_if_present(tx, &ids, &c.to_string())?;
    }
    let left = tx
        .map_range(&ids, ..)
        .filter(|item| matches!(item.value, automerge::ValueRef::Scalar(automerge::ScalarValueRef::Boolean(true))))
        .count();
    if left == 0 {
        return Err(ModelError::InvalidInput("a follow-up needs at least one contact".into()));
    }
    check_contact_count(left)
}

fn check_contact_count(n: usize) -> Result<(), ModelError> {
    if n > MAX_FOLLOW_UP_CONTACTS {
        return Err(ModelError::InvalidInput(format!("a follow-up can be about at most {MAX_FOLLOW_UP_CONTACTS} people")));
    }
    Ok(())
}

/// `every` at least 1 and at most 100 years' worth of its unit; a known unit.
fn validate_repeat(repeat: Option<&Repeat>) -> Result<(), ModelError> {
    let Some(r) = repeat else { return Ok(()) };
    let max = match r.unit {
        RepeatUnit::Day => MAX_REPEAT_YEARS * 366,
        RepeatUnit::Week => MAX_REPEAT_YEARS * 53,
        RepeatUnit::Month => MAX_REPEAT_YEARS * 12,
        RepeatUnit::Year => MAX_REPEAT_YEARS,
        RepeatUnit::Unrecognized(_) => {
            return Err(ModelError::InvalidInput("repeat unit must be day, week, month or year".into()));
        }
    };
    if r.every == 0 || r.every > max {
        return Err(ModelError::InvalidInput(format!("repeat every must be 1-{max} {}s", r.unit)));
    }
    Ok(())
}
