//! What an email or an ntfy message says, built from due nudges. Pure: links come from a
//! [`Links`] (the public URL and the signing key), time is passed in.
//!
//! Email: a morning digest (every nudge due together in one message) or one per nudge, as the
//! user chose. ntfy: one message per nudge, so each notification opens its own person and
//! carries its own Done button.

use chrono::{DateTime, Utc};

use crate::action_link::{LinkAction, LinkSigner};
use crate::ids::UserId;
use crate::nudge::{NudgeKind, NudgeRecord};
use crate::ntfy::NtfyMessage;

const MAX_NAME_CHARS: usize = 80;

/// Absolute URLs into the server and web client, and signed action links.
#[derive(Clone, Debug)]
pub struct Links {
    /// `KITH_PUBLIC_URL` without a trailing slash.
    pub base: String,
    pub signer: LinkSigner,
}

impl Links {
    /// The person's page in the web client (its hash route).
    pub fn person(&self, n: &NudgeRecord) -> String {
        format!("{}/#/people/{}", self.base, n.plan.contact)
    }

    pub fn action(&self, user: UserId, action: LinkAction, target: Option<uuid::Uuid>, now: DateTime<Utc>) -> String {
        format!("{}/api/v1/links/{}", self.base, self.signer.sign_for(user, action, target, now))
    }

    /// Done and Snooze for this nudge: on the follow-up for a follow-up's, else on the contact.
    pub fn done_snooze(&self, n: &NudgeRecord, now: DateTime<Utc>) -> (String, String, &'static str) {
        match n.plan.item.follow_up_id().filter(|_| n.plan.kind == NudgeKind::FollowUp) {
            Some(fu) => (
                self.action(n.user, LinkAction::FollowUpDone, Some(fu.0), now),
                self.action(n.user, LinkAction::FollowUpSnooze, Some(fu.0), now),
                "Snooze 1 day",
            ),
            None => (
                self.action(n.user, LinkAction::Done, Some(n.plan.contact.0), now),
                self.action(n.user, LinkAction::Snooze, Some(n.plan.contact.0), now),
                "Snooze a week",
            ),
        }
    }

    pub fn unsubscribe(&self, user: UserId, now: DateTime<Utc>) -> String {
        self.action(user, LinkAction::Unsubscribe, None, now)
    }
}

fn name(n: &NudgeRecord) -> String {
    let trimmed = n.plan.contact_name.trim();
    let base = if trimmed.is_empty() { "someone" } else { trimmed };
    base.chars().take(MAX_NAME_CHARS).collect()
}

/// One line about a nudge: "Ada Lovelace — every 14 days", "Bob — birthday today".
fn why(n: &NudgeRecord) -> String {
    let detail = n.plan.detail.trim();
    match n.plan.kind {
        NudgeKind::Stale => match n.plan.cadence_days {
            Some(d) => format!("you wanted to be in touch every {d} days"),
            None => "it has been a while".to_owned(),
        },
        NudgeKind::Birthday => "birthday today".to_owned(),
        NudgeKind::Date if !detail.is_empty() => format!("{detail}, today"),
        NudgeKind::Date => "an important day".to_owned(),
        NudgeKind::FollowUp if !detail.is_empty() => format!("follow up: {detail}"),
        NudgeKind::FollowUp => "follow up".to_owned(),
    }
}

fn title_one(n: &NudgeRecord) -> String {
    let who = name(n);
    match n.plan.kind {
        NudgeKind::Stale => format!("Time to catch up with {who}"),
        NudgeKind::Birthday => format!("It's {who}'s birthday today"),
        NudgeKind::Date => format!("An important day for {who}"),
        NudgeKind::FollowUp => format!("Follow up with {who}"),
    }
}

/// An email, ready for the mailer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailContent {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// One-click unsubscribe (RFC 8058), also linked in the footer.
    pub unsubscribe: String,
}

/// One email about `nudges` (one nudge, or a digest of several) for their user.
pub fn email(nudges: &[&NudgeRecord], links: &Links, now: DateTime<Utc>) -> EmailContent {
    let user = nudges.first().map_or(UserId(uuid::Uuid::nil()), |n| n.user);
    let subject = match nudges {
        [one] => title_one(one),
        many => format!("{} people to catch up with today", many.len()),
    };
    let unsubscribe = links.unsubscribe(user, now);
    let mut text = format!("{subject}\n\n");
    let mut html = format!(
        "<!doctype html><html><body><h1>{}</h1><ul>",
        escape(&subject)
    );
    for n in nudges {
        let (done, snooze, snooze_label) = links.done_snooze(n, now);
        let person = links.person(n);
        text.push_str(&format!(
            "* {} ({})\n  Open: {person}\n  Done: {done}\n  {snooze_label}: {snooze}\n\n",
            name(n),
            why(n)
        ));
        html.push_str(&format!(
            "<li><p><a href=\"{}\"><strong>{}</strong></a> ({})</p><p><a href=\"{}\">Done</a> · <a href=\"{}\">{snooze_label}</a></p></li>",
            escape(&person),
            escape(&name(n)),
            escape(&why(n)),
            escape(&done),
            escape(&snooze),
        ));
    }
    text.push_str(&format!("--\nYou get these emails from Kith. Turn them off: {unsubscribe}\n"));
    html.push_str(&format!(
        "</ul><hr><p>You get these emails from Kith. <a href=\"{}\">Turn them off</a>.</p></body></html>",
        escape(&unsubscribe)
    ));
    EmailContent { subject, text, html, unsubscribe }
}

/// A test email, so a user can see the channel works.
pub fn test_email(user: UserId, links: &Links, now: DateTime<Utc>) -> EmailContent {
    let unsubscribe = links.unsubscribe(user, now);
    EmailContent {
        subject: "Kith test email".into(),
        text: format!("This is a test. Reminders will arrive like this.\n\n--\nTurn these emails off: {unsubscribe}\n"),
        html: format!(
            "<!doctype html><html><body><p>This is a test. Reminders will arrive like this.</p><hr><p><a href=\"{}\">Turn these emails off</a>.</p></body></html>",
            escape(&unsubscribe)
        ),
        unsubscribe,
    }
}

/// The email that carries an address's verification code.
pub fn code_email(code: &str, minutes: i64, links: &Links, user: UserId, now: DateTime<Utc>) -> EmailContent {
    let unsubscribe = links.unsubscribe(user, now);
    EmailContent {
        subject: format!("Your Kith code: {code}"),
        text: format!(
            "Enter this code in Kith to send reminders to this address: {code}\n\nIt works for {minutes} minutes. \
             If you did not ask for it, ignore this email.\n"
        ),
        html: format!(
            "<!doctype html><html><body><p>Enter this code in Kith to send reminders to this address:</p>\
             <p><strong>{code}</strong></p><p>It works for {minutes} minutes. If you did not ask for it, ignore this email.</p></body></html>"
        ),
        unsubscribe,
    }
}

/// The ntfy message for one nudge.
pub fn ntfy(n: &NudgeRecord, links: &Links, now: DateTime<Utc>) -> NtfyMessage {
    let (done, snooze, snooze_label) = links.done_snooze(n, now);
    let (priority, tag) = match n.plan.kind {
        NudgeKind::Birthday => (4, "birthday"),
        NudgeKind::Date => (4, "calendar"),
        NudgeKind::FollowUp => (3, "memo"),
        NudgeKind::Stale => (3, "wave"),
    };
    NtfyMessage {
        title: title_one(n),
        body: format!("{} ({})", name(n), why(n)),
        click: Some(links.person(n)),
        priority,
        tags: vec![tag.to_owned()],
        actions: vec![("Done".to_owned(), done), (snooze_label.to_owned(), snooze)],
    }
}

pub fn ntfy_test(links: &Links) -> NtfyMessage {
    NtfyMessage {
        title: "Kith test notification".into(),
        body: "Reminders will arrive like this.".into(),
        click: Some(format!("{}/#/settings", links.base)),
        priority: 3,
        tags: vec!["white_check_mark".into()],
        actions: Vec::new(),
    }
}

/// Minimal HTML escaping for text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::ids::{ContactId, NudgeId};
    use crate::nudge::{NudgeItem, NudgeStatus, PlannedNudge};

    fn rec(name: &str, kind: NudgeKind) -> NudgeRecord {
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).single().unwrap_or_default();
        NudgeRecord {
            id: NudgeId::random(),
            user: UserId(Uuid::from_u128(1)),
            plan: PlannedNudge {
                contact: ContactId(Uuid::new_v4()),
                kind,
                cycle_anchor: t,
                due_at: t,
                send_at: t,
                contact_name: name.into(),
                cadence_days: Some(14),
                digest: true,
                item: NudgeItem::none(),
                detail: String::new(),
                recurring: false,
            },
            status: NudgeStatus::Sending,
            attempts: 1,
        }
    }

    fn links() -> Links {
        Links { base: "https://kith.example".into(), signer: LinkSigner::new(vec![7; 32]) }
    }

    #[test]
    fn a_digest_names_everyone_with_signed_links_and_escapes_html() {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).single().unwrap_or_default();
        let (a, b) = (rec("Ada <script>", NudgeKind::Stale), rec("Bob", NudgeKind::Birthday));
        let e = email(&[&a, &b], &links(), now);
        assert_eq!(e.subject, "2 people to catch up with today");
        assert!(e.text.contains("Ada <script> (you wanted to be in touch every 14 days)"), "{}", e.text);
        assert!(e.html.contains("Ada &lt;script&gt;") && !e.html.contains("<script>"), "{}", e.html);
        assert!(e.text.contains(&format!("https://kith.example/#/people/{}", b.plan.contact)));
        assert_eq!(e.text.matches("https://kith.example/api/v1/links/").count(), 5, "2 × done/snooze + unsubscribe");
        let token = e.unsubscribe.rsplit('/').next().unwrap_or_default();
        let claim = links().signer.verify(token, now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claim.action, LinkAction::Unsubscribe);
    }

    #[test]
    fn an_ntfy_message_opens_the_person() {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).single().unwrap_or_default();
        let n = rec("Ada", NudgeKind::Birthday);
        let m = ntfy(&n, &links(), now);
        assert_eq!(m.title, "It's Ada's birthday today");
        assert_eq!(m.click, Some(format!("https://kith.example/#/people/{}", n.plan.contact)));
        assert_eq!((m.priority, m.tags.clone()), (4, vec!["birthday".to_owned()]));
        assert_eq!(m.actions[0].0, "Done");
    }
}
