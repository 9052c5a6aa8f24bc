//! Two `kith` servers on one PostgreSQL database (only when `TEST_DATABASE_URL` is set), each
//! with its re-plan loop, roll-over sweep and worker, on one manual clock: a daily follow-up
//! and an overdue one-off written from devices on both instances are each pushed exactly once
//! per occurrence, whichever instance plans or claims them; the daily one's later occurrences
//! are planned by the sweep, with no edit.

use std::collections::HashMap;

use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use crdt_model::{ContactDraft, FollowUpDraft, Name, Repeat, RepeatUnit};
use kith_tests::push_service::PushService;
use kith_tests::reminder_server::wait_for_plan_on;
use kith_tests::reminder_support::as_subscription;
use kith_tests::stores::in_fresh_pg_schema;
use kith_tests::two_instances::{PASSWORD, device_on, start_pair, step_to};
use kith_tests::unique_email;
use reminders::{ManualClock, NudgeKind, NudgeStatus, UserId};
use serde_json::{json, Value};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap_or_default()
}

/// How often each notification (by its Web Push topic, i.e. its nudge) was delivered.
fn deliveries(push: &PushService, sub: &kith_tests::push_service::Subscriber) -> HashMap<String, usize> {
    let mut topics = HashMap::new();
    for d in push.delivered(sub) {
        *topics.entry(d.topic.unwrap_or_default()).or_default() += 1;
    }
    topics
}

async fn scenario(url: String) -> anyhow::Result<()> {
    let clock = ManualClock::new(t0());
    let (a, b, push) = start_pair(&clock, &url).await?;

    let email = unique_email("fu-two-instances");
    let r = a.http().post(a.url("/api/v1/accounts")).json(&json!({ "email": email, "password": PASSWORD, "timezone": "Europe/Berlin" })).send().await?;
    let body: Value = r.json().await?;
    let user = UserId(body["user_id"].as_str().unwrap_or_default().parse()?);
    let doc_id = body["doc_id"].as_str().unwrap_or_default().to_owned();
    let sub = push.subscribe();
    let token = body["token"].as_str().unwrap_or_default();
    let r = a.http().post(a.url("/api/v1/push/subscriptions")).bearer_auth(token).json(&as_subscription(&sub)).send().await?;
    anyhow::ensure!(r.status().as_u16() == 201, "subscribe: {}", r.status());

    // The phone on A adds Ada and a daily follow-up at 18:00 Berlin (16:00 UTC) from today.
    let mut phone = device_on(&a, &email, &doc_id).await?;
    let draft = ContactDraft { name: Name { display: "Ada".into(), ..Default::default() }, ..Default::default() };
    let ada = crdt_model::create_contact(&mut phone.doc, draft, t0() - Span::days(3))?;
    let first = t0() + Span::hours(4);
    let daily = FollowUpDraft {
        contact_ids: vec![ada],
        due_at: first,
        all_day: false,
        note: "Evening check-in".into(),
        repeat: Some(Repeat { every: 1, unit: RepeatUnit::Day }),
    };
    crdt_model::add_follow_up(&mut phone.doc, daily, t0())?;
    phone.sync().await?;
    // The laptop on B adds an overdue one-off about her.
    let mut laptop = device_on(&b, &email, &doc_id).await?;
    laptop.wait_until("Ada", |doc| !crdt_model::load(doc).doc.contacts.is_empty()).await?;
    let one_off = FollowUpDraft { contact_ids: vec![ada], due_at: t0() - Span::hours(2), all_day: false, note: "Return the book".into(), repeat: None };
    crdt_model::add_follow_up(&mut laptop.doc, one_off, t0())?;
    laptop.sync().await?;
    phone.wait_until("the laptop's follow-up", |doc| crdt_model::load(doc).doc.follow_ups.len() == 2).await?;
    for server in [&a, &b] {
        wait_for_plan_on(server, user, "both follow-ups planned", |rows| {
            rows.iter().filter(|r| r.plan.kind == NudgeKind::FollowUp && r.status == NudgeStatus::Pending).count() == 2
        })
        .await?;
    }

    // Three days: each occurrence once. The next day's occurrence is planned by a sweep (no edit).
    step_to(&clock, t0() + Span::minutes(1)).await?;
    for day in 0..3 {
        let at = first + Span::days(day);
        wait_for_plan_on(&a, user, &format!("day {day}'s occurrence planned"), |rows| {
            rows.iter().any(|r| r.plan.due_at == at && r.status == NudgeStatus::Pending)
        })
        .await?;
        step_to(&clock, at).await?;
        step_to(&clock, at + Span::hours(7)).await?;
    }
    let got = deliveries(&push, &sub);
    anyhow::ensure!(push.invalid_requests().is_empty(), "{:?}", push.invalid_requests());
    anyhow::ensure!(got.len() == 4, "the one-off and three daily occurrences: {got:?}");
    anyhow::ensure!(got.values().all(|n| *n == 1), "nothing sent twice: {got:?}");
    let notes: Vec<String> = push.delivered(&sub).iter().map(|d| d.payload["body"].as_str().unwrap_or_default().to_owned()).collect();
    anyhow::ensure!(notes.iter().filter(|n| *n == "Evening check-in").count() == 3 && notes.contains(&"Return the book".to_owned()), "{notes:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_push_each_follow_up_occurrence_exactly_once() {
    in_fresh_pg_schema("the two-instance follow-up test", scenario).await;
}
