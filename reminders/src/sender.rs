//! How one message to one channel (an email, an ntfy post) ended.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendResult {
    /// Accepted; `answer` is what the service said (a status, an SMTP reply).
    Sent { answer: String },
    /// Failed for now (timeout, unreachable, 429, 5xx, SMTP 4xx): try again, not before
    /// `after` if the service said so.
    Retry { after: Option<Duration>, reason: String },
    /// Will not succeed as is. `permanent`: the channel itself is broken (ntfy 401/403/404,
    /// SMTP 5xx) and is turned off; otherwise only this message is dropped.
    Refused { reason: String, permanent: bool },
}
