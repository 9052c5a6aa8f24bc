//! Interop with the official client: `tests/interop/interop.test.mjs` (node:test, using
//! `@automerge/automerge-repo` 2.5.6 and its WebSocket adapter, installed by `npm ci` in
//! scripts/setup) signs up against a real kith, edits through the official Repo, and a second
//! JS client sees it live; then a Rust device logs in and sees the same edits.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use kith_tests::client::Device;
use kith_tests::{unique_email, TestServer};

const PASSWORD: &str = "correct horse battery staple";

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

#[tokio::test]
async fn the_official_js_client_and_a_rust_device_share_one_document() -> anyhow::Result<()> {
    let dir = interop_dir();
    anyhow::ensure!(
        dir.join("node_modules/@automerge/automerge-repo").is_dir(),
        "{} has no node_modules: run scripts/setup (it runs `npm ci` there)",
        dir.display()
    );
    let server = TestServer::start().await?;
    let email = unique_email("interop");
    let contact_id = uuid::Uuid::new_v4().to_string();
    let output = tokio::time::timeout(
        Duration::from_secs(180),
        tokio::process::Command::new("node")
            .args(["--test", "interop.test.mjs"])
            .current_dir(&dir)
            .env("KITH_URL", &server.base_url)
            .env("KITH_EMAIL", &email)
            .env("KITH_PASSWORD", PASSWORD)
            .env("KITH_CONTACT_ID", &contact_id)
            .env("KITH_CONTACT_NAME", "Ada Lovelace")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("node --test did not finish within 180 s")?
    .context("running node (scripts/setup installs it)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "node --test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("# pass 1"), "{stdout}");

    // A Rust device of the same user sees what the official client wrote.
    let (token, doc) = server.login(&email, PASSWORD).await?;
    let mut device = Device::new(&doc);
    device.connect(&server.ws_url("/sync"), &token).await?;
    device.sync().await?;
    let loaded = crdt_model::load(&device.doc);
    let contact = loaded
        .doc
        .contacts
        .values()
        .find(|c| c.id.to_string() == contact_id)
        .with_context(|| format!("no contact {contact_id} in {:?}", loaded.doc.contacts.keys().collect::<Vec<_>>()))?;
    assert_eq!(contact.name.display, "Ada Lovelace");
    assert_eq!(contact.nickname, "Countess", "the second JS client's live edit");
    assert_eq!(contact.cadence_days, Some(14));
    Ok(())
}
