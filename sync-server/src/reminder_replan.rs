//! Re-planning: when a user's document changes (a device's sync, the server's own edit, or
//! another instance's change merged here), that user's nudges are recomputed from it. Only
//! that user, after a quiet time, never a scan of all documents. Planning is idempotent
//! (`UNIQUE(contact, kind, cycle_anchor)`), so re-planning too often is only wasted work.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reminders::plan::plan_user;
use reminders::{Clock, NudgeStore, NudgeStoreError, PlanChanges};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::ids::DocId;
use crate::shutdown::ShutdownSignal;
use crate::state::AppState;
use crate::store::nudges::StoreNudges;
use crate::store::StoreError;
use crate::sync::{DocChanged, HubError};

/// Documents re-planned at once; more wait for a free slot.
const CONCURRENCY: usize = 4;

/// A document keeps changing (someone typing a note) → it is still re-planned this often.
const MAX_WAIT_FACTOR: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Nudges(#[from] NudgeStoreError),
}

/// Which documents wait to be re-planned, and until when. Pure: time is passed in.
#[derive(Debug)]
pub struct Debouncer {
    quiet: Duration,
    max_wait: Duration,
    /// doc → (first change not yet planned, when to plan it).
    waiting: HashMap<DocId, (Instant, Instant)>,
}

impl Debouncer {
    pub fn new(quiet: Duration) -> Self {
        Debouncer { quiet, max_wait: quiet * MAX_WAIT_FACTOR, waiting: HashMap::new() }
    }

    /// `doc` changed at `now`: plan it once it has been quiet for a while, but no later
    /// than `max_wait` after the first change still waiting.
    pub fn touch(&mut self, doc: DocId, now: Instant) {
        let (first, at) = self.waiting.entry(doc).or_insert((now, now));
        *at = (now + self.quiet).min(*first + self.max_wait);
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.waiting.values().map(|(_, at)| *at).min()
    }

    /// Removes and returns the documents whose time has come.
    pub fn take_due(&mut self, now: Instant) -> Vec<DocId> {
        let due: Vec<DocId> = self.waiting.iter().filter(|(_, (_, at))| *at <= now).map(|(d, _)| *d).collect();
        for d in &due {
            self.waiting.remove(d);
        }
        due
    }

    pub fn take_all(&mut self) -> Vec<DocId> {
        self.waiting.drain().map(|(d, _)| d).collect()
    }
}

/// Listens for document changes until `stop`, re-planning each changed document's owner.
pub async fn run(state: AppState, clock: Arc<dyn Clock>, quiet: Duration, mut stop: ShutdownSignal) {
    let mut changes = state.hub.subscribe_changes();
    let mut waiting = Debouncer::new(quiet);
    loop {
        let next = waiting.next_deadline();
        tokio::select! {
            () = stop.wait() => break,
            event = changes.recv() => match event {
                Ok(DocChanged { doc }) => waiting.touch(doc, Instant::now()),
                Err(RecvError::Lagged(missed)) => {
                    // Every document that changed is still in memory (documents stay loaded
                    // for `doc_idle` after use), so re-planning those covers what was missed.
                    let loaded = state.hub.loaded_doc_ids();
                    tracing::warn!(missed, loaded = loaded.len(), "re-planning fell behind; re-planning documents in memory");
                    let now = Instant::now();
                    for doc in loaded {
                        waiting.touch(doc, now);
                    }
                }
                Err(RecvError::Closed) => break,
            },
            () = sleep_until(next) => {
                let due = waiting.take_due(Instant::now());
                replan_all(&state, clock.as_ref(), due).await;
            }
        }
    }
    // Changes accepted just before shutdown still get their schedule.
    replan_all(&state, clock.as_ref(), waiting.take_all()).await;
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn replan_all(state: &AppState, clock: &dyn Clock, docs: Vec<DocId>) {
    futures::stream::iter(docs)
        .for_each_concurrent(CONCURRENCY, |doc| async move {
            match replan_doc(state, clock, doc).await {
                Ok(Some(c)) if c != PlanChanges::default() => tracing::debug!(%doc, ?c, "nudges re-planned"),
                Ok(_) => {}
                Err(e) => tracing::warn!(%doc, error = %e, "cannot re-plan nudges; the next change retries"),
            }
        })
        .await;
}

/// Re-plans the owner of `doc` from the document as it is now. `None`: the document (or its
/// account) no longer exists.
pub async fn replan_doc(state: &AppState, clock: &dyn Clock, doc: DocId) -> Result<Option<PlanChanges>, ReplanError> {
    let Some(owner) = state.store.doc_owner(doc).await? else { return Ok(None) };
    let now = clock.now();
    let planned = state.hub.read_doc(doc, |am| plan_user(&crdt_model::load_without_notes(am).doc, now)).await;
    let plan = match planned {
        Ok(plan) => plan,
        Err(HubError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let changes = StoreNudges(state.store.clone()).replace_plan(reminders::UserId(owner.0), &plan).await?;
    Ok(Some(changes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: u8) -> DocId {
        DocId([n; 16])
    }

    #[test]
    fn waits_for_quiet_but_not_forever() {
        let quiet = Duration::from_millis(100);
        let mut d = Debouncer::new(quiet);
        let t0 = Instant::now();
        assert_eq!(d.next_deadline(), None);
        d.touch(doc(1), t0);
        assert_eq!(d.next_deadline(), Some(t0 + quiet));
        // Each further change pushes it out by the quiet time...
        d.touch(doc(1), t0 + Duration::from_millis(50));
        assert!(d.take_due(t0 + quiet).is_empty());
        assert_eq!(d.next_deadline(), Some(t0 + Duration::from_millis(150)));
        // ...but a document that never stops changing is planned after 10 × quiet.
        for ms in (200..2000).step_by(50) {
            d.touch(doc(1), t0 + Duration::from_millis(ms));
        }
        assert_eq!(d.next_deadline(), Some(t0 + quiet * MAX_WAIT_FACTOR));
        assert_eq!(d.take_due(t0 + quiet * MAX_WAIT_FACTOR), vec![doc(1)]);
        assert_eq!(d.next_deadline(), None);
    }

    #[test]
    fn documents_wait_independently() {
        let mut d = Debouncer::new(Duration::from_millis(100));
        let t0 = Instant::now();
        d.touch(doc(1), t0);
        d.touch(doc(2), t0 + Duration::from_millis(60));
        assert_eq!(d.take_due(t0 + Duration::from_millis(100)), vec![doc(1)]);
        assert_eq!(d.take_all(), vec![doc(2)]);
    }

    #[test]
    fn zero_quiet_time_plans_at_once() {
        let mut d = Debouncer::new(Duration::ZERO);
        let t0 = Instant::now();
        d.touch(doc(3), t0);
        assert_eq!(d.take_due(t0), vec![doc(3)]);
    }
}
