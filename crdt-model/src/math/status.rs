//! Due time and status (the green / orange / red people keep in spreadsheets).

use chrono::{DateTime, Duration, Utc};

use super::last_contacted::{last_contacted_index, LastContacted};
use crate::ids::ContactId;
use crate::schema::{Contact, KithDoc};

/// Where a keep-in-touch relationship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Green: not due for a while.
    Ok,
    /// Orange: due within 20% of the cadence (at least one day).
    DueSoon,
    /// Red: the due time has passed.
    Overdue,
}

/// The computed state of one contact with a cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactStatus {
    pub contact: ContactId,
    pub last_contacted: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    pub status: Status,
}

/// When `contact` is next due: (last interaction, or when the cadence was set, or when the
/// contact was created) + cadence, but never before a snooze ends. `None` without cadence.
pub fn due_at(contact: &Contact, last_contacted: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let days = contact.cadence_days?;
    let anchor = last_contacted.or(contact.cadence_set_at).unwrap_or(contact.created_at);
    let due = anchor.checked_add_signed(Duration::days(i64::from(days)))?;
    Some(match contact.snoozed_until {
        Some(until) if until > due => until,
        _ => due,
    })
}

/// Overdue once `now` reaches `due`; due soon within max(20% of the cadence, 1 day) before.
pub fn status_at(due: DateTime<Utc>, cadence_days: u32, now: DateTime<Utc>) -> Status {
    if now >= due {
        return Status::Overdue;
    }
    let window_secs = (i64::from(cadence_days) * 86_400 / 5).max(86_400);
    if due - now <= Duration::seconds(window_secs) {
        Status::DueSoon
    } else {
        Status::Ok
    }
}

/// Status of one contact; `None` when it has no cadence or is archived/merged.
pub fn contact_status(
    doc: &KithDoc,
    contact: &Contact,
    index: &LastContacted,
    now: DateTime<Utc>,
) -> Option<ContactStatus> {
    if !doc.is_active(contact) {
        return None;
    }
    let last = index.get(contact.id);
    let due = due_at(contact, last)?;
    let days = contact.cadence_days?;
    Some(ContactStatus {
        contact: contact.id,
        last_contacted: last,
        due_at: due,
        status: status_at(due, days, now),
    })
}

/// Statuses of every active contact with a cadence, most urgent (earliest due) first.
pub fn all_statuses(doc: &KithDoc, now: DateTime<Utc>) -> Vec<ContactStatus> {
    let index = last_contacted_index(doc, now);
    let mut out: Vec<ContactStatus> = doc
        .contacts
        .values()
        .filter_map(|c| contact_status(doc, c, &index, now))
        .collect();
    out.sort_by_key(|s| (s.due_at, s.contact));
    out
}
