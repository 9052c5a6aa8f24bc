//! A few dedicated threads for password hashing.
//!
//! Why not tokio's blocking pool: it grows to hundreds of threads under a burst of logins,
//! and every thread that ever ran argon2 keeps its 19 MiB block in its own malloc arena
//! after the hash is done. A thousand sign-ups left the server holding ~800 MiB it no
//! longer used. With one thread per core, at most that many blocks are ever allocated, the
//! same ones are reused, and hashing never competes with the blocking pool's other work.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashPool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the password hashing threads have stopped")]
pub struct PoolGone;

impl HashPool {
    /// Starts `threads` hashing threads; they end when the pool is dropped.
    pub fn new(threads: usize) -> HashPool {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("kith-argon2-{i}")).spawn(move || loop {
                // Hold the lock only to take a job, not while running it.
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                match job {
                    // A panicking job drops its reply sender (its caller gets an error); the
                    // thread stays for the next one.
                    Ok(job) => {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(_) => return, // the pool was dropped
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        HashPool { jobs: Mutex::new(tx) }
    }

    /// Runs `f` on a hashing thread and waits for its result without blocking the caller's
    /// async worker.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, PoolGone> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.lock().map_err(|_| PoolGone)?.send(job).map_err(|_| PoolGone)?;
        rx.await.map_err(|_| PoolGone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_its_own_named_threads() {
        let pool = HashPool::new(2);
        let names = futures::future::join_all((0..8).map(|_| {
            pool.run(|| std::thread::current().name().map(str::to_owned))
        }))
        .await;
        for name in names {
            let name = name.expect("pool alive").expect("named thread");
            assert!(name.starts_with("kith-argon2-"), "{name}");
        }
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_hang() {
        let pool = HashPool::new(1);
        let failed = pool.run(|| -> u8 { panic!("boom") }).await;
        assert!(failed.is_err());
        assert_eq!(pool.run(|| 7).await.expect("the thread survived"), 7);
    }
}
