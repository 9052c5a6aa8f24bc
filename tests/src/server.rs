//! `TestServer`: the real `kith` server on 127.0.0.1:0 with a fresh SQLite file in a temp
//! dir, stopped when dropped. Tests never share one, so they can run in parallel.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use reminders::Clock;
use serde_json::{json, Value};
use sync_server::app;
use sync_server::config::Config;
use sync_server::state::AppState;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub base_url: String,
    pub addr: SocketAddr,
    /// The server's state (store, config, ...), for tests that look behind the API.
    pub state: AppState,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    /// The reminder service's clock, when the test drives time (kept across restarts).
    reminder_clock: Option<Arc<dyn Clock>>,
    // Declared last: dropped after the server task is told to stop.
    data: DataDir,
}

enum DataDir {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl DataDir {
    fn path(&self) -> &Path {
        match self {
            DataDir::Temp(dir) => dir.path(),
            DataDir::Kept(path) => path,
        }
    }
}

impl TestServer {
    /// A fresh server with default settings.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(|_| {}).await
    }

    /// A fresh server; `tweak` adjusts the config first (limits, idle timeout, ...).
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("temp data dir")?;
        Self::launch(DataDir::Temp(dir), tweak, None).await
    }

    /// A fresh server that reads time from `clock` (the server has one clock: handlers,
    /// sessions, planning, workers, notification actions), so a test can move days ahead without sleeping.
    pub async fn start_with_clock(clock: Arc<dyn Clock>, tweak: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("temp data dir")?;
        Self::launch(DataDir::Temp(dir), tweak, Some(clock)).await
    }

    async fn launch(
        data: DataDir,
        tweak: impl FnOnce(&mut Config),
        reminder_clock: Option<Arc<dyn Clock>>,
    ) -> anyhow::Result<Self> {
        let mut config = Config::with_data_dir(data.path());
        // Tests must not depend on whether someone built the web client.
        config.web_dir = Some(data.path().join("no-web-client"));
        tweak(&mut config);
        Self::launch_config(data, config, reminder_clock).await
    }

    async fn launch_config(data: DataDir, mut config: Config, reminder_clock: Option<Arc<dyn Clock>>) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("bind")?;
        let addr = listener.local_addr().context("local addr")?;
        // The address links in emails point to (the default `KITH_PUBLIC_URL`).
        config.listen = addr;
        // Prepared here, not inside the task, so a failing start is this call's error
        // rather than a test hanging on a server that never answers.
        let mut state = app::prepare(config).await?;
        if let Some(clock) = &reminder_clock {
            state.clock = clock.clone();
        }
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        Ok(TestServer {
            base_url: format!("http://{addr}"),
            addr,
            state,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
            reminder_clock,
            data,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `ws://127.0.0.1:<port><path>`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Creates an account; returns `(token, doc_id)`.
    pub async fn signup(&self, email: &str, password: &str) -> anyhow::Result<(String, String)> {
        let response = self
            .http
            .post(self.url("/api/v1/accounts"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        anyhow::ensure!(status.as_u16() == 201, "signup failed: {status} {body}");
        Ok((string_field(&body, "token")?, string_field(&body, "doc_id")?))
    }

    /// Logs in; returns `(token, doc_id)`.
    pub async fn login(&self, email: &str, password: &str) -> anyhow::Result<(String, String)> {
        let response = self
            .http
            .post(self.url("/api/v1/sessions"))
            .json(&json!({ "email": email, "password": password, "device_name": "test" }))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        anyhow::ensure!(status.is_success(), "login failed: {status} {body}");
        Ok((string_field(&body, "token")?, string_field(&body, "doc_id")?))
    }

    /// Stops the server (gracefully, then forcibly after 5 s) and keeps its data dir and
    /// config, so [`Stopped::start`] can bring it back on the same data (on a new port).
    pub async fn stop(mut self) -> Stopped {
        self.shut_down().await;
        let config = (*self.state.config).clone();
        let data = std::mem::replace(&mut self.data, DataDir::Kept(PathBuf::new()));
        Stopped { data, config, reminder_clock: self.reminder_clock.take() }
    }

    /// `stop()` then `start()`: a restart on the same data dir and config.
    pub async fn restart(self) -> anyhow::Result<TestServer> {
        self.stop().await.start().await
    }

    async fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            // Open WebSockets may hold a graceful shutdown forever; don't let them.
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), task).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// A stopped server's data dir and config.
pub struct Stopped {
    data: DataDir,
    config: Config,
    reminder_clock: Option<Arc<dyn Clock>>,
}

impl Stopped {
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub async fn start(self) -> anyhow::Result<TestServer> {
        TestServer::launch_config(self.data, self.config, self.reminder_clock).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn string_field(body: &Value, name: &str) -> anyhow::Result<String> {
    body.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .with_context(|| format!("no string {name:?} in {body}"))
}

/// An email no other test uses.
pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.test", uuid::Uuid::new_v4().simple())
}
