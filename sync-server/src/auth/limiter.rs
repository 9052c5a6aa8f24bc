//! Login limiting that slows a guesser without handing them a way to lock the owner out.
//!
//! **Count before hashing.** [`LoginLimiter::begin`] checks *and* records the attempt in one
//! step under the lock, before any argon2 work; only a proven success
//! ([`LoginLimiter::succeeded`]) takes it back. A hundred simultaneous guesses therefore get
//! at most the free allowance checked and the rest a 429 (an earlier version checked first
//! and recorded the failure only after the hash, so all hundred went through).
//!
//! **Three keys, each with a free allowance followed by exponential delay** (2 s, 4 s, 8 s,
//! ... up to 15 minutes after the last attempt), never a hard lock:
//! 1. account + address: the owner's own typos cost only their own key, and a success
//!    clears it. An attacker elsewhere never touches it.
//! 2. address, all accounts: one address spraying many accounts.
//! 3. account, all addresses: distributed guessing at one account from many addresses.
//!
//! **Recognised addresses.** An address the account has logged in from successfully (or was
//! created from) in the last 30 days skips keys 2 and 3, so neither others' failures on the account (3) nor
//! someone else's spraying behind the same NAT or proxy (2) can shut the owner out from
//! where they usually log in. A new device on a new network is what waits when the account
//! is under a distributed attack. The owner's own address is still bound by key 1.
//! (Behind a proxy without `KITH_TRUST_FORWARDED_FOR` every client shares one address, so key
//! 1 is then shared by everyone; set that option.)
//!
//! IPv6 clients are keyed by their /64, which one host usually holds in full.
//!
//! Failures count for a day, so a patient guesser stays at one try per 15 minutes per key.
//! In memory: with several instances each keeps its own counters, which multiplies the
//! allowance by the instance count, and a restart forgets recognised addresses (their owners
//! then count as new until they log in again).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::recent::Recent;

#[derive(Clone, Copy, Debug)]
pub struct LimitPolicy {
    /// Failures for one account from one address before each further try waits.
    pub per_account_address: usize,
    /// Failures from one address across all accounts before it waits (households and
    /// offices share one; addresses recognised for the account are exempt).
    pub per_address: usize,
    /// Failures on one account from addresses it has not logged in from before they wait.
    pub per_account: usize,
    /// How long a failure counts (a success clears the account + address key at once).
    pub window: Duration,
    /// The first wait past an allowance; each further failure doubles it...
    pub first_delay: Duration,
    /// ...up to this.
    pub max_delay: Duration,
    /// How long a successful login makes its address recognised for the account.
    pub remember_for: Duration,
}

impl Default for LimitPolicy {
    fn default() -> Self {
        LimitPolicy {
            per_account_address: 5,
            per_address: 20,
            per_account: 50,
            // Longer than the capped delay times the allowance, so a patient guesser stays
            // at the cap instead of earning a fresh allowance every hour.
            window: Duration::from_secs(24 * 60 * 60),
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
            remember_for: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

impl From<&crate::config::Config> for LimitPolicy {
    fn from(config: &crate::config::Config) -> Self {
        LimitPolicy {
            per_account_address: config.login_failures_per_account_address,
            per_address: config.login_failures_per_address,
            per_account: config.login_failures_per_account,
            ..LimitPolicy::default()
        }
    }
}

/// Bound on remembered (account, address) pairs; entering one takes a successful login, so
/// only real accounts' real logins fill it.
const MAX_RECOGNISED: usize = 100_000;

/// A login attempt that has been counted. Dropping it leaves it counted as a failure (also
/// when the client hangs up mid-hash); pass it to [`LoginLimiter::succeeded`] otherwise.
#[must_use = "an attempt is a failure unless passed to `succeeded`"]
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: Option<IpAddr>,
    at: DateTime<Utc>,
    /// Whether it was counted on the address and account keys (not when recognised).
    counted_shared: bool,
}

struct Inner {
    pairs: Recent<(String, Option<IpAddr>)>,
    addresses: Recent<IpAddr>,
    accounts: Recent<String>,
    /// Last successful login per (account, address).
    recognised: HashMap<(String, IpAddr), DateTime<Utc>>,
}

pub struct LoginLimiter {
    policy: LimitPolicy,
    inner: Mutex<Inner>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(LimitPolicy::default())
    }
}

impl LoginLimiter {
    pub fn new(policy: LimitPolicy) -> Self {
        let inner = Inner {
            pairs: Recent::new(policy.window),
            addresses: Recent::new(policy.window),
            accounts: Recent::new(policy.window),
            recognised: HashMap::new(),
        };
        LoginLimiter { policy, inner: Mutex::new(inner) }
    }

    /// Counts an attempt on `account` from `ip`, or says how long to wait first. Call it
    /// before any password work: a refused attempt costs no CPU, and a counted one is already
    /// visible to every concurrent attempt.
    pub fn begin(&self, account: &str, ip: Option<IpAddr>, now: DateTime<Utc>) -> Result<Attempt, Duration> {
        let policy = &self.policy;
        let address = ip.map(address_key);
        let pair = (account.to_string(), address);
        let mut inner = self.lock();
        let recognised = address.is_some_and(|a| inner.is_recognised(account, a, policy.remember_for, now));

        let mut wait = self.wait(&mut inner.pairs, &pair, policy.per_account_address, now);
        if !recognised {
            if let Some(address) = address {
                wait = wait.max(self.wait(&mut inner.addresses, &address, policy.per_address, now));
            }
            wait = wait.max(self.wait(&mut inner.accounts, &pair.0, policy.per_account, now));
        }
        if let Some(wait) = wait {
            return Err(wait);
        }

        inner.pairs.push(pair, now);
        if !recognised {
            if let Some(address) = address {
                inner.addresses.push(address, now);
            }
            inner.accounts.push(account.to_string(), now);
        }
        Ok(Attempt { account: account.to_string(), address, at: now, counted_shared: !recognised })
    }

    /// The attempt had the right password: clear its account + address key, take it back
    /// from the shared keys (but leave others' failures there: one good login must not
    /// launder a spray of guesses), and recognise the address for this account.
    pub fn succeeded(&self, attempt: Attempt, now: DateTime<Utc>) {
        let mut inner = self.lock();
        let Attempt { account, address, at, counted_shared } = attempt;
        let pair = (account, address);
        inner.pairs.clear(&pair);
        let (account, address) = pair;
        if counted_shared {
            if let Some(address) = address {
                inner.addresses.refund(&address, at);
            }
            inner.accounts.refund(&account, at);
        }
        if let Some(address) = address {
            inner.recognise(account, address, self.policy.remember_for, now);
        }
    }

    /// Recognises `ip` for `account` without a login: the address an account was created
    /// from is its owner's.
    pub fn recognise(&self, account: &str, ip: Option<IpAddr>, now: DateTime<Utc>) {
        if let Some(address) = ip.map(address_key) {
            self.lock().recognise(account.to_string(), address, self.policy.remember_for, now);
        }
    }

    /// How long `key` must still wait, if it is past its `free` allowance: the delay doubles
    /// with each failure beyond it, counted from the latest one.
    fn wait<K: Eq + std::hash::Hash + Clone>(
        &self,
        recent: &mut Recent<K>,
        key: &K,
        free: usize,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let events = recent.events(key, now)?;
        let beyond = events.len().checked_sub(free.max(1))?;
        let last = *events.back()?;
        let doublings = u32::try_from(beyond).unwrap_or(u32::MAX).min(30);
        let delay = self.policy.first_delay.saturating_mul(1 << doublings).min(self.policy.max_delay);
        let ready = last + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        // Nothing waits past the moment the latest failure leaves the window.
        let ready = ready.min(recent.expiry_of(last));
        (ready - now).to_std().ok().filter(|d| !d.is_zero())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the counters inconsistent in any way
        // that matters, so keep going rather than poisoning logins for good.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn is_recognised(&self, account: &str, address: IpAddr, remember_for: Duration, now: DateTime<Utc>) -> bool {
        // Lookup by (String, IpAddr) needs an owned key; logins are not hot enough to matter.
        self.recognised
            .get(&(account.to_string(), address))
            .is_some_and(|last| (now - *last).to_std().is_ok_and(|age| age < remember_for))
    }

    fn recognise(&mut self, account: String, address: IpAddr, remember_for: Duration, now: DateTime<Utc>) {
        if self.recognised.len() >= MAX_RECOGNISED {
            self.recognised.retain(|_, last| (now - *last).to_std().is_ok_and(|age| age < remember_for));
            if self.recognised.len() >= MAX_RECOGNISED {
                let oldest = self.recognised.iter().min_by_key(|(_, last)| **last).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    self.recognised.remove(&oldest);
                }
            }
        }
        self.recognised.insert((account, address), now);
    }
}

/// The address a limit applies to: IPv4 as is (also when mapped into IPv6), IPv6 by its /64.
pub(super) fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::from(segments)
            }
        },
    }
}

#[cfg(test)]
#[path = "limiter_tests.rs"]
mod tests;
