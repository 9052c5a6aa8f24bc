//! Measurement 4: one authenticated device asks for 20,000 documents it may not have —
//! alternately other users' real document ids and ids that exist nowhere. Each must get
//! `doc-unavailable`, and the server must keep nothing for them.

use std::time::Instant;

use automerge::AutoCommit;
use kith_tests::device::Device;
use kith_tests::process::KithProcess;
use sync_server::ids::DocId;
use sync_server::sync::messages::Message;

use super::scrape;

/// Requests in flight at a time, so the socket stays busy without unbounded buffering.
const WINDOW: usize = 100;

#[derive(Debug, Default, serde::Serialize)]
pub struct ProbeReport {
    pub requests: usize,
    pub unavailable: usize,
    /// Anything but doc-unavailable for a foreign id: must be zero.
    pub other_answers: usize,
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
    pub documents_in_memory_after: Option<f64>,
    pub requests_per_s: f64,
}

pub async fn run(
    server: &KithProcess,
    (token, own_doc): &(String, String),
    foreign: &[String],
    requests: usize,
    rss: &impl Fn() -> f64,
) -> anyhow::Result<ProbeReport> {
    let mut device = Device::connect(&server.sync_url(token), own_doc, AutoCommit::new(), false).await?;
    device.until(std::time::Duration::from_secs(30), Device::in_sync).await?;
    let mut report = ProbeReport { requests, rss_before_mib: rss(), ..ProbeReport::default() };
    let started = Instant::now();
    let mut sent = 0usize;
    while sent < requests {
        let batch = WINDOW.min(requests - sent);
        for i in sent..sent + batch {
            let id = if i % 2 == 1 && !foreign.is_empty() {
                foreign[(i / 2) % foreign.len()].clone()
            } else {
                DocId::random().to_string()
            };
            device.request_other(&id).await?;
        }
        sent += batch;
        let mut answered = 0;
        while answered < batch {
            match device.next().await? {
                Message::DocUnavailable { .. } => {
                    report.unavailable += 1;
                    answered += 1;
                }
                Message::Sync { document_id, .. } | Message::Request { document_id, .. } if document_id != *own_doc => {
                    report.other_answers += 1;
                    answered += 1;
                }
                other => {
                    // our own document's sync traffic: not an answer to a probe
                    device.handle(other).await?;
                }
            }
        }
    }
    report.requests_per_s = requests as f64 / started.elapsed().as_secs_f64();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    report.rss_after_mib = rss();
    report.documents_in_memory_after = scrape::gauges(&server.base_url).await?.documents_in_memory;
    device.close().await;
    Ok(report)
}
