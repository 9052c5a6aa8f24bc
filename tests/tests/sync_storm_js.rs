//! Finding 5 of issue 12: 100 users × 2 devices connect with the official automerge-repo
//! client within 4 s while another busy process shares the CPU. The official WebSocket
//! adapter waits only 1 s for the server's `peer` reply before `find` says "unavailable", so
//! every device opening its own document shows the handshake never waits behind heavy work.
//!
//! This is the acceptance test, not a regression test: on an otherwise quiet machine
//! the server before the storm work passed it too (its failures came with a third load on the
//! machine, when the Node process itself starved). The server-side numbers are in
//! docs/benchmarks.md ("Reconnect storm", stormbench).
//!
//! Why 200 devices over 4 s (50 arrivals a second) and not the 400 over 2 s: one Node
//! process hosts every official client, and on the 2-core machine it shares the CPU with the
//! busy loop and a debug `kith`. Past what that process can keep up with, a queue builds in
//! Node and the test measures the test machine. Measured on 2026-12-07 (14:18–14:25 UTC): 400
//! devices over 4 s failed 4 runs of 4 (5, 258, 279 and 303 "unavailable"; Node-side socket →
//! `peer` p50 0.9–1.9 s), while stormbench's Rust clients in the same storm beside the same
//! busy loop saw the server answer the upgrade in p99 7.4 ms and `join` → `peer` in p99 2.3 ms
//! (`target/debug/stormbench --devices 400 --spread-ms 4000 --busy`). At 200 devices over 4 s:
//! 3 runs of 3 passed, socket → `peer` p50 18–73 ms, p99 243–335 ms. stormbench measures the
//! server's side of the 2,000-device storm.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use kith_tests::process::{create_account, KithProcess};
use kith_tests::unique_email;

const USERS: usize = 100;
const PASSWORD: &str = "correct horse battery staple";

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// A process that burns one core until dropped: the "backup or build" beside the server.
fn busy_process() -> anyhow::Result<tokio::process::Child> {
    Ok(tokio::process::Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_official_client_of_a_storm_opens_its_document_on_a_busy_machine() -> anyhow::Result<()> {
    let dir = interop_dir();
    anyhow::ensure!(
        dir.join("node_modules/@automerge/automerge-repo").is_dir(),
        "{} has no node_modules: run scripts/setup (it runs `npm ci` there)",
        dir.display()
    );
    let data = tempfile::tempdir()?;
    let db = format!("sqlite://{}", data.path().join("kith.db").display());
    // 200 accounts from one test address: the sign-up throttle is not what is under test.
    let kith = KithProcess::start_with(&db, &[("KITH_SIGNUPS_PER_HOUR", "0")]).await?;
    let users: Vec<serde_json::Value> = futures::stream::iter(0..USERS)
        .map(|_| {
            let base = kith.base_url.clone();
            async move {
                let (token, doc_id) = create_account(&base, &unique_email("storm"), PASSWORD).await?;
                anyhow::Ok(serde_json::json!({ "token": token, "doc_id": doc_id }))
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let users_file = data.path().join("storm-users.json");
    std::fs::write(&users_file, serde_json::to_vec(&users)?)?;

    let _busy = busy_process()?;
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new("node")
            .arg("storm.mjs")
            .current_dir(&dir)
            .env("KITH_URL", &kith.base_url)
            .env("KITH_STORM_USERS", &users_file)
            .env("KITH_STORM_DEVICES", "2")
            .env("KITH_STORM_SPREAD_MS", "4000")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("the storm did not finish within 60 s")?
    .context("running node (scripts/setup installs it)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "node storm.mjs failed:\n{stdout}\n{stderr}");
    let line = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")).with_context(|| format!("no RESULT in {stdout}"))?;
    let result: serde_json::Value = serde_json::from_str(line)?;
    eprintln!("storm: {result}");
    assert_eq!(result["devices"], USERS * 2);
    assert_eq!(result["failed"], 0, "{result}");
    assert_eq!(result["opened"], USERS * 2, "{result}");
    Ok(())
}
