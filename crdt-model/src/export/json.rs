//! Everything in a document as plain JSON: the "download my data" export and the
//! operator's `kith user export`. Field names are the document's own (camelCase), ids are
//! the document's keys, timestamps RFC 3339 UTC, photo bytes base64.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value as Json};

use crate::schema::{Contact, FollowUp, Interaction, LabeledValue, Note, Relationship};

/// Bumped if the shape ever changes incompatibly.
pub const EXPORT_FORMAT_VERSION: u32 = 1;

fn ts(t: DateTime<Utc>) -> Json {
    Json::String(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Json {
    t.map_or(Json::Null, ts)
}

fn entries(m: &std::collections::BTreeMap<String, LabeledValue>) -> Json {
    m.iter().map(|(k, v)| (k.clone(), json!({ "label": v.label, "value": v.value }))).collect::<Map<_, _>>().into()
}

fn contact(c: &Contact) -> Json {
    json!({
        "id": c.id,
        "createdAt": ts(c.created_at),
        "name": { "display": c.name.display, "given": c.name.given, "family": c.name.family },
        "nickname": c.nickname,
        "company": c.company,
        "title": c.title,
        "emails": entries(&c.emails),
        "phones": entries(&c.phones),
        "addresses": c.addresses.iter().map(|(k, a)| (k.clone(), json!({
            "label": a.label, "street": a.street, "city": a.city, "region": a.region,
            "postalCode": a.postal_code, "country": a.country,
        }))).collect::<Map<_, _>>(),
        "birthday": c.birthday.map(|b| json!({ "month": b.month, "day": b.day, "year": b.year })),
        "tags": c.tag_names().collect::<Vec<_>>(),
        "howWeMet": c.how_we_met,
        "photo": c.photo.as_ref().map(|p| json!({
            "mime": p.mime,
            "bytes": p.bytes.as_ref().map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_slice())),
            "url": p.url,
        })),
        "cadenceDays": c.cadence_days,
        "cadenceSetAt": opt_ts(c.cadence_set_at),
        "snoozedUntil": opt_ts(c.snoozed_until),
        "archived": c.archived,
        "mergedInto": c.merged_into,
        "sources": c.sources.iter().map(|(k, s)| (k.clone(), json!({
            "kind": s.kind.as_str(), "uid": s.uid, "importedAt": ts(s.imported_at),
        }))).collect::<Map<_, _>>(),
        "department": c.department,
        "pronouns": c.pronouns,
        "urls": entries(&c.urls),
        "dates": c.dates.iter().map(|(k, d)| (k.clone(), json!({
            "label": d.label, "month": d.month, "day": d.day, "year": d.year, "remind": d.remind,
        }))).collect::<Map<_, _>>(),
        "relatedNames": c.related_names.iter().map(|(k, r)| (k.clone(), json!({
            "label": r.label, "name": r.name,
        }))).collect::<Map<_, _>>(),
        "unmodeled": c.unmodeled,
        "davHref": c.dav_href,
    })
}

fn follow_up(f: &FollowUp) -> Json {
    json!({
        "id": f.id,
        "contactIds": f.contacts().collect::<Vec<_>>(),
        "dueAt": ts(f.due_at),
        "allDay": f.all_day,
        "note": f.note.as_str(),
        "repeat": f.repeat.as_ref().map(|r| json!({ "every": r.every, "unit": r.unit.as_str() })),
        "doneAt": opt_ts(f.done_at),
        "createdAt": ts(f.created_at),
    })
}

fn relationship(r: &Relationship) -> Json {
    json!({ "id": r.id, "from": r.from, "to": r.to, "kind": r.kind.as_str(), "label": r.label })
}

fn interaction(i: &Interaction) -> Json {
    json!({
        "id": i.id,
        "contactIds": i.contacts().collect::<Vec<_>>(),
        "kind": i.kind.as_str(),
        "at": ts(i.at),
        "note": i.note,
    })
}

fn note(n: &Note) -> Json {
    json!({
        "id": n.id,
        "contactId": n.contact_id,
        "createdAt": ts(n.created_at),
        "body": n.body.as_str(),
        "pinned": n.pinned,
    })
}

/// The whole document: `{format, version, exportedAt, schema, settings, contacts,
/// interactions, notes, followUps, relationships}` (collections keyed by id). Settings are copied as stored, so
/// settings this version does not know (e.g. `region`) are exported too. Records that do
/// not fit the schema are left out (the loader skips them) and listed under `skipped`.
pub fn export_json<D: ReadDoc>(doc: &D, now: DateTime<Utc>) -> Json {
    let loaded = crate::load(doc);
    let d = &loaded.doc;
    let settings = match doc.get(ROOT, "settings") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => raw(doc, &obj, 0),
        _ => json!({}),
    };
    json!({
        "format": "kith-export",
        "version": EXPORT_FORMAT_VERSION,
        "exportedAt": ts(now),
        "schema": d.schema,
        "settings": settings,
        "contacts": d.contacts.iter().map(|(id, c)| (id.to_string(), contact(c))).collect::<Map<_, _>>(),
        "interactions": d.interactions.iter().map(|(id, i)| (id.to_string(), interaction(i))).collect::<Map<_, _>>(),
        "notes": d.notes.iter().map(|(id, n)| (id.to_string(), note(n))).collect::<Map<_, _>>(),
        "followUps": d.follow_ups.iter().map(|(id, f)| (id.to_string(), follow_up(f))).collect::<Map<_, _>>(),
        "relationships": d.relationships.iter().map(|(id, r)| (id.to_string(), relationship(r))).collect::<Map<_, _>>(),
        "skipped": loaded.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

/// A stored object as JSON, as deep as settings could sensibly be.
fn raw<D: ReadDoc>(doc: &D, obj: &ObjId, depth: usize) -> Json {
    if depth > 8 {
        return Json::Null;
    }
    match doc.object_type(obj) {
        Ok(ObjType::Text) => Json::String(doc.text(obj).unwrap_or_default()),
        Ok(ObjType::List) => {
            let len = doc.length(obj);
            (0..len).map(|i| value(doc, doc.get(obj, i), depth)).collect::<Vec<_>>().into()
        }
        Ok(ObjType::Map | ObjType::Table) => doc
            .map_range(obj, ..)
            .map(|item| {
                let key = item.key.to_string();
                let v = value(doc, doc.get(obj, key.as_str()), depth);
                (key, v)
            })
            .collect::<Map<_, _>>()
            .into(),
        Err(_) => Json::Null,
    }
}

fn value<D: ReadDoc>(doc: &D, v: Result<Option<(Value<'_>, ObjId)>, automerge::AutomergeError>, depth: usize) -> Json {
    match v {
        Ok(Some((Value::Object(_), id))) => raw(doc, &id, depth + 1),
        Ok(Some((Value::Scalar(s), _))) => scalar(&s),
        _ => Json::Null,
    }
}

fn scalar(s: &ScalarValue) -> Json {
    match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(i) => json!(i),
        ScalarValue::Uint(u) => json!(u),
        ScalarValue::F64(f) => json!(f),
        ScalarValue::Counter(c) => json!(i64::from(c)),
        ScalarValue::Timestamp(ms) => crate::time::from_millis(*ms).map_or(json!(ms), ts),
        ScalarValue::Boolean(b) => json!(b),
        ScalarValue::Bytes(b) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        ScalarValue::Null | ScalarValue::Unknown { .. } => Json::Null,
    }
}
