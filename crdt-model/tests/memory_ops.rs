//! Operations on the schema-v2 memory: follow-ups, relationships, dates, links.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT};
use chrono::{DateTime, Duration, Utc};
use crdt_model::limits::MAX_NOTE_CHARS;
use crdt_model::{
    add_follow_up, add_important_date, add_note, add_url, complete_follow_up, create_contact,
    delete_follow_up, edit_follow_up, load, log_interaction, merge_contacts, new_document, relate,
    remove_important_date, remove_url, set_department, set_pronouns, unrelate,
    ContactDraft, ContactId, FollowUpDraft, FollowUpPatch, ImportantDate,
    InteractionDraft, InteractionKind, LabeledValue, ModelError, Name,
    RelationshipKind, Repeat, RepeatUnit,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

fn person(doc: &mut Automerge, name: &str) -> ContactId {
    let draft = ContactDraft { name: Name { display: name.into(), ..Name::default() }, ..ContactDraft::default() };
    create_contact(doc, draft, now()).unwrap()
}

fn draft(contacts: Vec<ContactId>, note: &str) -> FollowUpDraft {
    FollowUpDraft { contact_ids: contacts, due_at: now() + Duration::days(3), all_day: false, note: note.into(), repeat: None }
}

fn anniversary() -> ImportantDate {
    ImportantDate { label: "anniversary".into(), month: 6, day: 12, year: Some(2015), remind: true }
}

#[test]
fn follow_up_lifecycle() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let (ada, bob) = (person(&mut doc, "Ada"), person(&mut doc, "Bob"));
    let id = add_follow_up(&mut doc, draft(vec![ada, bob, ada], "call after the surgery"), now()).unwrap();
    let fu = &load(&doc).doc.follow_ups[&id];
    assert_eq!(fu.contacts().collect::<Vec<_>>().len(), 2, "a person named twice counts once");
    assert_eq!(fu.note.as_str(), "call after the surgery");
    assert!(fu.is_open());

    let patch = FollowUpPatch {
        note: Some("call after the surgery, bring flowers".into()),
        all_day: Some(true),
        repeat: Some(Some(Repeat { every: 1, unit: RepeatUnit::Month })),
        remove_contacts: vec![bob],
        ..FollowUpPatch::default()
    };
    assert!(edit_follow_up(&mut doc, id, patch.clone(), now()).unwrap());
    assert!(!edit_follow_up(&mut doc, id, patch, now()).unwrap(), "the same edit again changes nothing");
    let fu = load(&doc).doc.follow_ups[&id].clone();
    assert_eq!((fu.note.as_str(), fu.all_day, fu.contacts().collect::<Vec<_>>()), ("call after the surgery, bring flowers", true, vec![ada]));
    assert_eq!(fu.repeat, Some(Repeat { every: 1, unit: RepeatUnit::Month }));

    complete_follow_up(&mut doc, id, true, now()).unwrap();
    let heads = doc.get_heads();
    complete_follow_up(&mut doc, id, true, now() + Duration::hours(1)).unwrap();
    assert_eq!(doc.get_heads(), heads, "pressing Done twice records nothing");
    assert_eq!(load(&doc).doc.follow_ups[&id].done_at, Some(now()));
    complete_follow_up(&mut doc, id, false, now()).unwrap();
    assert_eq!(load(&doc).doc.follow_ups[&id].done_at, None);

    delete_follow_up(&mut doc, id, now()).unwrap();
    assert!(load(&doc).doc.follow_ups.is_empty());
    assert!(matches!(delete_follow_up(&mut doc, id, now()), Err(ModelError::FollowUpNotFound(_))));
}

#[test]
fn follow_up_input_is_bounded_and_refused_whole() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let ada = person(&mut doc, "Ada");
    let heads = doc.get_heads();
    let too_long = "x".repeat(MAX_NOTE_CHARS + 1);
    let refused = [
        add_follow_up(&mut doc, draft(vec![], "nobody"), now()),
        add_follow_up(&mut doc, draft(vec![ada], &too_long), now()),
        add_follow_up(&mut doc, draft(vec![ada, ContactId::new_random()], "a stranger"), now()),
        add_follow_up(&mut doc, FollowUpDraft { repeat: Some(Repeat { every: 0, unit: RepeatUnit::Day }), ..draft(vec![ada], "") }, now()),
        add_follow_up(&mut doc, FollowUpDraft { repeat: Some(Repeat { every: 1, unit: RepeatUnit::Unrecognized("x".into()) }), ..draft(vec![ada], "") }, now()),
        add_follow_up(&mut doc, FollowUpDraft { repeat: Some(Repeat { every: 101, unit: RepeatUnit::Year }), ..draft(vec![ada], "") }, now()),
    ];
    for r in refused {
        assert!(r.is_err());
    }
    assert_eq!(doc.get_heads(), heads, "nothing written");
    let id = add_follow_up(&mut doc, draft(vec![ada], "ok"), now()).unwrap();
    let patch = FollowUpPatch { remove_contacts: vec![ada], ..FollowUpPatch::default() };
    assert!(matches!(edit_follow_up(&mut doc, id, patch, now()), Err(ModelError::InvalidInput(_))), "the last person cannot be removed");
    assert_eq!(load(&doc).doc.follow_ups[&id].contacts().count(), 1);
}

#[test]
fn relationships_store_once_and_derive_the_reciprocal() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let (anna, bob, leo) = (person(&mut doc, "Anna"), person(&mut doc, "Bob"), person(&mut doc, "Leo"));
    let wife = relate(&mut doc, anna, bob, RelationshipKind::Partner, "wife", now()).unwrap();
    let son = relate(&mut doc, anna, leo, RelationshipKind::Parent, "", now()).unwrap();
    let heads = doc.get_heads();
    assert_eq!(relate(&mut doc, leo, anna, RelationshipKind::Child, "", now()).unwrap(), son, "the same fact the other way round");
    assert_eq!(relate(&mut doc, bob, anna, RelationshipKind::Partner, "wife", now()).unwrap(), wife);
    assert_eq!(doc.get_heads(), heads);

    let k = load(&doc).doc;
    assert_eq!(k.relationships.len(), 2);
    let of = |c| k.relationships_of(c).map(|(o, kind, _)| (o, kind)).collect::<Vec<_>>();
    assert!(of(leo).contains(&(anna, RelationshipKind::Parent)), "Anna is Leo's parent");
    assert!(of(anna).contains(&(leo, RelationshipKind::Child)), "Leo is Anna's child");
    assert!(of(bob).contains(&(anna, RelationshipKind::Partner)));

    assert!(matches!(relate(&mut doc, bob, bob, RelationshipKind::Friend, "", now()), Err(ModelError::SelfRelationship(c)) if c == bob));
    assert!(matches!(relate(&mut doc, bob, ContactId::new_random(), RelationshipKind::Friend, "", now()), Err(ModelError::ContactNotFound(_))));
    assert!(relate(&mut doc, bob, leo, RelationshipKind::Unrecognized("boss".into()), "", now()).is_err());

    unrelate(&mut doc, son, now()).unwrap();
    assert!(matches!(unrelate(&mut doc, son, now()), Err(ModelError::RelationshipNotFound(_))));
    assert_eq!(load(&doc).doc.relationships.len(), 1);

    // Relating to a merged-away duplicate relates to the survivor; relating the two
    // duplicates is relating someone to themselves.
    let bob2 = person(&mut doc, "Bob (work)");
    merge_contacts(&mut doc, bob, bob2, now()).unwrap();
    assert!(matches!(relate(&mut doc, bob, bob2, RelationshipKind::Sibling, "", now()), Err(ModelError::SelfRelationship(_))));
    let r = relate(&mut doc, leo, bob2, RelationshipKind::Friend, "", now()).unwrap();
    assert_eq!(load(&doc).doc.relationships[&r].to, bob);
}

#[test]
fn dates_links_department_pronouns() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let ada = person(&mut doc, "Ada");
    let date = add_important_date(&mut doc, ada, anniversary(), now()).unwrap();
    let url = add_url(&mut doc, ada, LabeledValue { label: "LinkedIn".into(), value: "https://linkedin.example/in/ada".into() }, now()).unwrap();
    set_department(&mut doc, ada, "Analytical Engines", now()).unwrap();
    set_pronouns(&mut doc, ada, "she/her", now()).unwrap();
    let c = load(&doc).doc.contacts[&ada].clone();
    assert_eq!(c.dates[&date], anniversary());
    assert_eq!(c.urls[&url].label, "LinkedIn");
    assert_eq!((c.department.as_str(), c.pronouns.as_str()), ("Analytical Engines", "she/her"));
    common::assert_readers_agree(&doc);

    let heads = doc.get_heads();
    let feb30 = ImportantDate { month: 2, day: 30, ..anniversary() };
    assert!(add_important_date(&mut doc, ada, feb30, now()).is_err());
    assert!(add_important_date(&mut doc, ada, ImportantDate { month: 2, day: 29, year: None, ..anniversary() }, now()).is_ok(), "Feb 29 without a year is a date");
    let heads2 = doc.get_heads();
    assert_ne!(heads, heads2);
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "", "   "] {
        assert!(add_url(&mut doc, ada, LabeledValue { label: String::new(), value: bad.into() }, now()).is_err(), "{bad:?}");
    }
    assert!(set_pronouns(&mut doc, ada, &"x".repeat(501), now()).is_err());
    assert_eq!(doc.get_heads(), heads2, "refused input writes nothing");

    remove_important_date(&mut doc, ada, &date, now()).unwrap();
    remove_url(&mut doc, ada, &url, now()).unwrap();
    assert!(matches!(remove_url(&mut doc, ada, &url, now()), Err(ModelError::EntryNotFound { field: "urls", .. })));
    let c = load(&doc).doc.contacts[&ada].clone();
    assert!(!c.dates.contains_key(&date) && c.urls.is_empty());
}

#[test]
fn merging_duplicates_moves_the_memory_and_never_relates_someone_to_themselves() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let (ada, dup, bob, leo) = (person(&mut doc, "Ada"), person(&mut doc, "Ada L."), person(&mut doc, "Bob"), person(&mut doc, "Leo"));
    let between = relate(&mut doc, ada, dup, RelationshipKind::Sibling, "", now()).unwrap();
    let partner = relate(&mut doc, bob, dup, RelationshipKind::Partner, "", now()).unwrap();
    let friend_w = relate(&mut doc, ada, leo, RelationshipKind::Friend, "", now()).unwrap();
    let friend_l = relate(&mut doc, leo, dup, RelationshipKind::Friend, "", now()).unwrap();
    let fu = add_follow_up(&mut doc, draft(vec![dup, bob], "dinner"), now()).unwrap();
    add_important_date(&mut doc, ada, anniversary(), now()).unwrap();
    add_important_date(&mut doc, dup, anniversary(), now()).unwrap();
    let wedding = ImportantDate { label: "wedding".into(), month: 9, day: 1, year: None, remind: false };
    let wedding_key = add_important_date(&mut doc, dup, wedding.clone(), now()).unwrap();
    add_url(&mut doc, ada, LabeledValue { label: "site".into(), value: "https://ada.example".into() }, now()).unwrap();
    add_url(&mut doc, dup, LabeledValue { label: "web".into(), value: "https://ADA.example/".into() }, now()).unwrap();
    let gh = add_url(&mut doc, dup, LabeledValue { label: "GitHub".into(), value: "https://github.example/ada".into() }, now()).unwrap();
    set_pronouns(&mut doc, dup, "she/her", now()).unwrap();

    merge_contacts(&mut doc, ada, dup, now()).unwrap();
    let k = load(&doc).doc;
    let a = &k.contacts[&ada];
    assert_eq!(a.dates.len(), 2, "the shared anniversary once, the wedding added");
    assert_eq!(a.dates[&wedding_key], wedding);
    assert_eq!(a.urls.len(), 2, "the same site once, GitHub added");
    assert!(a.urls.contains_key(&gh));
    assert_eq!(a.pronouns, "she/her");
    assert_eq!(k.follow_ups[&fu].contacts().collect::<std::collections::BTreeSet<_>>(), [ada, bob].into());
    assert!(!k.relationships.contains_key(&between), "a relationship between the duplicates is removed");
    assert_eq!((k.relationships[&partner].from, k.relationships[&partner].to), (bob, ada));
    assert!(k.relationships.contains_key(&friend_w));
    assert!(!k.relationships.contains_key(&friend_l), "a repeat of the winner's own relationship is removed");
    assert!(k.relationships.values().all(|r| r.from != r.to));
    common::assert_readers_agree(&doc);

    // Interactions with several people keep working alongside follow-ups.
    log_interaction(&mut doc, InteractionDraft { contact_ids: vec![ada, bob, leo], kind: InteractionKind::Meeting, at: now(), note: String::new() }, now()).unwrap();
    add_note(&mut doc, ada, "n", now()).unwrap();
    common::assert_readers_agree(&doc);
}

#[test]
fn a_v1_document_hydrates_and_takes_the_new_records() {
    // A document as v1 code wrote it: no followUps/relationships maps, contacts without
    // the v2 fields.
    let mut doc = Automerge::new();
    let ada = ContactId::new_random();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "schema", 1)?;
        let settings = tx.put_object(ROOT, "settings", ObjType::Map)?;
        tx.put(&settings, "timezone", "Europe/Berlin")?;
        tx.put_object(ROOT, "interactions", ObjType::Map)?;
        tx.put_object(ROOT, "notes", ObjType::Map)?;
        let contacts = tx.put_object(ROOT, "contacts", ObjType::Map)?;
        let c = tx.put_object(&contacts, ada.to_string(), ObjType::Map)?;
        tx.put(&c, "id", ada.to_string())?;
        let name = tx.put_object(&c, "name", ObjType::Map)?;
        tx.put(&name, "display", "Ada")?;
        Ok(())
    })
    .unwrap();
    let loaded = load(&doc);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let c = &loaded.doc.contacts[&ada];
    assert!(c.urls.is_empty() && c.dates.is_empty() && c.related_names.is_empty() && c.unmodeled.is_empty());
    assert_eq!((c.department.as_str(), c.pronouns.as_str()), ("", ""));
    assert!(loaded.doc.follow_ups.is_empty() && loaded.doc.relationships.is_empty());
    let full: crdt_model::KithDoc = autosurgeon::hydrate(&doc).unwrap();
    assert!(full.follow_ups.is_empty(), "the derived reader agrees");

    add_follow_up(&mut doc, draft(vec![ada], "first"), now()).unwrap();
    add_url(&mut doc, ada, LabeledValue { label: String::new(), value: "https://ada.example".into() }, now()).unwrap();
    let k = load(&doc).doc;
    assert_eq!(k.follow_ups.len(), 1);
    assert_eq!(k.contacts[&ada].urls.len(), 1);
    common::assert_readers_agree(&doc);
}
