//! A follow-up end to end with the official automerge-repo JS client as the writing device:
//! `tests/interop/follow_up.mjs` writes a person and a follow-up due in the past over `/sync`
//! (the shapes DESIGN.md gives, as the web client writes them); the real server plans it, its
//! worker pushes to the local push service (the payload really decrypted) naming the person
//! and the note; pressing Done the way the service worker does (`POST` to the follow-up's
//! done action, built from the payload's `follow_up_id`) marks it done in the document, and
//! both a connected Rust device and the still connected JS client see that within a second.
//! Nothing is sent twice — also with two instances on one PostgreSQL (the second test: the JS
//! client on one instance, Done pressed on the other; repeating follow-ups across instances are
//! in `follow_ups_two_instances_pg.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration as StdDuration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use chrono::{DateTime, Duration, TimeZone, Utc};
use kith_tests::push_service::PushService;
use kith_tests::reminder_server::{wait_for_plan_on, ReminderServer};
use kith_tests::reminder_support::as_subscription;
use kith_tests::stores::in_fresh_pg_schema;
use kith_tests::two_instances::{PASSWORD, device_on, start_pair, step_to};
use kith_tests::unique_email;
use reminders::{ManualClock, NudgeKind, NudgeStatus, UserId};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_default()
}

fn epoch_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default()
}

/// The next line the script prints that starts with `prefix` (others are skipped).
async fn line_starting(lines: &mut Lines<BufReader<ChildStdout>>, prefix: &str, within: StdDuration) -> anyhow::Result<String> {
    let read = async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.strip_prefix(prefix) {
                return Ok(rest.trim().to_owned());
            }
        }
        anyhow::bail!("follow_up.mjs ended before printing {prefix}")
    };
    tokio::time::timeout(within, read).await.with_context(|| format!("no {prefix} from follow_up.mjs within {within:?}"))?
}

/// `follow_up.mjs` running: an official-client device that has written a follow-up (once
/// [`JsWriter::written`] returns) and stays connected to report when it is done.
struct JsWriter {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

struct FollowUpToWrite<'a> {
    base_url: &'a str,
    token: &'a str,
    doc_id: &'a str,
    contact: &'a str,
    follow_up: &'a str,
    name: &'a str,
    note: &'a str,
    due: DateTime<Utc>,
    created: DateTime<Utc>,
}

impl JsWriter {
    fn spawn(w: &FollowUpToWrite<'_>) -> anyhow::Result<Self> {
        let dir = interop_dir();
        anyhow::ensure!(
            dir.join("node_modules/@automerge/automerge-repo").is_dir(),
            "{} has no node_modules: run scripts/setup (it runs `npm ci` there)",
            dir.display()
        );
        let mut child = tokio::process::Command::new("node")
            .arg("follow_up.mjs")
            .current_dir(&dir)
            .env("KITH_URL", w.base_url)
            .env("KITH_TOKEN", w.token)
            .env("KITH_DOC_ID", w.doc_id)
            .env("KITH_CONTACT_ID", w.contact)
            .env("KITH_FOLLOW_UP_ID", w.follow_up)
            .env("KITH_CONTACT_NAME", w.name)
            .env("KITH_NOTE", w.note)
            .env("KITH_DUE_AT", w.due.to_rfc3339())
            .env("KITH_CREATED_AT", w.created.to_rfc3339())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("running node (scripts/setup installs it)")?;
        let lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        Ok(JsWriter { child, lines })
    }

    /// Returns once the server has stored the follow-up.
    async fn written(&mut self) -> anyhow::Result<()> {
        line_starting(&mut self.lines, "WRITTEN", StdDuration::from_secs(60)).await.map(drop)
    }

    /// When (ms since the epoch) the client saw the follow-up done and the `doneAt` it read;
    /// then waits for it to exit cleanly.
    async fn seen_done(mut self) -> anyhow::Result<(u128, DateTime<Utc>)> {
        let seen = line_starting(&mut self.lines, "DONE", StdDuration::from_secs(10)).await?;
        let (ms, done_at) = seen.split_once(' ').context("DONE <ms> <doneAt>")?;
        let status = tokio::time::timeout(StdDuration::from_secs(20), self.child.wait()).await.context("node did not exit")??;
        anyhow::ensure!(status.success(), "follow_up.mjs failed: {status}");
        Ok((ms.parse()?, done_at.parse()?))
    }
}

#[tokio::test]
async fn a_follow_up_written_by_the_official_js_client_is_pushed_and_done_reaches_connected_devices() -> anyhow::Result<()> {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await?;
    let user = rs.user("Europe/Berlin").await?;
    let mut laptop = rs.device(&user).await?;

    let contact = uuid::Uuid::new_v4().to_string();
    let follow_up = uuid::Uuid::new_v4().to_string();
    let due = t0 - Duration::days(2);
    let note = "Ask how the surgery went";
    let mut js = JsWriter::spawn(&FollowUpToWrite {
        base_url: &rs.server.base_url,
        token: &user.token,
        doc_id: &user.doc_id,
        contact: &contact,
        follow_up: &follow_up,
        name: "Nora Night",
        note,
        due,
        created: t0 - Duration::days(9),
    })?;
    js.written().await?;

    // Due two days ago: planned at once, sent at the next worker tick.
    let planned = rs.wait_pending(&user, 1).await?;
    assert_eq!(planned[0].plan.kind, NudgeKind::FollowUp);
    assert_eq!((planned[0].plan.due_at, planned[0].plan.send_at), (due, t0));
    rs.step_to(t0 + Duration::minutes(1)).await?;
    let got: Vec<Value> = rs.push.delivered(&user.sub).into_iter().map(|d| d.payload).collect();
    assert_eq!(got.len(), 1, "{got:?}");
    let payload = &got[0];
    assert_eq!(payload["title"], "Follow up with Nora Night", "{payload}");
    assert_eq!(payload["body"], note);
    assert_eq!(payload["follow_up_id"], json!(follow_up));
    assert_eq!(payload["contact_ids"], json!([contact]));
    assert!(rs.push.invalid_requests().is_empty(), "{:?}", rs.push.invalid_requests());

    // Done, exactly as src/sw/sw.js presses it: the payload's follow-up id and its "done" action.
    let actions = payload["actions"].as_array().cloned().unwrap_or_default();
    assert!(actions.iter().any(|a| a["action"] == "done"), "{payload}");
    let id = payload["follow_up_id"].as_str().context("no follow_up_id")?;
    let pressed_ms = epoch_ms();
    let pressed = Instant::now();
    let r = rs
        .server
        .http()
        .post(rs.server.url(&format!("/api/v1/follow-ups/{id}/done")))
        .bearer_auth(&user.token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 200);

    laptop
        .wait_until("the follow-up marked done", |doc| {
            crdt_model::load(doc).doc.follow_ups.values().any(|f| f.id.to_string() == follow_up && f.done_at.is_some())
        })
        .await?;
    assert!(pressed.elapsed() < StdDuration::from_secs(1), "Rust device: {:?}", pressed.elapsed());
    let (seen_ms, done_at) = js.seen_done().await?;
    assert!(seen_ms.saturating_sub(pressed_ms) < 1000, "JS client saw it {} ms after the press", seen_ms.saturating_sub(pressed_ms));
    assert_eq!(done_at, t0 + Duration::minutes(1), "doneAt is the server's (manual) now");

    // Done: nothing more is planned, and nothing is sent again.
    rs.wait_for_plan(&user, "no pending follow-up", |rows| rows.iter().all(|r| r.status != NudgeStatus::Pending)).await?;
    rs.step_to(t0 + Duration::days(3)).await?;
    assert_eq!(rs.push.delivered(&user.sub).len(), 1);
    Ok(())
}

/// How often each notification (by its Web Push topic, i.e. its nudge) was delivered.
fn deliveries(push: &PushService, sub: &kith_tests::push_service::Subscriber) -> HashMap<String, usize> {
    let mut topics = HashMap::new();
    for d in push.delivered(sub) {
        *topics.entry(d.topic.unwrap_or_default()).or_default() += 1;
    }
    topics
}

async fn two_instances(url: String) -> anyhow::Result<()> {
    let t0 = utc(2026, 6, 1, 12, 0);
    let clock = ManualClock::new(t0);
    let (a, b, push) = start_pair(&clock, &url).await?;

    let email = unique_email("fu-js-two");
    let r = a.http().post(a.url("/api/v1/accounts")).json(&json!({ "email": email, "password": PASSWORD, "timezone": "Europe/Berlin" })).send().await?;
    let body: Value = r.json().await?;
    let user = UserId(body["user_id"].as_str().unwrap_or_default().parse()?);
    let doc_id = body["doc_id"].as_str().unwrap_or_default().to_owned();
    let token = body["token"].as_str().unwrap_or_default().to_owned();
    let sub = push.subscribe();
    let r = a.http().post(a.url("/api/v1/push/subscriptions")).bearer_auth(&token).json(&as_subscription(&sub)).send().await?;
    anyhow::ensure!(r.status().as_u16() == 201, "subscribe: {}", r.status());

    // The official client writes on instance A; a Rust laptop listens on instance B.
    let mut laptop = device_on(&b, &email, &doc_id).await?;
    let (contact, follow_up) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());
    let mut js = JsWriter::spawn(&FollowUpToWrite {
        base_url: &a.base_url,
        token: &token,
        doc_id: &doc_id,
        contact: &contact,
        follow_up: &follow_up,
        name: "Olaf Overdue",
        note: "Send the photos",
        due: t0 - Duration::hours(5),
        created: t0 - Duration::days(1),
    })?;
    js.written().await?;
    for server in [&a, &b] {
        wait_for_plan_on(server, user, "the follow-up planned", |rows| {
            rows.iter().any(|r| r.plan.kind == NudgeKind::FollowUp && r.status == NudgeStatus::Pending)
        })
        .await?;
    }
    step_to(&clock, t0 + Duration::minutes(1)).await?;
    step_to(&clock, t0 + Duration::minutes(2)).await?;
    let got = deliveries(&push, &sub);
    anyhow::ensure!(push.invalid_requests().is_empty(), "{:?}", push.invalid_requests());
    anyhow::ensure!(got.len() == 1 && got.values().all(|n| *n == 1), "one follow-up, sent once by one of the two instances: {got:?}");
    let payload = push.delivered(&sub).first().map(|d| d.payload.clone()).unwrap_or_default();
    anyhow::ensure!(payload["title"] == "Follow up with Olaf Overdue" && payload["body"] == "Send the photos", "{payload}");

    // Done pressed against instance B: the laptop on B and the JS client on A see it within a second.
    let id = payload["follow_up_id"].as_str().context("no follow_up_id")?;
    let pressed_ms = epoch_ms();
    let pressed = Instant::now();
    let r = b.http().post(b.url(&format!("/api/v1/follow-ups/{id}/done"))).bearer_auth(&token).send().await?;
    anyhow::ensure!(r.status().as_u16() == 200, "done: {}", r.status());
    laptop
        .wait_until("the follow-up marked done", |doc| {
            crdt_model::load(doc).doc.follow_ups.values().any(|f| f.id.to_string() == follow_up && f.done_at.is_some())
        })
        .await?;
    anyhow::ensure!(pressed.elapsed() < StdDuration::from_secs(1), "Rust device on B: {:?}", pressed.elapsed());
    let (seen_ms, _) = js.seen_done().await?;
    anyhow::ensure!(seen_ms.saturating_sub(pressed_ms) < 1000, "JS client on A: {} ms", seen_ms.saturating_sub(pressed_ms));

    // Done on both instances' plans; days later, still the one delivery.
    for server in [&a, &b] {
        wait_for_plan_on(server, user, "nothing pending", |rows| rows.iter().all(|r| r.status != NudgeStatus::Pending)).await?;
    }
    step_to(&clock, t0 + Duration::days(2)).await?;
    let got = deliveries(&push, &sub);
    anyhow::ensure!(got.len() == 1 && got.values().all(|n| *n == 1), "nothing sent twice: {got:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_send_the_js_clients_follow_up_once_and_done_crosses_instances() {
    in_fresh_pg_schema("the two-instance JS follow-up test", two_instances).await;
}
