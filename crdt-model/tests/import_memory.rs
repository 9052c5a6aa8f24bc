//! Relationship memory through import and export: anniversaries and other dates, URLs,
//! departments, pronouns and related names from iPhone and Google exports are all kept,
//! related names link to the one contact they name, and an export read into a fresh
//! document reproduces every one of them.
#![allow(clippy::unwrap_used)]

mod common;
use common::fixture;

use std::collections::BTreeSet;

use automerge::Automerge;
use chrono::{DateTime, Utc};
use crdt_model::import::{apply_import, parse_csv_file, parse_vcard_file, ImportReport, Limits};
use crdt_model::{load, new_document, Contact, KithDoc, RelationshipKind};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

fn import(doc: &mut Automerge, name: &str, bytes: &[u8]) -> ImportReport {
    let file = if name.ends_with(".csv") {
        parse_csv_file(bytes, &Limits::default()).unwrap()
    } else {
        parse_vcard_file(bytes, &Limits::default()).unwrap()
    };
    apply_import(doc, &file, now()).unwrap()
}

fn fresh_with(files: &[&str]) -> Automerge {
    let mut doc = new_document("UTC", now()).unwrap();
    for name in files {
        let r = import(&mut doc, name, &fixture(name));
        assert!(r.errors.is_empty() && r.warnings.is_empty(), "{name}: {r:?}");
    }
    doc
}

fn person<'a>(d: &'a KithDoc, display: &str) -> &'a Contact {
    let found: Vec<&Contact> = d.active_contacts().filter(|c| c.name.display == display).collect();
    assert_eq!(found.len(), 1, "{display}");
    found[0]
}

fn urls(c: &Contact) -> BTreeSet<(String, String)> {
    c.urls.values().map(|u| (u.label.clone(), u.value.clone())).collect()
}

type DateRow = (String, u32, u32, Option<i32>, bool);

fn dates(c: &Contact) -> BTreeSet<DateRow> {
    c.dates.values().map(|d| (d.label.clone(), d.month, d.day, d.year, d.remind)).collect()
}

fn date(label: &str, month: u32, day: u32, year: Option<i32>, remind: bool) -> DateRow {
    (label.to_owned(), month, day, year, remind)
}

fn related_names(c: &Contact) -> BTreeSet<(String, String)> {
    c.related_names.values().map(|r| (r.label.clone(), r.name.clone())).collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// What `display` is related to, by the other's name: (name, what they are to `display`, label).
fn relations(d: &KithDoc, display: &str) -> BTreeSet<(String, String, String)> {
    relations_of(d, person(d, display))
}

fn relations_of(d: &KithDoc, me: &Contact) -> BTreeSet<(String, String, String)> {
    d.relationships_of(me.id)
        .map(|(other, kind, r)| (d.contacts[&other].name.display.clone(), kind.as_str().to_owned(), r.label.clone()))
        .collect()
}

fn rel(name: &str, kind: RelationshipKind, label: &str) -> (String, String, String) {
    (name.to_owned(), kind.as_str().to_owned(), label.to_owned())
}

#[test]
fn iphone_export_keeps_dates_urls_departments_pronouns_and_related_names() {
    let d = load(&fresh_with(&["iphone_memory.vcf"])).doc;
    let anna = person(&d, "Anna Berger");
    assert_eq!((anna.company.as_str(), anna.department.as_str()), ("Charité Berlin", "Cardiology"));
    assert_eq!(anna.pronouns, "she/her");
    assert_eq!(
        urls(anna),
        pairs(&[
            ("homepage", "https://anna-berger.example.de"),
            ("LinkedIn", "https://www.linkedin.com/in/anna-berger-example"),
            ("work", "https://charite.example.de/cardiology/berger"),
        ])
    );
    assert_eq!(
        dates(anna),
        [date("anniversary", 8, 18, Some(2012), true), date("Name day", 12, 9, None, false), date("other", 5, 1, Some(2019), false)]
            .into_iter()
            .collect()
    );
    // Bob and Leo are in the file: linked. Greta and Maria are nobody here: kept by name.
    assert_eq!(related_names(anna), pairs(&[("mother", "Greta Hofmann"), ("Godmother", "Maria Rossi")]));
    assert_eq!(
        relations(&d, "Anna Berger"),
        [rel("Bob Berger", RelationshipKind::Partner, ""), rel("Leo Berger", RelationshipKind::Child, "")].into_iter().collect()
    );

    let bob = person(&d, "Bob Berger");
    assert_eq!((bob.company.as_str(), bob.department.as_str()), ("", "Platform Team"));
    assert_eq!(urls(bob), pairs(&[("GitHub", "https://github.com/bob-berger-example")]));
    assert_eq!(dates(bob), [date("anniversary", 8, 18, Some(2012), true)].into_iter().collect());
    // Two contacts are called Sam: which one is meant is the user's call. A card naming its
    // own person is no relationship either.
    assert_eq!(related_names(bob), pairs(&[("friend", "Sam"), ("Namesake", "Bob Berger")]));

    let leo = person(&d, "Leo Berger");
    assert_eq!(dates(leo), [date("First day of school", 9, 1, None, false)].into_iter().collect());
    assert!(related_names(leo).is_empty());
    assert_eq!(
        relations(&d, "Leo Berger"),
        [rel("Anna Berger", RelationshipKind::Parent, ""), rel("Bob Berger", RelationshipKind::Parent, "")].into_iter().collect()
    );
    // Anna–Bob is said on both cards and Anna–Leo on both: each is stored once.
    assert_eq!(d.relationships.len(), 3, "{:?}", d.relationships);
    common::assert_readers_agree(&fresh_with(&["iphone_memory.vcf"]));
}

#[test]
fn google_csv_keeps_relations_events_websites_and_departments() {
    let d = load(&fresh_with(&["google_memory.csv"])).doc;
    let priya = person(&d, "Priya Nair");
    assert_eq!((priya.company.as_str(), priya.title.as_str(), priya.department.as_str()), ("Globex", "Engineering Manager", "Research & Development"));
    assert_eq!(
        urls(priya),
        pairs(&[("profile", "https://www.linkedin.com/in/priya-nair-example"), ("blog", "https://priya.example.com/blog")])
    );
    assert_eq!(
        dates(priya),
        [date("anniversary", 11, 20, Some(2016), true), date("Diwali party", 10, 31, None, false)].into_iter().collect()
    );
    assert_eq!(related_names(priya), pairs(&[("mother", "Lakshmi Nair")]));
    assert_eq!(
        relations(&d, "Priya Nair"),
        [rel("Arjun Nair", RelationshipKind::Partner, ""), rel("Tom Weber", RelationshipKind::Colleague, "")].into_iter().collect()
    );
    let arjun = person(&d, "Arjun Nair");
    assert_eq!(urls(arjun), pairs(&[("homepage", "https://arjun.example.co.uk")]));
    let tom = person(&d, "Tom Weber");
    assert_eq!((tom.company.as_str(), tom.department.as_str()), ("Initech", "Accounts"));
    assert_eq!(dates(tom), [date("other", 3, 2, Some(2021), false)].into_iter().collect());
    assert_eq!(related_names(tom), pairs(&[("referred by", "Dana Scully")]));
    assert_eq!(d.relationships.len(), 2);
}

#[test]
fn a_related_name_links_to_a_contact_already_in_the_document() {
    // Dana Scully comes from an earlier import; Tom's "Referred By" names her.
    let d = load(&fresh_with(&["google_old.csv", "google_memory.csv"])).doc;
    assert!(related_names(person(&d, "Tom Weber")).is_empty());
    assert_eq!(
        relations(&d, "Tom Weber"),
        [rel("Dana Scully", RelationshipKind::Other, "referred by"), rel("Priya Nair", RelationshipKind::Colleague, "")]
            .into_iter()
            .collect()
    );
}

#[test]
fn a_contact_added_after_the_first_import_does_not_change_a_second_one() {
    let mut doc = fresh_with(&["google_memory.csv"]);
    // Dana now exists, but Tom already has her as a related name: re-importing the same
    // file does not link her behind the user's back (they may link her themselves).
    import(&mut doc, "google_old.csv", &fixture("google_old.csv"));
    let heads = doc.get_heads();
    let again = import(&mut doc, "google_memory.csv", &fixture("google_memory.csv"));
    assert_eq!((again.created, again.updated), (0, 0), "{again:?}");
    assert_eq!(doc.get_heads(), heads);
    let d = load(&doc).doc;
    assert_eq!(related_names(person(&d, "Tom Weber")), pairs(&[("referred by", "Dana Scully")]));
    assert!(!relations(&d, "Tom Weber").iter().any(|(name, _, _)| name == "Dana Scully"));
}

#[test]
fn vcard_4_related_anniversary_and_pronouns() {
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jo Park\r\nPRONOUNS:they/them\r\n\
ANNIVERSARY:20090808\r\nRELATED;TYPE=spouse;VALUE=text:Kim Park\r\n\
RELATED;TYPE=friend:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6\r\n\
ORG:Park & Co;Design\r\nURL;TYPE=work:https://park.example\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Kim Park\r\nEND:VCARD\r\n";
    let mut doc = new_document("UTC", now()).unwrap();
    let r = import(&mut doc, "v4.vcf", card.as_bytes());
    assert_eq!(r.created, 2);
    assert_eq!(r.warnings.len(), 1, "the RELATED link to another card names nobody: {r:?}");
    let d = load(&doc).doc;
    let jo = person(&d, "Jo Park");
    assert_eq!((jo.pronouns.as_str(), jo.department.as_str()), ("they/them", "Design"));
    assert_eq!(dates(jo), [date("anniversary", 8, 8, Some(2009), true)].into_iter().collect());
    assert_eq!(urls(jo), pairs(&[("work", "https://park.example")]));
    assert_eq!(relations(&d, "Jo Park"), [rel("Kim Park", RelationshipKind::Partner, "")].into_iter().collect());
}

/// Everything of relationship memory in a document, by names (ids differ between documents).
fn memory(d: &KithDoc) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in d.active_contacts() {
        let n = &c.name.display;
        out.insert(format!("{n}: department {:?} pronouns {:?}", c.department, c.pronouns));
        out.extend(urls(c).into_iter().map(|u| format!("{n}: url {u:?}")));
        out.extend(dates(c).into_iter().map(|x| format!("{n}: date {x:?}")));
        out.extend(related_names(c).into_iter().map(|x| format!("{n}: related name {x:?}")));
        out.extend(relations_of(d, c).into_iter().map(|x| format!("{n}: related to {x:?}")));
    }
    out
}

#[test]
fn export_then_import_into_a_fresh_document_reproduces_them() {
    let a = fresh_with(&["google_old.csv", "iphone_memory.vcf", "google_memory.csv"]);
    let original = load(&a).doc;
    let vcf = crdt_model::export::export_vcards(&original);
    let mut b = new_document("UTC", now()).unwrap();
    let r = import(&mut b, "export.vcf", vcf.as_bytes());
    assert!(r.errors.is_empty() && r.warnings.is_empty(), "{r:?}");
    let copy = load(&b).doc;
    let (before, after) = (memory(&original), memory(&copy));
    assert!(before.iter().any(|l| l.contains("related to")) && before.iter().any(|l| l.contains("Name day")));
    assert_eq!(after, before, "\n--- exported:\n{vcf}");
    assert_eq!(copy.relationships.len(), original.relationships.len());
    // The JSON export carries the same records.
    let json = crdt_model::export::export_json(&a, now());
    assert_eq!(json["relationships"].as_object().unwrap().len(), original.relationships.len());
    let anna = json["contacts"].as_object().unwrap().values().find(|c| c["name"]["display"] == "Anna Berger").unwrap();
    assert_eq!(anna["department"], "Cardiology");
    assert_eq!(anna["dates"].as_object().unwrap().len(), 3);
    assert_eq!(anna["urls"].as_object().unwrap().len(), 3);
    assert_eq!(anna["relatedNames"].as_object().unwrap().len(), 2);
}
