//! `GET /api/v1/reminders` and the notification actions (`interactions`, `snooze`) over
//! HTTP against the real server: shapes, re-planning, and what bad requests get.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{ContactDraft, ContactId, InteractionDraft, InteractionKind, Name};
use kith_tests::client::Device;
use kith_tests::reminder_server::{ReminderServer, User};
use reminders::NudgeStatus;
use serde_json::{json, Value};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap()
}

async fn overdue_contact(device: &mut Device, name: &str) -> ContactId {
    let last = t0() - Duration::days(30);
    let draft = ContactDraft {
        name: Name { display: name.to_owned(), ..Default::default() },
        cadence_days: Some(14),
        ..Default::default()
    };
    let id = (crdt_model::create_contact(&mut device.doc, draft, last)).unwrap();
    let talk = InteractionDraft { contact_ids: vec![id], kind: InteractionKind::Meeting, at: last, note: String::new() };
    (crdt_model::log_interaction(&mut device.doc, talk, last)).unwrap();
    device.sync().await.unwrap();
    id
}

async fn post(rs: &ReminderServer, user: &User, path: &str, body: Value) -> (u16, Value) {
    let r = rs.server.http().post(rs.server.url(path)).bearer_auth(&user.token).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn reminders_lists_what_is_overdue_as_of_the_reminder_clock() {
    let rs = ReminderServer::start(t0()).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = overdue_contact(&mut phone, "Ada").await;

    let r = (rs.server.http().get(rs.server.url("/api/v1/reminders")).bearer_auth(&user.token).send().await).unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["overdue"][0]["contact_id"], json!(ada.to_string()), "{body}");
    assert_eq!(body["overdue"][0]["name"], "Ada");
    assert_eq!(body["overdue"][0]["cadence_days"], 14);
    assert_eq!(body["due_soon"], json!([]));
    assert_eq!(body["birthdays"], json!([]));

    let anonymous = (rs.server.http().get(rs.server.url("/api/v1/reminders")).send().await).unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}

#[tokio::test]
async fn snooze_moves_the_pending_nudge_past_the_snooze() {
    let rs = ReminderServer::start(t0()).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = overdue_contact(&mut phone, "Ada").await;
    let before = rs.wait_pending(&user, 1).await.unwrap();

    let (status, body) = post(&rs, &user, &format!("/api/v1/contacts/{ada}/snooze"), json!({ "days": 7 })).await;
    assert_eq!(status, 200, "{body}");
    let until = t0() + Duration::days(7);
    assert_eq!(body["snoozed_until"].as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok()), Some(until));

    let rows = (rs
        .wait_for_plan(&user, "the snoozed nudge", |rows| {
            rows.len() == 1 && rows[0].status == NudgeStatus::Pending && rows[0].plan.due_at == until
        })
        .await).unwrap();
    assert!(rows[0].plan.send_at >= until && rows[0].plan.send_at > before[0].plan.send_at);
    // Every device sees the snooze too.
    (phone
        .wait_until("the snooze", |doc| {
            crdt_model::load(doc).doc.contacts.get(&ada).and_then(|c| c.snoozed_until) == Some(until)
        })
        .await).unwrap();
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let rs = ReminderServer::start(t0()).await.unwrap();
    let user = (rs.user("Europe/Berlin").await).unwrap();
    let other = (rs.user("Europe/Berlin").await).unwrap();
    let mut phone = rs.device(&user).await.unwrap();
    let ada = overdue_contact(&mut phone, "Ada").await;
    let done = |id: &str| format!("/api/v1/contacts/{id}/interactions");
    let snooze = |id: &str| format!("/api/v1/contacts/{id}/snooze");

    for path in [done("not-a-uuid"), done(&ContactId::new_random().to_string()), snooze("42")] {
        let (status, body) = post(&rs, &user, &path, json!({ "kind": "call", "days": 3 })).await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")), "{path}: {body}");
    }
    // Someone else's contact does not exist for this user.
    let (status, body) = post(&rs, &other, &done(&ada.to_string()), json!({ "kind": "call" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")), "{body}");
    let (status, body) = post(&rs, &other, &snooze(&ada.to_string()), json!({ "days": 3 })).await;
    assert_eq!(status, 404, "{body}");

    let (status, body) = post(&rs, &user, &done(&ada.to_string()), json!({ "kind": "dance" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_kind")));
    for days in [json!(0), json!(366)] {
        let (status, body) = post(&rs, &user, &snooze(&ada.to_string()), json!({ "days": days })).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_days")), "{days}");
    }
    let (status, body) = post(&rs, &user, &snooze(&ada.to_string()), json!({ "days": "soon" })).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["code"].is_string());

    let r = rs.server.http().post(rs.server.url(&done(&ada.to_string()))).json(&json!({ "kind": "call" })).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Nothing above touched the document: still one interaction, no snooze.
    let seen = rs.server.state.hub.read_doc(user.doc_id.parse().unwrap(), crdt_model::load).await.unwrap().doc;
    assert_eq!(seen.interactions.len(), 1);
    assert_eq!(seen.contacts.get(&ada).and_then(|c| c.snoozed_until), None);
}
