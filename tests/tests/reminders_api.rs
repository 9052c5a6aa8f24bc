//! The push API over HTTP against the real server: VAPID key, subscriptions tied to the
//! session, validation of what clients send.

use std::os::unix::fs::PermissionsExt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kith_tests::push_service::PushService;
use kith_tests::{unique_email, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn vapid_key_is_created_once_private_and_survives_a_restart() {
    let server = TestServer::start().await.unwrap();
    let key: Value = ((server.http().get(server.url("/api/v1/push/vapid-public-key")).send().await).unwrap().json().await).unwrap();
    let public = key["public_key"].as_str().unwrap_or_default().to_owned();
    let raw = URL_SAFE_NO_PAD.decode(&public).unwrap();
    assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
    let file = server.data_dir().join("vapid_private_key");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let server = server.restart().await.unwrap();
    let again: Value = ((server.http().get(server.url("/api/v1/push/vapid-public-key")).send().await).unwrap().json().await).unwrap();
    assert_eq!(again["public_key"].as_str(), Some(public.as_str()));
}

#[tokio::test]
async fn subscriptions_are_registered_validated_and_removed() {
    let server = TestServer::start_with(|c| c.reminders.push_allow_http_loopback = true).await.unwrap();
    let push = PushService::start().await.unwrap();
    let (token, _) = server.signup(&unique_email("push"), "a long enough password").await.unwrap();
    let sub = push.subscribe();
    let url = server.url("/api/v1/push/subscriptions");
    let http = server.http();

    let anonymous = http.post(&url).json(&sub.json()).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    let created = http.post(&url).bearer_auth(&token).json(&sub.json()).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    // subscribing again (the browser re-sends on every start) is fine
    let again = http.post(&url).bearer_auth(&token).json(&sub.json()).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 201);

    let mut bad_key = sub.json();
    bad_key["keys"]["p256dh"] = json!("AAAA");
    let r = http.post(&url).bearer_auth(&token).json(&bad_key).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_subscription");

    let mut foreign_http = sub.json();
    foreign_http["endpoint"] = json!("http://10.1.2.3/push/x");
    let r = http.post(&url).bearer_auth(&token).json(&foreign_http).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);

    let r = (http.post(&url).bearer_auth(&token).header("content-type", "application/json").body("{").send().await).unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let gone = http.delete(&url).bearer_auth(&token).json(&json!({"endpoint": sub.endpoint})).send().await.unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    let twice = http.delete(&url).bearer_auth(&token).json(&json!({"endpoint": sub.endpoint})).send().await.unwrap();
    assert_eq!(twice.status().as_u16(), 404);
}

#[tokio::test]
async fn plain_http_endpoints_are_refused_by_default() {
    let server = TestServer::start().await.unwrap();
    let push = PushService::start().await.unwrap();
    let (token, _) = server.signup(&unique_email("push"), "a long enough password").await.unwrap();
    let r = (server
        .http()
        .post(server.url("/api/v1/push/subscriptions"))
        .bearer_auth(&token)
        .json(&push.subscribe().json())
        .send()
        .await).unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("https"), "{body}");
}
