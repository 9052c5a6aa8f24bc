//! `kith serve` configuration: flags, each with an environment variable, and defaults that
//! make a bare `kith serve` work on a laptop (127.0.0.1:8080, SQLite under ./kith-data).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "kith-data";
pub const DEFAULT_WEB_DIR: &str = "web-client/dist";
pub const DEFAULT_DOC_IDLE_SECS: u64 = 60;
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
pub const DEFAULT_MAX_DOC_BYTES: usize = 64 * 1024 * 1024;
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_SHUTDOWN_SECS: u64 = 10;
/// Four times the default message limit: a legitimately compressed change never comes near.
pub const DEFAULT_MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
pub const DEFAULT_SYNC_JOIN_TIMEOUT_SECS: u64 = 10;

#[derive(clap::Parser, Debug)]
#[command(name = "kith", version, about = "Kith: a local-first personal relationship manager")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Serve the HTTP API, WebSocket sync and the web client.
    Serve(Config),
}

/// Everything the server reads at start. Passed around as `Arc<Config>`, never global.
#[derive(clap::Args, Clone)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KITH_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://path/to/kith.db` or `postgres://…`.
    /// Default: SQLite at `<data dir>/kith.db`.
    // `hide_env_values`: `--help` must not print a password taken from the environment.
    #[arg(long, env = "KITH_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory for the SQLite database and other server state; created if missing.
    #[arg(long, env = "KITH_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,

    /// Built web client to serve at `/`. Default: `web-client/dist` if it exists.
    #[arg(long, env = "KITH_WEB_DIR")]
    pub web_dir: Option<PathBuf>,

    /// On SIGTERM, seconds to let open connections and in-flight work finish before exiting.
    #[arg(long, env = "KITH_SHUTDOWN_SECS", default_value_t = DEFAULT_SHUTDOWN_SECS)]
    pub shutdown_secs: u64,

    /// Seconds a document stays in memory after its last connection closes.
    #[arg(long, env = "KITH_DOC_IDLE_SECS", default_value_t = DEFAULT_DOC_IDLE_SECS)]
    pub doc_idle_secs: u64,

    /// Largest WebSocket sync message accepted.
    #[arg(long, env = "KITH_MAX_MESSAGE_BYTES", default_value_t = DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,

    /// Largest a user's document may grow (per-user quota).
    #[arg(long, env = "KITH_MAX_DOC_BYTES", default_value_t = DEFAULT_MAX_DOC_BYTES)]
    pub max_doc_bytes: usize,

    /// Behind a reverse proxy: take the client address (for login rate limits) from the
    /// last `X-Forwarded-For` entry, which the proxy appends. Never enable this when clients
    /// reach Kith directly, or they can claim any address.
    #[arg(long, env = "KITH_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Largest HTTP request body the JSON API accepts (routes may raise it for uploads).
    #[arg(long, env = "KITH_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Reminders and Web Push (`KITH_REMINDER_TICK_SECS`, `KITH_VAPID_SUBJECT`, ...).
    #[command(flatten)]
    pub reminders: crate::reminder_service::ReminderConfig,

    // --- sync hardening (hostile peers) ---
    /// Largest size one sync message's changes may inflate to (compressed automerge chunks);
    /// bigger is refused with a protocol error before any of it is held in memory.
    #[arg(long, env = "KITH_MAX_INFLATED_BYTES", default_value_t = DEFAULT_MAX_INFLATED_BYTES)]
    pub max_inflated_bytes: u64,

    /// Seconds a new /sync socket may take to send `join` before it is closed.
    #[arg(long, env = "KITH_SYNC_JOIN_TIMEOUT_SECS", default_value_t = DEFAULT_SYNC_JOIN_TIMEOUT_SECS)]
    pub sync_join_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            web_dir: None,
            shutdown_secs: DEFAULT_SHUTDOWN_SECS,
            doc_idle_secs: DEFAULT_DOC_IDLE_SECS,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            trust_forwarded_for: false,
            reminders: Default::default(),
            max_inflated_bytes: DEFAULT_MAX_INFLATED_BYTES,
            sync_join_timeout_secs: DEFAULT_SYNC_JOIN_TIMEOUT_SECS,
        }
    }
}

impl Config {
    /// Defaults with the data (and SQLite database) under `data_dir`; handy for tests.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config { data_dir: data_dir.into(), ..Config::default() }
    }

    /// The database URL to open: the configured one, or SQLite inside the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("kith.db").display()),
        }
    }

    /// The web client directory to serve: the configured one, else `web-client/dist`; either
    /// only if it holds an `index.html` (a build).
    pub fn web_dir(&self) -> Option<PathBuf> {
        let dir = self.web_dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_WEB_DIR));
        dir.join("index.html").is_file().then_some(dir)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url()))
            .field("data_dir", &self.data_dir)
            .field("web_dir", &self.web_dir)
            .field("shutdown_secs", &self.shutdown_secs)
            .field("doc_idle_secs", &self.doc_idle_secs)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("max_doc_bytes", &self.max_doc_bytes)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("reminders", &self.reminders)
            .field("max_inflated_bytes", &self.max_inflated_bytes)
            .field("sync_join_timeout_secs", &self.sync_join_timeout_secs)
            .finish()
    }
}

/// Hides the password of a database URL, both `user:secret@host` and `?password=secret`,
/// so the URL can be logged and shown in `Debug`.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                    let hidden = if userinfo.contains(':') { ":***" } else { "" };
                    format!("{scheme}://{user}{hidden}@{host}{path}")
                }
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_param(k) => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

fn is_secret_param(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("password") || key == "pass" || key.contains("secret") || key.contains("token")
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn debug_redacts_database_password() {
        let config = Config {
            database_url: Some("postgres://kith:hunter2secret@db.example:5432/kith".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2secret"), "{shown}");
        assert!(shown.contains("postgres://kith:***@db.example:5432/kith"), "{shown}");
    }

    #[test]
    fn redacts_query_passwords_and_keeps_the_rest() {
        assert_eq!(
            redact_url("postgres://db/kith?user=k&password=s3cret&sslmode=require"),
            "postgres://db/kith?user=k&password=***&sslmode=require"
        );
        assert_eq!(redact_url("sqlite://kith-data/kith.db"), "sqlite://kith-data/kith.db");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/test"), "postgres://postgres@127.0.0.1/test");
        // an '@' in the password must not leak the part before it
        assert_eq!(redact_url("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn bare_serve_uses_laptop_defaults() {
        let cli = Cli::try_parse_from(["kith", "serve"]).expect("parses");
        let Command::Serve(config) = cli.command;
        // Only meaningful without KITH_* in the environment, which is how tests run.
        if std::env::vars().any(|(k, _)| k.starts_with("KITH_")) {
            return;
        }
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://kith-data/kith.db");
        assert_eq!(config.doc_idle_secs, 60);
        assert_eq!(config.max_message_bytes, 16 * 1024 * 1024);
        assert_eq!(config.max_doc_bytes, 64 * 1024 * 1024);
    }

    #[test]
    fn flags_override_defaults() {
        let cli = Cli::try_parse_from([
            "kith", "serve", "--listen", "0.0.0.0:9000", "--data-dir", "/tmp/k",
            "--database-url", "sqlite:///tmp/x.db", "--doc-idle-secs", "5",
        ])
        .expect("parses");
        let Command::Serve(config) = cli.command;
        assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(config.data_dir, PathBuf::from("/tmp/k"));
        assert_eq!(config.database_url(), "sqlite:///tmp/x.db");
        assert_eq!(config.doc_idle_secs, 5);
    }
}
