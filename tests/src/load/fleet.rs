//! A fleet of simulated users (see [`super::user`]): starts them, waits until every user's two
//! devices hold the document, hands out edits at a steady total rate, and winds them down.
//! Shared by the load generator and the sync benchmark.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinHandle;

use super::accounts::UserTarget;
use super::stats::Stats;
use super::user;
use super::workload::Shape;

pub struct FleetSpec {
    /// Server base URL(s). Device A of user i talks to url[i % n], device B to
    /// url[(i + 1) % n], so with two instances every edit crosses from one to the other.
    pub urls: Vec<String>,
    pub shape: Shape,
    /// Kith creates each document with the account; the reference has none until A syncs.
    pub server_creates_doc: bool,
    /// Users doing their initial sync at the same time.
    pub setup_concurrency: usize,
    /// Keep every socket open after the last edit until this turns `true` (see [`user::Ctx`]).
    pub linger: Option<watch::Receiver<bool>>,
}

pub struct Fleet {
    edit_txs: Vec<mpsc::Sender<usize>>,
    tasks: Vec<JoinHandle<()>>,
    stop_tx: watch::Sender<bool>,
    /// Users whose devices both hold the document.
    pub ready: usize,
}

impl Fleet {
    /// Starts one task per user and returns once each has become ready or failed (failures
    /// are counted in `stats`).
    pub async fn start(targets: Vec<UserTarget>, spec: &FleetSpec, stats: &Arc<Stats>) -> Fleet {
        let users = targets.len();
        let setup = Arc::new(Semaphore::new(spec.setup_concurrency.max(1)));
        let (ready_tx, mut ready_rx) = mpsc::channel::<()>(users.max(1));
        let (stop_tx, stop) = watch::channel(false);
        let mut edit_txs = Vec::with_capacity(users);
        let mut tasks = Vec::with_capacity(users);
        let n = spec.urls.len();
        for (i, t) in targets.into_iter().enumerate() {
            let (tx, rx) = mpsc::channel::<usize>(4);
            edit_txs.push(tx);
            let user_spec = user::UserSpec {
                url_a: t.ws_url(&spec.urls[i % n]),
                url_b: t.ws_url(&spec.urls[(i + 1) % n]),
                doc_id: t.doc_id.clone(),
                shape: spec.shape,
                seed: i as u64,
                server_creates_doc: spec.server_creates_doc,
            };
            let ctx = user::Ctx {
                stats: stats.clone(),
                setup: setup.clone(),
                ready: ready_tx.clone(),
                stop: stop.clone(),
                linger: spec.linger.clone(),
            };
            tasks.push(tokio::spawn(user::run(user_spec, ctx, rx)));
        }
        drop(ready_tx);
        // Every user either becomes ready or fails (and drops its sender).
        let mut ready = 0usize;
        while ready_rx.recv().await.is_some() {
            ready += 1;
        }
        Fleet { edit_txs, tasks, stop_tx, ready }
    }

    /// Hands out edits round-robin at `rate` per second for `duration`. Bounded: stops at the
    /// deadline whatever happens; an edit a user cannot take (its previous ones still queued)
    /// counts as generator backlog.
    pub async fn edit(&self, rate: f64, duration: Duration, stats: &Stats) {
        let period = Duration::from_secs_f64(1.0 / rate);
        let total = (rate * duration.as_secs_f64()).round() as usize;
        let start = tokio::time::Instant::now();
        for n in 0..total {
            tokio::time::sleep_until(start + period.mul_f64(n as f64)).await;
            let user = &self.edit_txs[n % self.edit_txs.len()];
            if user.is_closed() {
                continue; // that user failed during setup; counted there
            }
            match user.try_send(n) {
                Ok(()) => stats.edits_offered.fetch_add(1, Ordering::Relaxed),
                Err(_) => stats.generator_backlog.fetch_add(1, Ordering::Relaxed),
            };
        }
    }

    /// No more edits: users deliver what is in flight (up to `drain`), then stop. With a
    /// linger signal, users stay connected until it is released; call this after releasing.
    pub async fn finish(self, drain: Duration) {
        drop(self.edit_txs);
        let deadline = tokio::time::Instant::now() + drain;
        for task in self.tasks {
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                let _ = self.stop_tx.send(true);
            }
        }
        let _ = self.stop_tx.send(true);
    }

    /// Ends editing but leaves lingering users connected; `finish` completes the shutdown.
    pub fn stop_editing(&mut self) {
        self.edit_txs.clear();
    }
}
