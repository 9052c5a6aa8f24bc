//! The reminder worker: every tick, claim the due nudges, group them per user into
//! notifications, push them to every device of the user, record what happened.
//! Any number of workers (tasks or instances) can share one database: claims are leased.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::clock::Clock;
use crate::ids::{ClaimToken, NudgeId, UserId};
use crate::nudge::{ClaimedNudge, NudgeOutcome, NudgeRecord};
use crate::payload::{compose, Notification};
use crate::push::{PushClient, PushResult};
use crate::retry::RetryPolicy;
use crate::store::{NudgeStoreError, ReminderStore};
use crate::subscription::StoredSubscription;

#[derive(Clone, Copy, Debug)]
pub struct WorkerConfig {
    /// `KITH_REMINDER_TICK_SECS`.
    pub tick: Duration,
    /// How long a claim is exclusive. Longer than a batch can take (push timeout ×
    /// batch / concurrency), so a slow but live worker keeps its nudges.
    pub lease: Duration,
    /// Nudges claimed per query.
    pub batch: u32,
    /// Users served at once; a hanging push service holds only its own slot.
    pub concurrency: usize,
    pub retry: RetryPolicy,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            tick: Duration::from_secs(30),
            lease: Duration::from_secs(300),
            batch: 256,
            concurrency: 64,
            retry: RetryPolicy::default(),
        }
    }
}

/// What one tick did; for logs, metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub claimed: usize,
    pub notifications: usize,
    pub delivered: usize,
    pub gone: usize,
    pub rejected: usize,
    pub retries: usize,
    pub failed: usize,
}

impl TickReport {
    fn add(&mut self, o: &TickReport) {
        self.claimed += o.claimed;
        self.notifications += o.notifications;
        self.delivered += o.delivered;
        self.gone += o.gone;
        self.rejected += o.rejected;
        self.retries += o.retries;
        self.failed += o.failed;
    }
}

/// Told about every delivery attempt to one subscription: how it ended and the push
/// service's HTTP status (`None`: no answer). The server feeds its metrics from it.
pub type AttemptObserver = Arc<dyn Fn(&PushResult, Option<u16>) + Send + Sync>;

pub struct Worker {
    store: Arc<dyn ReminderStore>,
    push: Arc<PushClient>,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
    observer: Option<AttemptObserver>,
}

/// Outcomes are written in batches of up to this many rows per transaction.
const RECORD_CHUNK: usize = 128;

impl Worker {
    pub fn new(store: Arc<dyn ReminderStore>, push: Arc<PushClient>, clock: Arc<dyn Clock>, config: WorkerConfig) -> Self {
        Worker { store, push, clock, config, observer: None }
    }

    /// Reports every delivery attempt to `observer`.
    pub fn observed(mut self, observer: AttemptObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Ticks until `shutdown` resolves. Store errors are logged and retried next tick.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        loop {
            match self.tick().await {
                Ok(r) if r.claimed > 0 => tracing::info!(?r, "reminder tick"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder tick failed"),
            }
            let next = self.clock.now() + self.config.tick;
            tokio::select! {
                () = self.clock.sleep_until(next) => {}
                () = &mut shutdown => return,
            }
        }
    }

    /// Claims and sends everything due at the clock's `now`.
    pub async fn tick(&self) -> Result<TickReport, NudgeStoreError> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(5));
        let mut report = TickReport::default();
        loop {
            let claimed = self.store.claim_due(now, lease, self.config.batch).await?;
            let full = claimed.len() as u32 >= self.config.batch;
            if claimed.is_empty() {
                break;
            }
            report.claimed += claimed.len();
            report.add(&self.deliver_batch(claimed, now).await?);
            if !full {
                break;
            }
        }
        Ok(report)
    }

    async fn deliver_batch(&self, claimed: Vec<ClaimedNudge>, now: DateTime<Utc>) -> Result<TickReport, NudgeStoreError> {
        let mut groups: BTreeMap<(UserId, ClaimToken), Vec<NudgeRecord>> = BTreeMap::new();
        for c in claimed {
            groups.entry((c.record.user, c.token)).or_default().push(c.record);
        }
        // Every user's devices in one query for the whole batch, not one per user.
        let users: Vec<UserId> = groups.keys().map(|(u, _)| *u).collect();
        let subscriptions = match self.store.list_push_subscriptions_of(&users).await {
            Ok(subs) => {
                let mut by_user: HashMap<UserId, Vec<StoredSubscription>> = HashMap::new();
                for s in subs {
                    by_user.entry(s.user).or_default().push(s);
                }
                Some(by_user)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot list push subscriptions");
                None
            }
        };
        let subscriptions = &subscriptions;
        // Deliveries and the recording of their outcomes run side by side: recording
        // must never wait for a database connection that a paused delivery is holding.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let concurrency = self.config.concurrency.max(1);
        let deliver = async move {
            // Owned here, so the channel closes when the last delivery is done.
            let tx = tx;
            futures::stream::iter(groups)
                .for_each_concurrent(concurrency, |((user, token), nudges)| {
                    let tx = tx.clone();
                    async move {
                        let subs = subscriptions.as_ref().map(|by_user| by_user.get(&user).map_or(&[][..], Vec::as_slice));
                        let (outcomes, report) = self.deliver_user(user, nudges, subs, now).await;
                        let _ = tx.send((token, outcomes, report));
                    }
                })
                .await;
        };
        let record = async {
            let mut report = TickReport::default();
            let mut failure = None;
            let mut done = Vec::with_capacity(RECORD_CHUNK);
            while rx.recv_many(&mut done, RECORD_CHUNK).await > 0 {
                let mut by_token: BTreeMap<ClaimToken, Vec<(NudgeId, NudgeOutcome)>> = BTreeMap::new();
                for (token, outcomes, r) in done.drain(..) {
                    report.add(&r);
                    by_token.entry(token).or_default().extend(outcomes);
                }
                for (token, outcomes) in by_token {
                    if let Err(e) = self.store.record_outcomes(token, &outcomes).await {
                        // The rows stay claimed; their lease runs out and they are retried.
                        tracing::warn!(error = %e, "cannot record push outcomes");
                        failure = Some(e);
                    }
                }
            }
            (report, failure)
        };
        let ((), (report, failure)) = tokio::join!(deliver, record);
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(report)
    }

    /// Sends one user's due nudges to all their devices and decides each nudge's fate.
    /// `subs`: the user's subscriptions, `None` if they could not be read.
    async fn deliver_user(
        &self,
        user: UserId,
        nudges: Vec<NudgeRecord>,
        subs: Option<&[StoredSubscription]>,
        now: DateTime<Utc>,
    ) -> (Vec<(NudgeId, NudgeOutcome)>, TickReport) {
        let mut report = TickReport::default();
        let mut outcomes = Vec::with_capacity(nudges.len());
        let max = self.config.retry.max_attempts;
        // A row claimed more often than allowed (e.g. workers that crashed mid-send).
        let (exhausted, sendable): (Vec<_>, Vec<_>) = nudges.into_iter().partition(|n| n.attempts > max);
        for n in exhausted {
            report.failed += 1;
            outcomes.push((n.id, NudgeOutcome::Failed { at: now, reason: format!("gave up after {max} attempts") }));
        }
        if sendable.is_empty() {
            return (outcomes, report);
        }
        let Some(subs) = subs else {
            for n in &sendable {
                outcomes.push((n.id, self.retry_or_fail(n.attempts, None, now, "storage error", &mut report)));
            }
            return (outcomes, report);
        };
        if subs.is_empty() {
            for n in &sendable {
                report.failed += 1;
                outcomes.push((n.id, NudgeOutcome::Failed { at: now, reason: "no push subscription".into() }));
            }
            return (outcomes, report);
        }
        let attempts_of = |id: NudgeId| sendable.iter().find(|n| n.id == id).map_or(1, |n| n.attempts);
        for note in compose(&sendable) {
            report.notifications += 1;
            let fate = self.send_to_all(user, &note, subs, now, &mut report).await;
            let attempts = note.nudges.iter().map(|id| attempts_of(*id)).max().unwrap_or(1);
            let outcome = match fate {
                Fate::Delivered => NudgeOutcome::Sent { at: now },
                Fate::Retry { after, reason } => self.retry_or_fail(attempts, after, now, &reason, &mut report),
                Fate::Dropped { reason } => {
                    report.failed += 1;
                    NudgeOutcome::Failed { at: now, reason }
                }
            };
            outcomes.extend(note.nudges.iter().map(|id| (*id, outcome.clone())));
        }
        (outcomes, report)
    }

    fn retry_or_fail(
        &self,
        attempts: u32,
        after: Option<Duration>,
        now: DateTime<Utc>,
        reason: &str,
        report: &mut TickReport,
    ) -> NudgeOutcome {
        match self.config.retry.next_delay(attempts, after) {
            Some(delay) => {
                report.retries += 1;
                let delay = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                NudgeOutcome::RetryAt { at: now + delay }
            }
            None => {
                report.failed += 1;
                NudgeOutcome::Failed { at: now, reason: format!("gave up after {attempts} attempts: {reason}") }
            }
        }
    }

    /// One notification to every device. Retried as a whole if any device may still get
    /// it later; devices that already have it collapse the copy by `Topic` and `tag`.
    async fn send_to_all(
        &self,
        user: UserId,
        note: &Notification,
        subs: &[StoredSubscription],
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Fate {
        let payload = note.to_json();
        let results = futures::future::join_all(
            subs.iter().map(|s| self.push.send_with_status(&s.subscription, &note.topic, &payload, now)),
        )
        .await;
        let mut delivered = false;
        let mut retry: Option<(Option<Duration>, String)> = None;
        let mut dropped = Vec::new();
        for (sub, (result, status)) in subs.iter().zip(results) {
            if let Some(observe) = &self.observer {
                observe(&result, status);
            }
            match result {
                PushResult::Delivered => {
                    report.delivered += 1;
                    delivered = true;
                }
                PushResult::Gone => {
                    report.gone += 1;
                    tracing::info!(user.id = %user, subscription = %sub.id, "push subscription gone; removing it");
                    if let Err(e) = self.store.delete_push_subscription_by_endpoint(&sub.subscription.endpoint).await {
                        tracing::warn!(error = %e, "cannot delete a gone push subscription");
                    }
                }
                PushResult::Rejected { reason } => {
                    report.rejected += 1;
                    tracing::warn!(user.id = %user, subscription = %sub.id, %reason, "push rejected; dropping it");
                    dropped.push(reason);
                }
                PushResult::Retry { after, reason } => {
                    tracing::info!(user.id = %user, subscription = %sub.id, %reason, "push failed; will retry");
                    let later = match &retry {
                        Some((Some(prev), _)) => after.map(|a| a.max(*prev)).or(Some(*prev)),
                        _ => after,
                    };
                    retry = Some((later, reason));
                }
            }
        }
        match (retry, delivered) {
            (Some((after, reason)), _) => Fate::Retry { after, reason },
            (None, true) => Fate::Delivered,
            (None, false) if dropped.is_empty() => Fate::Dropped { reason: "every subscription was gone".into() },
            (None, false) => Fate::Dropped { reason: dropped.join("; ") },
        }
    }
}

enum Fate {
    Delivered,
    Retry { after: Option<Duration>, reason: String },
    Dropped { reason: String },
}
