//! Calendar feeds on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::errors::map;
use super::PostgresStore;
use crate::ids::UserId;
use crate::store::{CalendarFeedStore, StoreResult};

#[async_trait]
impl CalendarFeedStore for PostgresStore {
    async fn replace_calendar_feed(&self, user: UserId, secret_hash: &[u8; 32], now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = EXCLUDED.created_at",
        )
        .bind(user.0)
        .bind(&secret_hash[..])
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn calendar_feed_owner(&self, secret_hash: &[u8; 32]) -> StoreResult<Option<UserId>> {
        let row = sqlx::query("SELECT user_id FROM calendar_feeds WHERE secret_hash = $1")
            .bind(&secret_hash[..])
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(UserId(r.try_get("user_id")?))).transpose()
    }

    async fn calendar_feed_created_at(&self, user: UserId) -> StoreResult<Option<DateTime<Utc>>> {
        let row = sqlx::query("SELECT created_at FROM calendar_feeds WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(r.try_get("created_at")?)).transpose()
    }

    async fn delete_calendar_feed(&self, user: UserId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
