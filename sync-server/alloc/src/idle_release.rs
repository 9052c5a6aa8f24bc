//! Getting every async worker thread to release its free memory once, after the server let
//! go of a lot of it.
//!
//! [`release_free_memory`] only reaches the calling thread's pages, and the pages a burst
//! freed belong to whichever workers allocated them. So whoever frees the memory (the hub's
//! idle sweeper) calls [`request_release`], and each worker runs
//! [`release_if_requested`] from tokio's `on_thread_park` hook: when it goes idle after
//! that, it releases once. On every other park the check is one atomic load.
//!
//! Process-wide on purpose: the global allocator is one per process, and so is the request
//! to tidy it. Two servers in one process (tests) at worst make each other's workers
//! release one extra time.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::release_free_memory;

/// Bumped by every request; each thread remembers the last value it acted on.
static REQUESTS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static SEEN: Cell<u64> = const { Cell::new(0) };
}

/// Asks every thread that calls [`release_if_requested`] to release its free memory the
/// next time it does, and releases the calling thread's now.
pub fn request_release() {
    let requested = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    SEEN.set(requested);
    release_free_memory();
}

/// Releases the calling thread's free memory if there was a request since this thread last
/// did (and says whether it did); otherwise one atomic load. Meant for
/// `tokio::runtime::Builder::on_thread_park`.
pub fn release_if_requested() -> bool {
    let requested = REQUESTS.load(Ordering::Relaxed);
    if SEEN.get() == requested {
        return false;
    }
    SEEN.set(requested);
    release_free_memory();
    true
}
