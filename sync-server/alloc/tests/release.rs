//! After a burst is freed, mimalloc keeps the pages resident until the thread allocates
//! again; `release_free_memory` returns them at once.
#![cfg(target_os = "linux")]

mod rss;

#[global_allocator]
static ALLOCATOR: kith_alloc::Allocator = kith_alloc::Allocator;

#[test]
fn releasing_returns_a_freed_burst_to_the_os() {
    let (freed, released) = std::thread::spawn(|| {
        rss::allocate_and_free_burst();
        let freed = rss::resident_bytes();
        kith_alloc::release_free_memory();
        (freed, rss::resident_bytes())
    })
    .join()
    .expect("the burst thread");
    let returned = freed.saturating_sub(released);
    assert!(
        returned >= (rss::BURST as u64) * 3 / 4,
        "release returned {} KiB of a {} KiB burst (RSS {} KiB → {} KiB)",
        returned / 1024,
        rss::BURST / 1024,
        freed / 1024,
        released / 1024
    );
}
