//! Two `kith` servers on one PostgreSQL database (only when `TEST_DATABASE_URL` is set), one
//! manual clock, one local SMTP server and one local ntfy receiver: every nudge of ten users
//! is emailed exactly once and posted to ntfy exactly once, whichever worker claims it — also
//! when one user's ntfy answers 429 first and the retry goes to the other instance.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use crdt_model::{ContactDraft, InteractionDraft, InteractionKind, Name};
use kith_tests::ntfy_receiver::{NtfyBehavior, NtfyReceiver};
use kith_tests::reminder_server::wait_for_plan_on;
use kith_tests::smtp_receiver::SmtpReceiver;
use kith_tests::stores::in_fresh_pg_schema;
use kith_tests::two_instances::{device_on, settings, step_to, PASSWORD, WAIT};
use kith_tests::{unique_email, TestServer};
use mail_parser::MessageParser;
use reminders::{ManualClock, NudgeStatus, UserId};
use serde_json::{json, Value};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap_or_default()
}

const USERS: usize = 10;
const PEOPLE: usize = 3;

async fn scenario(url: String) -> anyhow::Result<()> {
    let clock = ManualClock::new(t0());
    let smtp = SmtpReceiver::start().await?;
    let ntfy = NtfyReceiver::start().await?;
    let mail = |c: &mut sync_server::config::Config| {
        c.reminders.smtp_url = Some(smtp.url());
        c.reminders.smtp_from = Some("kith@kith.example.org".into());
    };
    let a = TestServer::start_with_clock(Arc::new(clock.clone()), |c| {
        settings(c, &url);
        mail(c);
    })
    .await?;
    let shared = a.data_dir().to_owned();
    let b = TestServer::start_with_clock(Arc::new(clock.clone()), |c| {
        settings(c, &url);
        mail(c);
        c.data_dir = shared;
    })
    .await?;
    ntfy.script("u0", vec![NtfyBehavior::TooMany { retry_after_secs: 60 }, NtfyBehavior::Accept]);

    let mut users = Vec::new();
    for u in 0..USERS {
        let server = if u % 2 == 0 { &a } else { &b };
        let email = unique_email("channels-pg");
        let r = server.http().post(server.url("/api/v1/accounts")).json(&json!({ "email": email, "password": PASSWORD, "timezone": "Europe/Berlin" })).send().await?;
        let body: Value = r.json().await?;
        let token = body["token"].as_str().unwrap_or_default().to_owned();
        let user = UserId(body["user_id"].as_str().unwrap_or_default().parse()?);
        let doc_id = body["doc_id"].as_str().unwrap_or_default().to_owned();
        for (kind, settings) in [("email", json!({ "enabled": true })), ("ntfy", json!({ "enabled": true, "url": ntfy.topic_url(&format!("u{u}")) }))] {
            let r = server.http().put(server.url(&format!("/api/v1/channels/{kind}"))).bearer_auth(&token).json(&settings).send().await?;
            anyhow::ensure!(r.status().as_u16() == 204, "{kind}: {}", r.status());
        }
        let mut phone = device_on(server, &email, &doc_id).await?;
        for i in 0..PEOPLE {
            let draft = ContactDraft { name: Name { display: format!("U{u} P{i}"), ..Default::default() }, cadence_days: Some(14), ..Default::default() };
            let id = crdt_model::create_contact(&mut phone.doc, draft, t0() - Span::days(31))?;
            let at = t0() - Span::days(30);
            crdt_model::log_interaction(&mut phone.doc, InteractionDraft { contact_ids: vec![id], kind: InteractionKind::Call, at, note: String::new() }, at)?;
        }
        phone.sync().await?;
        users.push((user, email));
    }
    let mut send_at = None;
    for (user, _) in &users {
        let rows = wait_for_plan_on(&a, *user, "the plan", |rows| rows.len() == PEOPLE).await?;
        send_at = Some(rows[0].plan.send_at);
    }
    let send_at = send_at.unwrap_or_default();
    step_to(&clock, send_at).await?;
    step_to(&clock, send_at + Span::minutes(2)).await?;

    // Email: every person named in exactly one email, each user's mail to them.
    let mails = smtp.wait_for(USERS, WAIT).await;
    let mut named: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        let msg = MessageParser::default().parse(&m.raw).ok_or_else(|| anyhow::anyhow!("unparseable email"))?;
        let text = msg.body_text(0).unwrap_or_default().into_owned();
        for line in text.lines().filter_map(|l| l.strip_prefix("* ")) {
            let name = line.split(" (").next().unwrap_or_default().to_owned();
            let u: usize = name[1..].split(' ').next().unwrap_or_default().parse()?;
            anyhow::ensure!(m.to == vec![users[u].1.clone()], "{name} mailed to {:?}", m.to);
            *named.entry(name).or_default() += 1;
        }
    }
    anyhow::ensure!(named.len() == USERS * PEOPLE, "every person emailed: {named:?}");
    anyhow::ensure!(named.values().all(|n| *n == 1), "nobody emailed twice: {named:?}");

    // ntfy: each nudge posted once (user 0's after one 429, once more).
    for u in 0..USERS {
        let posts = ntfy.requests(&format!("u{u}"));
        let accepted: Vec<_> = posts.iter().filter(|p| p.answered == 200).map(|p| p.title.clone().unwrap_or_default()).collect();
        let mut unique = accepted.clone();
        unique.sort();
        unique.dedup();
        anyhow::ensure!(accepted.len() == PEOPLE && unique.len() == PEOPLE, "user {u}: {posts:?}");
        let refused = posts.iter().filter(|p| p.answered == 429).count();
        anyhow::ensure!(refused == usize::from(u == 0), "user {u}: {refused} refusals");
    }
    for (user, _) in &users {
        let rows = a.state.store.user_nudges(*user).await?;
        anyhow::ensure!(rows.iter().all(|r| r.status == NudgeStatus::Sent), "{rows:?}");
    }
    // Later ticks on both instances send nothing more.
    step_to(&clock, send_at + Span::days(1)).await?;
    anyhow::ensure!(smtp.received().len() == mails.len(), "no email sent twice");
    let total: usize = (0..USERS).map(|u| ntfy.requests(&format!("u{u}")).len()).sum();
    anyhow::ensure!(total == USERS * PEOPLE + 1, "no ntfy message sent twice: {total}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_email_and_ntfy_each_nudge_exactly_once() {
    in_fresh_pg_schema("the two-instance channels test", scenario).await;
}
