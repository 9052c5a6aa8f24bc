//! Accounts under hostile users (issue 12, findings 4, 7, 8 and 12), over real HTTP against a
//! real server. Other client addresses are real too: Linux routes all of 127.0.0.0/8 to
//! loopback, so a client bound to 127.0.0.2 is a different address to the server.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use futures::future::join_all;
use kith_tests::{unique_email, TestServer};
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

/// An HTTP client whose connections come from `127.0.0.<last>`.
fn client_at(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, last]))
        .build()
        .expect("client")
}

async fn login(http: &reqwest::Client, server: &TestServer, email: &str, password: &str) -> reqwest::Response {
    http.post(server.url("/api/v1/sessions"))
        .json(&json!({ "email": email, "password": password, "device_name": "test" }))
        .send()
        .await
        .expect("login request")
}

async fn signup(http: &reqwest::Client, server: &TestServer, email: &str) -> (StatusCode, Value) {
    let response = http
        .post(server.url("/api/v1/accounts"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("signup request");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

fn statuses(responses: &[reqwest::Response]) -> (usize, usize, Vec<StatusCode>) {
    let unauthorized = responses.iter().filter(|r| r.status() == StatusCode::UNAUTHORIZED).count();
    let limited = responses.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).count();
    let other = responses
        .iter()
        .map(reqwest::Response::status)
        .filter(|s| *s != StatusCode::UNAUTHORIZED && *s != StatusCode::TOO_MANY_REQUESTS)
        .collect();
    (unauthorized, limited, other)
}

/// Finding 4: the limiter counted a failure only after the hash, so a burst sent at once
/// was checked in full (100 × 401 before the fix).
#[tokio::test]
async fn simultaneous_wrong_logins_are_counted_before_hashing() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("burst");
    server.signup(&email, PASSWORD).await.expect("signup");
    let attacker = client_at(2);

    let burst = (0..100).map(|i| {
        let attacker = attacker.clone();
        let (server, email) = (&server, email.clone());
        async move { login(&attacker, server, &email, &format!("guess number {i}")).await }
    });
    let responses = join_all(burst).await;
    let (checked, limited, other) = statuses(&responses);
    assert!(other.is_empty(), "only 401 and 429 expected: {other:?}");
    assert!(checked <= 5, "{checked} guesses reached the password check");
    assert_eq!(checked + limited, 100);
    for limited in responses.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS) {
        let retry: u64 = limited.headers()[RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds");
        assert!((1..=15 * 60).contains(&retry), "{retry}");
    }
}

/// Finding 7: five wrong passwords from anywhere used to lock the owner out for 15 minutes.
#[tokio::test]
async fn the_owner_logs_in_from_home_while_an_attacker_hammers_the_account() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("owner");
    let home = client_at(1);
    let (status, body) = signup(&home, &server, &email).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let attacker = client_at(2);
    let mut checked_in_all = 0;
    for round in 0..3 {
        let guesses = (0..20).map(|i| {
            let (attacker, server, email) = (&attacker, &server, &email);
            async move { login(attacker, server, email, &format!("guess {round}-{i}")).await }
        });
        let (checked, limited, other) = statuses(&join_all(guesses).await);
        assert!(other.is_empty(), "{other:?}");
        assert!(limited > 0, "round {round}: the attacker waits");
        checked_in_all += checked;
        let response = login(&home, &server, &email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "round {round}: the owner is not locked out");
    }
    // five free guesses, then one per doubling delay (a slow machine may let one more through)
    assert!((5..=7).contains(&checked_in_all), "{checked_in_all} of the attacker's guesses were checked");
    // The owner's own typos cost them only a short wait, and the right password clears it.
    for i in 0..5 {
        assert_eq!(login(&home, &server, &email, &format!("typo {i}")).await.status(), StatusCode::UNAUTHORIZED);
    }
    let waited = login(&home, &server, &email, PASSWORD).await;
    assert_eq!(waited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = waited.headers()[RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds");
    assert!(retry <= 2, "a first short delay, not a lock: {retry} s");
}

/// Finding 7, distributed: guesses from many addresses stop new addresses, never the
/// owner's recognised one; and spraying many accounts from one address (a shared NAT) does
/// not lock out the accounts that log in from there.
#[tokio::test]
async fn distributed_guessing_and_spraying_spare_recognised_addresses() {
    let server = TestServer::start_with(|c| {
        c.login_failures_per_account = 8;
        c.login_failures_per_address = 6;
    })
    .await
    .expect("server");
    let email = unique_email("target");
    let home = client_at(1);
    assert_eq!(signup(&home, &server, &email).await.0, StatusCode::CREATED);

    // Eight attackers, one guess each, use up the account's budget for unknown addresses.
    for last in 10..18 {
        assert_eq!(login(&client_at(last), &server, &email, "a guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let newcomer = login(&client_at(99), &server, &email, PASSWORD).await;
    assert_eq!(newcomer.status(), StatusCode::TOO_MANY_REQUESTS, "a ninth new address waits");
    assert_eq!(login(&home, &server, &email, PASSWORD).await.status(), StatusCode::OK, "home does not");

    // Someone behind the owner's NAT sprays other accounts until the address waits...
    for i in 0..6 {
        let victim = unique_email(&format!("victim{i}"));
        assert_eq!(login(&home, &server, &victim, "a guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let other = unique_email("nobody");
    assert_eq!(login(&home, &server, &other, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...and the owner, who logs in from there, still gets in.
    assert_eq!(login(&home, &server, &email, PASSWORD).await.status(), StatusCode::OK);
}

/// Finding 8: sign-up had no throttle (100 accounts in 1.6 s).
#[tokio::test]
async fn signups_are_throttled_per_address() {
    let server = TestServer::start().await.expect("server");
    let flood = client_at(3);
    let attempts = (0..40).map(|i| {
        let flood = flood.clone();
        let server = &server;
        async move { signup(&flood, server, &unique_email(&format!("flood{i}"))).await.0 }
    });
    let results = join_all(attempts).await;
    let created = results.iter().filter(|s| **s == StatusCode::CREATED).count();
    let limited = results.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((created, limited), (30, 10), "{results:?}");
    // another address is not affected
    assert_eq!(signup(&client_at(4), &server, &unique_email("neighbour")).await.0, StatusCode::CREATED);
}

/// Finding 8: a taken email answered in ~3 ms, a new one in ~32 ms (the hash).
#[tokio::test]
async fn a_taken_email_takes_as_long_as_a_new_one() {
    let server = TestServer::start().await.expect("server");
    let http = client_at(5);
    let taken = unique_email("taken");
    assert_eq!(signup(&http, &server, &taken).await.0, StatusCode::CREATED);

    // Interleaved, so load from elsewhere on the machine hits both alike.
    let (mut new_times, mut taken_times) = (Vec::new(), Vec::new());
    for i in 0..7 {
        let started = Instant::now();
        assert_eq!(signup(&http, &server, &unique_email(&format!("new{i}"))).await.0, StatusCode::CREATED);
        new_times.push(started.elapsed());
        let started = Instant::now();
        assert_eq!(signup(&http, &server, &taken).await.0, StatusCode::CONFLICT);
        taken_times.push(started.elapsed());
    }
    let (new_median, taken_median) = (median(new_times), median(taken_times));
    assert!(
        taken_median * 2 >= new_median,
        "taken {taken_median:?} vs new {new_median:?}: the answer time tells which emails exist"
    );
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Finding 12: fullwidth letters and zero-width characters made separate accounts.
#[tokio::test]
async fn look_alike_emails_are_the_same_account() {
    let server = TestServer::start().await.expect("server");
    let http = client_at(6);
    let local = format!("ada{}", uuid::Uuid::new_v4().simple());
    let plain = format!("{local}@example.com");
    assert_eq!(signup(&http, &server, &plain).await.0, StatusCode::CREATED);

    let fullwidth: String = plain
        .chars()
        .map(|c| match c {
            // ASCII '!'..='~' has a fullwidth twin at U+FF01..
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).expect("fullwidth"),
            other => other,
        })
        .collect();
    let zero_width = format!("{}\u{200B}{}", &local[..2], &plain[2..]);
    for look_alike in [&fullwidth, &zero_width, &format!("\u{FEFF}{plain}\u{2060}")] {
        let (status, body) = signup(&http, &server, look_alike).await;
        assert_eq!(status, StatusCode::CONFLICT, "{look_alike:?} made a second account: {body}");
        assert_eq!(body["error"]["code"], "email_taken");
        assert_eq!(login(&http, &server, look_alike, PASSWORD).await.status(), StatusCode::OK, "{look_alike:?}");
    }
    for invisible in [format!("x\u{0007}{plain}"), format!("x\u{E000}{plain}"), format!("x\u{00A0}{plain}")] {
        let (status, body) = signup(&http, &server, &invisible).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{invisible:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid_email");
    }
}

/// Finding 12: a login password of any length went to argon2 (1 MiB cost 3.5 hashes' time).
#[tokio::test]
async fn oversized_login_passwords_are_refused_before_hashing() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("long");
    server.signup(&email, PASSWORD).await.expect("signup");
    let http = client_at(7);
    let huge = "x".repeat(512 * 1024);
    for _ in 0..10 {
        let response = login(&http, &server, &email, &huge).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "password_too_long");
    }
    // Not counted as guesses: the right password still works at once.
    assert_eq!(login(&http, &server, &email, PASSWORD).await.status(), StatusCode::OK);
}

/// Finding 12: `/metrics` was public; with `KITH_METRICS_TOKEN` it needs the bearer token.
#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let server = TestServer::start_with(|c| c.metrics_token = Some("scrape-secret".into())).await.expect("server");
    let get = |auth: Option<&'static str>| {
        let mut request = server.http().get(server.url("/metrics"));
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth);
        }
        request.send()
    };
    for refused in [None, Some("Bearer wrong"), Some("Basic scrape-secret")] {
        let response = get(refused).await.expect("metrics");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{refused:?}");
        let text = response.text().await.expect("body");
        assert!(!text.contains("kith_"), "{text}");
    }
    let response = get(Some("Bearer scrape-secret")).await.expect("metrics");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.expect("body").contains("kith_http_requests_total"));
}
