//! [`reminders::NudgeStore`] on SQLite: the nudge schedule.
//!
//! Claiming is one `UPDATE … RETURNING` statement: SQLite takes the write lock when the
//! statement starts, so two workers (tasks or processes) on one file never claim the same
//! row. Plan replacement runs in a `BEGIN IMMEDIATE` transaction for the same reason.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use reminders::store::diff_plan;
use reminders::{
    ClaimToken, ClaimedNudge, ContactId, NudgeId, NudgeItem, NudgeKind, NudgeOutcome, NudgeRecord, NudgeResult,
    NudgeStatus, NudgeStore, NudgeStoreError, PlanChanges, PlannedNudge, UserId,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};
use uuid::Uuid;

use super::SqliteStore;

/// Counted per status so each count walks its partial index: the sent history, which only
/// grows, is never read (one `status IN (...)` would scan the whole table).
const PENDING_COUNT: &str = "SELECT (SELECT COUNT(*) FROM nudges WHERE status = 'pending') \
     + (SELECT COUNT(*) FROM nudges WHERE status = 'sending')";

/// See [`NudgeStore::to_roll_over`]; walks the kind's `nudges_*_due_idx`, and the cycle key's
/// index for the later-cycle check.
const ROLL_OVER: &str = "SELECT DISTINCT n.user_id FROM nudges n \
     WHERE n.kind = ? AND n.due_at > ? AND n.due_at <= ? AND n.recurring <> 0 \
       AND NOT EXISTS (SELECT 1 FROM nudges m WHERE m.user_id = n.user_id AND m.contact_id = n.contact_id \
                       AND m.kind = n.kind AND m.item_id = n.item_id AND m.cycle_anchor > n.cycle_anchor) \
     LIMIT ?";

/// Ids per `… IN (…)` list (marking nudges sent, looking up subscriptions); far below
/// SQLite's variable limit.
pub(super) const SENT_CHUNK: usize = 256;

const NUDGE_COLUMNS: &str = "id, user_id, contact_id, kind, cycle_anchor, due_at, send_at, status, attempts, \
                             contact_name, cadence_days, digest, item_id, detail, recurring";

pub(super) fn backend(e: sqlx::Error) -> NudgeStoreError {
    NudgeStoreError::Backend(Box::new(e))
}

pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn from_ms(v: i64) -> NudgeResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| NudgeStoreError::Corrupt(format!("timestamp {v}")))
}

pub(super) fn uuid_col(row: &SqliteRow, col: &str) -> NudgeResult<Uuid> {
    let text: String = row.try_get(col).map_err(backend)?;
    Uuid::parse_str(&text).map_err(|_| NudgeStoreError::Corrupt(format!("{col} {text:?}")))
}

fn nudge(row: &SqliteRow) -> NudgeResult<NudgeRecord> {
    let kind: String = row.try_get("kind").map_err(backend)?;
    let status: String = row.try_get("status").map_err(backend)?;
    let cadence: Option<i64> = row.try_get("cadence_days").map_err(backend)?;
    let attempts: i64 = row.try_get("attempts").map_err(backend)?;
    Ok(NudgeRecord {
        id: NudgeId(uuid_col(row, "id")?),
        user: UserId(uuid_col(row, "user_id")?),
        plan: PlannedNudge {
            contact: ContactId(uuid_col(row, "contact_id")?),
            kind: NudgeKind::parse(&kind).ok_or_else(|| NudgeStoreError::Corrupt(format!("kind {kind:?}")))?,
            cycle_anchor: from_ms(row.try_get("cycle_anchor").map_err(backend)?)?,
            due_at: from_ms(row.try_get("due_at").map_err(backend)?)?,
            send_at: from_ms(row.try_get("send_at").map_err(backend)?)?,
            contact_name: row.try_get("contact_name").map_err(backend)?,
            cadence_days: cadence.and_then(|d| u32::try_from(d).ok()),
            digest: row.try_get::<i64, _>("digest").map_err(backend)? != 0,
            item: NudgeItem(row.try_get("item_id").map_err(backend)?),
            detail: row.try_get("detail").map_err(backend)?,
            recurring: row.try_get::<i64, _>("recurring").map_err(backend)? != 0,
        },
        status: NudgeStatus::parse(&status).ok_or_else(|| NudgeStoreError::Corrupt(format!("status {status:?}")))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

async fn user_rows(conn: &mut sqlx::SqliteConnection, user: UserId) -> NudgeResult<Vec<NudgeRecord>> {
    let sql = format!("SELECT {NUDGE_COLUMNS} FROM nudges WHERE user_id = ? ORDER BY send_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.0.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    rows.iter().map(nudge).collect()
}

/// Rows per multi-row `INSERT` (13 values each: far below SQLite's variable limit).
const INSERT_CHUNK: usize = 200;

/// Inserts in multi-row statements: a user's first plan (or an import) is dozens of rows, and
/// one statement per row made that transaction — which holds the write lock — ten times longer.
async fn insert_all(tx: &mut Transaction<'_, Sqlite>, user: UserId, plans: &[PlannedNudge]) -> NudgeResult<()> {
    for chunk in plans.chunks(INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(
            "INSERT INTO nudges (id, user_id, contact_id, kind, cycle_anchor, due_at, send_at, status, attempts, \
             contact_name, cadence_days, digest, item_id, detail, recurring) ",
        );
        q.push_values(chunk, |mut row, p| {
            row.push_bind(NudgeId::random().0.to_string())
                .push_bind(user.0.to_string())
                .push_bind(p.contact.0.to_string())
                .push_bind(p.kind.as_str())
                .push_bind(ms(p.cycle_anchor))
                .push_bind(ms(p.due_at))
                .push_bind(ms(p.send_at))
                .push("'pending'")
                .push("0")
                .push_bind(p.contact_name.clone())
                .push_bind(p.cadence_days.map(i64::from))
                .push_bind(i64::from(p.digest))
                .push_bind(p.item.0.clone())
                .push_bind(p.detail.clone())
                .push_bind(i64::from(p.recurring));
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await.map_err(backend)?;
    }
    Ok(())
}

async fn update(tx: &mut Transaction<'_, Sqlite>, id: NudgeId, p: &PlannedNudge) -> NudgeResult<()> {
    sqlx::query(
        "UPDATE nudges SET due_at = ?, send_at = ?, contact_name = ?, cadence_days = ?, digest = ?, \
         contact_id = ?, detail = ?, recurring = ? WHERE id = ? AND status = 'pending'",
    )
    .bind(ms(p.due_at))
    .bind(ms(p.send_at))
    .bind(&p.contact_name)
    .bind(p.cadence_days.map(i64::from))
    .bind(i64::from(p.digest))
    .bind(p.contact.0.to_string())
    .bind(&p.detail)
    .bind(i64::from(p.recurring))
    .bind(id.0.to_string())
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

#[async_trait]
impl NudgeStore for SqliteStore {
    async fn replace_plan(&self, user: UserId, desired: &[PlannedNudge]) -> NudgeResult<PlanChanges> {
        let pool = self.pool();
        // Most re-plans change nothing (an edit to a note, a new phone number). Look first
        // without the write lock: an empty diff then costs no write transaction, no fsync, and no
        // wait for the sync path's writes, which otherwise queue behind it in SQLite's busy
        // handler (that stall was the p99 of edit propagation).
        let mut conn = pool.acquire().await.map_err(backend)?;
        let first = diff_plan(&user_rows(&mut conn, user).await?, desired);
        drop(conn);
        if first.writes_nothing() {
            return Ok(first.changes());
        }
        let _turn = self.background_write_turn().await;
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
        // Again under the lock: a worker may have claimed or sent a row meanwhile.
        let existing = user_rows(&mut tx, user).await?;
        let diff = diff_plan(&existing, desired);
        insert_all(&mut tx, user, &diff.insert).await?;
        for (id, p) in &diff.update {
            update(&mut tx, *id, p).await?;
        }
        for id in &diff.delete {
            sqlx::query("DELETE FROM nudges WHERE id = ? AND status <> 'sending'")
                .bind(id.0.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(diff.changes())
    }

    async fn claim_due(&self, now: DateTime<Utc>, lease: Duration, limit: u32) -> NudgeResult<Vec<ClaimedNudge>> {
        let pool = self.pool();
        let token = ClaimToken::random();
        // Each arm walks its partial index in order and stops at `limit`, so a huge backlog
        // costs no more than a small one. Ties in `send_at` are broken by user (SQLite sorts
        // only the right part of the ORDER BY), so one user's morning is contiguous and the
        // worker can keep it together across batches.
        let sql = format!(
            "UPDATE nudges SET status = 'sending', lease_until = ?, claim_token = ?, attempts = attempts + 1 \
             WHERE id IN ( \
               SELECT id FROM (SELECT id FROM nudges WHERE status = 'pending' AND send_at <= ? ORDER BY send_at, user_id LIMIT ?) \
               UNION ALL \
               SELECT id FROM (SELECT id FROM nudges WHERE status = 'sending' AND lease_until <= ? ORDER BY lease_until LIMIT ?) \
               LIMIT ?) \
             RETURNING {NUDGE_COLUMNS}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ms(now + lease))
            .bind(token.0.to_string())
            .bind(ms(now))
            .bind(i64::from(limit))
            .bind(ms(now))
            .bind(i64::from(limit))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(backend)?;
        rows.iter().map(|r| Ok(ClaimedNudge { record: nudge(r)?, token })).collect()
    }

    async fn record_outcomes(&self, token: ClaimToken, outcomes: &[(NudgeId, NudgeOutcome)]) -> NudgeResult<usize> {
        let pool = self.pool();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
        let mut changed = 0;
        // Deliveries (nearly every outcome, and a tick's share one `at`) are marked sent in one
        // statement per instant: one round trip to SQLite instead of one per nudge.
        let mut sent: BTreeMap<DateTime<Utc>, Vec<String>> = BTreeMap::new();
        for (id, outcome) in outcomes {
            if let NudgeOutcome::Sent { at } = outcome {
                sent.entry(*at).or_default().push(id.0.to_string());
            }
        }
        for (at, ids) in &sent {
            for chunk in ids.chunks(SENT_CHUNK) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let sql = format!(
                    "UPDATE nudges SET status = 'sent', sent_at = ?, lease_until = NULL, claim_token = NULL, last_error = NULL \
                     WHERE claim_token = ? AND status = 'sending' AND id IN ({marks})"
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(*at)).bind(token.0.to_string());
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                changed += q.execute(&mut *tx).await.map_err(backend)?.rows_affected() as usize;
            }
        }
        for (id, outcome) in outcomes {
            let q = match outcome {
                NudgeOutcome::Sent { .. } => continue,
                NudgeOutcome::RetryAt { at } => sqlx::query(
                    "UPDATE nudges SET status = 'pending', send_at = ?, lease_until = NULL, claim_token = NULL \
                     WHERE id = ? AND claim_token = ? AND status = 'sending'",
                )
                .bind(ms(*at)),
                NudgeOutcome::Failed { at, reason } => sqlx::query(
                    "UPDATE nudges SET status = 'failed', sent_at = ?, last_error = ?, lease_until = NULL, claim_token = NULL \
                     WHERE id = ? AND claim_token = ? AND status = 'sending'",
                )
                .bind(ms(*at))
                .bind(reason.chars().take(500).collect::<String>()),
            };
            let r = q.bind(id.0.to_string()).bind(token.0.to_string()).execute(&mut *tx).await.map_err(backend)?;
            changed += r.rows_affected() as usize;
        }
        tx.commit().await.map_err(backend)?;
        Ok(changed)
    }

    async fn user_nudges(&self, user: UserId) -> NudgeResult<Vec<NudgeRecord>> {
        let mut conn = self.pool().acquire().await.map_err(backend)?;
        user_rows(&mut conn, user).await
    }

    async fn to_roll_over(&self, kind: NudgeKind, from: DateTime<Utc>, to: DateTime<Utc>, limit: u32) -> NudgeResult<Vec<UserId>> {
        let rows = sqlx::query(ROLL_OVER)
            .bind(kind.as_str())
            .bind(ms(from))
            .bind(ms(to))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .map_err(backend)?;
        rows.iter().map(|r| uuid_col(r, "user_id").map(UserId)).collect()
    }

    async fn pending_count(&self) -> NudgeResult<u64> {
        let n: i64 = sqlx::query_scalar(PENDING_COUNT)
            .fetch_one(self.pool())
            .await
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
