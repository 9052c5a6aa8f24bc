//! WAL checkpoints off the write path. By default SQLite copies the WAL back into the database
//! inside whichever commit pushes it past 1,000 pages; that commit — usually a device's change,
//! which peers wait for — then also waits for the copy and an fsync of the database file. The
//! sync benchmark measured those as 50–120 ms stalls every few seconds, the p99 of edit
//! propagation. So automatic checkpoints are off on every connection ([`PRAGMA`]) and this task
//! checkpoints in the background instead, PASSIVE: it neither waits for nor blocks readers and
//! writers, and copies what it can (a long reader only delays the rest to the next round).

use std::time::Duration;

use sqlx::SqlitePool;

/// The per-connection setting that turns automatic checkpoints off.
pub(super) const PRAGMA: (&str, &str) = ("wal_autocheckpoint", "0");

/// Often enough that the WAL stays small (a busy second writes a few MB at most).
const INTERVAL: Duration = Duration::from_secs(1);

/// Checkpoints `pool`'s database every [`INTERVAL`] until the pool is closed.
pub(super) fn spawn(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!(error = %e, "WAL checkpoint failed; the next one retries");
            }
        }
    });
}
