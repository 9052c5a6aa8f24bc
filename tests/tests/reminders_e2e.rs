//! Reminders end to end through the real server: devices write over `/sync`, the server
//! re-plans, its worker pushes to the local push service (VAPID checked, payload really
//! decrypted), time driven by a manual clock. Store-level cases (claims, retries, 410, two
//! workers) live in `reminders_store.rs`; these are the paths only the whole server has.

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{ContactDraft, ContactId, InteractionDraft, InteractionKind, Name};
use kith_tests::client::Device;
use kith_tests::reminder_server::{ReminderServer, User};
use reminders::{Clock, NudgeKind, NudgeStatus};
use serde_json::{json, Value};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_else(|| panic!("bad date"))
}

/// What a phone does: add a contact to keep in touch with every `cadence` days, log the
/// last time they talked, and sync it to the server.
async fn befriend(device: &mut Device, name: &str, cadence: u32, last_talked: DateTime<Utc>) -> ContactId {
    let draft = ContactDraft {
        name: Name { display: name.to_owned(), ..Default::default() },
        cadence_days: Some(cadence),
        ..Default::default()
    };
    let id = (crdt_model::create_contact(&mut device.doc, draft, last_talked - Duration::days(1))).unwrap();
    talk(device, id, last_talked).await;
    id
}

async fn talk(device: &mut Device, contact: ContactId, at: DateTime<Utc>) {
    let draft = InteractionDraft { contact_ids: vec![contact], kind: InteractionKind::Call, at, note: String::new() };
    (crdt_model::log_interaction(&mut device.doc, draft, at)).unwrap();
    device.sync().await.unwrap();
}

fn delivered(rs: &ReminderServer, user: &User) -> Vec<Value> {
    rs.push.delivered(&user.sub).into_iter().map(|d| d.payload).collect()
}

#[tokio::test]
async fn a_stale_relationship_written_over_sync_is_pushed_once_at_the_reminder_hour() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = befriend(&mut phone, "Ada Lovelace", 14, t0 - Duration::days(30)).await;

    // Overdue since mid-May; nudged at the next 09:00 in Berlin (CEST), not at once.
    let planned = rs.wait_pending(&user, 1).await.unwrap();
    let send_at = utc(2026, 6, 2, 7, 0);
    assert_eq!((planned[0].plan.contact, planned[0].plan.kind, planned[0].plan.send_at), (ada, NudgeKind::Stale, send_at));

    rs.step_to(send_at - Duration::minutes(1)).await.unwrap();
    assert!(delivered(&rs, &user).is_empty(), "nothing before the reminder hour");
    rs.step_to(send_at).await.unwrap();
    let got = delivered(&rs, &user);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["title"], "Time to catch up with Ada Lovelace");
    assert_eq!(got[0]["contact_ids"], json!([ada.to_string()]));
    assert!(rs.push.invalid_requests().is_empty(), "{:?}", rs.push.invalid_requests());
    let note = &rs.push.delivered(&user.sub)[0];
    assert!(note.ttl > 0 && note.ttl <= 24 * 3600, "ttl {}", note.ttl);
    assert!(note.topic.is_some());

    // Days pass: the cycle was nudged once, so nothing more (and the row says sent).
    (rs.step_to(send_at + Duration::days(3)).await).unwrap();
    assert_eq!(delivered(&rs, &user).len(), 1);
    let rows = rs.nudges(&user).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.status).collect::<Vec<_>>(), vec![NudgeStatus::Sent]);

    // The attempt is counted in /metrics.
    let metrics = ((rs.server.http().get(rs.server.url("/metrics")).send().await).unwrap().text().await).unwrap();
    assert!(metrics.lines().any(|l| l == "kith_push_sent_total{status=\"201\"} 1"), "{metrics}");
}

#[tokio::test]
async fn an_interaction_logged_on_another_device_before_send_at_means_no_push() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let bob = befriend(&mut phone, "Bob", 14, t0 - Duration::days(20)).await;
    let first = rs.wait_pending(&user, 1).await.unwrap();
    let send_at = first[0].plan.send_at;

    // An hour later, still before the nudge would go out, the laptop logs a call.
    let called = t0 + Duration::hours(1);
    rs.step_to(called).await.unwrap();
    assert!(called < send_at);
    let mut laptop = rs.device(&user).await.unwrap();
    talk(&mut laptop, bob, called).await;
    let rows = (rs
        .wait_for_plan(&user, "the new cycle", |rows| {
            rows.len() == 1 && rows[0].plan.cycle_anchor == called && rows[0].status == NudgeStatus::Pending
        })
        .await).unwrap();
    assert_eq!(rows[0].plan.due_at, called + Duration::days(14));

    (rs.step_to(send_at + Duration::days(1)).await).unwrap();
    assert!(rs.push.attempts(&user.sub).is_empty(), "no push for a relationship just tended");
}

/// One user's nudge, due at `due` (last talk + 14 days) with the reminder at `hour` local
/// time: nothing at `quiet`, exactly one push at `expected`, none more at `later` instants.
async fn exactly_one_push_at(tz: &str, hour: u32, start: DateTime<Utc>, due: DateTime<Utc>, expected: DateTime<Utc>, later: &[DateTime<Utc>]) {
    let rs = ReminderServer::start(start).await.unwrap();
    let user = rs.user(tz).await.unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    (crdt_model::update_settings(&mut phone.doc, None, Some(hour), None, start)).unwrap();
    befriend(&mut phone, "Dee", 14, due - Duration::days(14)).await;
    let planned = (rs.wait_for_plan(&user, "the nudge", |rows| rows.len() == 1).await).unwrap();
    assert_eq!(planned[0].plan.due_at, due);
    assert_eq!(planned[0].plan.send_at, expected, "{tz}");

    rs.step_to(expected - Duration::minutes(1)).await.unwrap();
    assert!(delivered(&rs, &user).is_empty());
    rs.step_to(expected).await.unwrap();
    assert_eq!(delivered(&rs, &user).len(), 1);
    for at in later {
        (rs.step_to(*at).await).unwrap();
        assert_eq!(delivered(&rs, &user).len(), 1, "a second push at {at}");
    }
}

#[tokio::test]
async fn new_york_reminder_hour_2_on_the_spring_forward_day_comes_once_at_3_edt() {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:00 does not exist and is shifted to
    // 03:00 EDT = 07:00 UTC (not 06:00, and not skipped to the next day).
    let due = utc(2026, 3, 8, 5, 0); // 00:00 EST
    let expected = utc(2026, 3, 8, 7, 0);
    let later = [utc(2026, 3, 9, 6, 0), utc(2026, 3, 10, 12, 0)];
    exactly_one_push_at("America/New_York", 2, utc(2026, 3, 1, 12, 0), due, expected, &later).await;
}

#[tokio::test]
async fn berlin_reminder_hour_2_on_the_autumn_fold_comes_once_at_the_first_2_am() {
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 02:00 happens at 00:00 and at
    // 01:00 UTC. The first one is the reminder; the repeat must not send again.
    let due = utc(2026, 10, 24, 22, 30); // 00:30 CEST on the 25th
    let expected = utc(2026, 10, 25, 0, 0);
    let later = [utc(2026, 10, 25, 1, 0), utc(2026, 10, 27, 12, 0)];
    exactly_one_push_at("Europe/Berlin", 2, utc(2026, 10, 18, 12, 0), due, expected, &later).await;
}

#[tokio::test]
async fn done_from_the_notification_reaches_a_connected_device_live_and_starts_a_new_cycle() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    befriend(&mut phone, "Cy", 14, t0 - Duration::days(30)).await;
    let planned = rs.wait_pending(&user, 1).await.unwrap();
    rs.step_to(planned[0].plan.send_at).await.unwrap();
    let pushed = delivered(&rs, &user);
    assert_eq!(pushed.len(), 1);
    let contact = pushed[0]["contact_ids"][0].as_str().unwrap_or_default().to_owned();

    // The service worker's "Done" button, with the browser's token.
    let started = Instant::now();
    let r = (rs
        .server
        .http()
        .post(rs.server.url(&format!("/api/v1/contacts/{contact}/interactions")))
        .bearer_auth(&user.token)
        .json(&json!({ "kind": "call" }))
        .send()
        .await).unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    let interaction = body["interaction_id"].as_str().unwrap_or_default().to_owned();
    (phone
        .wait_until("the Done interaction", |doc| {
            crdt_model::load(doc).doc.interactions.keys().any(|id| id.to_string() == interaction)
        })
        .await).unwrap();
    let took = started.elapsed();
    println!("Done → connected device over /sync: {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
    let seen = crdt_model::load(&phone.doc).doc;
    let logged = seen.interactions.values().find(|i| i.id.to_string() == interaction).map(|i| (i.kind.clone(), i.at));
    assert_eq!(logged, Some((InteractionKind::Call, rs.clock.now())), "logged at the reminder clock's now");

    // Re-planned from the server's own edit: the next nudge is 14 days after "Done".
    let now = rs.clock.now();
    (rs
        .wait_for_plan(&user, "the next cycle", |rows| {
            rows.iter().any(|r| r.status == NudgeStatus::Pending && r.plan.cycle_anchor == now)
        })
        .await).unwrap();
}

#[tokio::test]
async fn a_new_cadence_moves_the_nudge_and_archiving_or_merging_cancels_it() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let last = t0 - Duration::days(20);
    let ada = befriend(&mut phone, "Ada", 14, last).await;
    let bob = befriend(&mut phone, "Bob", 14, last).await;
    let bobby = befriend(&mut phone, "Bobby", 14, last).await;
    rs.wait_pending(&user, 3).await.unwrap();

    // Ada: every 30 days now, so due 30 days after the last call, not overdue.
    (crdt_model::set_cadence(&mut phone.doc, ada, Some(30), t0)).unwrap();
    // Bob is archived; Bobby turns out to be a duplicate of Ada.
    (crdt_model::archive_contact(&mut phone.doc, bob, true, t0)).unwrap();
    (crdt_model::merge_contacts(&mut phone.doc, ada, bobby, t0)).unwrap();
    phone.sync().await.unwrap();

    let rows = (rs
        .wait_for_plan(&user, "Ada's nudge alone, moved", |rows| {
            rows.len() == 1 && rows[0].plan.contact == ada && rows[0].plan.cadence_days == Some(30)
        })
        .await).unwrap();
    assert_eq!(rows[0].plan.due_at, last + Duration::days(30));
    assert_eq!(rows[0].status, NudgeStatus::Pending);

    // Nothing goes out for Bob or Bobby; Ada's comes when it is due.
    (rs.step_to(t0 + Duration::days(2)).await).unwrap();
    assert!(rs.push.attempts(&user.sub).is_empty());
    rs.step_to(rows[0].plan.send_at).await.unwrap();
    let got = delivered(&rs, &user);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["contact_ids"], json!([ada.to_string()]));
}

#[tokio::test]
async fn next_years_birthday_is_planned_when_this_years_is_over_without_any_change() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let draft = ContactDraft {
        name: Name { display: "Grace Hopper".to_owned(), ..Default::default() },
        birthday: Some(crdt_model::Birthday { month: 6, day: 10, year: None }),
        ..Default::default()
    };
    let grace = (crdt_model::create_contact(&mut phone.doc, draft, t0)).unwrap();
    phone.sync().await.unwrap();

    let this_year = rs.wait_pending(&user, 1).await.unwrap();
    assert_eq!((this_year[0].plan.contact, this_year[0].plan.kind), (grace, NudgeKind::Birthday));
    let send_at = this_year[0].plan.send_at;
    assert_eq!(send_at.date_naive(), utc(2026, 6, 10, 0, 0).date_naive());
    rs.step_to(send_at).await.unwrap();
    assert_eq!(delivered(&rs, &user).len(), 1);

    // Nobody touches the document again. Once the day is over, next year's is planned.
    (rs.step_to(send_at + Duration::days(2)).await).unwrap();
    let next = (rs.wait_for_plan(&user, "next year's birthday", |rows| {
        rows.iter().any(|r| r.status == NudgeStatus::Pending && r.plan.send_at.date_naive() == utc(2027, 6, 10, 0, 0).date_naive())
    })
    .await).unwrap();
    let next = next.iter().find(|r| r.status == NudgeStatus::Pending).map(|r| r.plan.clone());
    let next = next.unwrap_or_else(|| panic!("no pending nudge"));
    assert_eq!((next.contact, next.kind), (grace, NudgeKind::Birthday));
    assert_eq!(delivered(&rs, &user).len(), 1, "nothing sent early");
    rs.step_to(next.send_at).await.unwrap();
    assert_eq!(delivered(&rs, &user).len(), 2, "and it arrives, a year later");
}
