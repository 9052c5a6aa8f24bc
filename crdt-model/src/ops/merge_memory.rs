//! The schema-v2 part of merging duplicates: the loser's dates, links and related names
//! move to the survivor, and follow-ups and relationships are re-pointed at it.

use std::collections::BTreeSet;

use automerge::ReadDoc as _;
use automerge::transaction::{Transactable, Transaction};
use automerge::{ObjId, ScalarValue};
use autosurgeon::{hydrate_prop, reconcile_prop};

use super::records::all_records;
use super::{ensure_map, get_map, put_if_changed};
use crate::error::ModelError;
use crate::ids::ContactId;
use crate::schema::{Contact, Relationship};

/// Copies onto the winner what only the loser has. Entry keys are reused (like emails),
/// so two devices performing the same merge write the same entries, not two copies.
pub(super) fn union_memory_fields(
    tx: &mut Transaction<'_>,
    w_obj: &ObjId,
    w: &Contact,
    l: &Contact,
) -> Result<(), ModelError> {
    let have: BTreeSet<String> = w.urls.values().map(|u| normalize(&u.value)).collect();
    let new: Vec<_> = l.urls.iter().filter(|(k, u)| !w.urls.contains_key(*k) && !have.contains(&normalize(&u.value))).collect();
    if !new.is_empty() {
        let urls = ensure_map(tx, w_obj, "urls")?;
        for (key, u) in new {
            reconcile_prop(tx, &urls, key.as_str(), u)?;
        }
    }
    // The same day with the same label is the same date (both duplicates imported it).
    let same = |a: &crate::schema::ImportantDate, b: &crate::schema::ImportantDate| {
        a.month == b.month && a.day == b.day && normalize(&a.label) == normalize(&b.label)
    };
    let new: Vec<_> = l.dates.iter().filter(|(k, d)| !w.dates.contains_key(*k) && !w.dates.values().any(|x| same(x, d))).collect();
    if !new.is_empty() {
        let dates = ensure_map(tx, w_obj, "dates")?;
        for (key, d) in new {
            reconcile_prop(tx, &dates, key.as_str(), d)?;
        }
    }
    let have: BTreeSet<String> = w.related_names.values().map(|r| normalize(&r.name)).collect();
    let new: Vec<_> = l.related_names.iter().filter(|(k, r)| !w.related_names.contains_key(*k) && !have.contains(&normalize(&r.name))).collect();
    if !new.is_empty() {
        let names = ensure_map(tx, w_obj, "relatedNames")?;
        for (key, r) in new {
            reconcile_prop(tx, &names, key.as_str(), r)?;
        }
    }
    let new: Vec<_> = l.unmodeled.iter().filter(|(k, _)| !w.unmodeled.contains_key(*k)).collect();
    if !new.is_empty() {
        let unmodeled = ensure_map(tx, w_obj, "unmodeled")?;
        for (key, v) in new {
            put_if_changed(tx, &unmodeled, key, ScalarValue::Str(v.as_str().into()))?;
        }
    }
    for (key, wv, lv) in [("department", &w.department, &l.department), ("pronouns", &w.pronouns, &l.pronouns)] {
        if wv.is_empty() && !lv.is_empty() {
            tx.put(w_obj, key, lv.as_str())?;
        }
    }
    Ok(())
}

/// Follow-ups about the loser are now about the winner.
pub(super) fn repoint_follow_ups(tx: &mut Transaction<'_>, winner: ContactId, loser: ContactId) -> Result<(), ModelError> {
    let (w_key, l_key) = (winner.to_string(), loser.to_string());
    for (_, _, obj) in all_records(tx, "followUps")? {
        let Some(ids) = get_map(tx, &obj, "contactIds")? else { continue };
        if tx.get(&ids, l_key.as_str())?.is_some() {
            put_if_changed(tx, &ids, &w_key, ScalarValue::Boolean(true))?;
            tx.delete(&ids, l_key.as_str())?;
        }
    }
    Ok(())
}

/// Relationships of the loser now name the winner. One between the two duplicates would
/// become a self-relationship and is removed; one the winner already has (both duplicates
/// were someone's friend) is removed as a repeat.
pub(super) fn repoint_relationships(tx: &mut Transaction<'_>, winner: ContactId, loser: ContactId) -> Result<(), ModelError> {
    let mut records: Vec<(ObjId, String, Relationship)> = Vec::new();
    for (map, key, _) in all_records(tx, "relationships")? {
        // A record some client wrote that does not fit the schema is left alone.
        if let Ok(r) = hydrate_prop::<_, Relationship, _, _>(&*tx, &map, key.as_str()) {
            records.push((map, key, r));
        }
    }
    let pointer = ScalarValue::Str(winner.to_string().into());
    let (kept, touched): (Vec<_>, Vec<_>) = records.into_iter().partition(|(_, _, r)| r.from != loser && r.to != loser);
    let mut kept: Vec<Relationship> = kept.into_iter().map(|(_, _, r)| r).collect();
    for (map, key, mut r) in touched {
        let obj = get_map(tx, &map, &key)?.ok_or_else(|| ModelError::Malformed(format!("relationship {key:.40}")))?;
        if r.from == loser {
            r.from = winner;
        }
        if r.to == loser {
            r.to = winner;
        }
        if r.from == r.to || kept.iter().any(|k| k.same_as(&r)) {
            tx.delete(&map, key.as_str())?;
            continue;
        }
        for (field, value) in [("from", r.from), ("to", r.to)] {
            if value == winner {
                put_if_changed(tx, &obj, field, pointer.clone())?;
            }
        }
        kept.push(r);
    }
    Ok(())
}

fn normalize(s: &str) -> String {
    s.trim().trim_end_matches('/').to_lowercase()
}
