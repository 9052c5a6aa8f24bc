//! App passwords on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::codec::{from_ms, map_err, ms, uuid};
use super::SqliteStore;
use crate::ids::{AppPasswordId, UserId};
use crate::store::app_passwords::USED_GRANULARITY_MS;
use crate::store::{AppPasswordRecord, AppPasswordStore, StoreError, StoreResult};

fn record(row: &SqliteRow) -> StoreResult<AppPasswordRecord> {
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    Ok(AppPasswordRecord {
        id: AppPasswordId(uuid(row.try_get("id")?)?),
        user_id: UserId(uuid(row.try_get("user_id")?)?),
        name: row.try_get("name")?,
        created_at: from_ms(row.try_get("created_at")?)?,
        last_used_at: last_used.map(from_ms).transpose()?,
    })
}

#[async_trait]
impl AppPasswordStore for SqliteStore {
    async fn create_app_password(
        &self,
        user: UserId,
        name: &str,
        password_hash: &[u8; 32],
        max_per_user: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<AppPasswordId> {
        let id = AppPasswordId(Uuid::new_v4());
        let done = sqlx::query(
            "INSERT INTO app_passwords (id, user_id, name, password_hash, created_at, last_used_at) \
             SELECT ?, ?, ?, ?, ?, NULL \
             WHERE (SELECT COUNT(*) FROM app_passwords WHERE user_id = ?) < ?",
        )
        .bind(id.0.to_string())
        .bind(user.0.to_string())
        .bind(name)
        .bind(&password_hash[..])
        .bind(ms(now))
        .bind(user.0.to_string())
        .bind(i64::try_from(max_per_user).unwrap_or(i64::MAX))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("app_password_limit"));
        }
        Ok(id)
    }

    async fn list_app_passwords(&self, user: UserId) -> StoreResult<Vec<AppPasswordRecord>> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, created_at, last_used_at FROM app_passwords \
             WHERE user_id = ? ORDER BY created_at, id",
        )
        .bind(user.0.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    async fn delete_app_password(&self, user: UserId, id: AppPasswordId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM app_passwords WHERE id = ? AND user_id = ?")
            .bind(id.0.to_string())
            .bind(user.0.to_string())
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
            "SELECT id, user_id, name, created_at, last_used_at FROM app_passwords WHERE password_hash = ?",
        )
        .bind(&password_hash[..])
        .fetch_optional(&self.pool)
        .await?;
        let Some(mut found) = row.as_ref().map(record).transpose()? else { return Ok(None) };
        let stale = found.last_used_at.is_none_or(|at| ms(now) - ms(at) >= USED_GRANULARITY_MS);
        if stale {
            sqlx::query("UPDATE app_passwords SET last_used_at = ? WHERE id = ?")
                .bind(ms(now))
                .bind(found.id.0.to_string())
                .execute(&self.pool)
                .await?;
            found.last_used_at = Some(now);
        }
        Ok(Some(found))
    }
}
