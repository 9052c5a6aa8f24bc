//! Users and sessions on SQLite.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;
use sqlx::Row;
use uuid::Uuid;

use super::codec::{self, map_err, ms};
use crate::ids::{DocId, SessionId, UserId};
use crate::store::{SessionRecord, StoreError, StoreResult, UserRecord};

/// `last_seen_at` is only rewritten when it is older than this, so authenticating every
/// request does not turn every read into a write (SQLite has a single writer).
const SEEN_GRANULARITY_MS: i64 = 60_000;

const USER_COLUMNS: &str = "id, email, password_hash, doc_id, created_at";

pub async fn create_user(
    pool: &SqlitePool,
    email: &str,
    password_hash: &str,
    doc_id: DocId,
    now: DateTime<Utc>,
) -> StoreResult<UserId> {
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

pub async fn user_by_email(pool: &SqlitePool, email: &str) -> StoreResult<Option<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(pool).await?;
    row.as_ref().map(codec::user).transpose()
}

pub async fn user_by_id(pool: &SqlitePool, id: UserId) -> StoreResult<Option<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(codec::user).transpose()
}

pub async fn list_users(pool: &SqlitePool) -> StoreResult<Vec<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(codec::user).collect()
}

pub async fn set_password_hash(pool: &SqlitePool, id: UserId, password_hash: &str) -> StoreResult<()> {
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
pub async fn delete_user(pool: &SqlitePool, id: UserId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM users WHERE id = ?")
        .bind(id.0.to_string())
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn create_session(
    pool: &SqlitePool,
    user: UserId,
    token_hash: &[u8; 32],
    device_name: &str,
    now: DateTime<Utc>,
) -> StoreResult<SessionId> {
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

pub async fn session_by_token_hash(
    pool: &SqlitePool,
    token_hash: &[u8; 32],
    now: DateTime<Utc>,
) -> StoreResult<Option<SessionRecord>> {
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
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id = ?")
            .bind(ms(now))
            .bind(session.id.0.to_string())
            .execute(pool)
            .await?;
        session.last_seen_at = now;
    }
    Ok(Some(session))
}

pub async fn list_sessions(pool: &SqlitePool, user: UserId) -> StoreResult<Vec<SessionRecord>> {
    let rows = sqlx::query(
        "SELECT id, user_id, device_name, created_at, last_seen_at FROM sessions \
         WHERE user_id = ? ORDER BY created_at, id",
    )
    .bind(user.0.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(codec::session).collect()
}

pub async fn delete_session(pool: &SqlitePool, user: UserId, id: SessionId) -> StoreResult<()> {
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

pub async fn delete_other_sessions(
    pool: &SqlitePool,
    user: UserId,
    keep: Option<SessionId>,
) -> StoreResult<Vec<SessionId>> {
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
