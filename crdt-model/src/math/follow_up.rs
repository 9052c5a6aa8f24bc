//! When a follow-up is due: its occurrences, in the user's zone, across DST.
//!
//! Occurrence 0 is the follow-up's own due time: `dueAt`, or with `allDay` the reminder
//! hour on `dueAt`'s local day. A repeating follow-up's occurrence k is k × `every` units
//! later on the *local calendar* (a daily 08:00 stays at 08:00 across DST), each counted
//! from the first, so a monthly one due on the 31st lands on the last day of shorter
//! months and is back on the 31st afterwards (Jan 31, Feb 28, Mar 31). Wall-clock times
//! a DST change skips or repeats are resolved as for every reminder
//! ([`super::reminder::local_instant`]).

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use super::reminder::local_datetime_instant;
use crate::schema::{FollowUp, Repeat, RepeatUnit};

/// One occurrence of a follow-up: which one (0 = the first) and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub index: u32,
    pub at: DateTime<Utc>,
}

/// The occurrence to remind of, looking from `from`:
/// - one-off (or a repeat unit this version does not know): occurrence 0 while not done,
///   even if it is before `from` (an overdue follow-up is still due); `None` once done;
/// - repeating: the first occurrence at or after `from` (`doneAt` does not stop it; only
///   deleting does). `None` only beyond the calendar's range.
pub fn next_follow_up(fu: &FollowUp, tz: Tz, hour: u32, from: DateTime<Utc>) -> Option<Occurrence> {
    let Some(step) = fu.repeat.as_ref().and_then(Step::of) else {
        if fu.done_at.is_some() {
            return None;
        }
        return Some(Occurrence { index: 0, at: follow_up_occurrence(fu, 0, tz, hour)? });
    };
    let first = follow_up_occurrence(fu, 0, tz, hour)?;
    if first >= from {
        return Some(Occurrence { index: 0, at: first });
    }
    // Jump near `from` by average length, then walk: the estimate is at most a step or two
    // off (month lengths, DST), never more.
    let estimate = step.estimate(first, from);
    let mut index = estimate.saturating_sub(2);
    loop {
        let at = follow_up_occurrence(fu, index, tz, hour)?;
        if at >= from {
            return Some(Occurrence { index, at });
        }
        index = index.checked_add(1)?;
    }
}

/// The instant of occurrence `index` (0 = the first). For a one-off follow-up only
/// occurrence 0 exists.
pub fn follow_up_occurrence(fu: &FollowUp, index: u32, tz: Tz, hour: u32) -> Option<DateTime<Utc>> {
    let local = fu.due_at.with_timezone(&tz).naive_local();
    let start = if fu.all_day {
        local.date().and_time(NaiveTime::from_hms_opt(hour.min(23), 0, 0)?)
    } else if index == 0 {
        // Exactly as stored (a time inside a DST fold keeps whichever instant was meant).
        return Some(fu.due_at);
    } else {
        local
    };
    let date = match fu.repeat.as_ref().and_then(Step::of) {
        None if index > 0 => return None,
        None => start.date(),
        Some(step) => step.advance(start.date(), index)?,
    };
    Some(local_datetime_instant(NaiveDateTime::new(date, start.time()), tz))
}

/// A repeat in calendar terms: days or months (weeks are 7 days, years 12 months).
#[derive(Debug, Clone, Copy)]
enum Step {
    Days(u32),
    Months(u32),
}

impl Step {
    fn of(r: &Repeat) -> Option<Step> {
        let every = r.every.max(1);
        match r.unit {
            RepeatUnit::Day => Some(Step::Days(every)),
            RepeatUnit::Week => every.checked_mul(7).map(Step::Days),
            RepeatUnit::Month => Some(Step::Months(every)),
            RepeatUnit::Year => every.checked_mul(12).map(Step::Months),
            RepeatUnit::Unrecognized(_) => None,
        }
    }

    /// `start` plus `index` steps, counted from `start` (so month-end clamping never
    /// accumulates); `None` beyond the calendar's range.
    fn advance(self, start: NaiveDate, index: u32) -> Option<NaiveDate> {
        match self {
            Step::Days(n) => start.checked_add_days(chrono::Days::new(u64::from(n) * u64::from(index))),
            Step::Months(n) => start.checked_add_months(Months::new(n.checked_mul(index)?)),
        }
    }

    /// About how many steps lie between `first` and `from` (rounded down).
    fn estimate(self, first: DateTime<Utc>, from: DateTime<Utc>) -> u32 {
        let (a, b) = (first.date_naive(), from.date_naive());
        let steps = match self {
            Step::Days(n) => (b - a).num_days() / i64::from(n),
            Step::Months(n) => {
                let months = i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
                months / i64::from(n)
            }
        };
        u32::try_from(steps.max(0)).unwrap_or(u32::MAX)
    }
}
