//! When to re-plan: a document that keeps changing is planned once it goes quiet, but never
//! later than a bound after its first unplanned change. Pure: time is passed in.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::ids::DocId;

/// A document keeps changing (someone typing a note) → it is still re-planned this often.
const MAX_WAIT_FACTOR: u32 = 10;

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
