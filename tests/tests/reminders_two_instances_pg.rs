//! Reminder workers of two instances on one PostgreSQL database (only when
//! `TEST_DATABASE_URL` is set): 1,000 due nudges, each sent exactly once, verified by the
//! local push service (real VAPID checks, real decryption).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use kith_tests::reminder_support::{as_subscription, nudge, t0, SUBJECT};
use kith_tests::push_service::PushService;
use kith_tests::stores::in_fresh_pg_schema;
use reminders::push::{PushClient, PushConfig};
use reminders::vapid::{VapidKeys, VapidSigner};
use reminders::worker::{Worker, WorkerConfig};
use reminders::{EndpointPolicy, ManualClock, NudgeStore, PushStore};
use sync_server::ids::DocId;
use sync_server::store::{AccountStore, PostgresStore};

async fn scenario(url: String) -> anyhow::Result<()> {
    // Two independent pools on one schema: two instances.
    let one = Arc::new(PostgresStore::connect(&url).await?);
    let two = Arc::new(PostgresStore::connect(&url).await?);
    let push_service = PushService::start().await?;
    let keys = VapidKeys::generate();
    push_service.trust_vapid_key(keys.public_key());
    push_service.expect_subject(SUBJECT);

    let mut subs = Vec::new();
    for u in 0..100 {
        let email = format!("pg-nudge-{u}-{}@example.test", uuid::Uuid::new_v4());
        let user = one.create_user(&email, "not-a-real-hash", DocId::random(), t0()).await?;
        let sub = push_service.subscribe();
        one.upsert_push_subscription(user, None, &as_subscription(&sub), t0()).await?;
        subs.push(sub);
        // Planned through either instance; the schedule is shared.
        let plan: Vec<_> = (0..10).map(|i| nudge(&format!("P{u}-{i}"), t0() - Span::minutes(i), false)).collect();
        let planner: &PostgresStore = if u % 2 == 0 { &one } else { &two };
        planner.replace_plan(user, &plan).await?;
    }
    assert_eq!(one.pending_count().await?, 1000);

    let signer = Arc::new(VapidSigner::new(&keys, SUBJECT)?);
    let config = PushConfig {
        timeout: Duration::from_secs(10),
        policy: EndpointPolicy { allow_http_loopback: true },
        ..PushConfig::default()
    };
    let push = Arc::new(PushClient::new(signer, config)?);
    let clock = Arc::new(ManualClock::new(t0()));
    let worker_config = WorkerConfig { batch: 64, ..WorkerConfig::default() };
    let a = Worker::new(one.clone(), push.clone(), clock.clone(), worker_config);
    let b = Worker::new(two.clone(), push, clock, worker_config);
    let (ra, rb) = tokio::join!(a.tick(), b.tick());
    let (ra, rb) = (ra?, rb?);
    assert_eq!(ra.claimed + rb.claimed, 1000, "{ra:?} {rb:?}");
    assert!(ra.claimed > 0 && rb.claimed > 0, "both instances took part: {ra:?} {rb:?}");

    let mut topics: HashMap<String, usize> = HashMap::new();
    for s in &subs {
        for d in push_service.delivered(s) {
            *topics.entry(d.topic.unwrap_or_default()).or_default() += 1;
        }
    }
    assert!(push_service.invalid_requests().is_empty(), "{:?}", push_service.invalid_requests());
    assert_eq!(topics.len(), 1000, "every nudge delivered");
    assert!(topics.values().all(|n| *n == 1), "no nudge delivered twice");
    assert_eq!(two.pending_count().await?, 0);
    assert_eq!(a.tick().await?.claimed + b.tick().await?.claimed, 0, "nothing left");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_workers_send_each_of_1000_nudges_exactly_once() {
    in_fresh_pg_schema("the two-instance reminders test", scenario).await;
}
