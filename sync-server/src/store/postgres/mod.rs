//! [`PostgresStore`]: the `Store` for several `kith` instances sharing one PostgreSQL database.
//! Runtime-checked queries (`sqlx::query().bind()`), so building never needs a live database.
//! Each area's trait is implemented directly, with its SQL, in the file named after it:
//! [`accounts`], [`sessions`], [`documents`], [`nudges`], [`push`]; plus the change bus,
//! error mapping and test schemas.

mod accounts;
mod app_passwords;
mod calendar_feeds;
pub mod bus;
mod channels;
mod documents;
mod errors;
mod nudges;
mod push;
pub mod schema;
mod sessions;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::StoreResult;

/// Migrations embedded at build time; applied on every start (idempotent, and serialised
/// across instances by sqlx's advisory lock).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How many connections one instance keeps at most. Enough for the HTTP handlers, the hub's
/// persistence and the reminder worker on a small machine, without exhausting the server's
/// `max_connections` when a few instances share it.
const DEFAULT_MAX_CONNECTIONS: u32 = 16;

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`, optionally
    /// `?options=-c%20search_path%3D<schema>` to live in one schema) and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        Self::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(DEFAULT_MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// The pool, for the LISTEN/NOTIFY change bus (which needs its own dedicated connection
    /// built from the same options) and for the reminders' claim queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
