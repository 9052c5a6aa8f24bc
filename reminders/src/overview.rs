//! `GET /api/v1/reminders`: who is overdue, who is due soon, whose birthday is coming,
//! which follow-ups are due and which important dates are coming.
//! Computed from the document at `now`, so it is right even before any push is sent.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use crdt_model::{all_statuses, next_birthday, next_important_date, turning_age, ContactId, FollowUpId, KithDoc, Status};
use serde::Serialize;

/// Birthdays within this many days are "upcoming".
pub const BIRTHDAY_HORIZON_DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub overdue: Vec<DueItem>,
    pub due_soon: Vec<DueItem>,
    pub birthdays: Vec<BirthdayItem>,
    /// Follow-ups due now (see [`crate::plan_memory::occurrences`]), oldest first.
    pub follow_ups: Vec<FollowUpItem>,
    /// Important dates with `remind` on within [`BIRTHDAY_HORIZON_DAYS`], soonest first.
    pub important_dates: Vec<DateItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUpItem {
    pub follow_up_id: FollowUpId,
    /// Its people still in the address book (merged ones resolved), by id.
    pub contact_ids: Vec<ContactId>,
    /// "Ada", "Ada and Bob", ...
    pub names: String,
    pub note: String,
    /// The occurrence that is due.
    pub due_at: DateTime<Utc>,
    pub all_day: bool,
    pub repeating: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateItem {
    pub contact_id: ContactId,
    pub name: String,
    pub label: String,
    /// The local date it falls on next (YYYY-MM-DD).
    pub date: NaiveDate,
    /// 0 = today.
    pub days_until: i64,
    /// How many years it has been (an anniversary's 10th), when the year is known.
    pub years: Option<i32>,
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
    let follow_ups = due_follow_ups(doc, now);
    let important_dates = upcoming_dates(doc, today);
    Overview { overdue, due_soon, birthdays, follow_ups, important_dates }
}

fn due_follow_ups(doc: &KithDoc, now: DateTime<Utc>) -> Vec<FollowUpItem> {
    let (tz, hour) = (doc.settings.tz(), doc.settings.hour());
    let mut out: Vec<FollowUpItem> = doc
        .follow_ups
        .values()
        .filter(|fu| fu.is_open())
        .filter_map(|fu| {
            let (due, _) = crate::plan_memory::occurrences(fu, tz, hour, now);
            let due_at = due?;
            let (_, names) = crate::plan_memory::people(doc, fu)?;
            let contact_ids: BTreeSet<ContactId> = fu
                .contacts()
                .map(|c| doc.resolve(c))
                .filter(|c| doc.contacts.get(c).is_some_and(|c| doc.is_active(c)))
                .collect();
            Some(FollowUpItem {
                follow_up_id: fu.id,
                contact_ids: contact_ids.into_iter().collect(),
                names,
                note: fu.note.as_str().to_owned(),
                due_at,
                all_day: fu.all_day,
                repeating: crate::plan_memory::repeats(fu),
            })
        })
        .collect();
    out.sort_by_key(|f| (f.due_at, f.follow_up_id));
    out
}

fn upcoming_dates(doc: &KithDoc, today: NaiveDate) -> Vec<DateItem> {
    let mut out: Vec<DateItem> = doc
        .active_contacts()
        .flat_map(|c| c.dates.values().filter(|d| d.remind).map(move |d| (c, d)))
        .filter_map(|(c, d)| {
            let date = next_important_date(d, today)?;
            let days_until = (date - today).num_days();
            (days_until <= BIRTHDAY_HORIZON_DAYS).then(|| DateItem {
                contact_id: c.id,
                name: crate::plan::display_name(c),
                label: d.label.clone(),
                date,
                days_until,
                years: turning_age(&d.as_birthday(), date),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.days_until, &a.name, &a.label).cmp(&(b.days_until, &b.name, &b.label)));
    out
}
