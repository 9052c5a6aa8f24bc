//! The channel store behaves the same on every store (a fresh SQLite file always, a fresh
//! PostgreSQL schema when `TEST_DATABASE_URL` is set): channels round-trip and turn off with a
//! reason, (nudge, channel) sends are idempotent, the delivery log keeps the last 100 rows per
//! user and channel, and the server secret is stored once.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kith_tests::reminder_support::nudge;
use kith_tests::stores::on_every_store;
use reminders::delivery::LOG_KEEP;
use reminders::{ChannelKind, ChannelSettings, DeliveryEntry, DeliveryStatus, EmailMode, EmailSettings, NtfySettings, UserId};
use sync_server::ids::DocId;
use sync_server::store::Store;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().expect("valid time")
}

async fn user(store: &Arc<dyn Store>) -> UserId {
    let email = format!("c-{}@example.test", uuid::Uuid::new_v4());
    store.create_user(&email, "$argon2id$fake", DocId::random(), t0()).await.expect("user")
}

#[tokio::test]
async fn channels_sends_log_and_secret_behave_alike_on_every_store() {
    on_every_store(|backend, store, _| async move {
        let (ada, bob) = (user(&store).await, user(&store).await);
        let ntfy = ChannelSettings::Ntfy(NtfySettings { url: "https://ntfy.sh/ada".into(), token: Some("tk".into()) });
        let email = ChannelSettings::Email(EmailSettings { mode: EmailMode::Each, ..Default::default() });
        store.put_channel(ada, &ntfy, true, t0()).await.expect("put ntfy");
        store.put_channel(ada, &email, true, t0()).await.expect("put email");
        store.put_channel(bob, &email, false, t0()).await.expect("put bob");
        let listed = store.list_channels(ada).await.expect("list");
        assert_eq!(listed.len(), 2, "{backend:?}");
        assert!(listed.iter().any(|c| c.settings == ntfy && c.enabled));
        let enabled = store.enabled_channels_of(&[ada, bob]).await.expect("enabled");
        assert_eq!(enabled.len(), 2, "bob's is off: {backend:?}");
        assert!(store.disable_channel(ada, ChannelKind::Ntfy, "turned off: 401", t0()).await.expect("disable"));
        let off = store.list_channels(ada).await.expect("list").into_iter().find(|c| c.settings.kind() == ChannelKind::Ntfy);
        assert_eq!(off.map(|c| (c.enabled, c.disabled_reason)), Some((false, Some("turned off: 401".into()))));
        store.put_channel(ada, &ntfy, true, t0()).await.expect("back on");
        assert_eq!(store.enabled_channels_of(&[ada]).await.expect("enabled").len(), 2, "put clears the reason");

        // Sends: once per (nudge, channel), whatever is marked twice.
        store.replace_plan(ada, &[nudge("X", t0(), true), nudge("Y", t0(), true)]).await.expect("plan");
        let ids: Vec<_> = store.user_nudges(ada).await.expect("rows").iter().map(|r| r.id).collect();
        let marks = [(ids[0], ChannelKind::Email), (ids[0], ChannelKind::Ntfy), (ids[1], ChannelKind::Push)];
        store.mark_channel_sends(&marks, t0()).await.expect("mark");
        store.mark_channel_sends(&marks[..1], t0()).await.expect("mark again");
        let mut got = store.channel_sends(&ids).await.expect("sends");
        got.sort();
        let mut want = marks.to_vec();
        want.sort();
        assert_eq!(got, want, "{backend:?}");

        // The log: 150 ntfy rows and 3 email rows → the last 100 ntfy, all 3 email, newest first.
        let rows: Vec<_> = (0..150)
            .map(|i| DeliveryEntry::new(ada, ChannelKind::Ntfy, t0() + Duration::minutes(i), DeliveryStatus::Sent, &format!("n{i}"), "200", 1))
            .collect();
        for chunk in rows.chunks(40) {
            store.log_deliveries(chunk).await.expect("log");
        }
        let mail: Vec<_> = (0..3)
            .map(|i| DeliveryEntry::new(ada, ChannelKind::Email, t0() + Duration::minutes(i), DeliveryStatus::Retried, "digest", "451", 2))
            .collect();
        store.log_deliveries(&mail).await.expect("log email");
        store.log_deliveries(&[DeliveryEntry::new(bob, ChannelKind::Ntfy, t0(), DeliveryStatus::Refused, "b", "401", 1)]).await.expect("bob");
        let log = store.deliveries(ada, LOG_KEEP).await.expect("deliveries");
        let ntfy_rows: Vec<_> = log.iter().filter(|e| e.channel == ChannelKind::Ntfy).collect();
        assert_eq!(ntfy_rows.len(), 100, "{backend:?}");
        assert_eq!(ntfy_rows[0].title, "n149", "newest first");
        assert_eq!(ntfy_rows[99].title, "n50");
        assert_eq!(log.iter().filter(|e| e.channel == ChannelKind::Email).count(), 3);
        assert_eq!(store.deliveries(bob, LOG_KEEP).await.expect("bob's").len(), 1, "per user");

        // The secret: the first one stays.
        let first = store.server_secret("test", b"one").await.expect("secret");
        let again = store.server_secret("test", b"two").await.expect("secret");
        assert_eq!((first.as_slice(), again.as_slice()), (&b"one"[..], &b"one"[..]));
        assert!(store.first_account_email().await.expect("first").is_some());
        assert_eq!(store.account_emails(&[ada, bob]).await.expect("emails").len(), 2);
    })
    .await;
}
