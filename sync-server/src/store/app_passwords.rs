//! App passwords: one per phone or calendar app, each revocable on its own. They open only
//! CardDAV and the calendar feed (see `auth::app_password`), never the API or `/sync`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::ids::{AppPasswordId, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppPasswordRecord {
    pub id: AppPasswordId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait AppPasswordStore: Send + Sync + 'static {
    /// Adds an app password (its hash only) unless `user` already has `max_per_user`;
    /// then `Conflict("app_password_limit")` and nothing is written. The count and the
    /// insert are one statement, so two concurrent requests cannot both pass the limit.
    async fn create_app_password(
        &self,
        user: UserId,
        name: &str,
        password_hash: &[u8; 32],
        max_per_user: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<AppPasswordId>;
    /// The user's app passwords, oldest first.
    async fn list_app_passwords(&self, user: UserId) -> StoreResult<Vec<AppPasswordRecord>>;
    /// Revokes one; `NotFound` if it is not `user`'s.
    async fn delete_app_password(&self, user: UserId, id: AppPasswordId) -> StoreResult<()>;
    /// The app password with this hash, marked used at `now` (rewritten at most once a
    /// minute, so a phone's sync does not turn every request into a write).
    async fn app_password_by_hash(
        &self,
        password_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AppPasswordRecord>>;
}

/// `last_used_at` is only rewritten when it is older than this.
pub const USED_GRANULARITY_MS: i64 = 60_000;
