//! The reminder service's view of the store: [`StoreNudges`] turns an `Arc<dyn Store>`
//! into the `Arc<dyn reminders::NudgeStore>` the worker and handlers take.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use reminders::{
    ClaimToken, ClaimedNudge, DeviceSession, NudgeId, NudgeOutcome, NudgeRecord, NudgeResult, NudgeStore,
    NudgeStoreError, PlanChanges, PlannedNudge, PushSubscription, StoredSubscription, UserId,
};

use super::Store;

#[derive(Clone)]
pub struct StoreNudges(pub Arc<dyn Store>);

#[derive(Debug, thiserror::Error)]
#[error("this store keeps no reminder schedule")]
struct NoNudges;

impl StoreNudges {
    fn inner(&self) -> NudgeResult<&dyn NudgeStore> {
        self.0.nudges().ok_or_else(|| NudgeStoreError::Backend(Box::new(NoNudges)))
    }
}

#[async_trait]
impl NudgeStore for StoreNudges {
    async fn replace_plan(&self, user: UserId, desired: &[PlannedNudge]) -> NudgeResult<PlanChanges> {
        self.inner()?.replace_plan(user, desired).await
    }

    async fn claim_due(&self, now: DateTime<Utc>, lease: Duration, limit: u32) -> NudgeResult<Vec<ClaimedNudge>> {
        self.inner()?.claim_due(now, lease, limit).await
    }

    async fn record_outcomes(&self, token: ClaimToken, outcomes: &[(NudgeId, NudgeOutcome)]) -> NudgeResult<usize> {
        self.inner()?.record_outcomes(token, outcomes).await
    }

    async fn user_nudges(&self, user: UserId) -> NudgeResult<Vec<NudgeRecord>> {
        self.inner()?.user_nudges(user).await
    }

    async fn pending_count(&self) -> NudgeResult<u64> {
        self.inner()?.pending_count().await
    }

    async fn birthdays_to_roll_over(&self, from: DateTime<Utc>, to: DateTime<Utc>, limit: u32) -> NudgeResult<Vec<UserId>> {
        self.inner()?.birthdays_to_roll_over(from, to, limit).await
    }

    async fn upsert_push_subscription(
        &self,
        user: UserId,
        device: Option<DeviceSession>,
        sub: &PushSubscription,
        now: DateTime<Utc>,
    ) -> NudgeResult<StoredSubscription> {
        self.inner()?.upsert_push_subscription(user, device, sub, now).await
    }

    async fn remove_push_subscription(&self, user: UserId, endpoint: &str) -> NudgeResult<bool> {
        self.inner()?.remove_push_subscription(user, endpoint).await
    }

    async fn list_push_subscriptions(&self, user: UserId) -> NudgeResult<Vec<StoredSubscription>> {
        self.inner()?.list_push_subscriptions(user).await
    }

    async fn list_push_subscriptions_of(&self, users: &[UserId]) -> NudgeResult<Vec<StoredSubscription>> {
        self.inner()?.list_push_subscriptions_of(users).await
    }

    async fn delete_push_subscription_by_endpoint(&self, endpoint: &str) -> NudgeResult<bool> {
        self.inner()?.delete_push_subscription_by_endpoint(endpoint).await
    }
}
