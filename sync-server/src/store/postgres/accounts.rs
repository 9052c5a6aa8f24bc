//! Users and sessions on PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::Row;
use uuid::Uuid;

use super::chunks::doc_id_from;
use super::errors::map;
use crate::ids::{DocId, SessionId, UserId};
use crate::store::{SessionRecord, StoreError, StoreResult, UserRecord};

// `concat!` keeps the SQL a `&'static str` (sqlx 0.9 refuses runtime-built SQL).
macro_rules! user_columns {
    () => {
        "id, email, password_hash, doc_id, created_at"
    };
}
macro_rules! session_columns {
    () => {
        "id, user_id, device_name, created_at, last_seen_at"
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

fn session_from(row: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id: SessionId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        device_name: row.try_get("device_name")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

pub(super) async fn create_user(
    pool: &PgPool,
    email: &str,
    password_hash: &str,
    doc_id: DocId,
    now: DateTime<Utc>,
) -> StoreResult<UserId> {
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

pub(super) async fn user_by_email(pool: &PgPool, email: &str) -> StoreResult<Option<UserRecord>> {
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

pub(super) async fn user_by_id(pool: &PgPool, id: UserId) -> StoreResult<Option<UserRecord>> {
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

pub(super) async fn list_users(pool: &PgPool) -> StoreResult<Vec<UserRecord>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users ORDER BY created_at, id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(user_from).collect()
}

pub(super) async fn set_password_hash(pool: &PgPool, id: UserId, hash: &str) -> StoreResult<()> {
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
pub(super) async fn delete_user(pool: &PgPool, id: UserId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id.0)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) async fn create_session(
    pool: &PgPool,
    user: UserId,
    token_hash: &[u8; 32],
    device_name: &str,
    now: DateTime<Utc>,
) -> StoreResult<SessionId> {
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
pub(super) async fn session_by_token_hash(
    pool: &PgPool,
    token_hash: &[u8; 32],
    now: DateTime<Utc>,
) -> StoreResult<Option<SessionRecord>> {
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

pub(super) async fn list_sessions(pool: &PgPool, user: UserId) -> StoreResult<Vec<SessionRecord>> {
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

pub(super) async fn delete_session(pool: &PgPool, user: UserId, id: SessionId) -> StoreResult<()> {
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

pub(super) async fn delete_other_sessions(
    pool: &PgPool,
    user: UserId,
    keep: Option<SessionId>,
) -> StoreResult<Vec<SessionId>> {
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
