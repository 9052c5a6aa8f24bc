//! Sessions: one per signed-in device, found by the hash of its token.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::ids::{SessionId, UserId};

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub device_name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8; 32],
        device_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<SessionId>;
    /// Looks a session up by the SHA-256 of its token and marks it seen at `now`.
    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>>;
    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
    /// Deletes one session of `user`; `NotFound` if it is not theirs.
    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<()>;
    /// Deletes every session of `user` except `keep`; returns the ids removed.
    async fn delete_other_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> StoreResult<Vec<SessionId>>;
}
