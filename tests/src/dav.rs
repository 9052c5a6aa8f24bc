//! CardDAV test support: an account with an app password, raw DAV requests with Basic
//! auth, and runs of the tsdav-based client in `tests/dav-client` (installed by
//! scripts/setup with `npm ci`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sync_server::ids::DocId;

use crate::{unique_email, TestServer};

pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-up user with one app password.
pub struct DavAccount {
    pub email: String,
    pub token: String,
    pub doc: String,
    pub app_password: String,
    pub app_password_id: String,
}

impl DavAccount {
    pub async fn create(server: &TestServer, prefix: &str) -> anyhow::Result<Self> {
        let email = unique_email(prefix);
        let (token, doc) = server.signup(&email, PASSWORD).await?;
        let (app_password_id, app_password) = new_app_password(server, &token, "test phone").await?;
        Ok(DavAccount { email, token, doc, app_password, app_password_id })
    }

    pub fn doc_id(&self) -> anyhow::Result<DocId> {
        self.doc.parse().map_err(|_| anyhow::anyhow!("bad doc id {}", self.doc))
    }
}

/// `POST /api/v1/app-passwords`; returns `(id, password)`.
pub async fn new_app_password(server: &TestServer, token: &str, name: &str) -> anyhow::Result<(String, String)> {
    let response = server
        .http()
        .post(server.url("/api/v1/app-passwords"))
        .bearer_auth(token)
        .json(&json!({ "name": name }))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    anyhow::ensure!(status == StatusCode::CREATED, "creating an app password: {status} {body}");
    let field = |k: &str| body[k].as_str().map(str::to_owned).with_context(|| format!("no {k} in {body}"));
    Ok((field("id")?, field("password")?))
}

/// A DAV request with Basic auth (`None`: no credentials).
pub async fn dav(
    server: &TestServer,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> anyhow::Result<(StatusCode, reqwest::header::HeaderMap, String)> {
    let method = Method::from_bytes(method.as_bytes())?;
    let mut request = server.http().request(method, server.url(path)).body(body);
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    Ok((status, headers, response.text().await?))
}

pub fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dav-client")
}

/// One two-way sync run of the tsdav client with `state` kept in `state_file`; returns its
/// JSON report (`pushed`, `changed`, `deleted`, `fetched`, `cards`, `syncToken`).
pub async fn run_client(server: &TestServer, account: &DavAccount, state_file: &Path, actions: Value) -> anyhow::Result<Value> {
    let dir = client_dir();
    anyhow::ensure!(
        dir.join("node_modules/tsdav").is_dir(),
        "{} has no node_modules: run scripts/setup (it runs `npm ci` there)",
        dir.display()
    );
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("node")
            .arg("client.mjs")
            .current_dir(&dir)
            .env("KITH_URL", server.url("/"))
            .env("KITH_EMAIL", &account.email)
            .env("KITH_APP_PASSWORD", &account.app_password)
            .env("STATE_FILE", state_file)
            .env("ACTIONS", actions.to_string())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("the CardDAV client did not finish within 120 s")?
    .context("running node (scripts/setup installs it)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "the CardDAV client failed:\n{stdout}\n{stderr}");
    serde_json::from_str(&stdout).with_context(|| format!("client output is not JSON: {stdout}\n{stderr}"))
}

/// The text of every card the client holds, by URL.
pub fn client_cards(report: &Value) -> Vec<(String, String)> {
    report["cards"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v["data"].as_str().unwrap_or("").to_owned())).collect())
        .unwrap_or_default()
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// The hrefs inside `<d:href>` elements of a multistatus, in order.
pub fn hrefs(body: &str) -> Vec<String> {
    body.split("<d:href>").skip(1).filter_map(|s| s.split("</d:href>").next()).map(str::to_owned).collect()
}

/// The hrefs of the cards (`….vcf`) in a multistatus, in order.
pub fn card_hrefs(body: &str) -> Vec<String> {
    hrefs(body).into_iter().filter(|h| h.ends_with(".vcf")).collect()
}

/// The text of the first `<{name}>` element (`name` with its prefix, e.g. `d:sync-token`).
pub fn element(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{name}>"))? + start;
    Some(body[start..end].to_owned())
}
