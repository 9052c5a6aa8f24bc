//! Online backup and restore checks for SQLite. `VACUUM INTO` writes a consistent snapshot
//! (one read transaction) while the server keeps writing through WAL; the copy is compact
//! and standalone (no -wal file to carry along).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the backup path is not valid UTF-8")]
    BadPath,
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error("that file is a SQLite database but not a Kith one")]
    NotKith,
}

/// The database file a `sqlite://` URL names; `None` for in-memory or non-SQLite URLs.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty() && !url.contains(":memory:")).then(|| path.to_path_buf())
}

/// Writes a consistent snapshot of the database at `url` to `dest` (which must not exist).
/// Safe while a server is running on the same file. Never migrates or creates the source.
pub async fn vacuum_into(url: &str, dest: &Path) -> Result<(), BackupError> {
    let mut conn = SqliteConnectOptions::from_str(url)?.create_if_missing(false).connect().await?;
    let dest = dest.to_str().ok_or(BackupError::BadPath)?;
    sqlx::query("VACUUM INTO ?").bind(dest).execute(&mut conn).await?;
    Ok(())
}

/// What a backup file holds, checked before it replaces anything.
#[derive(Debug)]
pub struct BackupSummary {
    pub users: i64,
}

/// Opens `file` read-only and checks it is an intact Kith database.
pub async fn check_backup(file: &Path) -> Result<BackupSummary, BackupError> {
    let mut conn = SqliteConnectOptions::new().filename(file).read_only(true).connect().await?;
    let integrity: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await?.try_get(0)?;
    if integrity != "ok" {
        return Err(BackupError::Damaged(integrity));
    }
    let has_users: i64 =
        sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'doc_chunks')")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
    if has_users != 2 {
        return Err(BackupError::NotKith);
    }
    let users: i64 = sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&mut conn).await?.try_get(0)?;
    Ok(BackupSummary { users })
}
