//! The document a load-generator user syncs and the edits they make, shaped like a Kith
//! document (DESIGN.md): contacts with names, emails, phones and tags; a log of
//! interactions; notes with `Text` bodies. Raw Automerge, so the same bytes go to Kith and
//! to the reference server alike.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, ROOT};

/// How big the realistic starting document is.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub contacts: usize,
    pub interactions: usize,
    pub notes: usize,
}

type AmResult<T> = Result<T, automerge::AutomergeError>;

fn ts(ms: i64) -> ScalarValue {
    ScalarValue::Timestamp(ms)
}

/// Fills `doc` with a realistic starting state, one transaction per record as a device would
/// write them. Kith's server creates each user's document (schema, settings, empty maps), so
/// the records go into the maps that are already there; the reference starts from nothing.
pub fn populate(doc: &mut AutoCommit, shape: Shape, seed: u64) -> AmResult<()> {
    let base_ms = 1_767_225_600_000_i64; // 2026-01-01
    if doc.get(ROOT, "schema")?.is_none() {
        doc.put(ROOT, "schema", 1)?;
        let settings = doc.put_object(ROOT, "settings", ObjType::Map)?;
        doc.put(&settings, "timezone", "Europe/Berlin")?;
        doc.put(&settings, "reminderHour", 9)?;
        doc.put(&settings, "digest", true)?;
    }
    let contacts = map_at_root(doc, "contacts")?;
    let interactions = map_at_root(doc, "interactions")?;
    let notes = map_at_root(doc, "notes")?;
    doc.commit();

    let mut contact_ids = Vec::with_capacity(shape.contacts);
    for i in 0..shape.contacts {
        let id = format!("{:08x}-0000-4000-8000-{:012x}", seed, i);
        let c = doc.put_object(&contacts, id.as_str(), ObjType::Map)?;
        doc.put(&c, "id", id.as_str())?;
        doc.put(&c, "createdAt", ts(base_ms + i as i64 * 60_000))?;
        let name = doc.put_object(&c, "name", ObjType::Map)?;
        doc.put(&name, "display", format!("Person {i} Example"))?;
        doc.put(&name, "given", format!("Person {i}"))?;
        doc.put(&name, "family", "Example")?;
        doc.put(&c, "company", "Acme GmbH")?;
        let emails = doc.put_object(&c, "emails", ObjType::Map)?;
        let e = doc.put_object(&emails, format!("e{i}"), ObjType::Map)?;
        doc.put(&e, "label", "home")?;
        doc.put(&e, "value", format!("person{i}@example.test"))?;
        let phones = doc.put_object(&c, "phones", ObjType::Map)?;
        let p = doc.put_object(&phones, format!("p{i}"), ObjType::Map)?;
        doc.put(&p, "label", "mobile")?;
        doc.put(&p, "value", format!("+4915{:09}", i))?;
        let birthday = doc.put_object(&c, "birthday", ObjType::Map)?;
        doc.put(&birthday, "month", (i % 12 + 1) as i64)?;
        doc.put(&birthday, "day", (i % 28 + 1) as i64)?;
        let tags = doc.put_object(&c, "tags", ObjType::Map)?;
        doc.put(&tags, if i % 3 == 0 { "family" } else { "friends" }, true)?;
        doc.put(&c, "cadenceDays", [14_i64, 30, 90][i % 3])?;
        doc.put(&c, "archived", false)?;
        doc.commit();
        contact_ids.push(id);
    }
    for i in 0..shape.interactions {
        log_interaction(doc, &interactions, &contact_ids, i, base_ms)?;
    }
    for i in 0..shape.notes {
        let id = format!("n{i}");
        let n = doc.put_object(&notes, id.as_str(), ObjType::Map)?;
        doc.put(&n, "id", id.as_str())?;
        doc.put(&n, "contactId", contact_ids[i % contact_ids.len().max(1)].as_str())?;
        doc.put(&n, "createdAt", ts(base_ms + i as i64 * 3_600_000))?;
        let body = doc.put_object(&n, "body", ObjType::Text)?;
        doc.splice_text(&body, 0, 0, "Met at the climbing gym; loves sourdough and Tolkien.")?;
        doc.put(&n, "pinned", false)?;
        doc.commit();
    }
    Ok(())
}

fn map_at_root(doc: &mut AutoCommit, key: &str) -> AmResult<ObjId> {
    match doc.get(ROOT, key)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => doc.put_object(ROOT, key, ObjType::Map),
    }
}

fn log_interaction(
    doc: &mut AutoCommit,
    interactions: &ObjId,
    contact_ids: &[String],
    i: usize,
    base_ms: i64,
) -> AmResult<Option<ChangeHash>> {
    let id = format!("i{i}");
    let it = doc.put_object(interactions, id.as_str(), ObjType::Map)?;
    doc.put(&it, "id", id.as_str())?;
    let who = doc.put_object(&it, "contactIds", ObjType::Map)?;
    if let Some(c) = contact_ids.get(i % contact_ids.len().max(1)) {
        doc.put(&who, c.as_str(), true)?;
    }
    doc.put(&it, "kind", ["call", "meeting", "message", "email"][i % 4])?;
    doc.put(&it, "at", ts(base_ms + i as i64 * 7_200_000))?;
    doc.put(&it, "note", "caught up")?;
    Ok(doc.commit())
}

/// One user action, one change: alternately log an interaction and type into a note, the
/// two most common edits in a relationship manager. Returns the new change's hash.
pub fn edit(doc: &mut AutoCommit, n: usize) -> AmResult<Option<ChangeHash>> {
    if n.is_multiple_of(2) {
        let Some((_, interactions)) = doc.get(ROOT, "interactions")? else { return Ok(None) };
        let contacts: Vec<String> = match doc.get(ROOT, "contacts")? {
            Some((_, c)) => doc.keys(&c).take(50).collect(),
            None => Vec::new(),
        };
        log_interaction(doc, &interactions, &contacts, 1_000_000 + n, 1_780_000_000_000)
    } else {
        let Some((_, notes)) = doc.get(ROOT, "notes")? else { return Ok(None) };
        let Some(key) = doc.keys(&notes).next() else { return Ok(None) };
        let Some((_, note)) = doc.get(&notes, key.as_str())? else { return Ok(None) };
        let Some((_, body)) = doc.get(&note, "body")? else { return Ok(None) };
        let len = doc.length(&body);
        doc.splice_text(&body, len, 0, " More.")?;
        Ok(doc.commit())
    }
}
