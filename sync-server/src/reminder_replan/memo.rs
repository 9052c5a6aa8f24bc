//! What this instance last wrote as each document's plan: its fingerprint
//! ([`reminders::plan_fingerprint`]) and the document heads it was planned from. Most edits
//! leave the plan as it was. A change that touched only notes (someone typing) soon after the
//! last plan needs no re-plan at all — the heads tell what changed since; any other change is
//! planned, and if the fingerprint did not move (a phone number added) the store is skipped: no
//! read of the user's rows, no diff, no write lock.
//!
//! Only a skip is decided here; anything uncertain goes to the store, whose diff is the truth:
//! an unknown document, a fingerprint that moved, or a memo that was cleared. Another instance
//! writing the same user's rows always comes with a document change that reaches this instance
//! too (and a re-plan whose fingerprint then differs from the one remembered here).

use std::collections::HashMap;
use std::sync::Mutex;

use automerge::ChangeHash;
use chrono::{DateTime, Duration, Utc};

use crate::ids::DocId;

/// Past this many documents the memo starts over, so it never grows with the number of users
/// (8 bytes + key per document; a cleared memo costs one store diff per document).
const MAX_ENTRIES: usize = 50_000;

/// A plan also depends on the time (a birthday that passed rolls over to next year), so a
/// notes-only change skips planning only this soon after the plan was computed; later, the
/// document is planned again and the fingerprint decides whether the store is touched.
const NOTES_SKIP_FOR_HOURS: i64 = 6;

/// The plan the store holds for a document, and the document state and time it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// `None`: the store must be consulted next time (it kept rows this plan does not want),
    /// so no change may skip planning either.
    pub fingerprint: Option<u64>,
    pub heads: Vec<ChangeHash>,
    pub planned_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct PlanMemo {
    written: Mutex<HashMap<DocId, Written>>,
}

impl PlanMemo {
    /// What was last written for `doc`, if this instance remembers.
    pub fn last(&self, doc: DocId) -> Option<Written> {
        self.written.lock().ok().and_then(|m| m.get(&doc).cloned())
    }

    /// The heads a notes-only change may be measured against at `now`: those of the plan in the
    /// store, if it was computed recently enough (see [`NOTES_SKIP_FOR_HOURS`]).
    pub fn notes_skip_base(&self, doc: DocId, now: DateTime<Utc>) -> Option<Written> {
        self.last(doc)
            .filter(|w| w.fingerprint.is_some() && now - w.planned_at < Duration::hours(NOTES_SKIP_FOR_HOURS))
    }

    /// Whether `fingerprint` is what was last written for `doc`.
    pub fn is_current(&self, doc: DocId, fingerprint: u64) -> bool {
        self.written.lock().is_ok_and(|m| m.get(&doc).is_some_and(|w| w.fingerprint == Some(fingerprint)))
    }

    /// The store holds the plan `w.fingerprint` for `doc`, which is also the plan of the
    /// document at `w.heads` as of `w.planned_at`.
    pub fn written(&self, doc: DocId, w: Written) {
        if let Ok(mut m) = self.written.lock() {
            if m.len() >= MAX_ENTRIES && !m.contains_key(&doc) {
                m.clear();
            }
            m.insert(doc, w);
        }
    }

    /// The store's rows may no longer match what was written (a failed write, say).
    pub fn forget(&self, doc: DocId) {
        if let Ok(mut m) = self.written.lock() {
            m.remove(&doc);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.written.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().unwrap_or_default() + Duration::hours(h)
    }

    fn w(fingerprint: u64, heads: Vec<ChangeHash>) -> Written {
        Written { fingerprint: Some(fingerprint), heads, planned_at: at(0) }
    }

    fn doc(n: u32) -> DocId {
        let mut id = [0u8; 16];
        id[..4].copy_from_slice(&n.to_le_bytes());
        DocId(id)
    }

    #[test]
    fn skips_only_what_was_written() {
        let memo = PlanMemo::default();
        assert!(!memo.is_current(doc(1), 7), "unknown documents go to the store");
        let heads = vec![ChangeHash([1; 32])];
        memo.written(doc(1), w(7, heads.clone()));
        assert!(memo.is_current(doc(1), 7));
        assert_eq!(memo.last(doc(1)), Some(w(7, heads)));
        assert!(!memo.is_current(doc(1), 8), "a moved plan goes to the store");
        assert!(!memo.is_current(doc(2), 7), "documents are separate");
        memo.forget(doc(1));
        assert!(!memo.is_current(doc(1), 7));
        assert_eq!(memo.last(doc(1)), None);
    }

    #[test]
    fn stays_bounded() {
        let memo = PlanMemo::default();
        for n in 0..MAX_ENTRIES as u32 {
            memo.written(doc(n), w(1, vec![]));
        }
        assert_eq!(memo.len(), MAX_ENTRIES);
        memo.written(doc(0), w(2, vec![])); // known document: updated in place
        assert_eq!(memo.len(), MAX_ENTRIES);
        memo.written(doc(u32::MAX), w(1, vec![])); // one more: starts over
        assert_eq!(memo.len(), 1);
        assert!(memo.is_current(doc(u32::MAX), 1));
        assert!(!memo.is_current(doc(0), 2));
    }

    #[test]
    fn notes_only_changes_skip_planning_only_while_the_plan_is_recent() {
        let memo = PlanMemo::default();
        assert_eq!(memo.notes_skip_base(doc(1), at(0)), None);
        memo.written(doc(1), w(7, vec![ChangeHash([2; 32])]));
        assert_eq!(memo.notes_skip_base(doc(1), at(1)), Some(w(7, vec![ChangeHash([2; 32])])));
        assert_eq!(memo.notes_skip_base(doc(1), at(NOTES_SKIP_FOR_HOURS)), None, "time may have moved the plan");
        assert!(memo.is_current(doc(1), 7), "the fingerprint still saves the store");
    }

    #[test]
    fn a_plan_the_store_must_check_skips_nothing() {
        let memo = PlanMemo::default();
        memo.written(doc(3), Written { fingerprint: None, ..w(3, vec![ChangeHash([4; 32])]) });
        assert!(!memo.is_current(doc(3), 3), "an unknown fingerprint always goes to the store");
        assert_eq!(memo.notes_skip_base(doc(3), at(1)), None, "and nothing skips planning");
    }
}
