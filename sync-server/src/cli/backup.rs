//! `kith backup FILE` and `kith restore FILE`.

use std::path::Path;

use anyhow::{bail, Context};

use crate::config::Config;
use crate::data_files::{create_private_file, prepare_data_dir, prepare_db_file};
use crate::store::sqlite::backup::{check_backup, sqlite_path, vacuum_into};

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<String> {
    let url = config.database_url();
    if is_postgres(&url) {
        bail!(
            "the database is PostgreSQL: back it up with its own tools, e.g.\n  \
             pg_dump --format=custom --file=kith.dump \"$KITH_DATABASE_URL\"\n\
             (restore with pg_restore --clean --dbname=\"$KITH_DATABASE_URL\" kith.dump)"
        );
    }
    let source = sqlite_path(&url).context("the database URL names no SQLite file to back up")?;
    if !source.is_file() {
        bail!("no database at {}: nothing to back up (check --data-dir / --database-url)", source.display());
    }
    if file.exists() {
        bail!("{} already exists; choose a new file name (backups never overwrite)", file.display());
    }
    // Created empty and 0600 first (VACUUM INTO fills an empty file and keeps its mode):
    // a backup holds every user's data, and must never be readable by other local users,
    // not even while it is being written.
    create_private_file(file).with_context(|| format!("creating {}", file.display()))?;
    if let Err(e) = vacuum_into(&url, file).await {
        let _ = std::fs::remove_file(file);
        return Err(e).with_context(|| format!("writing the backup to {}", file.display()));
    }
    let summary = check_backup(file).await.context("checking the backup just written")?;
    Ok(format!("Backed up {} account(s) to {}", summary.users, file.display()))
}

pub async fn restore(config: &Config, file: &Path, force: bool) -> anyhow::Result<String> {
    let url = config.database_url();
    if is_postgres(&url) {
        bail!("the database is PostgreSQL: restore a pg_dump file with pg_restore, e.g.\n  pg_restore --clean --dbname=\"$KITH_DATABASE_URL\" kith.dump");
    }
    let target = sqlite_path(&url).context("the database URL names no SQLite file to restore into")?;
    if !file.is_file() {
        bail!("no backup file at {}", file.display());
    }
    let summary = check_backup(file).await.with_context(|| format!("{} is not a usable Kith backup", file.display()))?;
    let data_dir_used = dir_is_non_empty(&config.data_dir)?;
    if (data_dir_used || target.exists()) && !force {
        bail!(
            "the data directory {} is not empty (or {} exists): refusing to overwrite it.\n\
             Stop the server, then run again with --force to replace the database.",
            config.data_dir.display(),
            target.display()
        );
    }
    // The data dir is made (or tightened to) 0700; another missing directory is created 0700.
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        if parent == config.data_dir || !parent.exists() {
            prepare_data_dir(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    // Copy beside the target, then rename over it: a crash midway leaves the old database
    // or the new one, never half of each. The copy is 0600 whatever the backup's mode was
    // (fs::copy would carry the backup file's permissions over).
    let partial = target.with_extension("db.restoring");
    let _ = std::fs::remove_file(&partial); // a leftover from an interrupted restore
    let copied = (|| {
        let mut out = create_private_file(&partial)?;
        std::io::copy(&mut std::fs::File::open(file)?, &mut out)?;
        out.sync_all()
    })();
    copied.with_context(|| format!("copying to {}", partial.display()))?;
    // A stale WAL from the old database would be replayed into the new one: remove it.
    for suffix in ["-wal", "-shm"] {
        let side = with_suffix(&target, suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", side.display())),
        }
    }
    std::fs::rename(&partial, &target).with_context(|| format!("moving the copy to {}", target.display()))?;
    prepare_db_file(&target).with_context(|| format!("checking the mode of {}", target.display()))?;
    Ok(format!("Restored {} account(s) from {} into {}", summary.users, file.display(), target.display()))
}

fn dir_is_non_empty(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}
