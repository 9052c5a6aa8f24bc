//! The whole reminder path through a real server: `kith` on 127.0.0.1:0 whose reminder
//! service (planning, workers, notification actions) runs on a [`ManualClock`], a local
//! push service that trusts the server's VAPID key, and users with a device each.
//! Days pass in milliseconds: [`ReminderServer::step_to`] moves the clock and waits until
//! the worker has handled that moment ("run until quiescent"), never sleeping.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use reminders::{Clock, ManualClock, NudgeRecord, NudgeStatus, UserId};
use serde_json::{json, Value};

use crate::client::Device;
use crate::eventually::{eventually, Probe};
use crate::push_service::{PushService, Subscriber};
use crate::reminder_support::SUBJECT;
use crate::{unique_email, TestServer};

/// Worker tick on the manual clock; steps must be at least this far apart to wake it.
pub const TICK_SECS: u64 = 30;
/// How long any one wait in these tests may take before failing (real time).
pub const WAIT: Duration = Duration::from_secs(20);
const PASSWORD: &str = "a long enough password";

pub struct ReminderServer {
    pub server: TestServer,
    pub clock: ManualClock,
    pub push: PushService,
}

/// An account with one push subscription (registered over the API).
pub struct User {
    pub id: UserId,
    pub email: String,
    pub token: String,
    pub doc_id: String,
    pub sub: Subscriber,
}

impl ReminderServer {
    /// A server whose reminder clock starts at `at`, one worker, re-planning 20 ms after a change.
    pub async fn start(at: DateTime<Utc>) -> anyhow::Result<Self> {
        Self::start_with(at, |_| {}).await
    }

    /// As [`ReminderServer::start`], with `tweak` applied to the settings last (SMTP, ...).
    pub async fn start_with(at: DateTime<Utc>, tweak: impl FnOnce(&mut sync_server::config::Config)) -> anyhow::Result<Self> {
        let clock = ManualClock::new(at);
        let server = TestServer::start_with_clock(Arc::new(clock.clone()), |c| {
            c.reminders.vapid_subject = Some(SUBJECT.to_owned());
            c.reminders.push_allow_http_loopback = true;
            c.reminders.tick_secs = TICK_SECS;
            c.reminders.workers = 1;
            c.reminders.replan_debounce_ms = 20;
            c.reminders.push_timeout_ms = 5_000;
            tweak(c);
        })
        .await?;
        let push = PushService::start().await?;
        let rt = server.state.reminders.as_ref().context("the server runs no reminder service")?;
        push.trust_vapid_key(rt.keys.public_key());
        push.expect_subject(SUBJECT);
        let this = ReminderServer { server, clock, push };
        // The worker's first tick (at start) must be over before a test moves time.
        anyhow::ensure!(this.clock.wait_parked(1, WAIT).await, "the reminder worker never went idle");
        Ok(this)
    }

    /// Signs up a user living in `timezone` and registers a push subscription for them.
    pub async fn user(&self, timezone: &str) -> anyhow::Result<User> {
        let email = unique_email("remind");
        let http = self.server.http();
        let r = http
            .post(self.server.url("/api/v1/accounts"))
            .json(&json!({ "email": email, "password": PASSWORD, "timezone": timezone }))
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 201, "signup: {}", r.status());
        let body: Value = r.json().await?;
        let field = |k: &str| body[k].as_str().map(str::to_owned).with_context(|| format!("no {k} in {body}"));
        let (token, doc_id, id) = (field("token")?, field("doc_id")?, field("user_id")?);
        let sub = self.push.subscribe();
        let r = http
            .post(self.server.url("/api/v1/push/subscriptions"))
            .bearer_auth(&token)
            .json(&sub.json())
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 201, "subscribe: {}", r.status());
        Ok(User { id: UserId(id.parse()?), email, token, doc_id, sub })
    }

    /// A new device of `user` (its own session), connected over `/sync` and in sync.
    pub async fn device(&self, user: &User) -> anyhow::Result<Device> {
        let (token, _) = self.server.login(&user.email, PASSWORD).await?;
        let mut device = Device::new(&user.doc_id);
        device.connect(&self.server.ws_url("/sync"), &token).await?;
        device.sync().await?;
        Ok(device)
    }

    pub async fn nudges(&self, user: &User) -> anyhow::Result<Vec<NudgeRecord>> {
        Ok(self.server.state.store.user_nudges(user.id).await?)
    }

    /// Waits until `user`'s schedule satisfies `done` (re-planning runs after a change).
    pub async fn wait_for_plan(
        &self,
        user: &User,
        what: &str,
        done: impl Fn(&[NudgeRecord]) -> bool,
    ) -> anyhow::Result<Vec<NudgeRecord>> {
        wait_for_plan_on(&self.server, user.id, what, done).await
    }

    /// The pending nudges of `user`, once there are exactly `n`.
    pub async fn wait_pending(&self, user: &User, n: usize) -> anyhow::Result<Vec<NudgeRecord>> {
        let rows = self.wait_for_plan(user, &format!("{n} pending nudge(s)"), |rows| pending(rows).count() == n).await?;
        Ok(pending(&rows).cloned().collect())
    }

    /// Moves the reminder clock to `at` and returns once the worker has handled that
    /// moment (sent what was due) and gone back to sleep.
    pub async fn step_to(&self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let tick = chrono::Duration::seconds(TICK_SECS as i64);
        anyhow::ensure!(at - self.clock.now() >= tick, "steps shorter than a tick would not wake the worker");
        anyhow::ensure!(self.clock.wait_parked(1, WAIT).await, "the reminder worker is busy");
        self.clock.set(at);
        anyhow::ensure!(self.clock.wait_parked(1, WAIT).await, "the reminder worker did not finish its tick");
        Ok(())
    }
}

fn pending(rows: &[NudgeRecord]) -> impl Iterator<Item = &NudgeRecord> {
    rows.iter().filter(|r| r.status == NudgeStatus::Pending)
}

/// Waits until `user`'s schedule on `server`'s store satisfies `done`: re-planning runs in
/// the background after a change, so tests poll the table (with a deadline) instead of sleeping.
pub async fn wait_for_plan_on(
    server: &TestServer,
    user: UserId,
    what: &str,
    done: impl Fn(&[NudgeRecord]) -> bool,
) -> anyhow::Result<Vec<NudgeRecord>> {
    let store = &server.state.store;
    eventually(what, WAIT, || async {
        let rows = store.user_nudges(user).await?;
        Ok(Probe::when(done(&rows), rows))
    })
    .await
}
