//! Two `kith` servers on one PostgreSQL database (only when `TEST_DATABASE_URL` is set),
//! each with its re-plan loop and a worker, on one manual clock: a call logged on a device
//! of instance B cancels the nudge instance A planned from a device of its own, and the
//! next cycle's nudge is pushed exactly once by whichever worker claims it.


use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use crdt_model::{ContactDraft, ContactId, InteractionDraft, InteractionKind, Name};
use kith_tests::client::Device;
use kith_tests::reminder_server::wait_for_plan_on;
use kith_tests::reminder_support::as_subscription;
use kith_tests::stores::in_fresh_pg_schema;
use kith_tests::two_instances::{PASSWORD, device_on, start_pair, step_to};
use kith_tests::unique_email;
use reminders::{ManualClock, NudgeStatus, UserId};
use serde_json::{json, Value};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap_or_default()
}

async fn log_call(device: &mut Device, contact: ContactId, at: DateTime<Utc>) -> anyhow::Result<()> {
    let draft = InteractionDraft { contact_ids: vec![contact], kind: InteractionKind::Call, at, note: String::new() };
    crdt_model::log_interaction(&mut device.doc, draft, at)?;
    device.sync().await
}

async fn scenario(url: String) -> anyhow::Result<()> {
    let clock = ManualClock::new(t0());
    let (a, b, push) = start_pair(&clock, &url).await?;

    let email = unique_email("two-instances");
    let r = a.http().post(a.url("/api/v1/accounts")).json(&json!({ "email": email, "password": PASSWORD, "timezone": "Europe/Berlin" })).send().await?;
    let body: Value = r.json().await?;
    let user = UserId(body["user_id"].as_str().unwrap_or_default().parse()?);
    let doc_id = body["doc_id"].as_str().unwrap_or_default().to_owned();
    let sub = push.subscribe();
    let token = body["token"].as_str().unwrap_or_default();
    let r = a.http().post(a.url("/api/v1/push/subscriptions")).bearer_auth(token).json(&as_subscription(&sub)).send().await?;
    anyhow::ensure!(r.status().as_u16() == 201, "subscribe: {}", r.status());

    // The phone, on instance A, adds Bob, last called 20 days ago: A plans the nudge.
    let mut phone = device_on(&a, &email, &doc_id).await?;
    let draft = ContactDraft {
        name: Name { display: "Bob".into(), ..Default::default() },
        cadence_days: Some(14),
        ..Default::default()
    };
    let bob = crdt_model::create_contact(&mut phone.doc, draft, t0() - Span::days(30))?;
    log_call(&mut phone, bob, t0() - Span::days(20)).await?;
    let first = wait_for_plan_on(&a, user, "the first plan", |rows| rows.len() == 1).await?;
    let old_send_at = first[0].plan.send_at;

    // An hour later the laptop, on instance B, logs a call.
    let called = t0() + Span::hours(1);
    step_to(&clock, called).await?;
    let mut laptop = device_on(&b, &email, &doc_id).await?;
    log_call(&mut laptop, bob, called).await?;
    let planned = wait_for_plan_on(&a, user, "the re-plan from instance B", |rows| {
        rows.len() == 1 && rows[0].plan.cycle_anchor == called && rows[0].status == NudgeStatus::Pending
    })
    .await?;
    // A's copy (with the phone connected) merged B's change and re-planned from it too:
    // the schedule stays the new cycle's, whichever instance planned last.
    phone.wait_until("the laptop's call", |doc| crdt_model::load(doc).doc.interactions.len() == 2).await?;
    let again = wait_for_plan_on(&a, user, "the next cycle", |rows| rows.len() == 1).await?;
    anyhow::ensure!(again[0].plan == planned[0].plan, "{again:#?}");

    step_to(&clock, old_send_at + Span::days(1)).await?;
    anyhow::ensure!(push.attempts(&sub).is_empty(), "no push for a relationship just tended");
    step_to(&clock, planned[0].plan.send_at).await?;
    anyhow::ensure!(push.delivered(&sub).len() == 1, "exactly one push: {:?}", push.delivered(&sub).len());
    step_to(&clock, planned[0].plan.send_at + Span::days(2)).await?;
    anyhow::ensure!(push.delivered(&sub).len() == 1, "still one push");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_on_instance_b_cancels_the_nudge_instance_a_planned() {
    in_fresh_pg_schema("the two-instance reminder test", scenario).await;
}
