//! A contact's v2 memory fields: important dates, URLs, department, pronouns.

use automerge::transaction::Transactable;
use automerge::{Automerge, ScalarValue};
use autosurgeon::reconcile_prop;
use chrono::{DateTime, Utc};

use super::contact::{contact_obj, new_entry_key, validate_birthday};
use super::{ensure_map, get_map, put_if_changed, transact};
use crate::error::ModelError;
use crate::ids::ContactId;
use crate::limits::{check_len, MAX_FIELD_CHARS, MAX_URL_CHARS};
use crate::schema::{ImportantDate, LabeledValue};

/// Adds an important date (anniversary, ...) and returns its entry key in `dates`.
pub fn add_important_date(
    doc: &mut Automerge,
    contact: ContactId,
    date: ImportantDate,
    now: DateTime<Utc>,
) -> Result<String, ModelError> {
    let key = new_entry_key();
    put_important_date(doc, contact, &key, date, now, true)?;
    Ok(key)
}

/// Changes an existing important date (label, date, remind); only changed fields are written.
pub fn update_important_date(
    doc: &mut Automerge,
    contact: ContactId,
    key: &str,
    date: ImportantDate,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    put_important_date(doc, contact, key, date, now, false)
}

fn put_important_date(
    doc: &mut Automerge,
    contact: ContactId,
    key: &str,
    date: ImportantDate,
    now: DateTime<Utc>,
    new: bool,
) -> Result<(), ModelError> {
    validate_birthday(Some(date.as_birthday()))?;
    check_len("label", &date.label, MAX_FIELD_CHARS)?;
    let message = if new { "Add important date" } else { "Edit important date" };
    transact(doc, message.to_owned(), now, |tx| {
        let c = contact_obj(tx, contact)?;
        let dates = ensure_map(tx, &c, "dates")?;
        if !new && get_map(tx, &dates, key)?.is_none() {
            return Err(not_found(contact, "dates", key));
        }
        reconcile_prop(tx, &dates, key, &date)?;
        Ok(())
    })?;
    Ok(())
}

/// Removes an important date.
pub fn remove_important_date(
    doc: &mut Automerge,
    contact: ContactId,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    remove_entry(doc, contact, "dates", key, "Remove important date", now)
}

/// Adds a website or social profile (`value` non-empty; `javascript:`-like schemes refused,
/// since clients render it as a link) and returns its entry key in `urls`.
pub fn add_url(
    doc: &mut Automerge,
    contact: ContactId,
    url: LabeledValue,
    now: DateTime<Utc>,
) -> Result<String, ModelError> {
    validate_url(&url)?;
    let key = new_entry_key();
    transact(doc, "Add link".to_owned(), now, |tx| {
        let c = contact_obj(tx, contact)?;
        let urls = ensure_map(tx, &c, "urls")?;
        reconcile_prop(tx, &urls, key.as_str(), &url)?;
        Ok(())
    })?;
    Ok(key)
}

/// Removes a website or social profile.
pub fn remove_url(doc: &mut Automerge, contact: ContactId, key: &str, now: DateTime<Utc>) -> Result<(), ModelError> {
    remove_entry(doc, contact, "urls", key, "Remove link", now)
}

/// Sets the department ("" clears it).
pub fn set_department(doc: &mut Automerge, contact: ContactId, department: &str, now: DateTime<Utc>) -> Result<(), ModelError> {
    set_short_field(doc, contact, "department", department, now)
}

/// Sets the pronouns ("" clears them).
pub fn set_pronouns(doc: &mut Automerge, contact: ContactId, pronouns: &str, now: DateTime<Utc>) -> Result<(), ModelError> {
    set_short_field(doc, contact, "pronouns", pronouns, now)
}

fn set_short_field(
    doc: &mut Automerge,
    contact: ContactId,
    field: &'static str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    check_len(field, value, MAX_FIELD_CHARS)?;
    transact(doc, "Edit contact".to_owned(), now, |tx| {
        let c = contact_obj(tx, contact)?;
        put_if_changed(tx, &c, field, ScalarValue::Str(value.into()))
    })?;
    Ok(())
}

fn remove_entry(
    doc: &mut Automerge,
    contact: ContactId,
    field: &'static str,
    key: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    transact(doc, message.to_owned(), now, |tx| {
        let c = contact_obj(tx, contact)?;
        let map = get_map(tx, &c, field)?.ok_or_else(|| not_found(contact, field, key))?;
        if get_map(tx, &map, key)?.is_none() {
            return Err(not_found(contact, field, key));
        }
        tx.delete(&map, key)?;
        Ok(())
    })?;
    Ok(())
}

fn not_found(contact: ContactId, field: &'static str, key: &str) -> ModelError {
    ModelError::EntryNotFound { contact, field, key: key.chars().take(64).collect() }
}

fn validate_url(url: &LabeledValue) -> Result<(), ModelError> {
    check_len("label", &url.label, MAX_FIELD_CHARS)?;
    check_len("URL", &url.value, MAX_URL_CHARS)?;
    let value = url.value.trim();
    if value.is_empty() {
        return Err(ModelError::InvalidInput("the URL is empty".into()));
    }
    // A scheme that runs code or embeds a document when clicked is never a profile link.
    let lower: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).take(16).collect::<String>().to_lowercase();
    if ["javascript:", "vbscript:", "data:"].iter().any(|s| lower.starts_with(s)) {
        return Err(ModelError::InvalidInput("this kind of URL cannot be stored as a link".into()));
    }
    Ok(())
}
