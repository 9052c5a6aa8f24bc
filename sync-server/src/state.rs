//! What every handler can reach. Cheap to clone (all `Arc`s); built once per server, never
//! global, so tests run many servers side by side in one process.

use std::sync::Arc;

use chrono::{DateTime, Utc};
pub use reminders::{Clock, SystemClock};

use crate::auth::{LimitPolicy, LoginLimiter, Passwords, SessionCache, SignupLimiter};
use crate::config::Config;
use crate::hub_observer::ServerObserver;
use crate::live::{storage_id_for, ChangeBus, Hub, HubConfig, LiveSockets, LocalBus};
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// The server's one "now": handlers, sessions, rate limits, imports, notification
    /// actions, re-planning and the reminder workers all read it, so a test clock moves them
    /// together (and nothing reads the wall clock deep inside).
    pub clock: Arc<dyn Clock>,
    /// argon2id hashing on the blocking pool, bounded to the number of cores.
    pub passwords: Arc<Passwords>,
    /// Login attempts per account, address and both (in memory; see `auth::limiter`).
    pub login_limiter: Arc<LoginLimiter>,
    /// Sign-up attempts per client address (see `auth::signup_limiter`).
    pub signup_limiter: Arc<SignupLimiter>,
    /// Counters rendered at `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// Open WebSockets per session, so signing a device out closes its socket at once (and
    /// forgets its token in `session_cache`).
    pub sockets: LiveSockets,
    /// Recently confirmed tokens, so authenticating a request or a `/sync` upgrade does not
    /// queue on the database (see `auth::session_cache`).
    pub session_cache: Arc<SessionCache>,
    /// Background work (reminder worker, ...) registers here to be stopped and awaited.
    pub shutdown: Shutdown,
    /// Live documents and WebSocket sync (see `live::Hub`).
    pub hub: Hub,
    /// VAPID keys and push client; set by `app::prepare` (`None` in states
    /// built for unit tests, which then have no push endpoints).
    pub reminders: Option<Arc<crate::reminder_service::Reminders>>,
    /// What each CardDAV card draws on, per document (see `dav::card_index`).
    pub dav_index: Arc<crate::dav::IndexCache>,
}

impl AppState {
    /// The one place state is assembled; add new shared parts here.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        Self::with_clock(config, store, Arc::new(SystemClock))
    }

    pub fn with_clock(config: Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self::assemble(config, store, Arc::new(LocalBus), clock)
    }

    /// With the change bus that lets several instances share one database
    /// (`store::open_with_bus`: LISTEN/NOTIFY on PostgreSQL).
    pub fn with_bus(config: Config, store: Arc<dyn Store>, bus: Arc<dyn ChangeBus>) -> Self {
        Self::assemble(config, store, bus, Arc::new(SystemClock))
    }

    fn assemble(config: Config, store: Arc<dyn Store>, bus: Arc<dyn ChangeBus>, clock: Arc<dyn Clock>) -> Self {
        // One set of counters: the hub and the /sync loop count into them through the observer.
        let metrics = Arc::new(Metrics::default());
        let observer = Arc::new(ServerObserver::new(metrics.clone()));
        let hub = Hub::start(store.clone(), bus, hub_config(&config), Arc::new(std::time::Instant::now), observer);
        let login_limiter = Arc::new(LoginLimiter::new(LimitPolicy::from(&config)));
        let signup_limiter = Arc::new(SignupLimiter::new(config.signups_per_hour));
        let session_cache = Arc::new(SessionCache::new(config.session_cache_ttl(), config.session_cache_entries));
        AppState {
            metrics,
            hub,
            store,
            config: Arc::new(config),
            clock,
            passwords: Arc::new(Passwords::new()),
            login_limiter,
            signup_limiter,
            sockets: LiveSockets::with_session_cache(session_cache.clone()),
            session_cache,
            shutdown: Shutdown::new(),
            reminders: None,
            dav_index: Arc::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// The hub's settings from the server's configuration. Must run inside the tokio runtime
/// (the hub starts its idle sweeper).
pub fn hub_config(config: &Config) -> HubConfig {
    HubConfig {
        storage_id: storage_id_for(&config.database_url()),
        doc_idle: std::time::Duration::from_secs(config.doc_idle_secs),
        max_message_bytes: config.max_message_bytes,
        max_doc_bytes: config.max_doc_bytes as u64,
        max_inflated_bytes: config.max_inflated_bytes,
        join_timeout: std::time::Duration::from_secs(config.sync_join_timeout_secs),
    }
}
