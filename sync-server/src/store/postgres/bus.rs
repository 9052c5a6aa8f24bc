//! [`PgChangeBus`]: how a change accepted on one `kith` instance reaches the devices connected
//! to the others. After persisting, an instance sends `NOTIFY` on a channel named after its
//! schema with `<instance> <doc id> <heads>`; every other instance `LISTEN`s, and its hub
//! reloads that document's chunks from the database and syncs its own connections.
//! The notification is only a wake-up: the chunks themselves are always read from the table,
//! so a lost notification delays a device until its next change, it never loses data.

use std::time::Duration;

use async_trait::async_trait;
use automerge::ChangeHash;
use futures::stream::BoxStream;
use futures::StreamExt;
use sqlx::postgres::{PgListener, PgPool};
use sqlx::Row;
use tokio::sync::mpsc;

use crate::ids::DocId;
use crate::store::StoreResult;
use crate::store::bus::{BusError, ChangeBus, RemoteChange};

/// PostgreSQL refuses payloads of 8000 bytes or more; past this many heads we send none
/// (receivers reload the document either way).
const MAX_HEADS_IN_PAYLOAD: usize = 64;

/// How many remote changes may wait for the hub before the listener slows down.
const QUEUE: usize = 4096;

pub struct PgChangeBus {
    pool: PgPool,
    channel: String,
    /// This process; its own notifications come back to it and are skipped.
    instance: String,
    remote: std::sync::Mutex<Option<mpsc::Receiver<RemoteChange>>>,
}

impl PgChangeBus {
    /// Starts listening before returning, so no change published after this call is missed.
    pub async fn start(pool: PgPool) -> StoreResult<Self> {
        let schema: String = sqlx::query("SELECT current_schema()").fetch_one(&pool).await?.try_get(0)?;
        let channel = channel_for(&schema);
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(&channel).await?;
        let instance = uuid::Uuid::new_v4().simple().to_string();
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(listen(listener, instance.clone(), tx));
        Ok(PgChangeBus { pool, channel, instance, remote: std::sync::Mutex::new(Some(rx)) })
    }

    pub fn channel(&self) -> &str {
        &self.channel
    }
}

/// One channel per schema: instances serving the same data hear each other, and test runs in
/// other schemas of the same database don't. Channel names are identifiers (≤ 63 bytes).
fn channel_for(schema: &str) -> String {
    let mut channel = format!("kith_changes_{schema}");
    channel.truncate(63);
    channel
}

fn payload(instance: &str, doc: DocId, heads: &[ChangeHash]) -> String {
    let heads: Vec<String> = if heads.len() <= MAX_HEADS_IN_PAYLOAD {
        heads.iter().map(|h| h.to_string()).collect()
    } else {
        Vec::new()
    };
    format!("{instance} {doc} {}", heads.join(","))
}

/// `Some(doc)` for another instance's well-formed notification, `None` for our own or junk.
fn parse(instance: &str, payload: &str) -> Option<DocId> {
    let mut parts = payload.split(' ');
    let from = parts.next()?;
    let doc = parts.next()?.parse().ok()?;
    (from != instance).then_some(doc)
}

async fn listen(mut listener: PgListener, instance: String, tx: mpsc::Sender<RemoteChange>) {
    // After the connection dropped, `try_recv` reconnects and LISTENs again; whatever was
    // published meanwhile is gone, so the hub must re-read every document it holds.
    let mut lost = false;
    loop {
        let event = match listener.try_recv().await {
            Ok(Some(n)) => {
                let mut events = Vec::with_capacity(2);
                if std::mem::take(&mut lost) {
                    events.push(RemoteChange::Missed);
                }
                let doc = parse(&instance, n.payload());
                tracing::debug!(payload = n.payload(), ?doc, "notification");
                events.extend(doc.map(RemoteChange::Doc));
                events
            }
            // The connection dropped; sqlx has already reconnected and LISTENs again (or the
            // next call fails and retries). Whatever was published meanwhile is gone.
            Ok(None) => {
                tracing::warn!("LISTEN connection lost and re-established; catching up");
                vec![RemoteChange::Missed]
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN failed; retrying in 1 s");
                lost = true;
                tokio::time::sleep(Duration::from_secs(1)).await;
                Vec::new()
            }
        };
        for e in event {
            if tx.send(e).await.is_err() {
                return; // the hub is gone
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

#[async_trait]
impl ChangeBus for PgChangeBus {
    async fn publish(&self, doc: DocId, heads: &[ChangeHash]) -> Result<(), BusError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.channel)
            .bind(payload(&self.instance, doc, heads))
            .execute(&self.pool)
            .await
            .map_err(|e| BusError(e.to_string()))?;
        Ok(())
    }

    fn remote_changes(&self) -> BoxStream<'static, RemoteChange> {
        let rx = self.remote.lock().ok().and_then(|mut r| r.take());
        match rx {
            Some(rx) => futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|d| (d, rx)) }).boxed(),
            // The hub subscribes once; a second subscriber would steal its events.
            None => futures::stream::pending().boxed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_own_notifications_are_skipped() {
        let doc = DocId::random();
        let p = payload("me", doc, &[ChangeHash([7; 32])]);
        assert_eq!(parse("other", &p), Some(doc));
        assert_eq!(parse("me", &p), None);
        assert_eq!(parse("other", "garbage"), None);
        assert_eq!(parse("other", "x not-a-doc aa"), None);
        let many = vec![ChangeHash([1; 32]); 1000];
        assert!(payload("me", doc, &many).len() < 8000);
    }

    #[test]
    fn channel_names_fit_an_identifier() {
        assert_eq!(channel_for("public"), "kith_changes_public");
        assert!(channel_for(&"s".repeat(100)).len() <= 63);
    }
}
