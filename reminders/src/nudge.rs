//! The schedule's vocabulary: what the planner wants, and what the store holds.

use chrono::{DateTime, Utc};

use crdt_model::FollowUpId;

use crate::ids::{ClaimToken, ContactId, NudgeId, UserId};

/// Why we nudge: a relationship past its cadence, a birthday, an important date with
/// `remind` on, or a follow-up's occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NudgeKind {
    Stale,
    Birthday,
    Date,
    FollowUp,
}

impl NudgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::Stale => "stale",
            NudgeKind::Birthday => "birthday",
            NudgeKind::Date => "date",
            NudgeKind::FollowUp => "follow_up",
        }
    }

    /// `None` for anything else a database row might hold.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stale" => Some(NudgeKind::Stale),
            "birthday" => Some(NudgeKind::Birthday),
            "date" => Some(NudgeKind::Date),
            "follow_up" => Some(NudgeKind::FollowUp),
            _ => None,
        }
    }
}

/// Which record a nudge is about besides its contact: nothing for cadence and birthday
/// nudges, the entry's key in `contacts.<id>.dates` for an important date, the follow-up's
/// id for a follow-up. Stored as text (`''` for nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NudgeItem(pub String);

impl NudgeItem {
    pub fn none() -> Self {
        NudgeItem(String::new())
    }

    pub fn follow_up(id: FollowUpId) -> Self {
        NudgeItem(id.to_string())
    }

    pub fn date(key: &str) -> Self {
        NudgeItem(key.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The follow-up this nudge is about, when it is a follow-up's (and the stored text is
    /// an id).
    pub fn follow_up_id(&self) -> Option<FollowUpId> {
        self.0.parse().ok()
    }
}

/// What identifies one cycle of one nudge. A follow-up's nudge is identified without its
/// contact: editing who a follow-up is about must not make an already sent occurrence new.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CycleKey {
    pub contact: Option<ContactId>,
    pub kind: NudgeKind,
    pub item: NudgeItem,
    pub cycle_anchor: DateTime<Utc>,
}

/// One nudge the planner wants to exist. Its [`CycleKey`] identifies it: planning the same
/// document twice yields the same keys, and a new cycle (a new interaction, a snooze, next
/// year's birthday, a follow-up's next occurrence) yields a new key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedNudge {
    /// For a follow-up about several people: the first of them (the notification links there).
    pub contact: ContactId,
    pub kind: NudgeKind,
    pub item: NudgeItem,
    /// What starts this cycle: the last interaction (or the moment the cadence was set),
    /// the end of a snooze, or the birthday's date (UTC midnight).
    pub cycle_anchor: DateTime<Utc>,
    /// When the relationship became due (for a birthday: local midnight of the day).
    pub due_at: DateTime<Utc>,
    /// The user's reminder hour, local time, at or after `due_at` (and not in the past
    /// when planned).
    pub send_at: DateTime<Utc>,
    /// Shown in the notification; copied so the worker never needs the document.
    pub contact_name: String,
    pub cadence_days: Option<u32>,
    /// The user's `settings.digest`: several nudges due together become one notification.
    pub digest: bool,
    /// Shown in the notification besides the name: a follow-up's note (shortened), an
    /// important date's label. Empty for cadence and birthday nudges.
    pub detail: String,
    /// A later cycle follows from time alone (a yearly date, a repeating follow-up), so the
    /// re-planner's sweep plans it once this one is over (see `NudgeStore::to_roll_over`).
    pub recurring: bool,
}

impl PlannedNudge {
    pub fn cycle_key(&self) -> CycleKey {
        CycleKey {
            contact: self.cycle_key_contact(),
            kind: self.kind,
            item: self.item.clone(),
            cycle_anchor: self.cycle_anchor,
        }
    }

    /// The contact as part of the [`CycleKey`]: none for a follow-up.
    pub fn cycle_key_contact(&self) -> Option<ContactId> {
        (self.kind != NudgeKind::FollowUp).then_some(self.contact)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NudgeStatus {
    /// Waiting for `send_at`.
    Pending,
    /// Claimed by a worker until its lease runs out.
    Sending,
    Sent,
    /// Gave up (attempts exhausted, or nothing could deliver it).
    Failed,
}

impl NudgeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NudgeStatus::Pending => "pending",
            NudgeStatus::Sending => "sending",
            NudgeStatus::Sent => "sent",
            NudgeStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(NudgeStatus::Pending),
            "sending" => Some(NudgeStatus::Sending),
            "sent" => Some(NudgeStatus::Sent),
            "failed" => Some(NudgeStatus::Failed),
            _ => None,
        }
    }
}

/// A schedule row as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NudgeRecord {
    pub id: NudgeId,
    pub user: UserId,
    pub plan: PlannedNudge,
    pub status: NudgeStatus,
    /// Claims so far (each claim is one delivery attempt).
    pub attempts: u32,
}

/// A row a worker has claimed: it may send it until the lease ends, and records the
/// outcome with `token`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedNudge {
    pub record: NudgeRecord,
    pub token: ClaimToken,
}

/// What happened to a claimed nudge; recorded in one batch per claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NudgeOutcome {
    Sent { at: DateTime<Utc> },
    /// Back to pending, to be claimed again at `at`.
    RetryAt { at: DateTime<Utc> },
    Failed { at: DateTime<Utc>, reason: String },
}
