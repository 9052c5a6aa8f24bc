//! The feed itself: a pure function of the document and `now`, so what a calendar shows is
//! tested without a server. Dates come from the relationship math (`crdt_model::math`) and
//! the reminder planning (`reminders::plan_memory`), never re-derived here.
//!
//! What is in it, each event with a UID made from ids (never random), so a calendar that
//! refreshes the feed updates its events instead of adding copies:
//! - birthdays (`birthday-<contact>`) and important dates (`date-<contact>-<key>`) as all-day
//!   yearly events from their next occurrence; with the year known, the summary says the age
//!   reached on that occurrence (the feed is re-read long before the next one);
//! - open follow-ups (`follow-up-<id>`) at their due instant, or all day on their due date,
//!   repeating ones with the RRULE that gives the same occurrences as the model;
//! - check-ins (`check-in-<contact>`) that are due soon (all day on the due date) or overdue
//!   (all day today).
//!
//! Alarms fire at the user's reminder hour on all-day events (`TRIGGER:PT<hour>H` from the
//! day's start) and at the instant of a timed follow-up, as the push reminders do.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use crdt_model::{
    all_statuses, follow_up_occurrence, next_birthday, turning_age, Birthday, Contact, FollowUp, KithDoc, Repeat, RepeatUnit,
    Status,
};
use reminders::plan::display_name;
use reminders::plan_memory::{people, repeats};

use super::ics::Ics;

/// Identifies the program that wrote the feed (RFC 5545 §3.7.3).
const PRODID: &str = "-//Kith//Calendar feed//EN";

/// The domain part of every UID (RFC 5545 recommends one; it only has to be stable).
const UID_DOMAIN: &str = "kith.calendar";

/// How long a timed follow-up is shown for.
const FOLLOW_UP_MINUTES: i64 = 30;

/// How far ahead the time zone's offset changes are listed.
const TZ_YEARS_AHEAD: i64 = 10;

/// How far back they are listed at most (each year is 365 offset probes).
const TZ_YEARS_BACK: i64 = 30;

/// The whole feed for `doc` at `now`.
pub fn render(doc: &KithDoc, now: DateTime<Utc>) -> String {
    let (tz, hour) = (doc.settings.tz(), doc.settings.hour());
    let today = now.with_timezone(&tz).date_naive();
    // Rounded to the hour, so the same feed read twice within an hour is the same bytes
    // (and so the same ETag).
    let stamp = now.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
    let ctx = Ctx { tz, hour, stamp: utc_stamp(stamp) };

    let mut events = Events::default();
    for contact in doc.active_contacts() {
        birthday(&mut events, contact, today);
        important_dates(&mut events, contact, today);
    }
    for fu in doc.follow_ups.values().filter(|fu| fu.is_open()) {
        follow_up(&ctx, &mut events, doc, fu, now);
    }
    check_ins(&mut events, doc, now, today);

    let mut ics = Ics::default();
    ics.begin("VCALENDAR");
    ics.raw("VERSION", "2.0");
    ics.raw("PRODID", PRODID);
    ics.raw("CALSCALE", "GREGORIAN");
    ics.raw("METHOD", "PUBLISH");
    ics.text("X-WR-CALNAME", "Kith");
    ics.text("X-WR-TIMEZONE", tz.name());
    if let Some(earliest) = events.earliest_timed.filter(|_| tz != chrono_tz::UTC) {
        // A device writes `dueAt`, so the earliest start may be anything: the zone's history
        // is listed for at most TZ_YEARS_BACK (earlier starts use its first offset).
        let from = earliest.max(now - Duration::days(365 * TZ_YEARS_BACK)).min(now) - Duration::days(1);
        super::vtimezone::write(&mut ics, tz, from, now + Duration::days(365 * TZ_YEARS_AHEAD));
    }
    for event in events.list {
        write_event(&mut ics, &ctx, event);
    }
    ics.end("VCALENDAR");
    ics.finish()
}

struct Ctx {
    tz: Tz,
    hour: u32,
    stamp: String,
}

#[derive(Default)]
struct Events {
    list: Vec<Event>,
    /// The earliest timed start, for the time zone's range.
    earliest_timed: Option<DateTime<Utc>>,
}

impl Events {
    /// Drops an event iCalendar cannot date (years are four digits, RFC 5545 §3.3.4): a
    /// device may have written any `dueAt`, and one bad line must not spoil the whole feed.
    fn push(&mut self, event: Event) {
        let year = match event.when {
            When::Day(day) => day.year(),
            When::At(at) => at.with_timezone(&chrono_tz::UTC).year(),
        };
        if !(1..=9999).contains(&year) {
            return;
        }
        if let When::At(at) = event.when {
            self.earliest_timed = Some(self.earliest_timed.map_or(at, |e| e.min(at)));
        }
        self.list.push(event);
    }
}

struct Event {
    uid: String,
    summary: String,
    description: Option<String>,
    when: When,
    rrule: Option<String>,
    /// Occurrences the RRULE does not produce (see [`clamped_month_ends`]).
    rdates: Vec<When>,
    /// Whether a `VALARM` reminds of it.
    alarm: bool,
    category: &'static str,
}

enum When {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

fn birthday(events: &mut Events, contact: &Contact, today: NaiveDate) {
    let Some(b) = contact.birthday.as_ref() else { return };
    let Some(next) = next_birthday(b, today) else { return };
    let name = display_name(contact);
    let summary = match turning_age(b, next) {
        Some(age) => format!("{name}'s birthday (turns {age})"),
        None => format!("{name}'s birthday"),
    };
    events.push(Event {
        uid: format!("birthday-{}@{UID_DOMAIN}", contact.id),
        summary,
        description: None,
        when: When::Day(next),
        rrule: Some(yearly_rule(b)),
        rdates: Vec::new(),
        alarm: true,
        category: "Birthday",
    });
}

fn important_dates(events: &mut Events, contact: &Contact, today: NaiveDate) {
    let name = display_name(contact);
    for (key, date) in &contact.dates {
        let as_birthday = date.as_birthday();
        let Some(next) = next_birthday(&as_birthday, today) else { continue };
        let label = if date.label.trim().is_empty() { "Important date" } else { date.label.trim() };
        let summary = match turning_age(&as_birthday, next) {
            Some(years) if years > 0 => format!("{label}: {name} ({years} {})", if years == 1 { "year" } else { "years" }),
            _ => format!("{label}: {name}"),
        };
        events.push(Event {
            uid: format!("date-{}-{}@{UID_DOMAIN}", contact.id, uid_safe(key)),
            summary,
            description: None,
            when: When::Day(next),
            rrule: Some(yearly_rule(&as_birthday)),
            rdates: Vec::new(),
            alarm: date.remind,
            category: "Anniversary",
        });
    }
}

/// Every year on the day; Feb 29 on the last day of February, which is Feb 28 in common
/// years, as `crdt_model::next_birthday` has it (a plain yearly rule would skip them).
fn yearly_rule(b: &Birthday) -> String {
    if b.month == 2 && b.day == 29 {
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1".to_owned()
    } else {
        "FREQ=YEARLY".to_owned()
    }
}

fn follow_up(ctx: &Ctx, events: &mut Events, doc: &KithDoc, fu: &FollowUp, now: DateTime<Utc>) {
    let Some((_, names)) = people(doc, fu) else { return };
    let Some(first) = follow_up_occurrence(fu, 0, ctx.tz, ctx.hour) else { return };
    let when = if fu.all_day { When::Day(fu.due_at.with_timezone(&ctx.tz).date_naive()) } else { When::At(first) };
    let start_day = match when {
        When::Day(day) => day,
        When::At(at) => at.with_timezone(&ctx.tz).date_naive(),
    };
    let rrule = if repeats(fu) { fu.repeat.as_ref().and_then(|r| repeat_rule(r, start_day)) } else { None };
    let rdates = if rrule.is_some() { clamped_month_ends(ctx, fu, start_day, now) } else { Vec::new() };
    let note = fu.note.as_str().trim();
    events.push(Event {
        uid: format!("follow-up-{}@{UID_DOMAIN}", fu.id),
        summary: format!("Follow up with {names}"),
        description: (!note.is_empty()).then(|| note.to_owned()),
        when,
        rrule,
        rdates,
        alarm: true,
        category: "Follow-up",
    });
}

/// The RRULE whose occurrences are the model's (`crdt_model::math::follow_up`): every n days
/// or weeks; every n months or years counted from the first, on its day or — in shorter
/// months — the month's last day. On the 31st that is `BYMONTHDAY=-1`. On the 29th or 30th
/// the rule gives that day, and February's clamped days come as RDATEs
/// ([`clamped_month_ends`]): `BYMONTHDAY=28,29,30;BYSETPOS=-1` would say it in one rule, but
/// ical.js (and so the calendars built on it) ignores BYSETPOS there, as the e2e test found.
fn repeat_rule(r: &Repeat, start: NaiveDate) -> Option<String> {
    let every = r.every.max(1);
    let rule = match r.unit {
        RepeatUnit::Day => format!("FREQ=DAILY;INTERVAL={every}"),
        RepeatUnit::Week => format!("FREQ=WEEKLY;INTERVAL={every}"),
        RepeatUnit::Month if start.day() == 31 => format!("FREQ=MONTHLY;INTERVAL={every};BYMONTHDAY=-1"),
        RepeatUnit::Month => format!("FREQ=MONTHLY;INTERVAL={every}"),
        RepeatUnit::Year if start.month() == 2 && start.day() == 29 => {
            format!("FREQ=YEARLY;INTERVAL={every};BYMONTH=2;BYMONTHDAY=-1")
        }
        RepeatUnit::Year => format!("FREQ=YEARLY;INTERVAL={every}"),
        RepeatUnit::Unrecognized(_) => return None,
    };
    Some(rule)
}

/// How far ahead clamped month ends are listed; the feed is re-read long before.
const RDATE_YEARS: i64 = 5;

/// For a monthly follow-up on the 29th or 30th: its occurrences (from the model) that fall
/// on an earlier day because the month is shorter, up to [`RDATE_YEARS`] ahead.
fn clamped_month_ends(ctx: &Ctx, fu: &FollowUp, start: NaiveDate, now: DateTime<Utc>) -> Vec<When> {
    let monthly = fu.repeat.as_ref().is_some_and(|r| r.unit == RepeatUnit::Month);
    if !monthly || !(29..=30).contains(&start.day()) {
        return Vec::new();
    }
    let horizon = now + Duration::days(365 * RDATE_YEARS);
    let mut out = Vec::new();
    for k in 1.. {
        let Some(at) = follow_up_occurrence(fu, k, ctx.tz, ctx.hour) else { break };
        if at > horizon {
            break;
        }
        let day = at.with_timezone(&ctx.tz).date_naive();
        if day.day() != start.day() {
            out.push(if fu.all_day { When::Day(day) } else { When::At(at) });
        }
    }
    out
}

fn check_ins(events: &mut Events, doc: &KithDoc, now: DateTime<Utc>, today: NaiveDate) {
    let tz = doc.settings.tz();
    for status in all_statuses(doc, now) {
        let Some(contact) = doc.contacts.get(&status.contact) else { continue };
        let due_day = status.due_at.with_timezone(&tz).date_naive();
        let (day, description) = match status.status {
            Status::Overdue => (today, format!("Overdue since {}", due_day.format("%Y-%m-%d"))),
            Status::DueSoon => (due_day, "Due".to_owned()),
            Status::Ok => continue,
        };
        let cadence = contact.cadence_days.map(|d| format!(" (every {d} days)")).unwrap_or_default();
        events.push(Event {
            uid: format!("check-in-{}@{UID_DOMAIN}", contact.id),
            summary: format!("Check in with {}", display_name(contact)),
            description: Some(format!("{description}{cadence}")),
            when: When::Day(day),
            rrule: None,
            rdates: Vec::new(),
            alarm: true,
            category: "Check-in",
        });
    }
}

fn write_event(ics: &mut Ics, ctx: &Ctx, e: Event) {
    ics.begin("VEVENT");
    ics.raw("UID", &e.uid);
    ics.raw("DTSTAMP", &ctx.stamp);
    match e.when {
        When::Day(day) => {
            ics.raw("DTSTART;VALUE=DATE", &ics_date(day));
            ics.raw("DTEND;VALUE=DATE", &ics_date(day.succ_opt().unwrap_or(day)));
        }
        When::At(at) if ctx.tz == chrono_tz::UTC => {
            ics.raw("DTSTART", &utc_stamp(at));
            ics.raw("DURATION", &format!("PT{FOLLOW_UP_MINUTES}M"));
        }
        When::At(at) => {
            let local = at.with_timezone(&ctx.tz).naive_local();
            ics.raw(&format!("DTSTART;TZID={}", ctx.tz.name()), &local.format("%Y%m%dT%H%M%S").to_string());
            ics.raw("DURATION", &format!("PT{FOLLOW_UP_MINUTES}M"));
        }
    }
    if let Some(rule) = &e.rrule {
        ics.raw("RRULE", rule);
    }
    for rdate in &e.rdates {
        match rdate {
            When::Day(day) => ics.raw("RDATE;VALUE=DATE", &ics_date(*day)),
            When::At(at) if ctx.tz == chrono_tz::UTC => ics.raw("RDATE", &utc_stamp(*at)),
            When::At(at) => ics.raw(
                &format!("RDATE;TZID={}", ctx.tz.name()),
                &at.with_timezone(&ctx.tz).naive_local().format("%Y%m%dT%H%M%S").to_string(),
            ),
        }
    }
    ics.text("SUMMARY", &e.summary);
    if let Some(d) = &e.description {
        ics.text("DESCRIPTION", d);
    }
    ics.text("CATEGORIES", e.category);
    ics.raw("TRANSP", "TRANSPARENT");
    if e.alarm {
        ics.begin("VALARM");
        ics.raw("ACTION", "DISPLAY");
        ics.text("DESCRIPTION", &e.summary);
        let trigger = match e.when {
            When::Day(_) => format!("PT{}H", ctx.hour),
            When::At(_) => "PT0S".to_owned(),
        };
        ics.raw("TRIGGER", &trigger);
        ics.end("VALARM");
    }
    ics.end("VEVENT");
}

fn ics_date(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A date's entry key as it may appear in a UID (keys are uuids in practice, but a client
/// may have written anything): only letters, digits and `-`.
fn uid_safe(key: &str) -> String {
    key.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(64).collect()
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
