//! When an important date (anniversary, ...) is next reminded of: yearly on the day at the
//! reminder hour, exactly like a birthday (same Feb 29 rule, same DST handling).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::birthday::next_birthday;
use super::reminder::local_instant;
use crate::schema::ImportantDate;

/// The next time `date` falls on or after `today` (a local date in the user's zone).
/// Feb 29 is marked on Feb 28 in common years; `None` for an impossible date.
pub fn next_important_date(date: &ImportantDate, today: NaiveDate) -> Option<NaiveDate> {
    next_birthday(&date.as_birthday(), today)
}

/// For a date with `remind` on: the next day it falls on, from `now`'s local day, and the
/// instant of the reminder hour that day. On the day itself that instant may already have
/// passed; the planner then sends at once, as it does for birthdays. `None` when `remind`
/// is off or the date impossible.
pub fn important_date_reminder(
    date: &ImportantDate,
    tz: Tz,
    hour: u32,
    now: DateTime<Utc>,
) -> Option<(NaiveDate, DateTime<Utc>)> {
    if !date.remind {
        return None;
    }
    let day = next_important_date(date, now.with_timezone(&tz).date_naive())?;
    Some((day, local_instant(day, hour, tz)))
}
