//! The calendar feed (issue 15): the user's birthdays, important dates, follow-ups and due
//! check-ins as RFC 5545 text that phone and desktop calendars subscribe to.
//!
//! [`feed::render`] is a pure function of the document and `now`; [`ics`] writes content
//! lines (escaping, folding, CRLF); [`vtimezone`] describes the user's zone for timed events.

pub mod feed;
pub mod ics;
pub mod vtimezone;

pub use feed::render;

/// The feed gzip-compressed at the fast level (for `Accept-Encoding: gzip`): CPU work, so
/// callers run it on a blocking thread.
pub fn gzip(feed: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(feed.len() / 8), flate2::Compression::fast());
    encoder.write_all(feed)?;
    encoder.finish()
}
