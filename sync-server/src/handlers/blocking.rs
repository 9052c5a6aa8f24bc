//! Running CPU-heavy document work (a 50,000-card import, a full export) that must happen
//! while the hub holds the document, i.e. inside a synchronous closure on an async thread.

/// Runs `f` so that it does not stall other tasks: on the multi-threaded runtime (the
/// server's) the worker thread hands its other tasks away first (`block_in_place`); on a
/// current-thread runtime (unit tests) that is impossible, and `f` simply runs.
pub fn heavy<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}
