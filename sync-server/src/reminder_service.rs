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
use reminders::{Clock, EndpointPolicy, ReminderStore};

use crate::config::ReminderConfig;
use crate::metrics::Metrics;
use crate::reminder_replan::Sources;
use crate::shutdown::Shutdown;

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
            worker,
            workers: config.workers.max(1),
            debounce: Duration::from_millis(config.replan_debounce_ms),
        })
    }
}

/// Starts the re-plan loop and the push workers as background tasks under
/// `state.shutdown`: they stop when shutdown begins and the server waits for them (a push
/// in flight finishes, changes accepted last are planned).
pub fn start(rt: &Reminders, sources: Sources, clock: Arc<dyn Clock>, metrics: Arc<Metrics>, shutdown: &Shutdown) {
    shutdown.spawn(crate::reminder_replan::run(
        sources.clone(),
        clock.clone(),
        rt.debounce,
        shutdown.signal(),
    ));
    let Some(push) = rt.push.clone() else { return };
    let store: Arc<dyn ReminderStore> = sources.store;
    let observer: AttemptObserver = Arc::new(move |result: &PushResult, status: Option<u16>| {
        metrics.push_result(matches!(result, PushResult::Delivered), status);
    });
    for _ in 0..rt.workers {
        let worker = Worker::new(store.clone(), push.clone(), clock.clone(), rt.worker).observed(observer.clone());
        let mut stop = shutdown.signal();
        shutdown.spawn(worker.run(async move { stop.wait().await }));
    }
}
