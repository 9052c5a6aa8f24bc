//! SQLite, the default store: one file, WAL, foreign keys on, migrations applied at open.
//! Each trait method is one short statement or transaction; the SQL lives in
//! [`accounts`] and [`chunks`].

mod accounts;
pub mod backup;
mod checkpoint;
mod chunks;
mod codec;
mod turns;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{Chunk, SessionRecord, Store, StoreError, StoreResult, UserRecord};
use crate::ids::{DocId, SessionId, UserId};

/// Applied by [`SqliteStore::open`]; other helpers add `0002_*.sql` files next to 0001.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// In-process turns at SQLite's one write lock (see `turns.rs`).
    turns: turns::WriteTurns,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path`, or
    /// `sqlite::memory:`) and applies pending migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            // WAL: readers never wait for the writer, so sync reads don't queue behind saves.
            .journal_mode(SqliteJournalMode::Wal)
            // FULL (not WAL's usual NORMAL): a change is announced to peers only after it is
            // committed, and that promise should survive a power cut, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Writers queue behind each other instead of failing with SQLITE_BUSY.
            .busy_timeout(Duration::from_secs(10));
        let in_memory = options.get_filename().as_os_str().is_empty()
            || url.contains(":memory:")
            || url.contains("mode=memory");
        if !in_memory {
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(e.into()))?;
                }
            }
        }
        let pool = if in_memory {
            // Every connection to `:memory:` is a different database: keep exactly one, forever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?
        } else {
            let options = options.pragma(checkpoint::PRAGMA.0, checkpoint::PRAGMA.1);
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
            checkpoint::spawn(pool.clone());
            pool
        };
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool, turns: Default::default() })
    }

    /// Held across a write on a hot path (a device's change).
    pub(crate) async fn write_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.turns.hot().await
    }

    /// Held across a background write (a re-plan).
    pub(crate) async fn background_write_turn(&self) -> turns::BackgroundTurn<'_> {
        self.turns.background().await
    }

    /// For other store modules (e.g. nudges) that keep their SQL next to this one.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Store for SqliteStore {
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
        let _turn = self.write_turn().await;
        chunks::append_chunk(&self.pool, doc, chunk).await
    }

    async fn compact(&self, doc: DocId, snapshot: &Chunk, replaced: &[[u8; 32]]) -> StoreResult<()> {
        chunks::compact(&self.pool, doc, snapshot, replaced).await
    }

    // SQL in store/nudges_sqlite.rs
    fn nudges(&self) -> Option<&dyn reminders::NudgeStore> {
        Some(self)
    }
}

#[cfg(test)]
mod tests;
