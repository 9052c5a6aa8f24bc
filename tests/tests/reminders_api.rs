//! The push API over HTTP against the real server: VAPID key, subscriptions tied to the
//! session, validation of what clients send.

use std::os::unix::fs::PermissionsExt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kith_tests::push_service::PushService;
use kith_tests::{unique_email, TestServer};
use serde_json::{json, Value};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn vapid_key_is_created_once_private_and_survives_a_restart() {
    let server = ok(TestServer::start().await);
    let key: Value = ok(ok(server.http().get(server.url("/api/v1/push/vapid-public-key")).send().await).json().await);
    let public = key["public_key"].as_str().unwrap_or_default().to_owned();
    let raw = ok(URL_SAFE_NO_PAD.decode(&public));
    assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
    let file = server.data_dir().join("vapid_private_key");
    let mode = ok(std::fs::metadata(&file)).permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let server = ok(server.restart().await);
    let again: Value = ok(ok(server.http().get(server.url("/api/v1/push/vapid-public-key")).send().await).json().await);
    assert_eq!(again["public_key"].as_str(), Some(public.as_str()));
}

#[tokio::test]
async fn subscriptions_are_registered_validated_and_removed() {
    let server = ok(TestServer::start_with(|c| c.reminders.push_allow_http_loopback = true).await);
    let push = ok(PushService::start().await);
    let (token, _) = ok(server.signup(&unique_email("push"), "a long enough password").await);
    let sub = push.subscribe();
    let url = server.url("/api/v1/push/subscriptions");
    let http = server.http();

    let anonymous = ok(http.post(&url).json(&sub.json()).send().await);
    assert_eq!(anonymous.status().as_u16(), 401);

    let created = ok(http.post(&url).bearer_auth(&token).json(&sub.json()).send().await);
    assert_eq!(created.status().as_u16(), 201);
    // subscribing again (the browser re-sends on every start) is fine
    let again = ok(http.post(&url).bearer_auth(&token).json(&sub.json()).send().await);
    assert_eq!(again.status().as_u16(), 201);

    let mut bad_key = sub.json();
    bad_key["keys"]["p256dh"] = json!("AAAA");
    let r = ok(http.post(&url).bearer_auth(&token).json(&bad_key).send().await);
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = ok(r.json().await);
    assert_eq!(body["error"]["code"], "invalid_subscription");

    let mut foreign_http = sub.json();
    foreign_http["endpoint"] = json!("http://10.1.2.3/push/x");
    let r = ok(http.post(&url).bearer_auth(&token).json(&foreign_http).send().await);
    assert_eq!(r.status().as_u16(), 422);

    let r = ok(http.post(&url).bearer_auth(&token).header("content-type", "application/json").body("{").send().await);
    assert_eq!(r.status().as_u16(), 400);

    let gone = ok(http.delete(&url).bearer_auth(&token).json(&json!({"endpoint": sub.endpoint})).send().await);
    assert_eq!(gone.status().as_u16(), 204);
    let twice = ok(http.delete(&url).bearer_auth(&token).json(&json!({"endpoint": sub.endpoint})).send().await);
    assert_eq!(twice.status().as_u16(), 404);
}

#[tokio::test]
async fn plain_http_endpoints_are_refused_by_default() {
    let server = ok(TestServer::start().await);
    let push = ok(PushService::start().await);
    let (token, _) = ok(server.signup(&unique_email("push"), "a long enough password").await);
    let r = ok(server
        .http()
        .post(server.url("/api/v1/push/subscriptions"))
        .bearer_auth(&token)
        .json(&push.subscribe().json())
        .send()
        .await);
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = ok(r.json().await);
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("https"), "{body}");
}
