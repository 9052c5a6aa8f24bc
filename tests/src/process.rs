//! The real `kith` binary as a child process, for tests that need several server instances
//! (or to kill one). Listens on 127.0.0.1:0 and reports the address it bound.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// `target/<profile>/kith`: next to the test executable's `deps/` directory, or next to the
/// running binary itself (the benchmark programs). `scripts/test` builds it
/// (`cargo build --workspace --all-targets`) before running tests.
pub fn kith_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent();
    let in_deps = dir.and_then(|d| d.file_name()).is_some_and(|n| n == "deps");
    let profile_dir = if in_deps { dir.and_then(|d| d.parent()) } else { dir }
        .ok_or_else(|| anyhow::anyhow!("cannot locate the target directory from {}", exe.display()))?;
    // Tests run `kith_under_test`, this package's copy of `kith`: cargo rebuilds it with the
    // tests, so a test never runs a stale server. Benchmark programs run the `kith` beside them.
    let bin = profile_dir.join(if in_deps { "kith_under_test" } else { "kith" });
    anyhow::ensure!(
        bin.is_file(),
        "{} not found: build it first (`cargo build -p kith-tests --bins`, or `-p sync-server --bin kith` for benchmarks)",
        bin.display()
    );
    Ok(bin)
}

pub struct KithProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub base_url: String,
    _data_dir: tempfile::TempDir,
}

impl KithProcess {
    /// Starts `kith serve` on `database_url` and waits (up to 60 s) until it listens.
    pub async fn start(database_url: &str) -> anyhow::Result<Self> {
        Self::start_with(database_url, &[]).await
    }

    pub async fn start_with(database_url: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let mut cmd = Command::new(kith_binary()?);
        cmd.arg("serve")
            .env("KITH_LISTEN", "127.0.0.1:0")
            .env("KITH_DATABASE_URL", database_url)
            .env("KITH_DATA_DIR", data_dir.path())
            .env("NO_COLOR", "1")
            // KITH_TEST_LOG: the children's RUST_LOG when chasing a failure.
            .env("RUST_LOG", std::env::var("KITH_TEST_LOG").unwrap_or_else(|_| "info".to_owned()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let find = async {
            while let Some(line) = lines.next_line().await? {
                eprintln!("[kith] {line}");
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != ',').collect();
                    return Ok(format!("http://{addr}"));
                }
            }
            anyhow::bail!("kith exited before it listened")
        };
        let base_url = tokio::time::timeout(Duration::from_secs(60), find)
            .await
            .map_err(|_| anyhow::anyhow!("kith did not start listening within 60 s"))??;
        // Keep draining the log so the child never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[kith] {line}");
            }
        });
        Ok(KithProcess { child, base_url, _data_dir: data_dir })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// SIGTERM, as an init system stops a service. Returns once the signal is sent.
    pub async fn signal_term(&self) -> anyhow::Result<()> {
        let pid = self.pid().ok_or_else(|| anyhow::anyhow!("kith has already exited"))?;
        let sent = Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        anyhow::ensure!(sent.success(), "kill -TERM {pid} failed: {sent}");
        Ok(())
    }

    /// Waits up to `wait` for the process to exit.
    pub async fn wait_exit(&mut self, wait: Duration) -> anyhow::Result<std::process::ExitStatus> {
        tokio::time::timeout(wait, self.child.wait())
            .await
            .map_err(|_| anyhow::anyhow!("kith did not exit within {wait:?}"))?
            .map_err(Into::into)
    }

    /// SIGKILL: no graceful shutdown, as when a machine dies.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// `ws://…/sync?token=…`
    pub fn sync_url(&self, token: &str) -> String {
        format!("{}/sync?token={token}", self.base_url.replacen("http://", "ws://", 1))
    }
}

/// A new account on `base_url`: (token, doc id).
pub async fn create_account(base_url: &str, email: &str, password: &str) -> anyhow::Result<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Created {
        token: String,
        doc_id: String,
    }
    let resp = reqwest::Client::new()
        .post(format!("{base_url}/api/v1/accounts"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await?;
    anyhow::ensure!(resp.status().is_success(), "create account: HTTP {}", resp.status());
    let c: Created = resp.json().await?;
    Ok((c.token, c.doc_id))
}
