//! Planning follow-ups and important dates against real documents built with the model's
//! operations: DST days in America/New_York and Europe/Berlin, monthly on the 31st, dates
//! without a year, Feb 29.

use automerge::Automerge;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{
    add_follow_up, add_important_date, archive_contact, complete_follow_up, create_contact, load, new_document,
    update_settings, ContactDraft, ContactId, FollowUpDraft, FollowUpId, ImportantDate, Name, Repeat, RepeatUnit,
};

use crate::nudge::{NudgeItem, NudgeKind, PlannedNudge};
use crate::plan::plan_user;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
}

fn doc(tz: &str, hour: u32) -> Automerge {
    let created = utc(2025, 1, 1, 0, 0);
    let mut am = new_document(tz, created).unwrap();
    update_settings(&mut am, None, Some(hour), None, created).unwrap();
    am
}

fn person(am: &mut Automerge, name: &str) -> ContactId {
    let draft = ContactDraft { name: Name { display: name.into(), ..Name::default() }, ..ContactDraft::default() };
    create_contact(am, draft, utc(2025, 1, 1, 0, 0)).unwrap()
}

fn repeat(every: u32, unit: RepeatUnit) -> Option<Repeat> {
    Some(Repeat { every, unit })
}

fn follow_up(am: &mut Automerge, who: Vec<ContactId>, due: DateTime<Utc>, all_day: bool, repeat: Option<Repeat>) -> FollowUpId {
    let draft = FollowUpDraft { contact_ids: who, due_at: due, all_day, note: "Ask about the surgery".into(), repeat };
    add_follow_up(am, draft, utc(2025, 1, 1, 0, 0)).unwrap()
}

fn follow_ups(am: &Automerge, now: DateTime<Utc>) -> Vec<PlannedNudge> {
    plan_user(&load(am).doc, now).into_iter().filter(|p| p.kind == NudgeKind::FollowUp).collect()
}

fn dates(am: &Automerge, now: DateTime<Utc>) -> Vec<PlannedNudge> {
    plan_user(&load(am).doc, now).into_iter().filter(|p| p.kind == NudgeKind::Date).collect()
}

/// (zone, reminder hour, follow-up due (UTC), all day, now, expected send instants (UTC) in order)
type Case = (&'static str, u32, DateTime<Utc>, bool, Option<Repeat>, DateTime<Utc>, Vec<DateTime<Utc>>);

#[test]
fn follow_ups_are_planned_at_their_occurrences_across_dst_and_month_ends() {
    let cases: Vec<Case> = vec![
        // One-off, with a time: exactly then.
        ("Europe/Berlin", 9, utc(2026, 6, 10, 16, 30), false, None, utc(2026, 6, 1, 0, 0), vec![utc(2026, 6, 10, 16, 30)]),
        // All day on New York's spring-forward day: 09:00 EDT (UTC-4), the day before 09:00 EST (UTC-5).
        ("America/New_York", 9, utc(2026, 3, 8, 5, 0), true, None, utc(2026, 3, 1, 0, 0), vec![utc(2026, 3, 8, 13, 0)]),
        ("America/New_York", 9, utc(2026, 3, 7, 5, 0), true, None, utc(2026, 3, 1, 0, 0), vec![utc(2026, 3, 7, 14, 0)]),
        // All day on Berlin's spring-forward day with the reminder at 02:00, which does not exist: 03:00 CEST.
        ("Europe/Berlin", 2, utc(2026, 3, 28, 23, 0), true, None, utc(2026, 3, 1, 0, 0), vec![utc(2026, 3, 29, 1, 0)]),
        // All day on New York's fall-back day at 01:00, which happens twice: the earlier (EDT).
        ("America/New_York", 1, utc(2026, 11, 1, 4, 0), true, None, utc(2026, 10, 1, 0, 0), vec![utc(2026, 11, 1, 5, 0)]),
        // Daily at 08:00 New York across spring-forward: the latest (recent) occurrence and the next,
        // both at 08:00 local.
        ("America/New_York", 9, utc(2026, 3, 1, 13, 0), false, repeat(1, RepeatUnit::Day), utc(2026, 3, 7, 15, 0),
            vec![utc(2026, 3, 7, 13, 0), utc(2026, 3, 8, 12, 0)]),
        // Weekly all-day in Berlin across fall-back (Oct 25): 09:00 CEST, then 09:00 CET.
        ("Europe/Berlin", 9, utc(2026, 10, 19, 22, 0), true, repeat(1, RepeatUnit::Week), utc(2026, 10, 21, 0, 0),
            vec![utc(2026, 10, 20, 7, 0), utc(2026, 10, 27, 8, 0)]),
        // Monthly on the 31st: Feb 28, and back on the 31st in March.
        ("Europe/Berlin", 9, utc(2026, 1, 31, 8, 0), false, repeat(1, RepeatUnit::Month), utc(2026, 2, 5, 0, 0),
            vec![utc(2026, 1, 31, 8, 0), utc(2026, 2, 28, 8, 0)]),
        ("Europe/Berlin", 9, utc(2026, 1, 31, 8, 0), false, repeat(1, RepeatUnit::Month), utc(2026, 3, 1, 0, 0),
            vec![utc(2026, 2, 28, 8, 0), utc(2026, 3, 31, 7, 0)]),
        // Started long ago: only the next occurrence, no burst of old ones.
        ("Europe/Berlin", 9, utc(2025, 1, 31, 8, 0), false, repeat(1, RepeatUnit::Month), utc(2026, 3, 15, 0, 0),
            vec![utc(2026, 3, 31, 7, 0)]),
    ];
    for (i, (tz, hour, due, all_day, rep, now, want)) in cases.into_iter().enumerate() {
        let mut am = doc(tz, hour);
        let ada = person(&mut am, "Ada");
        let recurring = rep.is_some();
        let id = follow_up(&mut am, vec![ada], due, all_day, rep);
        let got = follow_ups(&am, now);
        let sends: Vec<_> = got.iter().map(|p| p.send_at).collect();
        assert_eq!(sends, want.iter().map(|w| (*w).max(now)).collect::<Vec<_>>(), "case {i} ({tz})");
        for p in &got {
            assert_eq!(p.cycle_anchor, p.due_at, "case {i}: the occurrence is the cycle");
            assert_eq!((p.item.clone(), p.contact, p.recurring), (NudgeItem::follow_up(id), ada, recurring), "case {i}");
            assert_eq!(p.detail, "Ask about the surgery");
        }
        assert_eq!(got.iter().map(|p| p.due_at).collect::<Vec<_>>(), want, "case {i}: due at the occurrence");
    }
}

#[test]
fn overdue_one_offs_are_sent_at_once_and_done_ones_not_at_all() {
    let mut am = doc("Europe/Berlin", 9);
    let (ada, bob) = (person(&mut am, "Ada"), person(&mut am, "Bob"));
    let now = utc(2026, 6, 1, 12, 0);
    let id = follow_up(&mut am, vec![bob, ada], now - Duration::days(3), false, None);
    let got = follow_ups(&am, now);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].due_at, got[0].send_at), (now - Duration::days(3), now));
    assert_eq!(got[0].contact, ada.min(bob), "the first of its people, by id");
    let names = &got[0].contact_name;
    assert!(names == "Ada and Bob" || names == "Bob and Ada", "{names}");

    complete_follow_up(&mut am, id, true, now).unwrap();
    assert!(follow_ups(&am, now).is_empty());
}

#[test]
fn a_repeating_occurrence_marked_done_is_not_sent_but_the_next_one_is() {
    let mut am = doc("Europe/Berlin", 9);
    let ada = person(&mut am, "Ada");
    let first = utc(2026, 6, 1, 7, 0);
    let id = follow_up(&mut am, vec![ada], first, true, repeat(1, RepeatUnit::Week));
    let now = first + Duration::hours(2);
    assert_eq!(follow_ups(&am, now).len(), 2);
    complete_follow_up(&mut am, id, true, now).unwrap();
    let got = follow_ups(&am, now);
    assert_eq!(got.iter().map(|p| p.due_at).collect::<Vec<_>>(), vec![first + Duration::days(7)]);
}

#[test]
fn follow_ups_about_nobody_left_are_not_planned() {
    let mut am = doc("Europe/Berlin", 9);
    let ada = person(&mut am, "Ada");
    follow_up(&mut am, vec![ada], utc(2026, 6, 10, 9, 0), false, None);
    archive_contact(&mut am, ada, true, utc(2026, 6, 1, 0, 0)).unwrap();
    assert!(follow_ups(&am, utc(2026, 6, 1, 0, 0)).is_empty());
}

#[test]
fn important_dates_with_remind_are_planned_yearly_like_birthdays() {
    // (zone, hour, month, day, year, now, expected day, expected send (UTC))
    let cases = [
        // No year, later this year: 09:00 CEST.
        ("Europe/Berlin", 9, 6, 15, None, utc(2026, 6, 1, 0, 0), (2026, 6, 15), utc(2026, 6, 15, 7, 0)),
        // Already over this year: next year's.
        ("Europe/Berlin", 9, 3, 1, Some(1990), utc(2026, 6, 1, 0, 0), (2027, 3, 1), utc(2027, 3, 1, 8, 0)),
        // Feb 29 in a common year: Feb 28; in a leap year: Feb 29.
        ("America/New_York", 9, 2, 29, Some(2000), utc(2026, 6, 1, 0, 0), (2027, 2, 28), utc(2027, 2, 28, 14, 0)),
        ("America/New_York", 9, 2, 29, Some(2000), utc(2027, 6, 1, 0, 0), (2028, 2, 29), utc(2028, 2, 29, 14, 0)),
        // On New York's spring-forward day.
        ("America/New_York", 9, 3, 8, None, utc(2026, 3, 1, 0, 0), (2026, 3, 8), utc(2026, 3, 8, 13, 0)),
        // On the day, after the hour: now.
        ("Europe/Berlin", 9, 6, 1, None, utc(2026, 6, 1, 12, 0), (2026, 6, 1), utc(2026, 6, 1, 12, 0)),
    ];
    for (i, (tz, hour, month, day, year, now, (y, m, d), send)) in cases.into_iter().enumerate() {
        let mut am = doc(tz, hour);
        let ada = person(&mut am, "Ada");
        let date = ImportantDate { label: "Anniversary".into(), month, day, year, remind: true };
        let key = add_important_date(&mut am, ada, date.clone(), utc(2025, 1, 1, 0, 0)).unwrap();
        add_important_date(&mut am, ada, ImportantDate { remind: false, label: "Met".into(), ..date }, utc(2025, 1, 1, 0, 0))
            .unwrap();
        let got = dates(&am, now);
        assert_eq!(got.len(), 1, "case {i}: only the date with remind on");
        let p = &got[0];
        assert_eq!(p.cycle_anchor, utc(y, m, d, 0, 0), "case {i}");
        assert_eq!(p.send_at, send, "case {i}");
        assert_eq!((p.item.clone(), p.detail.as_str(), p.recurring), (NudgeItem::date(&key), "Anniversary", true));
    }
}
