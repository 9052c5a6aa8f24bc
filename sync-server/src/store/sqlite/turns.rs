//! Writers take turns in-process before SQLite's single write lock. A writer that finds the
//! lock taken sleeps in SQLite's busy handler in steps of up to 100 ms, which showed up as the
//! p99 of edit propagation; queued here, the next writer starts the moment the previous one
//! commits. Devices' changes go straight to the gate; background writers (re-plans) first
//! queue among themselves, so a device's change waits behind one of them at most, not behind
//! a burst (after many documents changed at once: an import, a restart).

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard};

#[derive(Clone, Debug, Default)]
pub(crate) struct WriteTurns {
    gate: Arc<Mutex<()>>,
    background: Arc<Mutex<()>>,
}

/// A background writer's turn: its place among background writers, then at the gate.
pub(crate) struct BackgroundTurn<'a> {
    _turn: MutexGuard<'a, ()>,
    _queue: MutexGuard<'a, ()>,
}

impl WriteTurns {
    /// Held across a write on a hot path (a device's change).
    pub(crate) async fn hot(&self) -> MutexGuard<'_, ()> {
        self.gate.lock().await
    }

    /// Held across a background write.
    pub(crate) async fn background(&self) -> BackgroundTurn<'_> {
        let queue = self.background.lock().await;
        BackgroundTurn { _turn: self.gate.lock().await, _queue: queue }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use super::*;

    #[tokio::test]
    async fn a_device_change_waits_behind_one_background_write_at_most() {
        let turns = WriteTurns::default();
        let order = Arc::new(StdMutex::new(Vec::new()));
        let first = turns.background().await;
        let spawn = |name: &'static str, background: bool| {
            let (turns, order) = (turns.clone(), order.clone());
            tokio::spawn(async move {
                if background {
                    let _t = turns.background().await;
                    order.lock().map(|mut o| o.push(name)).ok();
                } else {
                    let _t = turns.hot().await;
                    order.lock().map(|mut o| o.push(name)).ok();
                }
            })
        };
        let queued = [spawn("background 2", true), spawn("background 3", true)];
        tokio::task::yield_now().await;
        let device = spawn("device", false);
        tokio::task::yield_now().await;
        drop(first);
        device.await.ok();
        for t in queued {
            t.await.ok();
        }
        let order = order.lock().map(|o| o.clone()).unwrap_or_default();
        assert_eq!(order.first(), Some(&"device"), "{order:?}");
        assert_eq!(order.len(), 3);
    }
}
