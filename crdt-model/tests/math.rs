//! Table tests of the relationship math.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use crdt_model::{
    all_statuses, contact_status, due_at, last_contacted_index, next_birthday, reminder_instant,
    status_at, turning_age, Birthday, Contact, ContactId, Interaction, InteractionId,
    InteractionKind, KithDoc, Settings, Status,
};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn empty_doc() -> KithDoc {
    KithDoc {
        schema: 1,
        settings: Settings::default(),
        contacts: BTreeMap::new(),
        interactions: BTreeMap::new(),
        notes: BTreeMap::new(),
        follow_ups: BTreeMap::new(),
        relationships: BTreeMap::new(),
    }
}

fn add_contact(doc: &mut KithDoc, created: DateTime<Utc>, cadence: Option<u32>) -> ContactId {
    let id = ContactId::new_random();
    let mut c = Contact::new(id, "someone", created);
    c.cadence_days = cadence;
    c.cadence_set_at = cadence.map(|_| created);
    doc.contacts.insert(id, c);
    id
}

fn add_interaction(doc: &mut KithDoc, with: &[ContactId], at: DateTime<Utc>) {
    let id = InteractionId::new_random();
    let i = Interaction {
        id,
        contact_ids: with.iter().map(|c| (*c, true)).collect(),
        kind: InteractionKind::Call,
        at,
        note: String::new(),
    };
    doc.interactions.insert(id, i);
}

#[test]
fn reminder_instant_across_dst() {
    let ny: Tz = "America/New_York".parse().unwrap();
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    // (zone, due, hour, expected, why)
    let cases = [
        (ny, "2026-07-01T12:00:00Z", 9, "2026-07-01T13:00:00Z", "summer, due 08:00 EDT -> 09:00 EDT"),
        (ny, "2026-07-01T13:00:00Z", 9, "2026-07-01T13:00:00Z", "due exactly at the hour"),
        (ny, "2026-07-01T14:00:00Z", 9, "2026-07-02T13:00:00Z", "due after the hour -> next day"),
        (ny, "2026-01-15T03:00:00Z", 9, "2026-01-15T14:00:00Z", "winter, due 22:00 EST the day before"),
        (ny, "2026-03-08T05:00:00Z", 2, "2026-03-08T07:00:00Z", "gap: 02:00 does not exist -> 03:00 EDT"),
        (ny, "2026-03-07T15:00:00Z", 9, "2026-03-08T13:00:00Z", "next day is the spring-forward day, 09:00 EDT"),
        (ny, "2026-11-01T04:00:00Z", 1, "2026-11-01T05:00:00Z", "fold: 01:00 twice -> earlier (EDT)"),
        (ny, "2026-10-31T14:00:00Z", 9, "2026-11-01T14:00:00Z", "fall-back day, 09:00 EST"),
        (berlin, "2026-03-28T23:00:00Z", 2, "2026-03-29T01:00:00Z", "gap: 02:00 -> 03:00 CEST"),
        (berlin, "2026-03-28T09:00:00Z", 9, "2026-03-29T07:00:00Z", "due 10:00 CET -> next day 09:00 CEST"),
        (berlin, "2026-10-24T22:00:00Z", 2, "2026-10-25T00:00:00Z", "fold: 02:00 twice -> earlier (CEST)"),
        (berlin, "2026-10-25T00:30:00Z", 9, "2026-10-25T08:00:00Z", "fall-back day, 09:00 CET"),
    ];
    for (tz, due, hour, expected, why) in cases {
        assert_eq!(reminder_instant(t(due), tz, hour), t(expected), "{why}");
    }
    // An hour above 23 is clamped rather than rejected.
    assert_eq!(
        reminder_instant(t("2026-06-30T10:00:00Z"), berlin, 99),
        t("2026-06-30T21:00:00Z")
    );
}

#[test]
fn status_table() {
    let t0 = t("2026-03-01T12:00:00Z");
    // (cadence days, past interactions as day offsets from t0, now as hour offset, expected)
    let cases: [(u32, &[i64], i64, Status, &str); 12] = [
        (14, &[], 24, Status::Ok, "cadence and no interactions: anchored where it was set"),
        (14, &[], 11 * 24, Status::Ok, "the 2.8-day window is not reached on day 11"),
        (14, &[], 11 * 24 + 12, Status::DueSoon, "inside 20% of 14 days"),
        (14, &[], 14 * 24 - 1, Status::DueSoon, "an hour before due"),
        (14, &[], 14 * 24, Status::Overdue, "due time reached"),
        (14, &[-20], 0, Status::Overdue, "last interaction 20 days ago"),
        (14, &[-20, -2], 0, Status::Ok, "the latest interaction counts"),
        (14, &[-2, -20], 0, Status::Ok, "order of logging does not matter"),
        (1, &[], 0, Status::DueSoon, "the window is at least one day"),
        (30, &[-25], 0, Status::DueSoon, "due in 5 days, window 6 days"),
        (365, &[-300], 0, Status::DueSoon, "due in 65 days, window 73 days"),
        (365, &[-200], 0, Status::Ok, "due in 165 days"),
    ];
    for (cadence, offsets, now_h, expected, why) in cases {
        let mut doc = empty_doc();
        let c = add_contact(&mut doc, t0, Some(cadence));
        for o in offsets {
            add_interaction(&mut doc, &[c], t0 + Duration::days(*o));
        }
        let now = t0 + Duration::hours(now_h);
        let s = contact_status(&doc, &doc.contacts[&c], &last_contacted_index(&doc, now), now);
        assert_eq!(s.map(|s| s.status), Some(expected), "{why}");
    }
}

#[test]
fn due_time_rules() {
    let t0 = t("2026-03-01T12:00:00Z");
    let mut doc = empty_doc();
    let c = add_contact(&mut doc, t0, Some(10));
    let contact = doc.contacts[&c].clone();
    assert_eq!(due_at(&contact, None), Some(t0 + Duration::days(10)), "anchored at cadence set time");
    let last = t0 + Duration::days(3);
    assert_eq!(due_at(&contact, Some(last)), Some(last + Duration::days(10)));

    // An older document without cadenceSetAt falls back to the creation time.
    let mut old = contact.clone();
    old.cadence_set_at = None;
    old.created_at = t0 - Duration::days(1);
    assert_eq!(due_at(&old, None), Some(t0 + Duration::days(9)));

    // Snooze pushes due out; an expired snooze changes nothing.
    let mut snoozed = contact.clone();
    snoozed.snoozed_until = Some(t0 + Duration::days(30));
    assert_eq!(due_at(&snoozed, None), Some(t0 + Duration::days(30)));
    snoozed.snoozed_until = Some(t0 + Duration::days(2));
    assert_eq!(due_at(&snoozed, None), Some(t0 + Duration::days(10)));

    // No cadence: never due.
    let mut none = contact;
    none.cadence_days = None;
    assert_eq!(due_at(&none, Some(last)), None);
    assert_eq!(status_at(t0, 14, t0 - Duration::days(3)), Status::Ok);
}

#[test]
fn snooze_turns_overdue_into_ok() {
    let now = t("2026-03-01T12:00:00Z");
    let mut doc = empty_doc();
    let c = add_contact(&mut doc, now - Duration::days(60), Some(14));
    let index = last_contacted_index(&doc, now);
    let before = contact_status(&doc, &doc.contacts[&c], &index, now).unwrap();
    assert_eq!(before.status, Status::Overdue);
    doc.contacts.get_mut(&c).unwrap().snoozed_until = Some(now + Duration::days(7));
    let after = contact_status(&doc, &doc.contacts[&c], &index, now).unwrap();
    assert_eq!(after.status, Status::Ok);
    assert_eq!(after.due_at, now + Duration::days(7));
    let later = now + Duration::days(6) + Duration::hours(1);
    assert_eq!(status_at(after.due_at, 14, later), Status::DueSoon);
}

#[test]
fn zero_and_ten_thousand_interactions() {
    let now = t("2026-03-01T12:00:00Z");
    let mut doc = empty_doc();
    let lonely = add_contact(&mut doc, now - Duration::days(3), Some(7));
    let busy = add_contact(&mut doc, now - Duration::days(3000), Some(7));
    let other = add_contact(&mut doc, now - Duration::days(3000), None);
    for k in 0..10_000i64 {
        // Spread over ~2 years, in scrambled order; the newest is 1 day ago.
        let age_minutes = 1440 + (k * 7919) % 10_000 * 100;
        add_interaction(&mut doc, &[busy, other], now - Duration::minutes(age_minutes));
    }
    // A planned meeting in the future does not count as contact yet.
    add_interaction(&mut doc, &[busy], now + Duration::days(2));
    let index = last_contacted_index(&doc, now);
    assert_eq!(index.get(lonely), None);
    assert_eq!(index.get(busy), Some(now - Duration::days(1)));
    let statuses = all_statuses(&doc, now);
    assert_eq!(statuses.len(), 2, "contacts without cadence have no status");
    let busy_s = statuses.iter().find(|s| s.contact == busy).unwrap();
    assert_eq!(busy_s.due_at, now + Duration::days(6));
    assert_eq!(busy_s.status, Status::Ok);
    let lonely_s = statuses.iter().find(|s| s.contact == lonely).unwrap();
    assert_eq!(lonely_s.last_contacted, None);
    assert_eq!(lonely_s.due_at, now + Duration::days(4));
    assert_eq!(statuses[0].contact, lonely, "most urgent first");
}

#[test]
fn archived_and_merged_contacts_have_no_status_and_merged_history_counts() {
    let now = t("2026-03-01T12:00:00Z");
    let mut doc = empty_doc();
    let winner = add_contact(&mut doc, now - Duration::days(100), Some(14));
    let loser = add_contact(&mut doc, now - Duration::days(100), Some(14));
    let archived = add_contact(&mut doc, now - Duration::days(100), Some(14));
    doc.contacts.get_mut(&loser).unwrap().merged_into = Some(winner);
    doc.contacts.get_mut(&archived).unwrap().archived = true;
    // Logged against the loser on a device that had not seen the merge yet.
    add_interaction(&mut doc, &[loser], now - Duration::days(1));
    let statuses = all_statuses(&doc, now);
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].contact, winner);
    assert_eq!(statuses[0].last_contacted, Some(now - Duration::days(1)));
    assert_eq!(statuses[0].status, Status::Ok);
}

#[test]
fn birthday_table() {
    let leap = Birthday { month: 2, day: 29, year: Some(1996) };
    let nye = Birthday { month: 12, day: 31, year: None };
    let cases = [
        (leap, "2027-01-10", Some("2027-02-28"), "Feb 29 -> Feb 28 in a common year"),
        (leap, "2027-02-28", Some("2027-02-28"), "on the day itself"),
        (leap, "2027-03-01", Some("2028-02-29"), "after it: next year, a leap year"),
        (leap, "2028-01-10", Some("2028-02-29"), "leap year keeps Feb 29"),
        (leap, "2028-02-29", Some("2028-02-29"), "on Feb 29"),
        (nye, "2026-12-31", Some("2026-12-31"), "today"),
        (nye, "2027-01-01", Some("2027-12-31"), "just passed"),
        (Birthday { month: 2, day: 30, year: None }, "2026-01-01", None, "Feb 30 is no date"),
        (Birthday { month: 13, day: 1, year: None }, "2026-01-01", None, "month 13"),
        (Birthday { month: 0, day: 0, year: None }, "2026-01-01", None, "zeros"),
    ];
    for (b, today, expected, why) in cases {
        assert_eq!(next_birthday(&b, d(today)), expected.map(d), "{why}");
    }
    assert_eq!(turning_age(&leap, d("2027-02-28")), Some(31));
    assert_eq!(turning_age(&nye, d("2027-12-31")), None);
}
