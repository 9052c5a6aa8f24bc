//! Planning against real documents built with the model's operations.

use automerge::Automerge;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use crdt_model::{
    archive_contact, create_contact, load, log_interaction, merge_contacts, new_document, set_cadence, snooze,
    Birthday, ContactDraft, ContactId, InteractionDraft, InteractionKind, Name,
};

use super::plan_user;
use crate::nudge::{NudgeKind, PlannedNudge};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
}

fn doc(tz: &str, created: DateTime<Utc>) -> Automerge {
    (new_document(tz, created)).unwrap()
}

fn contact(am: &mut Automerge, name: &str, cadence: Option<u32>, birthday: Option<(u32, u32)>, now: DateTime<Utc>) -> ContactId {
    let draft = ContactDraft {
        name: Name { display: name.into(), ..Name::default() },
        cadence_days: cadence,
        birthday: birthday.map(|(month, day)| Birthday { month, day, year: None }),
        ..ContactDraft::default()
    };
    (create_contact(am, draft, now)).unwrap()
}

fn talk(am: &mut Automerge, c: ContactId, at: DateTime<Utc>) {
    let draft = InteractionDraft { contact_ids: vec![c], kind: InteractionKind::Call, at, note: String::new() };
    (log_interaction(am, draft, at)).unwrap();
}

fn set_hour(am: &mut Automerge, hour: i64) {
    use automerge::transaction::Transactable;
    use automerge::ReadDoc;
    let mut tx = am.transaction();
    let settings = match tx.get(automerge::ROOT, "settings") {
        Ok(Some((_, id))) => id,
        other => panic!("no settings: {other:?}"),
    };
    (tx.put(&settings, "reminderHour", hour)).unwrap();
    tx.commit();
}

fn plan(am: &Automerge, now: DateTime<Utc>) -> Vec<PlannedNudge> {
    plan_user(&load(am).doc, now)
}

fn stale(p: &[PlannedNudge]) -> Vec<&PlannedNudge> {
    p.iter().filter(|n| n.kind == NudgeKind::Stale).collect()
}

#[test]
fn stale_is_due_a_cadence_after_the_last_interaction_at_the_local_hour() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("Europe/Berlin", t0);
    let mom = contact(&mut am, "Mom", Some(14), None, t0);
    talk(&mut am, mom, utc(2026, 5, 3, 18, 0));
    let p = plan(&am, utc(2026, 5, 4, 0, 0));
    let s = stale(&p);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].contact_name, "Mom");
    assert_eq!(s[0].cycle_anchor, utc(2026, 5, 3, 18, 0));
    assert_eq!(s[0].due_at, utc(2026, 5, 17, 18, 0));
    // 9:00 in Berlin (CEST, UTC+2) on the next day after due 20:00 local
    assert_eq!(s[0].send_at, utc(2026, 5, 18, 7, 0));
}

#[test]
fn planning_is_stable_and_a_new_interaction_starts_a_new_cycle() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("UTC", t0);
    let c = contact(&mut am, "Ada", Some(7), None, t0);
    let first = plan(&am, utc(2026, 5, 2, 0, 0));
    assert_eq!(first, plan(&am, utc(2026, 5, 2, 0, 0)));
    assert_eq!(stale(&first)[0].cycle_anchor, t0, "no interaction yet: the cadence-set moment");
    talk(&mut am, c, utc(2026, 5, 5, 10, 0));
    let second = plan(&am, utc(2026, 5, 5, 11, 0));
    assert_eq!(stale(&second)[0].cycle_anchor, utc(2026, 5, 5, 10, 0));
    assert_eq!(stale(&second)[0].send_at, utc(2026, 5, 13, 9, 0));
}

#[test]
fn overdue_relationships_wait_for_the_next_reminder_hour() {
    let t0 = utc(2025, 1, 1, 12, 0);
    let mut am = doc("America/New_York", t0);
    let c = contact(&mut am, "Old friend", Some(30), None, t0);
    talk(&mut am, c, utc(2025, 1, 2, 12, 0));
    let now = utc(2026, 2, 10, 20, 0); // 15:00 in New York
    let s = plan(&am, now);
    assert_eq!(stale(&s)[0].due_at, utc(2025, 2, 1, 12, 0));
    assert_eq!(stale(&s)[0].send_at, utc(2026, 2, 11, 14, 0)); // 09:00 EST next morning
}

#[test]
fn snooze_moves_the_nudge_into_a_cycle_of_its_own() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("UTC", t0);
    let c = contact(&mut am, "Bob", Some(7), None, t0);
    let until = utc(2026, 5, 20, 0, 0);
    (snooze(&mut am, c, Some(until), utc(2026, 5, 8, 9, 30))).unwrap();
    let s = plan(&am, utc(2026, 5, 8, 10, 0));
    assert_eq!(stale(&s)[0].cycle_anchor, until);
    assert_eq!(stale(&s)[0].due_at, until);
    assert_eq!(stale(&s)[0].send_at, utc(2026, 5, 20, 9, 0));
}

#[test]
fn archived_merged_and_cadence_free_contacts_get_no_stale_nudge() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("UTC", t0);
    let a = contact(&mut am, "Archived", Some(7), None, t0);
    let winner = contact(&mut am, "Winner", Some(7), None, t0);
    let loser = contact(&mut am, "Loser", Some(7), None, t0);
    let _none = contact(&mut am, "No cadence", None, None, t0);
    (archive_contact(&mut am, a, true, t0)).unwrap();
    (merge_contacts(&mut am, winner, loser, t0)).unwrap();
    let s = plan(&am, t0);
    let names: Vec<_> = stale(&s).iter().map(|n| n.contact_name.clone()).collect();
    assert_eq!(names, vec!["Winner".to_owned()]);
    (set_cadence(&mut am, winner, None, t0)).unwrap();
    assert!(stale(&plan(&am, t0)).is_empty());
}

#[test]
fn birthday_nudges_on_the_day_at_the_local_hour() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("Asia/Tokyo", t0);
    contact(&mut am, "Kei", None, Some((5, 10)), t0);
    let p = plan(&am, t0);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].kind, NudgeKind::Birthday);
    assert_eq!(p[0].cycle_anchor, utc(2026, 5, 10, 0, 0));
    assert_eq!(p[0].send_at, utc(2026, 5, 10, 0, 0)); // 09:00 JST
    // Planned late on the day itself: still that day, right away.
    let late = utc(2026, 5, 10, 5, 0);
    assert_eq!(plan(&am, late)[0].send_at, late);
    // The day after: next year's birthday, a new cycle.
    assert_eq!(plan(&am, utc(2026, 5, 10, 16, 0))[0].cycle_anchor, utc(2027, 5, 10, 0, 0));
}

#[test]
fn dst_gap_in_new_york_shifts_hour_two_forward() {
    let t0 = utc(2026, 2, 20, 12, 0);
    let mut am = doc("America/New_York", t0);
    set_hour(&mut am, 2);
    let c = contact(&mut am, "Spring", Some(1), None, t0);
    // due 2026-03-07 23:00 EST; 02:00 on 2026-03-08 does not exist -> 03:00 EDT = 07:00 UTC
    talk(&mut am, c, utc(2026, 3, 7, 4, 0));
    let s = plan(&am, utc(2026, 3, 7, 5, 0));
    assert_eq!(stale(&s)[0].send_at, utc(2026, 3, 8, 7, 0));
    let tz: Tz = "America/New_York".parse().unwrap_or(chrono_tz::UTC);
    assert_eq!(stale(&s)[0].send_at.with_timezone(&tz).format("%H:%M").to_string(), "03:00");
}

#[test]
fn dst_fold_in_berlin_takes_the_earlier_hour_two() {
    let t0 = utc(2026, 10, 1, 12, 0);
    let mut am = doc("Europe/Berlin", t0);
    set_hour(&mut am, 2);
    let c = contact(&mut am, "Autumn", Some(1), None, t0);
    // due 2026-10-24 23:00 UTC (01:00 CEST on the 25th); 02:00 happens twice: first at 00:00 UTC
    talk(&mut am, c, utc(2026, 10, 23, 23, 0));
    let s = plan(&am, utc(2026, 10, 24, 0, 0));
    assert_eq!(stale(&s)[0].send_at, utc(2026, 10, 25, 0, 0));
}

#[test]
fn unknown_zone_falls_back_to_utc() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("UTC", t0);
    {
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let mut tx = am.transaction();
        if let Ok(Some((_, s))) = tx.get(automerge::ROOT, "settings") {
            (tx.put(&s, "timezone", "Mars/Olympus_Mons")).unwrap();
        }
        tx.commit();
    }
    let c = contact(&mut am, "Ada", Some(1), None, t0);
    talk(&mut am, c, utc(2026, 5, 1, 12, 0));
    assert_eq!(stale(&plan(&am, t0))[0].send_at, utc(2026, 5, 3, 9, 0));
}

#[test]
fn overview_lists_overdue_due_soon_and_upcoming_birthdays() {
    let t0 = utc(2026, 5, 1, 12, 0);
    let mut am = doc("UTC", t0);
    let late = contact(&mut am, "Late", Some(7), None, t0);
    let soon = contact(&mut am, "Soon", Some(10), None, t0);
    contact(&mut am, "Fine", Some(60), None, t0);
    contact(&mut am, "Bday", None, Some((5, 20)), t0);
    contact(&mut am, "Far bday", None, Some((12, 1)), t0);
    talk(&mut am, late, utc(2026, 5, 1, 12, 0));
    talk(&mut am, soon, utc(2026, 5, 5, 12, 0));
    let o = crate::overview::overview(&load(&am).doc, utc(2026, 5, 14, 12, 0));
    assert_eq!(o.overdue.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), vec!["Late"]);
    assert_eq!(o.due_soon.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), vec!["Soon"]);
    assert_eq!(o.birthdays.len(), 1);
    assert_eq!(o.birthdays[0].name, "Bday");
    assert_eq!(o.birthdays[0].days_until, 6);
}
