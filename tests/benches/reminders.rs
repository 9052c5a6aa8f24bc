//! Reminder delivery benchmarks (a program, not a test; prints numbers):
//! 1. one worker tick that finds the due nudges, with 100,000 nudges in a SQLite table
//!    (idle tick: nothing due; claiming tick: a batch of 256 out of 1,000 due);
//! 2. pushes per second from one worker to the local push service, which verifies each
//!    VAPID JWT and decrypts each aes128gcm body, as a browser's push service would.
//!
//! Run: `cargo bench -p kith-tests --bench reminders`. Lives in `kith-tests` because the
//! local push service does; both sides share this machine's cores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use kith_tests::reminder_support::{nudge, t0, Fixture};
use reminders::worker::{Worker, WorkerConfig};
use reminders::{Clock, ManualClock, NudgeOutcome, NudgeStore, PlannedNudge};

const TABLE_USERS: usize = 1_000;
const NUDGES_PER_USER: usize = 100;
const DUE_PER_USER: usize = 1;
const CLAIM_BATCH: u32 = 256;
const RUNS: usize = 50;
const PUSH_USERS: usize = 4_000;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        tick_with_a_large_table().await?;
        push_throughput().await
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
    let worker = f.worker(f.store.clone(), push, WorkerConfig::default());
    let started = Instant::now();
    let report = worker.tick().await?;
    let took = started.elapsed();
    anyhow::ensure!(report.delivered == PUSH_USERS, "{report:?}");
    anyhow::ensure!(f.push_service.total_delivered() == PUSH_USERS, "push service got {}", f.push_service.total_delivered());
    anyhow::ensure!(f.push_service.invalid_requests().is_empty(), "{:?}", f.push_service.invalid_requests());
    println!(
        "pushes: {PUSH_USERS} users × 1 device in {:.2} s = {:.0} pushes/s (claimed, encrypted, sent, verified + decrypted, recorded)",
        took.as_secs_f64(),
        PUSH_USERS as f64 / took.as_secs_f64()
    );
    Ok(())
}
