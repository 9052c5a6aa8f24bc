//! Isolated schemas on a shared database, so test runs and benchmark runs never collide:
//! each gets `kith_t_<random>`, connects with `search_path` set to it, and drops it at the end.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::store::StoreResult;

#[derive(Debug, thiserror::Error)]
#[error("invalid schema name {0:?}: use lowercase letters, digits and _")]
pub struct BadSchemaName(String);

/// A schema name safe to splice into DDL (identifiers cannot be bound as parameters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaName(String);

impl SchemaName {
    pub fn new(name: &str) -> Result<Self, BadSchemaName> {
        let ok = !name.is_empty()
            && name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(SchemaName(name.to_owned()))
        } else {
            Err(BadSchemaName(name.to_owned()))
        }
    }

    /// `kith_t_<16 random hex digits>`.
    pub fn random() -> Self {
        SchemaName(format!(
            "kith_t_{}",
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..16)
                .unwrap_or("0")
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `base_url` with `search_path` pointing at this schema, for a `kith` process's
    /// `KITH_DATABASE_URL`. Assumes `base_url` has no query string of its own.
    pub fn url(&self, base_url: &str) -> String {
        let sep = if base_url.contains('?') { '&' } else { '?' };
        format!("{base_url}{sep}options=-c%20search_path%3D{}", self.0)
    }
}

pub async fn create_schema(base_url: &str, schema: &SchemaName) -> StoreResult<()> {
    let mut conn = PgConnection::connect_with(&PgConnectOptions::from_str(base_url)?).await?;
    // Safe to splice: `SchemaName` only holds [a-z0-9_].
    sqlx::query(AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS {}",
        schema.0
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

pub async fn drop_schema(base_url: &str, schema: &SchemaName) -> StoreResult<()> {
    let mut conn = PgConnection::connect_with(&PgConnectOptions::from_str(base_url)?).await?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        schema.0
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}
