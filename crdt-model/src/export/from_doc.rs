//! Contacts of a document as vCard records, so the one vCard writer serves both the
//! import round-trip tests and the export of a user's address book.

use chrono::{DateTime, Utc};

use crate::import::{Labeled, LabeledDate, LabeledName, ParsedAddress, ParsedContact, ParsedName, ParsedPhoto, PartialDate};
use super::card_source::CardSource;
use crate::schema::{Contact, KithDoc, LabeledValue, RelationshipKind};

/// Every contact not merged into another (archived ones too: an export is a backup),
/// oldest first, as one vCard 3.0 file. Each card's UID is the Kith contact id, so
/// importing the file back into the same account matches instead of duplicating.
pub fn export_vcards(doc: &KithDoc) -> String {
    let mut contacts: Vec<&Contact> = doc.contacts.values().filter(|c| doc.resolve(c.id) == c.id).collect();
    contacts.sort_by_key(|c| (c.created_at, c.id));
    let source = CardSource::new(doc);
    let cards: Vec<ParsedContact> = contacts.into_iter().map(|c| card_of(&source, c)).collect();
    super::write_vcards(&cards)
}

fn labeled(items: &std::collections::BTreeMap<String, LabeledValue>) -> Vec<Labeled> {
    items.values().map(|v| Labeled { label: v.label.clone(), value: v.value.clone() }).collect()
}

fn non_empty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_owned())
}

/// One contact as a card. For many cards of one document, index it once with
/// [`CardSource::new`] and use [`card_of`].
pub fn to_card(doc: &KithDoc, c: &Contact) -> ParsedContact {
    card_of(&CardSource::new(doc), c)
}

/// One contact as a card. Notes become the NOTE (oldest first, blank-line separated).
pub fn card_of(source: &CardSource<'_>, c: &Contact) -> ParsedContact {
    let mut notes: Vec<(DateTime<Utc>, String)> =
        source.notes_for(c).iter().map(|n| (n.created_at, n.body.as_str().to_owned())).collect();
    notes.sort();
    let note: Vec<String> = notes.into_iter().map(|(_, b)| b).filter(|b| !b.trim().is_empty()).collect();
    let photo = c.photo.as_ref().and_then(|p| match (&p.bytes, &p.url) {
        (Some(b), _) if !b.is_empty() => Some(ParsedPhoto::Inline { mime: p.mime.clone(), bytes: b.to_vec() }),
        (_, Some(u)) if !u.trim().is_empty() => Some(ParsedPhoto::Url(u.clone())),
        _ => None,
    });
    let (anniversary, dates) = dates(c);
    let (unmodeled, [middle, prefix, suffix]) = crate::import::unmodeled::from_doc(&c.unmodeled);
    ParsedContact {
        name: ParsedName {
            display: display_name(c),
            given: c.name.given.clone(),
            family: c.name.family.clone(),
            middle,
            prefix,
            suffix,
        },
        nickname: non_empty(&c.nickname),
        org: non_empty(&c.company),
        department: non_empty(&c.department),
        title: non_empty(&c.title),
        emails: labeled(&c.emails),
        phones: labeled(&c.phones),
        addresses: c
            .addresses
            .values()
            .map(|a| ParsedAddress {
                label: a.label.clone(),
                street: a.street.clone(),
                city: a.city.clone(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                country: a.country.clone(),
            })
            .collect(),
        urls: labeled(&c.urls),
        birthday: c.birthday.map(|b| PartialDate { year: b.year, month: b.month, day: b.day }),
        anniversary,
        dates,
        related: related(source, c),
        pronouns: non_empty(&c.pronouns),
        categories: c.tag_names().map(str::to_owned).collect(),
        uid: Some(c.id.to_string()),
        photo,
        note: (!note.is_empty()).then(|| note.join("\n\n")),
        unmodeled,
    }
}

/// The first date labelled "anniversary" is the card's anniversary, the others are
/// labelled dates (vCard 3.0 writes both as iPhone `X-ABDATE`s).
fn dates(c: &Contact) -> (Option<PartialDate>, Vec<LabeledDate>) {
    let mut anniversary = None;
    let mut others = Vec::new();
    for d in c.dates.values() {
        let date = PartialDate { year: d.year, month: d.month, day: d.day };
        if anniversary.is_none() && d.label == "anniversary" {
            anniversary = Some(date);
        } else {
            others.push(LabeledDate { label: d.label.clone(), date });
        }
    }
    (anniversary, others)
}

/// Linked relationships by the other person's name and what they are to `c` (so a fresh
/// import of the file links them again), then the names never linked.
fn related(source: &CardSource<'_>, c: &Contact) -> Vec<LabeledName> {
    let mut linked: Vec<LabeledName> = source
        .relationships_of(c)
        .iter()
        .filter_map(|(other, kind, r)| {
            let other = source.doc().contacts.get(other)?;
            let label = match kind {
                RelationshipKind::Other if !r.label.trim().is_empty() => r.label.clone(),
                kind => kind.as_str().to_owned(),
            };
            Some(LabeledName { label, name: display_name(other) })
        })
        .collect();
    linked.sort_by(|a, b| (&a.name, &a.label).cmp(&(&b.name, &b.label)));
    linked.dedup();
    linked.extend(c.related_names.values().map(|r| LabeledName { label: r.label.clone(), name: r.name.clone() }));
    linked
}

/// A card must have a name to be read back; a contact without a display name gets one
/// from its other fields.
fn display_name(c: &Contact) -> String {
    if !c.name.display.trim().is_empty() {
        return c.name.display.clone();
    }
    let composed = format!("{} {}", c.name.given.trim(), c.name.family.trim());
    let fallbacks = [composed.trim(), c.nickname.trim(), c.company.trim()];
    let first_value = |m: &std::collections::BTreeMap<String, LabeledValue>| m.values().map(|v| v.value.trim().to_owned()).find(|v| !v.is_empty());
    let found = fallbacks.into_iter().find(|s| !s.is_empty()).map(str::to_owned);
    found
        .or_else(|| first_value(&c.emails))
        .or_else(|| first_value(&c.phones))
        .unwrap_or_else(|| "(no name)".to_owned())
}
