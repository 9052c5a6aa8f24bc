//! All storage goes through the area traits ([`AccountStore`], [`SessionStore`],
//! [`DocumentStore`], and the reminders' [`NudgeStore`] and [`PushStore`]): domain verbs, no SQL
//! outside this module. Each backend implements every area directly, with its SQL, in
//! `<backend>/<area>.rs`; [`Store`] is just all of them at once.
//! `SqliteStore` is the default; `PostgresStore` serves several instances. [`open`] picks one
//! from the database URL, once, at start.

use std::sync::Arc;


mod accounts;
pub mod app_passwords;
pub mod bus;
mod calendar_feeds;
mod documents;
pub mod postgres;
mod sessions;
pub mod sqlite;

pub use accounts::{AccountStore, UserRecord};
pub use app_passwords::{AppPasswordRecord, AppPasswordStore};
pub use bus::{ChangeBus, LocalBus};
pub use calendar_feeds::CalendarFeedStore;
pub use documents::{Chunk, ChunkKind, DocumentStore};
pub use reminders::{ChannelStore, NudgeStore, PushStore, ReminderStore};
pub use sessions::{SessionRecord, SessionStore};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Opens the store the URL names, applying its migrations: `sqlite://…` (or `sqlite:…`)
/// or `postgres://…`. The URL is never echoed back in errors (it may hold a password).
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::open(url).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PostgresStore::connect(url).await?)),
        _ => Err(StoreError::UnsupportedUrl(format!(
            "unknown database URL scheme {scheme:?}: expected sqlite:// or postgres://"
        ))),
    }
}

/// The store and the change bus that goes with it: `LISTEN/NOTIFY` on PostgreSQL (several
/// instances may share the database), nothing on SQLite (one instance owns the file).
pub async fn open_with_bus(url: &str) -> StoreResult<(Arc<dyn Store>, Arc<dyn ChangeBus>)> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    match scheme {
        "postgres" | "postgresql" => {
            let store = PostgresStore::connect(url).await?;
            let bus = postgres::bus::PgChangeBus::start(store.pool().clone()).await?;
            Ok((Arc::new(store), Arc::new(bus)))
        }
        _ => Ok((open(url).await?, Arc::new(LocalBus))),
    }
}

/// What went wrong in storage. `Conflict` names the unique constraint so callers can turn it
/// into a 409 without matching on driver text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database URL names no store this server has.
    #[error("{0}")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Every area at once: what the server's state holds. Callers that need one area take that
/// trait instead (the hub only `DocumentStore`, the reminder worker `ReminderStore`);
/// an `Arc<dyn Store>` coerces to any of them.
pub trait Store: AccountStore + SessionStore + DocumentStore + ReminderStore + AppPasswordStore + CalendarFeedStore {}
impl<T: AccountStore + SessionStore + DocumentStore + ReminderStore + AppPasswordStore + CalendarFeedStore + ?Sized> Store for T {}
