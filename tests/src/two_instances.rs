//! Two `kith` servers on one PostgreSQL database, sharing a manual clock: the settings they
//! start with, moving the clock until both reminder workers have handled it, and a device
//! signed in on one of them.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reminders::ManualClock;
use sync_server::config::Config;

use crate::client::Device;
use crate::push_service::PushService;
use crate::reminder_support::SUBJECT;
use crate::TestServer;

pub const WAIT: Duration = Duration::from_secs(20);
pub const PASSWORD: &str = "a long enough password";

/// Both instances: the shared database, push to the local push service, fast re-plans.
pub fn settings(c: &mut Config, url: &str) {
    c.database_url = Some(url.to_owned());
    c.reminders.vapid_subject = Some(SUBJECT.to_owned());
    c.reminders.push_allow_http_loopback = true;
    c.reminders.tick_secs = 30;
    c.reminders.replan_debounce_ms = 20;
}

/// Moves the clock and waits until both workers have handled that moment.
pub async fn step_to(clock: &ManualClock, at: DateTime<Utc>) -> anyhow::Result<()> {
    anyhow::ensure!(clock.wait_parked(2, WAIT).await, "workers busy");
    clock.set(at);
    anyhow::ensure!(clock.wait_parked(2, WAIT).await, "workers did not finish their tick");
    Ok(())
}

/// A device of `email` signed in on `server`, synced.
pub async fn device_on(server: &TestServer, email: &str, doc_id: &str) -> anyhow::Result<Device> {
    let (token, _) = server.login(email, PASSWORD).await?;
    let mut device = Device::new(doc_id);
    device.connect(&server.ws_url("/sync"), &token).await?;
    device.sync().await?;
    Ok(device)
}

/// Two instances on the database at `url` and one manual clock, sharing a data dir (so one
/// VAPID key, as the README asks of instances), and a local push service that trusts that key.
pub async fn start_pair(clock: &ManualClock, url: &str) -> anyhow::Result<(TestServer, TestServer, PushService)> {
    let a = TestServer::start_with_clock(Arc::new(clock.clone()), |c| settings(c, url)).await?;
    let shared = a.data_dir().to_owned();
    let b = TestServer::start_with_clock(Arc::new(clock.clone()), |c| {
        settings(c, url);
        c.data_dir = shared;
    })
    .await?;
    let key = |s: &TestServer| s.state.reminders.as_ref().map(|r| r.keys.public_key().to_vec());
    anyhow::ensure!(key(&a).is_some() && key(&a) == key(&b), "instances must share the VAPID key");
    let push = PushService::start().await?;
    push.trust_vapid_key(&key(&a).unwrap_or_default());
    push.expect_subject(SUBJECT);
    Ok((a, b, push))
}
