//! Exporting to vCard 3.0 and reading it back gives the same contacts: names, labels,
//! birthdays (with and without year), photos, notes, everything the parser reads.

mod common;
use common::fixture;

use crdt_model::export::write_vcards;
use crdt_model::import::{parse_csv_file, parse_vcard_file, Limits, ParsedFile};

fn assert_round_trip(original: &ParsedFile) {
    let text = write_vcards(original.contacts.iter().map(|e| &e.contact));
    let back = parse_vcard_file(text.as_bytes(), &Limits::default()).expect("our own export is accepted");
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.contacts.len(), original.contacts.len());
    for (a, b) in original.contacts.iter().zip(&back.contacts) {
        assert_eq!(a.contact, b.contact, "\n--- exported:\n{text}");
    }
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line}");
    }
}

#[test]
fn every_vcard_fixture_survives_export_and_import() {
    for name in ["iphone_3.0.vcf", "android_2.1.vcf", "google.vcf", "v4.vcf", "ten_cards_three_broken.vcf"] {
        let parsed = parse_vcard_file(&fixture(name), &Limits::default()).expect(name);
        assert!(!parsed.contacts.is_empty(), "{name}");
        assert_round_trip(&parsed);
    }
}

#[test]
fn every_csv_fixture_survives_export_and_import() {
    for name in ["google.csv", "google_old.csv", "outlook.csv"] {
        let parsed = parse_csv_file(&fixture(name), &Limits::default()).expect(name);
        assert!(!parsed.contacts.is_empty(), "{name}");
        assert_round_trip(&parsed);
    }
}

#[test]
fn awkward_characters_survive() {
    use crdt_model::import::{Labeled, ParsedContact, ParsedName};
    let odd = "a,b;c\\d\\,e:f\\:g\\nh";
    let c = ParsedContact {
        name: ParsedName { display: odd.into(), given: odd.into(), ..Default::default() },
        emails: vec![Labeled { label: odd.into(), value: odd.into() }],
        phones: vec![Labeled { label: "x".into(), value: odd.into() }],
        urls: vec![Labeled { label: "y".into(), value: format!("https://x/{odd}") }],
        uid: Some(odd.into()),
        note: Some(format!("{odd}\nline")),
        categories: vec![odd.into(), "b".into()],
        org: Some(odd.into()),
        nickname: Some(odd.into()),
        ..Default::default()
    };
    let text = write_vcards([&c]);
    let back = parse_vcard_file(text.as_bytes(), &Limits::default()).expect("accepted");
    assert_eq!(back.contacts[0].contact, c, "\n{text}");
}
