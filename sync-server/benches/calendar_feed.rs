//! Rendering the calendar feed of a big address book: 5,000 contacts, each with a birthday
//! and a 30-day cadence (about half overdue), 1,000 important dates and 500 follow-ups (half
//! repeating), built through the model's operations. Times `load_without_notes` + `render`
//! (what `GET /cal/<secret>.ics` does on its blocking thread), median of 7 runs.
//!
//! Run: `cargo bench -p sync-server --bench calendar_feed`.

use std::time::{Duration, Instant};

use automerge::Automerge;
use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use crdt_model::{Birthday, ContactDraft, FollowUpDraft, ImportantDate, InteractionDraft, InteractionKind, Name, Repeat, RepeatUnit};

const CONTACTS: usize = 5_000;

fn t(days_ago: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().expect("valid") - Days::days(days_ago)
}

fn build() -> Result<Automerge, crdt_model::ModelError> {
    let mut doc = crdt_model::new_document("Europe/Berlin", t(400))?;
    let mut ids = Vec::with_capacity(CONTACTS);
    for i in 0..CONTACTS {
        let draft = ContactDraft {
            name: Name { display: format!("Person {i}, of Somewhere"), ..Default::default() },
            birthday: Some(Birthday { month: (i % 12) as u32 + 1, day: (i % 28) as u32 + 1, year: (i % 2 == 0).then_some(1960 + (i % 50) as i32) }),
            cadence_days: Some(30),
            ..Default::default()
        };
        let id = crdt_model::create_contact(&mut doc, draft, t(400))?;
        let talked = InteractionDraft { contact_ids: vec![id], kind: InteractionKind::Call, at: t((i % 60) as i64), note: String::new() };
        crdt_model::log_interaction(&mut doc, talked, t((i % 60) as i64))?;
        if i % 5 == 0 {
            let date = ImportantDate { label: "Anniversary".into(), month: (i % 12) as u32 + 1, day: 15, year: Some(2010), remind: true };
            crdt_model::add_important_date(&mut doc, id, date, t(300))?;
        }
        ids.push(id);
    }
    for (n, id) in ids.iter().step_by(10).enumerate() {
        let repeat = (n % 2 == 0).then_some(Repeat { every: 1, unit: if n % 4 == 0 { RepeatUnit::Week } else { RepeatUnit::Month } });
        let draft = FollowUpDraft { contact_ids: vec![*id], due_at: t((n % 40) as i64 - 20), all_day: n % 3 == 0, note: "Ask about the trip".into(), repeat };
        crdt_model::add_follow_up(&mut doc, draft, t(200))?;
    }
    Ok(doc)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let doc = build()?;
    println!("built {CONTACTS} contacts in {:.1} s", started.elapsed().as_secs_f64());
    let now = t(0);
    let mut times: Vec<Duration> = Vec::new();
    let mut bytes = 0;
    let mut events = 0;
    let mut feed_text = String::new();
    for _ in 0..7 {
        let begin = Instant::now();
        let loaded = crdt_model::load_without_notes(&doc);
        let feed = sync_server::calendar::render(&loaded.doc, now);
        times.push(begin.elapsed());
        bytes = feed.len();
        events = feed.matches("BEGIN:VEVENT").count();
        feed_text = feed;
    }
    times.sort();
    let render_only = {
        let loaded = crdt_model::load_without_notes(&doc);
        let begin = Instant::now();
        let _ = sync_server::calendar::render(&loaded.doc, now);
        begin.elapsed()
    };
    println!(
        "feed: {events} events, {:.1} KiB; load + render median {:.1} ms (min {:.1}, max {:.1}); render alone {:.1} ms",
        bytes as f64 / 1024.0,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        render_only.as_secs_f64() * 1e3,
    );
    let begin = Instant::now();
    let gz = sync_server::calendar::gzip(feed_text.as_bytes())?;
    println!("gzip (fast level, as served to clients that accept it): {:.1} KiB in {:.1} ms", gz.len() as f64 / 1024.0, begin.elapsed().as_secs_f64() * 1e3);
    Ok(())
}
