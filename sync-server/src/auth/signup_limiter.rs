//! Sign-ups per client address per hour. Every attempt counts, also those answered "email
//! taken": that answer is what bulk enumeration of accounts would harvest.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::limiter::address_key;
use super::recent::Recent;

const WINDOW: Duration = Duration::from_secs(60 * 60);

pub struct SignupLimiter {
    /// Attempts allowed per address in any hour; 0 means no limit.
    per_hour: usize,
    recent: Mutex<Recent<Option<IpAddr>>>,
}

impl SignupLimiter {
    pub fn new(per_hour: usize) -> Self {
        SignupLimiter { per_hour, recent: Mutex::new(Recent::new(WINDOW)) }
    }

    /// Counts a sign-up attempt from `ip`, or says how long until the oldest attempt in the
    /// window leaves it. Clients without a known address share one allowance.
    pub fn begin(&self, ip: Option<IpAddr>, now: DateTime<Utc>) -> Result<(), Duration> {
        if self.per_hour == 0 {
            return Ok(());
        }
        let key = ip.map(address_key);
        // Bookkeeping only; a panic cannot leave it inconsistent in a way that matters.
        let mut recent = self.recent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(events) = recent.events(&key, now) {
            if events.len() >= self.per_hour {
                let freeing = events[events.len() - self.per_hour];
                let wait = (recent.expiry_of(freeing) - now).to_std().unwrap_or(Duration::from_secs(1));
                return Err(wait);
            }
        }
        recent.push(key, now);
        Ok(())
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
    fn an_address_gets_its_hourly_allowance_then_waits_for_the_oldest() {
        let limiter = SignupLimiter::new(3);
        for i in 0..3 {
            assert!(limiter.begin(ip(1), t(i * 10)).is_ok());
        }
        assert_eq!(limiter.begin(ip(1), t(30)).expect_err("over"), Duration::from_secs(3600 - 30));
        assert!(limiter.begin(ip(2), t(30)).is_ok(), "another address has its own");
        assert!(limiter.begin(ip(1), t(3600)).is_ok(), "the first attempt aged out");
        assert!(limiter.begin(ip(1), t(3601)).is_err());
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = SignupLimiter::new(0);
        for i in 0..1000 {
            assert!(limiter.begin(ip(1), t(i)).is_ok());
        }
    }
}
