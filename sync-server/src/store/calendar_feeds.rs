//! Calendar feeds: at most one secret feed URL per user, found by the SHA-256 of its secret.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::ids::UserId;

#[async_trait]
pub trait CalendarFeedStore: Send + Sync + 'static {
    /// Turns `user`'s feed on with a new secret, replacing (and so revoking) any earlier one.
    async fn replace_calendar_feed(&self, user: UserId, secret_hash: &[u8; 32], now: DateTime<Utc>) -> StoreResult<()>;
    /// Whose feed the secret with this SHA-256 opens, if any.
    async fn calendar_feed_owner(&self, secret_hash: &[u8; 32]) -> StoreResult<Option<UserId>>;
    /// When `user`'s current feed was made; `None` when it is off.
    async fn calendar_feed_created_at(&self, user: UserId) -> StoreResult<Option<DateTime<Utc>>>;
    /// Turns `user`'s feed off; `false` if it was already off.
    async fn delete_calendar_feed(&self, user: UserId) -> StoreResult<bool>;
}
