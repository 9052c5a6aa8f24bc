//! A `VTIMEZONE` for the user's zone, from chrono-tz's tables: every offset change in a
//! window of years listed as its own observance (RFC 5545 §3.6.5 allows observances without
//! RRULE). Timed follow-ups are written in local time with `TZID`, so a repeating one keeps
//! its wall-clock time across DST, exactly as the model computes its occurrences. Clients
//! that know IANA names (Apple, Google) use the name; others read these observances.

use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::ics::Ics;

/// Writes the `VTIMEZONE` for `tz` covering `[from, to]`.
pub fn write(ics: &mut Ics, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
    ics.begin("VTIMEZONE");
    ics.raw("TZID", tz.name());
    let first = tz.offset_from_utc_datetime(&from.naive_utc());
    let start = offset_secs(tz, from);
    observance(ics, from, start, start, is_dst(tz, from), abbreviation(&first));
    for change in transitions(tz, from, to) {
        let before = offset_secs(tz, change - Duration::seconds(1));
        let after = offset_secs(tz, change);
        let offset = tz.offset_from_utc_datetime(&change.naive_utc());
        observance(ics, change, before, after, is_dst(tz, change), abbreviation(&offset));
    }
    ics.end("VTIMEZONE");
}

/// One observance in force from `at` (written, as RFC 5545 wants, in the local time of the
/// offset before it).
fn observance(ics: &mut Ics, at: DateTime<Utc>, from: i32, to: i32, dst: bool, name: Option<String>) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    ics.begin(kind);
    let local = at.naive_utc() + Duration::seconds(i64::from(from));
    ics.raw("DTSTART", &local.format("%Y%m%dT%H%M%S").to_string());
    ics.raw("TZOFFSETFROM", &utc_offset(from));
    ics.raw("TZOFFSETTO", &utc_offset(to));
    if let Some(name) = name {
        ics.text("TZNAME", &name);
    }
    ics.end(kind);
}

/// The instants in `[from, to]` at which `tz`'s offset changes. Offsets are compared a day
/// apart (zones never change twice within a day), then the change is found to the second
/// by bisection.
pub fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut t = from;
    let mut offset = offset_secs(tz, t);
    while t < to {
        let next = t + Duration::days(1);
        let next_offset = offset_secs(tz, next);
        if next_offset != offset {
            // Invariant: the offset at `lo` is the old one, at `hi` the new one (whole seconds).
            let (mut lo, mut hi) = (t.timestamp(), next.timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if DateTime::from_timestamp(mid, 0).is_some_and(|m| offset_secs(tz, m) == offset) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let Some(hi) = DateTime::from_timestamp(hi, 0) else { break };
            out.push(hi);
            offset = next_offset;
        }
        t = next;
    }
    out
}

fn offset_secs(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
}

fn is_dst(tz: Tz, at: DateTime<Utc>) -> bool {
    !tz.offset_from_utc_datetime(&at.naive_utc()).dst_offset().is_zero()
}

fn abbreviation(offset: &chrono_tz::TzOffset) -> Option<String> {
    offset.abbreviation().map(str::to_owned)
}

/// `+0100`, `-0330`, `+053728` (seconds only when there are any, RFC 5545 §3.3.14).
fn utc_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("valid")
    }

    #[test]
    fn berlin_changes_twice_a_year_at_one_utc() {
        let changes = transitions(chrono_tz::Europe::Berlin, utc(2026, 1, 1), utc(2027, 1, 1));
        let want = [
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).single().expect("valid"),
            Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).single().expect("valid"),
        ];
        assert_eq!(changes, want);
    }

    #[test]
    fn the_vtimezone_lists_each_change_in_the_local_time_before_it() {
        let mut ics = Ics::default();
        write(&mut ics, chrono_tz::Europe::Berlin, utc(2026, 1, 1), utc(2027, 1, 1));
        let text = ics.finish();
        assert!(text.contains("TZID:Europe/Berlin\r\n"), "{text}");
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"), "{text}");
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"), "{text}");
    }

    #[test]
    fn offsets_are_formatted_with_sign_and_seconds_only_when_needed() {
        assert_eq!(utc_offset(3600), "+0100");
        assert_eq!(utc_offset(-12600), "-0330");
        assert_eq!(utc_offset(3208), "+005328");
        assert_eq!(utc_offset(0), "+0000");
    }
}
