//! Planning one big relationship-memory document: 5,000 contacts (cadences on all, birthdays
//! on half), 2,000 follow-ups (200 repeating: daily, weekly, monthly, yearly) and 3,000
//! important dates with `remind` on. Built through the model's operations as a device would,
//! then: hydrate + plan (what a re-plan does), plan alone, and what one edit costs afterwards
//! (the fingerprint and the store diff stay incremental: one row written).

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{
    add_follow_up, add_important_date, create_contact, edit_follow_up, load_without_notes, new_document, Birthday,
    ContactDraft, FollowUpDraft, FollowUpId, FollowUpPatch, ImportantDate, Name, Repeat, RepeatUnit,
};
use reminders::plan::plan_user;
use reminders::store::diff_plan;
use reminders::{plan_fingerprint, NudgeId, NudgeRecord, NudgeStatus, UserId};

const CONTACTS: usize = 5_000;
const FOLLOW_UPS: usize = 2_000;
const REPEATING: usize = 200;
const DATES: usize = 3_000;
const ROUNDS: u32 = 10;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default()
}

fn or_die<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

pub fn run() {
    let built = Instant::now();
    let mut am = or_die(new_document("America/New_York", t0()));
    let mut contacts = Vec::with_capacity(CONTACTS);
    for i in 0..CONTACTS {
        let draft = ContactDraft {
            name: Name { display: format!("Person {i}"), ..Name::default() },
            cadence_days: Some(14 + (i as u32 % 60)),
            birthday: (i % 2 == 0).then(|| Birthday { month: 1 + (i as u32 % 12), day: 1 + (i as u32 % 28), year: None }),
            ..ContactDraft::default()
        };
        contacts.push(or_die(create_contact(&mut am, draft, t0())));
    }
    let units = [RepeatUnit::Day, RepeatUnit::Week, RepeatUnit::Month, RepeatUnit::Year];
    let mut follow_ups: Vec<FollowUpId> = Vec::with_capacity(FOLLOW_UPS);
    for i in 0..FOLLOW_UPS {
        let draft = FollowUpDraft {
            contact_ids: vec![contacts[i % CONTACTS], contacts[(i * 7 + 1) % CONTACTS]],
            due_at: t0() + Duration::hours((i as i64 * 37) % (24 * 200)),
            all_day: i % 3 == 0,
            note: format!("Follow-up note number {i}: ask about the trip"),
            repeat: (i < REPEATING).then(|| Repeat { every: 1 + (i as u32 % 3), unit: units[i % units.len()].clone() }),
        };
        follow_ups.push(or_die(add_follow_up(&mut am, draft, t0())));
    }
    for i in 0..DATES {
        let date = ImportantDate {
            label: "Anniversary".into(),
            month: 1 + (i as u32 % 12),
            day: 1 + (i as u32 % 29),
            year: (i % 2 == 0).then_some(1990 + (i as i32 % 30)),
            remind: true,
        };
        or_die(add_important_date(&mut am, contacts[(i * 3) % CONTACTS], date, t0()));
    }
    println!("memory document built in {:.2?} ({} bytes saved)", built.elapsed(), am.save().len());

    let now = t0() + Duration::days(60);
    let start = Instant::now();
    let mut doc = load_without_notes(&am).doc;
    for _ in 1..ROUNDS {
        doc = load_without_notes(&am).doc;
    }
    let load_took = start.elapsed() / ROUNDS;
    let start = Instant::now();
    let mut plan = plan_user(&doc, now);
    for _ in 1..ROUNDS {
        plan = plan_user(&doc, now);
    }
    let plan_took = start.elapsed() / ROUNDS;
    let mut kinds = std::collections::BTreeMap::new();
    for p in &plan {
        *kinds.entry(p.kind.as_str()).or_insert(0usize) += 1;
    }
    println!(
        "memory plan: {CONTACTS} contacts, {FOLLOW_UPS} follow-ups ({REPEATING} repeating), {DATES} dates: \
         hydrate {load_took:.2?} + plan {plan_took:.2?} per re-plan; {} nudges {kinds:?}",
        plan.len(),
    );

    // One edit afterwards: a follow-up's note typed on a phone.
    let rows: Vec<NudgeRecord> = plan
        .iter()
        .map(|p| NudgeRecord { id: NudgeId::random(), user: UserId(uuid::Uuid::nil()), plan: p.clone(), status: NudgeStatus::Pending, attempts: 0 })
        .collect();
    let before = plan_fingerprint(&plan);
    let patch = FollowUpPatch { note: Some("Ask about the trip to Lisbon".into()), ..FollowUpPatch::default() };
    or_die(edit_follow_up(&mut am, follow_ups[REPEATING + 5], patch, now));
    let start = Instant::now();
    let after = plan_user(&load_without_notes(&am).doc, now);
    let fingerprint = plan_fingerprint(&after);
    let replan = start.elapsed();
    let start = Instant::now();
    let mut diff = diff_plan(&rows, &after);
    for _ in 1..ROUNDS {
        diff = diff_plan(&rows, &after);
    }
    let diff_took = start.elapsed() / ROUNDS;
    println!(
        "memory re-plan after one follow-up note edit: {replan:.2?} (hydrate + plan + fingerprint, moved: {}), \
         store diff {diff_took:.2?}: {:?}",
        fingerprint != before,
        diff.changes()
    );
}
