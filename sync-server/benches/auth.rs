//! Accounts and sessions, measured end to end over loopback HTTP against the real server
//! (SQLite file in a temp dir). Run: `cargo bench -p sync-server --bench auth`.
//!
//! Reports: one argon2id hash; login latency for a wrong password vs an unknown email (they
//! should match: that is the timing side channel we close); sign-up with a new vs a taken
//! email (likewise); a successful login; and an
//! authenticated `GET /api/v1/me` (token lookup + user lookup), sequential and concurrent.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sync_server::app;
use sync_server::config::Config;

const PASSWORD: &str = "correct horse battery staple";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<34} n={:<5} p50={:>8.2?} p99={:>8.2?} max={:>8.2?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1],
    );
}

async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> (u16, Duration) {
    let started = Instant::now();
    let response = http
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({ "email": email, "password": password, "device_name": "bench" }))
        .send()
        .await
        .expect("login");
    let status = response.status().as_u16();
    let _ = response.bytes().await;
    (status, started.elapsed())
}

async fn signup(http: &reqwest::Client, base: &str, email: &str) -> (u16, Duration) {
    let started = Instant::now();
    let response = http
        .post(format!("{base}/api/v1/accounts"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("signup");
    let status = response.status().as_u16();
    let _ = response.bytes().await;
    (status, started.elapsed())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::with_data_dir(dir.path());
    // The bench hammers one account from one address on purpose; lift the limits.
    config.login_failures_per_account_address = usize::MAX;
    config.login_failures_per_address = usize::MAX;
    config.login_failures_per_account = usize::MAX;
    config.signups_per_hour = 0;
    let state = app::prepare(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let passwords = state.passwords.clone();
    tokio::spawn(app::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::new();

    let mut hashes = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        passwords.hash(PASSWORD.into()).await?;
        hashes.push(started.elapsed());
    }
    report("argon2id hash (m=19456,t=2,p=1)", hashes);

    let email = "bench@example.test";
    let created: Value = http
        .post(format!("{base}/api/v1/accounts"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    let token = created["token"].as_str().expect("token").to_string();

    // Interleaved so drift (thermal, other load) hits both equally.
    let (mut wrong_password, mut unknown_email, mut ok) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..40 {
        let (s1, t1) = login(&http, &base, email, "definitely not it").await;
        let (s2, t2) = login(&http, &base, &format!("nobody{i}@example.test"), PASSWORD).await;
        assert_eq!((s1, s2), (401, 401));
        wrong_password.push(t1);
        unknown_email.push(t2);
        if i % 4 == 0 {
            let (s3, t3) = login(&http, &base, email, PASSWORD).await;
            assert_eq!(s3, 200);
            ok.push(t3);
        }
    }
    report("login, wrong password (401)", wrong_password);
    report("login, unknown email (401)", unknown_email);
    report("login, success (200)", ok);

    // A taken email must cost what a new one does, or the answer time says which exist.
    let (mut new_email, mut taken_email) = (Vec::new(), Vec::new());
    for i in 0..20 {
        let (s1, t1) = signup(&http, &base, &format!("new{i}@example.test")).await;
        let (s2, t2) = signup(&http, &base, email).await;
        assert_eq!((s1, s2), (201, 409));
        new_email.push(t1);
        taken_email.push(t2);
    }
    report("signup, new email (201)", new_email);
    report("signup, taken email (409)", taken_email);

    let mut me = Vec::new();
    for _ in 0..2000 {
        let started = Instant::now();
        let response = http.get(format!("{base}/api/v1/me")).bearer_auth(&token).send().await?;
        assert_eq!(response.status().as_u16(), 200);
        let _ = response.bytes().await?;
        me.push(started.elapsed());
    }
    report("GET /api/v1/me (sequential)", me);

    let started = Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                for _ in 0..500 {
                    let response = http.get(format!("{base}/api/v1/me")).bearer_auth(&token).send().await;
                    assert_eq!(response.map(|r| r.status().as_u16()).ok(), Some(200));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed();
    println!("GET /api/v1/me, 16 concurrent:     {:.0} req/s", 8000.0 / elapsed.as_secs_f64());
    Ok(())
}
