//! The documents behind the golden vectors, each built the way a device builds it: with
//! the Rust ops (and, for the old-document case, with the raw writes an older client made).

use std::collections::BTreeMap;

use automerge::transaction::Transactable as _;
use automerge::{ActorId, Automerge, ObjType, ScalarValue, ROOT};
use autosurgeon::bytes::ByteVec;
use chrono::{DateTime, Duration, Utc};
use crdt_model::schema::{Address, Birthday, ImportantDate, LabeledValue, Name, Photo, RelatedName, RelationshipKind, Repeat, RepeatUnit, Source, SourceKind};
use crdt_model::{
    add_follow_up, add_note, archive_contact, complete_follow_up, delete_interaction, insert_contact, log_interaction,
    merge_contacts, new_document, relate, set_cadence, set_department, set_note_pinned, set_pronouns, snooze,
    update_contact, ContactDraft, ContactId, ContactPatch, FollowUpDraft, InteractionDraft, InteractionKind,
};

pub struct Case {
    pub name: &'static str,
    pub about: &'static str,
    pub doc: Automerge,
    /// The instants the math is evaluated at.
    pub nows: Vec<DateTime<Utc>>,
}

pub fn all() -> Vec<Case> {
    vec![
        full_contact(),
        birthdays(),
        cadence(),
        interactions(),
        merged(),
        archived(),
        old_document(),
        timezones(),
        unknown_zone(),
        memory(),
    ]
}

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Readable fixed ids: `c0000000-0000-4000-8000-0000000000NN`.
fn cid(n: u128) -> ContactId {
    ContactId(uuid::Uuid::from_u128(0xc000_0000_0000_4000_8000_0000_0000_0000 | n))
}

/// A new document whose later changes come from a fixed actor, so concurrent writes
/// resolve the same way every run.
fn doc(zone: &str, at: &str, actor: u8) -> Automerge {
    let mut d = new_document(zone, t(at)).unwrap();
    d.set_actor(ActorId::from(vec![actor; 16]));
    d
}

fn person(d: &mut Automerge, id: ContactId, display: &str, at: DateTime<Utc>, f: impl FnOnce(&mut ContactDraft)) {
    let mut draft = ContactDraft {
        name: Name { display: display.to_owned(), ..Name::default() },
        ..ContactDraft::default()
    };
    f(&mut draft);
    insert_contact(d, id, draft, at).unwrap();
}

fn met(d: &mut Automerge, with: &[ContactId], kind: InteractionKind, at: DateTime<Utc>, note: &str) -> crdt_model::InteractionId {
    let draft = InteractionDraft { contact_ids: with.to_vec(), kind, at, note: note.to_owned() };
    log_interaction(d, draft, at).unwrap()
}

fn bday(month: u32, day: u32, year: Option<i32>) -> Option<Birthday> {
    Some(Birthday { month, day, year })
}

fn full_contact() -> Case {
    let created = t("2026-01-10T09:00:00Z");
    let mut d = doc("Europe/Berlin", "2026-01-10T08:00:00Z", 1);
    let ada = cid(1);
    person(&mut d, ada, "Ada Lovelace", created, |c| {
        c.name.given = "Ada".into();
        c.name.family = "Lovelace".into();
        c.nickname = "Countess".into();
        c.company = "Analytical Engines Ltd".into();
        c.title = "Programmer".into();
        c.birthday = bday(12, 10, Some(1815));
        c.tags = vec!["math".into(), "victorian-era".into()];
        c.how_we_met = "At a salon, through Babbage".into();
        c.photo = Some(Photo { mime: "image/png".into(), bytes: Some(ByteVec::from(vec![0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255])), url: None });
        c.cadence_days = Some(30);
        c.sources = BTreeMap::from([(
            "vcard:ada-uid".to_owned(),
            Source { kind: SourceKind::Vcard, uid: "ada-uid".into(), imported_at: created },
        )]);
    });
    // Entries under fixed keys (create_contact would mint random ones).
    let patch = ContactPatch {
        upsert_emails: BTreeMap::from([
            ("e1".to_owned(), LabeledValue { label: "work".into(), value: "ada@engines.example".into() }),
            ("e2".to_owned(), LabeledValue { label: "home".into(), value: "Ada@Home.example".into() }),
        ]),
        upsert_phones: BTreeMap::from([("p1".to_owned(), LabeledValue { label: "mobile".into(), value: "+44 20 7946 0000".into() })]),
        upsert_addresses: BTreeMap::from([(
            "a1".to_owned(),
            Address {
                label: "home".into(),
                street: "12 St James's Square".into(),
                city: "London".into(),
                region: "Greater London".into(),
                postal_code: "SW1Y 4JH".into(),
                country: "United Kingdom".into(),
            },
        )]),
        ..ContactPatch::default()
    };
    update_contact(&mut d, ada, patch, created + Duration::minutes(1)).unwrap();
    let note = add_note(&mut d, ada, "Wrote the first program.\nAsk about the engine — ünïcödé ✓", created + Duration::minutes(2)).unwrap();
    set_note_pinned(&mut d, note, true, created + Duration::minutes(3)).unwrap();
    add_note(&mut d, ada, "Second note", created + Duration::minutes(4)).unwrap();
    met(&mut d, &[ada], InteractionKind::Meeting, t("2026-02-01T18:00:00Z"), "Dinner");
    // A photo given as a link instead of bytes.
    person(&mut d, cid(2), "Charles Babbage", created, |c| {
        c.photo = Some(Photo { mime: String::new(), bytes: None, url: Some("https://example.org/babbage.jpg".into()) });
    });
    Case {
        name: "full_contact",
        about: "every contact field set by the ops (entries under fixed keys, a photo as bytes and one as a URL), pinned and unpinned notes; at 08:00Z on Dec 10 it is 09:00 in Berlin: birthday today",
        doc: d,
        nows: vec![t("2026-02-20T12:00:00Z"), t("2026-12-10T08:00:00Z")],
    }
}

fn birthdays() -> Case {
    let at = t("2026-01-01T00:00:00Z");
    let mut d = doc("Pacific/Auckland", "2026-01-01T00:00:00Z", 2);
    let cases = [
        (1, "June with year", bday(6, 15, Some(1990))),
        (2, "Christmas Eve, no year", bday(12, 24, None)),
        (3, "Leap day with year", bday(2, 29, Some(1992))),
        (4, "Leap day, no year", bday(2, 29, None)),
        (5, "New Year, no year", bday(1, 1, None)),
        (6, "March first", bday(3, 1, Some(2000))),
    ];
    for (n, name, b) in cases {
        person(&mut d, cid(n), name, at, |c| c.birthday = b);
    }
    Case {
        name: "birthdays",
        about: "birthdays with and without a year and on Feb 29, in Auckland (UTC+12/+13, so the local date is a day ahead of UTC at these instants), in a common year (2027: Feb 29 is kept on Feb 28) and a leap year (2028), and across the new year",
        doc: d,
        nows: vec![
            t("2026-06-14T13:00:00Z"),
            t("2027-02-27T12:00:00Z"),
            t("2028-02-27T12:00:00Z"),
            t("2028-02-28T12:00:00Z"),
            t("2026-12-31T10:00:00Z"),
        ],
    }
}

fn cadence() -> Case {
    let now = t("2026-05-01T12:00:00Z");
    let days = Duration::days;
    let created = now - days(60);
    let mut d = doc("UTC", "2026-03-01T00:00:00Z", 3);
    let with_cadence = |d: &mut Automerge, n: u128, name: &str, cadence: Option<u32>, at: DateTime<Utc>| {
        person(d, cid(n), name, at, |c| c.cadence_days = cadence);
        cid(n)
    };
    // Never contacted: due = when the cadence was set + cadence.
    with_cadence(&mut d, 1, "Never contacted", Some(14), now - days(30));
    let k = with_cadence(&mut d, 2, "Overdue", Some(7), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(10), "");
    let k = with_cadence(&mut d, 3, "Due soon", Some(30), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(25), "");
    let k = with_cadence(&mut d, 4, "Fine", Some(30), created);
    met(&mut d, &[k], InteractionKind::Message, now - days(2), "");
    let k = with_cadence(&mut d, 5, "Snoozed past due", Some(7), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(10), "");
    snooze(&mut d, k, Some(now + days(3)), now - days(1)).unwrap();
    let k = with_cadence(&mut d, 6, "Snoozed into due soon", Some(7), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(10), "");
    snooze(&mut d, k, Some(now + Duration::hours(20)), now - days(1)).unwrap();
    let k = with_cadence(&mut d, 7, "Snooze shorter than due", Some(30), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(5), "");
    snooze(&mut d, k, Some(now + days(2)), now - days(1)).unwrap();
    let k = with_cadence(&mut d, 8, "No cadence", None, created);
    met(&mut d, &[k], InteractionKind::Email, now - days(3), "");
    let k = with_cadence(&mut d, 9, "Due exactly now", Some(2), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(2), "");
    let k = with_cadence(&mut d, 10, "Cadence set later", None, created);
    set_cadence(&mut d, k, Some(10), now - days(3)).unwrap();
    let k = with_cadence(&mut d, 11, "Planned meeting ahead", Some(14), created);
    met(&mut d, &[k], InteractionKind::Call, now - days(13) - Duration::hours(12), "");
    met(&mut d, &[k], InteractionKind::Meeting, now + days(2), "planned");
    let k = with_cadence(&mut d, 12, "Snooze ended", Some(7), created);
    snooze(&mut d, k, Some(now + days(5)), now - days(2)).unwrap();
    snooze(&mut d, k, None, now - days(1)).unwrap();
    Case {
        name: "cadence",
        about: "keep-in-touch due dates and ok / due-soon / overdue: anchors (interaction, cadence set, creation), snoozes longer and shorter than the due date, a cleared snooze, a due time exactly at now, planned (future) interactions that do not count yet",
        doc: d,
        nows: vec![now, now + Duration::days(20)],
    }
}

fn interactions() -> Case {
    let created = t("2026-01-01T00:00:00Z");
    let mut d = doc("America/New_York", "2026-01-01T00:00:00Z", 4);
    for n in 1..=4 {
        person(&mut d, cid(n), &format!("Friend {n}"), created, |c| c.cadence_days = Some(21));
    }
    let (a, b, c) = (cid(1), cid(2), cid(3));
    met(&mut d, &[a, b], InteractionKind::Call, t("2026-03-01T15:00:00Z"), "Group call");
    met(&mut d, &[b, c], InteractionKind::Message, t("2026-03-10T15:00:00Z"), "");
    met(&mut d, &[c], InteractionKind::Email, t("2026-02-01T15:00:00Z"), "older than the message");
    met(&mut d, &[a, b, c], InteractionKind::Other, t("2026-02-15T15:00:00Z"), "Hike");
    let mistake = met(&mut d, &[a], InteractionKind::Meeting, t("2026-03-20T15:00:00Z"), "logged by mistake");
    delete_interaction(&mut d, mistake, t("2026-03-20T16:00:00Z")).unwrap();
    Case {
        name: "interactions",
        about: "interactions with several contacts: last contacted is the latest of any kind per contact; a deleted interaction no longer counts; friend 4 was never contacted",
        doc: d,
        nows: vec![t("2026-03-25T12:00:00Z")],
    }
}

fn merged() -> Case {
    let created = t("2026-01-01T00:00:00Z");
    let mut d = doc("UTC", "2026-01-01T00:00:00Z", 5);
    let (keep, dup, older_dup) = (cid(1), cid(2), cid(3));
    person(&mut d, keep, "Grace Hopper", created, |c| c.cadence_days = Some(30));
    person(&mut d, dup, "Grace B. Hopper", created, |c| {
        c.company = "US Navy".into();
        c.birthday = bday(12, 9, Some(1906));
        c.tags = vec!["navy".into()];
        c.emails = vec![];
    });
    person(&mut d, older_dup, "G. Hopper", created, |c| c.nickname = "Amazing Grace".into());
    met(&mut d, &[dup], InteractionKind::Call, t("2026-02-01T10:00:00Z"), "");
    add_note(&mut d, dup, "Invented the compiler", t("2026-02-01T11:00:00Z")).unwrap();
    // Another device, not yet synced, logs a call with the duplicate after the merge.
    let mut other = d.fork();
    other.set_actor(ActorId::from(vec![0x55; 16]));
    merge_contacts(&mut d, dup, older_dup, t("2026-02-05T10:00:00Z")).unwrap();
    merge_contacts(&mut d, keep, dup, t("2026-02-06T10:00:00Z")).unwrap();
    met(&mut other, &[dup], InteractionKind::Call, t("2026-02-20T10:00:00Z"), "from the other phone");
    d.merge(&mut other).unwrap();

    // Two devices merged a pair each into the other at the same time: a cycle, where the
    // smaller id survives on every device.
    let (x, y) = (cid(4), cid(5));
    person(&mut d, x, "Cycle X", created, |c| c.cadence_days = Some(10));
    person(&mut d, y, "Cycle Y", created, |c| c.cadence_days = Some(10));
    let mut other = d.fork();
    other.set_actor(ActorId::from(vec![0x66; 16]));
    merge_contacts(&mut d, x, y, t("2026-03-01T10:00:00Z")).unwrap();
    merge_contacts(&mut other, y, x, t("2026-03-01T10:00:00Z")).unwrap();
    d.merge(&mut other).unwrap();
    Case {
        name: "merged",
        about: "a chain of merges (3 into 2 into 1): interactions and notes move to the survivor, and a call logged against the merged contact on a device that had not seen the merge still counts for the survivor; a concurrent merge cycle (4 into 5 and 5 into 4) keeps the smaller id",
        doc: d,
        nows: vec![t("2026-03-05T12:00:00Z")],
    }
}

fn archived() -> Case {
    let created = t("2026-01-01T00:00:00Z");
    let mut d = doc("UTC", "2026-01-01T00:00:00Z", 6);
    for (n, name) in [(1, "Archived"), (2, "Archived and back"), (3, "Never archived")] {
        person(&mut d, cid(n), name, created, |c| {
            c.cadence_days = Some(7);
            c.birthday = bday(1, 20, None);
        });
    }
    archive_contact(&mut d, cid(1), true, t("2026-01-05T00:00:00Z")).unwrap();
    archive_contact(&mut d, cid(2), true, t("2026-01-05T00:00:00Z")).unwrap();
    archive_contact(&mut d, cid(2), false, t("2026-01-06T00:00:00Z")).unwrap();
    met(&mut d, &[cid(1)], InteractionKind::Call, t("2026-01-10T00:00:00Z"), "");
    Case {
        name: "archived",
        about: "an archived contact is hidden: no status, no birthday, though its interactions stay; unarchiving brings it back",
        doc: d,
        nows: vec![t("2026-01-18T12:00:00Z")],
    }
}

/// What an early client wrote: no `schema`, no `settings`, no `notes`, contacts with only
/// a few fields, and a plain JS string (Text, not a scalar) for the nickname.
fn old_document() -> Case {
    let mut d = Automerge::new();
    d.set_actor(ActorId::from(vec![7; 16]));
    let mut tx = d.transaction();
    let contacts = tx.put_object(ROOT, "contacts", ObjType::Map).unwrap();
    let old = tx.put_object(&contacts, cid(1).to_string(), ObjType::Map).unwrap();
    let name = tx.put_object(&old, "name", ObjType::Map).unwrap();
    tx.put(&name, "display", "Old Friend").unwrap();
    tx.put(&old, "createdAt", ScalarValue::Timestamp(t("2025-01-01T00:00:00Z").timestamp_millis())).unwrap();
    tx.put(&old, "cadenceDays", ScalarValue::Int(10)).unwrap();
    let bare = tx.put_object(&contacts, cid(2).to_string(), ObjType::Map).unwrap();
    let name = tx.put_object(&bare, "name", ObjType::Map).unwrap();
    tx.put(&name, "display", "Name only").unwrap();
    let nick = tx.put_object(&bare, "nickname", ObjType::Text).unwrap();
    tx.splice_text(&nick, 0, 0, "Typed in JS").unwrap();
    let interactions = tx.put_object(ROOT, "interactions", ObjType::Map).unwrap();
    let i = tx.put_object(&interactions, "10000000-0000-4000-8000-000000000001", ObjType::Map).unwrap();
    let ids = tx.put_object(&i, "contactIds", ObjType::Map).unwrap();
    tx.put(&ids, cid(1).to_string(), true).unwrap();
    tx.put(&i, "kind", "call").unwrap();
    tx.put(&i, "at", ScalarValue::Timestamp(t("2025-03-01T00:00:00Z").timestamp_millis())).unwrap();
    tx.commit();
    Case {
        name: "old_document",
        about: "a document from before most fields existed (no schema, settings or notes; no cadenceSetAt, snooze, archived, mergedInto, tags, sources; a contact with no createdAt): everything missing hydrates to its default, and due is last interaction + cadence",
        doc: d,
        nows: vec![t("2025-03-05T00:00:00Z"), t("2025-03-20T00:00:00Z")],
    }
}

fn timezones() -> Case {
    let created = t("2026-01-01T00:00:00Z");
    let mut d = doc("America/Los_Angeles", "2026-01-01T00:00:00Z", 8);
    person(&mut d, cid(1), "March first", created, |c| c.birthday = bday(3, 1, None));
    person(&mut d, cid(2), "February 28", created, |c| c.birthday = bday(2, 28, Some(1980)));
    Case {
        name: "timezones",
        about: "in Los Angeles (UTC-8) at 05:00Z on Mar 1 it is still Feb 28: the Feb 28 birthday is today and Mar 1 is tomorrow; at 09:00Z it is Mar 1 there too",
        doc: d,
        nows: vec![t("2026-03-01T05:00:00Z"), t("2026-03-01T09:00:00Z")],
    }
}

fn unknown_zone() -> Case {
    let created = t("2026-01-01T00:00:00Z");
    let mut d = doc("UTC", "2026-01-01T00:00:00Z", 9);
    person(&mut d, cid(1), "March first", created, |c| c.birthday = bday(3, 1, None));
    // A client wrote a zone name this build does not know (the ops refuse one).
    let mut tx = d.transaction();
    let (_, settings) = automerge::ReadDoc::get(&tx, ROOT, "settings").unwrap().unwrap();
    tx.put(&settings, "timezone", "Mars/Olympus_Mons").unwrap();
    tx.commit();
    Case {
        name: "unknown_zone",
        about: "a zone name neither side knows: both compute local dates in UTC (at 23:30Z on Feb 28, Mar 1 is tomorrow)",
        doc: d,
        nows: vec![t("2026-02-28T23:30:00Z")],
    }
}

/// Puts `entries` at `contacts.<id>.<field>` under the given keys (the ops mint random keys;
/// the vectors need fixed ones), shaped exactly as the ops reconcile them.
fn put_entries<V: autosurgeon::Reconcile>(d: &mut Automerge, id: ContactId, field: &str, entries: BTreeMap<String, V>) {
    use automerge::ReadDoc as _;
    let mut tx = d.transaction();
    let (_, contacts) = tx.get(ROOT, "contacts").unwrap().unwrap();
    let (_, c) = tx.get(&contacts, id.to_string()).unwrap().unwrap();
    autosurgeon::reconcile_prop(&mut tx, &c, field, &entries).unwrap();
    tx.commit();
}

fn memory() -> Case {
    let created = t("2026-01-05T09:00:00Z");
    let mut d = doc("Europe/Berlin", "2026-01-05T08:00:00Z", 9);
    let (anna, leo, bob) = (cid(1), cid(2), cid(3));
    person(&mut d, anna, "Anna Schmidt", created, |_| {});
    person(&mut d, leo, "Leo Schmidt", created, |_| {});
    person(&mut d, bob, "Bob", created, |_| {});
    set_department(&mut d, anna, "Research", created).unwrap();
    set_pronouns(&mut d, anna, "she/her", created).unwrap();
    put_entries(&mut d, anna, "urls", BTreeMap::from([("u1".to_owned(), LabeledValue { label: "LinkedIn".into(), value: "https://linkedin.example/anna".into() })]));
    put_entries(
        &mut d,
        anna,
        "dates",
        BTreeMap::from([
            ("d1".to_owned(), ImportantDate { label: "Wedding".into(), month: 3, day: 31, year: Some(2012), remind: true }),
            ("d2".to_owned(), ImportantDate { label: "Name day".into(), month: 7, day: 26, year: None, remind: false }),
        ]),
    );
    put_entries(&mut d, anna, "relatedNames", BTreeMap::from([("r1".to_owned(), RelatedName { label: "mother".into(), name: "Greta".into() })]));
    relate(&mut d, anna, leo, RelationshipKind::Parent, "", created).unwrap();
    relate(&mut d, bob, anna, RelationshipKind::Other, "godfather", created).unwrap();
    let fu = |who: Vec<ContactId>, due: &str, all_day: bool, note: &str, repeat: Option<Repeat>| FollowUpDraft {
        contact_ids: who,
        due_at: t(due),
        all_day,
        note: note.into(),
        repeat,
    };
    add_follow_up(&mut d, fu(vec![anna, bob], "2026-02-10T17:30:00Z", false, "Ask about the surgery", None), created).unwrap();
    // All day on Jan 31 (local midnight in Berlin), monthly: Feb 28, Mar 31 at the reminder hour.
    let monthly = Some(Repeat { every: 1, unit: RepeatUnit::Month });
    add_follow_up(&mut d, fu(vec![leo], "2026-01-30T23:00:00Z", true, "Monthly call", monthly), created).unwrap();
    let done = add_follow_up(&mut d, fu(vec![anna], "2026-01-20T10:00:00Z", false, "Send the book", None), created).unwrap();
    complete_follow_up(&mut d, done, true, t("2026-01-21T08:00:00Z")).unwrap();
    let weekly = Some(Repeat { every: 2, unit: RepeatUnit::Week });
    add_follow_up(&mut d, fu(vec![bob], "2026-03-01T08:00:00Z", false, "Fortnightly run", weekly), created).unwrap();
    Case {
        name: "memory",
        about: "schema v2: department, pronouns, links, important dates, related names under fixed keys; relationships (parent, other with a label); follow-ups one-off, all-day monthly from the 31st, done, every two weeks across the DST change (Mar 29 in Berlin)",
        doc: d,
        nows: vec![t("2026-02-20T12:00:00Z"), t("2026-03-31T10:00:00Z"), t("2026-04-02T12:00:00Z")],
    }
}
