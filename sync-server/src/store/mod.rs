//! All storage goes through [`Store`]: domain verbs, no SQL outside this module.
//! `SqliteStore` is the default; `PostgresStore` serves several instances. [`open`] picks one
//! from the database URL, once, at start.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::{DocId, SessionId, UserId};
use crate::sync::{ChangeBus, LocalBus};

pub mod nudges;
mod nudges_postgres;
mod nudges_sqlite;
pub mod postgres;
pub mod sqlite;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Opens the store the URL names, applying its migrations: `sqlite://…` (or `sqlite:…`)
/// or `postgres://…`. The URL is never echoed back in errors (it may hold a password).
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::open(url).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PostgresStore::connect(url).await?)),
        _ => Err(StoreError::UnsupportedUrl(format!(
            "unknown database URL scheme {scheme:?}: expected sqlite:// or postgres://"
        ))),
    }
}

/// The store and the change bus that goes with it: `LISTEN/NOTIFY` on PostgreSQL (several
/// instances may share the database), nothing on SQLite (one instance owns the file).
pub async fn open_with_bus(url: &str) -> StoreResult<(Arc<dyn Store>, Arc<dyn ChangeBus>)> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    match scheme {
        "postgres" | "postgresql" => {
            let store = PostgresStore::connect(url).await?;
            let bus = postgres::bus::PgChangeBus::start(store.pool().clone()).await?;
            Ok((Arc::new(store), Arc::new(bus)))
        }
        _ => Ok((open(url).await?, Arc::new(LocalBus))),
    }
}

/// What went wrong in storage. `Conflict` names the unique constraint so callers can turn it
/// into a 409 without matching on driver text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database URL names no store this server has.
    #[error("{0}")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    /// PHC string (argon2id). Never logged.
    pub password_hash: String,
    pub doc_id: DocId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub device_name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Incremental changes or a compacted snapshot; both are plain Automerge bytes that
/// `Automerge::load_incremental` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkKind {
    Incremental,
    Snapshot,
}

/// A content-addressed piece of a document: `hash` is the SHA-256 of `bytes`, so two
/// instances writing the same chunk is harmless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub kind: ChunkKind,
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // --- accounts -------------------------------------------------------------------
    /// Creates the user and their (empty) document row in one transaction.
    /// `Conflict("email")` if the email is taken.
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        doc_id: DocId,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn list_users(&self) -> StoreResult<Vec<UserRecord>>;
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()>;
    /// Removes the user and everything of theirs: sessions, documents, chunks, push
    /// subscriptions, nudges.
    async fn delete_user(&self, id: UserId) -> StoreResult<()>;

    // --- sessions (one per signed-in device) ------------------------------------------
    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8; 32],
        device_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<SessionId>;
    /// Looks a session up by the SHA-256 of its token and marks it seen at `now`.
    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>>;
    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>>;
    /// Deletes one session of `user`; `NotFound` if it is not theirs.
    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<()>;
    /// Deletes every session of `user` except `keep`; returns the ids removed.
    async fn delete_other_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> StoreResult<Vec<SessionId>>;

    // --- documents ----------------------------------------------------------------------
    /// Who owns `doc`, if anyone. Never loads chunks.
    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>>;
    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>>;
    /// Durable when this returns. Appending a chunk whose hash is already stored is a no-op.
    async fn append_chunk(&self, doc: DocId, chunk: &Chunk) -> StoreResult<()>;
    /// Stores `snapshot` and deletes exactly the chunks in `replaced` (those the snapshot
    /// includes), in one transaction holding the document's row lock, so a concurrent
    /// writer's newer chunk survives.
    async fn compact(&self, doc: DocId, snapshot: &Chunk, replaced: &[[u8; 32]]) -> StoreResult<()>;

    // --- reminders ----------------------------------------------------------------------
    /// The nudge schedule and push subscriptions (`reminders::NudgeStore`, SQL in
    /// `store/nudges_*.rs`). Real stores return `Some(self)`; test doubles that only hold
    /// documents keep the default, and reminders are then off.
    fn nudges(&self) -> Option<&dyn reminders::NudgeStore> {
        None
    }
}
