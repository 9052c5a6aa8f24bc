//! Pure planning: from one user's document and `now`, the nudges that should exist.
//! Stale relationships (cadence passed) and birthdays (on the day), each sent at the
//! user's reminder hour in their own zone; important dates and follow-ups in
//! [`crate::plan_memory`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use crdt_model::{due_at, last_contacted_index, local_instant, next_birthday, reminder_instant, Contact, KithDoc};

use crate::nudge::{NudgeItem, NudgeKind, PlannedNudge};

/// The nudges `doc` calls for at `now`: at most one stale nudge (the current cycle) and
/// one birthday nudge (the next birthday) per active contact.
pub fn plan_user(doc: &KithDoc, now: DateTime<Utc>) -> Vec<PlannedNudge> {
    let tz = doc.settings.tz();
    let hour = doc.settings.hour();
    let digest = doc.settings.digest;
    let today = now.with_timezone(&tz).date_naive();
    let index = last_contacted_index(doc, now);
    let mut out = Vec::new();
    for contact in doc.active_contacts() {
        let name = display_name(contact);
        if let Some(days) = contact.cadence_days {
            let last = index.get(contact.id);
            if let Some(due) = due_at(contact, last) {
                out.push(PlannedNudge {
                    contact: contact.id,
                    kind: NudgeKind::Stale,
                    cycle_anchor: stale_anchor(contact, last, due, days),
                    due_at: due,
                    // An overdue relationship (say, imported) is nudged at the next reminder
                    // hour, not at once in the middle of the night.
                    send_at: reminder_instant(due.max(now), tz, hour),
                    contact_name: name.clone(),
                    cadence_days: Some(days),
                    digest,
                    item: NudgeItem::none(),
                    detail: String::new(),
                    recurring: false,
                });
            }
        }
        if let Some(day) = contact.birthday.as_ref().and_then(|b| next_birthday(b, today)) {
            let at_hour = local_instant(day, hour, tz);
            out.push(PlannedNudge {
                contact: contact.id,
                kind: NudgeKind::Birthday,
                cycle_anchor: utc_midnight(day),
                due_at: local_instant(day, 0, tz),
                // On the day: if the reminder hour has already passed today, now.
                send_at: at_hour.max(now),
                contact_name: name,
                cadence_days: None,
                digest,
                item: NudgeItem::none(),
                detail: String::new(),
                recurring: true,
            });
        }
    }
    crate::plan_memory::plan_dates(doc, now, &mut out);
    crate::plan_memory::plan_follow_ups(doc, now, &mut out);
    out
}

/// What starts the current cycle. A snooze that pushed the due time out starts a cycle of
/// its own (so snoozing after a nudge nudges again when the snooze ends); otherwise the
/// last interaction does, or, before any, the moment the cadence was set.
fn stale_anchor(contact: &Contact, last: Option<DateTime<Utc>>, due: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let base = last.or(contact.cadence_set_at).unwrap_or(contact.created_at);
    match base.checked_add_signed(Duration::days(i64::from(days))) {
        Some(plain_due) if due > plain_due => due,
        _ => base,
    }
}

pub(crate) fn utc_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

pub fn display_name(c: &Contact) -> String {
    let n = &c.name;
    let full = [n.given.trim(), n.family.trim()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
    let pick = [n.display.trim(), full.as_str(), c.nickname.trim(), c.company.trim()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("someone")
        .to_owned();
    pick
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
