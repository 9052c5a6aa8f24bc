//! The schedule's relationship-memory nudges (important dates, follow-ups) behave the same on
//! every store: a fresh SQLite file always, a fresh PostgreSQL schema when `TEST_DATABASE_URL`
//! is set. Round trip of the new columns, the cycle keys, and the roll-over look-up.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use reminders::{ContactId, NudgeItem, NudgeKind, NudgeStatus, PlannedNudge, UserId};
use sync_server::ids::DocId;
use sync_server::store::Store;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().expect("valid time")
}

async fn user(store: &Arc<dyn Store>) -> UserId {
    let email = format!("m-{}@example.test", uuid::Uuid::new_v4());
    store.create_user(&email, "$argon2id$fake", DocId::random(), t0()).await.expect("user")
}

fn nudge(kind: NudgeKind, contact: ContactId, item: NudgeItem, due: DateTime<Utc>, recurring: bool) -> PlannedNudge {
    PlannedNudge {
        contact,
        kind,
        item,
        cycle_anchor: due,
        due_at: due,
        send_at: due,
        contact_name: "Ada and Bob".into(),
        cadence_days: None,
        digest: true,
        detail: "Ask about the surgery".into(),
        recurring,
    }
}

#[tokio::test]
async fn follow_up_and_date_nudges_round_trip_and_are_keyed_by_their_item() {
    kith_tests::stores::on_every_store(|backend, store, _| async move {
        let n = store.clone();
        let u = user(&store).await;
        let ada = ContactId::new_random();
        let fu = NudgeItem::follow_up(crdt_model::FollowUpId::new_random());
        let day = t0() + Duration::days(3);
        // Two dates of one contact on one day, and a follow-up at that instant: three nudges.
        let plan = vec![
            nudge(NudgeKind::Date, ada, NudgeItem::date("a"), day, true),
            nudge(NudgeKind::Date, ada, NudgeItem::date("b"), day, true),
            nudge(NudgeKind::FollowUp, ada, fu.clone(), day, false),
        ];
        assert_eq!(n.replace_plan(u, &plan).await.expect("plan").inserted, 3, "{backend:?}");
        let mut rows: Vec<PlannedNudge> = n.user_nudges(u).await.expect("rows").into_iter().map(|r| r.plan).collect();
        rows.sort_by(|a, b| (a.kind, &a.item).cmp(&(b.kind, &b.item)));
        let mut want = plan.clone();
        want.sort_by(|a, b| (a.kind, &a.item).cmp(&(b.kind, &b.item)));
        assert_eq!(rows, want, "{backend:?}: every field comes back");

        // The follow-up now names someone else first: the same row, updated in place.
        let mut moved = plan.clone();
        moved[2].contact = ContactId::new_random();
        moved[2].detail = "Ask how the surgery went".into();
        let c = n.replace_plan(u, &moved).await.expect("plan");
        assert_eq!((c.inserted, c.updated, c.deleted), (0, 1, 0), "{backend:?}");
        let rows = n.user_nudges(u).await.expect("rows");
        let row = rows.iter().find(|r| r.plan.kind == NudgeKind::FollowUp).expect("follow-up row");
        assert_eq!((row.plan.contact, row.plan.detail.as_str(), row.status), (moved[2].contact, "Ask how the surgery went", NudgeStatus::Pending));
    })
    .await;
}

#[tokio::test]
async fn dates_and_repeating_follow_ups_whose_cycle_is_over_are_found_for_roll_over() {
    kith_tests::stores::on_every_store(|backend, store, _| async move {
        let n = store.clone();
        let (dated, repeating, one_off, rolled) = (user(&store).await, user(&store).await, user(&store).await, user(&store).await);
        let c = ContactId::new_random();
        let fu = NudgeItem::follow_up(crdt_model::FollowUpId::new_random());
        let past = t0() - Duration::days(2);
        n.replace_plan(dated, &[nudge(NudgeKind::Date, c, NudgeItem::date("k"), past, true)]).await.expect("plan");
        n.replace_plan(repeating, &[nudge(NudgeKind::FollowUp, c, fu.clone(), past, true)]).await.expect("plan");
        n.replace_plan(one_off, &[nudge(NudgeKind::FollowUp, c, fu.clone(), past, false)]).await.expect("plan");
        let next = vec![nudge(NudgeKind::FollowUp, c, fu.clone(), past, true), nudge(NudgeKind::FollowUp, c, fu.clone(), t0() + Duration::days(1), true)];
        n.replace_plan(rolled, &next).await.expect("plan");

        let (from, to) = (t0() - Duration::days(8), t0());
        let dates = n.to_roll_over(NudgeKind::Date, from, to, 100).await.expect("query");
        assert_eq!(dates, vec![dated], "{backend:?}");
        let fus = n.to_roll_over(NudgeKind::FollowUp, from, to, 100).await.expect("query");
        assert_eq!(fus, vec![repeating], "{backend:?}: not the one-off, not the one whose next occurrence is planned");
        assert!(n.birthdays_to_roll_over(from, to, 100).await.expect("query").is_empty(), "{backend:?}");
    })
    .await;
}
