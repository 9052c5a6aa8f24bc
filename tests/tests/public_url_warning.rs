//! With email on and no `KITH_PUBLIC_URL`, the links in reminder emails would point at a
//! guessed address (often `localhost`): the server says so at start, as a warning naming the
//! setting; with the setting given it does not. (Own test binary: it installs the process-wide
//! log subscriber.)

use chrono::{TimeZone, Utc};
use kith_tests::captured_logs::CapturedLogs;
use kith_tests::reminder_server::ReminderServer;
use kith_tests::smtp_receiver::SmtpReceiver;

fn warnings(logs: &CapturedLogs) -> usize {
    logs.text().lines().filter(|l| l.contains("WARN") && l.contains("KITH_PUBLIC_URL is not set")).count()
}

#[tokio::test]
async fn email_without_a_public_url_warns_at_start_and_with_one_does_not() -> anyhow::Result<()> {
    let captured = CapturedLogs::default();
    tracing_subscriber::fmt().with_writer(captured.clone()).with_ansi(false).init();
    let smtp = SmtpReceiver::start().await?;
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().ok_or_else(|| anyhow::anyhow!("time"))?;

    let _guessing = ReminderServer::start_with(at, |c| {
        c.reminders.smtp_url = Some(smtp.url());
        c.reminders.smtp_from = Some("Kith <kith@example.org>".to_owned());
        c.reminders.public_url = None;
    })
    .await?;
    assert_eq!(warnings(&captured), 1, "one warning naming the setting");

    let _told = ReminderServer::start_with(at, |c| {
        c.reminders.smtp_url = Some(smtp.url());
        c.reminders.smtp_from = Some("Kith <kith@example.org>".to_owned());
        c.reminders.public_url = Some("https://kith.example.org".to_owned());
    })
    .await?;
    assert_eq!(warnings(&captured), 1, "no warning when KITH_PUBLIC_URL is set");
    Ok(())
}
