//! A parsed card in the document's terms: the values a new contact gets, and the source
//! key that recognises the same card when the file is imported again.

use std::collections::BTreeMap;

use autosurgeon::bytes::ByteVec;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::types::{FileKind, ParsedContact, ParsedPhoto, PartialDate};
use crate::ids::ContactId;
use crate::ops::new_entry_key;
use crate::schema::{Address, Birthday, Contact, ImportantDate, LabeledValue, Name, Photo, Source, SourceKind};

pub(crate) fn source_kind(kind: FileKind) -> SourceKind {
    match kind {
        FileKind::Vcard => SourceKind::Vcard,
        FileKind::Csv => SourceKind::Csv,
    }
}

/// The exporter's UID, trimmed; `None` when absent or blank.
pub(crate) fn uid(c: &ParsedContact) -> Option<&str> {
    c.uid.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

/// `vcard:<UID>` when the card has a UID. Without one (CSV rows, many Android cards) a
/// fingerprint of everything the card says stands in for it, so the very same card in the
/// very same file is recognised again even when it has no email or phone to match on.
pub(crate) fn source_key(kind: FileKind, c: &ParsedContact) -> (String, String) {
    let kind = source_kind(kind);
    let uid = match uid(c) {
        Some(u) => u.to_owned(),
        None => fingerprint(c),
    };
    (format!("{}:{uid}", kind.as_str()), uid)
}

fn fingerprint(c: &ParsedContact) -> String {
    let mut h = Sha256::new();
    // The serialized record is deterministic (struct field order); photo bytes are not
    // part of it (serde skip), their presence and type are.
    match serde_json::to_vec(c) {
        Ok(bytes) => h.update(&bytes),
        Err(_) => h.update(format!("{c:?}").as_bytes()),
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

pub(crate) fn birthday(d: Option<PartialDate>) -> Option<Birthday> {
    d.map(|d| Birthday { month: d.month, day: d.day, year: d.year })
}

pub(crate) fn photo(p: Option<&ParsedPhoto>) -> Option<Photo> {
    match p? {
        ParsedPhoto::Inline { mime, bytes } => {
            Some(Photo { mime: mime.clone(), bytes: Some(ByteVec::from(bytes.clone())), url: None })
        }
        ParsedPhoto::Url(url) => Some(Photo { mime: String::new(), bytes: None, url: Some(url.clone()) }),
    }
}

pub(crate) fn labeled(l: &super::types::Labeled) -> LabeledValue {
    LabeledValue { label: l.label.clone(), value: l.value.trim().to_owned() }
}

pub(crate) fn address(a: &super::types::ParsedAddress) -> Address {
    Address {
        label: a.label.clone(),
        street: a.street.clone(),
        city: a.city.clone(),
        region: a.region.clone(),
        postal_code: a.postal_code.clone(),
        country: a.country.clone(),
    }
}

/// Addresses compare by their content, ignoring label, case and spacing.
pub(crate) fn address_key(a: &Address) -> String {
    [&a.street, &a.city, &a.region, &a.postal_code, &a.country]
        .iter()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
        .collect::<Vec<_>>()
        .join("|")
}

/// The new contact a card becomes (the note, if any, is written separately).
pub(crate) fn new_contact(
    id: ContactId,
    c: &ParsedContact,
    source: (String, Source),
    now: DateTime<Utc>,
) -> Contact {
    let mut contact = Contact::new(id, "", now);
    contact.name = Name { display: c.name.display.clone(), given: c.name.given.clone(), family: c.name.family.clone() };
    contact.nickname = c.nickname.clone().unwrap_or_default();
    contact.company = c.org.clone().unwrap_or_default();
    contact.title = c.title.clone().unwrap_or_default();
    contact.emails = dedup(c.emails.iter().map(labeled), |v| crate::matching::email_key(&v.value));
    contact.phones = dedup(c.phones.iter().map(labeled), |v| Some(v.value.clone()));
    contact.addresses = c
        .addresses
        .iter()
        .filter(|a| !a.is_empty())
        .map(|a| (new_entry_key(), address(a)))
        .collect();
    contact.birthday = birthday(c.birthday);
    contact.tags = c.categories.iter().filter(|t| !t.trim().is_empty()).map(|t| (t.clone(), true)).collect();
    contact.photo = photo(c.photo.as_ref());
    contact.sources = BTreeMap::from([source]);
    contact.department = c.department.clone().unwrap_or_default();
    contact.pronouns = c.pronouns.clone().unwrap_or_default();
    contact.urls = dedup(c.urls.iter().map(labeled), |v| Some(v.value.clone()));
    let mut dates: Vec<ImportantDate> = Vec::new();
    for d in important_dates(c) {
        if !has_date(&dates, &d) {
            dates.push(d);
        }
    }
    contact.dates = dates.into_iter().map(|d| (new_entry_key(), d)).collect();
    contact.unmodeled = super::unmodeled::to_doc(c);
    // Related names are linked or stored once the whole file is known (`related`).
    contact
}

/// The card's anniversary and other dates as the document stores them. An imported
/// anniversary reminds like a birthday does; other dates (often "other" or a custom
/// label a phone shows but never reminds of) start without a reminder.
pub(crate) fn important_dates(c: &ParsedContact) -> impl Iterator<Item = ImportantDate> + '_ {
    let anniversary = c.anniversary.map(|d| ("anniversary", d, true));
    let others = c.dates.iter().map(|d| (d.label.as_str(), d.date, false));
    anniversary.into_iter().chain(others).map(|(label, d, remind)| ImportantDate {
        label: label.to_owned(),
        month: d.month,
        day: d.day,
        year: d.year,
        remind,
    })
}

/// Whether `dates` already holds `d`: the same day and month under the same label (case
/// aside), with the same year or one of them without a year. A date the user edited
/// into a different day is a different date; one imported twice is not.
pub(crate) fn has_date<'a>(dates: impl IntoIterator<Item = &'a ImportantDate>, d: &ImportantDate) -> bool {
    dates.into_iter().any(|x| {
        x.month == d.month
            && x.day == d.day
            && (x.year == d.year || x.year.is_none() || d.year.is_none())
            && x.label.to_lowercase() == d.label.to_lowercase()
    })
}

/// Entries with fresh keys, dropping empty values and repeats of the same key.
fn dedup(
    items: impl Iterator<Item = LabeledValue>,
    key: impl Fn(&LabeledValue) -> Option<String>,
) -> BTreeMap<String, LabeledValue> {
    let mut seen = std::collections::HashSet::new();
    items
        .filter(|v| !v.value.is_empty())
        .filter(|v| seen.insert(key(v).unwrap_or_else(|| v.value.clone())))
        .map(|v| (new_entry_key(), v))
        .collect()
}
