//! Writing imported records with plain `put`s.
//!
//! Why not autosurgeon's `reconcile_prop`: it reads before every write (several µs per
//! `get` in automerge 0.12), which made a 10,000-card import take seconds. A new record
//! has nothing to compare against, so it is written directly, in exactly the shape the
//! schema's `Reconcile` derives produce (null for `None`, Int, Timestamp, Str scalars;
//! the tests check both readers agree on what an import wrote).

use std::collections::{BTreeMap, HashMap};

use automerge::hydrate::Value as H;
use automerge::transaction::{Transactable, Transaction};
use automerge::{ObjId, ObjType, ScalarValue};

use crate::error::ModelError;
use crate::schema::{Address, Birthday, Contact, ImportantDate, LabeledValue, Photo, RelatedName, Source};

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

pub(crate) fn important_date(tx: &mut Tx<'_>, map: &ObjId, key: &str, d: &ImportantDate) -> Result<(), ModelError> {
    tx.batch_create_object(map, key, &important_date_value(d), false)?;
    Ok(())
}

pub(crate) fn related_name(tx: &mut Tx<'_>, map: &ObjId, key: &str, r: &RelatedName) -> Result<(), ModelError> {
    let obj = tx.put_object(map, key, ObjType::Map)?;
    tx.put(&obj, "label", s(&r.label))?;
    tx.put(&obj, "name", s(&r.name))?;
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

/// A whole new contact under `contacts[c.id]`, created in one batch: automerge builds a
/// nested object from a value tree several times faster than from one `put` per field.
pub(crate) fn new_contact(tx: &mut Tx<'_>, contacts: &ObjId, c: &Contact) -> Result<(), ModelError> {
    let value = contact_value(c);
    tx.batch_create_object(contacts, c.id.to_string().as_str(), &value, false)?;
    Ok(())
}

fn hmap(entries: Vec<(&str, H)>) -> H {
    let map: HashMap<String, H> = entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    H::Map(map.into())
}

fn hstr(v: &str) -> H {
    H::Scalar(s(v))
}

fn hentries<V>(items: &BTreeMap<String, V>, f: impl Fn(&V) -> H) -> H {
    let map: HashMap<String, H> = items.iter().map(|(k, v)| (k.clone(), f(v))).collect();
    H::Map(map.into())
}

fn labeled_value(v: &LabeledValue) -> H {
    hmap(vec![("label", hstr(&v.label)), ("value", hstr(&v.value))])
}

fn important_date_value(d: &ImportantDate) -> H {
    hmap(vec![
        ("label", hstr(&d.label)),
        ("month", H::Scalar(ScalarValue::Int(i64::from(d.month)))),
        ("day", H::Scalar(ScalarValue::Int(i64::from(d.day)))),
        ("year", H::Scalar(opt_int(d.year.map(i64::from)))),
        ("remind", H::Scalar(ScalarValue::Boolean(d.remind))),
    ])
}

fn related_name_value(r: &RelatedName) -> H {
    hmap(vec![("label", hstr(&r.label)), ("name", hstr(&r.name))])
}

fn address_value(a: &Address) -> H {
    hmap(vec![
        ("label", hstr(&a.label)),
        ("street", hstr(&a.street)),
        ("city", hstr(&a.city)),
        ("region", hstr(&a.region)),
        ("postalCode", hstr(&a.postal_code)),
        ("country", hstr(&a.country)),
    ])
}

fn source_value(src: &Source) -> H {
    hmap(vec![
        ("kind", hstr(src.kind.as_str())),
        ("uid", hstr(&src.uid)),
        ("importedAt", H::Scalar(crate::time::scalar(src.imported_at))),
    ])
}

/// The same shape the schema's `Reconcile` derives write: every field present, null for
/// `None`.
fn contact_value(c: &Contact) -> H {
    let birthday = match c.birthday {
        None => H::Scalar(ScalarValue::Null),
        Some(b) => hmap(vec![
            ("month", H::Scalar(ScalarValue::Int(i64::from(b.month)))),
            ("day", H::Scalar(ScalarValue::Int(i64::from(b.day)))),
            ("year", H::Scalar(opt_int(b.year.map(i64::from)))),
        ]),
    };
    let photo = match &c.photo {
        None => H::Scalar(ScalarValue::Null),
        Some(p) => hmap(vec![
            ("mime", hstr(&p.mime)),
            ("bytes", H::Scalar(p.bytes.as_ref().map_or(ScalarValue::Null, |b| ScalarValue::Bytes(b.to_vec())))),
            ("url", H::Scalar(p.url.as_deref().map_or(ScalarValue::Null, s))),
        ]),
    };
    hmap(vec![
        ("id", hstr(&c.id.to_string())),
        ("createdAt", H::Scalar(crate::time::scalar(c.created_at))),
        (
            "name",
            hmap(vec![
                ("display", hstr(&c.name.display)),
                ("given", hstr(&c.name.given)),
                ("family", hstr(&c.name.family)),
            ]),
        ),
        ("nickname", hstr(&c.nickname)),
        ("company", hstr(&c.company)),
        ("title", hstr(&c.title)),
        ("emails", hentries(&c.emails, labeled_value)),
        ("phones", hentries(&c.phones, labeled_value)),
        ("addresses", hentries(&c.addresses, address_value)),
        ("birthday", birthday),
        ("tags", hentries(&c.tags, |on| H::Scalar(ScalarValue::Boolean(*on)))),
        ("howWeMet", hstr(&c.how_we_met)),
        ("photo", photo),
        ("cadenceDays", H::Scalar(opt_int(c.cadence_days.map(i64::from)))),
        ("cadenceSetAt", H::Scalar(crate::ops::opt_ts(c.cadence_set_at))),
        ("snoozedUntil", H::Scalar(crate::ops::opt_ts(c.snoozed_until))),
        ("archived", H::Scalar(ScalarValue::Boolean(c.archived))),
        ("mergedInto", H::Scalar(c.merged_into.map_or(ScalarValue::Null, |m| s(&m.to_string())))),
        ("sources", hentries(&c.sources, source_value)),
        ("department", hstr(&c.department)),
        ("pronouns", hstr(&c.pronouns)),
        ("urls", hentries(&c.urls, labeled_value)),
        ("dates", hentries(&c.dates, important_date_value)),
        ("relatedNames", hentries(&c.related_names, related_name_value)),
        ("unmodeled", hentries(&c.unmodeled, |v| hstr(v))),
        ("davHref", hstr(&c.dav_href)),
    ])
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
