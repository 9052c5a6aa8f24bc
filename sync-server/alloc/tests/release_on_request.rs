//! A thread that only ever calls `release_if_requested` (a parked tokio worker) keeps its
//! freed memory until someone calls `request_release`, then returns it once.
#![cfg(target_os = "linux")]

use std::sync::mpsc;

mod rss;

#[global_allocator]
static ALLOCATOR: kith_alloc::Allocator = kith_alloc::Allocator;

#[test]
fn a_worker_releases_only_after_a_request() {
    let (park_tx, park_rx) = mpsc::channel::<()>();
    let (rss_tx, rss_rx) = mpsc::channel::<(bool, u64)>();
    let worker = std::thread::spawn(move || {
        rss::allocate_and_free_burst();
        rss_tx.send((false, rss::resident_bytes())).expect("report");
        // Each message is one "park" of this worker.
        for () in park_rx {
            let released = kith_alloc::release_if_requested();
            rss_tx.send((released, rss::resident_bytes())).expect("report");
        }
    });
    let park = || {
        park_tx.send(()).expect("park");
        rss_rx.recv().expect("rss after park")
    };
    let (_, freed) = rss_rx.recv().expect("rss after the burst");

    let (released_unasked, unrequested) = park();
    kith_alloc::request_release();
    let (released_on_request, requested) = park();
    let (released_again, _) = park();
    drop(park_tx);
    worker.join().expect("the worker thread");

    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let burst = rss::BURST as u64;
    let report = format!(
        "RSS after the burst {:.1} MiB, after an unrequested park {:.1} MiB, after a requested park {:.1} MiB",
        mib(freed),
        mib(unrequested),
        mib(requested)
    );
    assert!(!released_unasked && unrequested + burst / 2 > freed, "released without a request: {report}");
    assert!(released_on_request, "the first park after a request did not release: {report}");
    assert!(requested + burst * 3 / 4 <= unrequested, "the release did not return the burst: {report}");
    assert!(!released_again, "released twice for one request");
}
