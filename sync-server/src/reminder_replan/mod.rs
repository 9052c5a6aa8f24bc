//! Re-planning: when a user's document changes (a device's sync, the server's own edit, or
//! another instance's change merged here), that user's nudges are recomputed from it. Only
//! that user, after a quiet time, never a scan of all documents. Birthdays that are over get
//! next year's planned by a periodic store sweep ([`rollover`]), edits or not. Planning is idempotent
//! (`UNIQUE(contact, kind, cycle_anchor)`), so re-planning too often is only wasted work.

mod debounce;
mod memo;
mod rollover;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reminders::plan::plan_user;
use automerge::ChangeHash;
use reminders::{plan_fingerprint, Clock, NudgeStoreError, PlanChanges, PlannedNudge};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

pub use debounce::Debouncer;
pub use memo::{PlanMemo, Written};

use crate::ids::DocId;
use crate::shutdown::ShutdownSignal;
use crate::store::Store;
use crate::store::StoreError;
use crate::live::{DocChanged, Hub, HubError};

/// How often (real time) the reminder clock is read to see whether a birthday sweep is due.
const SWEEP_CHECK: Duration = Duration::from_secs(1);

/// Documents re-planned at once; more wait for a free slot.
const CONCURRENCY: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Nudges(#[from] NudgeStoreError),
}

/// What re-planning reads and writes: documents (from the hub, which also announces changes)
/// and the schedule. Taken instead of the whole `AppState`, so this module depends on the
/// parts, not on the server that assembles them.
#[derive(Clone)]
pub struct Sources {
    pub hub: Hub,
    pub store: Arc<dyn Store>,
}

/// Listens for document changes until `stop`, re-planning each changed document's owner.
pub async fn run(state: Sources, clock: Arc<dyn Clock>, quiet: Duration, mut stop: ShutdownSignal) {
    let mut changes = state.hub.subscribe_changes();
    let mut waiting = Debouncer::new(quiet);
    let memo = PlanMemo::default();
    // The sweep runs on the reminder clock (tests move it by days); it is read once a second.
    let mut sweeps = rollover::Schedule::default();
    let mut check = tokio::time::interval(SWEEP_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let next = waiting.next_deadline();
        tokio::select! {
            () = stop.wait() => break,
            _ = check.tick() => {
                if let Some(window) = sweeps.due(clock.now()) {
                    for doc in rollover::documents(&state, window).await {
                        // Time, not the document, moved the plan: plan it in full.
                        memo.forget(doc);
                        waiting.touch(doc, Instant::now());
                    }
                }
            }
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
                replan_all(&state, clock.as_ref(), &memo, due).await;
            }
        }
    }
    // Changes accepted just before shutdown still get their schedule.
    replan_all(&state, clock.as_ref(), &memo, waiting.take_all()).await;
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn replan_all(state: &Sources, clock: &dyn Clock, memo: &PlanMemo, docs: Vec<DocId>) {
    futures::stream::iter(docs)
        .for_each_concurrent(CONCURRENCY, |doc| async move {
            match replan_doc(state, clock, memo, doc).await {
                Ok(Some(c)) if c != PlanChanges::default() => tracing::debug!(%doc, ?c, "nudges re-planned"),
                Ok(_) => {}
                Err(e) => tracing::warn!(%doc, error = %e, "cannot re-plan nudges; the next change retries"),
            }
        })
        .await;
}

/// What reading the document gave.
enum Reading {
    /// Only notes changed since the plan in the store was made: it still stands.
    Unchanged(Vec<ChangeHash>),
    Planned(Vec<PlannedNudge>, Vec<ChangeHash>),
}

/// Re-plans the owner of `doc` from the document as it is now, unless nothing the plan reads
/// changed since this instance last wrote it, or the new plan equals it (see [`PlanMemo`]).
/// The document is read on a blocking thread from a copy (planning hydrates it).
/// `None`: the document (or its account) no longer exists.
pub async fn replan_doc(
    state: &Sources,
    clock: &dyn Clock,
    memo: &PlanMemo,
    doc: DocId,
) -> Result<Option<PlanChanges>, ReplanError> {
    let now = clock.now();
    let base = memo.notes_skip_base(doc, now);
    let since = base.as_ref().map(|w| w.heads.clone());
    let read = state
        .hub
        .read_detached(doc, move |am| {
            let heads = am.get_heads();
            if since.is_some_and(|since| crdt_model::only_notes_changed(am, &since)) {
                return Reading::Unchanged(heads);
            }
            Reading::Planned(plan_user(&crdt_model::load_without_notes(am).doc, now), heads)
        })
        .await;
    let (owner, (plan, heads)) = match read {
        Ok((_, Reading::Unchanged(heads))) => {
            // Still the plan computed at `planned_at`; only the heads it covers moved on.
            if let Some(w) = base {
                memo.written(doc, Written { heads, ..w });
            }
            return Ok(Some(PlanChanges::default()));
        }
        Ok((owner, Reading::Planned(plan, heads))) => (owner, (plan, heads)),
        Err(HubError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let fingerprint = plan_fingerprint(&plan);
    let written = Written { fingerprint: Some(fingerprint), heads, planned_at: now };
    if memo.is_current(doc, fingerprint) {
        memo.written(doc, written);
        return Ok(Some(PlanChanges::default()));
    }
    match state.store.replace_plan(owner, &plan).await {
        Ok(changes) if changes.in_flight_kept > 0 => {
            // The store still holds rows this plan does not want: consult it next time.
            memo.written(doc, Written { fingerprint: None, ..written });
            Ok(Some(changes))
        }
        Ok(changes) => {
            memo.written(doc, written);
            Ok(Some(changes))
        }
        Err(e) => {
            memo.forget(doc);
            Err(e.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use crdt_model::{add_follow_up, create_contact, edit_follow_up, new_document, ContactDraft, FollowUpDraft, FollowUpPatch, Name};

    use super::*;

    /// A follow-up's note is shown in its notification, so typing into it is not a notes-only
    /// change (the memo must not skip it) and it moves the fingerprint (the store is updated).
    #[test]
    fn editing_a_follow_up_note_is_planned_and_reaches_the_store() -> Result<(), Box<dyn std::error::Error>> {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().ok_or("time")?;
        let mut am = new_document("Europe/Berlin", now)?;
        let ada = create_contact(&mut am, ContactDraft { name: Name { display: "Ada".into(), ..Name::default() }, ..ContactDraft::default() }, now)?;
        let draft = FollowUpDraft { contact_ids: vec![ada], due_at: now + chrono::Duration::days(2), all_day: false, note: "Call".into(), repeat: None };
        let id = add_follow_up(&mut am, draft, now)?;
        let before = am.get_heads();
        let planned = plan_user(&crdt_model::load_without_notes(&am).doc, now);
        edit_follow_up(&mut am, id, FollowUpPatch { note: Some("Call after the surgery".into()), ..FollowUpPatch::default() }, now)?;
        assert!(!crdt_model::only_notes_changed(&am, &before), "not a contact note: must be re-planned");
        let after = plan_user(&crdt_model::load_without_notes(&am).doc, now);
        assert_eq!(after.iter().find(|p| p.kind == reminders::NudgeKind::FollowUp).map(|p| p.detail.as_str()), Some("Call after the surgery"));
        assert_ne!(plan_fingerprint(&planned), plan_fingerprint(&after));
        Ok(())
    }
}
