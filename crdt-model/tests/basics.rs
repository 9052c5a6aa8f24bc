//! Round trips of the basic operations through `load`.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use crdt_model::{
    add_note, archive_contact, create_contact, edit_note, load, log_interaction, new_document,
    set_cadence, snooze, update_contact, Birthday, ContactDraft, ContactPatch, InteractionDraft,
    InteractionKind, LabeledValue, ModelError, Name,
};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap()
}

fn draft(name: &str) -> ContactDraft {
    ContactDraft {
        name: Name { display: name.into(), given: name.into(), family: String::new() },
        ..ContactDraft::default()
    }
}

#[test]
fn new_document_has_defaults_and_loads_clean() {
    let now = t("2026-03-01T10:00:00Z");
    let doc = new_document("Europe/Berlin", now).unwrap();
    let loaded = load(&doc);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.doc.schema, 1);
    assert_eq!(loaded.doc.settings.timezone, "Europe/Berlin");
    assert_eq!(loaded.doc.settings.reminder_hour, 9);
    assert!(loaded.doc.settings.digest);
    assert!(loaded.doc.contacts.is_empty());
    assert!(matches!(new_document("Mars/Olympus", now), Err(ModelError::InvalidTimezone(_))));
}

#[test]
fn contact_lifecycle_round_trips() {
    let now = t("2026-03-01T10:00:00Z");
    let mut doc = new_document("UTC", now).unwrap();
    let mut d = draft("Ada");
    d.emails.push(LabeledValue { label: "work".into(), value: "ada@example.com".into() });
    d.tags = vec!["friend".into()];
    d.birthday = Some(Birthday { month: 12, day: 10, year: None });
    let ada = create_contact(&mut doc, d, now).unwrap();

    let patch = ContactPatch {
        company: Some("Analytical Engines".into()),
        add_tags: vec!["math".into()],
        ..ContactPatch::default()
    };
    assert!(update_contact(&mut doc, ada, patch.clone(), now).unwrap());
    let heads = doc.get_heads();
    assert!(!update_contact(&mut doc, ada, patch, now).unwrap(), "same patch is a no-op");
    assert_eq!(doc.get_heads(), heads, "no-op made no change");

    set_cadence(&mut doc, ada, Some(14), now).unwrap();
    snooze(&mut doc, ada, Some(t("2026-03-20T00:00:00Z")), now).unwrap();
    let i = log_interaction(
        &mut doc,
        InteractionDraft {
            contact_ids: vec![ada],
            kind: InteractionKind::Call,
            at: t("2026-02-27T18:00:00Z"),
            note: "talked about engines".into(),
        },
        now,
    )
    .unwrap();
    let n = add_note(&mut doc, ada, "likes poetry", now).unwrap();
    edit_note(&mut doc, n, "likes poetry and numbers", now).unwrap();
    archive_contact(&mut doc, ada, true, now).unwrap();

    let loaded = load(&doc);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let c = &loaded.doc.contacts[&ada];
    assert_eq!(c.id, ada);
    assert_eq!(c.name.display, "Ada");
    assert_eq!(c.company, "Analytical Engines");
    assert_eq!(c.tag_names().collect::<Vec<_>>(), ["friend", "math"]);
    assert_eq!(c.emails.values().next().unwrap().value, "ada@example.com");
    assert_eq!(c.birthday, Some(Birthday { month: 12, day: 10, year: None }));
    assert_eq!(c.cadence_days, Some(14));
    assert_eq!(c.cadence_set_at, Some(now));
    assert_eq!(c.snoozed_until, Some(t("2026-03-20T00:00:00Z")));
    assert!(c.archived);
    assert_eq!(c.created_at, now);
    let inter = &loaded.doc.interactions[&i];
    assert_eq!(inter.kind, InteractionKind::Call);
    assert_eq!(inter.contacts().collect::<Vec<_>>(), [ada]);
    assert_eq!(inter.at, t("2026-02-27T18:00:00Z"));
    assert_eq!(loaded.doc.notes[&n].body.as_str(), "likes poetry and numbers");
    assert_eq!(loaded.doc.notes[&n].contact_id, ada);
}

#[test]
fn ops_on_missing_records_fail_without_changing_the_doc() {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut doc = new_document("UTC", now).unwrap();
    let heads = doc.get_heads();
    let ghost = crdt_model::ContactId::new_random();
    assert!(matches!(archive_contact(&mut doc, ghost, true, now), Err(ModelError::ContactNotFound(_))));
    assert!(matches!(add_note(&mut doc, ghost, "x", now), Err(ModelError::ContactNotFound(_))));
    let bad = InteractionDraft { contact_ids: vec![ghost], kind: InteractionKind::Call, at: now, note: String::new() };
    assert!(log_interaction(&mut doc, bad, now).is_err());
    let ada = create_contact(&mut doc, draft("Ada"), now).unwrap();
    assert!(set_cadence(&mut doc, ada, Some(0), now).is_err());
    let bad_bday = ContactPatch { birthday: Some(Some(Birthday { month: 2, day: 30, year: None })), ..Default::default() };
    assert!(update_contact(&mut doc, ada, bad_bday, now).is_err());
    assert_eq!(doc.get_changes(&heads).len(), 1, "only the create_contact change was recorded");
}

#[test]
fn settings_can_be_changed_and_are_validated() {
    let now = t("2026-03-01T10:00:00Z");
    let mut doc = new_document("UTC", now).unwrap();
    crdt_model::update_settings(&mut doc, Some("America/New_York"), Some(7), Some(false), now).unwrap();
    let s = load(&doc).doc.settings;
    assert_eq!((s.timezone.as_str(), s.reminder_hour, s.digest), ("America/New_York", 7, false));
    assert_eq!(s.tz(), chrono_tz::America::New_York);
    assert!(crdt_model::update_settings(&mut doc, Some("Nowhere/Land"), None, None, now).is_err());
    assert!(crdt_model::update_settings(&mut doc, None, Some(24), None, now).is_err());
    let heads = doc.get_heads();
    crdt_model::update_settings(&mut doc, Some("America/New_York"), None, None, now).unwrap();
    assert_eq!(doc.get_heads(), heads, "unchanged settings make no change");
}
