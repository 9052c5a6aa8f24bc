//! Contact operations: create, update, archive, cadence, snooze.

use std::collections::BTreeMap;

use automerge::ReadDoc as _;
use automerge::transaction::{Transactable, Transaction};
use automerge::{Automerge, ObjId, ScalarValue};
use autosurgeon::reconcile_prop;
use chrono::{DateTime, NaiveDate, Utc};

use super::{collection, delete_if_present, ensure_map, get_map, opt_ts, put_if_changed, transact};
use crate::error::ModelError;
use crate::ids::ContactId;
use crate::schema::{Address, Birthday, Contact, LabeledValue, Name, Photo, Source};

/// Everything a user (or an import) can fill in when creating a contact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactDraft {
    pub name: Name,
    pub nickname: String,
    pub company: String,
    pub title: String,
    pub emails: Vec<LabeledValue>,
    pub phones: Vec<LabeledValue>,
    pub addresses: Vec<Address>,
    pub birthday: Option<Birthday>,
    pub tags: Vec<String>,
    pub how_we_met: String,
    pub photo: Option<Photo>,
    pub cadence_days: Option<u32>,
    /// Keyed by a stable source key such as `vcard:<uid>`.
    pub sources: BTreeMap<String, Source>,
}

/// A partial update: `None` / empty means "leave as is".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactPatch {
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub nickname: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub how_we_met: Option<String>,
    /// `Some(None)` clears the birthday.
    pub birthday: Option<Option<Birthday>>,
    /// `Some(None)` removes the photo.
    pub photo: Option<Option<Photo>>,
    /// Entry key → value; a new key adds an entry (use [`new_entry_key`]).
    pub upsert_emails: BTreeMap<String, LabeledValue>,
    pub remove_emails: Vec<String>,
    pub upsert_phones: BTreeMap<String, LabeledValue>,
    pub remove_phones: Vec<String>,
    pub upsert_addresses: BTreeMap<String, Address>,
    pub remove_addresses: Vec<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub upsert_sources: BTreeMap<String, Source>,
}

/// A fresh key for an email/phone/address entry.
pub fn new_entry_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Creates a contact with a fresh random id and returns the id.
pub fn create_contact(
    doc: &mut Automerge,
    draft: ContactDraft,
    now: DateTime<Utc>,
) -> Result<ContactId, ModelError> {
    let id = ContactId::new_random();
    insert_contact(doc, id, draft, now)?;
    Ok(id)
}

/// Creates a contact under a caller-chosen id (deterministic tests, imports that derive
/// ids). Fails with `InvalidInput` if the id is taken.
pub fn insert_contact(
    doc: &mut Automerge,
    id: ContactId,
    draft: ContactDraft,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    validate_birthday(draft.birthday)?;
    validate_cadence(draft.cadence_days)?;
    let message = format!("Add contact {}", excerpt(&draft.name.display));
    let mut contact = Contact::new(id, "", now);
    contact.name = draft.name;
    contact.nickname = draft.nickname;
    contact.company = draft.company;
    contact.title = draft.title;
    contact.emails = draft.emails.into_iter().map(|e| (new_entry_key(), e)).collect();
    contact.phones = draft.phones.into_iter().map(|p| (new_entry_key(), p)).collect();
    contact.addresses = draft.addresses.into_iter().map(|a| (new_entry_key(), a)).collect();
    contact.birthday = draft.birthday;
    contact.tags = draft.tags.into_iter().map(|t| (t, true)).collect();
    contact.how_we_met = draft.how_we_met;
    contact.photo = draft.photo;
    contact.cadence_set_at = draft.cadence_days.map(|_| now);
    contact.cadence_days = draft.cadence_days;
    contact.sources = draft.sources;
    transact(doc, message, now, |tx| {
        let contacts = collection(tx, "contacts")?;
        if tx.get(&contacts, id.to_string())?.is_some() {
            return Err(ModelError::InvalidInput(format!("contact {id} already exists")));
        }
        reconcile_prop(tx, &contacts, id.to_string().as_str(), &contact)?;
        Ok(())
    })?;
    Ok(())
}

/// Applies `patch`; returns whether anything changed (an identical patch records no change).
pub fn update_contact(
    doc: &mut Automerge,
    id: ContactId,
    patch: ContactPatch,
    now: DateTime<Utc>,
) -> Result<bool, ModelError> {
    if let Some(b) = patch.birthday {
        validate_birthday(b)?;
    }
    // Messages of frequent operations carry no ids: history is kept forever, and 36 random
    // characters per change would be a large share of a saved document.
    let message = "Edit contact".to_owned();
    let ((), changed) = transact(doc, message, now, |tx| {
        let c = contact_obj(tx, id)?;
        let name_fields = [
            ("display", &patch.display_name),
            ("given", &patch.given_name),
            ("family", &patch.family_name),
        ];
        if name_fields.iter().any(|(_, v)| v.is_some()) {
            let name = ensure_map(tx, &c, "name")?;
            for (key, value) in name_fields {
                if let Some(v) = value {
                    put_if_changed(tx, &name, key, ScalarValue::Str(v.as_str().into()))?;
                }
            }
        }
        for (key, value) in [
            ("nickname", &patch.nickname),
            ("company", &patch.company),
            ("title", &patch.title),
            ("howWeMet", &patch.how_we_met),
        ] {
            if let Some(v) = value {
                put_if_changed(tx, &c, key, ScalarValue::Str(v.as_str().into()))?;
            }
        }
        if let Some(b) = &patch.birthday {
            reconcile_prop(tx, &c, "birthday", b)?;
        }
        if let Some(p) = &patch.photo {
            reconcile_prop(tx, &c, "photo", p)?;
        }
        upsert_entries(tx, &c, "emails", &patch.upsert_emails, &patch.remove_emails)?;
        upsert_entries(tx, &c, "phones", &patch.upsert_phones, &patch.remove_phones)?;
        upsert_entries(tx, &c, "addresses", &patch.upsert_addresses, &patch.remove_addresses)?;
        upsert_entries(tx, &c, "sources", &patch.upsert_sources, &[])?;
        if !patch.add_tags.is_empty() || !patch.remove_tags.is_empty() {
            let tags = ensure_map(tx, &c, "tags")?;
            for t in &patch.add_tags {
                put_if_changed(tx, &tags, t, ScalarValue::Boolean(true))?;
            }
            for t in &patch.remove_tags {
                delete_if_present(tx, &tags, t)?;
            }
        }
        Ok(())
    })?;
    Ok(changed)
}

/// Archives (hides) or unarchives a contact. Nothing is deleted.
pub fn archive_contact(
    doc: &mut Automerge,
    id: ContactId,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    let verb = if archived { "Archive" } else { "Unarchive" };
    transact(doc, format!("{verb} contact {id}"), now, |tx| {
        let c = contact_obj(tx, id)?;
        put_if_changed(tx, &c, "archived", ScalarValue::Boolean(archived))
    })?;
    Ok(())
}

/// Sets (`Some(days)`, at least 1) or clears (`None`) the keep-in-touch cadence. Setting a
/// different cadence also records `cadenceSetAt = now`, the due anchor while there are no
/// interactions; setting the same cadence again changes nothing.
pub fn set_cadence(
    doc: &mut Automerge,
    id: ContactId,
    cadence_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    validate_cadence(cadence_days)?;
    let message = match cadence_days {
        Some(d) => format!("Keep in touch with {id} every {d} days"),
        None => format!("Stop keep-in-touch for {id}"),
    };
    transact(doc, message, now, |tx| {
        let c = contact_obj(tx, id)?;
        let current = match tx.get(&c, "cadenceDays")? {
            Some((automerge::Value::Scalar(s), _)) => crate::num::from_scalar(&s),
            _ => None,
        };
        if current == cadence_days.map(i64::from) {
            return Ok(());
        }
        let value = cadence_days.map_or(ScalarValue::Null, |d| ScalarValue::Int(i64::from(d)));
        tx.put(&c, "cadenceDays", value)?;
        put_if_changed(tx, &c, "cadenceSetAt", opt_ts(cadence_days.map(|_| now)))
    })?;
    Ok(())
}

/// Snoozes reminders for a contact until `until` (`None` ends the snooze). The due time is
/// then never earlier than `until`.
pub fn snooze(
    doc: &mut Automerge,
    id: ContactId,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    let message = match until {
        Some(t) => format!("Snooze {id} until {}", t.to_rfc3339()),
        None => format!("End snooze of {id}"),
    };
    transact(doc, message, now, |tx| {
        let c = contact_obj(tx, id)?;
        put_if_changed(tx, &c, "snoozedUntil", opt_ts(until))
    })?;
    Ok(())
}

/// The object of contact `id`, or `ContactNotFound`.
pub(crate) fn contact_obj(tx: &Transaction<'_>, id: ContactId) -> Result<ObjId, ModelError> {
    let Some(contacts) = get_map(tx, &automerge::ROOT, "contacts")? else {
        return Err(ModelError::ContactNotFound(id));
    };
    get_map(tx, &contacts, &id.to_string())?.ok_or(ModelError::ContactNotFound(id))
}

/// Upserts entries of a keyed sub-map (reconciled per entry, so an unchanged entry writes
/// nothing) and removes the listed keys.
pub(crate) fn upsert_entries<V: autosurgeon::Reconcile>(
    tx: &mut Transaction<'_>,
    contact: &ObjId,
    field: &str,
    upsert: &BTreeMap<String, V>,
    remove: &[String],
) -> Result<(), ModelError> {
    if upsert.is_empty() && remove.is_empty() {
        return Ok(());
    }
    let map = ensure_map(tx, contact, field)?;
    for (key, value) in upsert {
        reconcile_prop(tx, &map, key.as_str(), value)?;
    }
    for key in remove {
        delete_if_present(tx, &map, key)?;
    }
    Ok(())
}

pub(crate) fn validate_birthday(b: Option<Birthday>) -> Result<(), ModelError> {
    let Some(b) = b else { return Ok(()) };
    // Year 2000 is a leap year, so Feb 29 is accepted when the year is unknown.
    let year = b.year.unwrap_or(2000);
    if NaiveDate::from_ymd_opt(year, b.month, b.day).is_none() {
        return Err(ModelError::InvalidInput(format!(
            "birthday {}-{:02}-{:02} is not a date",
            year, b.month, b.day
        )));
    }
    Ok(())
}

fn validate_cadence(days: Option<u32>) -> Result<(), ModelError> {
    match days {
        Some(0) => Err(ModelError::InvalidInput("cadence must be at least 1 day".into())),
        Some(d) if d > 36_500 => Err(ModelError::InvalidInput("cadence is over 100 years".into())),
        _ => Ok(()),
    }
}

pub(crate) fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
