//! What a notification says. Nudges of one user that are due together become one digest
//! ("3 people to catch up with: …") when the user's `digest` setting is on.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::NudgeId;
use crate::nudge::{NudgeKind, NudgeRecord};

/// Web Push allows ~4 KB of ciphertext; keeping the JSON under 3 KB leaves room for the
/// aes128gcm header and padding on every push service.
pub const MAX_PAYLOAD_BYTES: usize = 3000;
const MAX_NAME_CHARS: usize = 80;

/// The JSON the service worker receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPayload {
    pub title: String,
    pub body: String,
    /// Where a tap on the notification leads, relative to the web client.
    pub url: String,
    /// Notification tag: a resend of the same nudge replaces the shown notification.
    pub tag: String,
    pub actions: Vec<NotificationAction>,
    pub contact_ids: Vec<String>,
    /// Set on a follow-up's notification: its buttons act on the follow-up, not the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_id: Option<String>,
}

/// A notification button. Without `follow_up_id`: `done` → `POST /api/v1/contacts/{id}/interactions`,
/// `snooze` → `POST /api/v1/contacts/{id}/snooze` `{days: 7}`. With it: `done` →
/// `POST /api/v1/follow-ups/{id}/done`, `snooze` → `POST /api/v1/follow-ups/{id}/snooze` `{days: 1}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationAction {
    pub action: String,
    pub title: String,
}

/// One push to send to each of a user's devices, and the nudges it delivers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub payload: NotificationPayload,
    /// The Web Push `Topic` (≤ 32 base64url chars): same nudges, same topic, so the push
    /// service replaces an undelivered copy instead of queueing a duplicate.
    pub topic: String,
    pub nudges: Vec<NudgeId>,
}

impl Notification {
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain strings cannot fail.
        serde_json::to_vec(&self.payload).unwrap_or_default()
    }
}

/// Turns one user's due nudges into notifications.
pub fn compose(nudges: &[NudgeRecord]) -> Vec<Notification> {
    let (digest, single): (Vec<&NudgeRecord>, Vec<&NudgeRecord>) = nudges.iter().partition(|n| n.plan.digest);
    let mut out: Vec<Notification> = single.into_iter().map(one).collect();
    match digest.len() {
        0 => {}
        1 => out.push(one(digest[0])),
        _ => out.push(several(&digest)),
    }
    out
}

fn topic_of(id: NudgeId) -> String {
    id.0.simple().to_string()
}

fn name(n: &NudgeRecord) -> String {
    let trimmed = n.plan.contact_name.trim();
    let base = if trimmed.is_empty() { "someone" } else { trimmed };
    base.chars().take(MAX_NAME_CHARS).collect()
}

/// A follow-up's note or a date's label, bounded like the names.
fn detail(n: &NudgeRecord) -> Option<String> {
    let d = n.plan.detail.trim();
    (!d.is_empty()).then(|| d.chars().take(crate::plan_memory::MAX_DETAIL_CHARS + 1).collect())
}

fn one(n: &NudgeRecord) -> Notification {
    if n.plan.kind == NudgeKind::FollowUp {
        return follow_up(n);
    }
    let who = name(n);
    let (title, body) = match n.plan.kind {
        NudgeKind::Stale => (
            format!("Time to catch up with {who}"),
            match n.plan.cadence_days {
                Some(d) => format!("You wanted to be in touch every {d} days."),
                None => "It has been a while.".to_owned(),
            },
        ),
        NudgeKind::Birthday => (format!("It's {who}'s birthday today"), format!("Send {who} a message?")),
        NudgeKind::Date | NudgeKind::FollowUp => match detail(n) {
            Some(label) => (format!("{label}: {who}, today"), format!("Send {who} a message?")),
            None => (format!("An important day for {who}"), format!("Send {who} a message?")),
        },
    };
    let contact = n.plan.contact.to_string();
    let topic = topic_of(n.id);
    Notification {
        payload: NotificationPayload {
            title,
            body,
            url: format!("/contacts/{contact}"),
            tag: topic.clone(),
            actions: vec![
                NotificationAction { action: "done".into(), title: "Done".into() },
                NotificationAction { action: "snooze".into(), title: "Snooze a week".into() },
            ],
            contact_ids: vec![contact],
            follow_up_id: None,
        },
        topic,
        nudges: vec![n.id],
    }
}

/// "Follow up with Ada and Bob" / the note; Done and Snooze 1 day act on the follow-up.
fn follow_up(n: &NudgeRecord) -> Notification {
    let who = name(n);
    let contact = n.plan.contact.to_string();
    let topic = topic_of(n.id);
    let follow_up_id = n.plan.item.follow_up_id().map(|id| id.to_string());
    Notification {
        payload: NotificationPayload {
            title: format!("Follow up with {who}"),
            body: detail(n).unwrap_or_else(|| "You asked to be reminded.".to_owned()),
            url: format!("/contacts/{contact}"),
            tag: topic.clone(),
            actions: vec![
                NotificationAction { action: "done".into(), title: "Done".into() },
                NotificationAction { action: "snooze".into(), title: "Snooze 1 day".into() },
            ],
            contact_ids: vec![contact],
            follow_up_id,
        },
        topic,
        nudges: vec![n.id],
    }
}

fn several(ns: &[&NudgeRecord]) -> Notification {
    let mut ids: Vec<NudgeId> = ns.iter().map(|n| n.id).collect();
    ids.sort();
    let mut h = Sha256::new();
    for id in &ids {
        h.update(id.0.as_bytes());
    }
    // 24 bytes of hash = exactly 32 base64url characters, the Topic limit.
    let topic = URL_SAFE_NO_PAD.encode(&h.finalize()[..24]);
    let people = ns.len();
    let mut shown = people;
    loop {
        let payload = digest_payload(ns, shown, &topic);
        let fits = serde_json::to_vec(&payload).map(|j| j.len() <= MAX_PAYLOAD_BYTES).unwrap_or(false);
        if fits || shown == 0 {
            return Notification { payload, topic, nudges: ids };
        }
        shown = shown * 3 / 4;
    }
}

fn digest_payload(ns: &[&NudgeRecord], shown: usize, topic: &str) -> NotificationPayload {
    let labels: Vec<String> = ns
        .iter()
        .take(shown)
        .map(|n| match n.plan.kind {
            NudgeKind::Stale => name(n),
            NudgeKind::Birthday => format!("{} (birthday)", name(n)),
            NudgeKind::FollowUp => format!("{} (follow-up)", name(n)),
            NudgeKind::Date => match detail(n) {
                Some(label) => format!("{} ({label})", name(n)),
                None => format!("{} (important date)", name(n)),
            },
        })
        .collect();
    let rest = ns.len() - labels.len();
    let mut body = labels.join(", ");
    if rest > 0 {
        body.push_str(&format!(" and {rest} more"));
    }
    NotificationPayload {
        title: format!("{} people to catch up with", ns.len()),
        body,
        url: "/reminders".into(),
        tag: topic.to_owned(),
        actions: Vec::new(),
        contact_ids: ns.iter().take(shown).map(|n| n.plan.contact.to_string()).collect(),
        follow_up_id: None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::ids::{ContactId, UserId};
    use crate::nudge::{NudgeStatus, PlannedNudge};

    fn rec(name: &str, kind: NudgeKind, digest: bool) -> NudgeRecord {
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).single().unwrap_or_default();
        NudgeRecord {
            id: NudgeId::random(),
            user: UserId(Uuid::nil()),
            plan: PlannedNudge {
                contact: ContactId(Uuid::new_v4()),
                kind,
                cycle_anchor: t,
                due_at: t,
                send_at: t,
                contact_name: name.into(),
                cadence_days: Some(14),
                digest,
                item: crate::nudge::NudgeItem::none(),
                detail: String::new(),
                recurring: false,
            },
            status: NudgeStatus::Sending,
            attempts: 1,
        }
    }

    #[test]
    fn one_nudge_names_the_contact_and_offers_actions() {
        let n = rec("Ada Lovelace", NudgeKind::Stale, true);
        let out = compose(std::slice::from_ref(&n));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].payload.title, "Time to catch up with Ada Lovelace");
        assert_eq!(out[0].payload.contact_ids, vec![n.plan.contact.to_string()]);
        assert_eq!(out[0].topic.len(), 32);
        assert_eq!(out[0].payload.actions.len(), 2);
    }

    #[test]
    fn several_due_together_become_one_digest_with_a_stable_topic() {
        let ns = vec![
            rec("Ada", NudgeKind::Stale, true),
            rec("Bob", NudgeKind::Birthday, true),
            rec("Cy", NudgeKind::Stale, true),
        ];
        let out = compose(&ns);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].payload.title, "3 people to catch up with");
        assert_eq!(out[0].payload.body, "Ada, Bob (birthday), Cy");
        assert_eq!(out[0].nudges.len(), 3);
        let reversed: Vec<_> = ns.iter().rev().cloned().collect();
        assert_eq!(compose(&reversed)[0].topic, out[0].topic);
        assert_eq!(out[0].topic.len(), 32);
    }

    #[test]
    fn a_follow_up_names_the_people_and_the_note_and_acts_on_the_follow_up() {
        let fu = crdt_model::FollowUpId(Uuid::new_v4());
        let mut n = rec("Ada and Bob", NudgeKind::FollowUp, true);
        n.plan.item = crate::nudge::NudgeItem::follow_up(fu);
        n.plan.detail = "Call after the surgery".into();
        let out = compose(std::slice::from_ref(&n));
        assert_eq!(out.len(), 1);
        let p = &out[0].payload;
        assert_eq!((p.title.as_str(), p.body.as_str()), ("Follow up with Ada and Bob", "Call after the surgery"));
        assert_eq!(p.follow_up_id, Some(fu.to_string()));
        let actions: Vec<_> = p.actions.iter().map(|a| (a.action.as_str(), a.title.as_str())).collect();
        assert_eq!(actions, vec![("done", "Done"), ("snooze", "Snooze 1 day")]);

        // Due with others: one digest as before, the follow-up labelled.
        let mut date = rec("Cy", NudgeKind::Date, true);
        date.plan.detail = "Anniversary".into();
        let out = compose(&[n, date]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].payload.body, "Ada and Bob (follow-up), Cy (Anniversary)");
        assert_eq!(out[0].payload.follow_up_id, None);
    }

    #[test]
    fn digest_off_sends_each_alone() {
        let ns = vec![rec("Ada", NudgeKind::Stale, false), rec("Bob", NudgeKind::Stale, false)];
        assert_eq!(compose(&ns).len(), 2);
    }

    #[test]
    fn huge_digests_stay_under_the_size_limit() {
        let long = "X".repeat(500);
        let ns: Vec<_> = (0..400).map(|_| rec(&long, NudgeKind::Stale, true)).collect();
        let out = compose(&ns);
        assert_eq!(out.len(), 1);
        assert!(out[0].to_json().len() <= MAX_PAYLOAD_BYTES);
        assert!(out[0].payload.body.ends_with("more"));
        assert_eq!(out[0].nudges.len(), 400);
    }
}
