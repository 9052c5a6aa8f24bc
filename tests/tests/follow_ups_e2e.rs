//! Follow-ups and important dates end to end through the real server: a device writes them
//! over `/sync`, the server plans them, its worker pushes to the local push service (payload
//! really decrypted), and the notification's buttons (`/api/v1/follow-ups/{id}/done`,
//! `/snooze`) write into the document that connected devices then see.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{ContactDraft, ContactId, FollowUpDraft, FollowUpId, ImportantDate, Name, Repeat, RepeatUnit};
use kith_tests::client::Device;
use kith_tests::reminder_server::{ReminderServer, User};
use reminders::{NudgeKind, NudgeStatus};
use serde_json::{json, Value};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_else(|| panic!("bad date"))
}

fn person(device: &mut Device, name: &str, at: DateTime<Utc>) -> ContactId {
    let draft = ContactDraft { name: Name { display: name.to_owned(), ..Default::default() }, ..Default::default() };
    crdt_model::create_contact(&mut device.doc, draft, at).unwrap_or_else(|e| panic!("{e}"))
}

async fn write_follow_up(device: &mut Device, who: Vec<ContactId>, due: DateTime<Utc>, note: &str, repeat: Option<Repeat>, now: DateTime<Utc>) -> FollowUpId {
    let draft = FollowUpDraft { contact_ids: who, due_at: due, all_day: false, note: note.to_owned(), repeat };
    let id = crdt_model::add_follow_up(&mut device.doc, draft, now).unwrap_or_else(|e| panic!("{e}"));
    device.sync().await.unwrap_or_else(|e| panic!("{e}"));
    id
}

async fn post(rs: &ReminderServer, user: &User, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = rs.server.http().post(rs.server.url(path)).bearer_auth(&user.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn follow_up_done(doc: &automerge::Automerge, id: FollowUpId) -> Option<DateTime<Utc>> {
    crdt_model::load(doc).doc.follow_ups.get(&id).and_then(|f| f.done_at)
}

#[tokio::test]
async fn an_overdue_follow_up_is_pushed_with_the_people_and_the_note_and_done_reaches_the_other_device() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = rs.user("Europe/Berlin").await.unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = person(&mut phone, "Ada Lovelace", t0 - Duration::days(10));
    let bob = person(&mut phone, "Bob", t0 - Duration::days(10));
    let id = write_follow_up(&mut phone, vec![ada, bob], t0 - Duration::days(2), "Ask how the surgery went", None, t0 - Duration::days(9)).await;

    // Due two days ago: planned at once (not at the next reminder hour: the user chose the time).
    let planned = rs.wait_pending(&user, 1).await.unwrap();
    assert_eq!(planned[0].plan.kind, NudgeKind::FollowUp);
    assert_eq!((planned[0].plan.due_at, planned[0].plan.send_at), (t0 - Duration::days(2), t0));

    let mut laptop = rs.device(&user).await.unwrap();
    rs.step_to(t0 + Duration::minutes(1)).await.unwrap();
    let got: Vec<Value> = rs.push.delivered(&user.sub).into_iter().map(|d| d.payload).collect();
    assert_eq!(got.len(), 1, "{got:?}");
    let title = got[0]["title"].as_str().unwrap_or_default();
    assert!(title == "Follow up with Ada Lovelace and Bob" || title == "Follow up with Bob and Ada Lovelace", "{title}");
    assert_eq!(got[0]["body"], "Ask how the surgery went");
    assert_eq!(got[0]["follow_up_id"], json!(id.to_string()));
    assert_eq!(got[0]["actions"], json!([{"action": "done", "title": "Done"}, {"action": "snooze", "title": "Snooze 1 day"}]));
    assert!(rs.push.invalid_requests().is_empty(), "{:?}", rs.push.invalid_requests());

    // The Done button, as the service worker calls it: the laptop sees it within a second.
    let pressed = Instant::now();
    let (status, body) = post(&rs, &user, &format!("/api/v1/follow-ups/{id}/done"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["follow_up_id"], json!(id.to_string()));
    laptop.wait_until("the follow-up marked done", |doc| follow_up_done(doc, id).is_some()).await.unwrap();
    assert!(pressed.elapsed() < StdDuration::from_secs(1), "took {:?}", pressed.elapsed());
    assert_eq!(follow_up_done(&laptop.doc, id), Some(t0 + Duration::minutes(1)));

    // Done: nothing more is planned or sent.
    rs.wait_for_plan(&user, "no pending follow-up", |rows| rows.iter().all(|r| r.status != NudgeStatus::Pending)).await.unwrap();
    rs.step_to(t0 + Duration::days(3)).await.unwrap();
    assert_eq!(rs.push.delivered(&user.sub).len(), 1);
}

#[tokio::test]
async fn snooze_moves_the_follow_up_a_day_and_it_is_pushed_again_then() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = rs.user("Europe/Berlin").await.unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = person(&mut phone, "Ada", t0 - Duration::days(10));
    let id = write_follow_up(&mut phone, vec![ada], t0 - Duration::hours(1), "Send the book", None, t0 - Duration::days(1)).await;
    rs.wait_pending(&user, 1).await.unwrap();
    rs.step_to(t0 + Duration::minutes(1)).await.unwrap();
    assert_eq!(rs.push.delivered(&user.sub).len(), 1);

    let (status, body) = post(&rs, &user, &format!("/api/v1/follow-ups/{id}/snooze"), Some(json!({"days": 1}))).await;
    assert_eq!(status, 200, "{body}");
    let until = t0 + Duration::minutes(1) + Duration::days(1);
    assert_eq!(body["due_at"], json!(until));
    phone.wait_until("the snoozed due time", |doc| crdt_model::load(doc).doc.follow_ups.get(&id).map(|f| f.due_at) == Some(until)).await.unwrap();
    rs.wait_for_plan(&user, "the snoozed occurrence", |rows| rows.iter().any(|r| r.status == NudgeStatus::Pending && r.plan.due_at == until))
        .await
        .unwrap();
    rs.step_to(until - Duration::minutes(1)).await.unwrap();
    assert_eq!(rs.push.delivered(&user.sub).len(), 1, "not before the snooze ends");
    rs.step_to(until).await.unwrap();
    assert_eq!(rs.push.delivered(&user.sub).len(), 2, "again when it ends");
}

#[tokio::test]
async fn follow_up_actions_reject_unknown_ids_and_bad_days() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = rs.user("Europe/Berlin").await.unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = person(&mut phone, "Ada", t0);
    let id = write_follow_up(&mut phone, vec![ada], t0 + Duration::days(1), "", None, t0).await;

    let unknown = FollowUpId::new_random();
    for path in [format!("/api/v1/follow-ups/{unknown}/done"), "/api/v1/follow-ups/not-an-id/done".to_owned()] {
        let (status, body) = post(&rs, &user, &path, None).await;
        assert_eq!((status, body["error"]["code"].clone()), (404, json!("not_found")), "{path}: {body}");
    }
    let (status, _) = post(&rs, &user, &format!("/api/v1/follow-ups/{unknown}/snooze"), Some(json!({"days": 1}))).await;
    assert_eq!(status, 404);
    for days in [json!(0), json!(366)] {
        let (status, body) = post(&rs, &user, &format!("/api/v1/follow-ups/{id}/snooze"), Some(json!({ "days": days }))).await;
        assert_eq!(status, 422, "{days}: {body}");
    }
    let (status, body) = post(&rs, &user, &format!("/api/v1/follow-ups/{id}/snooze"), Some(json!({"days": -1}))).await;
    assert!(status == 422 || status == 400, "{status} {body}");
    assert!(body["error"]["code"].is_string(), "{body}");
    // Another user's follow-up is as unknown as one that never existed.
    let other = rs.user("Europe/Berlin").await.unwrap();
    let (status, _) = post(&rs, &other, &format!("/api/v1/follow-ups/{id}/done"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn reminders_lists_due_follow_ups_and_upcoming_important_dates() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = rs.user("Europe/Berlin").await.unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = person(&mut phone, "Ada", t0 - Duration::days(1));
    let due = write_follow_up(&mut phone, vec![ada], t0 - Duration::hours(3), "Call back", None, t0 - Duration::days(1)).await;
    write_follow_up(&mut phone, vec![ada], t0 + Duration::days(3), "Later", None, t0 - Duration::days(1)).await;
    let weekly = Some(Repeat { every: 1, unit: RepeatUnit::Week });
    write_follow_up(&mut phone, vec![ada], t0 + Duration::days(2), "Weekly", weekly, t0 - Duration::days(1)).await;
    let date = ImportantDate { label: "Anniversary".into(), month: 6, day: 10, year: Some(2016), remind: true };
    crdt_model::add_important_date(&mut phone.doc, ada, date, t0).unwrap();
    phone.sync().await.unwrap();

    let r = rs.server.http().get(rs.server.url("/api/v1/reminders")).bearer_auth(&user.token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let fus = body["follow_ups"].as_array().cloned().unwrap_or_default();
    assert_eq!(fus.len(), 1, "only the due one: {body}");
    assert_eq!(fus[0]["follow_up_id"], json!(due.to_string()));
    assert_eq!((fus[0]["names"].clone(), fus[0]["note"].clone()), (json!("Ada"), json!("Call back")));
    assert_eq!(fus[0]["contact_ids"], json!([ada.to_string()]));
    assert_eq!(body["important_dates"], json!([{
        "contact_id": ada.to_string(), "name": "Ada", "label": "Anniversary",
        "date": "2026-06-10", "days_until": 9, "years": 10,
    }]));
}

#[tokio::test]
async fn an_important_date_is_pushed_on_the_day_and_next_years_is_planned_without_any_change() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = rs.user("Europe/Berlin").await.unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = person(&mut phone, "Ada", t0);
    let date = ImportantDate { label: "Wedding anniversary".into(), month: 6, day: 10, year: None, remind: true };
    crdt_model::add_important_date(&mut phone.doc, ada, date, t0).unwrap_or_else(|e| panic!("{e}"));
    phone.sync().await.unwrap_or_else(|e| panic!("{e}"));

    let planned = rs.wait_pending(&user, 1).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((planned[0].plan.kind, planned[0].plan.send_at), (NudgeKind::Date, utc(2026, 6, 10, 7, 0)), "09:00 CEST");
    rs.step_to(utc(2026, 6, 10, 7, 0)).await.unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<Value> = rs.push.delivered(&user.sub).into_iter().map(|d| d.payload).collect();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["title"], "Wedding anniversary: Ada, today");

    rs.step_to(utc(2026, 6, 12, 7, 0)).await.unwrap_or_else(|e| panic!("{e}"));
    rs.wait_for_plan(&user, "next year's date", |rows| {
        rows.iter().any(|r| r.status == NudgeStatus::Pending && r.plan.send_at == utc(2027, 6, 10, 7, 0))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    rs.step_to(utc(2027, 6, 10, 7, 0)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rs.push.delivered(&user.sub).len(), 2, "a year later, once");
}
