//! A parsed card in the document's terms: the values a new contact gets, and the source
//! key that recognises the same card when the file is imported again.

use std::collections::BTreeMap;

use autosurgeon::bytes::ByteVec;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::types::{FileKind, ParsedContact, ParsedPhoto, PartialDate};
use crate::ids::ContactId;
use crate::ops::new_entry_key;
use crate::schema::{Address, Birthday, Contact, LabeledValue, Name, Photo, Source, SourceKind};

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
    contact
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
