//! The one way tests wait for something the server does in its own time: poll a condition
//! with a deadline. Never a bare sleep, never a hand-written loop.

use std::future::Future;
use std::time::Duration;

/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(10);

/// Polls `probe` until it returns `Some(value)`, and returns that value. After `timeout` it
/// fails, naming `what` and the last thing `probe` saw (its `Err`, or the last `None`'s
/// description from `seen`), so a failure says what the state was, not only that time ran out.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Probe<T>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let seen = match probe().await? {
            Probe::Done(value) => return Ok(value),
            Probe::NotYet(seen) => seen,
        };
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}; last seen: {seen}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// One look at a condition: met (with the value the caller wants), or not yet (with a short
/// description of what was seen instead).
pub enum Probe<T> {
    Done(T),
    NotYet(String),
}

impl<T> Probe<T> {
    /// `Done(value)` when `met`, otherwise `NotYet` describing `value`.
    pub fn when(met: bool, value: T) -> Self
    where
        T: std::fmt::Debug,
    {
        if met {
            Probe::Done(value)
        } else {
            Probe::NotYet(format!("{value:?}"))
        }
    }
}
