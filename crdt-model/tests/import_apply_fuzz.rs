//! Whatever the parsers accept, applying it never fails, and applying it again creates
//! nothing and records no change — also for mangled files (cards cut short, lines
//! duplicated, bytes flipped), where matching meets the oddest input.
#![allow(clippy::unwrap_used)]

mod common;
use common::{fixture, FIXTURES};

use chrono::{DateTime, Utc};
use crdt_model::import::{apply_import, parse_csv_file, parse_vcard_file, Limits, ParsedFile};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

fn twice_is_once(file: &ParsedFile) {
    let mut doc = crdt_model::new_document("UTC", now()).unwrap();
    let first = apply_import(&mut doc, file, now()).unwrap();
    assert_eq!(first.created + first.updated + first.unchanged, file.contacts.len());
    let heads = doc.get_heads();
    let second = apply_import(&mut doc, file, now()).unwrap();
    assert_eq!(second.created, 0, "{second:?}");
    assert_eq!(second.updated, 0, "{second:?}");
    assert_eq!(doc.get_heads(), heads);
    common::assert_readers_agree(&doc);
}

/// `(fixture, [(position, delete, insert)])`: edits applied in order.
fn mangled() -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<usize>(), 0usize..80, proptest::collection::vec(any::<u8>(), 0..12), any::<bool>());
    (0..FIXTURES.len(), proptest::collection::vec(edit, 1..6)).prop_map(|(f, edits)| {
        let mut data = fixture(FIXTURES[f]);
        for (at, delete, insert, duplicate) in edits {
            let at = at % (data.len() + 1);
            let end = (at + delete).min(data.len());
            if duplicate {
                let copy: Vec<u8> = data[at..end].to_vec();
                data.splice(at..at, copy);
            } else {
                data.splice(at..end, insert);
            }
        }
        data
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mangled_files_apply_cleanly_and_idempotently(data in mangled()) {
        let limits = Limits { max_photo_bytes: 512, ..Limits::default() };
        if let Ok(f) = parse_vcard_file(&data, &limits) {
            twice_is_once(&f);
        }
        if let Ok(f) = parse_csv_file(&data, &limits) {
            twice_is_once(&f);
        }
    }
}
