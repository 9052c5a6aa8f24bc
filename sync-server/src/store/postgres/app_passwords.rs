//! App passwords on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::errors::map;
use super::PostgresStore;
use crate::ids::{AppPasswordId, UserId};
use crate::store::app_passwords::USED_GRANULARITY_MS;
use crate::store::{AppPasswordRecord, AppPasswordStore, StoreError, StoreResult};

fn record(row: &PgRow) -> StoreResult<AppPasswordRecord> {
    Ok(AppPasswordRecord {
        id: AppPasswordId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

#[async_trait]
impl AppPasswordStore for PostgresStore {
    async fn create_app_password(
        &self,
        user: UserId,
        name: &str,
        password_hash: &[u8; 32],
        max_per_user: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<AppPasswordId> {
        let id = Uuid::new_v4();
        // The count and the insert in one statement; two concurrent creations for one user
        // are serialised by locking the user's row first.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user.0).execute(&mut *tx).await?;
        let done = sqlx::query(
            "INSERT INTO app_passwords (id, user_id, name, password_hash, created_at, last_used_at) \
             SELECT $1, $2, $3, $4, $5, NULL \
             WHERE (SELECT COUNT(*) FROM app_passwords WHERE user_id = $2) < $6",
        )
        .bind(id)
        .bind(user.0)
        .bind(name)
        .bind(&password_hash[..])
        .bind(now)
        .bind(i64::try_from(max_per_user).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("app_password_limit"));
        }
        tx.commit().await?;
        Ok(AppPasswordId(id))
    }

    async fn list_app_passwords(&self, user: UserId) -> StoreResult<Vec<AppPasswordRecord>> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, created_at, last_used_at FROM app_passwords \
             WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    async fn delete_app_password(&self, user: UserId, id: AppPasswordId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM app_passwords WHERE id = $1 AND user_id = $2")
            .bind(id.0)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn app_password_by_hash(
        &self,
        password_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AppPasswordRecord>> {
        let row = sqlx::query(
            "SELECT id, user_id, name, created_at, last_used_at FROM app_passwords WHERE password_hash = $1",
        )
        .bind(&password_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        let Some(mut found) = row.as_ref().map(record).transpose()? else { return Ok(None) };
        let granularity = Duration::milliseconds(USED_GRANULARITY_MS);
        if found.last_used_at.is_none_or(|at| now - at >= granularity) {
            sqlx::query("UPDATE app_passwords SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(found.id.0)
                .execute(&self.pool)
                .await?;
            found.last_used_at = Some(now);
        }
        Ok(Some(found))
    }
}
