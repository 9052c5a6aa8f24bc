//! Planning the relationship memory: important dates with `remind` on (yearly, on the day at
//! the reminder hour, exactly like birthdays) and follow-ups (at their due instant; repeating
//! ones at every occurrence). Pure, like [`crate::plan`].
//!
//! A follow-up is one nudge however many people it names: its cycle is the occurrence, keyed
//! by the follow-up's id and the occurrence's instant (see [`crate::nudge::CycleKey`]).
//!
//! Which occurrences of a follow-up are planned:
//! - one-off: its due instant while it is not done (overdue ones are sent at once);
//! - repeating: the next occurrence after `now`, and the latest one at or before `now` if it
//!   is recent ([`REPEAT_GRACE_DAYS`]) and not acknowledged (`doneAt` at or after it; the
//!   server's Done action writes that). Keeping the latest past occurrence in the plan is what
//!   makes a re-plan between an occurrence and the worker's claim harmless: the row stays.
//!   Occurrences after the next one are planned by the re-planner's roll-over sweep once the
//!   next one is over, as next year's birthday is.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use crdt_model::{follow_up_occurrence, important_date_reminder, local_instant, next_follow_up, ContactId, FollowUp, KithDoc};

use crate::nudge::{NudgeItem, NudgeKind, PlannedNudge};
use crate::plan::{display_name, utc_midnight};

/// How far back a repeating follow-up's missed occurrence is still sent (a server that was
/// down, a re-plan just after the occurrence). Older ones are skipped: a weekly follow-up
/// created "starting last year" must not fire at once for an occurrence a year old.
pub const REPEAT_GRACE_DAYS: i64 = 8;

/// A follow-up's note is shortened to this many characters for the notification (the push
/// payload is bounded; the whole note is one tap away).
pub const MAX_DETAIL_CHARS: usize = 200;

/// Names shown for a follow-up about several people; the rest are counted.
const MAX_NAMES: usize = 3;

/// One nudge per important date with `remind` on, for the next time it falls (today
/// included), per active contact.
pub fn plan_dates(doc: &KithDoc, now: DateTime<Utc>, out: &mut Vec<PlannedNudge>) {
    let (tz, hour, digest) = (doc.settings.tz(), doc.settings.hour(), doc.settings.digest);
    for contact in doc.active_contacts() {
        if !contact.dates.values().any(|d| d.remind) {
            continue;
        }
        let name = display_name(contact);
        for (key, date) in &contact.dates {
            let Some((day, at_hour)) = important_date_reminder(date, tz, hour, now) else { continue };
            out.push(PlannedNudge {
                contact: contact.id,
                kind: NudgeKind::Date,
                item: NudgeItem::date(key),
                cycle_anchor: utc_midnight(day),
                due_at: local_instant(day, 0, tz),
                // On the day: if the reminder hour has already passed today, now.
                send_at: at_hour.max(now),
                contact_name: name.clone(),
                cadence_days: None,
                digest,
                detail: shorten(date.label.trim()),
                recurring: true,
            });
        }
    }
}

/// The nudges of every open follow-up about at least one active contact.
pub fn plan_follow_ups(doc: &KithDoc, now: DateTime<Utc>, out: &mut Vec<PlannedNudge>) {
    let (tz, hour, digest) = (doc.settings.tz(), doc.settings.hour(), doc.settings.digest);
    for fu in doc.follow_ups.values() {
        if !fu.is_open() {
            continue;
        }
        let Some((first, names)) = people(doc, fu) else { continue };
        let detail = shorten(fu.note.as_str().trim());
        let recurring = repeats(fu);
        let mut push = |at: DateTime<Utc>| {
            out.push(PlannedNudge {
                contact: first,
                kind: NudgeKind::FollowUp,
                item: NudgeItem::follow_up(fu.id),
                cycle_anchor: at,
                due_at: at,
                // Overdue (written late, or the server was down): at once.
                send_at: at.max(now),
                contact_name: names.clone(),
                cadence_days: None,
                digest,
                detail: detail.clone(),
                recurring,
            });
        };
        let (past, next) = occurrences(fu, tz, hour, now);
        if let Some(at) = past {
            push(at);
        }
        if let Some(at) = next {
            push(at);
        }
    }
}

/// The occurrences of an open follow-up to remind of at `now`: a due one (at or before
/// `now`: a one-off that is overdue, or a repeating one's latest occurrence if recent and not
/// acknowledged) and the next one after `now`.
pub fn occurrences(fu: &FollowUp, tz: Tz, hour: u32, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let Some(next) = next_follow_up(fu, tz, hour, now) else { return (None, None) };
    if !repeats(fu) {
        // A one-off has only occurrence 0, due until done.
        return if next.at <= now { (Some(next.at), None) } else { (None, Some(next.at)) };
    }
    if next.index == 0 {
        return (None, Some(next.at));
    }
    let past = follow_up_occurrence(fu, next.index - 1, tz, hour).filter(|at| {
        let recent = *at > now - Duration::days(REPEAT_GRACE_DAYS);
        let acknowledged = fu.done_at.is_some_and(|done| done >= *at);
        recent && !acknowledged
    });
    (past, Some(next.at))
}

/// Whether `fu` has occurrences after the first (a repeat with a unit this version knows).
pub fn repeats(fu: &FollowUp) -> bool {
    // The unit and zone do not matter for whether occurrence 1 exists.
    follow_up_occurrence(fu, 1, chrono_tz::UTC, 0).is_some()
}

/// The follow-up's people still in the address book (resolved through merges, archived ones
/// left out): the first by id, and their names for the notification. `None` if nobody is left.
pub fn people(doc: &KithDoc, fu: &FollowUp) -> Option<(ContactId, String)> {
    let ids: BTreeSet<ContactId> = fu
        .contacts()
        .map(|c| doc.resolve(c))
        .filter(|c| doc.contacts.get(c).is_some_and(|c| doc.is_active(c)))
        .collect();
    let first = *ids.iter().next()?;
    let names: Vec<String> = ids.iter().filter_map(|id| doc.contacts.get(id)).map(display_name).collect();
    Some((first, join_names(&names)))
}

/// "Ada", "Ada and Bob", "Ada, Bob and Cy", "Ada, Bob, Cy and 2 more".
fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        _ if names.len() <= MAX_NAMES => {
            let (last, rest) = names.split_last().map_or((String::new(), &names[..0]), |(l, r)| (l.clone(), r));
            format!("{} and {last}", rest.join(", "))
        }
        _ => format!("{} and {} more", names[..MAX_NAMES].join(", "), names.len() - MAX_NAMES),
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_DETAIL_CHARS).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
#[path = "plan_memory_tests.rs"]
mod tests;
