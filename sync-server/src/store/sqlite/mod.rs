//! SQLite, the default store: one file, WAL, foreign keys on, migrations applied at open.
//! Each area's trait is implemented directly, with its SQL, in the file named after it:
//! [`accounts`], [`sessions`], [`documents`], [`nudges`], [`push`].

mod accounts;
mod app_passwords;
mod calendar_feeds;
pub mod backup;
mod checkpoint;
mod codec;
mod documents;
mod nudges;
mod channels;
mod push;
mod seen;
mod sessions;
mod turns;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{StoreError, StoreResult};

/// Applied by [`SqliteStore::open`]; other helpers add `0002_*.sql` files next to 0001.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// In-process turns at SQLite's one write lock (see `turns.rs`).
    turns: turns::WriteTurns,
    /// Sessions authenticated since the last `last_seen_at` batch (see `seen.rs`).
    seen: std::sync::Arc<seen::Seen>,
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
        let (turns, seen) = (turns::WriteTurns::default(), std::sync::Arc::new(seen::Seen::default()));
        seen::spawn(seen.clone(), pool.clone(), turns.clone());
        Ok(SqliteStore { pool, turns, seen })
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

#[cfg(test)]
mod tests;
