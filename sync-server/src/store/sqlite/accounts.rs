//! Users on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::codec::{self, map_err, ms};
use super::SqliteStore;
use crate::ids::{DocId, UserId};
use crate::store::{AccountStore, StoreError, StoreResult, UserRecord};

const USER_COLUMNS: &str = "id, email, password_hash, doc_id, created_at";

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        doc_id: DocId,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId> {
        let pool = &self.pool;
        let id = UserId(Uuid::new_v4());
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, doc_id, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id.0.to_string())
        .bind(email)
        .bind(password_hash)
        .bind(&doc_id.0[..])
        .bind(ms(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query("INSERT INTO documents (id, user_id, created_at) VALUES (?, ?, ?)")
            .bind(&doc_id.0[..])
            .bind(id.0.to_string())
            .bind(ms(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await?;
        Ok(id)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let pool = &self.pool;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(pool).await?;
        row.as_ref().map(codec::user).transpose()
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        let pool = &self.pool;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0.to_string())
            .fetch_optional(pool)
            .await?;
        row.as_ref().map(codec::user).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        let pool = &self.pool;
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
        rows.iter().map(codec::user).collect()
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        let pool = &self.pool;
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id.0.to_string())
            .execute(pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Sessions, documents and chunks (and whatever later migrations hang off users) go with
    /// the user through `ON DELETE CASCADE`.
    async fn delete_user(&self, id: UserId) -> StoreResult<()> {
        let pool = &self.pool;
        let done = sqlx::query("DELETE FROM users WHERE id = ?")
            .bind(id.0.to_string())
            .execute(pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
