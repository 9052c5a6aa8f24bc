//! Writing imported records with plain `put`s.
//!
//! Why not autosurgeon's `reconcile_prop`: it reads before every write (several µs per
//! `get` in automerge 0.12), which made a 10,000-card import take seconds. A new record
//! has nothing to compare against, so it is written directly, in exactly the shape the
//! schema's `Reconcile` derives produce (null for `None`, Int, Timestamp, Str scalars;
//! `tests/readers_agree.rs` style checks in `tests/import_apply.rs` hydrate it back).

use automerge::transaction::{Transactable, Transaction};
use automerge::{ObjId, ObjType, ScalarValue};

use crate::error::ModelError;
use crate::schema::{Address, Birthday, Contact, LabeledValue, Photo, Source};

type Tx<'a> = Transaction<'a>;

fn s(v: &str) -> ScalarValue {
    ScalarValue::Str(v.into())
}

fn opt_int(v: Option<i64>) -> ScalarValue {
    v.map_or(ScalarValue::Null, ScalarValue::Int)
}

pub(crate) fn labeled(tx: &mut Tx<'_>, map: &ObjId, key: &str, v: &LabeledValue) -> Result<(), ModelError> {
    let obj = tx.put_object(map, key, ObjType::Map)?;
    tx.put(&obj, "label", s(&v.label))?;
    tx.put(&obj, "value", s(&v.value))?;
    Ok(())
}

pub(crate) fn address(tx: &mut Tx<'_>, map: &ObjId, key: &str, a: &Address) -> Result<(), ModelError> {
    let obj = tx.put_object(map, key, ObjType::Map)?;
    for (k, v) in [
        ("label", &a.label),
        ("street", &a.street),
        ("city", &a.city),
        ("region", &a.region),
        ("postalCode", &a.postal_code),
        ("country", &a.country),
    ] {
        tx.put(&obj, k, s(v))?;
    }
    Ok(())
}

pub(crate) fn birthday(tx: &mut Tx<'_>, contact: &ObjId, b: Option<Birthday>) -> Result<(), ModelError> {
    match b {
        None => tx.put(contact, "birthday", ScalarValue::Null)?,
        Some(b) => {
            let obj = tx.put_object(contact, "birthday", ObjType::Map)?;
            tx.put(&obj, "month", ScalarValue::Int(i64::from(b.month)))?;
            tx.put(&obj, "day", ScalarValue::Int(i64::from(b.day)))?;
            tx.put(&obj, "year", opt_int(b.year.map(i64::from)))?;
        }
    }
    Ok(())
}

pub(crate) fn photo(tx: &mut Tx<'_>, contact: &ObjId, p: Option<&Photo>) -> Result<(), ModelError> {
    match p {
        None => tx.put(contact, "photo", ScalarValue::Null)?,
        Some(p) => {
            let obj = tx.put_object(contact, "photo", ObjType::Map)?;
            tx.put(&obj, "mime", s(&p.mime))?;
            match &p.bytes {
                Some(b) => tx.put(&obj, "bytes", ScalarValue::Bytes(b.to_vec()))?,
                None => tx.put(&obj, "bytes", ScalarValue::Null)?,
            }
            match &p.url {
                Some(u) => tx.put(&obj, "url", s(u))?,
                None => tx.put(&obj, "url", ScalarValue::Null)?,
            }
        }
    }
    Ok(())
}

pub(crate) fn source(tx: &mut Tx<'_>, map: &ObjId, key: &str, src: &Source) -> Result<(), ModelError> {
    let obj = tx.put_object(map, key, ObjType::Map)?;
    tx.put(&obj, "kind", s(src.kind.as_str()))?;
    tx.put(&obj, "uid", s(&src.uid))?;
    tx.put(&obj, "importedAt", crate::time::scalar(src.imported_at))?;
    Ok(())
}

/// A whole new contact under `contacts[c.id]`.
pub(crate) fn new_contact(tx: &mut Tx<'_>, contacts: &ObjId, c: &Contact) -> Result<(), ModelError> {
    let obj = tx.put_object(contacts, c.id.to_string().as_str(), ObjType::Map)?;
    tx.put(&obj, "id", s(&c.id.to_string()))?;
    tx.put(&obj, "createdAt", crate::time::scalar(c.created_at))?;
    let name = tx.put_object(&obj, "name", ObjType::Map)?;
    tx.put(&name, "display", s(&c.name.display))?;
    tx.put(&name, "given", s(&c.name.given))?;
    tx.put(&name, "family", s(&c.name.family))?;
    tx.put(&obj, "nickname", s(&c.nickname))?;
    tx.put(&obj, "company", s(&c.company))?;
    tx.put(&obj, "title", s(&c.title))?;
    let emails = tx.put_object(&obj, "emails", ObjType::Map)?;
    for (k, v) in &c.emails {
        labeled(tx, &emails, k, v)?;
    }
    let phones = tx.put_object(&obj, "phones", ObjType::Map)?;
    for (k, v) in &c.phones {
        labeled(tx, &phones, k, v)?;
    }
    let addresses = tx.put_object(&obj, "addresses", ObjType::Map)?;
    for (k, a) in &c.addresses {
        address(tx, &addresses, k, a)?;
    }
    birthday(tx, &obj, c.birthday)?;
    let tags = tx.put_object(&obj, "tags", ObjType::Map)?;
    for (t, on) in &c.tags {
        tx.put(&tags, t.as_str(), ScalarValue::Boolean(*on))?;
    }
    tx.put(&obj, "howWeMet", s(&c.how_we_met))?;
    photo(tx, &obj, c.photo.as_ref())?;
    tx.put(&obj, "cadenceDays", opt_int(c.cadence_days.map(i64::from)))?;
    tx.put(&obj, "cadenceSetAt", crate::ops::opt_ts(c.cadence_set_at))?;
    tx.put(&obj, "snoozedUntil", crate::ops::opt_ts(c.snoozed_until))?;
    tx.put(&obj, "archived", ScalarValue::Boolean(c.archived))?;
    tx.put(&obj, "mergedInto", c.merged_into.map_or(ScalarValue::Null, |m| s(&m.to_string())))?;
    let sources = tx.put_object(&obj, "sources", ObjType::Map)?;
    for (k, src) in &c.sources {
        source(tx, &sources, k, src)?;
    }
    Ok(())
}

/// A new note `{id, contactId, createdAt, body: Text, pinned: false}` under `notes[id]`.
pub(crate) fn new_note(
    tx: &mut Tx<'_>,
    notes: &ObjId,
    id: crate::NoteId,
    contact: crate::ContactId,
    body: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ModelError> {
    let obj = tx.put_object(notes, id.to_string().as_str(), ObjType::Map)?;
    tx.put(&obj, "id", s(&id.to_string()))?;
    tx.put(&obj, "contactId", s(&contact.to_string()))?;
    tx.put(&obj, "createdAt", crate::time::scalar(now))?;
    let text = tx.put_object(&obj, "body", ObjType::Text)?;
    tx.splice_text(&text, 0, 0, body)?;
    tx.put(&obj, "pinned", ScalarValue::Boolean(false))?;
    Ok(())
}
