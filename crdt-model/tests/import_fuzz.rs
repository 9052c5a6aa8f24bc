//! Random and mutated input never panics either importer, and whatever they accept can be
//! exported and read back unchanged.

mod common;
use common::{fixture, FIXTURES};

use crdt_model::export::write_vcards;
use crdt_model::import::{normalize_phone, parse_csv_file, parse_region, parse_vcard_file, Limits, ParsedFile};
use proptest::prelude::*;

/// Small limits so the photo and card-count paths are hit by small inputs too.
fn limits() -> Limits {
    Limits { max_bytes: 1 << 20, max_cards: 50, max_photo_bytes: 64, ..Limits::default() }
}

/// Whatever a parser accepted survives our exporter and parser unchanged.
fn assert_exportable(file: &ParsedFile) {
    let text = write_vcards(file.contacts.iter().map(|e| &e.contact));
    let back = parse_vcard_file(text.as_bytes(), &Limits::default()).expect("own export accepted");
    assert_eq!(back.contacts.len(), file.contacts.len(), "{text}");
    for (a, b) in file.contacts.iter().zip(&back.contacts) {
        assert_eq!(a.contact, b.contact, "\n{text}");
    }
}

fn parse_both(bytes: &[u8]) {
    if let Ok(f) = parse_vcard_file(bytes, &limits()) {
        assert!(f.contacts.iter().all(|e| !e.contact.name.display.is_empty()));
        assert_exportable(&f);
    }
    if let Ok(f) = parse_csv_file(bytes, &limits()) {
        assert_exportable(&f);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
    Truncate(usize),
    FlipByte(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 0..16)).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 0usize..200).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::FlipByte(a, b)),
    ]
}

fn apply(mut data: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = data.len().max(1);
    match m {
        Mutation::Delete(at, n) => {
            let at = at % len;
            let end = (at + n).min(data.len());
            if at < end {
                data.drain(at..end);
            }
        }
        Mutation::Insert(at, bytes) => {
            let at = at % (data.len() + 1);
            data.splice(at..at, bytes.iter().copied());
        }
        Mutation::Duplicate(at, n) => {
            let at = at % len;
            let end = (at + n).min(data.len());
            if at < end {
                let piece = data[at..end].to_vec();
                data.splice(end..end, piece);
            }
        }
        Mutation::Truncate(at) => data.truncate(at % len),
        Mutation::FlipByte(at, b) => {
            if !data.is_empty() {
                let at = at % data.len();
                data[at] = *b;
            }
        }
    }
    data
}

/// Lines that look like vCard and CSV content, to get past the first checks.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("BEGIN:VCARD".to_owned()),
        Just("END:VCARD".to_owned()),
        Just("VERSION:2.1".to_owned()),
        Just("VERSION:4.0".to_owned()),
        Just("N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=".to_owned()),
        Just("=B2;=E7=8E=8B;;".to_owned()),
        Just("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsL".to_owned()),
        Just(" DBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2Q==".to_owned()),
        Just("PHOTO:data:image/png;base64,iVBORw0KGgo=".to_owned()),
        Just("item1.X-ABLabel:_$!<HomeFAX>!$_".to_owned()),
        Just("First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Value,Birthday".to_owned()),
        Just("\"a\nb\",c ::: d,* Home ::: Work".to_owned()),
        "[A-Z]{1,8}(;[A-Z=-]{1,10}){0,2}:[ -~]{0,30}",
        "item[0-9]\\.(TEL|EMAIL|URL|ADR)(;TYPE=[a-z,]{0,12})?:[ -~]{0,20}",
        "(BDAY|ANNIVERSARY|X-ABDATE)(;X-APPLE-OMIT-YEAR=1604)?:[-0-9T:Z]{0,16}",
        "[^\r\n]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_both(&bytes);
    }

    #[test]
    fn vcard_like_lines_never_panic(lines in proptest::collection::vec(line(), 0..40), crlf in any::<bool>()) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        parse_both(text.as_bytes());
    }

    #[test]
    fn mutated_fixtures_never_panic(which in 0..FIXTURES.len(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let data = mutations.iter().fold(fixture(FIXTURES[which]), apply);
        parse_both(&data);
    }

    #[test]
    fn phone_normalisation_never_panics(raw in "[-+0-9 ()#:;xX.a-z]{0,30}", region in "[A-Z]{2}") {
        if let Some(e164) = normalize_phone(&raw, parse_region(&region)) {
            prop_assert!(e164.starts_with('+'));
        }
    }
}

#[test]
fn limits_refuse_whole_files() {
    let many = "BEGIN:VCARD\nFN:x\nEND:VCARD\n".repeat(51);
    assert!(parse_vcard_file(many.as_bytes(), &limits()).is_err());
    let big = vec![b'a'; (1 << 20) + 1];
    assert!(parse_vcard_file(&big, &limits()).is_err());
    assert!(parse_csv_file(&big, &limits()).is_err());
    let rows = format!("First Name\n{}", "x\n".repeat(51));
    assert!(parse_csv_file(rows.as_bytes(), &limits()).is_err());
}

#[test]
fn oversized_photos_are_skipped_with_a_warning() {
    let f = parse_vcard_file(&fixture("iphone_3.0.vcf"), &limits()).expect("accepted");
    assert_eq!(f.contacts.len(), 3, "the card is kept");
    assert!(f.contacts.iter().all(|e| e.contact.photo.is_none()));
    assert!(f.warnings.iter().any(|w| w.index == 0 && w.message.contains("photo")), "{:?}", f.warnings);
}

/// Found by `mutated_fixtures_never_panic` (CI, 2026-12-07): a DEL in place of the CR after an
/// `itemN.X-ABLabel:_$!<HomePage>!$_` kept the Apple label raw on the first parse, while our
/// export of it (control character dropped) read back as "homepage".
#[test]
fn a_control_character_after_an_apple_label_round_trips() {
    let mutations = [Mutation::Duplicate(16282539562909106123, 13), Mutation::FlipByte(17819109379485889051, 127)];
    let data = mutations.iter().fold(fixture("iphone_memory.vcf"), apply);
    assert!(data.windows(17).any(|w| w == b"_$!<HomePage>!$_\x7f"), "the input still has the stray byte");
    parse_both(&data);
}

/// Found by `mutated_fixtures_never_panic` (2026-12-07, session 7): a NUL inside a Google CSV's
/// "Spouse" relation label ("S\0pouse") was kept as "Spouse" on the first parse (the known
/// word was not recognised until the control character was gone), while our export of it read
/// back as "spouse".
#[test]
fn a_control_character_inside_a_csv_relation_label_round_trips() {
    let mutations = [Mutation::Insert(8340943478204631657, vec![0])];
    let data = mutations.iter().fold(fixture("google_memory.csv"), apply);
    assert!(data.windows(7).any(|w| w == b"S\0pouse"), "the input still has the stray byte");
    parse_both(&data);
}
