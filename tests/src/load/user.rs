//! One simulated user: device A and device B on their own WebSockets, one document.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ChangeHash};
use tokio::sync::{mpsc, watch, Semaphore};

use super::stats::Stats;
use super::workload;
use crate::device::Device;

pub struct UserSpec {
    pub url_a: String,
    pub url_b: String,
    pub doc_id: String,
    pub shape: workload::Shape,
    pub seed: u64,
    /// Kith creates the document with the account; the reference has none until A syncs.
    pub server_creates_doc: bool,
}

pub struct Ctx {
    pub stats: Arc<Stats>,
    pub setup: Arc<Semaphore>,
    /// One message when both devices hold the document.
    pub ready: mpsc::Sender<()>,
    pub stop: watch::Receiver<bool>,
    /// When given, both devices stay connected after their last edit arrived until this turns
    /// `true`, so the server can be measured with every connection open.
    pub linger: Option<watch::Receiver<bool>>,
}

/// How long one initial sync may take before the user counts as failed.
const SETUP_TIMEOUT: Duration = Duration::from_secs(120);

pub async fn run(spec: UserSpec, ctx: Ctx, edits: mpsc::Receiver<usize>) {
    let stats = ctx.stats.clone();
    let (a, b) = match tokio::time::timeout(SETUP_TIMEOUT, setup(&spec, &ctx)).await {
        Ok(Ok(devices)) => devices,
        Ok(Err(e)) => return stats.error(&format!("initial sync: {e}")),
        Err(_) => return stats.error("initial sync: timed out"),
    };
    let _ = ctx.ready.send(()).await;
    drop(ctx.ready);
    if let Err(e) = edit_loop(a, b, edits, &stats, ctx.stop, ctx.linger).await {
        stats.error(&format!("editing: {e}"));
    }
}

async fn setup(spec: &UserSpec, ctx: &Ctx) -> anyhow::Result<(Device, Device)> {
    let _permit = ctx.setup.acquire().await?;
    let started = Instant::now();
    let mut a = if spec.server_creates_doc {
        // Kith made the document with the account: fetch it, then fill it in.
        let mut a = Device::connect(&spec.url_a, &spec.doc_id, AutoCommit::new(), false).await?;
        a.until(SETUP_TIMEOUT, Device::in_sync).await?;
        workload::populate(&mut a.doc, spec.shape, spec.seed)?;
        a.send_sync(false).await?;
        a
    } else {
        // The reference learns of the document from the device that created it.
        let mut doc = AutoCommit::new();
        workload::populate(&mut doc, spec.shape, spec.seed)?;
        Device::connect(&spec.url_a, &spec.doc_id, doc, true).await?
    };
    a.until(SETUP_TIMEOUT, Device::in_sync).await?;
    let want = a.doc.get_heads();
    let mut b = Device::connect(&spec.url_b, &spec.doc_id, AutoCommit::new(), false).await?;
    b.until(SETUP_TIMEOUT, |b| want.iter().all(|h| b.has_change(h))).await?;
    ctx.stats.initial_sync(started.elapsed());
    Ok((a, b))
}

async fn edit_loop(
    mut a: Device,
    mut b: Device,
    mut edits: mpsc::Receiver<usize>,
    stats: &Stats,
    mut stop: watch::Receiver<bool>,
    mut linger: Option<watch::Receiver<bool>>,
) -> anyhow::Result<()> {
    let mut pending: VecDeque<(ChangeHash, Instant)> = VecDeque::new();
    let mut editing = true;
    let mut lingering = linger.as_ref().is_some_and(|l| !*l.borrow());
    while editing || !pending.is_empty() || lingering {
        tokio::select! {
            next = edits.recv(), if editing => match next {
                Some(n) => {
                    match workload::edit(&mut a.doc, n)? {
                        Some(hash) => {
                            pending.push_back((hash, Instant::now()));
                            stats.edits_sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            a.send_sync(false).await?;
                        }
                        None => stats.error("the document has no place for this edit"),
                    }
                }
                None => editing = false,
            },
            got = a.next() => { a.handle(got?).await?; }
            got = b.next() => {
                b.handle(got?).await?;
                // Changes from A arrive in causal order, so the oldest pending edit is first.
                while let Some((hash, sent)) = pending.front() {
                    if !b.has_change(hash) { break; }
                    stats.latency(sent.elapsed());
                    pending.pop_front();
                }
            }
            _ = stop.changed() => break,
            released = wait_true(&mut linger), if lingering => {
                lingering = false;
                if !released { break; }
            }
        }
    }
    a.close().await;
    b.close().await;
    Ok(())
}

/// Resolves when `linger` turns true (`true`) or its sender is gone (`false`); never without one.
async fn wait_true(linger: &mut Option<watch::Receiver<bool>>) -> bool {
    match linger {
        Some(l) => l.wait_for(|v| *v).await.is_ok(),
        None => std::future::pending().await,
    }
}
