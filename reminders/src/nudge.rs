//! The schedule's vocabulary: what the planner wants, and what the store holds.

use chrono::{DateTime, Utc};

use crate::ids::{ClaimToken, ContactId, NudgeId, UserId};

/// Why we nudge: a relationship past its cadence, or a birthday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NudgeKind {
    Stale,
    Birthday,
}

impl NudgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::Stale => "stale",
            NudgeKind::Birthday => "birthday",
        }
    }

    /// `None` for anything else a database row might hold.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stale" => Some(NudgeKind::Stale),
            "birthday" => Some(NudgeKind::Birthday),
            _ => None,
        }
    }
}

/// One nudge the planner wants to exist. `(contact, kind, cycle_anchor)` identifies it:
/// planning the same document twice yields the same keys, and a new cycle (a new
/// interaction, a snooze, next year's birthday) yields a new key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedNudge {
    pub contact: ContactId,
    pub kind: NudgeKind,
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
