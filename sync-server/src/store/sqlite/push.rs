//! [`reminders::PushStore`] on SQLite: the browsers' push subscriptions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reminders::{DeviceSession, NudgeResult, NudgeStoreError, PushKeys, PushStore, PushSubscription, StoredSubscription, SubscriptionId, UserId};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::nudges::{backend, SENT_CHUNK, ms, uuid_col};
use super::SqliteStore;

pub(super) fn subscription(row: &SqliteRow) -> NudgeResult<StoredSubscription> {
    Ok(StoredSubscription {
        id: SubscriptionId(uuid_col(row, "id")?),
        user: UserId(uuid_col(row, "user_id")?),
        subscription: PushSubscription {
            endpoint: row.try_get("endpoint").map_err(backend)?,
            keys: PushKeys { p256dh: row.try_get("p256dh").map_err(backend)?, auth: row.try_get("auth").map_err(backend)? },
        },
    })
}

#[async_trait]
impl PushStore for SqliteStore {
    async fn upsert_push_subscription(
        &self,
        user: UserId,
        device: Option<DeviceSession>,
        sub: &PushSubscription,
        now: DateTime<Utc>,
    ) -> NudgeResult<StoredSubscription> {
        let row = sqlx::query(
            "INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, p256dh, auth, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (endpoint) DO UPDATE SET session_id = excluded.session_id, \
               p256dh = excluded.p256dh, auth = excluded.auth \
             WHERE push_subscriptions.user_id = excluded.user_id \
             RETURNING id, user_id, endpoint, p256dh, auth",
        )
        .bind(SubscriptionId::random().0.to_string())
        .bind(user.0.to_string())
        .bind(device.map(|d| d.0.to_string()))
        .bind(&sub.endpoint)
        .bind(&sub.keys.p256dh)
        .bind(&sub.keys.auth)
        .bind(ms(now))
        .fetch_optional(self.pool())
        .await
        .map_err(backend)?;
        // No row: the endpoint is another user's, and the WHERE kept it theirs.
        subscription(&row.ok_or(NudgeStoreError::EndpointTaken)?)
    }

    async fn remove_push_subscription(&self, user: UserId, endpoint: &str) -> NudgeResult<bool> {
        let r = sqlx::query("DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?")
            .bind(user.0.to_string())
            .bind(endpoint)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn list_push_subscriptions(&self, user: UserId) -> NudgeResult<Vec<StoredSubscription>> {
        let rows = sqlx::query(
            "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id",
        )
        .bind(user.0.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(backend)?;
        rows.iter().map(subscription).collect()
    }

    async fn list_push_subscriptions_of(&self, users: &[UserId]) -> NudgeResult<Vec<StoredSubscription>> {
        let mut all = Vec::new();
        for chunk in users.chunks(SENT_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id IN ({marks}) \
                 ORDER BY created_at, id"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for user in chunk {
                q = q.bind(user.0.to_string());
            }
            let rows = q.fetch_all(self.pool()).await.map_err(backend)?;
            for row in &rows {
                all.push(subscription(row)?);
            }
        }
        Ok(all)
    }

    async fn delete_push_subscription_by_endpoint(&self, endpoint: &str) -> NudgeResult<bool> {
        let r = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = ?")
            .bind(endpoint)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }
}
