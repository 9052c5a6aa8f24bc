//! Time as the reminder service sees it, injected so tests drive days in milliseconds.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use tokio::sync::{oneshot, watch};

#[async_trait]
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Returns once `now() >= deadline`.
    async fn sleep_until(&self, deadline: DateTime<Utc>);
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn sleep_until(&self, deadline: DateTime<Utc>) {
        let wait = (deadline - Utc::now()).to_std().unwrap_or(StdDuration::ZERO);
        tokio::time::sleep(wait).await;
    }
}

/// A clock that only moves when told to. Sleepers park until [`ManualClock::advance`]
/// passes their deadline; [`ManualClock::wait_parked`] lets a test wait until its workers
/// have finished reacting to a step ("run until quiescent"), instead of sleeping.
#[derive(Clone)]
pub struct ManualClock {
    inner: Arc<Mutex<ManualState>>,
    /// Bumped whenever a sleeper parks, so waiters can re-check.
    parked_tx: watch::Sender<u64>,
}

struct ManualState {
    now: DateTime<Utc>,
    sleepers: Vec<(DateTime<Utc>, oneshot::Sender<()>)>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        let (parked_tx, _) = watch::channel(0);
        ManualClock { inner: Arc::new(Mutex::new(ManualState { now: start, sleepers: Vec::new() })), parked_tx }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A panic while holding this lock can only come from a bug in this file; the state
        // stays consistent (plain values), so keep going with it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Moves time forward by `by` and wakes every sleeper whose deadline has come.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }

    /// Moves time to `to` (never backwards) and wakes sleepers whose deadline has come.
    pub fn set(&self, to: DateTime<Utc>) {
        let due = {
            let mut st = self.state();
            if to > st.now {
                st.now = to;
            }
            let now = st.now;
            let (due, keep): (Vec<_>, Vec<_>) = st.sleepers.drain(..).partition(|(d, _)| *d <= now);
            st.sleepers = keep;
            due
        };
        for (_, tx) in due {
            let _ = tx.send(());
        }
    }

    /// How many live sleepers are parked on a deadline still in the future.
    pub fn parked(&self) -> usize {
        let st = self.state();
        st.sleepers.iter().filter(|(d, tx)| *d > st.now && !tx.is_closed()).count()
    }

    /// Waits (in real time, up to `timeout`) until at least `n` sleepers are parked, i.e.
    /// the tasks sleeping on this clock have finished what the last step woke them for.
    /// Returns false on timeout.
    pub async fn wait_parked(&self, n: usize, timeout: StdDuration) -> bool {
        let mut rx = self.parked_tx.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.parked() >= n {
                return true;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return self.parked() >= n,
            }
        }
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.state().now
    }

    async fn sleep_until(&self, deadline: DateTime<Utc>) {
        let rx = {
            let mut st = self.state();
            if deadline <= st.now {
                return;
            }
            let (tx, rx) = oneshot::channel();
            st.sleepers.push((deadline, tx));
            rx
        };
        self.parked_tx.send_modify(|n| *n += 1);
        let _ = rx.await;
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[tokio::test]
    async fn sleepers_wake_only_when_time_passes_their_deadline() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let clock = ManualClock::new(start);
        let c = clock.clone();
        let task = tokio::spawn(async move {
            c.sleep_until(start + Duration::seconds(30)).await;
            c.now()
        });
        assert!(clock.wait_parked(1, StdDuration::from_secs(5)).await);
        clock.advance(Duration::seconds(10));
        assert_eq!(clock.parked(), 1);
        clock.advance(Duration::seconds(25));
        let woke_at = task.await.unwrap_or_default();
        assert_eq!(woke_at, start + Duration::seconds(35));
        assert_eq!(clock.parked(), 0);
    }
}
