//! Pieces for reminder tests below the HTTP layer: a real SQLite store in a temp dir,
//! users created directly in it (no argon2 needed), a push client trusted by a local push
//! service, and workers on an injected clock.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use reminders::push::{PushClient, PushConfig};
use reminders::vapid::{VapidKeys, VapidSigner};
use reminders::worker::{Worker, WorkerConfig};
use reminders::{ContactId, EndpointPolicy, ManualClock, NudgeKind, PlannedNudge, PushKeys, PushStore, PushSubscription, ReminderStore, UserId};
use sync_server::ids::DocId;
use sync_server::store::{AccountStore, SqliteStore};

use crate::push_service::{PushService, Subscriber};

pub const SUBJECT: &str = "mailto:ops@kith.test";

/// A fixed starting instant for manual clocks.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap_or_default()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub push_service: PushService,
    pub keys: VapidKeys,
    pub clock: ManualClock,
}

impl Fixture {
    pub async fn new() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let store = Arc::new(SqliteStore::open(&Self::url_in(&dir)).await?);
        let push_service = PushService::start().await?;
        let keys = VapidKeys::generate();
        push_service.trust_vapid_key(keys.public_key());
        push_service.expect_subject(SUBJECT);
        Ok(Fixture { dir, store, push_service, keys, clock: ManualClock::new(t0()) })
    }

    fn url_in(dir: &tempfile::TempDir) -> String {
        format!("sqlite://{}", dir.path().join("kith.db").display())
    }

    /// A second, independent connection pool on the same database file: another process.
    pub async fn second_store(&self) -> anyhow::Result<Arc<SqliteStore>> {
        Ok(Arc::new(SqliteStore::open(&Self::url_in(&self.dir)).await?))
    }

    pub async fn user(&self) -> anyhow::Result<UserId> {
        let email = crate::unique_email("nudge");
        let id = self.store.create_user(&email, "not-a-real-hash", DocId::random(), t0()).await?;
        Ok(id)
    }

    /// A new endpoint on the push service, registered for `user`.
    pub async fn subscribe(&self, user: UserId) -> anyhow::Result<Subscriber> {
        let sub = self.push_service.subscribe();
        self.store.upsert_push_subscription(user, None, &as_subscription(&sub), t0()).await.context("subscribe")?;
        Ok(sub)
    }

    pub fn push_client(&self, timeout: Duration) -> anyhow::Result<Arc<PushClient>> {
        let signer = Arc::new(VapidSigner::new(&self.keys, SUBJECT)?);
        let config = PushConfig { timeout, policy: EndpointPolicy { allow_http_loopback: true }, ..PushConfig::default() };
        Ok(Arc::new(PushClient::new(signer, config)?))
    }

    pub fn worker(&self, store: Arc<dyn ReminderStore>, push: Arc<PushClient>, config: WorkerConfig) -> Worker {
        Worker::new(store, push, Arc::new(self.clock.clone()), config)
    }
}

pub fn as_subscription(s: &Subscriber) -> PushSubscription {
    PushSubscription { endpoint: s.endpoint.clone(), keys: PushKeys { p256dh: s.p256dh.clone(), auth: s.auth.clone() } }
}

/// A stale nudge for a fresh contact, due and sendable at `send_at`.
pub fn nudge(name: &str, send_at: DateTime<Utc>, digest: bool) -> PlannedNudge {
    PlannedNudge {
        contact: ContactId::new_random(),
        kind: NudgeKind::Stale,
        cycle_anchor: send_at - chrono::Duration::days(14),
        due_at: send_at,
        send_at,
        contact_name: name.to_owned(),
        cadence_days: Some(14),
        digest,
        item: reminders::NudgeItem::none(),
        detail: String::new(),
        recurring: false,
    }
}
