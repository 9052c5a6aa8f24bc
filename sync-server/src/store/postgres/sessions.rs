//! Sessions (one per signed-in device) on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::errors::map;
use super::PostgresStore;
use crate::ids::{SessionId, UserId};
use crate::store::{SessionRecord, SessionStore, StoreError, StoreResult};

// `concat!` keeps the SQL a `&'static str` (sqlx 0.9 refuses runtime-built SQL).
macro_rules! session_columns {
    () => {
        "id, user_id, device_name, created_at, last_seen_at"
    };
}

fn session_from(row: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id: SessionId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        device_name: row.try_get("device_name")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8; 32],
        device_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<SessionId> {
        let pool = &self.pool;
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, device_name, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(user.0)
        .bind(&token_hash[..])
        .bind(device_name)
        .bind(now)
        .execute(pool)
        .await
        .map_err(map)?;
        Ok(SessionId(id))
    }

    /// One statement: the lookup and the "seen at" update cannot interleave with a logout.
    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>> {
        let pool = &self.pool;
        let row = sqlx::query(concat!(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 RETURNING ",
            session_columns!()
        ))
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(pool)
        .await?;
        row.as_ref().map(session_from).transpose()
    }

    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        let pool = &self.pool;
        let rows = sqlx::query(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(user.0)
        .fetch_all(pool)
        .await?;
        rows.iter().map(session_from).collect()
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<()> {
        let pool = &self.pool;
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
            .bind(user.0)
            .bind(id.0)
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
        let rows = sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2) RETURNING id",
        )
        .bind(user.0)
        .bind(keep.map(|k| k.0))
        .fetch_all(pool)
        .await?;
        let mut ids = rows
            .iter()
            .map(|row| row.try_get("id").map(SessionId))
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        Ok(ids)
    }
}
