//! Older documents hydrate with defaults; garbage written by a client costs only its record.
#![allow(clippy::unwrap_used)]

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, ScalarValue, ROOT};
use chrono::{DateTime, Utc};
use crdt_model::{load, new_document, ContactId, InteractionKind, NoteId, Status};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

/// A document as an early client might have written it: no schema, no settings, contacts
/// with only a name, an interaction without `kind`, a note without `pinned`/`createdAt`.
#[test]
fn old_schema_document_hydrates_with_defaults() {
    let ada = ContactId::new_random();
    let note = NoteId::new_random();
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let contacts = tx.put_object(ROOT, "contacts", ObjType::Map)?;
        let c = tx.put_object(&contacts, ada.to_string(), ObjType::Map)?;
        let name = tx.put_object(&c, "name", ObjType::Map)?;
        tx.put(&name, "display", "Ada")?;
        tx.put(&c, "cadenceDays", 7i64)?;
        let interactions = tx.put_object(ROOT, "interactions", ObjType::Map)?;
        let i = tx.put_object(&interactions, uuid::Uuid::new_v4().to_string(), ObjType::Map)?;
        let ids = tx.put_object(&i, "contactIds", ObjType::Map)?;
        tx.put(&ids, ada.to_string(), true)?;
        tx.put(&i, "at", ScalarValue::Timestamp(now().timestamp_millis()))?;
        let notes = tx.put_object(ROOT, "notes", ObjType::Map)?;
        let n = tx.put_object(&notes, note.to_string(), ObjType::Map)?;
        tx.put(&n, "contactId", ada.to_string())?;
        let body = tx.put_object(&n, "body", ObjType::Text)?;
        tx.splice_text(&body, 0, 0, "hello")?;
        Ok(())
    })
    .unwrap();

    let loaded = load(&doc);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let k = loaded.doc;
    assert_eq!(k.schema, 1);
    assert_eq!(k.settings.timezone, "UTC");
    assert_eq!(k.settings.reminder_hour, 9);
    assert!(k.settings.digest);
    let c = &k.contacts[&ada];
    assert_eq!(c.id, ada, "id comes from the map key when the field is missing");
    assert_eq!(c.name.display, "Ada");
    assert_eq!(c.name.given, "");
    assert!(c.emails.is_empty() && c.tags.is_empty() && c.sources.is_empty());
    assert_eq!(c.birthday, None);
    assert_eq!(c.cadence_days, Some(7));
    assert_eq!(c.cadence_set_at, None);
    assert!(!c.archived);
    assert_eq!(c.merged_into, None);
    let i = k.interactions.values().next().unwrap();
    assert_eq!(i.kind, InteractionKind::Other);
    assert_eq!(i.note, "");
    assert_eq!(k.notes[&note].body.as_str(), "hello");
    assert!(!k.notes[&note].pinned);
    // The math still works on it.
    let s = crdt_model::all_statuses(&k, now())[0];
    assert_eq!((s.last_contacted, s.status), (Some(now()), Status::Ok));
}

/// What a buggy or hostile client might write, each into its own record.
#[test]
fn garbage_records_are_skipped_with_warnings_and_the_rest_loads() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let good = crdt_model::create_contact(&mut doc, Default::default(), now()).unwrap();
    let (bad_number, bad_map, bad_root_note) =
        (ContactId::new_random(), ContactId::new_random(), NoteId::new_random());
    let unknown_fields = ContactId::new_random();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let (_, contacts) = tx.get(ROOT, "contacts")?.unwrap();
        // A string where a number belongs.
        let c = tx.put_object(&contacts, bad_number.to_string(), ObjType::Map)?;
        tx.put(&c, "cadenceDays", "fourteen")?;
        // A list where a map belongs.
        let c = tx.put_object(&contacts, bad_map.to_string(), ObjType::Map)?;
        let emails = tx.put_object(&c, "emails", ObjType::List)?;
        tx.insert(&emails, 0, "ada@example.com")?;
        // Unknown fields are fine.
        let c = tx.put_object(&contacts, unknown_fields.to_string(), ObjType::Map)?;
        tx.put(&c, "favouriteColour", "green")?;
        let name = tx.put_object(&c, "name", ObjType::Map)?;
        tx.put(&name, "display", "Zed")?;
        tx.put(&name, "phonetic", 42i64)?;
        // A key that is not an id, and a record that is not a map.
        tx.put_object(&contacts, "not-a-uuid", ObjType::Map)?;
        tx.put(&contacts, ContactId::new_random().to_string(), 17i64)?;
        // A note whose contactId is a number; the whole interactions root replaced by a list.
        let (_, notes) = tx.get(ROOT, "notes")?.unwrap();
        let n = tx.put_object(&notes, bad_root_note.to_string(), ObjType::Map)?;
        tx.put(&n, "contactId", 12i64)?;
        tx.put_object(ROOT, "interactions", ObjType::List)?;
        // Settings with a string hour.
        let (_, settings) = tx.get(ROOT, "settings")?.unwrap();
        tx.put(&settings, "reminderHour", "nine")?;
        Ok(())
    })
    .unwrap();

    let loaded = load(&doc);
    let paths: Vec<&str> = loaded.warnings.iter().map(|w| w.path.as_str()).collect();
    for expected in [
        format!("contacts.{bad_number}"),
        format!("contacts.{bad_map}"),
        "contacts.not-a-uuid".to_string(),
        format!("notes.{bad_root_note}"),
        "interactions".to_string(),
        "settings".to_string(),
    ] {
        assert!(paths.contains(&expected.as_str()), "missing warning for {expected}: {paths:?}");
    }
    assert_eq!(loaded.warnings.len(), 7, "{:#?}", loaded.warnings);
    assert!(loaded.warnings.iter().all(|w| !w.message.is_empty()));
    let k = loaded.doc;
    assert_eq!(k.contacts.len(), 2, "the good contact and the one with unknown fields");
    assert!(k.contacts.contains_key(&good));
    assert_eq!(k.contacts[&unknown_fields].name.display, "Zed");
    assert_eq!(k.settings.reminder_hour, 9, "bad settings fall back to defaults");
    assert!(k.interactions.is_empty());
    // Operations still work on such a document, and touch only what they must.
    crdt_model::set_cadence(&mut doc, good, Some(14), now()).unwrap();
    assert_eq!(load(&doc).doc.contacts[&good].cadence_days, Some(14));
}

/// Automerge JS 3 writes plain JS strings as Text objects; they must read as strings.
#[test]
fn strings_written_as_text_by_js_clients_read_as_strings() {
    let ada = ContactId::new_random();
    let mut doc = new_document("UTC", now()).unwrap();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let (_, contacts) = tx.get(ROOT, "contacts")?.unwrap();
        let c = tx.put_object(&contacts, ada.to_string(), ObjType::Map)?;
        for (key, value) in [("id", ada.to_string()), ("company", "Engines".to_string())] {
            let t = tx.put_object(&c, key, ObjType::Text)?;
            tx.splice_text(&t, 0, 0, &value)?;
        }
        let name = tx.put_object(&c, "name", ObjType::Map)?;
        let t = tx.put_object(&name, "display", ObjType::Text)?;
        tx.splice_text(&t, 0, 0, "Ada")?;
        // A JS number for the cadence is an Int, a Date is a Timestamp.
        tx.put(&c, "cadenceDays", ScalarValue::F64(14.0))?;
        tx.put(&c, "createdAt", ScalarValue::Timestamp(now().timestamp_millis()))?;
        let notes = tx.get(ROOT, "notes")?.unwrap().1;
        let n = tx.put_object(&notes, NoteId::new_random().to_string(), ObjType::Map)?;
        let t = tx.put_object(&n, "contactId", ObjType::Text)?;
        tx.splice_text(&t, 0, 0, &ada.to_string())?;
        tx.put(&n, "body", "a plain string body")?;
        Ok(())
    })
    .unwrap();
    let loaded = load(&doc);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let c = &loaded.doc.contacts[&ada];
    assert_eq!((c.name.display.as_str(), c.company.as_str()), ("Ada", "Engines"));
    assert_eq!(c.cadence_days, Some(14));
    assert_eq!(c.created_at, now());
    let n = loaded.doc.notes.values().next().unwrap();
    assert_eq!((n.contact_id, n.body.as_str()), (ada, "a plain string body"));
    // Editing such a note turns the body into Text and keeps its content.
    crdt_model::edit_note(&mut doc, n.id, "a plain string body, edited", now()).unwrap();
    assert_eq!(load(&doc).doc.notes[&n.id].body.as_str(), "a plain string body, edited");
    // Re-putting the same company (stored as Text) is a no-op.
    let heads = doc.get_heads();
    let same = crdt_model::ContactPatch { company: Some("Engines".into()), ..Default::default() };
    assert!(!crdt_model::update_contact(&mut doc, ada, same, now()).unwrap());
    assert_eq!(doc.get_heads(), heads);
}
