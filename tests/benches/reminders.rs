//! Reminder delivery benchmarks (a program, not a test; prints numbers):
//! 1. one worker tick that finds the due nudges, with 100,000 nudges in a SQLite table
//!    (idle tick: nothing due; claiming tick: a batch of 256 out of 1,000 due);
//! 2. pushes per second from one worker to the local push service, which verifies each
//!    VAPID JWT and decrypts each aes128gcm body, as a browser's push service would.
//!
//! Run: `cargo bench -p kith-tests --bench reminders [-- tick|push]`. Lives in `kith-tests` because the
//! local push service does; both sides share this machine's cores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use futures::StreamExt;
use kith_tests::reminder_support::{as_subscription, nudge, t0, Fixture};
use reminders::push::PushResult;
use sync_server::store::AccountStore;
use reminders::worker::{Worker, WorkerConfig};
use reminders::{Clock, ManualClock, NudgeOutcome, NudgeStore, PlannedNudge, PushStore};

const TABLE_USERS: usize = 1_000;
const NUDGES_PER_USER: usize = 100;
const DUE_PER_USER: usize = 1;
const CLAIM_BATCH: u32 = 256;
const RUNS: usize = 50;
const PUSH_USERS: usize = 4_000;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    // `cargo bench --bench reminders -- push` (or `tick`) runs one part only.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |part: &str| only.is_empty() || only.iter().any(|o| o == part);
    rt.block_on(async {
        if wanted("tick") {
            tick_with_a_large_table().await?;
        }
        if wanted("push") {
            push_throughput().await?;
        }
        Ok(())
    })
}

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    format!("median {:.2} ms, p90 {:.2} ms, max {:.2} ms", ms(pick(0.5)), ms(pick(0.9)), ms(pick(1.0)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// 100 nudges per user: one due now, the rest spread over the next two months.
fn user_plan(u: usize) -> Vec<PlannedNudge> {
    (0..NUDGES_PER_USER)
        .map(|i| {
            let send_at = if i < DUE_PER_USER {
                t0() - Span::minutes((u % 600) as i64)
            } else {
                t0() + Span::minutes(((u * 131 + i * 977) % (60 * 24 * 60)) as i64 + 1)
            };
            nudge(&format!("Person {u}-{i}"), send_at, true)
        })
        .collect()
}

async fn tick_with_a_large_table() -> anyhow::Result<()> {
    let f = Fixture::new().await?;
    let started = Instant::now();
    for u in 0..TABLE_USERS {
        let user = f.user().await?;
        f.store.replace_plan(user, &user_plan(u)).await?;
    }
    let total = TABLE_USERS * NUDGES_PER_USER;
    let due = TABLE_USERS * DUE_PER_USER;
    println!("nudges table: {total} rows ({due} due), filled in {:.1} s", started.elapsed().as_secs_f64());

    // The worker's own tick when nothing is due (the common case, every tick).
    let push = f.push_client(Duration::from_secs(10))?;
    // A clock a day early: nothing is due yet (a manual clock never goes backwards).
    let early: Arc<dyn Clock> = Arc::new(ManualClock::new(t0() - Span::days(1)));
    let worker = Worker::new(f.store.clone(), push, early, WorkerConfig::default());
    let mut idle = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let report = worker.tick().await?;
        idle.push(t.elapsed());
        anyhow::ensure!(report.claimed == 0, "nothing should be due");
    }
    println!("worker tick, nothing due, {total} rows: {}", summary(idle));

    // Finding and claiming a batch of due nudges; each run puts its batch back.
    let lease = Span::minutes(5);
    let mut claim = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let batch = f.store.claim_due(t0(), lease, CLAIM_BATCH).await?;
        claim.push(t.elapsed());
        anyhow::ensure!(batch.len() == CLAIM_BATCH as usize, "claimed {}", batch.len());
        let token = batch[0].token;
        let back: Vec<_> = batch.iter().map(|c| (c.record.id, NudgeOutcome::RetryAt { at: t0() - Span::hours(1) })).collect();
        f.store.record_outcomes(token, &back).await?;
    }
    println!("claim_due of {CLAIM_BATCH} among {due} due, {total} rows: {}", summary(claim));

    let mut count = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        f.store.pending_count().await?;
        count.push(t.elapsed());
    }
    println!("pending_count (the /metrics gauge), {total} rows: {}", summary(count));
    Ok(())
}

async fn push_throughput() -> anyhow::Result<()> {
    let f = Fixture::new().await?;
    let mut subs = Vec::with_capacity(PUSH_USERS);
    for u in 0..PUSH_USERS {
        let user = f.user().await?;
        subs.push(f.subscribe(user).await?);
        f.store.replace_plan(user, &[nudge(&format!("Friend {u}"), t0(), true)]).await?;
    }
    let push = f.push_client(Duration::from_secs(10))?;

    // Where the time goes: the same pushes through the bare client (no schedule), and the
    // per-user subscription lookups the worker does.
    let payload = br#"{"title":"Time to catch up with a friend","body":"You wanted to be in touch every 14 days.","url":"/contacts/x","tag":"t","actions":[],"contact_ids":["x"]}"#;
    let subscriptions: Vec<_> = subs.iter().map(as_subscription).collect();
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let sent = futures::stream::iter(&subscriptions)
        .map(|s| push.send(s, "0123456789abcdef0123456789abcdef", payload, t0()))
        .buffer_unordered(64)
        .filter(|r| futures::future::ready(*r == PushResult::Delivered))
        .count()
        .await;
    let (took, cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    anyhow::ensure!(sent == PUSH_USERS, "bare client delivered {sent}");
    println!(
        "bare push client, 64 in flight: {:.0} pushes/s, {:.0} pushes per CPU-second (both sides)",
        PUSH_USERS as f64 / took.as_secs_f64(),
        PUSH_USERS as f64 / cpu
    );
    let users = f.store.list_users().await?;
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    for u in &users {
        f.store.list_push_subscriptions(u.id).await?;
    }
    let (took, cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    println!(
        "list_push_subscriptions, one user at a time: {:.0} µs each, {:.0} µs CPU each",
        took.as_secs_f64() * 1e6 / users.len() as f64,
        cpu * 1e6 / users.len() as f64
    );
    let before = f.push_service.total_delivered();

    let worker = f.worker(f.store.clone(), push, WorkerConfig::default());
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let report = worker.tick().await?;
    let (took, cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    anyhow::ensure!(report.delivered == PUSH_USERS, "{report:?}");
    let got = f.push_service.total_delivered() - before;
    anyhow::ensure!(got == PUSH_USERS, "push service got {got}");
    anyhow::ensure!(f.push_service.invalid_requests().is_empty(), "{:?}", f.push_service.invalid_requests());
    println!(
        "pushes: {PUSH_USERS} users × 1 device in {:.2} s = {:.0} pushes/s (claimed, encrypted, sent, verified + decrypted, recorded)",
        took.as_secs_f64(),
        PUSH_USERS as f64 / took.as_secs_f64()
    );
    // Other builds may share the machine; CPU time says what the pushes themselves cost
    // (sender and push service together, as both run in this process).
    println!(
        "pushes: {cpu:.2} CPU-s in this process = {:.0} pushes per CPU-second (both sides)",
        PUSH_USERS as f64 / cpu
    );
    Ok(())
}

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, 100 Hz ticks).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}
