//! `kith user export EMAIL FILE`: the account's whole document as the same JSON that
//! `GET /api/v1/export.json` returns, read straight from the store (the server may be
//! running: reading chunks is an ordinary query, and every stored chunk is complete).

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::auth::normalize_email;
use crate::config::{redact_url, Config};
use crate::sync::document::Document;

pub async fn export(config: &Config, email: &str, file: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let store = crate::store::open(&config.database_url())
        .await
        .with_context(|| format!("opening database {}", redact_url(&config.database_url())))?;
    let email = normalize_email(email);
    let user = store.user_by_email(&email).await?.with_context(|| format!("no account with email {email}"))?;
    let chunks = store.load_chunks(user.doc_id).await?;
    let document = Document::load(chunks);
    let json = crdt_model::export::export_json(document.automerge(), chrono::Utc::now());
    let bytes = serde_json::to_vec_pretty(&json)?;
    // Never overwrite: an export is often written next to older ones.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .with_context(|| format!("creating {} (it must not exist yet)", file.display()))?;
    f.write_all(&bytes).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", file.display()))?;
    let len = |key: &str| json[key].as_object().map_or(0, serde_json::Map::len);
    writeln!(
        out,
        "Exported {} contact(s), {} interaction(s), {} note(s) of {email} to {}",
        len("contacts"),
        len("interactions"),
        len("notes"),
        file.display()
    )?;
    Ok(())
}
