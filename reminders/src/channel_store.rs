//! [`ChannelStore`]: the users' email and ntfy channels, which channels have already carried
//! which nudge (so a retry never sends twice on a channel that worked), the delivery log,
//! and the server's link-signing key. SQL lives in the server's stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::channel::{ChannelKind, ChannelSettings, UserChannel};
use crate::delivery::DeliveryEntry;
use crate::ids::{NudgeId, UserId};
use crate::store::{DeviceSession, NudgeResult};
use crate::subscription::StoredSubscription;

#[async_trait]
pub trait ChannelStore: Send + Sync + 'static {
    /// Every channel of `user`, enabled or not.
    async fn list_channels(&self, user: UserId) -> NudgeResult<Vec<UserChannel>>;

    /// The enabled channels of several users (a worker's batch).
    async fn enabled_channels_of(&self, users: &[UserId]) -> NudgeResult<Vec<UserChannel>>;

    /// Creates or replaces `user`'s channel of this kind; clears any `disabled_reason`.
    async fn put_channel(&self, user: UserId, settings: &ChannelSettings, enabled: bool, now: DateTime<Utc>) -> NudgeResult<()>;

    /// Turns a channel off and says why; false if the user has no such channel.
    async fn disable_channel(&self, user: UserId, kind: ChannelKind, reason: &str, now: DateTime<Utc>) -> NudgeResult<bool>;

    /// Removes a channel; false if there was none.
    async fn delete_channel(&self, user: UserId, kind: ChannelKind) -> NudgeResult<bool>;

    /// Which of `nudges` each channel has already finished with (sent, or refused for good).
    async fn channel_sends(&self, nudges: &[NudgeId]) -> NudgeResult<Vec<(NudgeId, ChannelKind)>>;

    /// Records that `channel` is finished with each nudge. Idempotent (unique per pair).
    async fn mark_channel_sends(&self, done: &[(NudgeId, ChannelKind)], at: DateTime<Utc>) -> NudgeResult<()>;

    /// Appends to the delivery log, then prunes each touched (user, channel) to its last
    /// [`crate::delivery::LOG_KEEP`] rows.
    async fn log_deliveries(&self, entries: &[DeliveryEntry]) -> NudgeResult<()>;

    /// The newest `per_channel` rows of each of `user`'s channels, newest first.
    async fn deliveries(&self, user: UserId, per_channel: u32) -> NudgeResult<Vec<DeliveryEntry>>;

    /// The accounts' email addresses (where the email channel sends).
    async fn account_emails(&self, users: &[UserId]) -> NudgeResult<Vec<(UserId, String)>>;

    /// The first account's address: the default VAPID contact when none is configured.
    async fn first_account_email(&self) -> NudgeResult<Option<String>>;

    /// The push subscriptions registered by one signed-in device (for "Send a test").
    async fn device_push_subscriptions(&self, user: UserId, device: DeviceSession) -> NudgeResult<Vec<StoredSubscription>>;

    /// The server secret called `name`: stored as `fresh` if there is none yet, else the
    /// stored one (every instance sharing the database gets the same).
    async fn server_secret(&self, name: &str, fresh: &[u8]) -> NudgeResult<Vec<u8>>;
}
