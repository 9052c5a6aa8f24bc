//! When to send a reminder: the user's reminder hour, in their zone, across DST.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The first instant at `hour`:00 local time in `tz` that is at or after `due`.
/// `hour` above 23 is treated as 23. See [`local_instant`] for DST handling.
pub fn reminder_instant(due: DateTime<Utc>, tz: Tz, hour: u32) -> DateTime<Utc> {
    let hour = hour.min(23);
    let mut day = due.with_timezone(&tz).date_naive();
    // The candidate on the due day may be before `due`; the next day's is after it.
    // A third day only matters if a DST shift moved the second candidate (never in practice).
    for _ in 0..3 {
        let candidate = local_instant(day, hour, tz);
        if candidate >= due {
            return candidate;
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    due
}

/// The instant of `hour`:00 local time on `date` in `tz`:
/// - in a DST gap (the clock skips that time) it is shifted forward by the gap's length,
///   e.g. 02:30 on a spring-forward night becomes 03:30;
/// - in a fold (the time happens twice) it is the earlier one.
pub fn local_instant(date: NaiveDate, hour: u32, tz: Tz) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    local_datetime_instant(date.and_time(time), tz)
}

/// The instant of the local wall-clock time `naive` in `tz`, by the same DST rules as
/// [`local_instant`] (gap: shifted forward by its length; fold: the earlier).
pub fn local_datetime_instant(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // The offset in force just before the gap: look a day earlier (gaps are hours
            // long and never two within a day), then read `naive` with that offset.
            let before = tz.offset_from_utc_datetime(&(naive - Duration::days(1))).fix();
            DateTime::<Utc>::from_naive_utc_and_offset(naive - before, Utc)
        }
    }
}
