//! [`reminders::NudgeStore`] on PostgreSQL: the nudge schedule and push subscriptions,
//! shared by every `kith` instance. Workers claim with `FOR UPDATE SKIP LOCKED`, so two
//! instances never take the same row and never wait for each other; plan replacement is
//! serialised per user with a transaction-scoped advisory lock.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use reminders::store::diff_plan;
use reminders::{
    ClaimToken, ClaimedNudge, ContactId, DeviceSession, NudgeId, NudgeKind, NudgeOutcome, NudgeRecord, NudgeResult,
    NudgeStatus, NudgeStore, NudgeStoreError, PlanChanges, PlannedNudge, PushKeys, PushSubscription,
    StoredSubscription, SubscriptionId, UserId,
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
                             n.attempts, n.contact_name, n.cadence_days, n.digest";

fn backend(e: sqlx::Error) -> NudgeStoreError {
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
        },
        status: NudgeStatus::parse(&status).ok_or_else(|| NudgeStoreError::Corrupt(format!("status {status:?}")))?,
        attempts: u32::try_from(attempts).unwrap_or(0),
    })
}

fn subscription(row: &PgRow) -> NudgeResult<StoredSubscription> {
    Ok(StoredSubscription {
        id: SubscriptionId(row.try_get("id").map_err(backend)?),
        user: UserId(row.try_get("user_id").map_err(backend)?),
        subscription: PushSubscription {
            endpoint: row.try_get("endpoint").map_err(backend)?,
            keys: PushKeys { p256dh: row.try_get("p256dh").map_err(backend)?, auth: row.try_get("auth").map_err(backend)? },
        },
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
             contact_name, cadence_days, digest) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $9, $10) \
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
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    }
    for (id, p) in &diff.update {
        sqlx::query(
            "UPDATE nudges SET due_at = $1, send_at = $2, contact_name = $3, cadence_days = $4, digest = $5 \
             WHERE id = $6 AND status = 'pending'",
        )
        .bind(p.due_at)
        .bind(p.send_at)
        .bind(&p.contact_name)
        .bind(cadence(p))
        .bind(p.digest)
        .bind(id.0)
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
                        ORDER BY send_at LIMIT $2 FOR UPDATE SKIP LOCKED), \
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

    async fn birthdays_to_roll_over(&self, from: DateTime<Utc>, to: DateTime<Utc>, limit: u32) -> NudgeResult<Vec<UserId>> {
        let users: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT n.user_id FROM nudges n \
             WHERE n.kind = 'birthday' AND n.due_at > $1 AND n.due_at <= $2 \
               AND NOT EXISTS (SELECT 1 FROM nudges m WHERE m.user_id = n.user_id AND m.contact_id = n.contact_id \
                               AND m.kind = 'birthday' AND m.cycle_anchor > n.cycle_anchor) \
             LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
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

    async fn upsert_push_subscription(
        &self,
        user: UserId,
        device: Option<DeviceSession>,
        sub: &PushSubscription,
        now: DateTime<Utc>,
    ) -> NudgeResult<StoredSubscription> {
        let row = sqlx::query(
            "INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (endpoint) DO UPDATE SET session_id = EXCLUDED.session_id, \
               p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth \
             WHERE push_subscriptions.user_id = EXCLUDED.user_id \
             RETURNING id, user_id, endpoint, p256dh, auth",
        )
        .bind(Uuid::new_v4())
        .bind(user.0)
        .bind(device.map(|d| d.0))
        .bind(&sub.endpoint)
        .bind(&sub.keys.p256dh)
        .bind(&sub.keys.auth)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(backend)?;
        // No row: the endpoint is another user's, and the WHERE kept it theirs.
        subscription(&row.ok_or(NudgeStoreError::EndpointTaken)?)
    }

    async fn remove_push_subscription(&self, user: UserId, endpoint: &str) -> NudgeResult<bool> {
        let r = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
            .bind(user.0)
            .bind(endpoint)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn list_push_subscriptions(&self, user: UserId) -> NudgeResult<Vec<StoredSubscription>> {
        let rows = sqlx::query(
            "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user.0)
        .fetch_all(self.pool())
        .await
        .map_err(backend)?;
        rows.iter().map(subscription).collect()
    }

    async fn list_push_subscriptions_of(&self, users: &[UserId]) -> NudgeResult<Vec<StoredSubscription>> {
        let ids: Vec<Uuid> = users.iter().map(|u| u.0).collect();
        let rows = sqlx::query(
            "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ANY($1) \
             ORDER BY created_at, id",
        )
        .bind(ids)
        .fetch_all(self.pool())
        .await
        .map_err(backend)?;
        rows.iter().map(subscription).collect()
    }

    async fn delete_push_subscription_by_endpoint(&self, endpoint: &str) -> NudgeResult<bool> {
        let r = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }
}
