//! The reminder worker: every tick, claim the due nudges, group them per user into
//! notifications, push them to every device of the user and send them on the user's email
//! and ntfy channels (`channel_send`), record what happened.
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
use crate::channel::ChannelKind;
use crate::channel_send::{Fates, Senders, Targets, UserDone};
use crate::sender::SendResult;
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
    /// Emails and ntfy messages the services accepted.
    pub channel_sent: usize,
}

impl TickReport {
    pub(crate) fn add(&mut self, o: &TickReport) {
        self.claimed += o.claimed;
        self.notifications += o.notifications;
        self.delivered += o.delivered;
        self.gone += o.gone;
        self.rejected += o.rejected;
        self.retries += o.retries;
        self.failed += o.failed;
        self.channel_sent += o.channel_sent;
    }
}

/// Told about every delivery attempt to one subscription: how it ended and the push
/// service's HTTP status (`None`: no answer). The server feeds its metrics from it.
pub type AttemptObserver = Arc<dyn Fn(&PushResult, Option<u16>) + Send + Sync>;

pub struct Worker {
    pub(crate) store: Arc<dyn ReminderStore>,
    pub(crate) push: Arc<PushClient>,
    clock: Arc<dyn Clock>,
    pub(crate) config: WorkerConfig,
    observer: Option<AttemptObserver>,
    /// Email and ntfy; `None`: Web Push only.
    pub(crate) senders: Option<Arc<Senders>>,
}

/// Outcomes are written in batches of up to this many rows per transaction.
const RECORD_CHUNK: usize = 128;

impl Worker {
    pub fn new(store: Arc<dyn ReminderStore>, push: Arc<PushClient>, clock: Arc<dyn Clock>, config: WorkerConfig) -> Self {
        Worker { store, push, clock, config, observer: None, senders: None }
    }

    /// Also delivers on the users' email and ntfy channels.
    pub fn with_senders(mut self, senders: Arc<Senders>) -> Self {
        self.senders = Some(senders);
        self
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
        self.learn_subject().await;
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(5));
        let mut report = TickReport::default();
        // A user's nudges due at one moment may straddle two batches; the tail user's rows
        // wait for the next batch, so their digest is one message, not two.
        let mut carry: Vec<ClaimedNudge> = Vec::new();
        loop {
            let claimed = self.store.claim_due(now, lease, self.config.batch).await?;
            let full = claimed.len() as u32 >= self.config.batch;
            report.claimed += claimed.len();
            let mut work = std::mem::take(&mut carry);
            work.extend(claimed);
            if work.is_empty() {
                break;
            }
            if full {
                // Claims are ordered by (send_at, user): only the last such key can continue.
                let tail = work.iter().map(|c| (c.record.plan.send_at, c.record.user)).max();
                let (held, rest): (Vec<_>, Vec<_>) =
                    work.into_iter().partition(|c| Some((c.record.plan.send_at, c.record.user)) == tail);
                // One user with more than a batch due at once: send what we have.
                (work, carry) = if rest.is_empty() { (held, Vec::new()) } else { (rest, held) };
            }
            report.add(&self.deliver_batch(work, now).await?);
            if !full && carry.is_empty() {
                break;
            }
        }
        Ok(report)
    }

    async fn deliver_batch(&self, claimed: Vec<ClaimedNudge>, now: DateTime<Utc>) -> Result<TickReport, NudgeStoreError> {
        // Grouped by user (a carried user's rows hold an earlier claim's token); each
        // outcome is recorded under the token its row was claimed with.
        let mut groups: BTreeMap<UserId, Vec<NudgeRecord>> = BTreeMap::new();
        let mut tokens: HashMap<NudgeId, ClaimToken> = HashMap::with_capacity(claimed.len());
        for c in claimed {
            tokens.insert(c.record.id, c.token);
            groups.entry(c.record.user).or_default().push(c.record);
        }
        let tokens = &tokens;
        // Every user's devices, channels and finished sends in one query each for the whole
        // batch, not one per user.
        let users: Vec<UserId> = groups.keys().copied().collect();
        let ids: Vec<NudgeId> = groups.values().flatten().map(|n| n.id).collect();
        let targets = self.targets_of(&users, &ids).await;
        let targets = &targets;
        // Deliveries and the recording of their outcomes run side by side: recording
        // must never wait for a database connection that a paused delivery is holding.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let concurrency = self.config.concurrency.max(1);
        let deliver = async move {
            // Owned here, so the channel closes when the last delivery is done.
            let tx = tx;
            futures::stream::iter(groups)
                .for_each_concurrent(concurrency, |(user, nudges)| {
                    let tx = tx.clone();
                    async move {
                        let done = self.deliver_user(user, nudges, targets, now).await;
                        let _ = tx.send(done);
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
                let (mut marks, mut log) = (Vec::new(), Vec::new());
                for d in done.drain(..) {
                    report.add(&d.report);
                    for (id, outcome) in d.outcomes {
                        if let Some(token) = tokens.get(&id) {
                            by_token.entry(*token).or_default().push((id, outcome));
                        }
                    }
                    marks.extend(d.marks);
                    log.extend(d.log);
                }
                // Which channel has carried which nudge is written before the nudge's own
                // outcome: a retry of the nudge then skips the channels that worked.
                if !marks.is_empty() {
                    if let Err(e) = self.store.mark_channel_sends(&marks, now).await {
                        tracing::warn!(error = %e, "cannot record channel sends");
                    }
                }
                if !log.is_empty() {
                    if let Err(e) = self.store.log_deliveries(&log).await {
                        tracing::warn!(error = %e, "cannot write the delivery log");
                    }
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

    /// Sends one user's due nudges on every channel they have and decides each nudge's fate.
    async fn deliver_user(&self, user: UserId, nudges: Vec<NudgeRecord>, targets: &Targets, now: DateTime<Utc>) -> UserDone {
        let mut out = UserDone::default();
        let max = self.config.retry.max_attempts;
        // A row claimed more often than allowed (e.g. workers that crashed mid-send).
        let (exhausted, sendable): (Vec<_>, Vec<_>) = nudges.into_iter().partition(|n| n.attempts > max);
        for n in exhausted {
            out.report.failed += 1;
            out.outcomes.push((n.id, NudgeOutcome::Failed { at: now, reason: format!("gave up after {max} attempts") }));
        }
        if sendable.is_empty() {
            return out;
        }
        let Some(subs) = targets.subscriptions.as_ref() else {
            for n in &sendable {
                let o = self.retry_or_fail(n.attempts, None, now, "storage error", &mut out.report);
                out.outcomes.push((n.id, o));
            }
            return out;
        };
        let subs = subs.get(&user).map_or(&[][..], Vec::as_slice);
        let channels = targets.channels.get(&user).map_or(&[][..], Vec::as_slice);
        let mut fates = Fates::new(&sendable, &targets.done);
        let push_ready = !subs.is_empty() && self.push.has_subject();
        if push_ready {
            fates.channels += 1;
            let todo: Vec<NudgeRecord> = fates.todo(&sendable, ChannelKind::Push).into_iter().cloned().collect();
            for note in compose(&todo) {
                out.report.notifications += 1;
                let fate = self.send_to_all(user, &note, subs, now, &mut out.report).await;
                let attempts = note.nudges.iter().map(|id| fates.attempts(*id)).max().unwrap_or(1);
                let result = match fate {
                    Fate::Delivered => SendResult::Sent { answer: format!("{} device(s)", subs.len()) },
                    Fate::Retry { after, reason } => SendResult::Retry { after, reason },
                    Fate::Dropped { reason } => SendResult::Refused { reason, permanent: false },
                };
                self.settle(user, ChannelKind::Push, &note.payload.title, &note.nudges, attempts, result, now, &mut fates, &mut out)
                    .await;
            }
        }
        for channel in channels {
            self.deliver_channel(channel, &sendable, targets, now, &mut fates, &mut out).await;
        }
        for n in &sendable {
            let o = fates.outcome(n, self, now, &mut out.report);
            out.outcomes.push((n.id, o));
        }
        out
    }

    pub(crate) fn retry_or_fail(
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
