//! A card that replaces a contact's card (CardDAV `PUT`): the card is the whole truth about
//! everything a card can say, so what it no longer has goes (unlike import, which only adds).
//! Everything a card cannot say — cadence, snooze, how we met, interactions, linked
//! relationships, the contact's id and history — stays. One Automerge change.
//!
//! Fields map exactly as import maps them (`to_doc::new_contact`: labels, `itemN.X-ABLabel`,
//! photos, birthdays without a year, dates, URLs, related names, unmodeled lines). Entries
//! whose value did not change keep their keys, so a device editing one of them meanwhile
//! merges instead of losing its edit.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, Value};
use autosurgeon::{hydrate_prop, reconcile_prop};
use chrono::{DateTime, Utc};

use super::types::{LabeledName, ParsedContact};
use super::{to_doc, write};
use crate::error::ModelError;
use crate::ids::{ContactId, NoteId};
use crate::schema::{Contact, RelatedName, Source, SourceKind};

/// What the server knows about the contact a card replaces.
pub struct Current<'a> {
    pub id: ContactId,
    /// The card as Kith serves it now (`export::to_card`): tells which related names come
    /// from linked relationships and what the NOTE said.
    pub rendered: &'a ParsedContact,
    /// The contact's notes, oldest first.
    pub notes: &'a [NoteId],
}

/// Writes `card` as the contact `current` names (or a new contact at `href` when `None`),
/// as one change committed at `now`. Returns the contact's id.
pub fn put_card(
    doc: &mut Automerge,
    current: Option<Current<'_>>,
    card: &ParsedContact,
    href: &str,
    now: DateTime<Utc>,
) -> Result<ContactId, ModelError> {
    let message = if current.is_some() { "CardDAV: edit contact" } else { "CardDAV: add contact" };
    let mut tx = doc.transaction();
    let result = write_card(&mut tx, current, card, href, now);
    match result {
        Ok(id) => {
            if tx.pending_ops() == 0 {
                tx.rollback();
            } else {
                let options = automerge::transaction::CommitOptions::default()
                    .with_message(message.to_owned())
                    .with_time(now.timestamp());
                tx.commit_with(options);
            }
            Ok(id)
        }
        Err(e) => {
            tx.rollback();
            Err(e)
        }
    }
}

fn write_card(
    tx: &mut automerge::transaction::Transaction<'_>,
    current: Option<Current<'_>>,
    card: &ParsedContact,
    href: &str,
    now: DateTime<Utc>,
) -> Result<ContactId, ModelError> {
    let contacts = crate::ops::collection(tx, "contacts")?;
    let uid = to_doc::uid(card).map(str::to_owned);
    let source = uid.as_ref().map(|u| {
        (format!("{}:{u}", SourceKind::Carddav.as_str()), Source { kind: SourceKind::Carddav, uid: u.clone(), imported_at: now })
    });
    let Some(current) = current else {
        let id = ContactId::new_random();
        let mut contact = to_doc::new_contact(id, card, source.unwrap_or_default_source(now), now);
        contact.dav_href = href.to_owned();
        contact.related_names = related_names(&card.related, &[], &BTreeMap::new());
        write::new_contact(tx, &contacts, &contact)?;
        if let Some(body) = card.note.as_deref().filter(|b| !b.trim().is_empty()) {
            let notes = crate::ops::collection(tx, "notes")?;
            write::new_note(tx, &notes, NoteId::new_random(), id, body, now)?;
        }
        return Ok(id);
    };
    let id = current.id;
    let old: Contact = hydrate_prop(&*tx, &contacts, id.to_string().as_str())
        .map_err(|e| ModelError::Malformed(format!("contact {id}: {e}")))?;
    let mut new = to_doc::new_contact(id, card, source.clone().unwrap_or_default_source(now), now);
    // What a card cannot say stays as it was.
    new.created_at = old.created_at;
    new.how_we_met = old.how_we_met.clone();
    new.cadence_days = old.cadence_days;
    new.cadence_set_at = old.cadence_set_at;
    new.snoozed_until = old.snoozed_until;
    new.merged_into = old.merged_into;
    new.archived = false;
    new.dav_href = old.dav_href.clone();
    new.sources = old.sources.clone();
    if let Some((key, src)) = source {
        // The first time a UID is seen its source is recorded; later PUTs leave it be.
        new.sources.entry(key).or_insert(src);
    }
    new.emails = keep_keys(&old.emails, new.emails);
    new.phones = keep_keys(&old.phones, new.phones);
    new.urls = keep_keys(&old.urls, new.urls);
    new.addresses = keep_keys(&old.addresses, new.addresses);
    new.dates = keep_keys_by(&old.dates, new.dates, |a, b| {
        a.label == b.label && a.month == b.month && a.day == b.day && a.year == b.year
    });
    // Related names that Kith renders from linked relationships are not stored again.
    let linked: Vec<&LabeledName> =
        current.rendered.related.iter().filter(|r| !old.related_names.values().any(|o| o.name == r.name && o.label == r.label)).collect();
    new.related_names = related_names(&card.related, &linked, &old.related_names);
    if old == new {
        // Nothing the card says differs (a client re-sending what it got).
    } else {
        reconcile_prop(tx, &contacts, id.to_string().as_str(), &new)?;
    }
    write_note(tx, &current, card, id, now)?;
    Ok(id)
}

trait OrDefaultSource {
    fn unwrap_or_default_source(self, now: DateTime<Utc>) -> (String, Source);
}

impl OrDefaultSource for Option<(String, Source)> {
    /// A card without a UID still records where it came from.
    fn unwrap_or_default_source(self, now: DateTime<Utc>) -> (String, Source) {
        self.unwrap_or_else(|| {
            ("carddav:".to_owned(), Source { kind: SourceKind::Carddav, uid: String::new(), imported_at: now })
        })
    }
}

fn related_names(
    card: &[LabeledName],
    linked: &[&LabeledName],
    old: &BTreeMap<String, RelatedName>,
) -> BTreeMap<String, RelatedName> {
    let fresh = card
        .iter()
        .filter(|r| !LabeledName::is_link(&r.name) && !linked.iter().any(|l| l.name == r.name && l.label == r.label))
        .map(|r| (crate::ops::new_entry_key(), RelatedName { label: r.label.clone(), name: r.name.clone() }))
        .collect();
    keep_keys(old, fresh)
}

fn keep_keys<V: PartialEq + Clone>(old: &BTreeMap<String, V>, new: BTreeMap<String, V>) -> BTreeMap<String, V> {
    keep_keys_by(old, new, |a, b| a == b)
}

/// `new`'s entries, each under the key of an equal old entry when there is one (the old
/// value is kept then: it may carry what the card cannot say, like a date's reminder flag).
fn keep_keys_by<V: Clone>(
    old: &BTreeMap<String, V>,
    new: BTreeMap<String, V>,
    same: impl Fn(&V, &V) -> bool,
) -> BTreeMap<String, V> {
    let mut unused: Vec<(&String, &V)> = old.iter().collect();
    let mut out = BTreeMap::new();
    for (key, value) in new {
        match unused.iter().position(|(_, o)| same(o, &value)) {
            Some(i) => {
                let (k, o) = unused.remove(i);
                out.insert(k.clone(), o.clone());
            }
            None => {
                out.insert(key, value);
            }
        }
    }
    out
}

/// The card's NOTE: unchanged → nothing; the contact has no note → one is added; exactly
/// one note → its text becomes the card's (a text edit, so concurrent edits merge). With
/// several notes Kith shows them joined, and a phone's edit of the joined text is added as
/// a new note rather than guessed back into pieces.
fn write_note(
    tx: &mut automerge::transaction::Transaction<'_>,
    current: &Current<'_>,
    card: &ParsedContact,
    id: ContactId,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    let new = card.note.as_deref().unwrap_or("").trim();
    let old = current.rendered.note.as_deref().unwrap_or("").trim();
    if new == old || new.is_empty() {
        return Ok(());
    }
    let notes = crate::ops::collection(tx, "notes")?;
    if let [only] = current.notes {
        if let Some((Value::Object(ObjType::Map), note)) = tx.get(&notes, only.to_string())? {
            if let Some((Value::Object(ObjType::Text), body)) = tx.get(&note, "body")? {
                tx.update_text(&body, new)?;
                return Ok(());
            }
        }
    }
    let added = new.strip_prefix(old).map(str::trim).filter(|rest| !old.is_empty() && !rest.is_empty()).unwrap_or(new);
    write::new_note(tx, &notes, NoteId::new_random(), id, added, now)?;
    Ok(())
}
