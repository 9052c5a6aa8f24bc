//! Reconnect storm: `--devices` WebSockets (two per user) arrive at `/sync` spread evenly over
//! `--spread-ms`, each sending `join` and then a `request` for its own document, as the
//! official client does after a server restart. Reports, per device, the HTTP upgrade time,
//! `join` → `peer`, and first `request` → first `sync`, as p50/p99/max — on an idle machine
//! and, with `--busy`, beside a process that burns a core (a backup, a build). The official
//! WebSocket adapter gives up on `peer` after 1 s, so the tail is what matters.
//!
//!   stormbench --devices 2000 --spread-ms 2000            # starts the `kith` beside it
//!   stormbench --devices 2000 --busy --url http://127.0.0.1:8080 --server-pid 1234
//!   stormbench --stale-sessions                           # every session last seen long ago
//!
//! Every account is signed up from this one address: a server given with `--url` needs
//! `KITH_SIGNUPS_PER_HOUR=0` (the one started here gets it).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use automerge::sync::{State, SyncDoc};
use automerge::Automerge;
use clap::Parser;
use futures::{SinkExt, StreamExt};
use kith_tests::load::accounts::{kith_users, UserTarget};
use kith_tests::load::stats::{cpu_seconds, Percentiles};
use kith_tests::process::KithProcess;
use sync_server::sync::messages::{Message, PeerId};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[derive(Parser, Debug)]
#[command(about = "Kith reconnect-storm benchmark: join → peer and request → sync latency")]
struct Args {
    /// A running server; without it a `kith` (the binary beside this one) is started on SQLite.
    #[arg(long)]
    url: Option<String>,
    /// Devices in the storm; two per user.
    #[arg(long, default_value_t = 2000)]
    devices: usize,
    /// Window over which the devices arrive.
    #[arg(long, default_value_t = 2000)]
    spread_ms: u64,
    /// Run a CPU-burning process beside the server for the storm.
    #[arg(long)]
    busy: bool,
    /// The server's pid when given `--url`, to report the CPU it spent on the storm.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Before the storm, mark every session last seen long ago, as after a restart (accounts
    /// made seconds before look fresh, and authenticating a fresh session writes nothing).
    /// Needs the server's SQLite file: the one started here, or `--database FILE`.
    #[arg(long)]
    stale_sessions: bool,
    /// Storms in a row on the same accounts: every socket of one wave closes before the next
    /// arrives, as after a network blip (tokens confirmed moments ago, documents in memory).
    #[arg(long, default_value_t = 1)]
    waves: usize,
    /// The SQLite file of the server given with `--url` (for `--stale-sessions`).
    #[arg(long)]
    database: Option<std::path::PathBuf>,
}

#[derive(Default)]
struct Samples {
    upgrade: Vec<u64>,
    join_to_peer: Vec<u64>,
    request_to_sync: Vec<u64>,
    errors: std::collections::BTreeMap<String, u64>,
}

#[derive(serde::Serialize)]
struct Report {
    wave: usize,
    devices: usize,
    spread_ms: u64,
    busy: bool,
    upgrade: Percentiles,
    join_to_peer: Percentiles,
    request_to_sync: Percentiles,
    errors: std::collections::BTreeMap<String, u64>,
    /// CPU seconds the server spent from the first device to the last answer (how much of the
    /// 2 cores the storm needs, apart from queueing).
    server_cpu_s: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    for report in runtime.block_on(run(args))? {
        eprintln!(
            "== storm: {} devices over {} ms{}{}\nupgrade        ms: {}\njoin → peer    ms: {}\nrequest → sync ms: {}\nerrors: {:?}\nserver CPU: {}",
            report.devices,
            report.spread_ms,
            if report.busy { ", one busy process beside the server" } else { "" },
            if report.wave > 1 { format!(", wave {} (a reconnect)", report.wave) } else { String::new() },
            show(&report.upgrade),
            show(&report.join_to_peer),
            show(&report.request_to_sync),
            report.errors,
            report.server_cpu_s.map_or("unknown (give --server-pid)".to_owned(), |s| format!("{s:.2} s")),
        );
        println!("RESULT {}", serde_json::to_string(&report)?);
    }
    Ok(())
}

fn show(p: &Percentiles) -> String {
    format!("p50 {:.1}  p99 {:.1}  max {:.1}  (n={})", p.p50_ms, p.p99_ms, p.max_ms, p.count)
}

async fn run(args: Args) -> anyhow::Result<Vec<Report>> {
    let data_dir = tempfile::tempdir()?;
    let db_file = args.database.clone().unwrap_or_else(|| data_dir.path().join("kith.db"));
    let started_here = match &args.url {
        Some(_) => None,
        None => {
            let db = format!("sqlite://{}", db_file.display());
            // Every account is signed up from this one address: no sign-up throttle.
            Some(KithProcess::start_with(&db, &[("KITH_SIGNUPS_PER_HOUR", "0")]).await?)
        }
    };
    let base = args.url.clone().or_else(|| started_here.as_ref().map(|k| k.base_url.clone())).context("no server")?;
    let users = args.devices.div_ceil(2);
    eprintln!("stormbench: creating {users} accounts on {base}");
    let targets = kith_users(&base, users).await?;
    if args.stale_sessions {
        age_sessions(&db_file).await.context("--stale-sessions")?;
    }
    let server_pid = args.server_pid.or_else(|| started_here.as_ref().and_then(KithProcess::pid));
    let server_cpu = || server_pid.and_then(cpu_seconds);

    let busy = if args.busy {
        Some(
            tokio::process::Command::new("sh")
                .args(["-c", "while :; do :; done"])
                .stdin(Stdio::null())
                .kill_on_drop(true)
                .spawn()?,
        )
    } else {
        None
    };
    let mut reports = Vec::new();
    for wave in 1..=args.waves.max(1) {
        let cpu_before = server_cpu();
        let s = storm(&args, &base, &targets).await;
        let server_cpu_s = server_cpu().zip(cpu_before).map(|(after, before)| after - before);
        reports.push(Report {
            wave,
            devices: args.devices,
            spread_ms: args.spread_ms,
            busy: args.busy,
            upgrade: Percentiles::of_micros(s.upgrade),
            join_to_peer: Percentiles::of_micros(s.join_to_peer),
            request_to_sync: Percentiles::of_micros(s.request_to_sync),
            errors: s.errors,
            server_cpu_s,
        });
    }
    drop(busy);
    Ok(reports)
}

/// One wave: every device arrives, and all close once the last is in.
async fn storm(args: &Args, base: &str, targets: &[UserTarget]) -> Samples {
    let samples = Arc::new(Mutex::new(Samples::default()));
    let start = Instant::now() + Duration::from_millis(200);
    let step = Duration::from_micros(args.spread_ms * 1000 / args.devices.max(1) as u64);
    // Every socket stays open until the whole storm has arrived, as a real fleet would.
    let (hold_tx, hold_rx) = tokio::sync::watch::channel(false);
    let tasks: Vec<_> = (0..args.devices)
        .map(|i| {
            let target = targets[i / 2].clone();
            let url = target.ws_url(base);
            let samples = samples.clone();
            let mut hold = hold_rx.clone();
            let at = start + step * i as u32;
            tokio::spawn(async move {
                tokio::time::sleep_until(at.into()).await;
                let outcome = device(&url, &target, i).await;
                let mut s = samples.lock().await;
                match outcome {
                    Ok((socket, upgrade, peer, sync)) => {
                        s.upgrade.push(upgrade);
                        s.join_to_peer.push(peer);
                        s.request_to_sync.push(sync);
                        drop(s);
                        let _ = hold.wait_for(|done| *done).await;
                        drop(socket);
                    }
                    Err(e) => *s.errors.entry(format!("{e:#}").chars().take(80).collect()).or_default() += 1,
                }
            })
        })
        .collect();
    let deadline = Duration::from_millis(args.spread_ms) + Duration::from_secs(60);
    let all_in = async {
        loop {
            let s = samples.lock().await;
            if s.upgrade.len() + s.errors.values().sum::<u64>() as usize >= args.devices {
                return;
            }
            drop(s);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let _ = tokio::time::timeout(deadline, all_in).await;
    let _ = hold_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    let s = std::mem::take(&mut *samples.lock().await);
    s
}

/// Every session last seen at the epoch: the server's next authentication of each writes.
async fn age_sessions(db: &std::path::Path) -> anyhow::Result<()> {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?;
    let aged = sqlx::query("UPDATE sessions SET last_seen_at = 0").execute(&mut conn).await?;
    eprintln!("stormbench: {} sessions marked last seen long ago", aged.rows_affected());
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One device: upgrade, join, request; returns its socket and the three latencies (µs).
async fn device(url: &str, target: &UserTarget, i: usize) -> anyhow::Result<(Socket, u64, u64, u64)> {
    let t0 = Instant::now();
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.context("upgrade")?;
    let upgrade = micros(t0);
    let me = PeerId(format!("storm-{i}-{}", uuid::Uuid::new_v4()));
    let join = Message::Join { sender: me.clone(), supported_versions: Some(vec!["1".into()]), metadata: None };
    let t1 = Instant::now();
    socket.send(WsMessage::Binary(join.encode().into())).await?;
    let server = match next(&mut socket).await? {
        Message::Peer { sender, .. } => sender,
        other => anyhow::bail!("expected peer, got {}", other.kind()),
    };
    let peer = micros(t1);
    let data = Automerge::new().generate_sync_message(&mut State::new()).context("nothing to say")?.encode();
    let request = Message::Request { sender: me, target: server, document_id: target.doc_id.clone(), data };
    let t2 = Instant::now();
    socket.send(WsMessage::Binary(request.encode().into())).await?;
    match next(&mut socket).await? {
        Message::Sync { .. } => {}
        other => anyhow::bail!("expected sync, got {}", other.kind()),
    }
    Ok((socket, upgrade, peer, micros(t2)))
}

async fn next(socket: &mut Socket) -> anyhow::Result<Message> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), socket.next()).await.context("server silent for 30 s")?;
        match frame {
            Some(Ok(WsMessage::Binary(b))) => return Ok(Message::decode(&b)?),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
            Some(Ok(other)) => anyhow::bail!("unexpected frame {other:?}"),
            Some(Err(e)) => return Err(e.into()),
            None => anyhow::bail!("server closed the socket"),
        }
    }
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}
