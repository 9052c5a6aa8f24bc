//! Relationship math: pure functions of the document and an injected `now`.
//!
//! - [`last_contacted`]: latest past interaction per contact (derived, never stored).
//! - [`status`]: due time and ok / due-soon / overdue.
//! - [`birthday`]: next birthday (Feb 29 → Feb 28 in common years).
//! - [`follow_up`]: a follow-up's occurrences (one-off or repeating, local calendar).
//! - [`important_date`]: next anniversary-like date and its reminder instant.
//! - [`reminder`]: the UTC instant of "reminder hour, local time" in the user's zone.

pub mod birthday;
pub mod follow_up;
pub mod important_date;
pub mod last_contacted;
pub mod reminder;
pub mod status;

pub use birthday::{next_birthday, turning_age};
pub use follow_up::{follow_up_occurrence, next_follow_up, Occurrence};
pub use important_date::{important_date_reminder, next_important_date};
pub use last_contacted::{last_contacted_index, LastContacted};
pub use reminder::{local_datetime_instant, local_instant, reminder_instant};
pub use status::{all_statuses, contact_status, due_at, status_at, ContactStatus, Status};
