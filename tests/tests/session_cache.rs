//! The session cache (`auth::session_cache`) answers recently confirmed tokens from memory.
//! Every way a session ends must reach it at once: each test first uses the token (so it is
//! cached), ends the session, and checks that neither the API nor a `/sync` upgrade lets the
//! token in again — well inside the cache's TTL.

use kith_tests::{unique_email, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

async fn me_status(server: &TestServer, token: &str) -> StatusCode {
    server.http().get(server.url("/api/v1/me")).bearer_auth(token).send().await.expect("me").status()
}

/// HTTP status of a `/sync` upgrade with `?token=` (101 when it upgrades).
async fn upgrade_status(server: &TestServer, token: &str) -> u16 {
    let url = server.ws_url(&format!("/sync?token={token}"));
    match tokio_tungstenite::connect_async(url).await {
        Ok((_socket, response)) => response.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("upgrade failed oddly: {e}"),
    }
}

/// Uses `token` on both paths, so the cache holds it.
async fn warm(server: &TestServer, token: &str) {
    assert_eq!(me_status(server, token).await, StatusCode::OK);
    assert_eq!(upgrade_status(server, token).await, 101);
    assert_eq!(me_status(server, token).await, StatusCode::OK);
}

async fn refused_everywhere(server: &TestServer, token: &str) {
    assert_eq!(me_status(server, token).await, StatusCode::UNAUTHORIZED, "API let an ended session in");
    assert_eq!(upgrade_status(server, token).await, 401, "/sync let an ended session in");
}

async fn login(server: &TestServer, email: &str) -> String {
    server.login(email, PASSWORD).await.expect("login").0
}

/// A cache so long-lived that only invalidation can explain a refusal.
async fn server() -> TestServer {
    TestServer::start_with(|c| c.session_cache_secs = Some(3600)).await.expect("server")
}

#[tokio::test]
async fn signing_out_this_device_forgets_its_cached_token() {
    let server = server().await;
    let (token, _) = server.signup(&unique_email("out"), PASSWORD).await.expect("signup");
    warm(&server, &token).await;
    let response = server.http().delete(server.url("/api/v1/sessions/current")).bearer_auth(&token).send().await.expect("out");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    refused_everywhere(&server, &token).await;
}

#[tokio::test]
async fn removing_a_device_forgets_its_cached_token_and_spares_the_others() {
    let server = server().await;
    let email = unique_email("dev");
    let (laptop, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let phone = login(&server, &email).await;
    warm(&server, &phone).await;
    warm(&server, &laptop).await;
    let list: Value = server
        .http()
        .get(server.url("/api/v1/devices"))
        .bearer_auth(&laptop)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("json");
    let phone_id = list["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .find(|d| d["current"] == false)
        .and_then(|d| d["id"].as_str())
        .expect("the phone")
        .to_owned();
    let response = server
        .http()
        .delete(server.url(&format!("/api/v1/devices/{phone_id}")))
        .bearer_auth(&laptop)
        .send()
        .await
        .expect("remove");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    refused_everywhere(&server, &phone).await;
    assert_eq!(me_status(&server, &laptop).await, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_forgets_the_other_devices_cached_tokens() {
    let server = server().await;
    let email = unique_email("pw");
    let (laptop, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let phone = login(&server, &email).await;
    warm(&server, &phone).await;
    let response = server
        .http()
        .post(server.url("/api/v1/account/password"))
        .bearer_auth(&laptop)
        .json(&json!({ "current": PASSWORD, "new": "a brand new long password" }))
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    refused_everywhere(&server, &phone).await;
    assert_eq!(me_status(&server, &laptop).await, StatusCode::OK);
}

#[tokio::test]
async fn deleting_the_account_forgets_every_cached_token() {
    let server = server().await;
    let email = unique_email("del");
    let (laptop, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let phone = login(&server, &email).await;
    warm(&server, &laptop).await;
    warm(&server, &phone).await;
    let response = server
        .http()
        .delete(server.url("/api/v1/account"))
        .bearer_auth(&laptop)
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    refused_everywhere(&server, &laptop).await;
    refused_everywhere(&server, &phone).await;
}
