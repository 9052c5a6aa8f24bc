//! The worker's fan-out to every channel of a user: Web Push (all devices), email and ntfy.
//! One claim per nudge, one send per channel: a channel that has carried a nudge is recorded
//! per (nudge, channel), so when another channel asks for a retry the next attempt skips the
//! ones that worked — and a recorded channel means the nudge reached the user. A channel that
//! refused or gave up is not recorded: it is tried again on the nudge's next attempt (a
//! permanent refusal has turned it off by then). Every message is written to the delivery log.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::channel::{ChannelKind, ChannelSettings, EmailMode, UserChannel};
use crate::channel_compose::{self, Links};
use crate::delivery::{DeliveryEntry, DeliveryStatus};
use crate::email::Mailer;
use crate::ids::{NudgeId, UserId};
use crate::nudge::{NudgeOutcome, NudgeRecord};
use crate::ntfy::NtfyClient;
use crate::sender::SendResult;
use crate::subscription::StoredSubscription;
use crate::worker::{TickReport, Worker};

/// What sends email and ntfy messages, and builds their links.
pub struct Senders {
    /// `None` without `KITH_SMTP_URL`: the email channel is not offered.
    pub mailer: Option<Arc<Mailer>>,
    pub ntfy: Arc<NtfyClient>,
    pub links: Links,
}

/// A batch's recipients, read once for all its users.
#[derive(Default)]
pub(crate) struct Targets {
    /// `None`: they could not be read (every nudge is retried).
    pub subscriptions: Option<HashMap<UserId, Vec<StoredSubscription>>>,
    pub channels: HashMap<UserId, Vec<UserChannel>>,
    pub emails: HashMap<UserId, String>,
    pub done: HashSet<(NudgeId, ChannelKind)>,
}

/// What delivering one user's nudges produced, for the recording side.
#[derive(Default)]
pub(crate) struct UserDone {
    pub outcomes: Vec<(NudgeId, NudgeOutcome)>,
    pub report: TickReport,
    pub marks: Vec<(NudgeId, ChannelKind)>,
    pub log: Vec<DeliveryEntry>,
}

/// Per nudge: what its channels did this attempt.
pub(crate) struct Fates {
    done: HashSet<(NudgeId, ChannelKind)>,
    attempts: HashMap<NudgeId, u32>,
    delivered: HashSet<NudgeId>,
    retry: HashMap<NudgeId, (Option<Duration>, String)>,
    dropped: HashMap<NudgeId, Vec<String>>,
    /// Channels the user has that could carry something.
    pub channels: usize,
}

impl Fates {
    pub fn new(nudges: &[NudgeRecord], done: &HashSet<(NudgeId, ChannelKind)>) -> Self {
        let ids: HashSet<NudgeId> = nudges.iter().map(|n| n.id).collect();
        let mut delivered = HashSet::new();
        let done: HashSet<_> = done.iter().filter(|(id, _)| ids.contains(id)).copied().collect();
        // A channel that finished with a nudge on an earlier attempt carried it.
        for (id, _) in &done {
            delivered.insert(*id);
        }
        Fates {
            done,
            attempts: nudges.iter().map(|n| (n.id, n.attempts)).collect(),
            delivered,
            retry: HashMap::new(),
            dropped: HashMap::new(),
            channels: 0,
        }
    }

    pub fn attempts(&self, id: NudgeId) -> u32 {
        self.attempts.get(&id).copied().unwrap_or(1)
    }

    /// The nudges `channel` still has to carry.
    pub fn todo<'a>(&self, nudges: &'a [NudgeRecord], channel: ChannelKind) -> Vec<&'a NudgeRecord> {
        nudges.iter().filter(|n| !self.done.contains(&(n.id, channel))).collect()
    }

    /// The nudge's outcome once every channel has had its go.
    pub fn outcome(&self, n: &NudgeRecord, worker: &Worker, now: DateTime<Utc>, report: &mut TickReport) -> NudgeOutcome {
        if let Some((after, reason)) = self.retry.get(&n.id) {
            return worker.retry_or_fail(n.attempts, *after, now, reason, report);
        }
        if self.delivered.contains(&n.id) {
            return NudgeOutcome::Sent { at: now };
        }
        report.failed += 1;
        let reason = match self.dropped.get(&n.id) {
            Some(reasons) => reasons.join("; "),
            None if self.channels == 0 => "no push subscription and no other channel".to_owned(),
            None => "every subscription was gone".to_owned(),
        };
        NudgeOutcome::Failed { at: now, reason }
    }
}

impl Worker {
    /// Reads the recipients of a batch: devices, channels, account addresses, finished sends.
    pub(crate) async fn targets_of(&self, users: &[UserId], ids: &[NudgeId]) -> Targets {
        let mut t = Targets::default();
        match self.store.list_push_subscriptions_of(users).await {
            Ok(subs) => {
                let mut by_user: HashMap<UserId, Vec<StoredSubscription>> = HashMap::new();
                for s in subs {
                    by_user.entry(s.user).or_default().push(s);
                }
                t.subscriptions = Some(by_user);
            }
            Err(e) => tracing::warn!(error = %e, "cannot list push subscriptions"),
        }
        match self.store.channel_sends(ids).await {
            Ok(done) => t.done = done.into_iter().collect(),
            Err(e) => {
                // Without knowing what was sent, sending again could duplicate: retry later.
                tracing::warn!(error = %e, "cannot read channel sends");
                t.subscriptions = None;
                return t;
            }
        }
        if self.senders.is_none() {
            return t;
        }
        match self.store.enabled_channels_of(users).await {
            Ok(chs) => {
                for c in chs {
                    t.channels.entry(c.user).or_default().push(c);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot list channels");
                t.subscriptions = None;
                return t;
            }
        }
        let with_email: Vec<UserId> = t
            .channels
            .iter()
            .filter(|(_, cs)| cs.iter().any(|c| c.settings.kind() == ChannelKind::Email))
            .map(|(u, _)| *u)
            .collect();
        if !with_email.is_empty() {
            match self.store.account_emails(&with_email).await {
                Ok(emails) => t.emails = emails.into_iter().collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read account emails");
                    t.subscriptions = None;
                }
            }
        }
        t
    }

    /// Sends the nudges `channel` has not carried yet, as that channel groups them.
    pub(crate) async fn deliver_channel(
        &self,
        channel: &UserChannel,
        nudges: &[NudgeRecord],
        targets: &Targets,
        now: DateTime<Utc>,
        fates: &mut Fates,
        out: &mut UserDone,
    ) {
        let Some(senders) = &self.senders else { return };
        let user = channel.user;
        match &channel.settings {
            ChannelSettings::Email(settings) => {
                let to = settings.address.as_ref().or_else(|| targets.emails.get(&user));
                let (Some(mailer), Some(to)) = (&senders.mailer, to) else { return };
                fates.channels += 1;
                let todo = fates.todo(nudges, ChannelKind::Email);
                let groups: Vec<Vec<&NudgeRecord>> = match settings.mode {
                    EmailMode::Digest if !todo.is_empty() => vec![todo],
                    EmailMode::Digest => Vec::new(),
                    EmailMode::Each => todo.into_iter().map(|n| vec![n]).collect(),
                };
                for group in groups {
                    let content = channel_compose::email(&group, &senders.links, now);
                    let result = mailer.send(to, &content).await;
                    let ids: Vec<NudgeId> = group.iter().map(|n| n.id).collect();
                    let attempts = group.iter().map(|n| n.attempts).max().unwrap_or(1);
                    self.settle(user, ChannelKind::Email, &content.subject, &ids, attempts, result, now, fates, out).await;
                }
            }
            ChannelSettings::Ntfy(settings) => {
                fates.channels += 1;
                for n in fates.todo(nudges, ChannelKind::Ntfy) {
                    let msg = channel_compose::ntfy(n, &senders.links, now);
                    let result = senders.ntfy.send(settings, &msg, now).await;
                    self.settle(user, ChannelKind::Ntfy, &msg.title, &[n.id], n.attempts, result, now, fates, out).await;
                }
            }
        }
    }

    /// Books one message's result: the log row, the (nudge, channel) marks, the nudges'
    /// fates, and a permanent refusal turns the channel off.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn settle(
        &self,
        user: UserId,
        channel: ChannelKind,
        title: &str,
        ids: &[NudgeId],
        attempts: u32,
        result: SendResult,
        now: DateTime<Utc>,
        fates: &mut Fates,
        out: &mut UserDone,
    ) {
        let entry = |status, detail: &str| DeliveryEntry::new(user, channel, now, status, title, detail, ids.len());
        match result {
            SendResult::Sent { answer } => {
                if channel != ChannelKind::Push {
                    out.report.channel_sent += 1;
                }
                out.log.push(entry(DeliveryStatus::Sent, &answer));
                for id in ids {
                    fates.delivered.insert(*id);
                    out.marks.push((*id, channel));
                }
            }
            SendResult::Retry { after, reason } => {
                if self.config.retry.next_delay(attempts, after).is_some() {
                    let detail = match after {
                        Some(a) => format!("{reason}; retry after {} s", a.as_secs()),
                        None => reason.clone(),
                    };
                    out.log.push(entry(DeliveryStatus::Retried, &detail));
                    for id in ids {
                        let slot = fates.retry.entry(*id).or_insert((after, reason.clone()));
                        slot.0 = match (slot.0, after) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            (a, b) => a.or(b),
                        };
                    }
                } else {
                    let detail = format!("gave up after {attempts} attempts: {reason}");
                    out.log.push(entry(DeliveryStatus::GivenUp, &detail));
                    for id in ids {
                        fates.dropped.entry(*id).or_default().push(format!("{}: {detail}", channel.as_str()));
                    }
                }
            }
            SendResult::Refused { reason, permanent } => {
                out.log.push(entry(DeliveryStatus::Refused, &reason));
                for id in ids {
                    // Not marked: a mark means "carried", and the next attempt reads it so.
                    fates.dropped.entry(*id).or_default().push(format!("{}: {reason}", channel.as_str()));
                }
                if permanent && channel != ChannelKind::Push {
                    tracing::warn!(user.id = %user, channel = channel.as_str(), %reason, "channel refused for good; turning it off");
                    let reason = format!("turned off: {reason}");
                    if let Err(e) = self.store.disable_channel(user, channel, &reason, now).await {
                        tracing::warn!(error = %e, "cannot turn a failing channel off");
                    }
                }
            }
        }
    }

    /// Without a configured VAPID subject, the first account's address becomes it once an
    /// account exists.
    pub(crate) async fn learn_subject(&self) {
        if self.push.has_subject() {
            return;
        }
        match self.store.first_account_email().await {
            Ok(Some(email)) => {
                if let Some(subject) = crate::vapid::default_subject(&email) {
                    if self.push.signer().set_subject(&subject).is_ok() {
                        tracing::info!(%subject, "Web Push is on: VAPID subject is the first account's address (set KITH_VAPID_SUBJECT to choose)");
                    }
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the first account's address"),
        }
    }
}
