//! Graceful shutdown of background work. Components that run for the server's lifetime (the
//! reminder worker, say) take a [`Shutdown::signal`] to stop taking new work, and hand their
//! task to [`Shutdown::track`], so the server waits for in-flight work (a push being sent)
//! before it exits — up to `KITH_SHUTDOWN_SECS` in total.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Cheap to clone; lives in `AppState`.
#[derive(Clone)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

struct Inner {
    tx: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown { inner: Arc::new(Inner { tx: watch::channel(false).0, tasks: Mutex::new(Vec::new()) }) }
    }
}

/// Resolves once shutdown has begun. Clone it into each loop that should stop.
#[derive(Clone)]
pub struct ShutdownSignal(watch::Receiver<bool>);

impl ShutdownSignal {
    /// Cancel-safe: fine in a `select!` loop.
    pub async fn wait(&mut self) {
        // An error means the sender is gone, i.e. the server is gone: also "stop".
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }
}

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn signal(&self) -> ShutdownSignal {
        ShutdownSignal(self.inner.tx.subscribe())
    }

    /// The server waits for `task` at shutdown (after telling it to stop).
    pub fn track(&self, task: JoinHandle<()>) {
        if let Ok(mut tasks) = self.inner.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(task);
        }
    }

    /// Tells every holder of a signal to stop.
    pub fn begin(&self) {
        self.inner.tx.send_replace(true);
    }

    /// Waits for every tracked task to end.
    pub async fn finished(&self) {
        let tasks = self.inner.tasks.lock().map(|mut t| std::mem::take(&mut *t)).unwrap_or_default();
        for task in tasks {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "a background task failed while shutting down");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn tracked_work_is_told_to_stop_and_awaited() {
        let shutdown = Shutdown::new();
        let done = Arc::new(AtomicBool::new(false));
        let mut signal = shutdown.signal();
        let flag = done.clone();
        shutdown.track(tokio::spawn(async move {
            signal.wait().await;
            // the "in-flight push" finishes after the signal
            tokio::task::yield_now().await;
            flag.store(true, Ordering::SeqCst);
        }));
        assert!(!shutdown.signal().is_set());
        shutdown.begin();
        tokio::time::timeout(Duration::from_secs(1), shutdown.finished()).await.expect("finishes");
        assert!(done.load(Ordering::SeqCst));
    }
}
