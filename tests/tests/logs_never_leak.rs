//! The server's logs name routes and user ids, never tokens or passwords, even at debug
//! level and when the token travels in the query string. (Own test binary: it installs the
//! process-wide log subscriber.)

use kith_tests::captured_logs::CapturedLogs;
use kith_tests::{unique_email, TestServer};
use serde_json::json;
use tracing_subscriber::EnvFilter;

#[tokio::test]
async fn tokens_and_passwords_never_reach_the_logs() {
    let captured = CapturedLogs::default();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("info,sync_server=trace,tower_http=trace,sqlx=debug"))
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();

    let server = TestServer::start().await.expect("server");
    let email = unique_email("quiet");
    let password = "a very secret passphrase";
    let (token, _) = server.signup(&email, password).await.expect("signup");
    let (second, _) = server.login(&email, password).await.expect("login");
    let http = server.http();
    let me = http.get(server.url(&format!("/api/v1/me?token={token}"))).send().await.expect("me");
    assert!(me.status().is_success());
    let me = http.get(server.url("/api/v1/me")).bearer_auth(&second).send().await.expect("me");
    assert!(me.status().is_success());
    // The calendar feed's secret travels in its URL path.
    let feed = http.post(server.url("/api/v1/calendar-feed")).bearer_auth(&second).send().await.expect("feed");
    let feed: serde_json::Value = feed.json().await.expect("feed json");
    let feed_path = feed["url"].as_str().expect("feed url").to_owned();
    let read = http.get(server.url(&feed_path)).send().await.expect("read feed");
    assert_eq!(read.status().as_u16(), 200);
    let feed_secret = feed_path.trim_start_matches("/cal/").trim_end_matches(".ics").to_owned();
    let wrong = json!({ "email": email, "password": "another secret guess" });
    let failed = http.post(server.url("/api/v1/sessions")).json(&wrong).send().await.expect("login");
    assert_eq!(failed.status().as_u16(), 401);
    let logout = http.delete(server.url("/api/v1/sessions/current")).bearer_auth(&token).send().await;
    assert!(logout.expect("logout").status().is_success());
    drop(server);

    let logs = captured.text();
    // the logs are really there, with routes and the user id...
    assert!(logs.contains("route=\"/api/v1/me\""), "{logs}");
    assert!(logs.contains("user.id="), "{logs}");
    // ...but none of the secrets
    assert!(logs.contains("route=\"/cal/{file}\""), "{logs}");
    for secret in [token.as_str(), second.as_str(), password, "another secret guess", feed_secret.as_str()] {
        assert!(!logs.contains(secret), "{secret:?} leaked into the logs:\n{logs}");
    }
}
