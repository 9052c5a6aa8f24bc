//! The nudge schedule and push subscriptions behave the same on every store: a fresh
//! SQLite file always, a fresh PostgreSQL schema when `TEST_DATABASE_URL` is set.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kith_tests::reminder_support::nudge;
use kith_tests::stores::on_every_store;
use reminders::{DeviceSession, NudgeOutcome, NudgeStatus, PushKeys, PushSubscription, UserId};
use sync_server::ids::DocId;
use sync_server::store::Store;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().expect("valid time")
}

async fn user(store: &Arc<dyn Store>) -> UserId {
    let email = format!("n-{}@example.test", uuid::Uuid::new_v4());
    store.create_user(&email, "$argon2id$fake", DocId::random(), t0()).await.expect("user")
}

fn sub(endpoint: &str) -> PushSubscription {
    PushSubscription {
        endpoint: endpoint.into(),
        keys: PushKeys { p256dh: "BPk".into(), auth: "au".into() },
    }
}

#[tokio::test]
async fn replanning_is_idempotent_and_new_cycles_replace_pending_rows() {
    on_every_store(|backend, store, _| async move {
        let n = store.clone();
        let u = user(&store).await;
        let plan = vec![nudge("Ada", t0() + Duration::days(1), true), nudge("Bob", t0() + Duration::days(2), false)];
        assert_eq!(n.replace_plan(u, &plan).await.expect("plan").inserted, 2, "{backend:?}");
        let again = n.replace_plan(u, &plan).await.expect("plan");
        assert_eq!((again.inserted, again.updated, again.deleted), (0, 0, 0), "{backend:?}");
        let rows = n.user_nudges(u).await.expect("rows");
        assert_eq!(rows.iter().map(|r| r.plan.clone()).collect::<Vec<_>>(), plan, "{backend:?}");

        let mut moved = plan[0].clone();
        moved.cycle_anchor += Duration::days(5);
        moved.send_at += Duration::days(5);
        let c = n.replace_plan(u, std::slice::from_ref(&moved)).await.expect("plan");
        assert_eq!((c.inserted, c.deleted), (1, 2), "{backend:?}");
        assert_eq!(n.pending_count().await.expect("count"), 1, "{backend:?}");
        store.delete_user(u).await.expect("delete user");
        assert_eq!(n.pending_count().await.expect("count"), 0, "{backend:?}: nudges go with their user");
    })
    .await;
}

#[tokio::test]
async fn claims_are_exclusive_leased_and_fenced_by_token() {
    on_every_store(|backend, store, reopen| async move {
        let a = store.clone();
        let b = reopen().await;
        let u = user(&store).await;
        a.replace_plan(u, &[nudge("Ada", t0(), true), nudge("Later", t0() + Duration::hours(1), true)]).await.expect("plan");
        let lease = Duration::minutes(5);
        let first = a.claim_due(t0(), lease, 10).await.expect("claim");
        assert_eq!(first.len(), 1, "{backend:?}: only what is due");
        assert_eq!(a.pending_count().await.expect("count"), 2, "{backend:?}: in flight still counts");
        assert!(b.claim_due(t0() + Duration::minutes(1), lease, 10).await.expect("claim").is_empty(), "{backend:?}");
        let second = b.claim_due(t0() + Duration::minutes(6), lease, 10).await.expect("claim");
        let ids: Vec<_> = second.iter().map(|c| c.record.plan.contact_name.clone()).collect();
        assert_eq!(ids, vec!["Ada".to_owned()], "{backend:?}: expired lease comes back");
        assert_eq!(second[0].record.attempts, 2, "{backend:?}");
        let id = first[0].record.id;
        let sent = [(id, NudgeOutcome::Sent { at: t0() })];
        assert_eq!(a.record_outcomes(first[0].token, &sent).await.expect("record"), 0, "{backend:?}: stale token");
        let retry = [(id, NudgeOutcome::RetryAt { at: t0() + Duration::hours(2) })];
        assert_eq!(b.record_outcomes(second[0].token, &retry).await.expect("record"), 1, "{backend:?}");
        let rows = a.user_nudges(u).await.expect("rows");
        let ada = rows.iter().find(|r| r.id == id).expect("row");
        assert_eq!((ada.status, ada.plan.send_at), (NudgeStatus::Pending, t0() + Duration::hours(2)), "{backend:?}");
        let later = a.claim_due(t0() + Duration::hours(1), lease, 10).await.expect("claim");
        let done = [(later[0].record.id, NudgeOutcome::Sent { at: t0() + Duration::hours(1) })];
        assert_eq!(a.record_outcomes(later[0].token, &done).await.expect("record"), 1, "{backend:?}");
        assert_eq!(a.pending_count().await.expect("count"), 1, "{backend:?}: sent rows are not pending");
    })
    .await;
}

#[tokio::test]
async fn two_handles_claiming_concurrently_take_each_of_1000_rows_once() {
    on_every_store(|backend, store, reopen| async move {
        let handles = [Arc::new(store.clone()), Arc::new(reopen().await)];
        for _ in 0..10 {
            let u = user(&store).await;
            let plan: Vec<_> = (0..100).map(|i| nudge(&format!("p{i}"), t0() - Duration::seconds(i), false)).collect();
            handles[0].replace_plan(u, &plan).await.expect("plan");
        }
        let runs = handles.iter().map(|h| {
            let h = h.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let batch = h.claim_due(t0(), Duration::minutes(5), 37).await.expect("claim");
                    if batch.is_empty() {
                        return got;
                    }
                    got.extend(batch.into_iter().map(|c| c.record.id));
                }
            })
        });
        let mut all = Vec::new();
        for r in futures::future::join_all(runs).await {
            all.extend(r.expect("task"));
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!((all.len(), unique.len()), (1000, 1000), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn subscriptions_are_unique_by_endpoint_never_taken_over_and_follow_their_device() {
    on_every_store(|backend, store, _| async move {
        let n = store.clone();
        let (alice, bob) = (user(&store).await, user(&store).await);
        let e1 = format!("https://push.example/{}", uuid::Uuid::new_v4());
        n.upsert_push_subscription(alice, None, &sub(&e1), t0()).await.expect("add");
        n.upsert_push_subscription(alice, None, &sub(&e1), t0()).await.expect("again");
        assert_eq!(n.list_push_subscriptions(alice).await.expect("list").len(), 1, "{backend:?}");
        // bob posting alice's endpoint takes nothing over: it stays alice's, keys and all
        let mut stolen = sub(&e1);
        stolen.keys.auth = "bob-keys".into();
        let taken = n.upsert_push_subscription(bob, None, &stolen, t0()).await;
        assert!(matches!(taken, Err(reminders::NudgeStoreError::EndpointTaken)), "{backend:?}: {taken:?}");
        assert!(n.list_push_subscriptions(bob).await.expect("list").is_empty(), "{backend:?}");
        let kept = n.list_push_subscriptions(alice).await.expect("list");
        assert_eq!(kept.len(), 1, "{backend:?}");
        assert_eq!(kept[0].subscription, sub(&e1), "{backend:?}: alice's keys untouched");
        assert!(!n.remove_push_subscription(bob, &e1).await.expect("rm"), "{backend:?}: not bob's");
        // alice re-posting her own endpoint with new keys updates them
        let mut renewed = sub(&e1);
        renewed.keys.auth = "new-auth".into();
        n.upsert_push_subscription(alice, None, &renewed, t0()).await.expect("renew");
        let list = n.list_push_subscriptions(alice).await.expect("list");
        assert_eq!(list.iter().map(|s| &s.subscription).collect::<Vec<_>>(), vec![&renewed], "{backend:?}");
        assert!(n.delete_push_subscription_by_endpoint(&e1).await.expect("gone"), "{backend:?}");
        assert!(n.list_push_subscriptions(alice).await.expect("list").is_empty(), "{backend:?}");

        // logging a device out drops its subscription
        let sid = store
            .create_session(alice, &[9u8; 32], "phone", t0())
            .await
            .expect("session");
        let e2 = format!("https://push.example/{}", uuid::Uuid::new_v4());
        n.upsert_push_subscription(alice, Some(DeviceSession(sid.0)), &sub(&e2), t0()).await.expect("add");
        store.delete_session(alice, sid).await.expect("logout");
        assert!(n.list_push_subscriptions(alice).await.expect("list").is_empty(), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn a_batch_of_users_subscriptions_is_read_in_one_go() {
    on_every_store(|backend, store, _| async move {
        let n = store.clone();
        let (alice, bob, carol) = (user(&store).await, user(&store).await, user(&store).await);
        let endpoint = || format!("https://push.example/{}", uuid::Uuid::new_v4());
        let (a1, a2, b1) = (endpoint(), endpoint(), endpoint());
        for (who, e) in [(alice, &a1), (alice, &a2), (bob, &b1)] {
            n.upsert_push_subscription(who, None, &sub(e), t0()).await.expect("add");
        }
        let mut got: Vec<(UserId, String)> = n
            .list_push_subscriptions_of(&[alice, bob, carol])
            .await
            .expect("list")
            .into_iter()
            .map(|s| (s.user, s.subscription.endpoint))
            .collect();
        got.sort();
        let mut want = vec![(alice, a1), (alice, a2), (bob, b1)];
        want.sort();
        assert_eq!(got, want, "{backend:?}");
        assert!(n.list_push_subscriptions_of(&[carol]).await.expect("list").is_empty(), "{backend:?}");
        assert!(n.list_push_subscriptions_of(&[]).await.expect("list").is_empty(), "{backend:?}: no users");
    })
    .await;
}

#[tokio::test]
async fn birthdays_that_are_over_and_not_yet_rolled_over_are_found() {
    on_every_store(|backend, store, _| async move {
        let n = store.clone();
        let birthday = |contact, due: DateTime<Utc>| reminders::PlannedNudge {
            contact,
            kind: reminders::NudgeKind::Birthday,
            cycle_anchor: due,
            due_at: due,
            send_at: due + Duration::hours(9),
            contact_name: "Grace".into(),
            cadence_days: None,
            digest: false,
            item: reminders::NudgeItem::none(),
            detail: String::new(),
            recurring: true,
        };
        let (over, upcoming, old) = (user(&store).await, user(&store).await, user(&store).await);
        let grace = reminders::ContactId::new_random();
        n.replace_plan(over, &[birthday(grace, t0() - Duration::days(2))]).await.expect("plan");
        n.replace_plan(upcoming, &[birthday(grace, t0() + Duration::days(2))]).await.expect("plan");
        n.replace_plan(old, &[birthday(grace, t0() - Duration::days(30))]).await.expect("plan");
        let window = (t0() - Duration::days(8), t0() - Duration::hours(25));
        let found = n.birthdays_to_roll_over(window.0, window.1, 100).await.expect("query");
        assert_eq!(found, vec![over], "{backend:?}: only the one that ended within the window");

        // Next year's planned (this year's row stays as history): nothing left to roll over.
        let rows = vec![birthday(grace, t0() - Duration::days(2)), birthday(grace, t0() + Duration::days(363))];
        n.replace_plan(over, &rows).await.expect("plan");
        let found = n.birthdays_to_roll_over(window.0, window.1, 100).await.expect("query");
        assert!(found.is_empty(), "{backend:?}: {found:?}");
    })
    .await;
}
