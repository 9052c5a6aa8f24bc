//! The nudge schedule on a real SQLite file, driven by real workers against the local push
//! service (real VAPID checks, real decryption), with time on a manual clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use kith_tests::push_service::Behavior;
use kith_tests::reminder_support::{nudge, t0, Fixture};
use reminders::retry::RetryPolicy;
use reminders::worker::WorkerConfig;
use reminders::{Clock, NudgeOutcome, NudgeStatus, NudgeStore, PushStore, ReminderStore};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn planning_is_idempotent_and_a_new_cycle_cancels_the_pending_nudge() {
    let f = Fixture::new().await.unwrap();
    let user = f.user().await.unwrap();
    let plan = vec![nudge("Ada", t0() + Span::days(1), true)];
    let first = f.store.replace_plan(user, &plan).await.unwrap();
    assert_eq!(first.inserted, 1);
    let again = f.store.replace_plan(user, &plan).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.deleted), (0, 0, 0));

    let mut next_cycle = plan[0].clone();
    next_cycle.cycle_anchor += Span::days(3);
    next_cycle.due_at += Span::days(3);
    next_cycle.send_at += Span::days(3);
    let moved = f.store.replace_plan(user, std::slice::from_ref(&next_cycle)).await.unwrap();
    assert_eq!((moved.inserted, moved.deleted), (1, 1));
    let rows = f.store.user_nudges(user).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].plan, next_cycle);
    assert_eq!(rows[0].status, NudgeStatus::Pending);
    assert_eq!(f.store.pending_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_claim_is_exclusive_until_its_lease_expires_and_stale_tokens_record_nothing() {
    let f = Fixture::new().await.unwrap();
    let user = f.user().await.unwrap();
    f.store.replace_plan(user, &[nudge("Ada", t0(), true)]).await.unwrap();
    let other = f.second_store().await.unwrap();

    let lease = Span::minutes(5);
    let first = f.store.claim_due(t0(), lease, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].record.attempts, 1);
    assert!((other.claim_due(t0() + Span::minutes(4), lease, 10).await).unwrap().is_empty());

    // The first worker died; after the lease the row is claimable again.
    let second = (other.claim_due(t0() + Span::minutes(6), lease, 10).await).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].record.attempts, 2);
    let id = first[0].record.id;
    let sent = NudgeOutcome::Sent { at: t0() };
    assert_eq!(f.store.record_outcomes(first[0].token, &[(id, sent.clone())]).await.unwrap(), 0);
    assert_eq!(other.record_outcomes(second[0].token, &[(id, sent)]).await.unwrap(), 1);
    assert_eq!(f.store.user_nudges(user).await.unwrap()[0].status, NudgeStatus::Sent);
}

// Two workers are two independent pools on one file, on a multi-threaded runtime, as
// two processes would be.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_database_send_each_of_1000_nudges_exactly_once() {
    let f = Fixture::new().await.unwrap();
    let mut subs = Vec::new();
    for u in 0..100 {
        let user = f.user().await.unwrap();
        subs.push(f.subscribe(user).await.unwrap());
        let plan: Vec<_> = (0..10).map(|i| nudge(&format!("P{u}-{i}"), t0() - Span::minutes(i), false)).collect();
        f.store.replace_plan(user, &plan).await.unwrap();
    }
    let push = f.push_client(Duration::from_secs(10)).unwrap();
    let config = WorkerConfig { batch: 64, ..WorkerConfig::default() };
    let a = f.worker(f.store.clone(), push.clone(), config);
    let second_store = f.second_store().await.unwrap();
    let second: Arc<dyn ReminderStore> = second_store;
    let b = f.worker(second, push, config);
    let (ra, rb) = tokio::join!(a.tick(), b.tick());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.claimed + rb.claimed, 1000, "{ra:?} {rb:?}");
    assert!(ra.claimed > 0 && rb.claimed > 0, "both workers took part: {ra:?} {rb:?}");

    let mut topics: HashMap<String, usize> = HashMap::new();
    for s in &subs {
        for d in f.push_service.delivered(s) {
            *topics.entry(d.topic.unwrap_or_default()).or_default() += 1;
        }
    }
    assert!(f.push_service.invalid_requests().is_empty());
    assert_eq!(topics.len(), 1000);
    assert!(topics.values().all(|n| *n == 1));
    assert_eq!(f.store.pending_count().await.unwrap(), 0);
    // and nothing is left for a later tick
    assert_eq!(a.tick().await.unwrap().claimed, 0);
}

#[tokio::test]
async fn several_due_together_arrive_as_one_digest_naming_them() {
    let f = Fixture::new().await.unwrap();
    let user = f.user().await.unwrap();
    let sub = f.subscribe(user).await.unwrap();
    let plan = vec![nudge("Ada", t0(), true), nudge("Bob", t0(), true), nudge("Cy", t0(), true)];
    f.store.replace_plan(user, &plan).await.unwrap();
    let w = f.worker(f.store.clone(), f.push_client(Duration::from_secs(10)).unwrap(), WorkerConfig::default());
    assert_eq!(w.tick().await.unwrap().notifications, 1);
    let got = f.push_service.delivered(&sub);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload["title"], "3 people to catch up with");
    let body = got[0].payload["body"].as_str().unwrap_or_default().to_owned();
    for name in ["Ada", "Bob", "Cy"] {
        assert!(body.contains(name), "{body}");
    }
    assert_eq!(got[0].payload["contact_ids"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn gone_410_removes_the_subscription() {
    let f = Fixture::new().await.unwrap();
    let user = f.user().await.unwrap();
    let sub = f.subscribe(user).await.unwrap();
    f.push_service.script(&sub, vec![Behavior::Gone]);
    f.store.replace_plan(user, &[nudge("Ada", t0(), true)]).await.unwrap();
    let w = f.worker(f.store.clone(), f.push_client(Duration::from_secs(10)).unwrap(), WorkerConfig::default());
    let r = w.tick().await.unwrap();
    assert_eq!(r.gone, 1);
    assert!(f.store.list_push_subscriptions(user).await.unwrap().is_empty());
    assert_eq!(f.store.user_nudges(user).await.unwrap()[0].status, NudgeStatus::Failed);
}

#[tokio::test]
async fn retry_after_2_is_honoured_on_the_clock() {
    let f = Fixture::new().await.unwrap();
    let user = f.user().await.unwrap();
    let sub = f.subscribe(user).await.unwrap();
    f.push_service.script(&sub, vec![Behavior::TooMany { retry_after_secs: 2 }, Behavior::Accept]);
    f.store.replace_plan(user, &[nudge("Ada", t0(), true)]).await.unwrap();
    let w = f.worker(f.store.clone(), f.push_client(Duration::from_secs(10)).unwrap(), WorkerConfig::default());
    assert_eq!(w.tick().await.unwrap().retries, 1);
    let row = f.store.user_nudges(user).await.unwrap().remove(0);
    assert_eq!(row.status, NudgeStatus::Pending);
    assert_eq!(row.plan.send_at, t0() + Span::seconds(2));

    f.clock.advance(Span::milliseconds(1999));
    assert_eq!(w.tick().await.unwrap().claimed, 0, "not before Retry-After");
    assert_eq!(f.push_service.attempts(&sub).len(), 1);
    f.clock.advance(Span::milliseconds(1));
    assert_eq!(w.tick().await.unwrap().delivered, 1);
    assert_eq!(f.push_service.attempts(&sub).len(), 2);
    assert_eq!(f.push_service.delivered(&sub).len(), 1);
    assert_eq!(f.store.user_nudges(user).await.unwrap()[0].status, NudgeStatus::Sent);
}

#[tokio::test]
async fn server_errors_back_off_exponentially_then_give_up() {
    let f = Fixture::new().await.unwrap();
    let user = f.user().await.unwrap();
    let sub = f.subscribe(user).await.unwrap();
    f.push_service.script(&sub, vec![Behavior::ServerError]);
    f.store.replace_plan(user, &[nudge("Ada", t0(), true)]).await.unwrap();
    let retry = RetryPolicy { max_attempts: 4, base: Duration::from_secs(60), max_delay: Duration::from_secs(3600) };
    let w = f.worker(
        f.store.clone(),
        f.push_client(Duration::from_secs(10)).unwrap(),
        WorkerConfig { retry, ..WorkerConfig::default() },
    );
    let mut gaps = Vec::new();
    let mut last = f.clock.now();
    for attempt in 1..=4 {
        let r = w.tick().await.unwrap();
        assert_eq!(r.claimed, 1, "attempt {attempt}");
        let row = f.store.user_nudges(user).await.unwrap().remove(0);
        if attempt < 4 {
            assert_eq!(row.status, NudgeStatus::Pending);
            gaps.push((row.plan.send_at - last).num_seconds());
            last = row.plan.send_at;
            // one second early: nothing happens
            f.clock.set(row.plan.send_at - Span::seconds(1));
            assert_eq!(w.tick().await.unwrap().claimed, 0);
            f.clock.set(row.plan.send_at);
        } else {
            assert_eq!(row.status, NudgeStatus::Failed);
        }
    }
    assert_eq!(gaps, vec![60, 120, 240]);
    assert_eq!(f.push_service.attempts(&sub).len(), 4);
    f.clock.advance(Span::days(2));
    assert_eq!(w.tick().await.unwrap().claimed, 0, "given up for good");
    assert_eq!(f.push_service.attempts(&sub).len(), 4);
}

#[tokio::test]
async fn a_hanging_push_service_times_out_without_blocking_other_users() {
    let f = Fixture::new().await.unwrap();
    let stuck_user = f.user().await.unwrap();
    let stuck = f.subscribe(stuck_user).await.unwrap();
    f.push_service.script(&stuck, vec![Behavior::Hang]);
    let mut fine = Vec::new();
    for _ in 0..5 {
        let u = f.user().await.unwrap();
        fine.push(f.subscribe(u).await.unwrap());
        f.store.replace_plan(u, &[nudge("Friend", t0(), true)]).await.unwrap();
    }
    f.store.replace_plan(stuck_user, &[nudge("Stuck", t0() - Span::minutes(1), true)]).await.unwrap();
    let w = Arc::new(f.worker(f.store.clone(), f.push_client(Duration::from_millis(1500)).unwrap(), WorkerConfig::default()));
    let started = std::time::Instant::now();
    let ticking = tokio::spawn({
        let w = w.clone();
        async move { w.tick().await }
    });
    // Everyone else's push arrives while the stuck one is still hanging.
    let all_fine = f.push_service.wait_until(WAIT, |s| fine.iter().all(|x| s.delivered(x).len() == 1)).await;
    assert!(all_fine);
    assert!(started.elapsed() < Duration::from_millis(1500), "others waited for the hang: {:?}", started.elapsed());
    let r = ticking.await.unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!((r.delivered, r.retries), (5, 1), "{r:?}");
    let row = f.store.user_nudges(stuck_user).await.unwrap().remove(0);
    assert_eq!(row.status, NudgeStatus::Pending, "the timed-out nudge is retried later");
}
