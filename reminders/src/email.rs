//! Sending email through the operator's SMTP server with lettre. `KITH_SMTP_URL` follows
//! lettre's URL conventions: `smtps://user:pass@host:465` (TLS), `smtp://user:pass@host:587
//! ?tls=required` (STARTTLS), `smtp://host:25` (plain, local relays and tests only).

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::channel_compose::EmailContent;
use crate::sender::SendResult;

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("KITH_SMTP_URL is not a valid SMTP URL (smtps://user:pass@host:465 or smtp://host:587?tls=required): {0}")]
    Url(String),
    #[error("KITH_SMTP_FROM is not an email address (\"Kith <kith@example.org>\" or kith@example.org): {0}")]
    From(String),
}

/// Whether `a` is an address the mailer can send to.
pub fn valid_address(a: &str) -> bool {
    a.len() <= crate::channel::MAX_ADDRESS_LEN && a.parse::<lettre::Address>().is_ok()
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `url`: `KITH_SMTP_URL`; `from`: `KITH_SMTP_FROM`. Nothing is contacted yet.
    pub fn new(url: &str, from: &str, timeout: Duration) -> Result<Self, MailerError> {
        let from: Mailbox = from.trim().parse().map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        // lettre's error text never echoes the URL (which may hold the password).
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
            .map_err(|e| MailerError::Url(e.to_string()))?
            .timeout(Some(timeout))
            .build();
        Ok(Mailer { transport, from })
    }

    pub fn from_address(&self) -> String {
        self.from.email.to_string()
    }

    /// Sends `content` to `to`.
    pub async fn send(&self, to: &str, content: &EmailContent) -> SendResult {
        let to: Mailbox = match to.parse() {
            Ok(m) => m,
            Err(e) => return SendResult::Refused { reason: format!("not an email address: {e}"), permanent: true },
        };
        let message = match build(&self.from, to, content) {
            Ok(m) => m,
            Err(e) => return SendResult::Refused { reason: format!("cannot build the email: {e}"), permanent: false },
        };
        match self.transport.send(message).await {
            Ok(r) => SendResult::Sent { answer: format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")) },
            Err(e) if e.is_permanent() => SendResult::Refused { reason: format!("SMTP refused: {e}"), permanent: true },
            Err(e) if e.is_timeout() => SendResult::Retry { after: None, reason: "SMTP timed out".into() },
            Err(e) => SendResult::Retry { after: None, reason: format!("SMTP: {e}") },
        }
    }
}

fn build(from: &Mailbox, to: Mailbox, c: &EmailContent) -> Result<Message, lettre::error::Error> {
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(c.subject.clone())
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{}>", c.unsubscribe)))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_owned()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(c.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(c.html.clone())),
        )
}
