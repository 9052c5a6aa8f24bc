//! Two devices edit the schema-v2 memory concurrently; after syncing both ways they agree
//! and nothing is lost.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT};
use chrono::{DateTime, Duration, Utc};
use crdt_model::{
    add_follow_up, add_important_date, add_url, complete_follow_up, create_contact, edit_follow_up,
    load, merge_contacts, new_document, relate, set_department, set_pronouns, ContactDraft,
    ContactId, FollowUpDraft, FollowUpPatch, ImportantDate, KithDoc, LabeledValue, Name,
    RelationshipKind,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

fn person(doc: &mut Automerge, name: &str) -> ContactId {
    let draft = ContactDraft { name: Name { display: name.into(), ..Name::default() }, ..ContactDraft::default() };
    create_contact(doc, draft, now()).unwrap()
}

fn follow_up(with: ContactId, note: &str) -> FollowUpDraft {
    FollowUpDraft { contact_ids: vec![with], due_at: now() + Duration::days(1), all_day: false, note: note.into(), repeat: None }
}

fn sync(a: &mut Automerge, b: &mut Automerge) -> KithDoc {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
    let (la, lb) = (load(a), load(b));
    assert!(la.warnings.is_empty(), "{:?}", la.warnings);
    assert_eq!(la.doc, lb.doc, "forks diverged");
    common::assert_readers_agree(a);
    la.doc
}

/// A document with Anna, Bob and Leo, forked to two devices.
fn two_devices() -> (Automerge, Automerge, [ContactId; 3]) {
    let mut base = new_document("Europe/Berlin", now()).unwrap();
    let ids = [person(&mut base, "Anna"), person(&mut base, "Bob"), person(&mut base, "Leo")];
    let phone = base.fork();
    (base, phone, ids)
}

#[test]
fn concurrent_edits_of_each_new_record_all_survive() {
    let (mut a, mut b, [anna, bob, leo]) = two_devices();
    let fu = add_follow_up(&mut a, follow_up(anna, "call about the move"), now()).unwrap();
    b.merge(&mut a).unwrap();

    // Follow-up: one device retimes it and adds a person, the other types into the note.
    let later = now() + Duration::days(7);
    let pa = FollowUpPatch { due_at: Some(later), add_contacts: vec![bob], note: Some("call Anna about the move".into()), ..FollowUpPatch::default() };
    edit_follow_up(&mut a, fu, pa, now()).unwrap();
    let pb = FollowUpPatch { note: Some("call about the move to Lisbon".into()), add_contacts: vec![leo], ..FollowUpPatch::default() };
    edit_follow_up(&mut b, fu, pb, now()).unwrap();
    // New records on both sides.
    let fu_b = add_follow_up(&mut b, follow_up(leo, "return the book"), now()).unwrap();
    let r_a = relate(&mut a, anna, bob, RelationshipKind::Partner, "", now()).unwrap();
    let r_b = relate(&mut b, anna, leo, RelationshipKind::Parent, "", now()).unwrap();
    let anniversary = ImportantDate { label: "anniversary".into(), month: 6, day: 12, year: None, remind: true };
    let d_a = add_important_date(&mut a, anna, anniversary.clone(), now()).unwrap();
    let d_b = add_important_date(&mut b, anna, ImportantDate { label: "name day".into(), month: 7, day: 26, ..anniversary }, now()).unwrap();
    let u_a = add_url(&mut a, anna, LabeledValue { label: "site".into(), value: "https://anna.example".into() }, now()).unwrap();
    let u_b = add_url(&mut b, anna, LabeledValue { label: "Mastodon".into(), value: "https://social.example/@anna".into() }, now()).unwrap();
    set_department(&mut a, anna, "Research", now()).unwrap();
    set_pronouns(&mut b, anna, "she/her", now()).unwrap();

    let k = sync(&mut a, &mut b);
    let f = &k.follow_ups[&fu];
    assert_eq!(f.note.as_str(), "call Anna about the move to Lisbon", "both edits of the note, merged per character");
    assert_eq!(f.due_at, later);
    assert_eq!(f.contacts().collect::<Vec<_>>().len(), 3);
    assert!(k.follow_ups.contains_key(&fu_b));
    assert!(k.relationships.contains_key(&r_a) && k.relationships.contains_key(&r_b));
    let c = &k.contacts[&anna];
    assert!(c.dates.contains_key(&d_a) && c.dates.contains_key(&d_b));
    assert!(c.urls.contains_key(&u_a) && c.urls.contains_key(&u_b));
    assert_eq!((c.department.as_str(), c.pronouns.as_str()), ("Research", "she/her"));
}

#[test]
fn relate_on_one_device_while_the_other_merges_one_of_the_two() {
    let (mut a, mut b, [anna, bob, leo]) = two_devices();
    // Device A relates Anna and Bob, and Leo and Bob; device B learns Bob is a duplicate
    // of Anna and merges them.
    let between = relate(&mut a, anna, bob, RelationshipKind::Sibling, "", now()).unwrap();
    relate(&mut a, leo, bob, RelationshipKind::Friend, "", now()).unwrap();
    merge_contacts(&mut b, anna, bob, now()).unwrap();

    let k = sync(&mut a, &mut b);
    assert!(k.relationships.contains_key(&between), "the record is kept (nothing is deleted behind a device's back)");
    assert_eq!(k.relationships_of(anna).filter(|(other, _, _)| *other == anna).count(), 0, "never a self-relationship");
    assert_eq!(k.relationships_of(bob).count(), 1, "Bob resolves to Anna: only Leo");
    let of_leo: Vec<_> = k.relationships_of(leo).map(|(o, kind, _)| (o, kind)).collect();
    assert_eq!(of_leo, [(anna, RelationshipKind::Friend)], "the friendship follows the merge");

    // A merge performed after the sync cleans the record up for good.
    let mut c = a.fork();
    let carl = person(&mut c, "Carl");
    relate(&mut c, carl, anna, RelationshipKind::Colleague, "", now()).unwrap();
    let dup = person(&mut c, "Carl (old)");
    relate(&mut c, carl, dup, RelationshipKind::Friend, "", now()).unwrap();
    merge_contacts(&mut c, carl, dup, now()).unwrap();
    assert!(load(&c).doc.relationships.values().all(|r| r.from != r.to));
}

#[test]
fn completing_a_follow_up_while_the_other_device_edits_its_note() {
    let (mut a, mut b, [anna, ..]) = two_devices();
    let fu = add_follow_up(&mut a, follow_up(anna, "send the photos"), now()).unwrap();
    b.merge(&mut a).unwrap();
    complete_follow_up(&mut a, fu, true, now() + Duration::hours(1)).unwrap();
    edit_follow_up(&mut b, fu, FollowUpPatch { note: Some("send the photos from Porto".into()), ..FollowUpPatch::default() }, now()).unwrap();
    let k = sync(&mut a, &mut b);
    let f = &k.follow_ups[&fu];
    assert_eq!(f.done_at, Some(now() + Duration::hours(1)));
    assert_eq!(f.note.as_str(), "send the photos from Porto");
}

#[test]
fn two_devices_adding_the_first_follow_up_to_a_v1_document_both_keep_theirs() {
    // A v1 document has no followUps map; each device creates it with its first
    // follow-up, and Automerge keeps the two maps as a conflict.
    let mut base = Automerge::new();
    base.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "schema", 1)?;
        let settings = tx.put_object(ROOT, "settings", ObjType::Map)?;
        tx.put(&settings, "timezone", "Europe/Berlin")?;
        for name in ["contacts", "interactions", "notes"] {
            tx.put_object(ROOT, name, ObjType::Map)?;
        }
        Ok(())
    })
    .unwrap();
    let anna = person(&mut base, "Anna");
    let mut phone = base.fork();
    let on_laptop = add_follow_up(&mut base, follow_up(anna, "laptop"), now()).unwrap();
    let on_phone = add_follow_up(&mut phone, follow_up(anna, "phone"), now()).unwrap();
    base.merge(&mut phone).unwrap();
    phone.merge(&mut base).unwrap();
    let (k, kp) = (load(&base).doc, load(&phone).doc);
    assert_eq!(k, kp);
    assert!(k.follow_ups.contains_key(&on_laptop) && k.follow_ups.contains_key(&on_phone));
    // Both can still be edited, whichever map "won".
    for id in [on_laptop, on_phone] {
        complete_follow_up(&mut base, id, true, now()).unwrap();
    }
    assert!(load(&base).doc.follow_ups.values().all(|f| f.done_at.is_some()));
}
