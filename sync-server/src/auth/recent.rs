//! Recent events per key over a sliding window: the bookkeeping under both the login and the
//! signup limiter. Pure, with the time passed in, so tests step the clock instead of sleeping.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use chrono::{DateTime, Utc};

/// Keys with nothing left in the window are swept once this many are tracked, and then each
/// time the count doubles again, so the sweep costs O(1) per insert however many keys are live.
const SWEEP_ABOVE: usize = 10_000;

/// The most keys tracked at once. Argon2's cost throttles how fast a guesser adds keys, but a
/// day-long window (login failures) would still let a patient one grow the map without end;
/// past this, the half whose last event is oldest is forgotten (those keys start afresh).
const MAX_KEYS: usize = 200_000;

pub(super) struct Recent<K> {
    window: chrono::Duration,
    by_key: HashMap<K, VecDeque<DateTime<Utc>>>,
    /// The key count at which the next sweep runs.
    sweep_at: usize,
}

impl<K: Eq + Hash + Clone> Recent<K> {
    pub(super) fn new(window: std::time::Duration) -> Self {
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        Recent { window, by_key: HashMap::new(), sweep_at: SWEEP_ABOVE }
    }

    /// The events of `key` still inside the window at `now`, oldest first.
    pub(super) fn events(&mut self, key: &K, now: DateTime<Utc>) -> Option<&VecDeque<DateTime<Utc>>> {
        let window = self.window;
        let times = self.by_key.get_mut(key)?;
        while times.front().is_some_and(|t| *t + window <= now) {
            times.pop_front();
        }
        Some(times)
    }

    /// How many events `key` has inside the window at `now`.
    #[cfg(test)]
    pub(super) fn count(&mut self, key: &K, now: DateTime<Utc>) -> usize {
        self.events(key, now).map_or(0, VecDeque::len)
    }

    /// When an event recorded at `at` leaves the window.
    pub(super) fn expiry_of(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        at + self.window
    }

    pub(super) fn push(&mut self, key: K, now: DateTime<Utc>) {
        if !self.by_key.contains_key(&key) && self.by_key.len() >= self.sweep_at {
            self.sweep(now);
        }
        self.by_key.entry(key).or_default().push_back(now);
    }

    /// Drops keys with nothing left in the window, then, if still at [`MAX_KEYS`], the half
    /// whose last event is oldest.
    fn sweep(&mut self, now: DateTime<Utc>) {
        let window = self.window;
        self.by_key.retain(|_, times| times.back().is_some_and(|t| *t + window > now));
        if self.by_key.len() >= MAX_KEYS {
            let mut last: Vec<DateTime<Utc>> = self.by_key.values().filter_map(|t| t.back().copied()).collect();
            let cut = last.len() / 2;
            let (_, median, _) = last.select_nth_unstable(cut);
            let median = *median;
            self.by_key.retain(|_, times| times.back().is_some_and(|t| *t > median));
        }
        self.sweep_at = (self.by_key.len() * 2).clamp(SWEEP_ABOVE, MAX_KEYS);
    }

    /// Takes back one event recorded at `at` (a reserved attempt that turned out fine).
    pub(super) fn refund(&mut self, key: &K, at: DateTime<Utc>) {
        if let Some(times) = self.by_key.get_mut(key) {
            if let Some(i) = times.iter().rposition(|t| *t == at) {
                times.remove(i);
            }
            if times.is_empty() {
                self.by_key.remove(key);
            }
        }
    }

    pub(super) fn clear(&mut self, key: &K) {
        self.by_key.remove(key);
    }

    #[cfg(test)]
    pub(super) fn keys(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().expect("valid")
    }

    #[test]
    fn events_age_out_of_the_window() {
        let mut recent = Recent::new(Duration::from_secs(10));
        recent.push("k", t(0));
        recent.push("k", t(5));
        assert_eq!(recent.count(&"k", t(9)), 2);
        assert_eq!(recent.count(&"k", t(10)), 1);
        assert_eq!(recent.count(&"k", t(15)), 0);
        assert_eq!(recent.count(&"other", t(0)), 0);
    }

    #[test]
    fn refund_takes_back_exactly_one_event() {
        let mut recent = Recent::new(Duration::from_secs(10));
        recent.push("k", t(1));
        recent.push("k", t(1));
        recent.refund(&"k", t(1));
        assert_eq!(recent.count(&"k", t(2)), 1);
        recent.refund(&"k", t(7)); // nothing recorded then: no change
        assert_eq!(recent.count(&"k", t(2)), 1);
    }

    #[test]
    fn expired_keys_are_swept() {
        let mut recent = Recent::new(Duration::from_secs(1));
        // the sweep runs when a new key arrives with SWEEP_ABOVE already tracked
        for i in 0..SWEEP_ABOVE {
            recent.push(i, t(0));
        }
        recent.push(usize::MAX, t(5));
        assert_eq!(recent.keys(), 1);
    }

    #[test]
    fn the_map_stays_bounded_and_keeps_the_most_recent_keys() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut r = Recent::new(Duration::from_secs(24 * 3600));
        for i in 0..(MAX_KEYS + 10) {
            r.push(i, t0 + chrono::Duration::milliseconds(i as i64));
        }
        assert!(r.keys() <= MAX_KEYS, "{} keys", r.keys());
        // the newest keys survive; the oldest were forgotten
        let last = MAX_KEYS + 9;
        assert_eq!(r.count(&last, t0 + chrono::Duration::milliseconds(last as i64)), 1);
        assert_eq!(r.count(&0, t0 + chrono::Duration::milliseconds(last as i64)), 0);
    }
}
