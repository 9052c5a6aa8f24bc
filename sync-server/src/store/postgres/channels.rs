//! [`reminders::ChannelStore`] on PostgreSQL: email and ntfy channels, per-(nudge, channel)
//! sends, the delivery log and server secrets.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reminders::delivery::LOG_KEEP;
use reminders::{
    ChannelKind, ChannelSettings, ChannelStore, DeliveryEntry, DeliveryStatus, DeviceSession, NudgeId, NudgeResult,
    NudgeStoreError, StoredSubscription, UserChannel, UserId,
};
use sqlx::postgres::PgRow;
use uuid::Uuid;
use sqlx::Row;

use super::nudges::backend;
use super::push::subscription;
use super::PostgresStore;

fn channel(row: &PgRow) -> NudgeResult<UserChannel> {
    let config: String = row.try_get("config").map_err(backend)?;
    Ok(UserChannel {
        user: UserId(row.try_get("user_id").map_err(backend)?),
        settings: ChannelSettings::from_json(&config).ok_or_else(|| NudgeStoreError::Corrupt("channel config".into()))?,
        enabled: row.try_get::<bool, _>("enabled").map_err(backend)?,
        disabled_reason: row.try_get("disabled_reason").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    })
}

fn entry(row: &PgRow) -> NudgeResult<DeliveryEntry> {
    let channel: String = row.try_get("channel").map_err(backend)?;
    let status: String = row.try_get("status").map_err(backend)?;
    Ok(DeliveryEntry {
        user: UserId(row.try_get("user_id").map_err(backend)?),
        channel: ChannelKind::parse(&channel).ok_or_else(|| NudgeStoreError::Corrupt(format!("channel {channel:?}")))?,
        at: row.try_get("at").map_err(backend)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| NudgeStoreError::Corrupt(format!("status {status:?}")))?,
        title: row.try_get("title").map_err(backend)?,
        detail: row.try_get("detail").map_err(backend)?,
        nudges: u32::try_from(row.try_get::<i32, _>("nudges").map_err(backend)?).unwrap_or(0),
    })
}

const CHANNEL_COLUMNS: &str = "user_id, config, enabled, disabled_reason, updated_at";

#[async_trait]
impl ChannelStore for PostgresStore {
    async fn list_channels(&self, user: UserId) -> NudgeResult<Vec<UserChannel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE user_id = $1 ORDER BY kind");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.0).fetch_all(self.pool()).await.map_err(backend)?;
        rows.iter().map(channel).collect()
    }

    async fn enabled_channels_of(&self, users: &[UserId]) -> NudgeResult<Vec<UserChannel>> {
        let ids: Vec<Uuid> = users.iter().map(|u| u.0).collect();
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE enabled AND user_id = ANY($1)");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(self.pool()).await.map_err(backend)?;
        rows.iter().map(channel).collect()
    }

    async fn put_channel(&self, user: UserId, settings: &ChannelSettings, enabled: bool, now: DateTime<Utc>) -> NudgeResult<()> {
        sqlx::query(
            "INSERT INTO channels (user_id, kind, config, enabled, disabled_reason, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, $5) \
             ON CONFLICT (user_id, kind) DO UPDATE SET config = EXCLUDED.config, enabled = EXCLUDED.enabled, \
               disabled_reason = NULL, updated_at = EXCLUDED.updated_at",
        )
        .bind(user.0)
        .bind(settings.kind().as_str())
        .bind(settings.to_json())
        .bind(enabled)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn disable_channel(&self, user: UserId, kind: ChannelKind, reason: &str, now: DateTime<Utc>) -> NudgeResult<bool> {
        let r = sqlx::query("UPDATE channels SET enabled = FALSE, disabled_reason = $1, updated_at = $2 WHERE user_id = $3 AND kind = $4")
            .bind(reason)
            .bind(now)
            .bind(user.0)
            .bind(kind.as_str())
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn delete_channel(&self, user: UserId, kind: ChannelKind) -> NudgeResult<bool> {
        let r = sqlx::query("DELETE FROM channels WHERE user_id = $1 AND kind = $2")
            .bind(user.0)
            .bind(kind.as_str())
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn channel_sends(&self, nudges: &[NudgeId]) -> NudgeResult<Vec<(NudgeId, ChannelKind)>> {
        let ids: Vec<Uuid> = nudges.iter().map(|n| n.0).collect();
        let rows = sqlx::query("SELECT nudge_id, channel FROM nudge_channel_sends WHERE nudge_id = ANY($1)")
            .bind(ids)
            .fetch_all(self.pool())
            .await
            .map_err(backend)?;
        let mut all = Vec::with_capacity(rows.len());
        for row in &rows {
            let ch: String = row.try_get("channel").map_err(backend)?;
            if let Some(kind) = ChannelKind::parse(&ch) {
                all.push((NudgeId(row.try_get("nudge_id").map_err(backend)?), kind));
            }
        }
        Ok(all)
    }

    async fn mark_channel_sends(&self, done: &[(NudgeId, ChannelKind)], at: DateTime<Utc>) -> NudgeResult<()> {
        if done.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = done.iter().map(|(n, _)| n.0).collect();
        let chans: Vec<&str> = done.iter().map(|(_, c)| c.as_str()).collect();
        sqlx::query(
            "INSERT INTO nudge_channel_sends (nudge_id, channel, at) \
             SELECT n, c, $3 FROM UNNEST($1::uuid[], $2::text[]) AS t(n, c) ON CONFLICT DO NOTHING",
        )
        .bind(ids)
        .bind(chans)
        .bind(at)
        .execute(self.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn log_deliveries(&self, entries: &[DeliveryEntry]) -> NudgeResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await.map_err(backend)?;
        let users: Vec<Uuid> = entries.iter().map(|e| e.user.0).collect();
        let chans: Vec<&str> = entries.iter().map(|e| e.channel.as_str()).collect();
        let ats: Vec<DateTime<Utc>> = entries.iter().map(|e| e.at).collect();
        let statuses: Vec<&str> = entries.iter().map(|e| e.status.as_str()).collect();
        let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        let details: Vec<&str> = entries.iter().map(|e| e.detail.as_str()).collect();
        let counts: Vec<i32> = entries.iter().map(|e| i32::try_from(e.nudges).unwrap_or(i32::MAX)).collect();
        sqlx::query(
            "INSERT INTO delivery_log (user_id, channel, at, status, title, detail, nudges) \
             SELECT u, c, a, s, ti, d, n FROM UNNEST($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int4[]) \
             WITH ORDINALITY AS t(u, c, a, s, ti, d, n, o) ORDER BY o",
        )
        .bind(users)
        .bind(chans)
        .bind(ats)
        .bind(statuses)
        .bind(titles)
        .bind(details)
        .bind(counts)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let mut touched: Vec<(UserId, ChannelKind)> = entries.iter().map(|e| (e.user, e.channel)).collect();
        touched.sort();
        touched.dedup();
        for (user, ch) in touched {
            sqlx::query(
                "DELETE FROM delivery_log WHERE user_id = $1 AND channel = $2 AND seq <= \
                 (SELECT seq FROM delivery_log WHERE user_id = $1 AND channel = $2 ORDER BY seq DESC LIMIT 1 OFFSET $3)",
            )
            .bind(user.0)
            .bind(ch.as_str())
            .bind(i64::from(LOG_KEEP))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn deliveries(&self, user: UserId, per_channel: u32) -> NudgeResult<Vec<DeliveryEntry>> {
        let mut all = Vec::new();
        for ch in [ChannelKind::Push, ChannelKind::Email, ChannelKind::Ntfy] {
            let rows = sqlx::query(
                "SELECT user_id, channel, at, status, title, detail, nudges FROM delivery_log \
                 WHERE user_id = $1 AND channel = $2 ORDER BY seq DESC LIMIT $3",
            )
            .bind(user.0)
            .bind(ch.as_str())
            .bind(i64::from(per_channel))
            .fetch_all(self.pool())
            .await
            .map_err(backend)?;
            for row in &rows {
                all.push(entry(row)?);
            }
        }
        all.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(all)
    }

    async fn account_emails(&self, users: &[UserId]) -> NudgeResult<Vec<(UserId, String)>> {
        let ids: Vec<Uuid> = users.iter().map(|u| u.0).collect();
        let rows = sqlx::query("SELECT id, email FROM users WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(self.pool())
            .await
            .map_err(backend)?;
        let mut all = Vec::with_capacity(rows.len());
        for row in &rows {
            all.push((UserId(row.try_get("id").map_err(backend)?), row.try_get("email").map_err(backend)?));
        }
        Ok(all)
    }

    async fn first_account_email(&self) -> NudgeResult<Option<String>> {
        sqlx::query_scalar("SELECT email FROM users ORDER BY created_at, id LIMIT 1")
            .fetch_optional(self.pool())
            .await
            .map_err(backend)
    }

    async fn device_push_subscriptions(&self, user: UserId, device: DeviceSession) -> NudgeResult<Vec<StoredSubscription>> {
        let rows = sqlx::query(
            "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1 AND session_id = $2 \
             ORDER BY created_at, id",
        )
        .bind(user.0)
        .bind(device.0)
        .fetch_all(self.pool())
        .await
        .map_err(backend)?;
        rows.iter().map(subscription).collect()
    }

    async fn server_secret(&self, name: &str, fresh: &[u8]) -> NudgeResult<Vec<u8>> {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(self.pool())
            .await
            .map_err(backend)
    }
}
