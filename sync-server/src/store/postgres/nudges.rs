//! [`reminders::NudgeStore`] on PostgreSQL: the nudge schedule and push subscriptions,
//! shared by every `kith` instance. Workers claim with `FOR UPDATE SKIP LOCKED`, so two
//! instances never take the same row and never wait for each other; plan replacement is
//! serialised per user with a transaction-scoped advisory lock.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use reminders::store::diff_plan;
use reminders::{
    ClaimToken, ClaimedNudge, ContactId, NudgeId, NudgeItem, NudgeKind, NudgeOutcome, NudgeRecord, NudgeResult,
    NudgeStatus, NudgeStore, NudgeStoreError, PlanChanges, PlannedNudge, UserId,
};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use super::PostgresStore;

/// Counted per status so each count walks its partial index: the sent history, which only
/// grows, is never read (one `status IN (...)` would scan the whole table).
const PENDING_COUNT: &str = "SELECT (SELECT COUNT(*) FROM nudges WHERE status = 'pending') \
     + (SELECT COUNT(*) FROM nudges WHERE status = 'sending')";

const NUDGE_COLUMNS: &str = "n.id, n.user_id, n.contact_id, n.kind, n.cycle_anchor, n.due_at, n.send_at, n.status, \
                             n.attempts, n.contact_name, n.cadence_days, n.digest, n.item_id, n.detail, n.recurring";

pub(super) fn backend(e: sqlx::Error) -> NudgeStoreError {
    NudgeStoreError::Backend(Box::new(e))
}

fn nudge(row: &PgRow) -> NudgeResult<NudgeRecord> {
    let kind: String = row.try_get("kind").map_err(backend)?;
    let status: String = row.try_get("status").map_err(backend)?;
    let cadence: Option<i32> = row.try_get("cadence_days").map_err(backend)?;
    let attempts: i32 = row.try_get("attempts").map_err(backend)?;
    Ok(NudgeRecord {
        id: NudgeId(row.try_get("id").map_err(backend)?),
        user: UserId(row.try_get("user_id").map_err(backend)?),
        plan: PlannedNudge {
            contact: ContactId(row.try_get("contact_id").map_err(backend)?),
            kind: NudgeKind::parse(&kind).ok_or_else(|| NudgeStoreError::Corrupt(format!("kind {kind:?}")))?,
            cycle_anchor: row.try_get("cycle_anchor").map_err(backend)?,
            due_at: row.try_get("due_at").map_err(backend)?,
            send_at: row.try_get("send_at").map_err(backend)?,
            contact_name: row.try_get("contact_name").map_err(backend)?,
            cadence_days: cadence.and_then(|d| u32::try_from(d).ok()),
            digest: row.try_get("digest").map_err(backend)?,
            item: NudgeItem(row.try_get("item_id").map_err(backend)?),
            detail: row.try_get("detail").map_err(backend)?,
            recurring: row.try_get("recurring").map_err(backend)?,
        },
        status: NudgeStatus::parse(&status).ok_or_else(|| NudgeStoreError::Corrupt(format!("status {status:?}")))?,
        attempts: u32::try_from(attempts).unwrap_or(0),
    })
}

fn cadence(p: &PlannedNudge) -> Option<i32> {
    p.cadence_days.and_then(|d| i32::try_from(d).ok())
}

async fn replace_plan(tx: &mut Transaction<'_, Postgres>, user: UserId, desired: &[PlannedNudge]) -> NudgeResult<PlanChanges> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7))")
        .bind(user.0)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    let sql = format!("SELECT {NUDGE_COLUMNS} FROM nudges n WHERE n.user_id = $1 ORDER BY n.send_at, n.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.0).fetch_all(&mut **tx).await.map_err(backend)?;
    let existing = rows.iter().map(nudge).collect::<NudgeResult<Vec<_>>>()?;
    let diff = diff_plan(&existing, desired);
    for p in &diff.insert {
        sqlx::query(
            "INSERT INTO nudges (id, user_id, contact_id, kind, cycle_anchor, due_at, send_at, status, attempts, \
             contact_name, cadence_days, digest, item_id, detail, recurring) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(user.0)
        .bind(p.contact.0)
        .bind(p.kind.as_str())
        .bind(p.cycle_anchor)
        .bind(p.due_at)
        .bind(p.send_at)
        .bind(&p.contact_name)
        .bind(cadence(p))
        .bind(p.digest)
        .bind(p.item.as_str())
        .bind(&p.detail)
        .bind(p.recurring)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    }
    for (id, p) in &diff.update {
        sqlx::query(
            "UPDATE nudges SET due_at = $1, send_at = $2, contact_name = $3, cadence_days = $4, digest = $5, \
             contact_id = $7, detail = $8, recurring = $9 WHERE id = $6 AND status = 'pending'",
        )
        .bind(p.due_at)
        .bind(p.send_at)
        .bind(&p.contact_name)
        .bind(cadence(p))
        .bind(p.digest)
        .bind(id.0)
        .bind(p.contact.0)
        .bind(&p.detail)
        .bind(p.recurring)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    }
    if !diff.delete.is_empty() {
        let ids: Vec<Uuid> = diff.delete.iter().map(|id| id.0).collect();
        sqlx::query("DELETE FROM nudges WHERE id = ANY($1) AND status <> 'sending'")
            .bind(ids)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(diff.changes())
}

#[async_trait]
impl NudgeStore for PostgresStore {
    async fn replace_plan(&self, user: UserId, desired: &[PlannedNudge]) -> NudgeResult<PlanChanges> {
        let mut tx = self.pool().begin().await.map_err(backend)?;
        let changes = replace_plan(&mut tx, user, desired).await?;
        tx.commit().await.map_err(backend)?;
        Ok(changes)
    }

    async fn claim_due(&self, now: DateTime<Utc>, lease: Duration, limit: u32) -> NudgeResult<Vec<ClaimedNudge>> {
        let token = ClaimToken::random();
        let sql = format!(
            "WITH p AS (SELECT id FROM nudges WHERE status = 'pending' AND send_at <= $1 \
                        ORDER BY send_at, user_id LIMIT $2 FOR UPDATE SKIP LOCKED), \
                  s AS (SELECT id FROM nudges WHERE status = 'sending' AND lease_until <= $1 \
                        ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED), \
                  picked AS (SELECT id FROM (SELECT id FROM p UNION ALL SELECT id FROM s) u LIMIT $2) \
             UPDATE nudges n SET status = 'sending', lease_until = $3, claim_token = $4, attempts = n.attempts + 1 \
             FROM picked WHERE n.id = picked.id \
             RETURNING {NUDGE_COLUMNS}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(i64::from(limit))
            .bind(now + lease)
            .bind(token.0)
            .fetch_all(self.pool())
            .await
            .map_err(backend)?;
        rows.iter().map(|r| Ok(ClaimedNudge { record: nudge(r)?, token })).collect()
    }

    async fn record_outcomes(&self, token: ClaimToken, outcomes: &[(NudgeId, NudgeOutcome)]) -> NudgeResult<usize> {
        let mut tx = self.pool().begin().await.map_err(backend)?;
        let mut changed = 0;
        for (id, outcome) in outcomes {
            let q = match outcome {
                NudgeOutcome::Sent { at } => sqlx::query(
                    "UPDATE nudges SET status = 'sent', sent_at = $1, lease_until = NULL, claim_token = NULL, \
                     last_error = NULL WHERE id = $2 AND claim_token = $3 AND status = 'sending'",
                )
                .bind(*at),
                NudgeOutcome::RetryAt { at } => sqlx::query(
                    "UPDATE nudges SET status = 'pending', send_at = $1, lease_until = NULL, claim_token = NULL \
                     WHERE id = $2 AND claim_token = $3 AND status = 'sending'",
                )
                .bind(*at),
                NudgeOutcome::Failed { at, .. } => sqlx::query(
                    "UPDATE nudges SET status = 'failed', sent_at = $1, last_error = $4, lease_until = NULL, \
                     claim_token = NULL WHERE id = $2 AND claim_token = $3 AND status = 'sending'",
                )
                .bind(*at),
            };
            let q = q.bind(id.0).bind(token.0);
            let q = match outcome {
                NudgeOutcome::Failed { reason, .. } => q.bind(reason.chars().take(500).collect::<String>()),
                _ => q,
            };
            changed += q.execute(&mut *tx).await.map_err(backend)?.rows_affected() as usize;
        }
        tx.commit().await.map_err(backend)?;
        Ok(changed)
    }

    async fn user_nudges(&self, user: UserId) -> NudgeResult<Vec<NudgeRecord>> {
        let sql = format!("SELECT {NUDGE_COLUMNS} FROM nudges n WHERE n.user_id = $1 ORDER BY n.send_at, n.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.0).fetch_all(self.pool()).await.map_err(backend)?;
        rows.iter().map(nudge).collect()
    }

    async fn to_roll_over(&self, kind: NudgeKind, from: DateTime<Utc>, to: DateTime<Utc>, limit: u32) -> NudgeResult<Vec<UserId>> {
        let users: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT n.user_id FROM nudges n \
             WHERE n.kind = $4 AND n.due_at > $1 AND n.due_at <= $2 AND n.recurring \
               AND NOT EXISTS (SELECT 1 FROM nudges m WHERE m.user_id = n.user_id AND m.contact_id = n.contact_id \
                               AND m.kind = n.kind AND m.item_id = n.item_id AND m.cycle_anchor > n.cycle_anchor) \
             LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .bind(kind.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(backend)?;
        Ok(users.into_iter().map(UserId).collect())
    }

    async fn pending_count(&self) -> NudgeResult<u64> {
        let n: i64 = sqlx::query_scalar(PENDING_COUNT)
            .fetch_one(self.pool())
            .await
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
