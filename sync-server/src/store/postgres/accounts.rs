//! Users on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::documents::doc_id_from;
use super::errors::map;
use super::PostgresStore;
use crate::ids::{DocId, UserId};
use crate::store::{AccountStore, StoreError, StoreResult, UserRecord};

// `concat!` keeps the SQL a `&'static str` (sqlx 0.9 refuses runtime-built SQL).
macro_rules! user_columns {
    () => {
        "id, email, password_hash, doc_id, created_at"
    };
}

fn user_from(row: &PgRow) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        doc_id: doc_id_from(row.try_get("doc_id")?)?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        doc_id: DocId,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId> {
        let pool = &self.pool;
        let id = Uuid::new_v4();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, doc_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(email)
        .bind(password_hash)
        .bind(&doc_id.0[..])
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        sqlx::query("INSERT INTO documents (id, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(&doc_id.0[..])
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let pool = &self.pool;
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        let pool = &self.pool;
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        let pool = &self.pool;
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY created_at, id"
        ))
        .fetch_all(pool)
        .await?;
        rows.iter().map(user_from).collect()
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()> {
        let pool = &self.pool;
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(id.0)
            .bind(hash)
            .execute(pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Sessions, documents and chunks (and, from migration 0002, push subscriptions and
    /// nudges) go with the user through `ON DELETE CASCADE`, in the same statement.
    async fn delete_user(&self, id: UserId) -> StoreResult<()> {
        let pool = &self.pool;
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id.0)
            .execute(pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
