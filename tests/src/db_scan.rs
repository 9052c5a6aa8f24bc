//! Looks behind the API: finds every row, in every table of a SQLite database or of a
//! PostgreSQL schema, that mentions any of a set of values (user id, email, document id,
//! session ids). Tables are discovered from the schema, so tables added later are covered
//! without touching the tests.

use std::path::Path;

use anyhow::Context;
use sqlx::postgres::PgConnectOptions;
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

/// The same scan on PostgreSQL: every table of the connection's current schema (a test's own
/// `kith_t_*` schema when `url` comes from `stores::PgSchema::url`). Text needles are looked
/// for in every column read as text and in the bytes of `bytea` columns; byte needles in
/// `bytea` columns.
pub async fn pg_rows_mentioning(url: &str, needles: &[Needle]) -> anyhow::Result<Vec<(String, i64)>> {
    let options: PgConnectOptions = url.parse().context("database url")?;
    let mut conn = options.connect().await.context("connect")?;
    let tables: Vec<String> = sqlx::query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("name"))
    .collect::<Result<_, _>>()?;
    anyhow::ensure!(tables.iter().any(|t| t == "users"), "no users table in {tables:?}");
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<(String, String)> = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>("name")?, r.try_get::<String, _>("type")?)))
        .collect::<Result<_, sqlx::Error>>()?;
        let mut conditions = Vec::new();
        let mut binds: Vec<&Needle> = Vec::new();
        for (column, kind) in &columns {
            for needle in needles {
                let n = binds.len() + 1;
                let condition = match (needle, kind.as_str()) {
                    (Needle::Text(_), "bytea") => format!("position(convert_to(${n}, 'UTF8') IN \"{column}\") > 0"),
                    (Needle::Text(_), _) => format!("strpos(CAST(\"{column}\" AS TEXT), ${n}) > 0"),
                    (Needle::Bytes(_), "bytea") => format!("position(${n}::bytea IN \"{column}\") > 0"),
                    (Needle::Bytes(_), _) => continue,
                };
                conditions.push(condition);
                binds.push(needle);
            }
        }
        if conditions.is_empty() {
            continue;
        }
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE {}", conditions.join(" OR "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for needle in binds {
            query = match needle {
                Needle::Text(t) => query.bind(t.clone()),
                Needle::Bytes(b) => query.bind(b.clone()),
            };
        }
        let n: i64 = query.fetch_one(&mut conn).await?.try_get("n")?;
        if n > 0 {
            found.push((table, n));
        }
    }
    Ok(found)
}
