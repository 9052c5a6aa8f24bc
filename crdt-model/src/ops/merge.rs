//! Merging duplicate contacts without losing anything.

use std::collections::BTreeSet;

use automerge::ReadDoc as _;
use automerge::transaction::{Transactable, Transaction};
use automerge::{Automerge, ObjId, ScalarValue};
use autosurgeon::{hydrate_prop, reconcile_prop};
use chrono::{DateTime, Utc};

use super::contact::contact_obj;
use super::{ensure_map, get_map, put_if_changed, transact};
use crate::error::ModelError;
use crate::ids::ContactId;
use crate::schema::Contact;

/// Merges `loser` into `winner`:
/// - the loser gets `mergedInto = winner` (it stays in the document, hidden);
/// - its interactions, notes, follow-ups and relationships are re-pointed to the winner
///   (a relationship between the two would relate the winner to itself and is removed);
/// - emails, phones (by normalized value), tags and import sources are unioned into the
///   winner, as are links, important dates, related names and unmodeled vCard lines; the
///   winner's empty fields (nickname, company, birthday, department, ...) are filled
///   from the loser.
///
/// Interactions or notes another device adds to the loser concurrently still count for
/// the winner: readers resolve `mergedInto` (see [`crate::KithDoc::resolve`]).
pub fn merge_contacts(
    doc: &mut Automerge,
    winner: ContactId,
    loser: ContactId,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    if winner == loser {
        return Err(ModelError::MergeIntoSelf(winner));
    }
    transact(doc, format!("Merge contact {loser} into {winner}"), now, |tx| {
        let w_obj = contact_obj(tx, winner)?;
        let l_obj = contact_obj(tx, loser)?;
        let contacts = get_map(tx, &automerge::ROOT, "contacts")?
            .ok_or(ModelError::ContactNotFound(winner))?;
        let w: Contact = read_contact(tx, &contacts, winner)?;
        let l: Contact = read_contact(tx, &contacts, loser)?;
        if l.merged_into.is_some() {
            return Err(ModelError::AlreadyMerged(loser));
        }
        if w.merged_into.is_some() {
            return Err(ModelError::AlreadyMerged(winner));
        }

        tx.put(&l_obj, "mergedInto", loser_pointer(winner))?;
        union_contact_fields(tx, &w_obj, &w, &l)?;
        repoint_interactions(tx, winner, loser)?;
        repoint_notes(tx, winner, loser)?;
        super::merge_memory::union_memory_fields(tx, &w_obj, &w, &l)?;
        super::merge_memory::repoint_follow_ups(tx, winner, loser)?;
        super::merge_memory::repoint_relationships(tx, winner, loser)?;
        Ok(())
    })?;
    Ok(())
}

fn loser_pointer(winner: ContactId) -> ScalarValue {
    ScalarValue::Str(winner.to_string().into())
}

fn read_contact(
    tx: &Transaction<'_>,
    contacts: &ObjId,
    id: ContactId,
) -> Result<Contact, ModelError> {
    hydrate_prop(tx, contacts, id.to_string().as_str())
        .map_err(|e| ModelError::Malformed(format!("contact {id}: {e}")))
}

fn union_contact_fields(
    tx: &mut Transaction<'_>,
    w_obj: &ObjId,
    w: &Contact,
    l: &Contact,
) -> Result<(), ModelError> {
    let have: BTreeSet<String> = w.emails.values().map(|e| normalize_email(&e.value)).collect();
    let emails = ensure_map(tx, w_obj, "emails")?;
    for (key, e) in &l.emails {
        if !have.contains(&normalize_email(&e.value)) && !w.emails.contains_key(key) {
            // The loser's entry key is reused, so two devices performing the same merge
            // concurrently write the same entry instead of two copies.
            reconcile_prop(tx, &emails, key.as_str(), e)?;
        }
    }
    let have: BTreeSet<String> = w.phones.values().map(|p| normalize_phone(&p.value)).collect();
    let phones = ensure_map(tx, w_obj, "phones")?;
    for (key, p) in &l.phones {
        if !have.contains(&normalize_phone(&p.value)) && !w.phones.contains_key(key) {
            reconcile_prop(tx, &phones, key.as_str(), p)?;
        }
    }
    let addresses = ensure_map(tx, w_obj, "addresses")?;
    for (key, a) in &l.addresses {
        if !w.addresses.contains_key(key) && !w.addresses.values().any(|x| x == a) {
            reconcile_prop(tx, &addresses, key.as_str(), a)?;
        }
    }
    let tags = ensure_map(tx, w_obj, "tags")?;
    for t in l.tag_names() {
        put_if_changed(tx, &tags, t, ScalarValue::Boolean(true))?;
    }
    // Sources too, so re-importing the loser's file matches the winner.
    let sources = ensure_map(tx, w_obj, "sources")?;
    for (key, s) in &l.sources {
        if !w.sources.contains_key(key) {
            reconcile_prop(tx, &sources, key.as_str(), s)?;
        }
    }

    let name = ensure_map(tx, w_obj, "name")?;
    for (key, wv, lv) in [
        ("display", &w.name.display, &l.name.display),
        ("given", &w.name.given, &l.name.given),
        ("family", &w.name.family, &l.name.family),
    ] {
        if wv.is_empty() && !lv.is_empty() {
            tx.put(&name, key, lv.as_str())?;
        }
    }
    for (key, wv, lv) in [
        ("nickname", &w.nickname, &l.nickname),
        ("company", &w.company, &l.company),
        ("title", &w.title, &l.title),
        ("howWeMet", &w.how_we_met, &l.how_we_met),
    ] {
        if wv.is_empty() && !lv.is_empty() {
            tx.put(w_obj, key, lv.as_str())?;
        }
    }
    if w.birthday.is_none() && l.birthday.is_some() {
        reconcile_prop(tx, w_obj, "birthday", l.birthday)?;
    }
    if w.photo.is_none() && l.photo.is_some() {
        reconcile_prop(tx, w_obj, "photo", &l.photo)?;
    }
    if w.cadence_days.is_none() && l.cadence_days.is_some() {
        reconcile_prop(tx, w_obj, "cadenceDays", l.cadence_days.map(i64::from))?;
        put_if_changed(tx, w_obj, "cadenceSetAt", super::opt_ts(l.cadence_set_at))?;
    }
    Ok(())
}

/// Interactions with the loser now name the winner instead.
fn repoint_interactions(
    tx: &mut Transaction<'_>,
    winner: ContactId,
    loser: ContactId,
) -> Result<(), ModelError> {
    let Some(interactions) = get_map(tx, &automerge::ROOT, "interactions")? else {
        return Ok(());
    };
    let (w_key, l_key) = (winner.to_string(), loser.to_string());
    let objs: Vec<ObjId> = tx
        .map_range(&interactions, ..)
        .filter_map(|item| match item.value {
            automerge::ValueRef::Object(automerge::ObjType::Map) => Some(item.id()),
            _ => None,
        })
        .collect();
    for obj in objs {
        let Some(ids) = get_map(tx, &obj, "contactIds")? else { continue };
        if tx.get(&ids, l_key.as_str())?.is_some() {
            put_if_changed(tx, &ids, &w_key, ScalarValue::Boolean(true))?;
            tx.delete(&ids, l_key.as_str())?;
        }
    }
    Ok(())
}

/// Notes about the loser are now about the winner.
fn repoint_notes(
    tx: &mut Transaction<'_>,
    winner: ContactId,
    loser: ContactId,
) -> Result<(), ModelError> {
    let Some(notes) = get_map(tx, &automerge::ROOT, "notes")? else {
        return Ok(());
    };
    let l_key = loser.to_string();
    let objs: Vec<ObjId> = tx
        .map_range(&notes, ..)
        .filter_map(|item| match item.value {
            automerge::ValueRef::Object(automerge::ObjType::Map) => Some(item.id()),
            _ => None,
        })
        .collect();
    for obj in objs {
        if crate::strings::read_str(tx, &obj, "contactId")?.as_deref() == Some(l_key.as_str()) {
            tx.put(&obj, "contactId", loser_pointer(winner))?;
        }
    }
    Ok(())
}

fn normalize_email(e: &str) -> String {
    e.trim().to_lowercase()
}

/// Digits only (keeping a leading `+`), so "+49 30 1234" and "+49301234" match.
fn normalize_phone(p: &str) -> String {
    let p = p.trim();
    let mut out: String = p.chars().filter(char::is_ascii_digit).collect();
    if p.starts_with('+') {
        out.insert(0, '+');
    }
    out
}
