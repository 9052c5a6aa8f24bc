//! Reminder channels end to end through the real server on a manual clock: email through a
//! local SMTP server (messages parsed with mail-parser: headers, both parts, names, the Done
//! link followed into the document), ntfy through a local receiver (topic, title, click URL,
//! token), Web Push as before; failures (SMTP down, ntfy 429 with Retry-After, ntfy 401) and
//! the delivery log; one-click unsubscribe; tampered and expired links.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{ContactDraft, ContactId, InteractionDraft, InteractionKind, Name};
use kith_tests::client::Device;
use kith_tests::ntfy_receiver::{NtfyBehavior, NtfyReceiver};
use kith_tests::push_service::Behavior;
use kith_tests::reminder_server::{ReminderServer, User, WAIT};
use kith_tests::smtp_receiver::{SmtpBehavior, SmtpReceiver};
use mail_parser::MessageParser;
use reminders::{Clock, NudgeStatus};
use serde_json::{json, Value};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_else(|| panic!("bad date"))
}

const FROM: &str = "Kith Reminders <reminders@kith.example.org>";
const TOKEN: &str = "tk_secret_ntfy_token_123";

async fn befriend(device: &mut Device, name: &str, cadence: u32, last_talked: DateTime<Utc>) -> ContactId {
    let draft = ContactDraft {
        name: Name { display: name.to_owned(), ..Default::default() },
        cadence_days: Some(cadence),
        ..Default::default()
    };
    let id = crdt_model::create_contact(&mut device.doc, draft, last_talked - Duration::days(1)).expect("test setup");
    let talk = InteractionDraft { contact_ids: vec![id], kind: InteractionKind::Call, at: last_talked, note: String::new() };
    crdt_model::log_interaction(&mut device.doc, talk, last_talked).expect("test setup");
    device.sync().await.expect("test setup");
    id
}

struct Setup {
    rs: ReminderServer,
    smtp: SmtpReceiver,
    ntfy: NtfyReceiver,
    user: User,
    phone: Device,
}

/// A server with SMTP and a user with a push subscription, email (digest) and ntfy on.
async fn setup(t0: DateTime<Utc>, smtp_url: Option<String>, topic: &str) -> Setup {
    let smtp = SmtpReceiver::start().await.expect("test setup");
    let url = smtp_url.unwrap_or_else(|| smtp.url());
    let rs = ReminderServer::start_with(t0, |c| {
        c.reminders.smtp_url = Some(url);
        c.reminders.smtp_from = Some(FROM.to_owned());
    })
    .await
    .expect("test setup");
    let ntfy = NtfyReceiver::start().await.expect("test setup");
    let user = rs.user("Europe/Berlin").await.expect("test setup");
    put(&rs, &user, "email", json!({ "enabled": true, "mode": "digest" })).await;
    put(&rs, &user, "ntfy", json!({ "enabled": true, "url": ntfy.topic_url(topic), "token": TOKEN })).await;
    let phone = rs.device(&user).await.expect("test setup");
    Setup { rs, smtp, ntfy, user, phone }
}

async fn put(rs: &ReminderServer, user: &User, kind: &str, body: Value) {
    let r = rs.server.http().put(rs.server.url(&format!("/api/v1/channels/{kind}"))).bearer_auth(&user.token).json(&body).send().await.expect("test setup");
    assert_eq!(r.status().as_u16(), 204, "{}", r.text().await.unwrap_or_default());
}

async fn get(rs: &ReminderServer, user: &User, path: &str) -> Value {
    let r = rs.server.http().get(rs.server.url(path)).bearer_auth(&user.token).send().await.expect("test setup");
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("test setup")
}

async fn deliveries(rs: &ReminderServer, user: &User) -> Vec<Value> {
    get(rs, user, "/api/v1/deliveries").await["deliveries"].as_array().cloned().unwrap_or_default()
}

fn of_channel<'a>(log: &'a [Value], channel: &str) -> Vec<&'a Value> {
    log.iter().filter(|d| d["channel"] == channel).collect()
}

/// The `Done:` link for `name` in the text part.
fn done_link(text: &str, name: &str) -> String {
    let at = text.find(&format!("* {name} (")).unwrap_or_else(|| panic!("{name} not in {text}"));
    let rest = &text[at..];
    let done = rest.find("Done: ").unwrap_or_else(|| panic!("no Done link in {rest}"));
    rest[done + "Done: ".len()..].lines().next().unwrap_or_default().trim().to_owned()
}

#[tokio::test]
async fn five_due_people_make_one_digest_email_five_ntfy_messages_one_push_and_done_works_from_the_email() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let Setup { rs, smtp, ntfy, user, mut phone } = setup(t0, None, "kith-morning").await;
    let names = ["Ada Lovelace", "Bob Byte", "Cy Young", "Dee Dee", "Eve Early"];
    let mut ids = Vec::new();
    for name in names {
        ids.push(befriend(&mut phone, name, 14, t0 - Duration::days(30)).await);
    }
    let planned = rs.wait_pending(&user, 5).await.unwrap();
    let send_at = planned[0].plan.send_at;
    assert!(planned.iter().all(|p| p.plan.send_at == send_at), "one morning");

    rs.step_to(send_at - Duration::minutes(1)).await.unwrap();
    assert!(smtp.received().is_empty() && ntfy.requests("kith-morning").is_empty(), "nothing before the hour");
    rs.step_to(send_at).await.unwrap();

    // Email: exactly one digest, parsed as a mail client would.
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1, "one digest email");
    assert_eq!(mails[0].to, vec![user.email.clone()]);
    let msg = MessageParser::default().parse(&mails[0].raw).expect("a parseable email");
    assert_eq!(msg.subject(), Some("5 people to catch up with today"));
    let from = msg.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned);
    assert_eq!(from.as_deref(), Some("reminders@kith.example.org"));
    let unsubscribe = msg.header_raw("List-Unsubscribe").unwrap_or_default().trim().to_owned();
    assert!(unsubscribe.starts_with(&format!("<{}/api/v1/links/", rs.server.url(""))), "{unsubscribe}");
    assert_eq!(msg.header_raw("List-Unsubscribe-Post").map(str::trim), Some("List-Unsubscribe=One-Click"));
    assert_eq!((msg.text_body_count(), msg.html_body_count()), (1, 1), "text and HTML parts");
    let text = msg.body_text(0).unwrap_or_default().into_owned();
    let html = msg.body_html(0).unwrap_or_default().into_owned();
    for (name, id) in names.iter().zip(&ids) {
        assert!(text.contains(name) && html.contains(name), "{name} in both parts");
        assert!(text.contains(&format!("{}/#/people/{id}", rs.server.url(""))), "a link to {name}");
    }

    // ntfy: one message per nudge, each opening its person, with the token.
    let posts = ntfy.wait_for("kith-morning", 5, WAIT).await;
    assert_eq!(posts.len(), 5);
    for p in &posts {
        assert_eq!(p.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(p.priority.as_deref(), Some("3"));
        assert_eq!(p.tags.as_deref(), Some("wave"));
        let title = p.title.clone().unwrap_or_default();
        let who = names.iter().position(|n| title == format!("Time to catch up with {n}")).unwrap_or_else(|| panic!("{title}"));
        assert_eq!(p.click.clone(), Some(format!("{}/#/people/{}", rs.server.url(""), ids[who])));
        assert!(p.actions.as_deref().unwrap_or_default().starts_with("http, Done, "), "{:?}", p.actions);
    }
    // Web Push: one digest to the one device.
    assert_eq!(rs.push.delivered(&user.sub).len(), 1);

    // The log says so: one email, five ntfy, one push, all sent.
    let log = deliveries(&rs, &user).await;
    assert_eq!(of_channel(&log, "email").len(), 1);
    assert_eq!(of_channel(&log, "email")[0]["nudges"], 5);
    assert_eq!(of_channel(&log, "ntfy").len(), 5);
    assert_eq!(of_channel(&log, "push").len(), 1);
    assert!(log.iter().all(|d| d["status"] == "sent"), "{log:?}");

    // Days pass: nothing is sent again.
    rs.step_to(send_at + Duration::days(2)).await.unwrap();
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(ntfy.requests("kith-morning").len(), 5);

    // Done from the email, on a device that is not logged in: GET shows a button, POST acts.
    let link = done_link(&text, "Cy Young");
    let anonymous = reqwest::Client::new();
    let page = anonymous.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""), "GET never acts");
    let before = crdt_model::load(&phone.doc).doc.interactions.len();
    let r = anonymous.post(&link).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cy = ids[2];
    phone
        .wait_until("the interaction from the email's Done link", |doc| {
            let d = crdt_model::load(doc).doc;
            d.interactions.len() == before + 1 && d.interactions.values().any(|i| i.contact_ids.contains_key(&cy) && i.at == rs.clock.now())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn ntfy_429_waits_for_retry_after_and_401_turns_the_channel_off_as_the_log_and_api_say() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let Setup { rs, smtp, ntfy, user, mut phone } = setup(t0, None, "busy").await;
    ntfy.script("busy", vec![NtfyBehavior::TooMany { retry_after_secs: 600 }, NtfyBehavior::Accept]);
    befriend(&mut phone, "Ada", 14, t0 - Duration::days(30)).await;
    let send_at = rs.wait_pending(&user, 1).await.unwrap()[0].plan.send_at;
    rs.step_to(send_at).await.unwrap();
    assert_eq!(ntfy.requests("busy").iter().map(|r| r.answered).collect::<Vec<_>>(), vec![429]);
    assert_eq!(smtp.received().len(), 1, "email went out regardless");
    let log = deliveries(&rs, &user).await;
    let n = of_channel(&log, "ntfy");
    assert_eq!((n.len(), n[0]["status"].as_str()), (1, Some("retried")));
    assert!(n[0]["detail"].as_str().unwrap_or_default().contains("retry after 600 s"), "{:?}", n[0]);

    // Not before Retry-After...
    rs.step_to(send_at + Duration::minutes(5)).await.unwrap();
    assert_eq!(ntfy.requests("busy").len(), 1);
    // ...then once, and email and push are not sent again.
    rs.step_to(send_at + Duration::minutes(11)).await.unwrap();
    assert_eq!(ntfy.requests("busy").iter().map(|r| r.answered).collect::<Vec<_>>(), vec![429, 200]);
    assert_eq!(smtp.received().len(), 1, "a retry skips channels that worked");
    assert_eq!(rs.push.delivered(&user.sub).len(), 1);
    let rows = rs.nudges(&user).await.unwrap();
    assert_eq!(rows[0].status, NudgeStatus::Sent);

    // 401: the token is wrong. The channel is turned off, and everyone can see why.
    ntfy.script("busy", vec![NtfyBehavior::Unauthorized]);
    befriend(&mut phone, "Bob", 14, rs.clock.now() - Duration::days(30)).await;
    let next = rs.wait_for_plan(&user, "Bob's nudge", |rows| rows.iter().any(|r| r.status == NudgeStatus::Pending)).await.unwrap();
    let at = next.iter().find(|r| r.status == NudgeStatus::Pending).map(|r| r.plan.send_at).unwrap();
    rs.step_to(at).await.unwrap();
    assert_eq!(ntfy.requests("busy").last().map(|r| r.answered), Some(401));
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!(channels["ntfy"]["enabled"], false);
    assert!(channels["ntfy"]["disabled_reason"].as_str().unwrap_or_default().contains("401"), "{channels}");
    assert_eq!(channels["ntfy"]["has_token"], true);
    assert!(!channels.to_string().contains(TOKEN), "the token is never returned");
    let log = deliveries(&rs, &user).await;
    assert_eq!(of_channel(&log, "ntfy")[0]["status"], "refused");
    rs.step_to(at + Duration::days(1)).await.unwrap();
    assert_eq!(ntfy.requests("busy").len(), 3, "an off channel gets nothing more");
}

#[tokio::test]
async fn a_channel_that_refused_never_makes_the_nudge_count_as_delivered() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let Setup { rs, ntfy, user, mut phone, .. } = setup(t0, None, "wrong-token").await;
    put(&rs, &user, "email", json!({ "enabled": false, "mode": "digest" })).await;
    // ntfy's token is wrong (refused for good); the push service is down on the first attempt,
    // and by the retry the phone's subscription is gone. Nothing ever reaches the user.
    ntfy.script("wrong-token", vec![NtfyBehavior::Unauthorized]);
    rs.push.script(&user.sub, vec![Behavior::ServerError, Behavior::Gone]);
    befriend(&mut phone, "Ada", 14, t0 - Duration::days(30)).await;
    let send_at = rs.wait_pending(&user, 1).await.unwrap()[0].plan.send_at;
    rs.step_to(send_at).await.unwrap();
    assert_eq!(ntfy.requests("wrong-token").iter().map(|r| r.answered).collect::<Vec<_>>(), vec![401]);
    assert_eq!(rs.push.attempts(&user.sub).len(), 1);
    rs.step_to(send_at + Duration::minutes(1)).await.unwrap();
    assert_eq!(rs.push.attempts(&user.sub).len(), 2, "push was tried again");
    let rows = rs.nudges(&user).await.unwrap();
    assert_eq!(rows[0].status, NudgeStatus::Failed, "the refusal on ntfy does not count as delivery: {rows:?}");
    assert!(rs.push.delivered(&user.sub).is_empty());
    assert_eq!(ntfy.requests("wrong-token").len(), 1, "the turned-off channel was not tried again");
}

#[tokio::test]
async fn smtp_down_is_retried_with_back_off_then_given_up_and_the_log_shows_each_step() {
    let t0 = utc(2026, 6, 1, 12, 0);
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let Setup { rs, ntfy, user, mut phone, .. } = setup(t0, Some(down), "fine").await;
    befriend(&mut phone, "Ada", 14, t0 - Duration::days(30)).await;
    let send_at = rs.wait_pending(&user, 1).await.unwrap()[0].plan.send_at;
    rs.step_to(send_at).await.unwrap();
    assert_eq!(ntfy.requests("fine").len(), 1);
    // Back-off: 1, 2, 4, 8 minutes (5 attempts in all), then given up.
    let mut at = send_at;
    for minutes in [1, 2, 4, 8] {
        at += Duration::minutes(minutes);
        rs.step_to(at).await.unwrap();
    }
    let log = deliveries(&rs, &user).await;
    let email: Vec<&str> = of_channel(&log, "email").iter().filter_map(|d| d["status"].as_str()).collect();
    assert_eq!(email, vec!["given_up", "retried", "retried", "retried", "retried"], "{log:?}");
    assert_eq!(ntfy.requests("fine").len(), 1, "ntfy was not sent again on the email's retries");
    let rows = rs.nudges(&user).await.unwrap();
    assert_eq!(rows[0].status, NudgeStatus::Sent, "ntfy and push carried it");
    rs.step_to(at + Duration::days(1)).await.unwrap();
    assert_eq!(of_channel(&deliveries(&rs, &user).await, "email").len(), 5, "nothing after giving up");
}

#[tokio::test]
async fn a_refused_address_turns_email_off_the_unsubscribe_link_too_and_bad_links_are_refused() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let Setup { rs, smtp, user, mut phone, .. } = setup(t0, None, "t").await;
    // A test email first: it arrives, and its unsubscribe link (one-click POST) turns email off.
    let r = rs.server.http().post(rs.server.url("/api/v1/channels/email/test")).bearer_auth(&user.token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["sent"], true, "{body}");
    let mails = smtp.wait_for(1, WAIT).await;
    let msg = MessageParser::default().parse(&mails[0].raw).expect("parseable");
    let link = msg.header_raw("List-Unsubscribe").unwrap_or_default().trim().trim_start_matches('<').trim_end_matches('>').to_owned();
    let anonymous = reqwest::Client::new();
    let r = anonymous.post(&link).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!(channels["email"]["enabled"], false);
    assert_eq!(channels["email"]["disabled_reason"], "turned off by the unsubscribe link");

    // Tampered: one character of the signature changed. Foreign: not a token at all.
    let (base, token) = link.rsplit_once('/').unwrap();
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{base}/{}", String::from_utf8(bytes).unwrap());
    for bad in [tampered, format!("{base}/nonsense"), format!("{base}/{}", "x".repeat(5000))] {
        let r = anonymous.post(&bad).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{bad}");
    }

    // Back on; a stale contact's digest carries Done links that expire after a week.
    put(&rs, &user, "email", json!({ "enabled": true })).await;
    befriend(&mut phone, "Ada", 14, t0 - Duration::days(30)).await;
    let send_at = rs.wait_pending(&user, 1).await.unwrap()[0].plan.send_at;
    rs.step_to(send_at).await.unwrap();
    let mails = smtp.wait_for(2, WAIT).await;
    let msg = MessageParser::default().parse(&mails[1].raw).expect("parseable");
    let done = done_link(&msg.body_text(0).unwrap_or_default(), "Ada");
    rs.step_to(send_at + Duration::days(8)).await.unwrap();
    let r = anonymous.post(&done).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 410, "expired");

    // The SMTP server refuses the address for good (550): email is turned off, and says why.
    smtp.set_behavior(SmtpBehavior::RejectRecipient);
    let r = rs.server.http().post(rs.server.url("/api/v1/channels/email/test")).bearer_auth(&user.token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["sent"].clone(), body["status"].clone()), (json!(false), json!("refused")), "{body}");
    assert!(body["answer"].as_str().unwrap_or_default().contains("550"), "{body}");
    befriend(&mut phone, "Bob", 14, rs.clock.now() - Duration::days(30)).await;
    let rows = rs.wait_for_plan(&user, "Bob's nudge", |rows| rows.iter().any(|r| r.status == NudgeStatus::Pending)).await.unwrap();
    let at = rows.iter().find(|r| r.status == NudgeStatus::Pending).map(|r| r.plan.send_at).unwrap();
    rs.step_to(at.max(rs.clock.now() + Duration::minutes(1))).await.unwrap();
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!(channels["email"]["enabled"], false);
    assert!(channels["email"]["disabled_reason"].as_str().unwrap_or_default().contains("550"), "{channels}");
}

#[tokio::test]
async fn push_test_answers_with_what_the_push_service_said_and_ntfy_test_reaches_the_topic() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let Setup { rs, ntfy, user, .. } = setup(t0, None, "tests").await;
    let http = rs.server.http();
    let r = http.post(rs.server.url("/api/v1/push/test")).bearer_auth(&user.token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["sent"].clone(), body["answer"].clone()), (json!(true), json!("201")), "{body}");
    let got = rs.push.delivered(&user.sub);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload["title"], "Kith test notification");

    // Another device of the user has no subscription: a clear 404.
    let (other, _) = rs.server.login(&user.email, "a long enough password").await.unwrap();
    let r = http.post(rs.server.url("/api/v1/push/test")).bearer_auth(&other).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    let r = http.post(rs.server.url("/api/v1/channels/ntfy/test")).bearer_auth(&user.token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["sent"], true, "{body}");
    let posts = ntfy.wait_for("tests", 1, WAIT).await;
    assert_eq!(posts[0].title.as_deref(), Some("Kith test notification"));
    let log = deliveries(&rs, &user).await;
    assert_eq!(of_channel(&log, "push").len(), 1);
    assert_eq!(of_channel(&log, "ntfy").len(), 1);

    // Bad settings are a clear 422, never stored.
    let bad = http
        .put(rs.server.url("/api/v1/channels/ntfy"))
        .bearer_auth(&user.token)
        .json(&json!({ "enabled": true, "url": "http://10.0.0.1/topic" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!(channels["ntfy"]["url"], ntfy.topic_url("tests"));
    assert_eq!(channels["push"]["available"], true);
    assert_eq!(channels["email"]["available"], true);
}

#[tokio::test]
async fn without_smtp_email_is_not_offered_and_the_api_says_why() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let rs = ReminderServer::start(t0).await.unwrap();
    let user = rs.user("Europe/Berlin").await.unwrap();
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!(channels["email"]["available"], false);
    assert!(channels["email"]["reason"].as_str().unwrap_or_default().contains("KITH_SMTP_URL"), "{channels}");
    let r = rs
        .server
        .http()
        .put(rs.server.url("/api/v1/channels/email"))
        .bearer_auth(&user.token)
        .json(&json!({ "enabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let _ = rs.clock.now();
}

#[tokio::test]
async fn another_address_gets_reminders_only_once_the_code_mailed_to_it_is_entered() {
    let t0 = utc(2026, 6, 1, 12, 0);
    let Setup { rs, smtp, user, .. } = setup(t0, None, "addr").await;
    let http = rs.server.http();
    let post = |path: &str, body: Value| http.post(rs.server.url(path)).bearer_auth(&user.token).json(&body).send();
    let r = post("/api/v1/channels/email/address", json!({ "address": "not an address" })).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = post("/api/v1/channels/email/address", json!({ "address": "ada@elsewhere.example.org" })).await.unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, vec!["ada@elsewhere.example.org".to_owned()]);
    let msg = MessageParser::default().parse(&mails[0].raw).expect("parseable");
    let subject = msg.subject().unwrap_or_default().to_owned();
    let code = subject.rsplit(' ').next().unwrap_or_default().to_owned();
    assert_eq!(code.len(), 6, "{subject}");
    assert!(msg.body_text(0).unwrap_or_default().contains(&code));
    // Not switched yet; asking again at once is throttled.
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!((channels["email"]["address"].clone(), channels["email"]["pending_address"].clone()), (json!(user.email), json!("ada@elsewhere.example.org")));
    let r = post("/api/v1/channels/email/address", json!({ "address": "ada@elsewhere.example.org" })).await.unwrap();
    assert_eq!(r.status().as_u16(), 429);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = post("/api/v1/channels/email/address/confirm", json!({ "code": wrong })).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = post("/api/v1/channels/email/address/confirm", json!({ "code": code })).await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let channels = get(&rs, &user, "/api/v1/channels").await;
    assert_eq!((channels["email"]["address"].clone(), channels["email"]["pending_address"].clone()), (json!("ada@elsewhere.example.org"), Value::Null));
    assert_eq!(channels["email"]["enabled"], true, "still on");

    // The next email goes there.
    let r = post("/api/v1/channels/email/test", json!({})).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mails = smtp.wait_for(2, WAIT).await;
    assert_eq!(mails[1].to, vec!["ada@elsewhere.example.org".to_owned()]);

    // Five wrong codes use a code up.
    rs.step_to(t0 + Duration::minutes(2)).await.unwrap();
    let r = post("/api/v1/channels/email/address", json!({ "address": "bob@elsewhere.example.org" })).await.unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let mails = smtp.wait_for(3, WAIT).await;
    let subject = MessageParser::default().parse(&mails[2].raw).and_then(|m| m.subject().map(str::to_owned)).unwrap_or_default();
    let code = subject.rsplit(' ').next().unwrap_or_default().to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let r = post("/api/v1/channels/email/address/confirm", json!({ "code": wrong })).await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
    }
    let r = post("/api/v1/channels/email/address/confirm", json!({ "code": code })).await.unwrap();
    assert_eq!(r.status().as_u16(), 422, "the right code after five wrong ones is refused");
    assert_eq!(get(&rs, &user, "/api/v1/channels").await["email"]["address"], "ada@elsewhere.example.org");
}
