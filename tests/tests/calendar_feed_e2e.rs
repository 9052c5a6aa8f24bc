//! The calendar feed through the real server, read by a calendar library no one here wrote:
//! `tests/calendar/read_feed.mjs` parses it with ical.js 2.2.1 (installed by `npm ci` in
//! scripts/setup), registers its VTIMEZONE and expands every recurrence, as a calendar app
//! does when it subscribes. The expanded dates must be the ones the model computes.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration as StdDuration;

use anyhow::Context;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{Birthday, ContactDraft, ContactId, FollowUpDraft, ImportantDate, Name, Repeat, RepeatUnit};
use kith_tests::client::Device;
use kith_tests::reminder_server::{ReminderServer, User};
use serde_json::Value;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_else(|| panic!("bad date"))
}

fn person(device: &mut Device, name: &str, birthday: Option<Birthday>, at: DateTime<Utc>) -> ContactId {
    let draft = ContactDraft { name: Name { display: name.to_owned(), ..Default::default() }, birthday, ..Default::default() };
    crdt_model::create_contact(&mut device.doc, draft, at).unwrap_or_else(|e| panic!("{e}"))
}

/// `POST /api/v1/calendar-feed` → the feed's absolute URL.
async fn turn_on(rs: &ReminderServer, user: &User) -> anyhow::Result<String> {
    let r = rs.server.http().post(rs.server.url("/api/v1/calendar-feed")).bearer_auth(&user.token).send().await?;
    anyhow::ensure!(r.status().as_u16() == 201, "POST calendar-feed: {}", r.status());
    let body: Value = r.json().await?;
    let path = body["url"].as_str().with_context(|| format!("no url in {body}"))?;
    anyhow::ensure!(path.starts_with("/cal/") && path.ends_with(".ics"), "{path}");
    Ok(rs.server.url(path))
}

async fn fetch(rs: &ReminderServer, url: &str) -> anyhow::Result<(u16, reqwest::header::HeaderMap, String)> {
    let r = rs.server.http().get(url).send().await?;
    Ok((r.status().as_u16(), r.headers().clone(), r.text().await?))
}

/// The feed as ical.js reads it: `{prodid, timezones, events: [{uid, summary, allDay,
/// occurrences, alarms, ...}]}`, occurrences up to `until`.
async fn read_with_ical_js(text: &str, until: &str, max: usize) -> anyhow::Result<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("calendar");
    anyhow::ensure!(
        dir.join("node_modules/ical.js").is_dir(),
        "{} has no node_modules: run scripts/setup (it runs `npm ci` there)",
        dir.display()
    );
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), text)?;
    let output = tokio::time::timeout(
        StdDuration::from_secs(60),
        tokio::process::Command::new("node")
            .arg("read_feed.mjs")
            .arg(file.path())
            .arg(until)
            .arg(max.to_string())
            .current_dir(&dir)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("ical.js did not finish within 60 s")?
    .context("running node (scripts/setup installs it)")?;
    anyhow::ensure!(output.status.success(), "ical.js refused the feed: {}\n{text}", String::from_utf8_lossy(&output.stderr));
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn event<'a>(feed: &'a Value, uid_prefix: &str) -> &'a Value {
    feed["events"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["uid"].as_str().is_some_and(|u| u.starts_with(uid_prefix))))
        .unwrap_or_else(|| panic!("no event {uid_prefix} in {feed}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[tokio::test]
async fn ical_js_reads_the_feed_and_expands_recurrences_to_the_models_dates() -> anyhow::Result<()> {
    let t0 = utc(2026, 3, 1, 12, 0);
    let rs = ReminderServer::start(t0).await?;
    let user = rs.user("Europe/Berlin").await?;
    let mut phone = rs.device(&user).await?;
    let made = t0 - Duration::days(60);
    let ada = person(&mut phone, "Ada Lovelace, Countess; of \\ Lovelace", Some(Birthday { month: 12, day: 10, year: Some(1815) }), made);
    let leap = person(&mut phone, "Leap", Some(Birthday { month: 2, day: 29, year: None }), made);
    let wedding = ImportantDate { label: "Wedding".into(), month: 5, day: 2, year: Some(2016), remind: true };
    let wedding_key = crdt_model::add_important_date(&mut phone.doc, ada, wedding, made)?;
    crdt_model::set_cadence(&mut phone.doc, leap, Some(14), made)?;
    // Weekly at 08:00 Berlin across the spring DST change (Mar 29), and monthly on the 31st.
    let weekly = FollowUpDraft {
        contact_ids: vec![ada, leap],
        due_at: utc(2026, 3, 16, 7, 0),
        all_day: false,
        note: "Garden, bees\nand the roof".into(),
        repeat: Some(Repeat { every: 1, unit: RepeatUnit::Week }),
    };
    let weekly = crdt_model::add_follow_up(&mut phone.doc, weekly, made)?;
    let monthly = FollowUpDraft {
        contact_ids: vec![ada],
        due_at: utc(2026, 1, 30, 23, 0), // local midnight of Jan 31 in Berlin
        all_day: true,
        note: String::new(),
        repeat: Some(Repeat { every: 1, unit: RepeatUnit::Month }),
    };
    let monthly = crdt_model::add_follow_up(&mut phone.doc, monthly, made)?;
    let on_30th = FollowUpDraft {
        contact_ids: vec![leap],
        due_at: utc(2026, 1, 30, 17, 30),
        all_day: false,
        note: String::new(),
        repeat: Some(Repeat { every: 1, unit: RepeatUnit::Month }),
    };
    let on_30th = crdt_model::add_follow_up(&mut phone.doc, on_30th, made)?;
    phone.sync().await?;

    let url = turn_on(&rs, &user).await?;
    let (status, headers, text) = fetch(&rs, &url).await?;
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert!(headers["cache-control"].to_str()?.starts_with("private, max-age="), "{headers:?}");
    assert!(text.split("\r\n").all(|l| l.len() <= 75), "unfolded line");
    let feed = read_with_ical_js(&text, "2028-12-31", 40).await?;
    assert_eq!(feed["timezones"], serde_json::json!(["Europe/Berlin"]));

    let birthday = event(&feed, &format!("birthday-{ada}@"));
    assert_eq!(birthday["summary"], "Ada Lovelace, Countess; of \\ Lovelace's birthday (turns 211)", "escaping survives a real parser");
    assert_eq!(strings(&birthday["occurrences"]), ["2026-12-10", "2027-12-10", "2028-12-10"]);
    assert_eq!(strings(&birthday["alarms"]), ["PT9H"], "at the reminder hour");

    let leap_day = event(&feed, &format!("birthday-{leap}@"));
    assert_eq!(leap_day["summary"], "Leap's birthday", "no year, no age");
    assert_eq!(strings(&leap_day["occurrences"]), ["2027-02-28", "2028-02-29"]);

    let date = event(&feed, &format!("date-{ada}-{wedding_key}@"));
    assert_eq!(strings(&date["occurrences"])[0], "2026-05-02");
    assert!(date["summary"].as_str().is_some_and(|s| s.starts_with("Wedding: ") && s.ends_with("(10 years)")), "{date}");

    // The repeating follow-ups expand to exactly the model's occurrences.
    let loaded = crdt_model::load(&phone.doc).doc;
    let (tz, hour) = (loaded.settings.tz(), loaded.settings.hour());
    let fu = &loaded.follow_ups[&weekly];
    let want: Vec<String> = (0..6).filter_map(|k| crdt_model::follow_up_occurrence(fu, k, tz, hour)).map(iso).collect();
    let timed = event(&feed, &format!("follow-up-{weekly}@"));
    assert_eq!(timed["tzid"], "Europe/Berlin");
    assert_eq!(strings(&timed["occurrences"])[..6], want[..], "08:00 local on both sides of DST");
    assert_eq!(want[1], "2026-03-23T07:00:00.000Z");
    assert_eq!(want[2], "2026-03-30T06:00:00.000Z");
    assert_eq!(timed["description"], "Garden, bees\nand the roof");
    assert_eq!(strings(&timed["alarms"]), ["PT0S"]);

    let fu = &loaded.follow_ups[&monthly];
    let want: Vec<String> = (0..14)
        .filter_map(|k| crdt_model::follow_up_occurrence(fu, k, tz, hour))
        .map(|at| at.with_timezone(&tz).date_naive().to_string())
        .collect();
    let all_day = event(&feed, &format!("follow-up-{monthly}@"));
    assert_eq!(strings(&all_day["occurrences"])[..14], want[..], "the 31st, or the last day of shorter months");
    assert_eq!(&want[..4], ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]);

    let fu = &loaded.follow_ups[&on_30th];
    let want: Vec<String> = (0..26).filter_map(|k| crdt_model::follow_up_occurrence(fu, k, tz, hour)).map(iso).collect();
    let got = strings(&event(&feed, &format!("follow-up-{on_30th}@"))["occurrences"]);
    assert_eq!(got[..26], want[..], "the 30th, Feb 28 in 2027, Feb 29 in 2028, 18:30 local all year");
    assert_eq!(&want[..3], ["2026-01-30T17:30:00.000Z", "2026-02-28T17:30:00.000Z", "2026-03-30T16:30:00.000Z"]);

    // The check-in: 14 days after the cadence was set, overdue since; shown today.
    let check_in = event(&feed, &format!("check-in-{leap}@"));
    assert_eq!(strings(&check_in["occurrences"]), ["2026-03-01"]);

    // Read again later: the same UIDs (calendars update the events, never duplicate them).
    let uids = |feed: &Value| {
        let mut u: Vec<String> = feed["events"].as_array().map(|a| a.iter().filter_map(|e| e["uid"].as_str().map(str::to_owned)).collect()).unwrap_or_default();
        u.sort();
        u
    };
    rs.clock.set(t0 + Duration::hours(30));
    let (_, _, later) = fetch(&rs, &url).await?;
    let later = read_with_ical_js(&later, "2028-12-31", 40).await?;
    assert_eq!(uids(&feed), uids(&later));
    assert_eq!(uids(&feed).len(), 7, "{:?}", uids(&feed));
    assert_eq!(strings(&event(&later, &format!("check-in-{leap}@"))["occurrences"]), ["2026-03-02"], "overdue: moves to today");
    Ok(())
}

async fn feed_state(rs: &ReminderServer, user: &User) -> anyhow::Result<Value> {
    let r = rs.server.http().get(rs.server.url("/api/v1/calendar-feed")).bearer_auth(&user.token).send().await?;
    anyhow::ensure!(r.status().as_u16() == 200, "{}", r.status());
    Ok(r.json().await?)
}

#[tokio::test]
async fn rotating_revokes_the_old_url_and_turning_off_answers_404() -> anyhow::Result<()> {
    let t0 = utc(2026, 3, 1, 12, 0);
    let rs = ReminderServer::start(t0).await?;
    let alice = rs.user("UTC").await?;
    let mut phone = rs.device(&alice).await?;
    person(&mut phone, "Secret Sam", Some(Birthday { month: 4, day: 1, year: None }), t0);
    phone.sync().await?;
    let http = rs.server.http();
    assert_eq!(feed_state(&rs, &alice).await?["enabled"], false);
    // Without a session: refused.
    let r = http.post(rs.server.url("/api/v1/calendar-feed")).send().await?;
    assert_eq!(r.status().as_u16(), 401);

    let first = turn_on(&rs, &alice).await?;
    let (status, headers, body) = fetch(&rs, &first).await?;
    assert_eq!(status, 200);
    assert!(body.contains("Secret Sam"));
    let etag = headers["etag"].to_str()?.to_owned();
    let r = http.get(&first).header("if-none-match", &etag).send().await?;
    assert_eq!(r.status().as_u16(), 304, "unchanged: not sent again");
    let shown = feed_state(&rs, &alice).await?;
    assert_eq!((shown["enabled"].clone(), shown["url"].clone()), (Value::Bool(true), Value::Null), "the secret is shown once: {shown}");

    let second = turn_on(&rs, &alice).await?;
    assert_ne!(first, second);
    assert_eq!(fetch(&rs, &first).await?.0, 404, "the rotated URL stops working");
    assert_eq!(fetch(&rs, &second).await?.0, 200);

    // Compressed for clients that take gzip: the same feed, its own ETag, and 304 on it too.
    let (_, plain_headers, plain) = fetch(&rs, &second).await?;
    let r = http.get(&second).header("accept-encoding", "br, gzip").send().await?;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["vary"], "Accept-Encoding");
    let gz_etag = r.headers()["etag"].to_str()?.to_owned();
    assert_ne!(gz_etag, plain_headers["etag"].to_str()?, "each representation has its own ETag");
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&r.bytes().await?[..]), &mut unzipped)?;
    assert_eq!(unzipped, plain);
    let again = http.get(&second).header("accept-encoding", "gzip").header("if-none-match", &gz_etag).send().await?;
    assert_eq!(again.status().as_u16(), 304);
    let refused = http.get(&second).header("accept-encoding", "gzip;q=0").send().await?;
    assert!(refused.headers().get("content-encoding").is_none(), "gzip;q=0 means not gzip");

    // Another user's feed shows none of Alice's people.
    let bob = rs.user("UTC").await?;
    let bobs = turn_on(&rs, &bob).await?;
    let (status, _, bob_body) = fetch(&rs, &bobs).await?;
    assert_eq!(status, 200);
    assert!(bob_body.contains("BEGIN:VCALENDAR") && !bob_body.contains("Secret Sam") && !bob_body.contains("BEGIN:VEVENT"), "{bob_body}");

    // Not a secret of ours, or no .ics: the same 404.
    for bad in ["/cal/nope.ics", "/cal/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "/cal/x"] {
        assert_eq!(fetch(&rs, &rs.server.url(bad)).await?.0, 404, "{bad}");
    }

    let r = http.delete(rs.server.url("/api/v1/calendar-feed")).bearer_auth(&alice.token).send().await?;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(fetch(&rs, &second).await?.0, 404, "turned off");
    assert_eq!(feed_state(&rs, &alice).await?["enabled"], false);
    assert_eq!(fetch(&rs, &bobs).await?.0, 200, "Bob's feed is his own");
    Ok(())
}
