//! The one call into mimalloc's C API.

/// Hands the calling thread's free pages back to mimalloc's arenas and returns every arena
/// page nobody uses to the OS now, instead of after the purge delay.
///
/// Freed memory otherwise stays resident until its thread allocates again: mimalloc does
/// its deferred work (collecting blocks other threads freed, retiring empty pages, purging)
/// only on the allocation paths. Costs a walk of the thread's pages and a few `madvise`
/// calls: for after a burst, not for every request.
///
/// Only mimalloc's own memory is affected, so this is a no-op in a process that installed
/// another global allocator.
pub fn release_free_memory() {
    // SAFETY: `mi_collect` takes no pointers and only touches mimalloc's own state for the
    // calling thread (plus the process-wide arenas, which are synchronised). It is safe to
    // call from any thread at any time, including one that never allocated through mimalloc.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true)
    }
}
