//! Which sessions have a WebSocket open right now, and the way to close them from outside the
//! socket's own task: signing a device out, changing the password, deleting the account and
//! shutting the server down all have to end live connections at once, not at the next
//! reconnect.
//!
//! The `/sync` handler calls [`LiveSockets::register`] after authenticating and keeps the
//! [`SocketTicket`] for the connection's lifetime; its loop selects on
//! [`SocketTicket::closed`] and, when that fires, sends a WebSocket close frame with
//! [`CloseReason::code`] and ends. Dropping the ticket unregisters the socket.
//!
//! Because every place that ends a session already comes here, this is also where the
//! authentication cache ([`SessionCache`]) forgets ended sessions: a token signed out on this
//! instance is refused by the very next request, cache or not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::auth::SessionCache;
use crate::ids::{SessionId, UserId};

/// Why the server is closing a socket; picks the close frame the client sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The session was signed out (device removed, password changed, account deleted).
    Revoked,
    /// The server is going down; the client should reconnect later.
    ShuttingDown,
}

impl CloseReason {
    /// WebSocket close code: 4001 (application range) says "your token is dead, log in again",
    /// 1001 "going away" says "reconnect later".
    pub fn code(self) -> u16 {
        match self {
            CloseReason::Revoked => 4001,
            CloseReason::ShuttingDown => 1001,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            CloseReason::Revoked => "signed out",
            CloseReason::ShuttingDown => "server shutting down",
        }
    }
}

type Signal = watch::Sender<Option<CloseReason>>;

/// Cheap to clone; all clones share one registry. Lives in `AppState`, never global.
#[derive(Clone, Default)]
pub struct LiveSockets {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    sessions: Mutex<HashMap<SessionId, Entry>>,
    /// Set once at shutdown; sockets registered after it are closed immediately.
    shutdown: Mutex<Option<CloseReason>>,
    /// Fires whenever a socket unregisters, so shutdown can wait for "none left".
    gone: tokio::sync::Notify,
    /// Confirmed tokens; ended sessions are forgotten here before their sockets are closed.
    sessions_cache: Arc<SessionCache>,
}

struct Entry {
    user: UserId,
    signal: Signal,
}

impl LiveSockets {
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry that also makes `cache` forget every session it is told has ended.
    pub fn with_session_cache(cache: Arc<SessionCache>) -> Self {
        LiveSockets { inner: Arc::new(Inner { sessions_cache: cache, ..Inner::default() }) }
    }

    /// Registers one socket of `session`. Keep the ticket for as long as the socket is open.
    pub fn register(&self, user: UserId, session: SessionId) -> SocketTicket {
        let shutting_down = self.inner.shutdown.lock().ok().and_then(|s| *s);
        let rx = match self.inner.sessions.lock() {
            Ok(mut sessions) => {
                let entry = sessions.entry(session).or_insert_with(|| Entry { user, signal: watch::channel(None).0 });
                if let Some(reason) = shutting_down {
                    entry.signal.send_replace(Some(reason));
                }
                entry.signal.subscribe()
            }
            // A poisoned registry cannot track the socket; close it rather than leave it
            // unrevocable.
            Err(_) => watch::channel(Some(CloseReason::ShuttingDown)).1,
        };
        SocketTicket { registry: self.clone(), session, rx: Some(rx) }
    }

    /// `session` ended (its row is already deleted): forgets its token and closes every socket
    /// of it; returns how many sockets there were.
    pub fn close_session(&self, session: SessionId) -> usize {
        self.inner.sessions_cache.forget_sessions(&[session]);
        let Ok(sessions) = self.inner.sessions.lock() else { return 0 };
        match sessions.get(&session) {
            Some(entry) => {
                entry.signal.send_replace(Some(CloseReason::Revoked));
                entry.signal.receiver_count()
            }
            None => 0,
        }
    }

    /// Every listed session ended: as [`LiveSockets::close_session`] for each.
    pub fn close_sessions(&self, sessions: &[SessionId]) -> usize {
        sessions.iter().map(|s| self.close_session(*s)).sum()
    }

    /// Every session of `user` ended (the account is deleted): forgets them and closes every
    /// socket of the user.
    pub fn close_user(&self, user: UserId) -> usize {
        self.inner.sessions_cache.forget_user(user);
        let Ok(sessions) = self.inner.sessions.lock() else { return 0 };
        sessions
            .values()
            .filter(|e| e.user == user)
            .map(|e| {
                e.signal.send_replace(Some(CloseReason::Revoked));
                e.signal.receiver_count()
            })
            .sum()
    }

    /// Tells every socket, present and future, that the server is going down.
    pub fn close_all(&self) {
        if let Ok(mut s) = self.inner.shutdown.lock() {
            *s = Some(CloseReason::ShuttingDown);
        }
        if let Ok(sessions) = self.inner.sessions.lock() {
            for entry in sessions.values() {
                entry.signal.send_if_modified(|r| {
                    // A revoked socket stays revoked.
                    if r.is_none() {
                        *r = Some(CloseReason::ShuttingDown);
                    }
                    true
                });
            }
        }
    }

    /// Open sockets right now (the "connected devices" gauge).
    pub fn count(&self) -> usize {
        self.inner
            .sessions
            .lock()
            .map(|s| s.values().map(|e| e.signal.receiver_count()).sum())
            .unwrap_or(0)
    }

    /// Waits until no socket is registered.
    pub async fn all_closed(&self) {
        loop {
            let gone = self.inner.gone.notified();
            tokio::pin!(gone);
            // Register interest before checking, so an unregister in between is not missed.
            gone.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            gone.await;
        }
    }

    fn unregister(&self, session: SessionId) {
        if let Ok(mut sessions) = self.inner.sessions.lock() {
            if sessions.get(&session).is_some_and(|e| e.signal.receiver_count() == 0) {
                sessions.remove(&session);
            }
        }
        self.inner.gone.notify_waiters();
    }
}

/// One open socket's registration. Dropping it unregisters the socket.
pub struct SocketTicket {
    registry: LiveSockets,
    session: SessionId,
    rx: Option<watch::Receiver<Option<CloseReason>>>,
}

impl SocketTicket {
    /// Resolves when the server wants this socket closed, with the reason. Cancel-safe, so
    /// it can sit in a `select!` loop.
    pub async fn closed(&mut self) -> CloseReason {
        let Some(rx) = self.rx.as_mut() else { return CloseReason::Revoked };
        match rx.wait_for(|r| r.is_some()).await {
            Ok(reason) => reason.unwrap_or(CloseReason::Revoked),
            // The registry dropped the entry's sender: nothing can revoke us anymore, but the
            // only way that happens is a registry being torn down; treat it as shutdown.
            Err(_) => CloseReason::ShuttingDown,
        }
    }

    pub fn session(&self) -> SessionId {
        self.session
    }
}

impl Drop for SocketTicket {
    fn drop(&mut self) {
        // Drop the receiver first so the registry sees the count without it.
        self.rx.take();
        self.registry.unregister(self.session);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use uuid::Uuid;

    use super::*;

    fn ids() -> (UserId, SessionId) {
        (UserId(Uuid::new_v4()), SessionId(Uuid::new_v4()))
    }

    async fn fires(ticket: &mut SocketTicket) -> Option<CloseReason> {
        tokio::time::timeout(Duration::from_millis(200), ticket.closed()).await.ok()
    }

    async fn stays_open(ticket: &mut SocketTicket) -> bool {
        // Every signal is sent before this check, so a zero timeout is enough to see it.
        tokio::time::timeout(Duration::ZERO, ticket.closed()).await.is_err()
    }

    #[tokio::test]
    async fn closing_a_session_closes_only_its_sockets() {
        let live = LiveSockets::new();
        let (user, a) = ids();
        let b = SessionId(Uuid::new_v4());
        let mut a1 = live.register(user, a);
        let mut a2 = live.register(user, a);
        let mut b1 = live.register(user, b);
        assert_eq!(live.count(), 3);
        assert_eq!(live.close_session(a), 2);
        assert_eq!(fires(&mut a1).await, Some(CloseReason::Revoked));
        assert_eq!(fires(&mut a2).await, Some(CloseReason::Revoked));
        assert!(stays_open(&mut b1).await);
        drop((a1, a2));
        assert_eq!(live.count(), 1);
        assert_eq!(live.close_session(a), 0, "entry is gone once its sockets are");
    }

    #[tokio::test]
    async fn closing_a_user_spares_other_users() {
        let live = LiveSockets::new();
        let (ada, s1) = ids();
        let (bob, s2) = ids();
        let mut t1 = live.register(ada, s1);
        let mut t2 = live.register(bob, s2);
        assert_eq!(live.close_user(ada), 1);
        assert_eq!(fires(&mut t1).await, Some(CloseReason::Revoked));
        assert!(stays_open(&mut t2).await);
    }

    #[tokio::test]
    async fn shutdown_closes_present_and_future_sockets_and_waits_for_them() {
        let live = LiveSockets::new();
        let (user, s) = ids();
        let mut t1 = live.register(user, s);
        live.close_all();
        assert_eq!(fires(&mut t1).await, Some(CloseReason::ShuttingDown));
        let mut late = live.register(user, SessionId(Uuid::new_v4()));
        assert_eq!(fires(&mut late).await, Some(CloseReason::ShuttingDown));
        let waiter = tokio::spawn({
            let live = live.clone();
            async move { live.all_closed().await }
        });
        drop(t1);
        drop(late);
        tokio::time::timeout(Duration::from_secs(1), waiter).await.expect("all closed").expect("task");
    }
}
