//! What the Rust side reads from a document, as the JSON the TypeScript side compares with.
//!
//! Records are spelled out field by field with exhaustive destructuring, so a field added
//! to the Rust schema does not compile here until it is added to the vectors too.

use automerge::Automerge;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use crdt_model::schema::{
    Address, Birthday, Contact, FollowUp, ImportantDate, Interaction, LabeledValue, Name, Note, Photo, RelatedName, Relationship,
    Repeat, Settings, Source,
};
use crdt_model::{all_statuses, last_contacted_index, load, next_birthday, next_follow_up, turning_age, KithDoc};
use serde_json::{json, Map, Value};

pub fn iso(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn opt_iso(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, iso)
}

/// The hydrated document and the math at each of `nows`.
pub fn expected(doc: &Automerge, nows: &[DateTime<Utc>]) -> Value {
    let loaded = load(doc);
    assert!(loaded.warnings.is_empty(), "golden documents load cleanly: {:?}", loaded.warnings);
    let k = loaded.doc;
    json!({
        "settings": settings(&k.settings),
        "contacts": k.contacts.values().map(contact).collect::<Vec<_>>(),
        "interactions": k.interactions.values().map(interaction).collect::<Vec<_>>(),
        "notes": k.notes.values().map(note).collect::<Vec<_>>(),
        "followUps": k.follow_ups.values().map(follow_up).collect::<Vec<_>>(),
        "relationships": k.relationships.values().map(relationship).collect::<Vec<_>>(),
        "at": nows.iter().map(|now| math(&k, *now)).collect::<Vec<_>>(),
    })
}

/// Relationship math at `now`: who is shown, last contacted, due dates and statuses (for
/// contacts with a cadence) and next birthdays, all keyed by contact id.
fn math(k: &KithDoc, now: DateTime<Utc>) -> Value {
    let index = last_contacted_index(k, now);
    let active: Vec<_> = k.active_contacts().collect();
    let mut last = Map::new();
    let mut birthdays = Map::new();
    let today = now.with_timezone(&k.settings.tz()).date_naive();
    for c in &active {
        if let Some(t) = index.get(c.id) {
            last.insert(c.id.to_string(), iso(t));
        }
        if let Some(date) = c.birthday.as_ref().and_then(|b| next_birthday(b, today)) {
            let age = c.birthday.as_ref().and_then(|b| turning_age(b, date));
            birthdays.insert(
                c.id.to_string(),
                json!({ "date": date.to_string(), "inDays": (date - today).num_days(), "age": age }),
            );
        }
    }
    let statuses: Map<String, Value> = all_statuses(k, now)
        .into_iter()
        .map(|s| (s.contact.to_string(), json!({ "dueAt": iso(s.due_at), "status": s.status })))
        .collect();
    // Keyed by note, not id: the ops mint follow-up ids at random.
    let mut follow_ups: Vec<(String, Value)> = k
        .follow_ups
        .values()
        .map(|f| {
            let next = next_follow_up(f, k.settings.tz(), k.settings.hour(), now).map(|o| json!({ "index": o.index, "at": iso(o.at) }));
            (f.note.as_str().to_owned(), next.unwrap_or(Value::Null))
        })
        .collect();
    follow_ups.sort_by(|a, b| a.0.cmp(&b.0));
    json!({
        "now": iso(now),
        "nextFollowUps": follow_ups.into_iter().map(|(note, next)| json!({ "note": note, "next": next })).collect::<Vec<_>>(),
        "active": active.iter().map(|c| c.id.to_string()).collect::<Vec<_>>(),
        "resolved": k.contacts.keys().map(|id| (id.to_string(), json!(k.resolve(*id).to_string()))).collect::<Map<_, _>>(),
        "lastContacted": last,
        "statuses": statuses,
        "birthdays": birthdays,
    })
}

fn settings(s: &Settings) -> Value {
    let Settings { timezone, reminder_hour, digest } = s;
    json!({ "timezone": timezone, "reminderHour": reminder_hour, "digest": digest })
}

fn contact(c: &Contact) -> Value {
    let Contact {
        id,
        created_at,
        name,
        nickname,
        company,
        title,
        emails,
        phones,
        addresses,
        birthday,
        tags: _, // read through `tag_names`: a `false` entry is absent
        how_we_met,
        photo,
        cadence_days,
        cadence_set_at,
        snoozed_until,
        archived,
        merged_into,
        sources,
        department,
        pronouns,
        urls,
        dates,
        related_names,
        unmodeled,
        dav_href,
    } = c;
    let Name { display, given, family } = name;
    json!({
        "id": id.to_string(),
        "createdAt": iso(*created_at),
        "name": { "display": display, "given": given, "family": family },
        "nickname": nickname,
        "company": company,
        "title": title,
        "emails": emails.iter().map(labeled).collect::<Vec<_>>(),
        "phones": phones.iter().map(labeled).collect::<Vec<_>>(),
        "addresses": addresses.iter().map(address).collect::<Vec<_>>(),
        "birthday": birthday.as_ref().map(|b| { let Birthday { month, day, year } = b; json!({ "month": month, "day": day, "year": year }) }),
        "tags": c.tag_names().collect::<Vec<_>>(),
        "howWeMet": how_we_met,
        "photo": photo.as_ref().map(photo_json),
        "cadenceDays": cadence_days,
        "cadenceSetAt": opt_iso(*cadence_set_at),
        "snoozedUntil": opt_iso(*snoozed_until),
        "archived": archived,
        "mergedInto": merged_into.map(|m| m.to_string()),
        "sources": sources.iter().map(|(k, s)| (k.clone(), source(s))).collect::<Map<_, _>>(),
        "department": department,
        "pronouns": pronouns,
        "urls": urls.iter().map(labeled).collect::<Vec<_>>(),
        "dates": dates.iter().map(important_date).collect::<Vec<_>>(),
        "relatedNames": related_names.iter().map(related_name).collect::<Vec<_>>(),
        "unmodeled": unmodeled,
        "davHref": dav_href,
    })
}

fn important_date((key, d): (&String, &ImportantDate)) -> Value {
    let ImportantDate { label, month, day, year, remind } = d;
    json!({ "key": key, "label": label, "month": month, "day": day, "year": year, "remind": remind })
}

fn related_name((key, r): (&String, &RelatedName)) -> Value {
    let RelatedName { label, name } = r;
    json!({ "key": key, "label": label, "name": name })
}

fn labeled((key, v): (&String, &LabeledValue)) -> Value {
    let LabeledValue { label, value } = v;
    json!({ "key": key, "label": label, "value": value })
}

fn address((key, a): (&String, &Address)) -> Value {
    let Address { label, street, city, region, postal_code, country } = a;
    json!({ "key": key, "label": label, "street": street, "city": city, "region": region, "postalCode": postal_code, "country": country })
}

fn photo_json(p: &Photo) -> Value {
    let Photo { mime, bytes, url } = p;
    let bytes = bytes.as_ref().map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_ref() as &[u8]));
    json!({ "mime": mime, "bytes": bytes, "url": url })
}

fn source(s: &Source) -> Value {
    let Source { kind, uid, imported_at } = s;
    json!({ "kind": kind.as_str(), "uid": uid, "importedAt": iso(*imported_at) })
}

fn interaction(i: &Interaction) -> Value {
    let Interaction { id, contact_ids: _, kind, at, note } = i;
    json!({
        "id": id.to_string(),
        "contactIds": i.contacts().map(|c| c.to_string()).collect::<Vec<_>>(),
        "kind": kind.as_str(),
        "at": iso(*at),
        "note": note,
    })
}

fn follow_up(f: &FollowUp) -> Value {
    let FollowUp { id, contact_ids: _, due_at, all_day, note, repeat, done_at, created_at } = f;
    json!({
        "id": id.to_string(),
        "contactIds": f.contacts().map(|c| c.to_string()).collect::<Vec<_>>(),
        "dueAt": iso(*due_at),
        "allDay": all_day,
        "note": note.as_str(),
        "repeat": repeat.as_ref().map(|r| { let Repeat { every, unit } = r; json!({ "every": every, "unit": unit.as_str() }) }),
        "doneAt": opt_iso(*done_at),
        "createdAt": iso(*created_at),
    })
}

fn relationship(r: &Relationship) -> Value {
    let Relationship { id, from, to, kind, label } = r;
    json!({ "id": id.to_string(), "from": from.to_string(), "to": to.to_string(), "kind": kind.as_str(), "label": label })
}

fn note(n: &Note) -> Value {
    let Note { id, contact_id, created_at, body, pinned } = n;
    json!({
        "id": id.to_string(),
        "contactId": contact_id.to_string(),
        "createdAt": iso(*created_at),
        "body": body.as_str(),
        "pinned": pinned,
    })
}

/// The expectations with the ids the ops mint at random (interactions, notes) removed and
/// those records in a content order, for comparing two runs of the same ops.
pub fn without_minted_ids(expected: &Value) -> Value {
    let mut v = expected.clone();
    for key in ["interactions", "notes", "followUps", "relationships"] {
        if let Some(list) = v.get_mut(key).and_then(Value::as_array_mut) {
            for r in list.iter_mut() {
                if let Some(o) = r.as_object_mut() {
                    o.remove("id");
                }
            }
            list.sort_by_key(|r| r.to_string());
        }
    }
    v
}
