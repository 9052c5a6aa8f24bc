//! Failed-login limiting, per account and per client IP, over a sliding window.
//!
//! Pure bookkeeping with the time passed in, so tests step the clock instead of sleeping.
//! In memory: with several instances each keeps its own counters, which multiplies the
//! allowance by the instance count but still bounds guessing to a handful per minute.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug)]
pub struct LimitPolicy {
    /// Failures allowed per account within `window` before further attempts get 429.
    pub per_account: usize,
    /// Failures allowed per client IP within `window` (higher: households and offices share one).
    pub per_ip: usize,
    pub window: Duration,
}

impl Default for LimitPolicy {
    fn default() -> Self {
        LimitPolicy { per_account: 5, per_ip: 20, window: Duration::from_secs(15 * 60) }
    }
}

/// Beyond this many tracked keys, expired ones are swept on the next failure; the sweep
/// keeps memory proportional to recent failures, which argon2's cost already throttles.
const SWEEP_ABOVE: usize = 10_000;

struct Failures<K> {
    by_key: HashMap<K, VecDeque<DateTime<Utc>>>,
}

impl<K> Default for Failures<K> {
    fn default() -> Self {
        Failures { by_key: HashMap::new() }
    }
}

impl<K: Eq + Hash + Clone> Failures<K> {
    /// How long until `key` may try again, if it is over `max` failures in `window`.
    fn blocked_for(&mut self, key: &K, max: usize, window: chrono::Duration, now: DateTime<Utc>) -> Option<Duration> {
        let times = self.by_key.get_mut(key)?;
        while times.front().is_some_and(|t| *t + window <= now) {
            times.pop_front();
        }
        if times.len() < max {
            return None;
        }
        // Free again when enough of the oldest failures have aged out of the window.
        let unblocking = times.get(times.len() - max)?;
        (*unblocking + window - now).to_std().ok()
    }

    fn record(&mut self, key: K, window: chrono::Duration, now: DateTime<Utc>) {
        if self.by_key.len() > SWEEP_ABOVE {
            self.by_key.retain(|_, times| times.back().is_some_and(|t| *t + window > now));
        }
        self.by_key.entry(key).or_default().push_back(now);
    }

    fn clear(&mut self, key: &K) {
        self.by_key.remove(key);
    }
}

#[derive(Default)]
struct Inner {
    accounts: Failures<String>,
    ips: Failures<IpAddr>,
}

#[derive(Default)]
pub struct LoginLimiter {
    policy: LimitPolicy,
    inner: Mutex<Inner>,
}

impl LoginLimiter {
    pub fn new(policy: LimitPolicy) -> Self {
        LoginLimiter { policy, inner: Mutex::default() }
    }

    /// `Err(retry_after)` if this account or IP has failed too often recently. Checked
    /// before the password is even hashed, so a blocked attacker also costs no CPU.
    pub fn check(&self, account: &str, ip: Option<IpAddr>, now: DateTime<Utc>) -> Result<(), Duration> {
        let window = self.window();
        let mut inner = self.lock();
        let by_account = inner.accounts.blocked_for(&account.to_string(), self.policy.per_account, window, now);
        let by_ip = ip.and_then(|ip| inner.ips.blocked_for(&ip, self.policy.per_ip, window, now));
        match (by_account, by_ip) {
            (None, None) => Ok(()),
            (a, b) => Err(a.max(b).unwrap_or_default()),
        }
    }

    pub fn record_failure(&self, account: &str, ip: Option<IpAddr>, now: DateTime<Utc>) {
        let window = self.window();
        let mut inner = self.lock();
        inner.accounts.record(account.to_string(), window, now);
        if let Some(ip) = ip {
            inner.ips.record(ip, window, now);
        }
    }

    /// The right password clears the account's count (not the IP's: one good login must not
    /// launder a spray of guesses at other accounts).
    pub fn record_success(&self, account: &str) {
        self.lock().accounts.clear(&account.to_string());
    }

    fn window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.policy.window).unwrap_or(chrono::Duration::MAX)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the counters inconsistent in any way
        // that matters, so keep going rather than poisoning logins for good.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().expect("valid")
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn an_account_is_blocked_after_five_failures_until_the_oldest_ages_out() {
        let limiter = LoginLimiter::default();
        for i in 0..5 {
            assert!(limiter.check("a@x.io", ip(i), t(i.into())).is_ok());
            limiter.record_failure("a@x.io", ip(i), t(i.into()));
        }
        // different IPs each time: it is the account that is blocked
        let wait = limiter.check("a@x.io", ip(99), t(10)).expect_err("blocked");
        assert_eq!(wait, Duration::from_secs(15 * 60 - 10));
        assert!(limiter.check("other@x.io", ip(99), t(10)).is_ok(), "other accounts unaffected");
        assert!(limiter.check("a@x.io", ip(99), t(15 * 60)).is_ok(), "first failure aged out");
    }

    #[test]
    fn an_ip_is_blocked_after_twenty_failures_across_accounts() {
        let limiter = LoginLimiter::default();
        for i in 0..20 {
            limiter.record_failure(&format!("user{i}@x.io"), ip(1), t(i));
        }
        assert!(limiter.check("fresh@x.io", ip(1), t(30)).is_err());
        assert!(limiter.check("fresh@x.io", ip(2), t(30)).is_ok());
        assert!(limiter.check("fresh@x.io", None, t(30)).is_ok());
    }

    #[test]
    fn success_clears_the_account_but_not_the_ip() {
        let limiter = LoginLimiter::new(LimitPolicy { per_account: 2, per_ip: 3, window: Duration::from_secs(60) });
        limiter.record_failure("a@x.io", ip(1), t(0));
        limiter.record_failure("a@x.io", ip(1), t(1));
        assert!(limiter.check("a@x.io", ip(2), t(2)).is_err());
        limiter.record_success("a@x.io");
        assert!(limiter.check("a@x.io", ip(2), t(2)).is_ok());
        limiter.record_failure("b@x.io", ip(1), t(3));
        assert!(limiter.check("c@x.io", ip(1), t(4)).is_err(), "the IP still counts 3");
    }

    #[test]
    fn expired_entries_are_swept() {
        let limiter = LoginLimiter::new(LimitPolicy { per_account: 1, per_ip: 1_000_000, window: Duration::from_secs(1) });
        for i in 0..=SWEEP_ABOVE {
            limiter.record_failure(&format!("u{i}"), None, t(0));
        }
        limiter.record_failure("late", None, t(5));
        assert_eq!(limiter.lock().accounts.by_key.len(), 1);
    }
}
