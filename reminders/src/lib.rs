//! Reminders: turn each user's document into a schedule of nudges, claim due nudges safely
//! across workers and instances, and deliver them by Web Push (VAPID, aes128gcm), email
//! (SMTP) and ntfy, with a delivery log.

pub mod action_link;
pub mod channel;
pub mod channel_compose;
pub mod channel_send;
pub mod channel_store;
pub mod clock;
pub mod delivery;
pub mod email;
pub mod ntfy;
pub mod sender;
pub mod ids;
pub mod nudge;
pub mod overview;
pub mod payload;
pub mod plan;
pub mod plan_memory;
pub mod public_addr;
pub mod push;
pub mod push_resolver;
pub mod retry;
pub mod store;
pub mod subscription;
pub mod vapid;
pub mod worker;

pub use channel::{ChannelKind, ChannelSettings, EmailMode, EmailSettings, NtfySettings, UserChannel};
pub use channel_store::ChannelStore;
pub use delivery::{DeliveryEntry, DeliveryStatus};
pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::{ClaimToken, ContactId, NudgeId, SubscriptionId, UserId};
pub use nudge::{ClaimedNudge, CycleKey, NudgeItem, NudgeKind, NudgeOutcome, NudgeRecord, NudgeStatus, PlannedNudge};
pub use store::{plan_fingerprint, DeviceSession, NudgeResult, NudgeStore, NudgeStoreError, PlanChanges, PushStore, ReminderStore};
pub use subscription::{EndpointPolicy, PushKeys, PushSubscription, StoredSubscription};
