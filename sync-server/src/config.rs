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
// Import limits: far above any real address book (see crdt-model `import::bounds`).
pub const DEFAULT_IMPORT_MAX_BYTES: usize = 20 * 1024 * 1024;
pub const DEFAULT_IMPORT_MAX_CARDS: usize = 50_000;
pub const DEFAULT_IMPORT_MAX_VALUES: usize = 50;
pub const DEFAULT_IMPORT_MAX_CARD_LINES: usize = 5_000;
pub const DEFAULT_IMPORT_MAX_NOTE_TEXT: usize = 2_000_000;
pub const DEFAULT_IMPORT_TIMEOUT_SECS: u64 = 60;
// auth hardening
pub const DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: usize = 5;
pub const DEFAULT_LOGIN_FAILURES_PER_ADDRESS: usize = 20;
pub const DEFAULT_LOGIN_FAILURES_PER_ACCOUNT: usize = 50;
pub const DEFAULT_SIGNUPS_PER_HOUR: usize = 30;
pub const DEFAULT_HTTP_HEADER_TIMEOUT_SECS: u64 = 10;
/// Four times the default message limit: a legitimately compressed change never comes near.
pub const DEFAULT_MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
pub const DEFAULT_SYNC_JOIN_TIMEOUT_SECS: u64 = 10;
// connection storm
/// On SQLite; on PostgreSQL the cache is off unless set (see `Config::session_cache_secs`).
pub const DEFAULT_SESSION_CACHE_SECS: u64 = 10;
pub const DEFAULT_SESSION_CACHE_ENTRIES: usize = 20_000;

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
    pub reminders: ReminderConfig,

    // --- Import limits (issue 12: hostile uploads). ---
    /// Largest vCard/CSV file accepted by `POST /api/v1/import`.
    #[arg(long, env = "KITH_IMPORT_MAX_BYTES", default_value_t = DEFAULT_IMPORT_MAX_BYTES)]
    pub import_max_bytes: usize,

    /// Most contacts (cards or rows) in one import; more refuses the file.
    #[arg(long, env = "KITH_IMPORT_MAX_CARDS", default_value_t = DEFAULT_IMPORT_MAX_CARDS)]
    pub import_max_cards: usize,

    /// Most emails, phones, addresses, URLs or groups kept per contact; the rest are dropped
    /// with a warning.
    #[arg(long, env = "KITH_IMPORT_MAX_VALUES", default_value_t = DEFAULT_IMPORT_MAX_VALUES)]
    pub import_max_values: usize,

    /// Most property lines in one vCard; a longer card is refused (the rest imports).
    #[arg(long, env = "KITH_IMPORT_MAX_CARD_LINES", default_value_t = DEFAULT_IMPORT_MAX_CARD_LINES)]
    pub import_max_card_lines: usize,

    /// Most note characters in one import (each note is also cut at 10,000); more refuses
    /// the file.
    #[arg(long, env = "KITH_IMPORT_MAX_NOTE_TEXT", default_value_t = DEFAULT_IMPORT_MAX_NOTE_TEXT)]
    pub import_max_note_text: usize,

    /// Seconds one import may take to read, match and build; past it the file is refused.
    #[arg(long, env = "KITH_IMPORT_TIMEOUT_SECS", default_value_t = DEFAULT_IMPORT_TIMEOUT_SECS)]
    pub import_timeout_secs: u64,

    // --- auth hardening: login and sign-up limits, /metrics access (see auth::limiter) ---
    /// Wrong passwords for one account from one address before each further try waits
    /// (2 s, doubling up to 15 min); the right password clears it.
    #[arg(long, env = "KITH_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS", default_value_t = DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS)]
    pub login_failures_per_account_address: usize,

    /// Wrong passwords from one address, over all accounts, before it waits. Accounts that
    /// have logged in from that address before are exempt.
    #[arg(long, env = "KITH_LOGIN_FAILURES_PER_ADDRESS", default_value_t = DEFAULT_LOGIN_FAILURES_PER_ADDRESS)]
    pub login_failures_per_address: usize,

    /// Wrong passwords on one account from addresses it has not logged in from (distributed
    /// guessing), before those addresses wait. Its recognised addresses are exempt.
    #[arg(long, env = "KITH_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = DEFAULT_LOGIN_FAILURES_PER_ACCOUNT)]
    pub login_failures_per_account: usize,

    /// Sign-up attempts per client address per hour (taken emails count too); 0 = no limit.
    #[arg(long, env = "KITH_SIGNUPS_PER_HOUR", default_value_t = DEFAULT_SIGNUPS_PER_HOUR)]
    pub signups_per_hour: usize,

    /// When set, `GET /metrics` answers only requests with `Authorization: Bearer <token>`.
    #[arg(long, env = "KITH_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    // --- HTTP connection hardening (issue 12: slowloris) ---
    /// Seconds a client has to send a request's headers, counted from when the server
    /// starts waiting for them: on a new connection, and between requests on a kept-alive
    /// one (so it is also the idle keep-alive timeout). Past it the connection is closed.
    #[arg(long, env = "KITH_HTTP_HEADER_TIMEOUT_SECS", default_value_t = DEFAULT_HTTP_HEADER_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub http_header_timeout_secs: u64,

    // --- sync hardening (hostile peers) ---
    /// Largest size one sync message's changes may inflate to (compressed automerge chunks);
    /// bigger is refused with a protocol error before any of it is held in memory.
    #[arg(long, env = "KITH_MAX_INFLATED_BYTES", default_value_t = DEFAULT_MAX_INFLATED_BYTES)]
    pub max_inflated_bytes: u64,

    /// Seconds a new /sync socket may take to send `join` before it is closed.
    #[arg(long, env = "KITH_SYNC_JOIN_TIMEOUT_SECS", default_value_t = DEFAULT_SYNC_JOIN_TIMEOUT_SECS)]
    pub sync_join_timeout_secs: u64,

    // --- connection storm (issue 12, finding 5) ---
    /// Seconds a confirmed token is answered from memory instead of the database. Sign-outs
    /// on this instance take effect at once regardless; ones made by another process
    /// (`kith user reset-password`, another instance) within this time. 0 = no cache.
    /// Unset: 10 on SQLite, off on PostgreSQL (other instances end sessions this one does
    /// not hear about; set it to accept that window).
    #[arg(long, env = "KITH_SESSION_CACHE_SECS")]
    pub session_cache_secs: Option<u64>,

    /// Most tokens the session cache holds.
    #[arg(long, env = "KITH_SESSION_CACHE_ENTRIES", default_value_t = DEFAULT_SESSION_CACHE_ENTRIES)]
    pub session_cache_entries: usize,
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
            import_max_bytes: DEFAULT_IMPORT_MAX_BYTES,
            import_max_cards: DEFAULT_IMPORT_MAX_CARDS,
            import_max_values: DEFAULT_IMPORT_MAX_VALUES,
            import_max_card_lines: DEFAULT_IMPORT_MAX_CARD_LINES,
            import_max_note_text: DEFAULT_IMPORT_MAX_NOTE_TEXT,
            import_timeout_secs: DEFAULT_IMPORT_TIMEOUT_SECS,
            login_failures_per_account_address: DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS,
            login_failures_per_address: DEFAULT_LOGIN_FAILURES_PER_ADDRESS,
            login_failures_per_account: DEFAULT_LOGIN_FAILURES_PER_ACCOUNT,
            signups_per_hour: DEFAULT_SIGNUPS_PER_HOUR,
            metrics_token: None,
            http_header_timeout_secs: DEFAULT_HTTP_HEADER_TIMEOUT_SECS,
            max_inflated_bytes: DEFAULT_MAX_INFLATED_BYTES,
            sync_join_timeout_secs: DEFAULT_SYNC_JOIN_TIMEOUT_SECS,
            session_cache_secs: None,
            session_cache_entries: DEFAULT_SESSION_CACHE_ENTRIES,
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

    /// How long the session cache keeps a confirmed token: as configured, else 10 s on SQLite
    /// and off on PostgreSQL, where another instance may end a session without this one
    /// hearing of it.
    pub fn session_cache_ttl(&self) -> std::time::Duration {
        let default = if self.database_url().starts_with("postgres") { 0 } else { DEFAULT_SESSION_CACHE_SECS };
        std::time::Duration::from_secs(self.session_cache_secs.unwrap_or(default))
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
            .field("import_max_bytes", &self.import_max_bytes)
            .field("import_max_cards", &self.import_max_cards)
            .field("import_max_values", &self.import_max_values)
            .field("import_max_card_lines", &self.import_max_card_lines)
            .field("import_max_note_text", &self.import_max_note_text)
            .field("import_timeout_secs", &self.import_timeout_secs)
            .field("login_failures_per_account_address", &self.login_failures_per_account_address)
            .field("login_failures_per_address", &self.login_failures_per_address)
            .field("login_failures_per_account", &self.login_failures_per_account)
            .field("signups_per_hour", &self.signups_per_hour)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("http_header_timeout_secs", &self.http_header_timeout_secs)
            .field("max_inflated_bytes", &self.max_inflated_bytes)
            .field("sync_join_timeout_secs", &self.sync_join_timeout_secs)
            .field("session_cache_secs", &self.session_cache_secs)
            .field("session_cache_entries", &self.session_cache_entries)
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
    fn debug_redacts_the_metrics_token() {
        let config = Config { metrics_token: Some("scrape-me-s3cret".into()), ..Config::default() };
        let shown = format!("{config:?}");
        assert!(!shown.contains("scrape-me-s3cret"), "{shown}");
        assert!(shown.contains("metrics_token: Some(\"***\")"), "{shown}");
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

    #[test]
    fn the_session_cache_is_on_for_sqlite_and_opt_in_for_postgres() {
        use std::time::Duration;
        let sqlite = Config::default();
        assert_eq!(sqlite.session_cache_ttl(), Duration::from_secs(DEFAULT_SESSION_CACHE_SECS));
        let mut pg = Config { database_url: Some("postgres://kith@db/kith".into()), ..Config::default() };
        assert_eq!(pg.session_cache_ttl(), Duration::ZERO, "other instances end sessions unheard");
        pg.session_cache_secs = Some(5);
        assert_eq!(pg.session_cache_ttl(), Duration::from_secs(5));
        let off = Config { session_cache_secs: Some(0), ..Config::default() };
        assert_eq!(off.session_cache_ttl(), Duration::ZERO);
    }
}

/// Reminder flags of `kith serve` (each with an environment variable). `Debug` hides the
/// SMTP URL's password.
#[derive(clap::Args, Clone)]
pub struct ReminderConfig {
    /// How often workers look for due nudges, in seconds.
    #[arg(long = "reminder-tick-secs", env = "KITH_REMINDER_TICK_SECS", default_value_t = 30)]
    pub tick_secs: u64,

    /// Contact URI for push services (`mailto:you@example.org` or `https://…`). Required
    /// before any push is sent; without it reminders are planned but not delivered.
    #[arg(long, env = "KITH_VAPID_SUBJECT")]
    pub vapid_subject: Option<String>,

    /// FOR TESTS ONLY: also accept `http://127.0.0.1:<port>` push endpoints (a local push
    /// service). Real push services are always `https://`. Accepts 1/0, true/false.
    #[arg(
        long,
        env = "KITH_PUSH_ALLOW_HTTP_LOOPBACK",
        default_value = "false",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub push_allow_http_loopback: bool,

    /// Upper bound for one push request, in milliseconds.
    #[arg(long, env = "KITH_PUSH_TIMEOUT_MS", default_value_t = 10_000)]
    pub push_timeout_ms: u64,

    /// Reminder worker tasks in this instance (instances also share the work).
    #[arg(long = "reminder-workers", env = "KITH_REMINDER_WORKERS", default_value_t = 1)]
    pub workers: usize,

    /// Quiet time after a document change before its user's nudges are re-planned.
    #[arg(long, env = "KITH_REPLAN_DEBOUNCE_MS", default_value_t = 300)]
    pub replan_debounce_ms: u64,

    /// SMTP server for email reminders, in lettre's URL form: `smtps://user:pass@host:465`
    /// (TLS), `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtp://host:25` (plain;
    /// a local relay). Without it the email channel is not offered.
    #[arg(long, env = "KITH_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of reminder emails (`Kith <kith@example.org>`); also the default VAPID contact.
    #[arg(long, env = "KITH_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// The address people reach this server at (`https://kith.example.org`), for links in
    /// emails and ntfy messages. Default: `http://` and the listen address.
    #[arg(long, env = "KITH_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl ReminderConfig {
    /// `KITH_PUBLIC_URL` without a trailing slash, else `http://<listen>` (`localhost` for an
    /// unspecified listen address).
    pub fn public_url(&self, listen: SocketAddr) -> String {
        match self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if listen.ip().is_unspecified() => format!("http://localhost:{}", listen.port()),
            None => format!("http://{listen}"),
        }
    }
}

impl Default for ReminderConfig {
    fn default() -> Self {
        ReminderConfig {
            tick_secs: 30,
            vapid_subject: None,
            push_allow_http_loopback: false,
            push_timeout_ms: 10_000,
            workers: 1,
            replan_debounce_ms: 300,
            smtp_url: None,
            smtp_from: None,
            public_url: None,
        }
    }
}

impl fmt::Debug for ReminderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReminderConfig")
            .field("tick_secs", &self.tick_secs)
            .field("vapid_subject", &self.vapid_subject)
            .field("push_allow_http_loopback", &self.push_allow_http_loopback)
            .field("push_timeout_ms", &self.push_timeout_ms)
            .field("workers", &self.workers)
            .field("replan_debounce_ms", &self.replan_debounce_ms)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("smtp_from", &self.smtp_from)
            .field("public_url", &self.public_url)
            .finish()
    }
}
