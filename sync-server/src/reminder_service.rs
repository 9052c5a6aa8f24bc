//! The reminder service inside `kith serve`: VAPID keys and push settings at start, then
//! two background loops for the life of the server:
//! - re-plan: when a user's document changes (any device, or the server itself), that
//!   user's nudges are re-planned from it, debounced; never a scan of all documents;
//! - workers: every `KITH_REMINDER_TICK_SECS`, claim due nudges and send them by Web Push,
//!   email and ntfy (each user's channels).
//!
//! Web Push works out of the box: without `KITH_VAPID_SUBJECT` the contact push services see
//! is `mailto:` with `KITH_SMTP_FROM`'s address, else the first account's (never a
//! `localhost` one); the start-up log says which.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reminders::push::{PushClient, PushConfig, PushResult};
use reminders::action_link::LinkSigner;
use reminders::channel_compose::Links;
use reminders::channel_send::Senders;
use reminders::email::{Mailer, MailerError};
use reminders::ntfy::NtfyClient;
use reminders::vapid::{default_subject, VapidError, VapidKeys, VapidSigner};
use reminders::worker::{AttemptObserver, Worker, WorkerConfig};
use reminders::{Clock, EndpointPolicy, ReminderStore};

use crate::config::{redact_url, ReminderConfig};
use crate::metrics::Metrics;
use crate::reminder_replan::Sources;
use crate::shutdown::Shutdown;

#[derive(Debug, thiserror::Error)]
pub enum ReminderSetupError {
    #[error(transparent)]
    Vapid(#[from] VapidError),
    #[error("cannot build the push HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Mailer(#[from] MailerError),
    #[error("KITH_SMTP_URL is set but KITH_SMTP_FROM is not: set the sender address (\"Kith <kith@example.org>\")")]
    NoSender,
    #[error("cannot read or create the action-link key: {0}")]
    LinkKey(#[from] reminders::NudgeStoreError),
}

/// What the reminder handlers and loops share. Clone and change `clock` to drive time in
/// tests.
#[derive(Clone)]
pub struct Reminders {
    pub keys: VapidKeys,
    /// Always there; it signs nothing until a VAPID subject is known (see [`PushClient::has_subject`]).
    pub push: Arc<PushClient>,
    pub policy: EndpointPolicy,
    pub worker: WorkerConfig,
    pub workers: usize,
    pub debounce: Duration,
    /// Email and ntfy; set by [`Reminders::connect`] once the store is open.
    pub senders: Option<Arc<Senders>>,
    /// Why the email channel is not offered (no SMTP configured), for the API and the UI.
    pub email_unavailable: Option<String>,
    mailer: Option<Arc<Mailer>>,
    public_url: String,
    /// Whether `KITH_PUBLIC_URL` was given (else `public_url` is a guess from the listen address).
    public_url_given: bool,
}

/// Name of the action-link key in `server_secrets`.
const LINK_KEY: &str = "action_links";

impl Reminders {
    /// Loads (or creates) the VAPID key in `data_dir` and checks the push and email settings.
    pub fn load(config: &ReminderConfig, data_dir: &Path, listen: SocketAddr) -> Result<Self, ReminderSetupError> {
        let keys = VapidKeys::load_or_create(data_dir)?;
        let policy = EndpointPolicy { allow_http_loopback: config.push_allow_http_loopback };
        if policy.allow_http_loopback {
            tracing::warn!("KITH_PUSH_ALLOW_HTTP_LOOPBACK is on: http://127.0.0.1 push and ntfy endpoints are accepted (tests only)");
        }
        let signer = Arc::new(VapidSigner::pending(&keys)?);
        let configured = config.vapid_subject.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let from_smtp = config.smtp_from.as_deref().and_then(address_of).and_then(|a| default_subject(&a));
        match (configured, from_smtp) {
            (Some(subject), _) => {
                signer.set_subject(subject)?;
                tracing::info!(%subject, "Web Push is on: VAPID subject from KITH_VAPID_SUBJECT");
            }
            (None, Some(subject)) => {
                signer.set_subject(&subject)?;
                tracing::info!(%subject, "Web Push is on: VAPID subject is KITH_SMTP_FROM's address (set KITH_VAPID_SUBJECT to choose)");
            }
            // Learned by the worker (or `connect`) from the first account.
            (None, None) => {}
        }
        let push_timeout = Duration::from_millis(config.push_timeout_ms.max(1));
        let push_config = PushConfig { timeout: push_timeout, policy, ..PushConfig::default() };
        let push = Arc::new(PushClient::new(signer, push_config).map_err(|e| ReminderSetupError::Client(e.to_string()))?);
        let (mailer, email_unavailable) = match config.smtp_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(url) => {
                let from = config.smtp_from.as_deref().ok_or(ReminderSetupError::NoSender)?;
                let mailer = Mailer::new(url, from, push_timeout.max(Duration::from_secs(10)))?;
                tracing::info!(smtp = %redact_url(url), from = %mailer.from_address(), "email reminders are on");
                (Some(Arc::new(mailer)), None)
            }
            None => {
                let why = "the server has no SMTP settings (KITH_SMTP_URL, KITH_SMTP_FROM)";
                tracing::info!("KITH_SMTP_URL is not set: the email channel is not offered");
                (None, Some(why.to_owned()))
            }
        };
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
            senders: None,
            email_unavailable,
            mailer,
            public_url: config.public_url(listen),
            public_url_given: config.public_url.as_deref().is_some_and(|u| !u.trim().is_empty()),
        })
    }

    /// Finishes setup with the store: the action-link key every instance shares, the email
    /// and ntfy senders, and the VAPID subject from the first account if none was set.
    pub async fn connect(&mut self, store: &dyn ReminderStore) -> Result<(), ReminderSetupError> {
        let key = store.server_secret(LINK_KEY, &LinkSigner::fresh_key()).await?;
        let ntfy = NtfyClient::new(self.policy, Duration::from_secs(10)).map_err(|e| ReminderSetupError::Client(e.to_string()))?;
        let links = Links { base: self.public_url.clone(), signer: LinkSigner::new(key) };
        if self.mailer.is_some() && !self.public_url_given {
            // Email is on, so links will go out; a guessed address (often localhost) opens
            // nowhere but on this machine.
            tracing::warn!(
                public_url = %self.public_url,
                "KITH_PUBLIC_URL is not set: the Done/Snooze/unsubscribe links in reminder emails and ntfy messages will point here; set it to the address people open Kith at (for example https://kith.example.org)"
            );
        } else {
            tracing::info!(public_url = %self.public_url, "links in reminder emails and ntfy messages point here (KITH_PUBLIC_URL)");
        }
        self.senders = Some(Arc::new(Senders { mailer: self.mailer.clone(), ntfy: Arc::new(ntfy), links }));
        if !self.push.has_subject() {
            let first = store.first_account_email().await?.and_then(|e| default_subject(&e));
            match first {
                Some(subject) => {
                    self.push.signer().set_subject(&subject)?;
                    tracing::info!(%subject, "Web Push is on: VAPID subject is the first account's address (set KITH_VAPID_SUBJECT to choose)");
                }
                None => tracing::warn!(
                    "KITH_VAPID_SUBJECT is not set and there is no account yet: Web Push starts with the first \
                     account's address as contact (or set KITH_VAPID_SUBJECT to a mailto: or https: URI)"
                ),
            }
        }
        Ok(())
    }

    /// Without a VAPID subject yet, takes the first account's address if there is one now
    /// (the workers do the same each tick; this makes a fresh sign-up see push at once).
    pub async fn learn_subject(&self, store: &dyn ReminderStore) {
        if self.push.has_subject() {
            return;
        }
        if let Ok(Some(subject)) = store.first_account_email().await.map(|e| e.and_then(|e| default_subject(&e))) {
            if self.push.signer().set_subject(&subject).is_ok() {
                tracing::info!(%subject, "Web Push is on: VAPID subject is the first account's address (set KITH_VAPID_SUBJECT to choose)");
            }
        }
    }

    /// Why the server cannot send Web Push right now, if it cannot.
    pub fn push_unavailable(&self) -> Option<&'static str> {
        (!self.push.has_subject()).then_some(
            "no VAPID subject yet: set KITH_VAPID_SUBJECT (or KITH_SMTP_FROM), or create an account with a real address",
        )
    }

    pub fn links(&self) -> Option<&Links> {
        self.senders.as_ref().map(|s| &s.links)
    }
}

/// The address inside `Name <addr>` or a bare `addr`.
fn address_of(from: &str) -> Option<String> {
    let from = from.trim();
    let inner = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    };
    (!inner.is_empty()).then(|| inner.trim().to_owned())
}

/// Starts the re-plan loop and the reminder workers as background tasks under
/// `state.shutdown`: they stop when shutdown begins and the server waits for them (a push
/// in flight finishes, changes accepted last are planned).
pub fn start(rt: &Reminders, sources: Sources, clock: Arc<dyn Clock>, metrics: Arc<Metrics>, shutdown: &Shutdown) {
    shutdown.spawn(crate::reminder_replan::run(
        sources.clone(),
        clock.clone(),
        rt.debounce,
        shutdown.signal(),
    ));
    let store: Arc<dyn ReminderStore> = sources.store;
    let observer: AttemptObserver = Arc::new(move |result: &PushResult, status: Option<u16>| {
        metrics.push_result(matches!(result, PushResult::Delivered), status);
    });
    for _ in 0..rt.workers {
        let mut worker = Worker::new(store.clone(), rt.push.clone(), clock.clone(), rt.worker).observed(observer.clone());
        if let Some(senders) = &rt.senders {
            worker = worker.with_senders(senders.clone());
        }
        let mut stop = shutdown.signal();
        shutdown.spawn(worker.run(async move { stop.wait().await }));
    }
}
