//! Two devices edit forks of one document concurrently; after syncing both ways they
//! hydrate to the same state and nothing is lost.
#![allow(clippy::unwrap_used)]

use automerge::Automerge;
use chrono::{DateTime, Duration, Utc};
use crdt_model::{
    add_note, all_statuses, archive_contact, create_contact, last_contacted_index, load,
    log_interaction, merge_contacts, new_document, splice_note, update_contact, ContactDraft,
    ContactId, ContactPatch, InteractionDraft, InteractionKind, KithDoc, LabeledValue, Name,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

fn draft(name: &str) -> ContactDraft {
    ContactDraft {
        name: Name { display: name.into(), ..Name::default() },
        ..ContactDraft::default()
    }
}

fn call(with: ContactId, at: DateTime<Utc>, note: &str) -> InteractionDraft {
    InteractionDraft { contact_ids: vec![with], kind: InteractionKind::Call, at, note: note.into() }
}

/// Syncs both ways and returns the common hydrated state, asserting both sides agree.
fn sync(a: &mut Automerge, b: &mut Automerge) -> KithDoc {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
    let (la, lb) = (load(a), load(b));
    assert!(la.warnings.is_empty(), "{:?}", la.warnings);
    assert_eq!(la.doc, lb.doc, "forks diverged");
    assert_eq!(a.get_heads(), b.get_heads());
    la.doc
}

/// A base document with one contact, forked to two devices.
fn two_devices() -> (Automerge, Automerge, ContactId) {
    let mut base = new_document("Europe/Berlin", now()).unwrap();
    let ada = create_contact(&mut base, draft("Ada"), now()).unwrap();
    let phone = base.fork();
    (base, phone, ada)
}

#[test]
fn contacts_added_on_both_devices_are_all_kept() {
    let (mut a, mut b, ada) = two_devices();
    let x = create_contact(&mut a, draft("Grace"), now()).unwrap();
    let y = create_contact(&mut b, draft("Linus"), now()).unwrap();
    let doc = sync(&mut a, &mut b);
    assert_eq!(doc.contacts.len(), 3);
    for id in [ada, x, y] {
        assert!(doc.contacts.contains_key(&id));
    }
}

#[test]
fn different_fields_of_one_contact_both_survive() {
    let (mut a, mut b, ada) = two_devices();
    let mut pa = ContactPatch { company: Some("Engines Ltd".into()), add_tags: vec!["work".into()], ..Default::default() };
    pa.upsert_emails.insert("e1".into(), LabeledValue { label: "work".into(), value: "ada@engines.example".into() });
    update_contact(&mut a, ada, pa, now()).unwrap();
    let mut pb = ContactPatch { title: Some("Countess".into()), add_tags: vec!["friend".into()], ..Default::default() };
    pb.upsert_phones.insert("p1".into(), LabeledValue { label: "mobile".into(), value: "+44 20 1234".into() });
    update_contact(&mut b, ada, pb, now()).unwrap();
    let doc = sync(&mut a, &mut b);
    let c = &doc.contacts[&ada];
    assert_eq!(c.company, "Engines Ltd");
    assert_eq!(c.title, "Countess");
    assert_eq!(c.name.display, "Ada");
    assert_eq!(c.tag_names().collect::<Vec<_>>(), ["friend", "work"]);
    assert_eq!(c.emails["e1"].value, "ada@engines.example");
    assert_eq!(c.phones["p1"].value, "+44 20 1234");
}

#[test]
fn typing_into_one_note_at_different_places_merges_per_character() {
    let (mut a, mut b, ada) = two_devices();
    let note = add_note(&mut a, ada, "Met at the conference.", now()).unwrap();
    b.merge(&mut a).unwrap();
    splice_note(&mut a, note, 0, 0, "2026: ", now()).unwrap();
    splice_note(&mut b, note, 22, 0, " Likes chess.", now()).unwrap();
    let doc = sync(&mut a, &mut b);
    assert_eq!(doc.notes[&note].body.as_str(), "2026: Met at the conference. Likes chess.");
}

#[test]
fn interactions_logged_on_both_devices_are_all_kept() {
    let (mut a, mut b, ada) = two_devices();
    let i1 = log_interaction(&mut a, call(ada, now() - Duration::days(3), "phone"), now()).unwrap();
    let i2 = log_interaction(&mut b, call(ada, now() - Duration::days(1), "laptop"), now()).unwrap();
    let doc = sync(&mut a, &mut b);
    assert!(doc.interactions.contains_key(&i1) && doc.interactions.contains_key(&i2));
    assert_eq!(last_contacted_index(&doc, now()).get(ada), Some(now() - Duration::days(1)));
}

#[test]
fn archive_on_one_device_while_editing_on_the_other_keeps_both() {
    let (mut a, mut b, ada) = two_devices();
    archive_contact(&mut a, ada, true, now()).unwrap();
    let patch = ContactPatch { how_we_met: Some("Babbage's salon".into()), ..Default::default() };
    update_contact(&mut b, ada, patch, now()).unwrap();
    let doc = sync(&mut a, &mut b);
    let c = &doc.contacts[&ada];
    assert!(c.archived);
    assert_eq!(c.how_we_met, "Babbage's salon");
}

#[test]
fn merge_on_one_device_while_the_other_logs_with_the_loser() {
    let (mut a, mut b, ada) = two_devices();
    let mut dup = draft("Ada L.");
    dup.emails.push(LabeledValue { label: "home".into(), value: "ada@home.example".into() });
    dup.tags = vec!["poet".into()];
    dup.cadence_days = Some(30);
    let loser = create_contact(&mut a, dup, now()).unwrap();
    let old_note = add_note(&mut a, loser, "knows Byron", now()).unwrap();
    let old_call = log_interaction(&mut a, call(loser, now() - Duration::days(40), ""), now()).unwrap();
    b.merge(&mut a).unwrap();

    merge_contacts(&mut a, ada, loser, now()).unwrap();
    let late = log_interaction(&mut b, call(loser, now() - Duration::hours(2), "late"), now()).unwrap();
    let late_note = add_note(&mut b, loser, "written offline", now()).unwrap();
    let doc = sync(&mut a, &mut b);

    // Nothing deleted: the loser is still there, pointing at the winner.
    assert_eq!(doc.contacts[&loser].merged_into, Some(ada));
    assert_eq!(doc.contacts.len(), 2);
    let w = &doc.contacts[&ada];
    assert!(w.emails.values().any(|e| e.value == "ada@home.example"));
    assert_eq!(w.tag_names().collect::<Vec<_>>(), ["poet"]);
    assert_eq!(w.cadence_days, Some(30), "empty winner fields are filled from the loser");
    // Re-pointed on the merging device...
    assert_eq!(doc.notes[&old_note].contact_id, ada);
    assert_eq!(doc.interactions[&old_call].contacts().collect::<Vec<_>>(), [ada]);
    // ...and what the other device logged against the loser still counts for the winner.
    assert_eq!(doc.interactions[&late].contacts().collect::<Vec<_>>(), [loser]);
    assert_eq!(doc.interactions_for(ada).count(), 2);
    assert_eq!(doc.notes_for(ada).count(), 2);
    assert!(doc.notes_for(ada).any(|n| n.id == late_note));
    let statuses = all_statuses(&doc, now());
    assert_eq!(statuses.len(), 1, "the loser has no status of its own");
    assert_eq!(statuses[0].contact, ada);
    assert_eq!(statuses[0].last_contacted, Some(now() - Duration::hours(2)));
    assert_eq!(doc.active_contacts().count(), 1);
}

#[test]
fn the_same_merge_on_both_devices_does_not_duplicate_entries() {
    let (mut a, mut b, ada) = two_devices();
    let mut dup = draft("Ada L.");
    dup.emails.push(LabeledValue { label: "home".into(), value: "ada@home.example".into() });
    let loser = create_contact(&mut a, dup, now()).unwrap();
    b.merge(&mut a).unwrap();
    merge_contacts(&mut a, ada, loser, now()).unwrap();
    merge_contacts(&mut b, ada, loser, now()).unwrap();
    let doc = sync(&mut a, &mut b);
    assert_eq!(doc.contacts[&ada].emails.len(), 1);
}

#[test]
fn crossed_merges_leave_exactly_one_visible_contact() {
    let (mut a, mut b, ada) = two_devices();
    let other = create_contact(&mut a, draft("Ada again"), now()).unwrap();
    b.merge(&mut a).unwrap();
    merge_contacts(&mut a, ada, other, now()).unwrap();
    merge_contacts(&mut b, other, ada, now()).unwrap();
    let doc = sync(&mut a, &mut b);
    assert_eq!(doc.active_contacts().count(), 1);
    assert_eq!(doc.resolve(ada), doc.resolve(other));
}
