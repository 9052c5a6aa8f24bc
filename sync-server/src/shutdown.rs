//! Graceful shutdown of background work. Components that run for the server's lifetime (the
//! reminder worker, say) take a [`Shutdown::signal`] to stop taking new work and are started
//! with [`Shutdown::spawn`], so the server waits for in-flight work (a push being sent)
//! before it exits — up to `KITH_SHUTDOWN_SECS` in total. tokio-util's cancellation token
//! and task tracker do the work.

use std::future::Future;

use tokio_util::sync::{CancellationToken, DropGuard};
use tokio_util::task::TaskTracker;

/// Cheap to clone; lives in `AppState`.
#[derive(Clone, Default)]
pub struct Shutdown {
    token: CancellationToken,
    tasks: TaskTracker,
}

/// Resolves once shutdown has begun. Clone it into each loop that should stop.
#[derive(Clone)]
pub struct ShutdownSignal(CancellationToken);

impl ShutdownSignal {
    /// Cancel-safe: fine in a `select!` loop.
    pub async fn wait(&mut self) {
        self.0.cancelled().await
    }

    pub fn is_set(&self) -> bool {
        self.0.is_cancelled()
    }
}

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn signal(&self) -> ShutdownSignal {
        ShutdownSignal(self.token.clone())
    }

    /// Runs `work` as a task the server waits for at shutdown (after telling it to stop).
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        self.tasks.spawn(work);
    }

    /// Tells every holder of a signal to stop.
    pub fn begin(&self) {
        self.token.cancel();
    }

    /// Begins shutdown when dropped: a server future dropped mid-run (a test aborting it)
    /// still stops its background work.
    pub fn begin_on_drop(&self) -> DropGuard {
        self.token.clone().drop_guard()
    }

    /// Waits for every task started with [`Shutdown::spawn`] to end.
    pub async fn finished(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn tracked_work_is_told_to_stop_and_awaited() {
        let shutdown = Shutdown::new();
        let done = Arc::new(AtomicBool::new(false));
        let mut signal = shutdown.signal();
        let flag = done.clone();
        shutdown.spawn(async move {
            signal.wait().await;
            // the "in-flight push" finishes after the signal
            tokio::task::yield_now().await;
            flag.store(true, Ordering::SeqCst);
        });
        assert!(!shutdown.signal().is_set());
        shutdown.begin();
        tokio::time::timeout(Duration::from_secs(1), shutdown.finished()).await.expect("finishes");
        assert!(done.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn dropping_the_guard_begins_shutdown() {
        let shutdown = Shutdown::new();
        drop(shutdown.begin_on_drop());
        assert!(shutdown.signal().is_set());
    }
}
