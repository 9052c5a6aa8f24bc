//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use automerge::{Automerge, ReadDoc, ROOT};
use crdt_model::{load, Contact, FollowUp, Interaction, Note, Relationship};

/// Asserts that every record `load` returned equals autosurgeon's hydration of it.
pub fn assert_readers_agree(doc: &Automerge) {
    let loaded = load(doc);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let k = loaded.doc;
    let settings: crdt_model::Settings = autosurgeon::hydrate_prop(doc, ROOT, "settings").unwrap();
    assert_eq!(settings, k.settings);
    let (_, contacts) = doc.get(ROOT, "contacts").unwrap().unwrap();
    for (id, c) in &k.contacts {
        let mut slow: Contact = autosurgeon::hydrate_prop(doc, &contacts, id.to_string().as_str()).unwrap();
        slow.id = *id;
        assert_eq!(&slow, c);
    }
    let (_, interactions) = doc.get(ROOT, "interactions").unwrap().unwrap();
    for (id, i) in &k.interactions {
        let mut slow: Interaction = autosurgeon::hydrate_prop(doc, &interactions, id.to_string().as_str()).unwrap();
        slow.id = *id;
        assert_eq!(&slow, i);
    }
    if let Some((_, follow_ups)) = doc.get(ROOT, "followUps").unwrap() {
        for (id, f) in &k.follow_ups {
            let mut slow: FollowUp = autosurgeon::hydrate_prop(doc, &follow_ups, id.to_string().as_str()).unwrap();
            slow.id = *id;
            assert_eq!(&slow, f);
        }
    }
    if let Some((_, relationships)) = doc.get(ROOT, "relationships").unwrap() {
        for (id, r) in &k.relationships {
            let mut slow: Relationship = autosurgeon::hydrate_prop(doc, &relationships, id.to_string().as_str()).unwrap();
            slow.id = *id;
            assert_eq!(&slow, r);
        }
    }
    let (_, notes) = doc.get(ROOT, "notes").unwrap().unwrap();
    for (id, n) in &k.notes {
        let mut slow: Note = autosurgeon::hydrate_prop(doc, &notes, id.to_string().as_str()).unwrap();
        slow.id = *id;
        assert_eq!(&slow, n);
    }
}


/// Every real-world-shaped export the tests ship (`tests/fixtures`).
pub const FIXTURES: &[&str] = &[
    "iphone_3.0.vcf",
    "android_2.1.vcf",
    "google.vcf",
    "v4.vcf",
    "ten_cards_three_broken.vcf",
    "google.csv",
    "google_old.csv",
    "outlook.csv",
    "iphone_memory.vcf",
    "google_memory.csv",
];

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
