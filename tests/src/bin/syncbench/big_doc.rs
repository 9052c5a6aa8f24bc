//! Measurement 1: a device uploads a 5,000-contact document (5k contacts, 20k interactions,
//! 5k notes, one change per record as a phone would write them), then fresh devices sync it
//! from nothing: timed from the WebSocket connect until the device holds every change.
//! Once with the document in memory (the uploading device still online) and once loaded from
//! the store (after the idle timeout dropped it).

use std::time::{Duration, Instant};

use automerge::{AutoCommit, ChangeHash};
use kith_tests::device::Device;
use kith_tests::load::workload::{self, Shape};
use kith_tests::process::KithProcess;
use sync_server::sync::messages::Message;

use super::scrape;

#[derive(Debug, Default, serde::Serialize)]
pub struct Runs {
    pub runs_ms: Vec<f64>,
    pub min_ms: f64,
    pub median_ms: f64,
    /// Median time from connect to the first sync message from the server.
    pub first_message_median_ms: f64,
    /// Median time the device itself spent applying what it received.
    pub device_apply_median_ms: f64,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct BigDocReport {
    pub contacts: usize,
    pub interactions: usize,
    pub notes: usize,
    pub changes: usize,
    pub saved_bytes: usize,
    pub generate_s: f64,
    pub upload_s: f64,
    /// Loading the saved document on this machine, no network: where a fresh sync's time
    /// goes. `Automerge::load` verifies every change hash (as `load_incremental` into an
    /// empty document does, which is how a whole-document sync message is applied).
    pub load_ms: f64,
    pub load_unverified_ms: f64,
    /// The document in the server's memory.
    pub warm: Runs,
    /// The document loaded from the store for the sync.
    pub cold: Runs,
}

struct Sample {
    total: Duration,
    first_message: Duration,
    applying: Duration,
}

pub async fn run(
    server: &KithProcess,
    (token, doc_id): &(String, String),
    shape: Shape,
    fresh_syncs: usize,
    idle_secs: u64,
) -> anyhow::Result<BigDocReport> {
    let url = server.sync_url(token);
    let mut a = Device::connect(&url, doc_id, AutoCommit::new(), false).await?;
    a.until(Duration::from_secs(30), Device::in_sync).await?;
    let t = Instant::now();
    workload::populate(&mut a.doc, shape, 7)?;
    let generate_s = t.elapsed().as_secs_f64();
    eprintln!("syncbench: built the {}-contact document in {generate_s:.1}s; uploading", shape.contacts);
    let t = Instant::now();
    a.send_sync(false).await?;
    a.until(Duration::from_secs(600), Device::in_sync).await?;
    let upload_s = t.elapsed().as_secs_f64();
    let heads = a.doc.get_heads();
    let saved = a.doc.save();
    let t = Instant::now();
    automerge::Automerge::load(&saved)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    automerge::Automerge::load_unverified_heads(&saved)?;
    let load_unverified_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut report = BigDocReport {
        contacts: shape.contacts,
        interactions: shape.interactions,
        notes: shape.notes,
        changes: a.doc.get_changes(&[]).len(),
        saved_bytes: saved.len(),
        load_ms,
        load_unverified_ms,
        generate_s,
        upload_s,
        ..BigDocReport::default()
    };
    eprintln!("syncbench: uploaded {} changes in {upload_s:.1}s; fresh-device syncs", report.changes);

    let mut warm = Vec::new();
    for _ in 0..fresh_syncs {
        warm.push(fresh_device(&url, doc_id, &heads).await?);
    }
    a.close().await;
    let mut cold = Vec::new();
    for _ in 0..fresh_syncs {
        wait_until_dropped(&server.base_url, idle_secs).await?;
        cold.push(fresh_device(&url, doc_id, &heads).await?);
    }
    report.warm = summarize(&warm);
    report.cold = summarize(&cold);
    Ok(report)
}

/// A device with nothing: connect, request, apply until it holds `heads`.
async fn fresh_device(url: &str, doc_id: &str, heads: &[ChangeHash]) -> anyhow::Result<Sample> {
    let started = Instant::now();
    let mut b = Device::connect(url, doc_id, AutoCommit::new(), false).await?;
    let (mut first_message, mut applying) = (None, Duration::ZERO);
    while !heads.iter().all(|h| b.has_change(h)) {
        let msg = tokio::time::timeout(Duration::from_secs(60), b.next()).await??;
        if first_message.is_none() && matches!(msg, Message::Sync { .. }) {
            first_message = Some(started.elapsed());
        }
        let t = Instant::now();
        b.handle(msg).await?;
        applying += t.elapsed();
    }
    let total = started.elapsed();
    b.close().await;
    Ok(Sample { total, first_message: first_message.unwrap_or(total), applying })
}

/// Waits for the idle sweep to drop every document from the server's memory.
async fn wait_until_dropped(base_url: &str, idle_secs: u64) -> anyhow::Result<()> {
    let limit = Duration::from_secs(idle_secs * 3 + 30);
    let started = Instant::now();
    loop {
        let g = scrape::gauges(base_url).await?;
        if g.documents_in_memory == Some(0.0) {
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < limit, "the document stayed in memory for {limit:?}: {g:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn summarize(samples: &[Sample]) -> Runs {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let runs_ms: Vec<f64> = samples.iter().map(|s| ms(s.total)).collect();
    Runs {
        min_ms: runs_ms.iter().copied().fold(f64::INFINITY, f64::min),
        median_ms: median(runs_ms.clone()),
        first_message_median_ms: median(samples.iter().map(|s| ms(s.first_message)).collect()),
        device_apply_median_ms: median(samples.iter().map(|s| ms(s.applying)).collect()),
        runs_ms,
    }
}
