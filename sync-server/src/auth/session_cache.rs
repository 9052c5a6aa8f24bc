//! Token → session cache for the `AuthUser` extractor. Every API call and every `/sync`
//! upgrade is authenticated; without the cache each costs two store queries (session by token
//! hash, then the user for their document id), and under a reconnect storm those queue on the
//! pool while the official client's 1 s handshake timer is already running.
//!
//! Correctness rests on two rules:
//! - Every place that ends a session on this instance (sign-out, device removal, password
//!   change, account deletion) calls [`SessionCache::forget_sessions`] /
//!   [`SessionCache::forget_user`] right after deleting the rows — `LiveSockets` does it, since
//!   those places already tell it to close the session's sockets.
//! - A lookup may only fill the cache if no session ended while it was reading the store
//!   ([`FillPermit`]): otherwise a read that saw the row just before the delete would put a
//!   dead token back after it was forgotten.
//!
//! A session ended by another process (`kith user reset-password`, another instance on the
//! same PostgreSQL) is only seen when its entry expires: `KITH_SESSION_CACHE_SECS` bounds
//! that (10 s by default on SQLite), 0 turns the cache off, and on PostgreSQL it is off unless
//! set, since there other instances end sessions as a matter of course.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ids::{DocId, SessionId, UserId};

/// What authentication establishes about a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachedSession {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub doc_id: DocId,
}

pub struct SessionCache {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_token: HashMap<[u8; 32], Entry<CachedSession>>,
    /// A user's document id never changes while the user exists; a second device of the same
    /// user (a storm brings both) skips the user lookup.
    docs: HashMap<UserId, Entry<DocId>>,
    /// Bumped whenever a session ends, so lookups that started before cannot fill the cache.
    epoch: u64,
}

struct Entry<T> {
    value: T,
    at: Instant,
}

/// Taken before reading the store; [`SessionCache::fill`] refuses it if a session ended since.
#[derive(Clone, Copy, Debug)]
pub struct FillPermit(u64);

/// Off: what states built without configuration (unit tests) get.
impl Default for SessionCache {
    fn default() -> Self {
        SessionCache::new(Duration::ZERO, 0)
    }
}

impl SessionCache {
    /// `ttl` zero or `capacity` zero: nothing is ever cached.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        SessionCache { ttl, capacity, inner: Mutex::new(Inner::default()) }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.capacity > 0
    }

    /// The session behind `token_hash`, if it was confirmed less than the TTL ago and has not
    /// ended on this instance since.
    pub fn get(&self, token_hash: &[u8; 32], now: Instant) -> Option<CachedSession> {
        if !self.enabled() {
            return None;
        }
        let inner = self.inner.lock().ok()?;
        let entry = inner.by_token.get(token_hash)?;
        self.fresh(entry, now).then_some(entry.value)
    }

    /// The document id of `user`, if one of their sessions was confirmed recently.
    pub fn doc_of(&self, user: UserId, now: Instant) -> Option<DocId> {
        if !self.enabled() {
            return None;
        }
        let inner = self.inner.lock().ok()?;
        let entry = inner.docs.get(&user)?;
        self.fresh(entry, now).then_some(entry.value)
    }

    /// Call before reading the store for a token that [`SessionCache::get`] did not know.
    pub fn permit(&self) -> FillPermit {
        FillPermit(self.inner.lock().map(|i| i.epoch).unwrap_or(u64::MAX))
    }

    /// Remembers what the store said about `token_hash`, unless a session ended since
    /// `permit` was taken (then the answer may already be stale, and is dropped).
    pub fn fill(&self, permit: FillPermit, token_hash: [u8; 32], session: CachedSession, now: Instant) {
        if !self.enabled() {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.epoch != permit.0 {
            return;
        }
        if inner.by_token.len() >= self.capacity || inner.docs.len() >= self.capacity {
            self.make_room(&mut inner, now);
        }
        inner.by_token.insert(token_hash, Entry { value: session, at: now });
        inner.docs.insert(session.user_id, Entry { value: session.doc_id, at: now });
    }

    /// These sessions ended (signed out, removed, revoked by a password change).
    pub fn forget_sessions(&self, sessions: &[SessionId]) {
        let Ok(mut inner) = self.inner.lock() else { return };
        inner.epoch = inner.epoch.wrapping_add(1);
        inner.by_token.retain(|_, e| !sessions.contains(&e.value.session_id));
    }

    /// Every session of `user` ended (the account is gone).
    pub fn forget_user(&self, user: UserId) {
        let Ok(mut inner) = self.inner.lock() else { return };
        inner.epoch = inner.epoch.wrapping_add(1);
        inner.by_token.retain(|_, e| e.value.user_id != user);
        inner.docs.remove(&user);
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.by_token.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn fresh<T>(&self, entry: &Entry<T>, now: Instant) -> bool {
        now.saturating_duration_since(entry.at) < self.ttl
    }

    /// Drops expired entries; if that frees less than a quarter, drops everything. Either way
    /// the next scan is at least `capacity / 4` insertions away, so filling stays O(1)
    /// amortised, and the cache never holds more than `capacity` tokens.
    fn make_room(&self, inner: &mut Inner, now: Instant) {
        let ttl = self.ttl;
        inner.by_token.retain(|_, e| now.saturating_duration_since(e.at) < ttl);
        inner.docs.retain(|_, e| now.saturating_duration_since(e.at) < ttl);
        let room = self.capacity - self.capacity / 4;
        if inner.by_token.len() >= room || inner.docs.len() >= room {
            inner.by_token.clear();
            inner.docs.clear();
        }
    }
}

#[cfg(test)]
#[path = "session_cache_tests.rs"]
mod tests;
