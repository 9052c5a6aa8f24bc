//! Applying a parsed file to a document: one Automerge change for the whole file, or none
//! at all when the file adds nothing (re-importing the same file leaves the heads as they
//! were).
//!
//! Each card is matched before anything is created: same import source (UID, or a
//! fingerprint for cards without one), else a normalized email, else an E.164 phone. A
//! matched contact only gains what it lacks — new emails, phones, addresses, tags, empty
//! fields filled — and nothing the user has set is overwritten. A card that matches nobody
//! but has the name of an existing contact is created and reported as a merge suggestion;
//! merging is the user's decision.

use std::time::Instant;

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, ObjId, ScalarValue};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::index::{has_address, has_email, has_phone, Index};
use super::{related, to_doc};
use super::types::{CardIssue, FileKind, ParsedContact, ParsedFile};
use super::write;
use crate::error::ModelError;
use crate::ids::{ContactId, NoteId};
use crate::ops::{ensure_map, get_map, new_entry_key};
use crate::schema::Source;

/// What an import did, card by card summed up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Cards that became new contacts.
    pub created: usize,
    /// Cards that matched an existing contact and added something to it.
    pub updated: usize,
    /// Cards that matched an existing contact that already had everything they say.
    pub unchanged: usize,
    /// The existing people the `updated` cards changed (each once, in file order), so a
    /// preview can say whom an import would touch.
    pub updated_people: Vec<UpdatedPerson>,
    /// New contacts that share a name with an existing one: the user may merge them.
    pub merge_suggestions: Vec<ImportSuggestion>,
    /// Cards or rows that could not be read (nothing of them was imported).
    pub errors: Vec<CardIssue>,
    /// Parts of cards that were dropped (e.g. an oversized photo); the card was imported.
    pub warnings: Vec<CardIssue>,
}

/// An existing contact an import changed (or, in a dry run, would change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdatedPerson {
    pub contact_id: ContactId,
    pub name: String,
}

/// "The contact just created from card `index` may be `existing_id`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSuggestion {
    pub index: usize,
    pub line: usize,
    pub contact_id: ContactId,
    pub existing_id: ContactId,
    pub name: String,
}

/// Why applying a file failed; nothing of it was applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The deadline passed before every card was matched and written.
    #[error("the import took too long and was stopped; nothing was imported")]
    TimedOut,
}

/// Applies `file` to `doc` as one change committed at `now`. On error nothing is applied.
/// The phone region for numbers without a country code is the document's `settings.region`.
pub fn apply_import(doc: &mut Automerge, file: &ParsedFile, now: DateTime<Utc>) -> Result<ImportReport, ModelError> {
    apply_import_until(doc, file, now, None).map_err(|e| match e {
        ApplyError::Model(e) => e,
        // Without a deadline there is no time-out.
        ApplyError::TimedOut => ModelError::InvalidInput("import timed out".to_owned()),
    })
}

/// [`apply_import`], giving up (and applying nothing) once `deadline` has passed; it is
/// checked before each card.
pub fn apply_import_until(
    doc: &mut Automerge,
    file: &ParsedFile,
    now: DateTime<Utc>,
    deadline: Option<Instant>,
) -> Result<ImportReport, ApplyError> {
    let region = crate::matching::doc_region(doc);
    let mut index = Index::new(crate::load(doc).doc, region);
    let mut report = ImportReport { errors: file.errors.clone(), warnings: file.warnings.clone(), ..Default::default() };
    let mut tx = doc.transaction();
    match apply_all(&mut tx, &mut index, file, now, deadline, &mut report) {
        Ok(()) => {}
        Err(e) => {
            tx.rollback();
            return Err(e);
        }
    }
    if tx.pending_ops() == 0 {
        tx.rollback();
    } else {
        let kind = match file.kind {
            FileKind::Vcard => "vCard",
            FileKind::Csv => "CSV",
        };
        let message = format!(
            "Import {kind} file: {} created, {} updated",
            report.created, report.updated
        );
        // Change times are seconds since the epoch, as the JS client writes them.
        tx.commit_with(CommitOptions::default().with_message(message).with_time(now.timestamp()));
    }
    Ok(report)
}

fn apply_all(
    tx: &mut Transaction<'_>,
    index: &mut Index,
    file: &ParsedFile,
    now: DateTime<Utc>,
    deadline: Option<Instant>,
    report: &mut ImportReport,
) -> Result<(), ApplyError> {
    let contacts = crate::ops::collection(tx, "contacts")?;
    let notes = crate::ops::collection(tx, "notes")?;
    // Per card: whether it matched a contact that it left unchanged (so far).
    let mut unchanged = Vec::with_capacity(file.contacts.len());
    // Per card: the existing contact it matched, if any.
    let mut matched: Vec<Option<ContactId>> = Vec::with_capacity(file.contacts.len());
    let mut pending = Vec::new();
    for (card_no, entry) in file.contacts.iter().enumerate() {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(ApplyError::TimedOut);
        }
        let card = &entry.contact;
        let (key, uid) = to_doc::source_key(file.kind, card);
        let source = Source { kind: to_doc::source_kind(file.kind), uid, imported_at: now };
        let id = match index.find(&key, card) {
            Some(id) => {
                matched.push(Some(id));
                if update(tx, &contacts, &notes, index, id, card, (key, source), now)? {
                    report.updated += 1;
                    unchanged.push(false);
                } else {
                    report.unchanged += 1;
                    unchanged.push(true);
                }
                id
            }
            None => {
                let id = ContactId::new_random();
                let mut contact = to_doc::new_contact(id, card, (key, source), now);
                contact.tags = index.spell_tags(std::mem::take(&mut contact.tags));
                write::new_contact(tx, &contacts, &contact)?;
                if let Some(existing) = index.same_name(&contact.name.display) {
                    report.merge_suggestions.push(ImportSuggestion {
                        index: entry.index,
                        line: entry.line,
                        contact_id: id,
                        existing_id: existing,
                        name: contact.name.display.clone(),
                    });
                }
                index.put(contact);
                matched.push(None);
                add_note(tx, &notes, index, id, card, now)?;
                report.created += 1;
                unchanged.push(false);
                id
            }
        };
        pending.extend(card.related.iter().map(|r| related::Pending {
            card: card_no,
            contact: id,
            label: r.label.clone(),
            name: r.name.clone(),
        }));
    }
    // Related names last: they may name a person a later card of the file creates.
    for card_no in related::apply(tx, &contacts, index, pending)? {
        if unchanged.get(card_no).copied().unwrap_or(false) {
            unchanged[card_no] = false;
            report.unchanged -= 1;
            report.updated += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (card_no, id) in matched.iter().enumerate() {
        let Some(id) = *id else { continue };
        if unchanged.get(card_no).copied().unwrap_or(true) || !seen.insert(id) {
            continue;
        }
        let name = index.doc.contacts.get(&id).map(|c| c.name.display.clone()).unwrap_or_default();
        report.updated_people.push(UpdatedPerson { contact_id: id, name });
    }
    Ok(())
}

fn add_note(
    tx: &mut Transaction<'_>,
    notes: &ObjId,
    index: &mut Index,
    id: ContactId,
    card: &ParsedContact,
    now: DateTime<Utc>,
) -> Result<bool, ModelError> {
    let Some(body) = card.note.as_deref().filter(|b| !b.trim().is_empty()) else { return Ok(false) };
    if index.has_note(id, body) {
        return Ok(false);
    }
    write::new_note(tx, notes, NoteId::new_random(), id, body, now)?;
    index.note_added(id, body);
    Ok(true)
}

/// Adds to contact `id` what the card has and the contact lacks. Returns whether anything
/// was written.
#[allow(clippy::too_many_arguments)]
fn update(
    tx: &mut Transaction<'_>,
    contacts: &ObjId,
    notes: &ObjId,
    index: &mut Index,
    id: ContactId,
    card: &ParsedContact,
    (key, source): (String, Source),
    now: DateTime<Utc>,
) -> Result<bool, ModelError> {
    let Some(mut c) = index.doc.contacts.get(&id).cloned() else { return Ok(false) };
    // Looked up on the first write only: most re-imported cards write nothing.
    let mut found = None;
    let mut obj = |tx: &Transaction<'_>| -> Result<ObjId, ModelError> {
        if let Some(o) = &found {
            return Ok(Clone::clone(o));
        }
        let o = get_map(tx, contacts, &id.to_string())?.ok_or(ModelError::ContactNotFound(id))?;
        found = Some(o.clone());
        Ok(o)
    };
    let mut changed = false;

    let mut new = to_doc::new_contact(id, card, (key.clone(), source.clone()), now);
    new.tags = index.spell_tags(std::mem::take(&mut new.tags));
    for (field, current, value) in [
        ("display", &mut c.name.display, &new.name.display),
        ("given", &mut c.name.given, &new.name.given),
        ("family", &mut c.name.family, &new.name.family),
    ] {
        if current.trim().is_empty() && !value.trim().is_empty() {
            let o = obj(tx)?;
            let name = ensure_map(tx, &o, "name")?;
            tx.put(&name, field, ScalarValue::Str(value.as_str().into()))?;
            value.clone_into(current);
            changed = true;
        }
    }
    for (field, current, value) in [
        ("nickname", &mut c.nickname, &new.nickname),
        ("company", &mut c.company, &new.company),
        ("title", &mut c.title, &new.title),
    ] {
        if current.trim().is_empty() && !value.trim().is_empty() {
            let o = obj(tx)?;
            tx.put(&o, field, ScalarValue::Str(value.as_str().into()))?;
            value.clone_into(current);
            changed = true;
        }
    }
    for e in new.emails.values() {
        if !has_email(&c, &e.value) {
            let k = new_entry_key();
            let o = obj(tx)?;
            let map = ensure_map(tx, &o, "emails")?;
            write::labeled(tx, &map, &k, e)?;
            c.emails.insert(k, e.clone());
            changed = true;
        }
    }
    for p in new.phones.values() {
        if !has_phone(&c, &p.value, index.region) {
            let k = new_entry_key();
            let o = obj(tx)?;
            let map = ensure_map(tx, &o, "phones")?;
            write::labeled(tx, &map, &k, p)?;
            c.phones.insert(k, p.clone());
            changed = true;
        }
    }
    for a in new.addresses.values() {
        if !has_address(&c, a) {
            let k = new_entry_key();
            let o = obj(tx)?;
            let map = ensure_map(tx, &o, "addresses")?;
            write::address(tx, &map, &k, a)?;
            c.addresses.insert(k, a.clone());
            changed = true;
        }
    }
    if c.birthday.is_none() && new.birthday.is_some() {
        let o = obj(tx)?;
        write::birthday(tx, &o, new.birthday)?;
        c.birthday = new.birthday;
        changed = true;
    }
    if c.photo.is_none() && new.photo.is_some() {
        let o = obj(tx)?;
        write::photo(tx, &o, new.photo.as_ref())?;
        c.photo = new.photo.clone();
        changed = true;
    }
    changed |= super::apply_memory::update(tx, &mut obj, &mut c, &new)?;
    // A tag the user removed is stored as `false`; only tags never seen are added.
    for tag in new.tags.keys() {
        if !c.tags.contains_key(tag) {
            let o = obj(tx)?;
            let map = ensure_map(tx, &o, "tags")?;
            tx.put(&map, tag.as_str(), ScalarValue::Boolean(true))?;
            c.tags.insert(tag.clone(), true);
            changed = true;
        }
    }
    // A card from our own export names the contact by its id: that is no new source.
    let own = index.own_id(card) == Some(id);
    if !own && !c.sources.contains_key(&key) {
        let o = obj(tx)?;
        let map = ensure_map(tx, &o, "sources")?;
        write::source(tx, &map, &key, &source)?;
        c.sources.insert(key, source);
        changed = true;
    }
    if changed {
        index.put(c);
    }
    changed |= add_note(tx, notes, index, id, card, now)?;
    Ok(changed)
}
