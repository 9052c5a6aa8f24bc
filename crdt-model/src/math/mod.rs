//! Relationship math: pure functions of the document and an injected `now`.
//!
//! - [`last_contacted`]: latest past interaction per contact (derived, never stored).
//! - [`status`]: due time and ok / due-soon / overdue.
//! - [`birthday`]: next birthday (Feb 29 → Feb 28 in common years).
//! - [`reminder`]: the UTC instant of "reminder hour, local time" in the user's zone.

pub mod birthday;
pub mod last_contacted;
pub mod reminder;
pub mod status;

pub use birthday::{next_birthday, turning_age};
pub use last_contacted::{last_contacted_index, LastContacted};
pub use reminder::{local_instant, reminder_instant};
pub use status::{all_statuses, contact_status, due_at, status_at, ContactStatus, Status};
