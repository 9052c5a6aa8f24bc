//! Sessions (one per signed-in device) on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::codec::{self, map_err, ms};
use super::SqliteStore;
use crate::ids::{SessionId, UserId};
use crate::store::{SessionRecord, SessionStore, StoreError, StoreResult};

/// `last_seen_at` is only rewritten when it is older than this, so authenticating every
/// request does not turn every read into a write (SQLite has a single writer).
const SEEN_GRANULARITY_MS: i64 = 60_000;

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8; 32],
        device_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<SessionId> {
        let pool = &self.pool;
        let id = SessionId(Uuid::new_v4());
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, device_name, created_at, last_seen_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.0.to_string())
        .bind(user.0.to_string())
        .bind(&token_hash[..])
        .bind(device_name)
        .bind(ms(now))
        .bind(ms(now))
        .execute(pool)
        .await
        .map_err(map_err)?;
        Ok(id)
    }

    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>> {
        let pool = &self.pool;
        let row = sqlx::query(
            "SELECT id, user_id, device_name, created_at, last_seen_at FROM sessions \
             WHERE token_hash = ?",
        )
        .bind(&token_hash[..])
        .fetch_optional(pool)
        .await?;
        let Some(mut session) = row.as_ref().map(codec::session).transpose()? else {
            return Ok(None);
        };
        if ms(now) - ms(session.last_seen_at) >= SEEN_GRANULARITY_MS {
            // Written with others in one batch (see `seen.rs`): no write on the auth path.
            self.seen.note(session.id, ms(now));
            session.last_seen_at = now;
        }
        Ok(Some(session))
    }

    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        let pool = &self.pool;
        let rows = sqlx::query(
            "SELECT id, user_id, device_name, created_at, last_seen_at FROM sessions \
             WHERE user_id = ? ORDER BY created_at, id",
        )
        .bind(user.0.to_string())
        .fetch_all(pool)
        .await?;
        let mut sessions = rows.iter().map(codec::session).collect::<StoreResult<Vec<_>>>()?;
        // Sightings not yet written in a batch still count.
        for session in &mut sessions {
            if let Some(at) = self.seen.pending(session.id).and_then(DateTime::from_timestamp_millis) {
                session.last_seen_at = session.last_seen_at.max(at);
            }
        }
        Ok(sessions)
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<()> {
        let pool = &self.pool;
        let done = sqlx::query("DELETE FROM sessions WHERE id = ? AND user_id = ?")
            .bind(id.0.to_string())
            .bind(user.0.to_string())
            .execute(pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn delete_other_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> StoreResult<Vec<SessionId>> {
        let pool = &self.pool;
        // A uuid string never equals '', so `None` keeps nothing.
        let keep = keep.map(|k| k.0.to_string()).unwrap_or_default();
        let rows = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id <> ? RETURNING id")
            .bind(user.0.to_string())
            .bind(keep)
            .fetch_all(pool)
            .await?;
        rows.iter()
            .map(|row| Ok(SessionId(codec::uuid(row.try_get("id")?)?)))
            .collect()
    }
}
