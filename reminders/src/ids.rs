//! Newtype ids used across the reminder boundary.
//!
//! `UserId` is the account id of the whole server: reminders sits below `sync-server` in the
//! crate graph, so the type lives here and the server re-exports it.

use std::fmt;

use uuid::Uuid;

pub use crdt_model::ContactId;

/// An account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub Uuid);

/// One row of the schedule: one nudge for one contact in one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NudgeId(pub Uuid);

/// One registered browser/device push subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub Uuid);

/// Marks which claim a worker holds, so a worker whose lease expired cannot record the
/// outcome of a nudge another worker has claimed since.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimToken(pub Uuid);

impl NudgeId {
    pub fn random() -> Self {
        NudgeId(Uuid::new_v4())
    }
}

impl ClaimToken {
    pub fn random() -> Self {
        ClaimToken(Uuid::new_v4())
    }
}

impl SubscriptionId {
    pub fn random() -> Self {
        SubscriptionId(Uuid::new_v4())
    }
}

macro_rules! display_uuid {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
display_uuid!(UserId, NudgeId, SubscriptionId, ClaimToken);
