//! `load` (fast: one materialization per collection) and autosurgeon's derived `Hydrate`
//! (field by field) must read every record identically.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

mod common;

use autosurgeon::bytes::ByteVec;
use chrono::{DateTime, Utc};
use crdt_model::{
    add_note, create_contact, log_interaction, merge_contacts, new_document, set_cadence,
    snooze, Address, Birthday, ContactDraft, InteractionDraft, InteractionKind, LabeledValue,
    Name, Photo, Source, SourceKind,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

#[test]
fn every_field_reads_the_same_both_ways() {
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    let mut sources = BTreeMap::new();
    sources.insert(
        "vcard:abc".to_string(),
        Source { kind: SourceKind::Vcard, uid: "abc".into(), imported_at: now() },
    );
    let draft = ContactDraft {
        name: Name { display: "Ada Lovelace".into(), given: "Ada".into(), family: "Lovelace".into() },
        nickname: "Countess".into(),
        company: "Engines".into(),
        title: "Analyst".into(),
        emails: vec![LabeledValue { label: "work".into(), value: "ada@example.com".into() }],
        phones: vec![LabeledValue { label: "mobile".into(), value: "+44 20 1234".into() }],
        addresses: vec![Address {
            label: "home".into(),
            street: "12 St James's Square".into(),
            city: "London".into(),
            region: String::new(),
            postal_code: "SW1Y".into(),
            country: "UK".into(),
        }],
        birthday: Some(Birthday { month: 12, day: 10, year: Some(1815) }),
        tags: vec!["math".into(), "poetry".into()],
        how_we_met: "Babbage's salon".into(),
        photo: Some(Photo { mime: "image/png".into(), bytes: Some(ByteVec::from(vec![1, 2, 3])), url: None }),
        cadence_days: Some(30),
        sources,
    };
    let ada = create_contact(&mut doc, draft, now()).unwrap();
    let dup = create_contact(&mut doc, ContactDraft::default(), now()).unwrap();
    set_cadence(&mut doc, dup, Some(7), now()).unwrap();
    snooze(&mut doc, dup, Some(now()), now()).unwrap();
    let draft = InteractionDraft {
        contact_ids: vec![ada, dup],
        kind: InteractionKind::Unrecognized("carrier-pigeon".into()),
        at: now(),
        note: "coo".into(),
    };
    log_interaction(&mut doc, draft, now()).unwrap();
    add_note(&mut doc, dup, "a note ✓ with ünïcode", now()).unwrap();
    merge_contacts(&mut doc, ada, dup, now()).unwrap();
    common::assert_readers_agree(&doc);
}
