//! Birthdays and anniversaries: dates whose year may be unknown.

use calcard::common::PartialDateTime;
use chrono::NaiveDate;

use super::types::PartialDate;

/// Year Apple writes when the user gave no year (with `X-APPLE-OMIT-YEAR=1604`); some
/// converters drop the parameter and keep the year, and nobody alive was born in 1604.
const APPLE_NO_YEAR: i32 = 1604;

/// A validated date; `None` if month/day do not form a real date (in a leap year when the
/// year is unknown, so Feb 29 stays possible).
pub(crate) fn make(year: Option<i32>, month: u32, day: u32) -> Option<PartialDate> {
    let year = year.filter(|y| *y != 0 && *y != APPLE_NO_YEAR);
    if let Some(y) = year {
        if !(1..=9999).contains(&y) {
            return None;
        }
    }
    NaiveDate::from_ymd_opt(year.unwrap_or(2000), month, day)?;
    Some(PartialDate { year, month, day })
}

/// From calcard's parsed value; `omit_year` is Apple's `X-APPLE-OMIT-YEAR` parameter.
pub(crate) fn from_partial(p: &PartialDateTime, omit_year: bool) -> Option<PartialDate> {
    let year = if omit_year { None } else { p.year.map(i32::from) };
    make(year, u32::from(p.month?), u32::from(p.day?))
}

/// Parses the date spellings seen in exports: `--MMDD`, `--MM-DD`, `YYYY-MM-DD`,
/// `YYYYMMDD`, a date-time (`1990-02-15T00:00:00Z`), and Outlook's `M/D/YYYY`.
pub(crate) fn parse_text(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    let date = s.split(['T', 't', ' ']).next().unwrap_or(s);
    if let Some(rest) = date.strip_prefix("--") {
        let digits: String = rest.chars().filter(|c| *c != '-').collect();
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return make(None, digits[..2].parse().ok()?, digits[2..].parse().ok()?);
        }
        return None;
    }
    if date.contains('/') {
        let parts: Vec<&str> = date.split('/').collect();
        if parts.len() != 3 {
            return None;
        }
        let year: i32 = parts[2].trim().parse().ok()?;
        // Outlook writes "0/0/00" for "no date"; two-digit years are not guessed at.
        let year = (parts[2].trim().len() == 4).then_some(year);
        return make(year, parts[0].trim().parse().ok()?, parts[1].trim().parse().ok()?);
    }
    let digits: String = date.chars().filter(|c| *c != '-').collect();
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) && (date.len() == 8 || date.len() == 10) {
        return make(
            Some(digits[..4].parse().ok()?),
            digits[4..6].parse().ok()?,
            digits[6..].parse().ok()?,
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: Option<i32>, month: u32, day: u32) -> Option<PartialDate> {
        Some(PartialDate { year, month, day })
    }

    #[test]
    fn spellings() {
        assert_eq!(parse_text("--0315"), d(None, 3, 15));
        assert_eq!(parse_text("--03-15"), d(None, 3, 15));
        assert_eq!(parse_text("1985-07-04"), d(Some(1985), 7, 4));
        assert_eq!(parse_text("19850704"), d(Some(1985), 7, 4));
        assert_eq!(parse_text("1985-07-04T00:00:00Z"), d(Some(1985), 7, 4));
        assert_eq!(parse_text("7/4/1985"), d(Some(1985), 7, 4));
        assert_eq!(parse_text("1604-03-15"), d(None, 3, 15));
        assert_eq!(parse_text("--0229"), d(None, 2, 29));
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(parse_text("1990-02-30"), None);
        assert_eq!(parse_text("1991-02-29"), None);
        assert_eq!(parse_text("0/0/00"), None);
        assert_eq!(parse_text("--1340"), None);
        assert_eq!(parse_text("soon"), None);
        assert_eq!(parse_text(""), None);
    }
}
