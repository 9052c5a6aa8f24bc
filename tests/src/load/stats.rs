//! What the load generator measures: latencies, counts, errors, and the server processes'
//! CPU time and peak memory read from /proc.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
pub struct Stats {
    /// Propagation latency of each delivered edit, device A's commit to device B holding it.
    latencies_us: Mutex<Vec<u64>>,
    /// Per user: connect of device A to device B holding the whole document.
    initial_sync_us: Mutex<Vec<u64>>,
    /// Edits the scheduler handed to a user.
    pub edits_offered: AtomicU64,
    /// Edits a user's device A made and sent.
    pub edits_sent: AtomicU64,
    pub edits_delivered: AtomicU64,
    /// Edits the scheduler could not hand to a user because their previous ones were queued.
    pub generator_backlog: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn latency(&self, d: Duration) {
        push(&self.latencies_us, d);
        self.edits_delivered.fetch_add(1, Ordering::Relaxed);
    }

    pub fn initial_sync(&self, d: Duration) {
        push(&self.initial_sync_us, d);
    }

    /// Errors are grouped by a short kind, so a report stays readable with thousands.
    pub fn error(&self, kind: &str) {
        self.errors_n(kind, 1);
    }

    pub fn errors_n(&self, kind: &str, n: u64) {
        if let Ok(mut errors) = self.errors.lock() {
            *errors.entry(kind.chars().take(80).collect()).or_default() += n;
        }
    }

    pub fn latencies(&self) -> Percentiles {
        Percentiles::of(&self.latencies_us)
    }

    pub fn initial_syncs(&self) -> Percentiles {
        Percentiles::of(&self.initial_sync_us)
    }

    pub fn errors(&self) -> BTreeMap<String, u64> {
        self.errors.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

fn push(v: &Mutex<Vec<u64>>, d: Duration) {
    if let Ok(mut v) = v.lock() {
        v.push(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    fn of(v: &Mutex<Vec<u64>>) -> Self {
        Self::of_micros(v.lock().map(|v| v.clone()).unwrap_or_default())
    }

    /// Nearest-rank percentiles of durations given in microseconds.
    pub fn of_micros(mut v: Vec<u64>) -> Self {
        if v.is_empty() {
            return Percentiles::default();
        }
        v.sort_unstable();
        // nearest-rank percentile
        let at = |p: f64| {
            let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
            v[rank.clamp(1, v.len()) - 1] as f64 / 1000.0
        };
        Percentiles { count: v.len(), p50_ms: at(50.0), p95_ms: at(95.0), p99_ms: at(99.0), max_ms: at(100.0) }
    }
}

/// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
/// Clock ticks are 100 per second on every Linux this runs on (USER_HZ).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields after its closing parenthesis are fixed.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // after ')' : state is field 3, utime 14 and stime 15 -> indexes 11 and 12 here
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Peak resident set size (VmHWM) in MiB, from /proc/<pid>/status.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    status_mib(pid, "VmHWM:")
}

/// Current resident set size (VmRSS) in MiB.
pub fn rss_mib(pid: u32) -> Option<f64> {
    status_mib(pid, "VmRSS:")
}

fn status_mib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds used so far by every process whose command is `postgres` (the database's
/// backends), so Kith-on-PostgreSQL runs can show what the database itself spent.
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0.0 };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(cpu_seconds)
        .sum()
}
