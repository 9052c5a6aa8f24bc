//! [`reminders::PushStore`] on PostgreSQL: the browsers' push subscriptions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reminders::{DeviceSession, NudgeResult, NudgeStoreError, PushKeys, PushStore, PushSubscription, StoredSubscription, SubscriptionId, UserId};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::nudges::backend;
use super::PostgresStore;

pub(super) fn subscription(row: &PgRow) -> NudgeResult<StoredSubscription> {
    Ok(StoredSubscription {
        id: SubscriptionId(row.try_get("id").map_err(backend)?),
        user: UserId(row.try_get("user_id").map_err(backend)?),
        subscription: PushSubscription {
            endpoint: row.try_get("endpoint").map_err(backend)?,
            keys: PushKeys { p256dh: row.try_get("p256dh").map_err(backend)?, auth: row.try_get("auth").map_err(backend)? },
        },
    })
}

#[async_trait]
impl PushStore for PostgresStore {
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
