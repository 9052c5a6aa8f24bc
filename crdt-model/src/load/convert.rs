//! Typed records from an in-memory [`Tree`](super::tree::Tree).
//!
//! Why not autosurgeon's `Hydrate` here: it reads field by field with `ReadDoc::get`, and
//! each `get` costs several microseconds in automerge 0.12, so a contact took ~0.5 ms and a
//! 5,000-contact document seconds. The tree is built in one pass; converting it is then
//! plain hash-map lookups. The rules are the same as the
//! derives in `schema` (camelCase keys, `missing` defaults, lenient scalars), and a test
//! checks both readers agree (`tests/readers_agree.rs`).

use std::collections::BTreeMap;
use std::str::FromStr;

use super::tree::{MapRef, Value};
use automerge::{ScalarValue, ScalarValueRef};
use autosurgeon::bytes::ByteVec;
use chrono::{DateTime, Utc};

use crate::ids::{ContactId, InteractionId, NoteId};
use crate::schema::{
    Address, Birthday, Contact, ImportantDate, Interaction, InteractionKind, LabeledValue, Name,
    Note, Photo, RelatedName, Settings, Source, SourceKind,
};

pub(crate) use super::convert_v2::{follow_up, relationship};

pub(crate) type Result<T> = std::result::Result<T, String>;

pub(crate) fn as_map<'a>(v: &Value<'a>) -> Result<MapRef<'a>> {
    match v {
        Value::Map(m) => Ok(*m),
        other => Err(format!("expected a map, found {}", kind(other))),
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Map(_) => "a map".into(),
        Value::List => "a list".into(),
        Value::Text(_) => "text".into(),
        Value::Scalar(s) => crate::time::describe(&ScalarValue::from(*s)),
    }
}

/// `m[key]` converted by `f`, or `default()` when the key is absent.
pub(super) fn opt_field<T>(m: MapRef<'_>, key: &str, default: impl FnOnce() -> T, f: impl FnOnce(&Value) -> Result<T>) -> Result<T> {
    match m.get(key) {
        None => Ok(default()),
        Some(v) => f(&v).map_err(|e| format!("{key}: {e}")),
    }
}

/// `m[key]` converted by `f`; absent is an error.
pub(super) fn req_field<T>(m: MapRef<'_>, key: &str, f: impl FnOnce(&Value) -> Result<T>) -> Result<T> {
    match m.get(key) {
        None => Err(format!("{key}: missing")),
        Some(v) => f(&v).map_err(|e| format!("{key}: {e}")),
    }
}

/// An owned copy of a scalar (only used for numbers and timestamps, which are cheap).
fn scalar(v: &Value<'_>) -> Option<ScalarValue> {
    match v {
        Value::Scalar(s) => Some(ScalarValue::from(*s)),
        _ => None,
    }
}

pub(super) fn is_null(v: &Value) -> bool {
    matches!(v, Value::Scalar(ScalarValueRef::Null))
}

pub(super) fn string(v: &Value) -> Result<String> {
    match v {
        Value::Scalar(ScalarValueRef::Str(s)) => Ok(s.to_string()),
        Value::Text(t) => Ok((*t).to_owned()),
        other => Err(format!("expected a string, found {}", kind(other))),
    }
}

fn opt_string(v: &Value) -> Result<Option<String>> {
    if is_null(v) { Ok(None) } else { string(v).map(Some) }
}

pub(super) fn parse<T: FromStr>(v: &Value) -> Result<T> {
    let s = string(v)?;
    s.parse().map_err(|_| format!("expected a uuid, found {:.40?}", s))
}

pub(super) fn boolean(v: &Value) -> Result<bool> {
    match v {
        Value::Scalar(ScalarValueRef::Boolean(b)) => Ok(*b),
        other => Err(format!("expected a boolean, found {}", kind(other))),
    }
}

pub(super) fn int<T: TryFrom<i64>>(v: &Value) -> Result<T> {
    scalar(v)
        .and_then(|s| crate::num::from_scalar(&s))
        .and_then(|i| T::try_from(i).ok())
        .ok_or_else(|| format!("expected an integer in range, found {}", kind(v)))
}

pub(super) fn opt_int<T: TryFrom<i64>>(v: &Value) -> Result<Option<T>> {
    if is_null(v) { Ok(None) } else { int(v).map(Some) }
}

pub(super) fn ts(v: &Value) -> Result<DateTime<Utc>> {
    scalar(v)
        .and_then(|s| crate::time::from_scalar(&s))
        .ok_or_else(|| format!("expected a timestamp, found {}", kind(v)))
}

pub(super) fn opt_ts(v: &Value) -> Result<Option<DateTime<Utc>>> {
    if is_null(v) { Ok(None) } else { ts(v).map(Some) }
}

/// A map of entries keyed by strings, each converted by `f` (one bad entry fails the
/// record, as with the derived `Hydrate`).
pub(super) fn entries<K: Ord, T>(v: &Value, key: impl Fn(&str) -> Result<K>, f: impl Fn(&Value) -> Result<T>) -> Result<BTreeMap<K, T>> {
    as_map(v)?
        .iter()
        .map(|(k, v)| Ok((key(k)?, f(&v).map_err(|e| format!("{k:.40}.{e}"))?)))
        .collect()
}

fn string_key(k: &str) -> Result<String> {
    Ok(k.to_owned())
}

pub(crate) fn settings(v: &Value) -> Result<Settings> {
    let m = as_map(v)?;
    let d = Settings::default();
    Ok(Settings {
        timezone: opt_field(m, "timezone", || d.timezone.clone(), string)?,
        reminder_hour: opt_field(m, "reminderHour", || d.reminder_hour, int)?,
        digest: opt_field(m, "digest", || d.digest, boolean)?,
    })
}

pub(crate) fn contact(v: &Value) -> Result<Contact> {
    let m = as_map(v)?;
    Ok(Contact {
        id: opt_field(m, "id", || ContactId(uuid::Uuid::nil()), parse)?,
        created_at: opt_field(m, "createdAt", crate::time::epoch, ts)?,
        name: opt_field(m, "name", Name::default, name)?,
        nickname: opt_field(m, "nickname", String::new, string)?,
        company: opt_field(m, "company", String::new, string)?,
        title: opt_field(m, "title", String::new, string)?,
        emails: opt_field(m, "emails", BTreeMap::new, |v| entries(v, string_key, labeled))?,
        phones: opt_field(m, "phones", BTreeMap::new, |v| entries(v, string_key, labeled))?,
        addresses: opt_field(m, "addresses", BTreeMap::new, |v| entries(v, string_key, address))?,
        birthday: opt_field(m, "birthday", || None, |v| if is_null(v) { Ok(None) } else { birthday(v).map(Some) })?,
        tags: opt_field(m, "tags", BTreeMap::new, |v| entries(v, string_key, boolean))?,
        how_we_met: opt_field(m, "howWeMet", String::new, string)?,
        photo: opt_field(m, "photo", || None, |v| if is_null(v) { Ok(None) } else { photo(v).map(Some) })?,
        cadence_days: opt_field(m, "cadenceDays", || None, opt_int)?,
        cadence_set_at: opt_field(m, "cadenceSetAt", || None, opt_ts)?,
        snoozed_until: opt_field(m, "snoozedUntil", || None, opt_ts)?,
        archived: opt_field(m, "archived", || false, boolean)?,
        merged_into: opt_field(m, "mergedInto", || None, |v| if is_null(v) { Ok(None) } else { parse(v).map(Some) })?,
        sources: opt_field(m, "sources", BTreeMap::new, |v| entries(v, string_key, source))?,
        department: opt_field(m, "department", String::new, string)?,
        pronouns: opt_field(m, "pronouns", String::new, string)?,
        urls: opt_field(m, "urls", BTreeMap::new, |v| entries(v, string_key, labeled))?,
        dates: opt_field(m, "dates", BTreeMap::new, |v| entries(v, string_key, important_date))?,
        related_names: opt_field(m, "relatedNames", BTreeMap::new, |v| entries(v, string_key, related_name))?,
        unmodeled: opt_field(m, "unmodeled", BTreeMap::new, |v| entries(v, string_key, string))?,
        dav_href: opt_field(m, "davHref", String::new, string)?,
    })
}

fn name(v: &Value) -> Result<Name> {
    let m = as_map(v)?;
    Ok(Name {
        display: opt_field(m, "display", String::new, string)?,
        given: opt_field(m, "given", String::new, string)?,
        family: opt_field(m, "family", String::new, string)?,
    })
}

fn labeled(v: &Value) -> Result<LabeledValue> {
    let m = as_map(v)?;
    Ok(LabeledValue {
        label: opt_field(m, "label", String::new, string)?,
        value: opt_field(m, "value", String::new, string)?,
    })
}

fn address(v: &Value) -> Result<Address> {
    let m = as_map(v)?;
    Ok(Address {
        label: opt_field(m, "label", String::new, string)?,
        street: opt_field(m, "street", String::new, string)?,
        city: opt_field(m, "city", String::new, string)?,
        region: opt_field(m, "region", String::new, string)?,
        postal_code: opt_field(m, "postalCode", String::new, string)?,
        country: opt_field(m, "country", String::new, string)?,
    })
}

fn birthday(v: &Value) -> Result<Birthday> {
    let m = as_map(v)?;
    Ok(Birthday {
        month: req_field(m, "month", int)?,
        day: req_field(m, "day", int)?,
        year: opt_field(m, "year", || None, opt_int)?,
    })
}

fn important_date(v: &Value) -> Result<ImportantDate> {
    let m = as_map(v)?;
    Ok(ImportantDate {
        label: opt_field(m, "label", String::new, string)?,
        month: req_field(m, "month", int)?,
        day: req_field(m, "day", int)?,
        year: opt_field(m, "year", || None, opt_int)?,
        remind: opt_field(m, "remind", || false, boolean)?,
    })
}

fn related_name(v: &Value) -> Result<RelatedName> {
    let m = as_map(v)?;
    Ok(RelatedName {
        label: opt_field(m, "label", String::new, string)?,
        name: opt_field(m, "name", String::new, string)?,
    })
}

fn photo(v: &Value) -> Result<Photo> {
    let m = as_map(v)?;
    Ok(Photo {
        mime: opt_field(m, "mime", String::new, string)?,
        bytes: opt_field(m, "bytes", || None, |v| match v {
            Value::Scalar(ScalarValueRef::Null) => Ok(None),
            Value::Scalar(ScalarValueRef::Bytes(b)) => Ok(Some(ByteVec::from(b.to_vec()))),
            other => Err(format!("expected bytes, found {}", kind(other))),
        })?,
        url: opt_field(m, "url", || None, opt_string)?,
    })
}

fn source(v: &Value) -> Result<Source> {
    let m = as_map(v)?;
    Ok(Source {
        kind: opt_field(m, "kind", || SourceKind::Unrecognized(String::new()), |v| string(v).map(|s| SourceKind::parse(&s)))?,
        uid: opt_field(m, "uid", String::new, string)?,
        imported_at: opt_field(m, "importedAt", crate::time::epoch, ts)?,
    })
}

pub(crate) fn interaction(v: &Value) -> Result<Interaction> {
    let m = as_map(v)?;
    Ok(Interaction {
        id: opt_field(m, "id", || InteractionId(uuid::Uuid::nil()), parse)?,
        contact_ids: opt_field(m, "contactIds", BTreeMap::new, |v| {
            entries(v, |k| k.parse::<ContactId>().map_err(|e| e.to_string()), boolean)
        })?,
        kind: opt_field(m, "kind", || InteractionKind::Other, |v| string(v).map(|s| InteractionKind::parse(&s)))?,
        at: opt_field(m, "at", crate::time::epoch, ts)?,
        note: opt_field(m, "note", String::new, string)?,
    })
}

pub(crate) fn note(v: &Value) -> Result<Note> {
    let m = as_map(v)?;
    Ok(Note {
        id: opt_field(m, "id", || NoteId(uuid::Uuid::nil()), parse)?,
        contact_id: req_field(m, "contactId", parse)?,
        created_at: opt_field(m, "createdAt", crate::time::epoch, ts)?,
        body: opt_field(m, "body", autosurgeon::Text::default, |v| string(v).map(autosurgeon::Text::with_value))?,
        pinned: opt_field(m, "pinned", || false, boolean)?,
    })
}
