//! How domain values sit in SQLite columns, and how driver errors become [`StoreError`]s.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use crate::ids::{DocId, SessionId, UserId};
use crate::store::{ChunkKind, SessionRecord, StoreError, StoreResult, UserRecord};

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(format!("timestamp {ms} out of range")))
}

pub fn uuid(text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| corrupt(format!("bad uuid {text:?}: {e}")))
}

pub fn doc_id(bytes: &[u8]) -> StoreResult<DocId> {
    let arr: [u8; 16] = bytes.try_into().map_err(|_| corrupt("document id is not 16 bytes".into()))?;
    Ok(DocId(arr))
}

pub fn hash(bytes: &[u8]) -> StoreResult<[u8; 32]> {
    bytes.try_into().map_err(|_| corrupt("chunk hash is not 32 bytes".into()))
}

pub fn kind_str(kind: ChunkKind) -> &'static str {
    match kind {
        ChunkKind::Incremental => "incremental",
        ChunkKind::Snapshot => "snapshot",
    }
}

pub fn kind(text: &str) -> StoreResult<ChunkKind> {
    match text {
        "incremental" => Ok(ChunkKind::Incremental),
        "snapshot" => Ok(ChunkKind::Snapshot),
        other => Err(corrupt(format!("unknown chunk kind {other:?}"))),
    }
}

pub fn user(row: &SqliteRow) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        id: UserId(uuid(row.try_get("id")?)?),
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        doc_id: doc_id(row.try_get("doc_id")?)?,
        created_at: from_ms(row.try_get("created_at")?)?,
    })
}

pub fn session(row: &SqliteRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id: SessionId(uuid(row.try_get("id")?)?),
        user_id: UserId(uuid(row.try_get("user_id")?)?),
        device_name: row.try_get("device_name")?,
        created_at: from_ms(row.try_get("created_at")?)?,
        last_seen_at: from_ms(row.try_get("last_seen_at")?)?,
    })
}

/// A row that does not decode means the file was edited by hand or is damaged.
fn corrupt(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(message.into()))
}

/// SQLite reports unique violations as "UNIQUE constraint failed: users.email" (no
/// constraint name), so the column list tells which field; the fields match what the
/// PostgreSQL store reports by constraint name.
const UNIQUE: &[(&str, &str)] = &[
    ("users.email", "email"),
    ("users.doc_id", "doc_id"),
    ("users.id", "user_id"),
    ("documents.id", "doc_id"),
    ("sessions.id", "session_id"),
    ("sessions.token_hash", "token_hash"),
    ("calendar_feeds.secret_hash", "secret_hash"),
];

/// Unique violations become `Conflict(<field>)`; a missing parent row (foreign key) becomes
/// `NotFound`. Everything else stays a `Database` error for the 500 path.
pub fn map_err(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            let msg = db.message();
            let field = UNIQUE
                .iter()
                .find(|(columns, _)| msg.ends_with(columns))
                .map_or("unique", |(_, field)| *field);
            return StoreError::Conflict(field);
        }
        if db.is_foreign_key_violation() {
            return StoreError::NotFound;
        }
    }
    StoreError::Database(err)
}
