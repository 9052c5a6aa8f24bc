//! Looks behind the API: finds every row, in every table of a SQLite database, that mentions
//! any of a set of values (user id, email, document id, session ids). Tables are discovered
//! from the schema, so tables added later are covered without touching the tests.

use std::path::Path;

use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};

/// A value that identifies something of a user.
#[derive(Clone, Debug)]
pub enum Needle {
    /// Found as a substring of any column read as text (ids, emails, JSON holding them).
    Text(String),
    /// Found as a substring of any BLOB column (binary document ids).
    Bytes(Vec<u8>),
}

/// `(table, rows)` for every table with at least one row mentioning a needle.
pub async fn sqlite_rows_mentioning(db: &Path, needles: &[Needle]) -> anyhow::Result<Vec<(String, i64)>> {
    let mut conn = SqliteConnectOptions::new().filename(db).read_only(true).connect().await.context("open db")?;
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("name"))
    .collect::<Result<_, _>>()?;
    anyhow::ensure!(tables.iter().any(|t| t == "users"), "no users table in {tables:?}");
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(&mut conn)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("name"))
            .collect::<Result<_, _>>()?;
        let mut conditions = Vec::new();
        for column in &columns {
            for needle in needles {
                conditions.push(match needle {
                    Needle::Text(_) => format!("instr(CAST(\"{column}\" AS TEXT), ?) > 0"),
                    Needle::Bytes(_) => format!("(typeof(\"{column}\") = 'blob' AND instr(\"{column}\", ?) > 0)"),
                });
            }
        }
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE {}", conditions.join(" OR "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for _ in &columns {
            for needle in needles {
                query = match needle {
                    Needle::Text(t) => query.bind(t.clone()),
                    Needle::Bytes(b) => query.bind(b.clone()),
                };
            }
        }
        let n: i64 = query.fetch_one(&mut conn).await?.try_get("n")?;
        if n > 0 {
            found.push((table, n));
        }
    }
    Ok(found)
}
