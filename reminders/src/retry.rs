//! When to try a failed push again, and when to stop.

use std::time::Duration;

/// Bounded exponential back-off that defers to the push service's `Retry-After`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total delivery attempts per nudge (each claim is one).
    pub max_attempts: u32,
    /// Delay after the first failure; doubles after each further one.
    pub base: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 5, base: Duration::from_secs(60), max_delay: Duration::from_secs(3600) }
    }
}

/// A push service asking for more than a day is treated as asking for a day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

impl RetryPolicy {
    /// `None`: give up. Otherwise how long to wait before the next attempt, given the
    /// attempts made so far (≥ 1) and the service's `Retry-After`, which wins when given.
    pub fn next_delay(&self, attempts: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        if let Some(after) = retry_after {
            return Some(after.clamp(Duration::from_secs(1), MAX_RETRY_AFTER));
        }
        let doublings = attempts.saturating_sub(1).min(20);
        Some(self.base.saturating_mul(1 << doublings).min(self.max_delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_exponentially_then_gives_up() {
        let p = RetryPolicy { max_attempts: 4, base: Duration::from_secs(10), max_delay: Duration::from_secs(25) };
        assert_eq!(p.next_delay(1, None), Some(Duration::from_secs(10)));
        assert_eq!(p.next_delay(2, None), Some(Duration::from_secs(20)));
        assert_eq!(p.next_delay(3, None), Some(Duration::from_secs(25)));
        assert_eq!(p.next_delay(4, None), None);
    }

    #[test]
    fn retry_after_wins_within_bounds() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(1, Some(Duration::from_secs(2))), Some(Duration::from_secs(2)));
        assert_eq!(p.next_delay(1, Some(Duration::ZERO)), Some(Duration::from_secs(1)));
        assert_eq!(p.next_delay(1, Some(Duration::from_secs(9_999_999))), Some(MAX_RETRY_AFTER));
        assert_eq!(p.next_delay(5, Some(Duration::from_secs(2))), None);
    }
}
