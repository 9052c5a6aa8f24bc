//! Files holding user data are the owner's alone: the data dir is 0700, the SQLite database
//! (with its `-wal` and `-shm`) and backups are 0600. Otherwise every local account on the
//! machine could read every user's contacts, notes and token hashes.
//!
//! Modes are set explicitly, not left to the umask: a new database file is created 0600
//! before SQLite opens it (SQLite gives `-wal`/`-shm` the mode of the database file), and
//! what already exists with wider modes (an older install, a restored copy) is tightened
//! with a warning. [`private_umask`] is a second wall for files SQLite or a later feature
//! creates on its own (temporary files, a future export).

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Sets the process umask to 0077 so that anything created from here on is private to the
/// owner. For `kith serve`, `backup` and `restore`, called before any thread starts (the
/// umask is per process). The explicit modes below do not depend on it.
pub fn private_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `dir` (and missing parents) as 0700, or tightens an existing one that group or
/// others can enter.
pub fn prepare_data_dir(dir: &Path) -> std::io::Result<()> {
    match fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists && dir.is_dir() => {}
        Err(e) => return Err(e),
    }
    tighten(dir, DIR_MODE, "data directory")
}

/// Makes sure the SQLite database at `db` and its `-wal`/`-shm` are 0600: creates an empty
/// database file 0600 if there is none (SQLite treats an empty file as a new database), and
/// tightens existing ones.
pub fn prepare_db_file(db: &Path) -> std::io::Result<()> {
    // A database outside the data dir: create its missing directories private too, but leave
    // existing ones (maybe shared, like /var/lib) as they are.
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(parent)?;
    }
    match fs::OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(db) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for path in [db.to_path_buf(), with_suffix(db, "-wal"), with_suffix(db, "-shm")] {
        match tighten(&path, FILE_MODE, "database file") {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// Creates `path`, which must not exist, as an empty 0600 file (a backup's destination:
/// `VACUUM INTO` accepts an empty file and keeps its mode).
pub fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path)
}

/// Takes group and other bits off `path` if it has any, with a warning naming it.
fn tighten(path: &Path, mode: u32, what: &str) -> std::io::Result<()> {
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            "{what} was mode {current:o}, readable by other local users; setting it to {mode:o}"
        );
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }

    #[test]
    fn new_and_existing_paths_end_up_private() {
        let tmp = tempfile::tempdir().expect("tmp");
        let fresh = tmp.path().join("a/b");
        prepare_data_dir(&fresh).expect("create");
        assert_eq!(mode(&fresh), 0o700);
        let wide = tmp.path().join("wide");
        fs::create_dir(&wide).expect("mkdir");
        fs::set_permissions(&wide, fs::Permissions::from_mode(0o755)).expect("chmod");
        prepare_data_dir(&wide).expect("tighten");
        assert_eq!(mode(&wide), 0o700);

        let db = wide.join("kith.db");
        prepare_db_file(&db).expect("create db");
        assert_eq!(mode(&db), 0o600);
        let wal = with_suffix(&db, "-wal");
        fs::write(&wal, b"").expect("wal");
        fs::set_permissions(&wal, fs::Permissions::from_mode(0o644)).expect("chmod");
        fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).expect("chmod");
        prepare_db_file(&db).expect("tighten db");
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600));
    }
}
