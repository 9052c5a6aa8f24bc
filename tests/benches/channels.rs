//! Email reminder benchmark (a program, not a test; prints numbers): a morning with 10,000
//! users' digests due at the same hour. One worker claims every due nudge, composes each
//! user's digest (text + HTML, signed links) and hands it to an SMTP server — the tests' own
//! receiver, in this process, which parses the dialogue and keeps every message. Measures the
//! time until every email is handed over, and the peak memory (RSS) of the process while it runs.
//!
//! Run: `cargo bench -p kith-tests --bench channels [-- USERS]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kith_tests::reminder_support::{nudge, t0, Fixture};
use kith_tests::smtp_receiver::SmtpReceiver;
use reminders::action_link::LinkSigner;
use reminders::channel_compose::Links;
use reminders::channel_send::Senders;
use reminders::email::Mailer;
use reminders::ntfy::NtfyClient;
use reminders::worker::WorkerConfig;
use reminders::{ChannelSettings, ChannelStore, EmailSettings, EndpointPolicy, NudgeStore};

const DEFAULT_USERS: usize = 10_000;
const PEOPLE_PER_DIGEST: usize = 3;

fn main() -> anyhow::Result<()> {
    let users: usize = std::env::args().skip(1).find(|a| !a.starts_with("--")).and_then(|a| a.parse().ok()).unwrap_or(DEFAULT_USERS);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(morning(users))
}

async fn morning(users: usize) -> anyhow::Result<()> {
    let f = Fixture::new().await?;
    let smtp = SmtpReceiver::start().await?;
    let started = Instant::now();
    for u in 0..users {
        let user = f.user().await?;
        let plan: Vec<_> = (0..PEOPLE_PER_DIGEST).map(|i| nudge(&format!("Friend {u}-{i}"), t0(), true)).collect();
        f.store.replace_plan(user, &plan).await?;
        f.store.put_channel(user, &ChannelSettings::Email(EmailSettings::default()), true, t0()).await?;
    }
    println!(
        "{users} users × {PEOPLE_PER_DIGEST} due nudges with email on, set up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mailer = Mailer::new(&smtp.url(), "Kith <kith@kith.example.org>", Duration::from_secs(30))?;
    let senders = Arc::new(Senders {
        mailer: Some(Arc::new(mailer)),
        ntfy: Arc::new(NtfyClient::new(EndpointPolicy::default(), Duration::from_secs(10))?),
        links: Links { base: "https://kith.example.org".into(), signer: LinkSigner::new(LinkSigner::fresh_key()) },
    });
    let push = f.push_client(Duration::from_secs(10))?;
    let worker = f.worker(f.store.clone(), push, WorkerConfig::default()).with_senders(senders);

    let rss_before = status_kib("VmRSS");
    reset_peak_rss();
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let report = worker.tick().await?;
    let took = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let got = smtp.received().len();
    anyhow::ensure!(report.channel_sent == users && got == users, "sent {report:?}, received {got}");
    let sample = smtp.received().into_iter().next().map(|m| m.raw.len()).unwrap_or(0);
    println!(
        "digests: {users} emails handed to the SMTP server in {:.2} s = {:.0} emails/s ({:.2} CPU-s, both sides in this process; {} bytes each)",
        took.as_secs_f64(),
        users as f64 / took.as_secs_f64(),
        cpu,
        sample
    );
    println!(
        "memory: RSS {:.0} MiB before the tick, peak {:.0} MiB during it (the receiver keeps every message: {:.0} MiB of it)",
        rss_before / 1024.0,
        status_kib("VmHWM") / 1024.0,
        (users * sample) as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// A field of `/proc/self/status` in KiB.
fn status_kib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|r| r.trim_start_matches(':').split_whitespace().next()?.parse().ok()))
        .unwrap_or(0.0)
}

/// Resets the peak RSS (`VmHWM`) to the current RSS (Linux `clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, 100 Hz ticks).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}
