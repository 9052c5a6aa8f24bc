//! `last_seen_at` without a write per authentication. After a restart every session is older
//! than the granularity, so a reconnect storm of 2,000 devices would be 2,000 single-row
//! writes, each a commit with an fsync, queued at SQLite's one write lock while the devices'
//! handshake timers run. Instead authentication only notes the session here, and this task
//! writes every noted session in one transaction per [`INTERVAL`], taking a background write
//! turn so a device's change never waits behind it for more than one batch.
//!
//! Losing a batch (a crash) loses only "last seen" precision, which is a minute anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::SqlitePool;

use super::turns::WriteTurns;
use crate::ids::SessionId;

const INTERVAL: Duration = Duration::from_secs(1);

/// Sessions seen since the last flush, with when (ms since the epoch).
#[derive(Debug, Default)]
pub(super) struct Seen {
    pending: Mutex<HashMap<SessionId, i64>>,
}

impl Seen {
    pub(super) fn note(&self, session: SessionId, at_ms: i64) {
        if let Ok(mut p) = self.pending.lock() {
            let at = p.entry(session).or_insert(at_ms);
            *at = (*at).max(at_ms);
        }
    }

    /// When `session` was noted, if that is not written yet.
    pub(super) fn pending(&self, session: SessionId) -> Option<i64> {
        self.pending.lock().ok()?.get(&session).copied()
    }

    fn take(&self) -> HashMap<SessionId, i64> {
        self.pending.lock().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default()
    }

    /// Writes everything noted so far.
    pub(super) async fn flush(&self, pool: &SqlitePool, turns: &WriteTurns) -> sqlx::Result<()> {
        let batch = self.take();
        if batch.is_empty() {
            return Ok(());
        }
        let _turn = turns.background().await;
        let mut tx = pool.begin().await?;
        for (session, at) in batch {
            // MAX: a batch never moves a session's time backwards.
            sqlx::query("UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?")
                .bind(at)
                .bind(session.0.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
}

/// Flushes `seen` every [`INTERVAL`] until the pool is closed.
pub(super) fn spawn(seen: Arc<Seen>, pool: SqlitePool, turns: WriteTurns) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            if let Err(e) = seen.flush(&pool, &turns).await {
                tracing::warn!(error = %e, "could not record when devices were last seen (their next requests note them again)");
            }
        }
    });
}
