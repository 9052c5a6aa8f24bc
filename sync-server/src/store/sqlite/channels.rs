//! [`reminders::ChannelStore`] on SQLite: email and ntfy channels, per-(nudge, channel)
//! sends, the delivery log and server secrets.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reminders::delivery::LOG_KEEP;
use reminders::{
    ChannelKind, ChannelSettings, ChannelStore, DeliveryEntry, DeliveryStatus, DeviceSession, NudgeId, NudgeResult,
    NudgeStoreError, StoredSubscription, UserChannel, UserId,
};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::nudges::{backend, from_ms, ms, uuid_col, SENT_CHUNK};
use super::push::subscription;
use super::SqliteStore;

fn channel(row: &SqliteRow) -> NudgeResult<UserChannel> {
    let config: String = row.try_get("config").map_err(backend)?;
    Ok(UserChannel {
        user: UserId(uuid_col(row, "user_id")?),
        settings: ChannelSettings::from_json(&config).ok_or_else(|| NudgeStoreError::Corrupt("channel config".into()))?,
        enabled: row.try_get::<i64, _>("enabled").map_err(backend)? != 0,
        disabled_reason: row.try_get("disabled_reason").map_err(backend)?,
        updated_at: from_ms(row.try_get("updated_at").map_err(backend)?)?,
    })
}

fn entry(row: &SqliteRow) -> NudgeResult<DeliveryEntry> {
    let channel: String = row.try_get("channel").map_err(backend)?;
    let status: String = row.try_get("status").map_err(backend)?;
    Ok(DeliveryEntry {
        user: UserId(uuid_col(row, "user_id")?),
        channel: ChannelKind::parse(&channel).ok_or_else(|| NudgeStoreError::Corrupt(format!("channel {channel:?}")))?,
        at: from_ms(row.try_get("at").map_err(backend)?)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| NudgeStoreError::Corrupt(format!("status {status:?}")))?,
        title: row.try_get("title").map_err(backend)?,
        detail: row.try_get("detail").map_err(backend)?,
        nudges: u32::try_from(row.try_get::<i64, _>("nudges").map_err(backend)?).unwrap_or(0),
    })
}

const CHANNEL_COLUMNS: &str = "user_id, config, enabled, disabled_reason, updated_at";

#[async_trait]
impl ChannelStore for SqliteStore {
    async fn list_channels(&self, user: UserId) -> NudgeResult<Vec<UserChannel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE user_id = ? ORDER BY kind");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.0.to_string())
            .fetch_all(self.pool())
            .await
            .map_err(backend)?;
        rows.iter().map(channel).collect()
    }

    async fn enabled_channels_of(&self, users: &[UserId]) -> NudgeResult<Vec<UserChannel>> {
        let mut all = Vec::new();
        for chunk in users.chunks(SENT_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE enabled <> 0 AND user_id IN ({marks})");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for u in chunk {
                q = q.bind(u.0.to_string());
            }
            for row in &q.fetch_all(self.pool()).await.map_err(backend)? {
                all.push(channel(row)?);
            }
        }
        Ok(all)
    }

    async fn put_channel(&self, user: UserId, settings: &ChannelSettings, enabled: bool, now: DateTime<Utc>) -> NudgeResult<()> {
        sqlx::query(
            "INSERT INTO channels (user_id, kind, config, enabled, disabled_reason, created_at, updated_at) \
             VALUES (?, ?, ?, ?, NULL, ?, ?) \
             ON CONFLICT (user_id, kind) DO UPDATE SET config = excluded.config, enabled = excluded.enabled, \
               disabled_reason = NULL, updated_at = excluded.updated_at",
        )
        .bind(user.0.to_string())
        .bind(settings.kind().as_str())
        .bind(settings.to_json())
        .bind(i64::from(enabled))
        .bind(ms(now))
        .bind(ms(now))
        .execute(self.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn disable_channel(&self, user: UserId, kind: ChannelKind, reason: &str, now: DateTime<Utc>) -> NudgeResult<bool> {
        let r = sqlx::query("UPDATE channels SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE user_id = ? AND kind = ?")
            .bind(reason)
            .bind(ms(now))
            .bind(user.0.to_string())
            .bind(kind.as_str())
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn delete_channel(&self, user: UserId, kind: ChannelKind) -> NudgeResult<bool> {
        let r = sqlx::query("DELETE FROM channels WHERE user_id = ? AND kind = ?")
            .bind(user.0.to_string())
            .bind(kind.as_str())
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(r.rows_affected() > 0)
    }

    async fn channel_sends(&self, nudges: &[NudgeId]) -> NudgeResult<Vec<(NudgeId, ChannelKind)>> {
        let mut all = Vec::new();
        for chunk in nudges.chunks(SENT_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("SELECT nudge_id, channel FROM nudge_channel_sends WHERE nudge_id IN ({marks})");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0.to_string());
            }
            for row in &q.fetch_all(self.pool()).await.map_err(backend)? {
                let ch: String = row.try_get("channel").map_err(backend)?;
                if let Some(kind) = ChannelKind::parse(&ch) {
                    all.push((NudgeId(uuid_col(row, "nudge_id")?), kind));
                }
            }
        }
        Ok(all)
    }

    async fn mark_channel_sends(&self, done: &[(NudgeId, ChannelKind)], at: DateTime<Utc>) -> NudgeResult<()> {
        let _turn = self.background_write_turn().await;
        let mut tx = self.pool().begin().await.map_err(backend)?;
        for chunk in done.chunks(SENT_CHUNK) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO nudge_channel_sends (nudge_id, channel, at) ");
            q.push_values(chunk, |mut row, (id, ch)| {
                row.push_bind(id.0.to_string()).push_bind(ch.as_str()).push_bind(ms(at));
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *tx).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn log_deliveries(&self, entries: &[DeliveryEntry]) -> NudgeResult<()> {
        let _turn = self.background_write_turn().await;
        let mut tx = self.pool().begin().await.map_err(backend)?;
        for chunk in entries.chunks(SENT_CHUNK / 2) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO delivery_log (user_id, channel, at, status, title, detail, nudges) ",
            );
            q.push_values(chunk, |mut row, e| {
                row.push_bind(e.user.0.to_string())
                    .push_bind(e.channel.as_str())
                    .push_bind(ms(e.at))
                    .push_bind(e.status.as_str())
                    .push_bind(e.title.clone())
                    .push_bind(e.detail.clone())
                    .push_bind(i64::from(e.nudges));
            });
            q.build().execute(&mut *tx).await.map_err(backend)?;
        }
        let mut touched: Vec<(UserId, ChannelKind)> = entries.iter().map(|e| (e.user, e.channel)).collect();
        touched.sort();
        touched.dedup();
        for (user, ch) in touched {
            // Everything at or below the 101st newest row goes (walks the (user, channel, seq) index).
            sqlx::query(
                "DELETE FROM delivery_log WHERE user_id = ?1 AND channel = ?2 AND seq <= \
                 (SELECT seq FROM delivery_log WHERE user_id = ?1 AND channel = ?2 ORDER BY seq DESC LIMIT 1 OFFSET ?3)",
            )
            .bind(user.0.to_string())
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
                 WHERE user_id = ? AND channel = ? ORDER BY seq DESC LIMIT ?",
            )
            .bind(user.0.to_string())
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
        let mut all = Vec::new();
        for chunk in users.chunks(SENT_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("SELECT id, email FROM users WHERE id IN ({marks})");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for u in chunk {
                q = q.bind(u.0.to_string());
            }
            for row in &q.fetch_all(self.pool()).await.map_err(backend)? {
                all.push((UserId(uuid_col(row, "id")?), row.try_get("email").map_err(backend)?));
            }
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
            "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ? AND session_id = ? \
             ORDER BY created_at, id",
        )
        .bind(user.0.to_string())
        .bind(device.0.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(backend)?;
        rows.iter().map(subscription).collect()
    }

    async fn server_secret(&self, name: &str, fresh: &[u8]) -> NudgeResult<Vec<u8>> {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh)
            .execute(self.pool())
            .await
            .map_err(backend)?;
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = ?")
            .bind(name)
            .fetch_one(self.pool())
            .await
            .map_err(backend)
    }
}
