//! Applying imports to a document: matching, idempotence, one change per import, and the
//! vCard/JSON exports reading back.
#![allow(clippy::unwrap_used)]

mod common;
use common::{fixture, FIXTURES};

use automerge::Automerge;
use chrono::{DateTime, Utc};
use crdt_model::import::{apply_import, parse_csv_file, parse_vcard_file, ImportReport, Limits, ParsedFile};
use crdt_model::{load, new_document, update_contact, ContactPatch, KithDoc};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

fn parse(name: &str, bytes: &[u8]) -> ParsedFile {
    if name.ends_with(".csv") {
        parse_csv_file(bytes, &Limits::default()).unwrap()
    } else {
        parse_vcard_file(bytes, &Limits::default()).unwrap()
    }
}

fn import(doc: &mut Automerge, name: &str, bytes: &[u8]) -> ImportReport {
    apply_import(doc, &parse(name, bytes), now()).unwrap()
}

fn contacts(doc: &Automerge) -> KithDoc {
    load(doc).doc
}

#[test]
fn every_fixture_imported_twice_changes_nothing_the_second_time() {
    for name in FIXTURES {
        let mut doc = new_document("UTC", now()).unwrap();
        let bytes = fixture(name);
        let parsed = parse(name, &bytes);
        let first = import(&mut doc, name, &bytes);
        assert!(first.created > 0, "{name}: {first:?}");
        assert_eq!(first.created + first.updated + first.unchanged, parsed.contacts.len(), "{name}");
        assert_eq!(first.errors, parsed.errors, "{name}");
        assert_eq!(contacts(&doc).contacts.len(), first.created, "{name}");
        let heads = doc.get_heads();
        let changes = doc.get_changes(&[]).len();

        if name.contains("memory") {
            // The new fields were stored, so the second import below is checked on them too.
            let d = contacts(&doc);
            let stored = |f: fn(&crdt_model::Contact) -> usize| d.contacts.values().map(f).sum::<usize>();
            assert!(stored(|c| c.dates.len()) > 0 && stored(|c| c.urls.len()) > 0, "{name}");
            assert!(stored(|c| c.related_names.len()) > 0 && !d.relationships.is_empty(), "{name}");
            assert!(stored(|c| usize::from(!c.department.is_empty())) > 0, "{name}");
        }
        let second = import(&mut doc, name, &bytes);
        assert_eq!(second.created, 0, "{name}: {second:?}");
        assert_eq!(second.updated, 0, "{name}: {second:?}");
        assert_eq!(second.unchanged, parsed.contacts.len(), "{name}");
        assert_eq!(doc.get_heads(), heads, "{name}: re-import made a change");
        assert_eq!(doc.get_changes(&[]).len(), changes, "{name}");
        common::assert_readers_agree(&doc);
    }
}

#[test]
fn an_import_is_one_change_with_a_message() {
    let mut doc = new_document("UTC", now()).unwrap();
    let before = doc.get_changes(&[]).len();
    let report = import(&mut doc, "android_2.1.vcf", &fixture("android_2.1.vcf"));
    let changes = doc.get_changes(&[]);
    assert_eq!(changes.len(), before + 1);
    let message = changes.last().unwrap().message().unwrap_or_default().to_owned();
    assert!(message.contains("Import vCard file") && message.contains(&format!("{} created", report.created)), "{message}");
}

#[test]
fn ten_cards_with_three_broken_import_seven_and_report_three() {
    let mut doc = new_document("UTC", now()).unwrap();
    let r = import(&mut doc, "x.vcf", &fixture("ten_cards_three_broken.vcf"));
    assert_eq!(r.created, 7);
    let errors: Vec<(usize, usize)> = r.errors.iter().map(|e| (e.index, e.line)).collect();
    assert_eq!(errors, vec![(1, 8), (4, 26), (7, 44)]);
}

const IPHONE_ANNA: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.2//EN\r\n\
N:Schmidt;Anna;;;\r\nFN:Anna Schmidt\r\n\
item1.EMAIL;type=INTERNET;type=pref:anna.schmidt@example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n\
TEL;type=CELL;type=VOICE;type=pref:+49 170 1234567\r\n\
BDAY;X-APPLE-OMIT-YEAR=1604:1604-11-02\r\n\
UID:A1B2C3D4-0000-4000-8000-000000000001\r\nEND:VCARD\r\n";

#[test]
fn the_same_person_from_an_iphone_and_a_google_csv_is_one_contact() {
    let mut doc = new_document("UTC", now()).unwrap();
    let first = import(&mut doc, "iphone.vcf", IPHONE_ANNA.as_bytes());
    assert_eq!(first.created, 1);
    // google.csv has Anna with `Anna.Schmidt@Example.com` and `+49 (170) 123-4567`.
    let second = import(&mut doc, "google.csv", &fixture("google.csv"));
    assert_eq!(second.updated, 1, "{second:?}");
    assert_eq!(second.created, 2, "Carlos and Acme are new: {second:?}");
    let d = contacts(&doc);
    let annas: Vec<_> = d.contacts.values().filter(|c| c.name.display == "Anna Schmidt").collect();
    assert_eq!(annas.len(), 1);
    let anna = annas[0];
    assert_eq!(anna.phones.len(), 1, "the same number written differently is not added: {:?}", anna.phones);
    assert_eq!(anna.emails.len(), 1, "{:?}", anna.emails);
    assert_eq!(anna.company, "Bäckerei Schmidt", "the empty company was filled in");
    assert_eq!(anna.birthday.unwrap().year, None, "the iPhone's birthday is kept, not replaced");
    assert!(anna.addresses.values().any(|a| a.street.starts_with("Hauptstraße 5")));
    assert_eq!(anna.sources.len(), 2, "both sources are recorded: {:?}", anna.sources.keys());
    // And both files again: nothing changes.
    let heads = doc.get_heads();
    assert_eq!(import(&mut doc, "iphone.vcf", IPHONE_ANNA.as_bytes()).unchanged, 1);
    assert_eq!(import(&mut doc, "google.csv", &fixture("google.csv")).created, 0);
    assert_eq!(doc.get_heads(), heads);
}

#[test]
fn user_edits_are_never_overwritten() {
    let mut doc = new_document("UTC", now()).unwrap();
    import(&mut doc, "iphone.vcf", IPHONE_ANNA.as_bytes());
    let id = *contacts(&doc).contacts.keys().next().unwrap();
    let patch = ContactPatch { display_name: Some("Anni".into()), company: Some("Mine".into()), ..Default::default() };
    update_contact(&mut doc, id, patch, now()).unwrap();
    let changed = IPHONE_ANNA.replace("FN:Anna Schmidt", "FN:Anna S.").replace("N:Schmidt;Anna;;;", "N:Schmidt;Anna;;;\r\nORG:Theirs\r\nEMAIL:second@example.com");
    let r = import(&mut doc, "iphone.vcf", changed.as_bytes());
    assert_eq!((r.created, r.updated), (0, 1));
    let c = &contacts(&doc).contacts[&id];
    assert_eq!((c.name.display.as_str(), c.company.as_str()), ("Anni", "Mine"));
    assert!(c.emails.values().any(|e| e.value == "second@example.com"), "new fields are added");
}

#[test]
fn the_same_name_alone_only_suggests_a_merge() {
    let mut doc = new_document("UTC", now()).unwrap();
    import(&mut doc, "iphone.vcf", IPHONE_ANNA.as_bytes());
    let stranger = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:anna  SCHMIDT\r\nEMAIL:other.anna@example.org\r\nEND:VCARD\r\n";
    let r = import(&mut doc, "other.vcf", stranger.as_bytes());
    assert_eq!(r.created, 1);
    assert_eq!(r.merge_suggestions.len(), 1);
    let d = contacts(&doc);
    assert_eq!(d.contacts.len(), 2, "never merged automatically");
    let s = &r.merge_suggestions[0];
    assert_ne!(s.contact_id, s.existing_id);
    assert!(d.contacts.contains_key(&s.contact_id) && d.contacts.contains_key(&s.existing_id));
    // The duplicates finder sees the pair as well.
    let dups = crdt_model::duplicates::find_duplicates(&d, None);
    assert_eq!(dups.len(), 1);
    let pair = [dups[0].contact_id, dups[0].duplicate_id];
    assert!(pair.contains(&s.existing_id) && pair.contains(&s.contact_id), "{dups:?}");
    assert_eq!(dups[0].reasons, vec![crdt_model::duplicates::MatchReason::Name]);
}

#[test]
fn duplicates_by_email_and_phone_skip_merged_and_archived_contacts() {
    use crdt_model::duplicates::{find_duplicates, MatchReason};
    use crdt_model::{archive_contact, create_contact, merge_contacts, ContactDraft, LabeledValue, Name};
    let mut doc = new_document("UTC", now()).unwrap();
    let draft = |name: &str, email: &str, phone: &str| ContactDraft {
        name: Name { display: name.into(), ..Default::default() },
        emails: vec![LabeledValue { label: String::new(), value: email.into() }],
        phones: vec![LabeledValue { label: String::new(), value: phone.into() }],
        ..Default::default()
    };
    let a = create_contact(&mut doc, draft("A", "a@x.org", "+1 650 555 0100"), now()).unwrap();
    let b = create_contact(&mut doc, draft("B", "A@X.org", "+16505550100"), now() + chrono::Duration::seconds(1)).unwrap();
    let c = create_contact(&mut doc, draft("C", "c@x.org", "(650) 555-0100"), now() + chrono::Duration::seconds(2)).unwrap();
    let d = create_contact(&mut doc, draft("D", "a@x.org", ""), now() + chrono::Duration::seconds(3)).unwrap();
    let e = create_contact(&mut doc, draft("E", "a@x.org", ""), now() + chrono::Duration::seconds(4)).unwrap();
    archive_contact(&mut doc, d, true, now()).unwrap();
    merge_contacts(&mut doc, a, e, now()).unwrap();
    let found = find_duplicates(&contacts(&doc), None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].contact_id, found[0].duplicate_id), (a, b));
    assert_eq!(found[0].reasons, vec![MatchReason::Email, MatchReason::Phone]);
    let _ = c; // a national number without a region is not the same as the international one
    // With the region known, C's national number is the same phone.
    let found = find_duplicates(&contacts(&doc), crdt_model::import::parse_region("US"));
    assert!(found.iter().any(|s| (s.contact_id, s.duplicate_id) == (a, c)), "{found:?}");
}

#[test]
fn national_numbers_match_with_the_documents_region() {
    use automerge::transaction::Transactable;
    let mut doc = new_document("UTC", now()).unwrap();
    let mut tx = doc.transaction();
    let (_, settings) = automerge::ReadDoc::get(&tx, automerge::ROOT, "settings").unwrap().unwrap();
    tx.put(&settings, "region", "DE").unwrap();
    tx.commit();
    let one = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jo\r\nTEL:+49 30 1234567\r\nEND:VCARD\r\n";
    let two = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Johanna\r\nTEL:030 1234567\r\nEND:VCARD\r\n";
    import(&mut doc, "a.vcf", one.as_bytes());
    let r = import(&mut doc, "b.vcf", two.as_bytes());
    assert_eq!((r.created, r.updated), (0, 1), "{r:?}");
}

#[test]
fn exported_vcards_import_into_a_fresh_document_as_the_same_contacts() {
    let mut a = new_document("UTC", now()).unwrap();
    for name in FIXTURES {
        import(&mut a, name, &fixture(name));
    }
    let original = contacts(&a);
    let vcf = crdt_model::export::export_vcards(&original);
    let mut b = new_document("UTC", now()).unwrap();
    let r = import(&mut b, "export.vcf", vcf.as_bytes());
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.created, original.contacts.len());
    let summary = |d: &KithDoc| {
        let mut v: Vec<_> = d
            .contacts
            .values()
            .map(|c| {
                let mut emails: Vec<_> = c.emails.values().map(|e| (e.label.clone(), e.value.clone())).collect();
                let mut phones: Vec<_> = c.phones.values().map(|e| (e.label.clone(), e.value.clone())).collect();
                let mut tags: Vec<_> = c.tag_names().map(str::to_owned).collect();
                emails.sort();
                phones.sort();
                tags.sort();
                let photo = c.photo.as_ref().map(|p| (p.mime.clone(), p.bytes.as_ref().map(|b| b.len()), p.url.clone()));
                let mut memory: Vec<String> = c.urls.values().map(|u| format!("url {u:?}")).collect();
                memory.extend(c.dates.values().map(|d| format!("date {d:?}")));
                memory.extend(c.related_names.values().map(|r| format!("related name {r:?}")));
                memory.extend(d.relationships_of(c.id).map(|(o, k, r)| format!("{k} {:?} {:?}", d.contacts[&o].name.display, r.label)));
                memory.extend([format!("department {:?} pronouns {:?}", c.department, c.pronouns)]);
                memory.sort();
                (c.name.clone(), c.nickname.clone(), c.company.clone(), c.title.clone(), emails, phones, c.birthday, tags, photo, memory)
            })
            .collect();
        v.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
        v
    };
    assert_eq!(summary(&contacts(&b)), summary(&original));
    let notes = |d: &KithDoc| {
        let mut n: Vec<String> = d.notes.values().map(|n| n.body.as_str().to_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(notes(&contacts(&b)), notes(&original));
    // Importing the export back into the account it came from matches every card by id.
    let heads = a.get_heads();
    let again = import(&mut a, "export.vcf", vcf.as_bytes());
    assert_eq!(again.created, 0, "{again:?}");
    assert_eq!(a.get_heads(), heads);
}

#[test]
fn json_export_has_everything() {
    use crdt_model::{add_note, log_interaction, InteractionDraft, InteractionKind};
    let mut doc = new_document("Europe/Berlin", now()).unwrap();
    import(&mut doc, "iphone_3.0.vcf", &fixture("iphone_3.0.vcf"));
    let d = contacts(&doc);
    let id = *d.contacts.keys().next().unwrap();
    add_note(&mut doc, id, "pinned thought", now()).unwrap();
    let draft = InteractionDraft { contact_ids: vec![id], kind: InteractionKind::Call, at: now(), note: "hi".into() };
    let interaction = log_interaction(&mut doc, draft, now()).unwrap();
    let json = crdt_model::export::export_json(&doc, now());
    assert_eq!(json["format"], "kith-export");
    assert_eq!(json["settings"]["timezone"], "Europe/Berlin");
    assert_eq!(json["contacts"].as_object().unwrap().len(), d.contacts.len());
    assert_eq!(json["interactions"][interaction.to_string()]["kind"], "call");
    assert_eq!(json["interactions"][interaction.to_string()]["contactIds"][0], id.to_string());
    let notes = json["notes"].as_object().unwrap();
    assert!(notes.values().any(|n| n["body"] == "pinned thought" && n["contactId"] == id.to_string()));
    let johnny = json["contacts"].as_object().unwrap().values().find(|c| c["name"]["given"] == "Johnny").unwrap();
    assert_eq!(johnny["birthday"], serde_json::json!({"month": 3, "day": 15, "year": null}));
    assert!(johnny["photo"]["bytes"].as_str().unwrap().starts_with("/9j/"));
    assert_eq!(johnny["emails"].as_object().unwrap().len(), 2);
}

#[test]
fn tags_that_differ_only_in_case_or_spacing_are_one_tag() {
    let mut doc = new_document("UTC", now()).unwrap();
    let first = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\nCATEGORIES:Book Club,Family\r\nEND:VCARD\r\n";
    import(&mut doc, "first.vcf", first.as_bytes());

    // Another phone spells the groups its own way; one card even has both spellings.
    let second = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\nCATEGORIES:book  club,FAMILY\r\nEND:VCARD\r\n\
                  BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nCATEGORIES:book club,Navy,navy\r\nEND:VCARD\r\n\
                  BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\nCATEGORIES:NAVY\r\nEND:VCARD\r\n";
    import(&mut doc, "second.vcf", second.as_bytes());
    let d = contacts(&doc);
    let tags_of = |name: &str| -> Vec<(String, bool)> {
        let c = d.contacts.values().find(|c| c.name.display == name).unwrap();
        c.tags.iter().map(|(t, on)| (t.clone(), *on)).collect()
    };
    assert_eq!(tags_of("Ada Lovelace"), vec![("Book Club".into(), true), ("Family".into(), true)], "no second spellings");
    assert_eq!(tags_of("Grace Hopper"), vec![("Book Club".into(), true), ("Navy".into(), true)]);
    assert_eq!(tags_of("Alan Turing"), vec![("Navy".into(), true)], "the file's first spelling of a new tag is used for the rest of it");
}
