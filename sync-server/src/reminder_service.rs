//! The reminder service inside `kith serve`: VAPID keys and push settings at start, then
//! two background loops for the life of the server:
//! - re-plan: when a user's document changes (any device, or the server itself), that
//!   user's nudges are re-planned from it, debounced; never a scan of all documents;
//! - workers: every `KITH_REMINDER_TICK_SECS`, claim due nudges and send them by Web Push.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reminders::push::{PushClient, PushConfig, PushResult};
use reminders::vapid::{VapidError, VapidKeys, VapidSigner};
use reminders::worker::{AttemptObserver, Worker, WorkerConfig};
use reminders::{Clock, EndpointPolicy, ReminderStore, SystemClock};

use crate::state::AppState;

/// Reminder flags of `kith serve` (each with an environment variable).
#[derive(clap::Args, Clone, Debug)]
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
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReminderSetupError {
    #[error(transparent)]
    Vapid(#[from] VapidError),
    #[error("cannot build the push HTTP client: {0}")]
    Client(String),
}

/// What the reminder handlers and loops share. Clone and change `clock` to drive time in
/// tests.
#[derive(Clone)]
pub struct Reminders {
    pub keys: VapidKeys,
    /// `None` until `KITH_VAPID_SUBJECT` is set: nothing is sent then.
    pub push: Option<Arc<PushClient>>,
    pub policy: EndpointPolicy,
    pub clock: Arc<dyn Clock>,
    pub worker: WorkerConfig,
    pub workers: usize,
    pub debounce: Duration,
}

impl Reminders {
    /// Loads (or creates) the VAPID key in `data_dir` and checks the push settings.
    pub fn load(config: &ReminderConfig, data_dir: &Path) -> Result<Self, ReminderSetupError> {
        let keys = VapidKeys::load_or_create(data_dir)?;
        let policy = EndpointPolicy { allow_http_loopback: config.push_allow_http_loopback };
        if policy.allow_http_loopback {
            tracing::warn!("KITH_PUSH_ALLOW_HTTP_LOOPBACK is on: http://127.0.0.1 push endpoints are accepted (tests only)");
        }
        let push = match config.vapid_subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(subject) => {
                let signer = Arc::new(VapidSigner::new(&keys, subject)?);
                let push_config = PushConfig {
                    timeout: Duration::from_millis(config.push_timeout_ms.max(1)),
                    policy,
                    ..PushConfig::default()
                };
                Some(Arc::new(
                    PushClient::new(signer, push_config).map_err(|e| ReminderSetupError::Client(e.to_string()))?,
                ))
            }
            None => {
                tracing::warn!(
                    "KITH_VAPID_SUBJECT is not set: reminders are planned but NO push notifications are sent. \
                     Set it to a mailto: or https: contact URI for push services."
                );
                None
            }
        };
        let push_timeout = Duration::from_millis(config.push_timeout_ms.max(1));
        let worker = WorkerConfig {
            tick: Duration::from_secs(config.tick_secs.max(1)),
            // A claim outlives the slowest batch: every user of a batch timing out in turn.
            lease: (push_timeout * 8).max(Duration::from_secs(60)),
            ..WorkerConfig::default()
        };
        Ok(Reminders {
            keys,
            push,
            policy,
            clock: Arc::new(SystemClock),
            worker,
            workers: config.workers.max(1),
            debounce: Duration::from_millis(config.replan_debounce_ms),
        })
    }

    /// The same service reading time from `clock` (tests drive days in milliseconds).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Reminders { clock, ..self.clone() }
    }
}

/// "Now" as the reminder service sees it: its clock when it runs, else the server's.
pub fn now(state: &AppState) -> chrono::DateTime<chrono::Utc> {
    match &state.reminders {
        Some(rt) => rt.clock.now(),
        None => state.now(),
    }
}

/// Starts the re-plan loop and the push workers as background tasks under
/// `state.shutdown`: they stop when shutdown begins and the server waits for them (a push
/// in flight finishes, changes accepted last are planned).
pub fn start(state: &AppState) {
    let Some(rt) = state.reminders.clone() else { return };
    let shutdown = &state.shutdown;
    shutdown.track(tokio::spawn(crate::reminder_replan::run(
        state.clone(),
        rt.clock.clone(),
        rt.debounce,
        shutdown.signal(),
    )));
    let Some(push) = rt.push.clone() else { return };
    let store: Arc<dyn ReminderStore> = state.store.clone();
    let metrics = state.metrics.clone();
    let observer: AttemptObserver = Arc::new(move |result: &PushResult, status: Option<u16>| {
        metrics.push_result(matches!(result, PushResult::Delivered), status);
    });
    for _ in 0..rt.workers {
        let worker = Worker::new(store.clone(), push.clone(), rt.clock.clone(), rt.worker).observed(observer.clone());
        let mut stop = shutdown.signal();
        shutdown.track(tokio::spawn(worker.run(async move { stop.wait().await })));
    }
}
