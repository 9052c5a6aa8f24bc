//! The importers against fixture files shaped like real exports.

mod common;
use common::fixture;

use crdt_model::import::{
    parse_csv_file, parse_vcard_file, Limits, ParsedContact, ParsedFile, ParsedPhoto, PartialDate,
};

fn vcard(name: &str) -> ParsedFile {
    parse_vcard_file(&fixture(name), &Limits::default()).expect("file accepted")
}

fn csv(name: &str) -> ParsedFile {
    parse_csv_file(&fixture(name), &Limits::default()).expect("file accepted")
}

fn by_name<'a>(file: &'a ParsedFile, display: &str) -> &'a ParsedContact {
    file.contacts
        .iter()
        .map(|e| &e.contact)
        .find(|c| c.name.display == display)
        .unwrap_or_else(|| panic!("no contact {display:?} in {:#?}", file.contacts.iter().map(|e| &e.contact.name.display).collect::<Vec<_>>()))
}

fn labeled(list: &[crdt_model::import::Labeled]) -> Vec<(&str, &str)> {
    list.iter().map(|l| (l.label.as_str(), l.value.as_str())).collect()
}

fn date(year: Option<i32>, month: u32, day: u32) -> Option<PartialDate> {
    Some(PartialDate { year, month, day })
}

#[test]
fn iphone_vcard_keeps_grouped_labels_photo_and_yearless_birthday() {
    let f = vcard("iphone_3.0.vcf");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.contacts.len(), 3);
    let j = by_name(&f, "Dr. Johnny Q. Appleseed Jr.");
    assert_eq!((j.name.given.as_str(), j.name.family.as_str(), j.name.middle.as_str()), ("Johnny", "Appleseed", "Q."));
    assert_eq!(j.nickname.as_deref(), Some("Jo"));
    assert_eq!((j.org.as_deref(), j.department.as_deref(), j.title.as_deref()), (Some("Apple Inc."), Some("Engineering"), Some("Engineer")));
    assert_eq!(labeled(&j.emails), vec![("other", "johnny@example.com"), ("home", "j.appleseed@home.example")]);
    assert_eq!(
        labeled(&j.phones),
        vec![("mobile", "(415) 555-0132"), ("Berlin office", "+49 30 1234567"), ("work fax", "+1 408 555 0100")]
    );
    assert_eq!(j.addresses.len(), 1);
    let a = &j.addresses[0];
    assert_eq!((a.label.as_str(), a.street.as_str(), a.city.as_str(), a.postal_code.as_str()), ("home", "1 Infinite Loop\nSuite 5", "Cupertino", "95014"));
    assert_eq!(labeled(&j.urls), vec![("homepage", "https://johnny.example.com")]);
    assert_eq!(j.birthday, date(None, 3, 15));
    assert_eq!(j.anniversary, date(Some(2010), 6, 12));
    assert_eq!(j.note.as_deref(), Some("Met at WWDC, 2019.\nLikes coffee."));
    assert_eq!(j.categories, vec!["Friends", "Work"]);
    assert_eq!(j.uid.as_deref(), Some("8E3A2B1C-7F4D-4E5A-9B6C-0D1E2F3A4B5C"));
    match &j.photo {
        Some(ParsedPhoto::Inline { mime, bytes }) => {
            assert_eq!(mime, "image/jpeg");
            assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
            assert_eq!(&bytes[bytes.len() - 2..], &[0xFF, 0xD9], "the whole folded photo was decoded");
        }
        other => panic!("photo: {other:?}"),
    }
    let mom = by_name(&f, "Mom");
    assert_eq!(labeled(&mom.phones), vec![("iphone", "+1 (650) 555-0199"), ("main", "+1 650 555 0142")]);
    assert_eq!(mom.birthday, date(None, 2, 29), "Feb 29 without a year is a real birthday");
}

#[test]
fn android_quoted_printable_names_are_not_garbled() {
    let f = vcard("android_2.1.vcf");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.contacts.len(), 4);
    let p = by_name(&f, "Пётр Сергеевич Иванов — старый друг");
    assert_eq!((p.name.family.as_str(), p.name.given.as_str(), p.name.middle.as_str()), ("Иванов", "Пётр", "Сергеевич"));
    assert_eq!(p.nickname.as_deref(), Some("Петя"));
    assert_eq!(labeled(&p.phones), vec![("mobile", "+7 912 345-67-89"), ("home", "8 (495) 123-45-67")]);
    assert_eq!(labeled(&p.emails), vec![("home", "petr.ivanov@example.ru")]);
    let a = &p.addresses[0];
    assert_eq!((a.street.as_str(), a.city.as_str(), a.country.as_str()), ("ул. Ленина, д. 1, кв. 2", "Москва", "Россия"));
    assert_eq!(p.note.as_deref(), Some("Познакомились в Казани.\nЛюбит шахматы."));
    assert_eq!(p.birthday, date(Some(1985), 7, 4));
    assert!(matches!(&p.photo, Some(ParsedPhoto::Inline { mime, bytes }) if mime == "image/jpeg" && bytes.ends_with(&[0xFF, 0xD9])));

    let w = by_name(&f, "王小明");
    assert_eq!((w.name.family.as_str(), w.name.given.as_str()), ("王", "小明"));
    assert_eq!(labeled(&w.phones), vec![("work", "+86 10 8888 6666"), ("微信", "+86 139 1234 5678")]);
    by_name(&f, "山田 太郎");
    // No FN at all, Latin-1 quoted-printable N: the display name is composed from N.
    let m = by_name(&f, "Jürgen Müller");
    assert_eq!(labeled(&m.phones), vec![("work fax", "+49 89 1234567")]);
}

#[test]
fn google_vcard_reads_custom_labels_categories_and_photo_links() {
    let f = vcard("google.vcf");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let a = by_name(&f, "Alice Example");
    assert_eq!(labeled(&a.emails), vec![("home", "alice@example.org"), ("work", "alice.example@corp.example")]);
    assert_eq!(labeled(&a.phones), vec![("mobile", "+1 650-555-0100"), ("Google Voice", "+1 650-555-0111")]);
    assert_eq!(a.birthday, date(None, 3, 15), "--03-15 is a birthday without a year");
    assert_eq!(labeled(&a.urls), vec![("blog", "https://alice.example.org/blog")]);
    assert_eq!(a.categories, vec!["Friends"], "Google's myContacts group is dropped");
    assert_eq!(a.photo, Some(ParsedPhoto::Url("https://lh3.googleusercontent.com/contacts/AAAAAAA=s100".into())));
    assert!(by_name(&f, "Bob Builder").categories.is_empty());
}

#[test]
fn vcard_4_reads_data_uris_tel_uris_and_yearless_dates() {
    let f = vcard("v4.vcf");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let j = by_name(&f, "Jane Roe");
    assert_eq!(labeled(&j.emails), vec![("work", "jane@work.example"), ("home", "jane@home.example")]);
    assert_eq!(labeled(&j.phones), vec![("mobile", "+1-555-555-0100"), ("work", "+1-555-555-0200;ext=42")]);
    assert_eq!(j.birthday, date(None, 4, 12));
    assert_eq!(j.anniversary, date(Some(2009), 8, 8));
    assert_eq!(j.note.as_deref(), Some("Line one\nLine two"));
    assert_eq!(j.addresses[0].city, "Springfield");
    assert!(matches!(&j.photo, Some(ParsedPhoto::Inline { mime, .. }) if mime == "image/png"));
    assert_eq!(j.uid.as_deref(), Some("urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"));
}

#[test]
fn three_broken_cards_cost_only_themselves() {
    let f = vcard("ten_cards_three_broken.vcf");
    assert_eq!(f.contacts.len(), 7);
    let errors: Vec<(usize, usize)> = f.errors.iter().map(|e| (e.index, e.line)).collect();
    // Cards are 7 lines each; the broken ones are shorter (4, 4 and 4 lines).
    assert_eq!(errors, vec![(1, 8), (4, 26), (7, 44)], "{:#?}", f.errors);
    assert!(f.errors[0].message.contains("END:VCARD"));
    assert!(f.errors[1].message.contains("version"));
    assert!(f.errors[2].message.contains("no name"));
    let names: Vec<&str> = f.contacts.iter().map(|e| e.contact.name.display.as_str()).collect();
    assert_eq!(names, ["Person 0", "Person 2", "Person 3", "Person 5", "Person 6", "Person 8", "Person 9"]);
}

#[test]
fn google_csv_current_headers() {
    let f = csv("google.csv");
    assert_eq!(f.contacts.len(), 3);
    assert_eq!(f.errors.len(), 1, "the row with nothing identifying is an error");
    assert_eq!((f.errors[0].index, f.errors[0].line), (3, 9));
    let anna = by_name(&f, "Anna Schmidt");
    assert_eq!(labeled(&anna.emails), vec![("home", "Anna.Schmidt@Example.com")]);
    assert_eq!(labeled(&anna.phones), vec![("mobile", "+49 (170) 123-4567")]);
    assert_eq!(anna.addresses[0].street, "Hauptstraße 5\nHinterhaus", "quoted multi-line address");
    assert_eq!(anna.addresses[0].label, "home");
    assert_eq!(anna.categories, vec!["Family"]);
    assert_eq!(anna.birthday, date(Some(1988), 11, 2));
    let carlos = by_name(&f, "Carlos García");
    assert_eq!(labeled(&carlos.emails), vec![("work", "carlos@corp.example"), ("home", "carlos.garcia@example.es")]);
    assert_eq!(labeled(&carlos.phones), vec![("work fax", "+34 91 123 45 67"), ("mobile", "+34 612 34 56 78")]);
    assert_eq!(carlos.birthday, date(None, 5, 21));
    assert_eq!(carlos.anniversary, date(Some(2015), 9, 12));
    assert_eq!(carlos.note.as_deref(), Some("Met at the \"Rust\" meetup, 2022.\nOwes me a coffee."));
    assert_eq!(carlos.categories, vec!["Friends", "Climbing"]);
    assert_eq!(labeled(&carlos.urls), vec![("profile", "https://example.es/carlos")]);
    let acme = by_name(&f, "Acme Plumbing");
    assert_eq!(labeled(&acme.phones), vec![("work", "+1 212 555 0147")]);
}

#[test]
fn google_csv_older_headers() {
    let f = csv("google_old.csv");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let d = by_name(&f, "Dana Scully");
    assert_eq!(labeled(&d.emails), vec![("work", "dana.scully@fbi.example")]);
    assert_eq!(labeled(&d.phones), vec![("mobile", "(202) 555-0175"), ("home", "(202) 555-0110")]);
    assert_eq!((d.org.as_deref(), d.title.as_deref()), (Some("FBI"), Some("Special Agent")));
    assert_eq!(d.addresses[0].street, "935 Pennsylvania Avenue NW\nWashington, DC 20535");
    assert_eq!(d.categories, vec!["My Contacts", "Work"]);
    assert_eq!(by_name(&f, "Fox Mulder").nickname.as_deref(), Some("Spooky"));
}

#[test]
fn outlook_csv() {
    let f = csv("outlook.csv");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let e = by_name(&f, "Ms. Erin O'Brien");
    assert_eq!(labeled(&e.emails), vec![("", "erin.obrien@example.ie")]);
    assert_eq!(labeled(&e.phones), vec![("mobile", "+353 85 123 4567"), ("work fax", "+353 1 555 0100")]);
    assert_eq!(e.birthday, date(Some(1975), 4, 17));
    assert_eq!(e.anniversary, None);
    assert_eq!(e.addresses[0].label, "work");
    assert_eq!(e.addresses[0].city, "Dublin");
    assert_eq!(e.org.as_deref(), Some("O'Brien & Co"));
    assert!(f.warnings.is_empty(), "Outlook's 0/0/00 means no date, not a bad one: {:?}", f.warnings);
}
