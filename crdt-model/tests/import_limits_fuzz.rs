//! Smoke fuzzing of both importers against small limits (issue 12): arbitrary bytes and
//! near-valid vCard/CSV text built to hit every limit never panic, and whatever is
//! accepted respects the limits — values per field, note length, note text per file,
//! cards per file, photo bytes. A few hundred cases each, seconds in a debug build.

use crdt_model::import::{parse_csv_file, parse_vcard_file, ImportError, Limits, ParsedFile, ParsedPhoto};
use proptest::prelude::*;

fn limits() -> Limits {
    Limits {
        max_bytes: 64 * 1024,
        max_cards: 8,
        max_photo_bytes: 64,
        max_values_per_field: 3,
        max_card_lines: 40,
        max_note_chars: 20,
        max_note_text_chars: 60,
        deadline: None,
    }
}

fn assert_within(result: &Result<ParsedFile, ImportError>) {
    let Ok(file) = result else { return };
    let l = limits();
    assert!(file.contacts.len() <= l.max_cards);
    let mut note_chars = 0;
    for e in &file.contacts {
        let c = &e.contact;
        for (what, n) in [
            ("emails", c.emails.len()),
            ("phones", c.phones.len()),
            ("addresses", c.addresses.len()),
            ("urls", c.urls.len()),
            ("categories", c.categories.len()),
        ] {
            assert!(n <= l.max_values_per_field, "{n} {what}");
        }
        let note = c.note.as_deref().map_or(0, |n| n.chars().count());
        assert!(note <= l.max_note_chars, "note of {note}");
        note_chars += note;
        if let Some(ParsedPhoto::Inline { bytes, .. }) = &c.photo {
            assert!(bytes.len() <= l.max_photo_bytes);
        }
        assert!(!c.name.display.is_empty());
    }
    assert!(note_chars <= l.max_note_text_chars, "{note_chars} note characters in the file");
}

fn check(bytes: &[u8]) {
    assert_within(&parse_vcard_file(bytes, &limits()));
    assert_within(&parse_csv_file(bytes, &limits()));
}

/// One vCard property line, biased to the multi-valued and long ones the limits cover.
fn vcard_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "TEL(;TYPE=[a-z]{1,5})?:\\+?[0-9 ()-]{0,14}",
        "EMAIL:[a-zA-Z0-9]{1,6}@[a-z]{1,5}\\.[a-z]{2}",
        "ADR:;;[a-z ]{0,10};[a-z]{0,6};;[0-9]{0,5};[a-z]{0,6}",
        "URL:https://[a-z]{1,8}\\.example",
        "CATEGORIES:[a-zA-Z,]{0,30}",
        "NOTE:[ -~]{0,60}",
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/[A-Za-z0-9+/]{0,200}={0,2}",
        "(FN|N|ORG|UID):[ -~]{0,20}",
        "[ -~]{0,30}",
    ]
}

/// Cards whose lines repeat, so a card easily passes every per-card limit.
fn vcard_file() -> impl Strategy<Value = String> {
    let card = (proptest::collection::vec((vcard_line(), 1usize..30), 0..8), any::<bool>()).prop_map(|(lines, end)| {
        let mut s = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Someone\r\n");
        for (line, times) in lines {
            for _ in 0..times {
                s.push_str(&line);
                s.push_str("\r\n");
            }
        }
        if end {
            s.push_str("END:VCARD\r\n");
        }
        s
    });
    proptest::collection::vec(card, 0..12).prop_map(|cards| cards.concat())
}

/// A Google-style CSV whose cells join many values with " ::: " and carry long notes.
fn csv_file() -> impl Strategy<Value = String> {
    let values = |re: &'static str| proptest::collection::vec(re, 0..12).prop_map(|v| v.join(" ::: "));
    let row = (
        "[A-Za-z ]{0,12}",
        values("[a-z0-9]{1,5}@[a-z]{1,4}\\.de"),
        values("\\+49 [0-9]{3,9}"),
        values("https://[a-z]{1,6}\\.example"),
        values("[A-Za-z]{1,8}"),
        "[ -~]{0,80}",
    )
        .prop_map(|(name, emails, phones, urls, groups, note)| {
            let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            [q(&name), q(&emails), q(&phones), q(&urls), q(&groups), q(&note)].join(",")
        });
    proptest::collection::vec(row, 0..12).prop_map(|rows| {
        let mut s = String::from("Name,E-mail 1 - Value,Phone 1 - Value,Website 1 - Value,Group Membership,Notes\n");
        for r in rows {
            s.push_str(&r);
            s.push('\n');
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_stay_within_the_limits(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check(&bytes);
    }

    #[test]
    fn near_valid_vcards_stay_within_the_limits(text in vcard_file()) {
        check(text.as_bytes());
    }

    #[test]
    fn near_valid_csv_stays_within_the_limits(text in csv_file()) {
        check(text.as_bytes());
    }
}

/// The generators do reach the limits (a fuzz target that never meets them proves little).
#[test]
fn the_generated_shapes_meet_each_limit() {
    let card = format!("BEGIN:VCARD\r\nFN:A\r\n{}NOTE:{}\r\nEND:VCARD\r\n", "TEL:+49 30 1\r\nTEL:+49 30 2\r\nTEL:+49 30 3\r\nTEL:+49 30 4\r\n", "n".repeat(30));
    let file = parse_vcard_file(card.as_bytes(), &limits()).expect("accepted");
    assert_eq!(file.contacts[0].contact.phones.len(), 3);
    assert_eq!(file.contacts[0].contact.note.as_deref().map(str::len), Some(20));
    let long = card.replace("FN:A\r\n", &"FN:A\r\n".repeat(40));
    assert_eq!(parse_vcard_file(long.as_bytes(), &limits()).expect("read").errors.len(), 1, "too many lines");
    let csv = format!("Name,Notes\n{}", "a,nnnnnnnnnnnnnnnnnnnn\n".repeat(4));
    assert_eq!(parse_csv_file(csv.as_bytes(), &limits()), Err(ImportError::TooMuchText { limit: 60 }));
}
