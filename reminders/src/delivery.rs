//! The delivery log: one row per message handed (or not) to a channel, so "never sent" and
//! "sent but not shown" can be told apart. Kept to the last [`LOG_KEEP`] rows per user and
//! channel.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::channel::ChannelKind;
use crate::ids::UserId;

/// Rows kept per user and channel; older ones are pruned as new ones are written.
pub const LOG_KEEP: u32 = 100;

/// Longest service answer kept in a row.
pub const MAX_DETAIL_CHARS: usize = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// The service accepted it.
    Sent,
    /// The service refused it for good (the detail says what it answered).
    Refused,
    /// It failed for now; tried again later.
    Retried,
    /// Retries ran out.
    GivenUp,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Refused => "refused",
            DeliveryStatus::Retried => "retried",
            DeliveryStatus::GivenUp => "given_up",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sent" => Some(DeliveryStatus::Sent),
            "refused" => Some(DeliveryStatus::Refused),
            "retried" => Some(DeliveryStatus::Retried),
            "given_up" => Some(DeliveryStatus::GivenUp),
            _ => None,
        }
    }
}

/// One log row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryEntry {
    pub user: UserId,
    pub channel: ChannelKind,
    pub at: DateTime<Utc>,
    pub status: DeliveryStatus,
    /// What was sent ("Time to catch up with Ada", "Test notification").
    pub title: String,
    /// The service's answer or the failure ("201", "429, retry after 30 s", "550 no such user").
    pub detail: String,
    /// Nudges the message carried (0 for a test).
    pub nudges: u32,
}

impl DeliveryEntry {
    pub fn new(user: UserId, channel: ChannelKind, at: DateTime<Utc>, status: DeliveryStatus, title: &str, detail: &str, nudges: usize) -> Self {
        DeliveryEntry {
            user,
            channel,
            at,
            status,
            title: title.chars().take(MAX_DETAIL_CHARS).collect(),
            detail: detail.chars().take(MAX_DETAIL_CHARS).collect(),
            nudges: u32::try_from(nudges).unwrap_or(u32::MAX),
        }
    }
}
