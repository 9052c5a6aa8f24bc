//! Load generator: N users × 2 devices speaking automerge-repo protocol v1 against Kith or
//! against automerge-repo's own sync server. Each user's device A syncs a realistic document
//! up, device B syncs it down, then A edits at a set total rate and B measures how long each
//! edit takes to arrive. Reports propagation latency percentiles, accepted edits/s, server
//! CPU seconds and peak RSS (from /proc of the given pids), and errors.
//!
//!   loadgen --target kith --url http://127.0.0.1:8080 --users 1000 --rate 200 --duration 30 --server-pid 1234
//!   loadgen --target reference --url ws://127.0.0.1:3030 ...
//! Several `--url`s: device A of user i talks to url[i % n], device B to url[(i + 1) % n],
//! so with two instances every edit crosses from one instance to the other.
//! Every user is signed up from this one address: start the `kith` under test with
//! `KITH_SIGNUPS_PER_HOUR=0` (scripts/bench-sync does), or sign-ups past the 30th are refused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use kith_tests::load::fleet::{Fleet, FleetSpec};
use kith_tests::load::stats::{cpu_seconds, peak_rss_mib, postgres_cpu_seconds, rss_mib, Percentiles, Stats};
use kith_tests::load::{accounts, workload};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Kith: accounts over HTTP, `GET /sync?token=`.
    Kith,
    /// automerge-repo's sync server: no accounts, the generator makes document ids itself.
    Reference,
}

#[derive(Parser, Debug, Clone)]
#[command(about = "Kith load generator (protocol v1)")]
pub struct Args {
    #[arg(long, value_enum)]
    target: Target,
    /// Server base URL(s): http://host:port for Kith, ws://host:port for the reference.
    #[arg(long = "url", required = true)]
    urls: Vec<String>,
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Total edits per second across all users.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Seconds of editing.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Server process ids to measure (CPU, peak RSS); repeat for several instances.
    #[arg(long = "server-pid")]
    server_pids: Vec<u32>,
    /// Also report the CPU time of all local `postgres` processes during the edit phase.
    #[arg(long)]
    postgres_cpu: bool,
    #[arg(long, default_value_t = 40)]
    contacts: usize,
    #[arg(long, default_value_t = 80)]
    interactions: usize,
    #[arg(long, default_value_t = 10)]
    notes: usize,
    /// Users doing their initial sync at the same time.
    #[arg(long, default_value_t = 32)]
    setup_concurrency: usize,
    /// A name for this run in the report.
    #[arg(long, default_value = "run")]
    label: String,
}

#[derive(serde::Serialize)]
struct Report {
    label: String,
    target: Target,
    instances: usize,
    users: usize,
    devices: usize,
    rate_target: f64,
    edit_seconds: f64,
    edits_offered: u64,
    edits_sent: u64,
    edits_delivered: u64,
    accepted_per_s: f64,
    latency: Percentiles,
    initial_sync: Percentiles,
    setup_seconds: f64,
    server_cpu_s: f64,
    cpu_ms_per_edit: f64,
    postgres_cpu_s: Option<f64>,
    server_peak_rss_mib: f64,
    /// Resident memory after accounts were created, before the first sync.
    server_rss_before_sync_mib: f64,
    /// Resident memory at the end of the run, all documents loaded.
    server_rss_end_mib: f64,
    generator_backlog: u64,
    errors: u64,
    error_kinds: std::collections::BTreeMap<String, u64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.users > 0 && args.rate > 0.0, "--users and --rate must be positive");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let report = runtime.block_on(run(args))?;
    print_report(&report);
    println!("RESULT {}", serde_json::to_string(&report)?);
    Ok(())
}

async fn run(args: Args) -> anyhow::Result<Report> {
    let stats = Arc::new(Stats::default());
    let shape = workload::Shape { contacts: args.contacts, interactions: args.interactions, notes: args.notes };
    let mut sample = automerge::AutoCommit::new();
    workload::populate(&mut sample, shape, 0)?;
    eprintln!("loadgen: starting documents of ~{} bytes; creating {} users", sample.save().len(), args.users);

    let setup_start = Instant::now();
    let targets = match args.target {
        Target::Reference => accounts::reference_users(args.users),
        Target::Kith => accounts::kith_users(&args.urls[0], args.users).await?,
    };
    // After account creation (argon2 memory), before any document is loaded.
    let rss_before_sync: f64 = args.server_pids.iter().filter_map(|p| rss_mib(*p)).sum();
    let spec = FleetSpec {
        urls: args.urls.clone(),
        shape,
        server_creates_doc: args.target == Target::Kith,
        setup_concurrency: args.setup_concurrency,
        linger: None,
    };
    let fleet = Fleet::start(targets, &spec, &stats).await;
    let setup_seconds = setup_start.elapsed().as_secs_f64();
    eprintln!("loadgen: {}/{} users synced on both devices in {setup_seconds:.1}s", fleet.ready, args.users);

    let cpu_before: f64 = args.server_pids.iter().filter_map(|p| cpu_seconds(*p)).sum();
    let pg_before = args.postgres_cpu.then(postgres_cpu_seconds);
    let edit_start = Instant::now();
    fleet.edit(args.rate, Duration::from_secs(args.duration), &stats).await;
    // users drain their last edits, then stop
    fleet.finish(Duration::from_secs(10)).await;
    let edit_seconds = edit_start.elapsed().as_secs_f64();
    let cpu_after: f64 = args.server_pids.iter().filter_map(|p| cpu_seconds(*p)).sum();
    let pg_cpu = pg_before.map(|b| postgres_cpu_seconds() - b);
    let rss_end: f64 = args.server_pids.iter().filter_map(|p| rss_mib(*p)).sum();

    let offered = stats.edits_offered.load(std::sync::atomic::Ordering::Relaxed);
    let sent = stats.edits_sent.load(std::sync::atomic::Ordering::Relaxed);
    if offered > sent {
        // Handed to a user but never made: that user's loop ended (see its error) or the
        // generator could not keep up before the deadline.
        stats.errors_n("edit handed to a user but not made", offered - sent);
    }
    let delivered = stats.edits_delivered.load(std::sync::atomic::Ordering::Relaxed);
    let lost = sent.saturating_sub(delivered);
    if lost > 0 {
        stats.errors_n("edit not delivered to the other device within 10 s", lost);
    }
    let error_kinds = stats.errors();
    let server_cpu_s = cpu_after - cpu_before;
    Ok(Report {
        label: args.label.clone(),
        target: args.target,
        instances: args.urls.len(),
        users: args.users,
        devices: args.users * 2,
        rate_target: args.rate,
        edit_seconds,
        edits_offered: offered,
        edits_sent: sent,
        edits_delivered: delivered,
        accepted_per_s: delivered as f64 / args.duration as f64,
        latency: stats.latencies(),
        initial_sync: stats.initial_syncs(),
        setup_seconds,
        server_cpu_s,
        cpu_ms_per_edit: if delivered > 0 { server_cpu_s * 1000.0 / delivered as f64 } else { 0.0 },
        postgres_cpu_s: pg_cpu,
        server_peak_rss_mib: args.server_pids.iter().filter_map(|p| peak_rss_mib(*p)).sum(),
        server_rss_before_sync_mib: rss_before_sync,
        server_rss_end_mib: rss_end,
        generator_backlog: stats.generator_backlog.load(std::sync::atomic::Ordering::Relaxed),
        errors: error_kinds.values().sum(),
        error_kinds,
    })
}

fn print_report(r: &Report) {
    eprintln!("== {} ({:?}, {} instance(s), {} users × 2 devices)", r.label, r.target, r.instances, r.users);
    eprintln!("setup: {:.1}s; initial sync per user p50 {:.1} ms, p99 {:.1} ms", r.setup_seconds, r.initial_sync.p50_ms, r.initial_sync.p99_ms);
    eprintln!(
        "edits: {} sent, {} delivered, {:.1}/s accepted (target {:.1}/s)",
        r.edits_sent, r.edits_delivered, r.accepted_per_s, r.rate_target
    );
    eprintln!(
        "propagation latency ms: p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
        r.latency.p50_ms, r.latency.p95_ms, r.latency.p99_ms, r.latency.max_ms
    );
    eprintln!(
        "server: {:.2} CPU s during edits ({:.3} ms/edit), peak RSS {:.1} MiB (RSS {:.1} MiB before sync, {:.1} MiB at the end){}",
        r.server_cpu_s,
        r.cpu_ms_per_edit,
        r.server_peak_rss_mib,
        r.server_rss_before_sync_mib,
        r.server_rss_end_mib,
        r.postgres_cpu_s.map(|s| format!("; postgres {s:.2} CPU s")).unwrap_or_default()
    );
    eprintln!("errors: {} {:?}; generator backlog {}", r.errors, r.error_kinds, r.generator_backlog);
}
