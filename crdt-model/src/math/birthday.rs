//! Birthdays.

use chrono::{Datelike, NaiveDate};

use crate::schema::Birthday;

/// The next birthday on or after `today` (a local date in the user's zone). A Feb 29
/// birthday is celebrated on Feb 28 in common years. `None` for an impossible date.
pub fn next_birthday(b: &Birthday, today: NaiveDate) -> Option<NaiveDate> {
    // Reject what no year could hold (Feb 30, month 13) before searching.
    NaiveDate::from_ymd_opt(2000, b.month, b.day)?;
    let this_year = in_year(b, today.year())?;
    if this_year >= today {
        Some(this_year)
    } else {
        in_year(b, today.year() + 1)
    }
}

/// How old the person turns on `on` (their birthday), when the birth year is known.
pub fn turning_age(b: &Birthday, on: NaiveDate) -> Option<i32> {
    let year = b.year?;
    let age = on.year() - year;
    (age >= 0).then_some(age)
}

fn in_year(b: &Birthday, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, b.month, b.day).or_else(|| {
        (b.month == 2 && b.day == 29).then(|| NaiveDate::from_ymd_opt(year, 2, 28)).flatten()
    })
}
