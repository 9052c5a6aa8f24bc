//! Resident memory of this test process, and a burst that leaves freed memory behind.

/// `VmRSS` from `/proc/self/status`, in bytes.
pub fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("reading /proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line in /proc/self/status");
    kib * 1024
}

pub const BURST: usize = 64 << 20;

/// Allocates [`BURST`] bytes in 4 KiB blocks (like many sessions' small buffers), touches
/// every page, and frees it all again.
pub fn allocate_and_free_burst() {
    let blocks: Vec<Vec<u8>> = (0..BURST / 4096).map(|i| vec![i as u8 | 1; 4096]).collect();
    let touched: u64 = blocks.iter().map(|b| u64::from(b[4095])).sum();
    assert!(touched > 0);
    drop(blocks);
}
