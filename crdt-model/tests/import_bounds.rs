//! Hostile files (issue 12, findings 2 and 3): a 10 MiB note and cards with tens of
//! thousands of values are bounded while they are read, so the document never grows past
//! the limits and the work stays linear in the file. These use only `Limits::default()`,
//! the limits a real server runs with.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use crdt_model::import::{apply_import, parse_csv_file, parse_vcard_file, Limits, ParsedFile};

/// The notification action's note limit, which imports share.
const NOTE_CAP: usize = 10_000;
const TEN_MIB: usize = 10 * 1024 * 1024;

/// Generous: the bounded work takes milliseconds; unbounded it took minutes.
const QUICK: Duration = Duration::from_secs(1);

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

/// Applies the file to a new document and returns the longest note body it holds.
fn longest_note_after_apply(file: &ParsedFile) -> usize {
    let mut doc = crdt_model::new_document("UTC", now()).unwrap();
    apply_import(&mut doc, file, now()).unwrap();
    let notes = crdt_model::load(&doc).doc.notes;
    assert!(!notes.is_empty(), "the contact's note was imported");
    notes.values().map(|n| n.body.as_str().chars().count()).max().unwrap_or(0)
}

fn assert_note_cut(file: &ParsedFile) {
    assert_eq!(file.contacts.len(), 1, "{:?}", file.errors);
    let note = file.contacts[0].contact.note.as_deref().unwrap_or("");
    assert_eq!(note.chars().count(), NOTE_CAP, "the note is cut at the limit");
    assert!(file.warnings.iter().any(|w| w.message.contains("note")), "{:?}", file.warnings);
    assert_eq!(longest_note_after_apply(file), NOTE_CAP);
}

#[test]
fn a_ten_mib_vcard_note_is_cut_to_the_note_limit() {
    let card = format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nNOTE:{}\r\nEND:VCARD\r\n", "n".repeat(TEN_MIB));
    let file = parse_vcard_file(card.as_bytes(), &Limits::default()).unwrap();
    assert_note_cut(&file);
}

#[test]
fn a_ten_mib_csv_note_is_cut_to_the_note_limit() {
    let csv = format!("Name,E-mail 1 - Value,Notes\nAnn,ann@example.com,\"{}\"\n", "n".repeat(TEN_MIB));
    let file = parse_csv_file(csv.as_bytes(), &Limits::default()).unwrap();
    assert_note_cut(&file);
}

#[test]
fn many_notes_that_add_up_past_the_file_budget_refuse_the_file() {
    // 300 cards with full-length notes: 3 M characters, well under the 20 MiB file limit.
    let note = "n".repeat(NOTE_CAP);
    let text: String = (0..300).map(|i| format!("BEGIN:VCARD\r\nFN:P{i}\r\nNOTE:{note}\r\nEND:VCARD\r\n")).collect();
    assert!(parse_vcard_file(text.as_bytes(), &Limits::default()).is_err(), "the whole file is refused");
}

/// One card: `n` lines of `property:value(i)`.
fn one_card(n: usize, line: impl Fn(usize) -> String) -> Vec<u8> {
    let mut card = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many\r\n");
    for i in 0..n {
        card.push_str(&line(i));
        card.push_str("\r\n");
    }
    card.push_str("END:VCARD\r\n");
    card.into_bytes()
}

/// The card is refused or kept with at most the per-field limit, in well under a second.
fn assert_bounded(input: &[u8], values: impl Fn(&ParsedFile) -> usize) {
    let started = Instant::now();
    let file = parse_vcard_file(input, &Limits::default()).unwrap();
    let took = started.elapsed();
    assert!(took < QUICK, "took {took:?}");
    assert_eq!(file.contacts.len() + file.errors.len(), 1);
    assert!(values(&file) <= 50, "{} values kept", values(&file));
}

#[test]
fn fifty_thousand_tel_lines_in_one_card_are_answered_at_once() {
    let input = one_card(50_000, |i| format!("TEL;TYPE=CELL:+1 415 555 {i:05}"));
    assert_bounded(&input, |f| f.contacts.iter().map(|e| e.contact.phones.len()).sum());
}

#[test]
fn two_hundred_thousand_email_lines_in_one_card_are_answered_at_once() {
    let input = one_card(200_000, |i| format!("EMAIL:p{i}@example.com"));
    assert_bounded(&input, |f| f.contacts.iter().map(|e| e.contact.emails.len()).sum());
}
