//! Birthdays roll over with time, not with edits: once this year's birthday is over, only a
//! new plan adds next year's, and nobody may touch the document for a year. So every few
//! hours (on the reminder clock) the store is asked which users have a birthday nudge that is
//! over with no later cycle (`NudgeStore::to_roll_over`), and those are re-planned. The same
//! holds for important dates (next year's) and repeating follow-ups (the occurrence after the
//! next: a plan holds the next one only, so once it is due the one after it is missing).
//! Durable by design: the schedule is the store's, so a restart or a long outage loses no one.

use chrono::{DateTime, Duration, Utc};
use reminders::NudgeKind;

use crate::ids::DocId;
use super::Sources;

/// How often the store is asked (reminder-clock time). Next year's birthday is a year away,
/// so planning it a few hours after this year's is over is early enough.
const EVERY_HOURS: i64 = 6;

/// A birthday's or date's nudge's `due_at` is local midnight of the day; 25 hours later the
/// day is over in every zone, DST days included. (A follow-up's `due_at` is its occurrence's
/// instant: over as soon as it has come. The shortest repeat is a day, far longer than the
/// sweep's period, so the occurrence after it is planned well before it is due.)
const OVER_AFTER_HOURS: i64 = 25;

/// How long after a birthday it is still looked for: covers a server down for a week.
const LOOK_BACK_DAYS: i64 = 8;

/// Users per sweep; the rest are found by the next one.
const LIMIT: u32 = 10_000;

/// When the next sweep is due. Pure: time is passed in.
#[derive(Debug, Default)]
pub struct Schedule {
    next: Option<DateTime<Utc>>,
}

impl Schedule {
    /// The `(from, to]` window of birthday `due_at`s to look at if a sweep is due at `now`
    /// (the first call always is: birthdays that ended while the server was down).
    pub fn due(&mut self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.next.is_some_and(|next| now < next) {
            return None;
        }
        self.next = Some(now + Duration::hours(EVERY_HOURS));
        Some((now - Duration::days(LOOK_BACK_DAYS), now - Duration::hours(OVER_AFTER_HOURS)))
    }
}

/// Which `(from, to]` window of `due_at`s each recurring kind is looked for in, from the
/// birthday window [`Schedule::due`] gives.
fn windows((from, to): (DateTime<Utc>, DateTime<Utc>)) -> [(NudgeKind, DateTime<Utc>, DateTime<Utc>); 3] {
    let now = to + Duration::hours(OVER_AFTER_HOURS);
    [(NudgeKind::Birthday, from, to), (NudgeKind::Date, from, to), (NudgeKind::FollowUp, from, now)]
}

/// The documents of every user whose birthday, date or repeating follow-up nudge due in its
/// window has no next cycle yet.
pub async fn documents(state: &Sources, window: (DateTime<Utc>, DateTime<Utc>)) -> Vec<DocId> {
    let mut users = std::collections::BTreeSet::new();
    for (kind, from, to) in windows(window) {
        match state.store.to_roll_over(kind, from, to, LIMIT).await {
            Ok(found) => users.extend(found),
            Err(e) => tracing::warn!(error = %e, kind = kind.as_str(), "cannot look for reminders to roll over; the next sweep retries"),
        }
    }
    let mut docs = Vec::with_capacity(users.len());
    for user in users {
        match state.store.user_by_id(user).await {
            Ok(Some(u)) => docs.push(u.doc_id),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot find a user's document; the next sweep retries"),
        }
    }
    if !docs.is_empty() {
        tracing::info!(users = docs.len(), "re-planning users whose recurring reminders roll over to their next cycle");
    }
    docs
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 10, 0, 0, 0).single().unwrap_or_default() + Duration::hours(h)
    }

    #[test]
    fn sweeps_at_start_then_every_few_hours_over_birthdays_that_are_over() {
        let mut s = Schedule::default();
        assert_eq!(s.due(at(0)), Some((at(0) - Duration::days(LOOK_BACK_DAYS), at(-OVER_AFTER_HOURS))));
        assert_eq!(s.due(at(EVERY_HOURS - 1)), None);
        let (from, to) = s.due(at(EVERY_HOURS)).unwrap_or_else(|| panic!("due again"));
        assert_eq!(to, at(EVERY_HOURS - OVER_AFTER_HOURS), "a birthday still going on is not over");
        assert!(from < to);
        // A clock that jumps (a test stepping days, a suspended host) sweeps once, not once per missed slot.
        assert!(s.due(at(1000)).is_some());
        assert_eq!(s.due(at(1001)), None);
    }

    #[test]
    fn follow_ups_are_looked_for_as_soon_as_their_occurrence_has_come() {
        let w = windows((at(-8 * 24), at(-OVER_AFTER_HOURS)));
        assert_eq!(w[0], (NudgeKind::Birthday, at(-8 * 24), at(-OVER_AFTER_HOURS)));
        assert_eq!(w[1], (NudgeKind::Date, at(-8 * 24), at(-OVER_AFTER_HOURS)), "a date is a day, like a birthday");
        assert_eq!(w[2], (NudgeKind::FollowUp, at(-8 * 24), at(0)));
    }
}
