//! The feed as text: built from documents the real ops write, read back line by line.

use automerge::Automerge;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crdt_model::{Birthday, ContactDraft, ContactId, FollowUpDraft, ImportantDate, Name, Repeat, RepeatUnit};

use super::render;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid time")
}

fn doc(tz: &str, hour: u32) -> Automerge {
    let mut doc = crdt_model::new_document(tz, utc(2026, 1, 1, 0, 0)).expect("new document");
    crdt_model::update_settings(&mut doc, None, Some(hour), None, utc(2026, 1, 1, 0, 0)).expect("settings");
    doc
}

fn person(doc: &mut Automerge, name: &str, birthday: Option<Birthday>) -> ContactId {
    let draft = ContactDraft { name: Name { display: name.to_owned(), ..Default::default() }, birthday, ..Default::default() };
    crdt_model::create_contact(doc, draft, utc(2026, 1, 1, 0, 0)).expect("create contact")
}

fn feed(doc: &Automerge, now: DateTime<Utc>) -> String {
    render(&crdt_model::load(doc).doc, now)
}

/// The unfolded lines of the VEVENT whose UID starts with `uid`.
fn event(feed: &str, uid: &str) -> Vec<String> {
    let unfolded = feed.replace("\r\n ", "");
    let mut current: Vec<String> = Vec::new();
    for line in unfolded.split("\r\n") {
        if line == "BEGIN:VEVENT" {
            current.clear();
        }
        current.push(line.to_owned());
        if line == "END:VEVENT" && current.iter().any(|l| l.starts_with(&format!("UID:{uid}"))) {
            return current;
        }
    }
    panic!("no event {uid} in\n{feed}");
}

fn has(lines: &[String], want: &str) -> bool {
    lines.iter().any(|l| l == want)
}

#[test]
fn every_line_ends_in_crlf_and_fits_75_octets() {
    let mut d = doc("Europe/Berlin", 9);
    person(&mut d, &"Very Long Name ".repeat(20), Some(Birthday { month: 3, day: 14, year: None }));
    let text = feed(&d, utc(2026, 3, 1, 12, 0));
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{text}");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "a bare LF");
    assert!(text.split("\r\n").all(|l| l.len() <= 75));
}

#[test]
fn birthdays_are_yearly_all_day_events_with_the_age_only_when_the_year_is_known() {
    let mut d = doc("Europe/Berlin", 8);
    let ada = person(&mut d, "Ada Lovelace", Some(Birthday { month: 12, day: 10, year: Some(1815) }));
    let bob = person(&mut d, "Bob", Some(Birthday { month: 3, day: 14, year: None }));
    let text = feed(&d, utc(2026, 6, 1, 12, 0));

    let a = event(&text, &format!("birthday-{ada}@"));
    assert!(has(&a, "DTSTART;VALUE=DATE:20261210"), "{a:?}");
    assert!(has(&a, "DTEND;VALUE=DATE:20261211"), "{a:?}");
    assert!(has(&a, "RRULE:FREQ=YEARLY"), "{a:?}");
    assert!(has(&a, "SUMMARY:Ada Lovelace's birthday (turns 211)"), "{a:?}");
    // The alarm at the reminder hour of the day.
    assert!(has(&a, "BEGIN:VALARM") && has(&a, "TRIGGER:PT8H"), "{a:?}");

    let b = event(&text, &format!("birthday-{bob}@"));
    assert!(has(&b, "DTSTART;VALUE=DATE:20270314"), "already passed this year: {b:?}");
    assert!(has(&b, "SUMMARY:Bob's birthday"), "no year, no age: {b:?}");
}

#[test]
fn a_leap_day_birthday_falls_on_the_last_day_of_february() {
    let mut d = doc("UTC", 9);
    let leap = person(&mut d, "Leap", Some(Birthday { month: 2, day: 29, year: Some(2000) }));
    let text = feed(&d, utc(2026, 1, 10, 0, 0));
    let e = event(&text, &format!("birthday-{leap}@"));
    assert!(has(&e, "DTSTART;VALUE=DATE:20260228"), "{e:?}");
    assert!(has(&e, "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"), "{e:?}");
    assert!(has(&e, "SUMMARY:Leap's birthday (turns 26)"), "{e:?}");
}

#[test]
fn important_dates_name_their_label_and_alarm_only_when_reminded() {
    let mut d = doc("UTC", 9);
    let ada = person(&mut d, "Ada", None);
    let t = utc(2026, 1, 1, 0, 0);
    let wedding = ImportantDate { label: "Wedding, anniversary; \\o/".into(), month: 5, day: 2, year: Some(2016), remind: true };
    let key = crdt_model::add_important_date(&mut d, ada, wedding, t).expect("date");
    let quiet = ImportantDate { label: "Moved in".into(), month: 7, day: 1, year: None, remind: false };
    let quiet_key = crdt_model::add_important_date(&mut d, ada, quiet, t).expect("date");
    let text = feed(&d, utc(2026, 3, 1, 0, 0));
    let e = event(&text, &format!("date-{ada}-{key}@"));
    assert!(has(&e, "SUMMARY:Wedding\\, anniversary\\; \\\\o/: Ada (10 years)"), "{e:?}");
    assert!(has(&e, "DTSTART;VALUE=DATE:20260502") && has(&e, "BEGIN:VALARM"), "{e:?}");
    let q = event(&text, &format!("date-{ada}-{quiet_key}@"));
    assert!(has(&q, "SUMMARY:Moved in: Ada") && !has(&q, "BEGIN:VALARM"), "{q:?}");
}

#[test]
fn uids_do_not_change_between_reads() {
    let mut d = doc("Europe/Berlin", 9);
    let ada = person(&mut d, "Ada", Some(Birthday { month: 5, day: 1, year: None }));
    crdt_model::set_cadence(&mut d, ada, Some(7), utc(2026, 1, 1, 0, 0)).expect("cadence");
    let uids = |text: &str| text.split("\r\n").filter(|l| l.starts_with("UID:")).map(str::to_owned).collect::<Vec<_>>();
    let first = uids(&feed(&d, utc(2026, 2, 1, 10, 0)));
    let later = uids(&feed(&d, utc(2026, 2, 3, 18, 0)));
    assert_eq!(first.len(), 2, "{first:?}");
    assert_eq!(first, later);
}

#[test]
fn timed_follow_ups_are_in_the_users_zone_and_repeat_like_the_model() {
    let mut d = doc("Europe/Berlin", 9);
    let ada = person(&mut d, "Ada", None);
    let bob = person(&mut d, "Bob", None);
    let t = utc(2026, 1, 1, 0, 0);
    // 08:00 Berlin (winter: UTC+1) every week, and a one-off that is done.
    let weekly = FollowUpDraft {
        contact_ids: vec![ada, bob],
        due_at: utc(2026, 1, 5, 7, 0),
        all_day: false,
        note: "Call about the garden\nand the bees".into(),
        repeat: Some(Repeat { every: 1, unit: RepeatUnit::Week }),
    };
    let weekly = crdt_model::add_follow_up(&mut d, weekly, t).expect("follow-up");
    let done = FollowUpDraft { contact_ids: vec![ada], due_at: utc(2026, 1, 6, 7, 0), all_day: false, note: String::new(), repeat: None };
    let done = crdt_model::add_follow_up(&mut d, done, t).expect("follow-up");
    crdt_model::complete_follow_up(&mut d, done, true, utc(2026, 1, 7, 0, 0)).expect("done");

    let text = feed(&d, utc(2026, 2, 1, 0, 0));
    let e = event(&text, &format!("follow-up-{weekly}@"));
    assert!(has(&e, "DTSTART;TZID=Europe/Berlin:20260105T080000"), "{e:?}");
    assert!(has(&e, "RRULE:FREQ=WEEKLY;INTERVAL=1"), "{e:?}");
    assert!(has(&e, "DESCRIPTION:Call about the garden\\nand the bees"), "{e:?}");
    assert!(has(&e, "TRIGGER:PT0S"), "{e:?}");
    assert!(e.iter().any(|l| l.starts_with("SUMMARY:Follow up with ")), "{e:?}");
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"), "{text}");
    assert!(!text.contains(&format!("follow-up-{done}@")), "a done one-off is not shown");
}

#[test]
fn monthly_follow_ups_on_the_31st_use_the_last_day_of_shorter_months() {
    let mut d = doc("UTC", 7);
    let ada = person(&mut d, "Ada", None);
    let t = utc(2026, 1, 1, 0, 0);
    let draft = FollowUpDraft {
        contact_ids: vec![ada],
        due_at: utc(2026, 1, 31, 0, 0),
        all_day: true,
        note: String::new(),
        repeat: Some(Repeat { every: 2, unit: RepeatUnit::Month }),
    };
    let id = crdt_model::add_follow_up(&mut d, draft, t).expect("follow-up");
    let text = feed(&d, utc(2026, 1, 2, 0, 0));
    let e = event(&text, &format!("follow-up-{id}@"));
    assert!(has(&e, "DTSTART;VALUE=DATE:20260131"), "{e:?}");
    assert!(has(&e, "RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1"), "{e:?}");
    assert!(has(&e, "TRIGGER:PT7H"), "all day: at the reminder hour: {e:?}");
    assert!(!text.contains("VTIMEZONE"), "nothing timed, no zone needed");
}

#[test]
fn check_ins_show_today_when_overdue_and_archived_people_not_at_all() {
    let mut d = doc("America/New_York", 9);
    let t = utc(2026, 1, 1, 0, 0);
    let ada = person(&mut d, "Ada", None);
    crdt_model::set_cadence(&mut d, ada, Some(7), t).expect("cadence");
    let gone = person(&mut d, "Gone", Some(Birthday { month: 1, day: 20, year: None }));
    crdt_model::set_cadence(&mut d, gone, Some(7), t).expect("cadence");
    crdt_model::archive_contact(&mut d, gone, true, t).expect("archive");
    // 03:00 UTC on Feb 1 is still Jan 31 in New York.
    let now = utc(2026, 2, 1, 3, 0);
    let text = feed(&d, now);
    let e = event(&text, &format!("check-in-{ada}@"));
    assert!(has(&e, "DTSTART;VALUE=DATE:20260131"), "{e:?}");
    assert!(e.iter().any(|l| l.starts_with("DESCRIPTION:Overdue since 2026-01-0")), "{e:?}");
    assert!(!text.contains(&gone.to_string()), "{text}");
    // Not yet due: no check-in.
    let early = feed(&d, t + Duration::days(1));
    assert!(!early.contains("check-in-"), "{early}");
}

#[test]
fn a_follow_up_dated_in_antiquity_does_not_make_the_zone_history_unbounded() {
    let mut d = doc("Europe/Berlin", 9);
    let ada = person(&mut d, "Ada", None);
    let ancient = Utc.with_ymd_and_hms(1000, 1, 1, 8, 0, 0).single().expect("valid time");
    let draft = FollowUpDraft { contact_ids: vec![ada], due_at: ancient, all_day: false, note: String::new(), repeat: None };
    let id = crdt_model::add_follow_up(&mut d, draft, utc(2026, 1, 1, 0, 0)).expect("follow-up");
    // A year iCalendar cannot write: left out, the rest of the feed stays valid.
    let unwritable = Utc.with_ymd_and_hms(-5000, 1, 1, 8, 0, 0).single().expect("valid time");
    let draft = FollowUpDraft { contact_ids: vec![ada], due_at: unwritable, all_day: false, note: String::new(), repeat: None };
    let dropped = crdt_model::add_follow_up(&mut d, draft, utc(2026, 1, 1, 0, 0)).expect("follow-up");
    let started = std::time::Instant::now();
    let text = feed(&d, utc(2026, 2, 1, 0, 0));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(text.contains(&format!("follow-up-{id}@")), "{text}");
    assert!(event(&text, &format!("follow-up-{id}@")).iter().any(|l| l == "DTSTART;TZID=Europe/Berlin:10000101T085328"), "LMT");
    assert!(!text.contains(&format!("follow-up-{dropped}@")), "{text}");
    // 40 years of two changes a year, not 7,000.
    assert!(text.matches("BEGIN:DAYLIGHT").count() <= 41, "{}", text.matches("BEGIN:DAYLIGHT").count());
}
