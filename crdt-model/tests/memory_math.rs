//! Table tests of follow-up and important-date scheduling (DST, month ends, Feb 29).
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use crdt_model::{
    follow_up_occurrence, important_date_reminder, next_follow_up, next_important_date, ContactId,
    FollowUp, FollowUpId, ImportantDate, Repeat, RepeatUnit,
};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ny() -> Tz {
    "America/New_York".parse().unwrap()
}

fn berlin() -> Tz {
    "Europe/Berlin".parse().unwrap()
}

fn follow_up(due: &str, all_day: bool, repeat: Option<(u32, RepeatUnit)>) -> FollowUp {
    FollowUp {
        id: FollowUpId::new_random(),
        contact_ids: [(ContactId::new_random(), true)].into(),
        due_at: t(due),
        all_day,
        note: autosurgeon::Text::with_value("call back"),
        repeat: repeat.map(|(every, unit)| Repeat { every, unit }),
        done_at: None,
        created_at: t("2026-01-01T00:00:00Z"),
    }
}

/// (zone, dueAt, allDay, repeat, looking from, expected instant, expected index, why)
type Case<'a> = (Tz, &'a str, bool, Option<(u32, RepeatUnit)>, &'a str, &'a str, u32, &'a str);

#[test]
fn follow_up_occurrences_across_dst() {
    use RepeatUnit::*;
    let cases: Vec<Case> = vec![
        (ny(), "2026-03-08T15:00:00Z", false, None, "2026-01-01T00:00:00Z", "2026-03-08T15:00:00Z", 0, "one-off at its instant"),
        (ny(), "2026-03-08T15:00:00Z", false, None, "2026-04-01T00:00:00Z", "2026-03-08T15:00:00Z", 0, "one-off overdue: still due"),
        (ny(), "2026-03-08T05:00:00Z", true, None, "2026-01-01T00:00:00Z", "2026-03-08T13:00:00Z", 0, "all-day on spring-forward day: 09:00 EDT"),
        (ny(), "2026-11-01T04:00:00Z", true, None, "2026-01-01T00:00:00Z", "2026-11-01T14:00:00Z", 0, "all-day on fall-back day: 09:00 EST"),
        (ny(), "2026-03-07T13:00:00Z", false, Some((1, Day)), "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z", 1, "daily 08:00 stays 08:00 local into EDT"),
        (ny(), "2026-03-07T07:30:00Z", false, Some((1, Day)), "2026-03-07T08:00:00Z", "2026-03-08T07:30:00Z", 1, "daily 02:30: gap -> 03:30 EDT"),
        (ny(), "2026-10-31T05:30:00Z", false, Some((1, Day)), "2026-10-31T06:00:00Z", "2026-11-01T05:30:00Z", 1, "daily 01:30: fold -> earlier (EDT)"),
        (ny(), "2026-10-31T05:30:00Z", false, Some((1, Day)), "2026-11-01T05:31:00Z", "2026-11-02T06:30:00Z", 2, "after the fold: 01:30 EST"),
        (berlin(), "2026-03-21T23:00:00Z", true, Some((1, Week)), "2026-03-23T00:00:00Z", "2026-03-29T07:00:00Z", 1, "weekly all-day: 09:00 CET -> 09:00 CEST"),
        (berlin(), "2026-03-28T01:30:00Z", false, Some((1, Day)), "2026-03-28T02:00:00Z", "2026-03-29T01:30:00Z", 1, "daily 02:30: gap -> 03:30 CEST"),
        (berlin(), "2026-10-24T00:30:00Z", false, Some((1, Day)), "2026-10-24T01:00:00Z", "2026-10-25T00:30:00Z", 1, "daily 02:30: fold -> earlier (CEST)"),
        (berlin(), "2026-10-24T22:00:00Z", true, Some((1, Day)), "2026-10-25T09:00:00Z", "2026-10-26T08:00:00Z", 1, "daily all-day after fall-back: 09:00 CET"),
        (berlin(), "2026-01-30T23:00:00Z", true, Some((1, Month)), "2026-02-01T00:00:00Z", "2026-02-28T08:00:00Z", 1, "monthly on the 31st: February's last day"),
        (berlin(), "2026-01-30T23:00:00Z", true, Some((1, Month)), "2026-03-01T00:00:00Z", "2026-03-31T07:00:00Z", 2, "...then back on the 31st (CEST)"),
        (berlin(), "2026-01-30T23:00:00Z", true, Some((1, Month)), "2026-04-01T00:00:00Z", "2026-04-30T07:00:00Z", 3, "...April's last day"),
        (ny(), "2026-01-31T23:00:00Z", false, Some((1, Month)), "2026-02-01T00:00:00Z", "2026-02-28T23:00:00Z", 1, "timed monthly on the 31st, 18:00 EST"),
        (ny(), "2026-01-31T23:00:00Z", false, Some((1, Month)), "2026-03-01T00:00:00Z", "2026-03-31T22:00:00Z", 2, "...18:00 EDT on Mar 31"),
        (ny(), "2026-01-31T23:00:00Z", false, Some((2, Month)), "2026-02-01T00:00:00Z", "2026-03-31T22:00:00Z", 1, "every 2 months from the 31st"),
        (berlin(), "2028-02-28T23:00:00Z", true, Some((1, Year)), "2028-03-01T00:00:00Z", "2029-02-28T08:00:00Z", 1, "yearly on Feb 29: Feb 28 in a common year"),
        (berlin(), "2028-02-28T23:00:00Z", true, Some((1, Year)), "2031-03-01T00:00:00Z", "2032-02-29T08:00:00Z", 4, "...Feb 29 again in a leap year"),
        (berlin(), "2026-01-01T08:00:00Z", false, Some((1, Day)), "2026-01-01T07:00:00Z", "2026-01-01T08:00:00Z", 0, "repeating, first occurrence still ahead"),
        (berlin(), "2026-01-01T08:00:00Z", false, Some((1, Day)), "2026-01-01T08:00:00Z", "2026-01-01T08:00:00Z", 0, "at the occurrence itself"),
        (berlin(), "2020-01-01T08:00:00Z", false, Some((3, Day)), "2026-06-15T12:00:00Z", "2026-06-16T07:00:00Z", 786, "years later: jumps there, 09:00 CEST"),
        (berlin(), "2026-01-05T08:00:00Z", false, Some((1, Unrecognized("fortnight".into()))), "2026-02-01T00:00:00Z", "2026-01-05T08:00:00Z", 0, "unknown unit: a one-off"),
    ];
    for (tz, due, all_day, repeat, from, expected, index, why) in cases {
        let fu = follow_up(due, all_day, repeat);
        let next = next_follow_up(&fu, tz, 9, t(from)).unwrap_or_else(|| panic!("{why}: none"));
        assert_eq!((next.at, next.index), (t(expected), index), "{why}");
        assert_eq!(follow_up_occurrence(&fu, index, tz, 9), Some(t(expected)), "{why}: by index");
    }
}

#[test]
fn a_done_one_off_is_never_due_but_a_done_repeating_one_goes_on() {
    let mut once = follow_up("2026-03-08T15:00:00Z", false, None);
    once.done_at = Some(t("2026-03-08T16:00:00Z"));
    assert_eq!(next_follow_up(&once, ny(), 9, t("2026-01-01T00:00:00Z")), None);
    assert_eq!(follow_up_occurrence(&once, 1, ny(), 9), None, "a one-off has one occurrence");

    let mut weekly = follow_up("2026-03-02T15:00:00Z", false, Some((1, RepeatUnit::Week)));
    weekly.done_at = Some(t("2026-03-02T16:00:00Z"));
    let next = next_follow_up(&weekly, ny(), 9, t("2026-03-03T00:00:00Z")).unwrap();
    assert_eq!(next.at, t("2026-03-09T14:00:00Z"), "10:00 EST -> 10:00 EDT a week later");
}

#[test]
fn every_occurrence_is_found_in_order() {
    // Walking from each occurrence just past it yields the next one: nothing skipped or
    // repeated, across both of Berlin's DST changes and every month end.
    let fu = follow_up("2026-01-31T17:00:00Z", false, Some((1, RepeatUnit::Month)));
    let mut from = t("2026-01-01T00:00:00Z");
    let mut days = Vec::new();
    for expected_index in 0..24 {
        let next = next_follow_up(&fu, berlin(), 9, from).unwrap();
        assert_eq!(next.index, expected_index);
        days.push(next.at.with_timezone(&berlin()).format("%m-%d %H:%M").to_string());
        from = next.at + Duration::milliseconds(1);
    }
    assert_eq!(&days[..4], ["01-31 18:00", "02-28 18:00", "03-31 18:00", "04-30 18:00"]);
    assert_eq!(days[13], "02-28 18:00");
}

#[test]
fn important_date_reminders() {
    let date = |month, day, year, remind| ImportantDate { label: "anniversary".into(), month, day, year, remind };
    // (date, zone, now, expected day, expected instant at 09:00 or the given hour, why)
    let cases = [
        (date(6, 15, None, true), ny(), 9, "2026-03-01T12:00:00Z", "2026-06-15", "2026-06-15T13:00:00Z", "a date without a year"),
        (date(6, 15, Some(2010), true), ny(), 9, "2026-06-15T20:00:00Z", "2026-06-15", "2026-06-15T13:00:00Z", "on the day, after the hour: still today"),
        (date(6, 15, Some(2010), true), ny(), 9, "2026-06-16T04:30:00Z", "2027-06-15", "2027-06-15T13:00:00Z", "the day after (00:30 EDT): next year"),
        (date(2, 29, Some(2000), true), berlin(), 9, "2026-02-01T00:00:00Z", "2026-02-28", "2026-02-28T08:00:00Z", "Feb 29 on Feb 28 in a common year"),
        (date(2, 29, None, true), berlin(), 9, "2027-03-01T00:00:00Z", "2028-02-29", "2028-02-29T08:00:00Z", "Feb 29 in a leap year"),
        (date(3, 8, None, true), ny(), 2, "2026-03-01T00:00:00Z", "2026-03-08", "2026-03-08T07:00:00Z", "hour in the spring-forward gap -> 03:00 EDT"),
        (date(10, 25, None, true), berlin(), 2, "2026-10-01T00:00:00Z", "2026-10-25", "2026-10-25T00:00:00Z", "hour in the fall-back fold -> earlier (CEST)"),
        (date(3, 29, None, true), berlin(), 9, "2026-03-01T00:00:00Z", "2026-03-29", "2026-03-29T07:00:00Z", "spring-forward day, 09:00 CEST"),
    ];
    for (date, tz, hour, now, day, at, why) in cases {
        let got = important_date_reminder(&date, tz, hour, t(now));
        assert_eq!(got, Some((d(day), t(at))), "{why}");
    }
    // The day before in New York while it is already the next day in UTC.
    assert_eq!(
        important_date_reminder(&date(6, 15, None, true), ny(), 9, t("2026-06-16T03:00:00Z")).map(|x| x.0),
        Some(d("2026-06-15"))
    );
    assert_eq!(important_date_reminder(&date(6, 15, None, false), ny(), 9, t("2026-03-01T12:00:00Z")), None, "remind off");
    assert_eq!(next_important_date(&date(2, 30, None, true), d("2026-01-01")), None, "no such day");
    assert_eq!(next_important_date(&date(1, 1, None, false), d("2026-01-02")), Some(d("2027-01-01")), "passed this year");
}
