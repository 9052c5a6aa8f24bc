//! [`NudgeStore`] (the schedule) and [`PushStore`] (the push subscriptions), as the reminder
//! service needs them. The server's SQLite and PostgreSQL stores implement it (no SQL lives here).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::ids::{ClaimToken, NudgeId, UserId};
use crate::nudge::{ClaimedNudge, NudgeKind, NudgeOutcome, NudgeRecord, PlannedNudge};
use crate::subscription::{PushSubscription, StoredSubscription};

/// The signed-in device a subscription belongs to (the server's session id), so logging a
/// device out also stops its pushes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeviceSession(pub Uuid);

#[derive(Debug, thiserror::Error)]
pub enum NudgeStoreError {
    #[error("storage error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored row holds something this version cannot read.
    #[error("corrupt nudge row: {0}")]
    Corrupt(String),
    /// The push endpoint is registered to another user; it stays theirs.
    #[error("this push endpoint is registered to another account")]
    EndpointTaken,
}

pub type NudgeResult<T> = Result<T, NudgeStoreError>;

/// What `replace_plan` changed; for logs and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanChanges {
    pub inserted: usize,
    pub updated: usize,
    pub deleted: usize,
    /// Rows the plan no longer wants but a worker is sending right now: left alone, so a later
    /// re-plan must look at them again (the send may fail and the row return to `pending`).
    pub in_flight_kept: usize,
}

#[async_trait]
pub trait NudgeStore: Send + Sync + 'static {
    /// Makes `user`'s schedule match `desired`, in one transaction (see [`diff_plan`]):
    /// new keys are inserted as pending, moved pending rows are updated, pending rows of
    /// finished cycles are deleted, sent/failed rows of current cycles are kept (so a
    /// cycle is nudged once), rows being sent are left to their worker.
    async fn replace_plan(&self, user: UserId, desired: &[PlannedNudge]) -> NudgeResult<PlanChanges>;

    /// Atomically claims up to `limit` nudges whose `send_at <= now` (or whose lease has
    /// expired) for `lease`, counting one attempt each. Two workers never get the same row
    /// while its lease runs.
    async fn claim_due(&self, now: DateTime<Utc>, lease: Duration, limit: u32) -> NudgeResult<Vec<ClaimedNudge>>;

    /// Records outcomes of nudges claimed with `token`; rows claimed since by someone else
    /// are left alone. Returns how many rows were updated.
    async fn record_outcomes(&self, token: ClaimToken, outcomes: &[(NudgeId, NudgeOutcome)]) -> NudgeResult<usize>;

    /// Every schedule row of `user` (any status), ordered by `send_at`.
    async fn user_nudges(&self, user: UserId) -> NudgeResult<Vec<NudgeRecord>>;

    /// Users with a recurring nudge of `kind` (a birthday, an important date, a repeating
    /// follow-up) due in `(from, to]` and no later cycle of the same contact and item: their
    /// plan is waiting for the next occurrence, which only a new plan adds. At most `limit` users.
    async fn to_roll_over(&self, kind: NudgeKind, from: DateTime<Utc>, to: DateTime<Utc>, limit: u32) -> NudgeResult<Vec<UserId>>;

    /// [`NudgeStore::to_roll_over`] for birthdays.
    async fn birthdays_to_roll_over(&self, from: DateTime<Utc>, to: DateTime<Utc>, limit: u32) -> NudgeResult<Vec<UserId>> {
        self.to_roll_over(NudgeKind::Birthday, from, to, limit).await
    }

    /// Pending or in-flight nudges across all users (a gauge for `/metrics`).
    async fn pending_count(&self) -> NudgeResult<u64>;
}

/// The browsers' push subscriptions: which endpoints to send a user's nudges to.
#[async_trait]
pub trait PushStore: Send + Sync + 'static {
    /// Registers a subscription, or updates the keys and device of the user's own one with
    /// this endpoint (browsers re-send theirs on every start). An endpoint registered by
    /// another user stays theirs: [`NudgeStoreError::EndpointTaken`], never a takeover, or
    /// any account could divert someone's reminders to itself.
    async fn upsert_push_subscription(
        &self,
        user: UserId,
        device: Option<DeviceSession>,
        sub: &PushSubscription,
        now: DateTime<Utc>,
    ) -> NudgeResult<StoredSubscription>;

    /// Removes `user`'s subscription with this endpoint; false if there was none.
    async fn remove_push_subscription(&self, user: UserId, endpoint: &str) -> NudgeResult<bool>;

    async fn list_push_subscriptions(&self, user: UserId) -> NudgeResult<Vec<StoredSubscription>>;

    /// The subscriptions of several users (a worker's batch) in one go; users without any
    /// are absent. Stores override this with one query; the default asks per user.
    async fn list_push_subscriptions_of(&self, users: &[UserId]) -> NudgeResult<Vec<StoredSubscription>> {
        let mut all = Vec::new();
        for user in users {
            all.extend(self.list_push_subscriptions(*user).await?);
        }
        Ok(all)
    }

    /// The push service said the endpoint is gone (404/410): forget it for whoever had it.
    async fn delete_push_subscription_by_endpoint(&self, endpoint: &str) -> NudgeResult<bool>;
}

/// Everything the reminder worker needs: the schedule and where to send it. Any store with
/// all three areas is one.
pub trait ReminderStore: NudgeStore + PushStore + crate::channel_store::ChannelStore {}
impl<T: NudgeStore + PushStore + crate::channel_store::ChannelStore + ?Sized> ReminderStore for T {}

/// The writes that turn `existing` (a user's rows) into `desired`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanDiff {
    pub insert: Vec<PlannedNudge>,
    /// Pending rows whose details moved; `send_at` is already the value to store.
    pub update: Vec<(NudgeId, PlannedNudge)>,
    pub delete: Vec<NudgeId>,
    /// Unwanted rows left alone because they are being sent (see [`PlanChanges::in_flight_kept`]).
    pub kept_in_flight: usize,
}

impl PlanDiff {
    pub fn changes(&self) -> PlanChanges {
        PlanChanges {
            inserted: self.insert.len(),
            updated: self.update.len(),
            deleted: self.delete.len(),
            in_flight_kept: self.kept_in_flight,
        }
    }

    /// Whether applying this diff writes nothing.
    pub fn writes_nothing(&self) -> bool {
        self.insert.is_empty() && self.update.is_empty() && self.delete.is_empty()
    }
}

/// Pure core of [`NudgeStore::replace_plan`], shared by every store implementation.
///
/// A pending row whose `due_at` is unchanged keeps its stored `send_at`: that value may be
/// a retry time, and re-planning at a later `now` must not keep pushing it forward.
pub fn diff_plan(existing: &[NudgeRecord], desired: &[PlannedNudge]) -> PlanDiff {
    use std::collections::HashMap;

    use crate::nudge::NudgeStatus;

    // Borrowed, not `PlannedNudge::cycle_key` (which owns its item): a big plan builds two
    // maps of these, and cloning every item string doubled the diff's time.
    fn key(p: &PlannedNudge) -> (Option<crate::ids::ContactId>, crate::nudge::NudgeKind, &str, DateTime<Utc>) {
        let k = p.cycle_key_contact();
        (k, p.kind, p.item.as_str(), p.cycle_anchor)
    }
    let wanted: HashMap<_, &PlannedNudge> = desired.iter().map(|p| (key(p), p)).collect();
    let mut have: HashMap<_, &NudgeRecord> = HashMap::with_capacity(existing.len());
    let mut diff = PlanDiff::default();

    for row in existing {
        let k = key(&row.plan);
        match wanted.get(&k) {
            Some(want) => {
                have.insert(k, row);
                if row.status != NudgeStatus::Pending {
                    continue;
                }
                if want.due_at != row.plan.due_at {
                    diff.update.push((row.id, (*want).clone()));
                } else if want.contact_name != row.plan.contact_name
                    || want.cadence_days != row.plan.cadence_days
                    || want.digest != row.plan.digest
                    || want.contact != row.plan.contact
                    || want.detail != row.plan.detail
                    || want.recurring != row.plan.recurring
                {
                    let mut keep = (*want).clone();
                    keep.send_at = row.plan.send_at;
                    diff.update.push((row.id, keep));
                }
            }
            None if row.status == NudgeStatus::Sending => diff.kept_in_flight += 1,
            None => diff.delete.push(row.id),
        }
    }
    for p in desired {
        if !have.contains_key(&key(p)) {
            diff.insert.push(p.clone());
        }
    }
    diff
}

/// What [`diff_plan`] compares of a plan, as one number: two plans with the same fingerprint
/// give the same writes against the same rows. `send_at` is left out on purpose — a pending
/// row whose `due_at` holds keeps its stored `send_at`, so an overdue contact's `send_at`
/// moving with `now` changes nothing. Order does not matter (the set of nudges does).
///
/// The re-planner remembers the last fingerprint it wrote per document and skips the store
/// when a change (a note typed, a phone number added) leaves it as it was.
pub fn plan_fingerprint(desired: &[PlannedNudge]) -> u64 {
    use std::hash::{Hash, Hasher};

    let one = |p: &PlannedNudge| {
        // SipHash with fixed keys: the same plan gives the same number in every process.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (p.contact, p.kind, p.cycle_anchor, p.due_at, &p.contact_name, p.cadence_days, p.digest).hash(&mut h);
        (&p.item, &p.detail, p.recurring).hash(&mut h);
        h.finish()
    };
    let mut each: Vec<u64> = desired.iter().map(one).collect();
    each.sort_unstable();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    each.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::ids::ContactId;
    use crate::nudge::{NudgeKind, NudgeStatus};

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0).single().unwrap_or_default()
    }

    fn planned(contact: ContactId, anchor: u32, due: u32) -> PlannedNudge {
        PlannedNudge {
            contact,
            kind: NudgeKind::Stale,
            cycle_anchor: t(anchor),
            due_at: t(due),
            send_at: t(due + 1),
            contact_name: "Ada".into(),
            cadence_days: Some(14),
            digest: true,
            item: crate::nudge::NudgeItem::none(),
            detail: String::new(),
            recurring: false,
        }
    }

    fn row(plan: PlannedNudge, status: NudgeStatus) -> NudgeRecord {
        NudgeRecord { id: NudgeId::random(), user: UserId(Uuid::nil()), plan, status, attempts: 0 }
    }

    #[test]
    fn planning_twice_changes_nothing() {
        let c = ContactId(Uuid::new_v4());
        let desired = vec![planned(c, 1, 5)];
        let first = diff_plan(&[], &desired);
        assert_eq!(first.insert, desired);
        let existing = vec![row(desired[0].clone(), NudgeStatus::Pending)];
        assert_eq!(diff_plan(&existing, &desired), PlanDiff::default());
    }

    #[test]
    fn new_cycle_replaces_pending_but_keeps_sent_history_of_current_cycle() {
        let c = ContactId(Uuid::new_v4());
        let old = row(planned(c, 1, 5), NudgeStatus::Pending);
        let new_cycle = planned(c, 3, 7);
        let diff = diff_plan(std::slice::from_ref(&old), std::slice::from_ref(&new_cycle));
        assert_eq!(diff.delete, vec![old.id]);
        assert_eq!(diff.insert, vec![new_cycle.clone()]);

        // already sent for this cycle: planning again must not resend or delete it
        let sent = row(new_cycle.clone(), NudgeStatus::Sent);
        assert_eq!(diff_plan(&[sent], &[new_cycle]), PlanDiff::default());
    }

    #[test]
    fn moved_due_updates_and_unchanged_due_keeps_stored_send_at() {
        let c = ContactId(Uuid::new_v4());
        let mut stored = row(planned(c, 1, 5), NudgeStatus::Pending);
        stored.plan.send_at = t(20); // e.g. a retry time
        let mut renamed = planned(c, 1, 5);
        renamed.contact_name = "Ada L.".into();
        let diff = diff_plan(std::slice::from_ref(&stored), &[renamed]);
        assert_eq!(diff.update.len(), 1);
        assert_eq!(diff.update[0].1.send_at, t(20));
        assert_eq!(diff.update[0].1.contact_name, "Ada L.");

        let moved = planned(c, 1, 8); // cadence changed
        let diff = diff_plan(&[stored], std::slice::from_ref(&moved));
        assert_eq!(diff.update[0].1, moved);
    }

    #[test]
    fn in_flight_rows_are_left_alone_and_gone_contacts_are_cancelled() {
        let c = ContactId(Uuid::new_v4());
        let sending = row(planned(c, 1, 5), NudgeStatus::Sending);
        let pending = row(planned(ContactId(Uuid::new_v4()), 1, 5), NudgeStatus::Pending);
        let diff = diff_plan(&[sending, pending.clone()], &[]);
        assert_eq!(diff.delete, vec![pending.id]);
        assert!(diff.insert.is_empty() && diff.update.is_empty());
        assert_eq!(diff.changes().in_flight_kept, 1, "reported, so the re-planner looks again later");
    }

    #[test]
    fn a_follow_up_whose_people_change_keeps_its_sent_occurrence() {
        let fu = crdt_model::FollowUpId(Uuid::new_v4());
        let mut sent = planned(ContactId(Uuid::from_u128(2)), 1, 5);
        sent.kind = NudgeKind::FollowUp;
        sent.item = crate::nudge::NudgeItem::follow_up(fu);
        let mut now_first_is_other = sent.clone();
        now_first_is_other.contact = ContactId(Uuid::from_u128(1));
        let diff = diff_plan(&[row(sent.clone(), NudgeStatus::Sent)], std::slice::from_ref(&now_first_is_other));
        assert_eq!(diff, PlanDiff::default(), "the occurrence was sent; it is not new");
        // Two dates of one contact on one day are two nudges.
        let mut a = planned(ContactId(Uuid::from_u128(3)), 1, 5);
        a.kind = NudgeKind::Date;
        a.item = crate::nudge::NudgeItem::date("a");
        let mut b = a.clone();
        b.item = crate::nudge::NudgeItem::date("b");
        assert_eq!(diff_plan(&[], &[a, b]).insert.len(), 2);
    }

    #[test]
    fn fingerprint_sees_what_the_diff_sees_and_nothing_else() {
        let (a, b) = (ContactId(Uuid::new_v4()), ContactId(Uuid::new_v4()));
        let plan = vec![planned(a, 1, 5), planned(b, 2, 6)];
        let fp = plan_fingerprint(&plan);
        assert_eq!(plan_fingerprint(&[plan[1].clone(), plan[0].clone()]), fp, "order is irrelevant");

        // send_at alone never makes the diff write (see moved_due_updates_...), nor the fingerprint.
        let mut later = plan.clone();
        later[0].send_at = t(23);
        assert_eq!(plan_fingerprint(&later), fp);
        let rows: Vec<_> = plan.iter().map(|p| row(p.clone(), NudgeStatus::Pending)).collect();
        assert_eq!(diff_plan(&rows, &later), PlanDiff::default());

        // Everything the diff compares moves the fingerprint.
        let changes: [fn(&mut PlannedNudge); 10] = [
            |p| p.due_at = t(9),
            |p| p.cycle_anchor = t(3),
            |p| p.contact_name = "Ada L.".into(),
            |p| p.cadence_days = Some(30),
            |p| p.digest = false,
            |p| p.kind = NudgeKind::Birthday,
            |p| p.item = crate::nudge::NudgeItem::date("k1"),
            |p| p.detail = "call her after the surgery".into(),
            |p| p.recurring = true,
            |p| p.contact = ContactId(Uuid::from_u128(7)),
        ];
        for change in changes {
            let mut moved = plan.clone();
            change(&mut moved[0]);
            assert_ne!(plan_fingerprint(&moved), fp, "{:?}", moved[0]);
            assert_ne!(diff_plan(&rows, &moved), PlanDiff::default());
        }
        assert_ne!(plan_fingerprint(&plan[..1]), fp, "a nudge less");
        assert_ne!(plan_fingerprint(&[]), fp);
    }
}
