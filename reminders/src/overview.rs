//! `GET /api/v1/reminders`: who is overdue, who is due soon, whose birthday is coming.
//! Computed from the document at `now`, so it is right even before any push is sent.

use chrono::{DateTime, NaiveDate, Utc};
use crdt_model::{all_statuses, next_birthday, turning_age, ContactId, KithDoc, Status};
use serde::Serialize;

/// Birthdays within this many days are "upcoming".
pub const BIRTHDAY_HORIZON_DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub overdue: Vec<DueItem>,
    pub due_soon: Vec<DueItem>,
    pub birthdays: Vec<BirthdayItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub contact_id: ContactId,
    pub name: String,
    pub due_at: DateTime<Utc>,
    pub last_contacted: Option<DateTime<Utc>>,
    pub cadence_days: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BirthdayItem {
    pub contact_id: ContactId,
    pub name: String,
    /// The local date of the birthday (YYYY-MM-DD).
    pub date: NaiveDate,
    /// 0 = today.
    pub days_until: i64,
    pub turning: Option<i32>,
}

pub fn overview(doc: &KithDoc, now: DateTime<Utc>) -> Overview {
    let name = |id: ContactId| doc.contacts.get(&id).map(crate::plan::display_name).unwrap_or_default();
    let mut overdue = Vec::new();
    let mut due_soon = Vec::new();
    for s in all_statuses(doc, now) {
        let cadence_days = doc.contacts.get(&s.contact).and_then(|c| c.cadence_days).unwrap_or_default();
        let item = DueItem {
            contact_id: s.contact,
            name: name(s.contact),
            due_at: s.due_at,
            last_contacted: s.last_contacted,
            cadence_days,
        };
        match s.status {
            Status::Overdue => overdue.push(item),
            Status::DueSoon => due_soon.push(item),
            Status::Ok => {}
        }
    }
    let today = now.with_timezone(&doc.settings.tz()).date_naive();
    let mut birthdays: Vec<BirthdayItem> = doc
        .active_contacts()
        .filter_map(|c| {
            let b = c.birthday.as_ref()?;
            let date = next_birthday(b, today)?;
            let days_until = (date - today).num_days();
            (days_until <= BIRTHDAY_HORIZON_DAYS).then(|| BirthdayItem {
                contact_id: c.id,
                name: crate::plan::display_name(c),
                date,
                days_until,
                turning: turning_age(b, date),
            })
        })
        .collect();
    birthdays.sort_by(|a, b| (a.days_until, &a.name).cmp(&(b.days_until, &b.name)));
    Overview { overdue, due_soon, birthdays }
}
