//! Calendar feeds on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::codec::{from_ms, map_err, ms, uuid};
use super::SqliteStore;
use crate::ids::UserId;
use crate::store::{CalendarFeedStore, StoreResult};

#[async_trait]
impl CalendarFeedStore for SqliteStore {
    async fn replace_calendar_feed(&self, user: UserId, secret_hash: &[u8; 32], now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (user_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at",
        )
        .bind(user.0.to_string())
        .bind(&secret_hash[..])
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn calendar_feed_owner(&self, secret_hash: &[u8; 32]) -> StoreResult<Option<UserId>> {
        let row = sqlx::query("SELECT user_id FROM calendar_feeds WHERE secret_hash = ?")
            .bind(&secret_hash[..])
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(UserId(uuid(r.try_get("user_id")?)?))).transpose()
    }

    async fn calendar_feed_created_at(&self, user: UserId) -> StoreResult<Option<DateTime<Utc>>> {
        let row = sqlx::query("SELECT created_at FROM calendar_feeds WHERE user_id = ?")
            .bind(user.0.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| from_ms(r.try_get("created_at")?)).transpose()
    }

    async fn delete_calendar_feed(&self, user: UserId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = ?")
            .bind(user.0.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
