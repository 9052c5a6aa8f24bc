//! [`PostgresStore`]: the `Store` for several `kith` instances sharing one PostgreSQL database.
//! Runtime-checked queries (`sqlx::query().bind()`), so building never needs a live database.
//! Split by concern: accounts (users + sessions), chunks (documents), errors, schemas.

mod accounts;
pub mod bus;
mod chunks;
mod errors;
pub mod schema;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{Chunk, SessionRecord, Store, StoreResult, UserRecord};
use crate::ids::{DocId, SessionId, UserId};

/// Migrations embedded at build time; applied on every start (idempotent, and serialised
/// across instances by sqlx's advisory lock).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How many connections one instance keeps at most. Enough for the HTTP handlers, the hub's
/// persistence and the reminder worker on a small machine, without exhausting the server's
/// `max_connections` when a few instances share it.
const DEFAULT_MAX_CONNECTIONS: u32 = 16;

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`, optionally
    /// `?options=-c%20search_path%3D<schema>` to live in one schema) and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        Self::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(DEFAULT_MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// The pool, for the LISTEN/NOTIFY change bus (which needs its own dedicated connection
    /// built from the same options) and for the reminders' claim queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        doc_id: DocId,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId> {
        accounts::create_user(&self.pool, email, password_hash, doc_id, now).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        accounts::user_by_email(&self.pool, email).await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        accounts::user_by_id(&self.pool, id).await
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        accounts::list_users(&self.pool).await
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        accounts::set_password_hash(&self.pool, id, password_hash).await
    }

    async fn delete_user(&self, id: UserId) -> StoreResult<()> {
        accounts::delete_user(&self.pool, id).await
    }

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8; 32],
        device_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<SessionId> {
        accounts::create_session(&self.pool, user, token_hash, device_name, now).await
    }

    async fn session_by_token_hash(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRecord>> {
        accounts::session_by_token_hash(&self.pool, token_hash, now).await
    }

    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<SessionRecord>> {
        accounts::list_sessions(&self.pool, user).await
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<()> {
        accounts::delete_session(&self.pool, user, id).await
    }

    async fn delete_other_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> StoreResult<Vec<SessionId>> {
        accounts::delete_other_sessions(&self.pool, user, keep).await
    }

    async fn doc_owner(&self, doc: DocId) -> StoreResult<Option<UserId>> {
        chunks::doc_owner(&self.pool, doc).await
    }

    async fn load_chunks(&self, doc: DocId) -> StoreResult<Vec<Chunk>> {
        chunks::load_chunks(&self.pool, doc).await
    }

    async fn append_chunk(&self, doc: DocId, chunk: &Chunk) -> StoreResult<()> {
        chunks::append_chunk(&self.pool, doc, chunk).await
    }

    async fn compact(
        &self,
        doc: DocId,
        snapshot: &Chunk,
        replaced: &[[u8; 32]],
    ) -> StoreResult<()> {
        chunks::compact(&self.pool, doc, snapshot, replaced).await
    }

    // SQL in store/nudges_postgres.rs
    fn nudges(&self) -> Option<&dyn reminders::NudgeStore> {
        Some(self)
    }
}
