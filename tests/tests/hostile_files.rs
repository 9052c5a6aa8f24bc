//! Issue 12, finding 10: user data on disk is the owner's alone. The real binary, run with
//! a permissive umask (0022): the data dir it creates is 0700, the database with its WAL and
//! SHM, the VAPID key and backups are 0600, a pre-existing 0755 data dir with a 0644
//! database is tightened, and a restore from a 0644 backup gives a 0600 database.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use kith_tests::process::{create_account, KithProcess};
use kith_tests::unique_email;

const PASSWORD: &str = "correct horse battery staple";

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap_or_else(|e| panic!("{e}"));
}

/// `kith <args>` on `data_dir`, under umask 0022 whatever the test runner's is.
fn kith(data_dir: &Path, args: &[&str]) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_kith_under_test");
    let mut command = Command::new("sh");
    command.arg("-c").arg("umask 022 && exec \"$0\" \"$@\"").arg(bin).args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("KITH_")) {
        command.env_remove(key);
    }
    let output = command.env("KITH_DATA_DIR", data_dir).env("RUST_LOG", "warn").output().expect("run kith");
    assert!(output.status.success(), "kith {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

async fn serve_once(data_dir: &Path) {
    let db = format!("sqlite://{}", data_dir.join("kith.db").display());
    let dir = data_dir.to_str().expect("utf-8");
    let kith = KithProcess::start_with(&db, &[("KITH_DATA_DIR", dir)]).await.expect("kith serve");
    // a write, so the WAL and SHM exist
    create_account(&kith.base_url, &unique_email("modes"), PASSWORD).await.expect("signup");
    let (db, wal, shm) = (data_dir.join("kith.db"), data_dir.join("kith.db-wal"), data_dir.join("kith.db-shm"));
    assert_eq!(mode(data_dir), 0o700, "data dir");
    assert_eq!((mode(&db), mode(&wal), mode(&shm)), (0o600, 0o600, 0o600), "kith.db, -wal, -shm");
    assert_eq!(mode(&data_dir.join("vapid_private_key")), 0o600, "VAPID key");
    kith.kill().await.expect("stop");
}

#[tokio::test]
async fn serve_backup_and_restore_keep_user_data_private_under_a_permissive_umask() {
    let root = tempfile::tempdir().expect("tmp");
    chmod(root.path(), 0o755);
    // `kith serve` inherits this test's umask: make it permissive, as many systems have it.
    let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
    let data = root.path().join("data");
    serve_once(&data).await;

    // a data dir someone (or an older Kith) left open to everyone is tightened
    for (p, m) in [(data.clone(), 0o755), (data.join("kith.db"), 0o644)] {
        chmod(&p, m);
    }
    serve_once(&data).await;
    rustix::process::umask(old);

    let backup = root.path().join("kith-backup.db");
    kith(&data, &["backup", backup.to_str().expect("utf-8")]);
    assert_eq!(mode(&backup), 0o600, "backup file");

    // restoring a backup someone made world-readable still gives a private database
    chmod(&backup, 0o644);
    let restored = root.path().join("restored");
    kith(&restored, &["restore", backup.to_str().expect("utf-8")]);
    assert_eq!(mode(&restored), 0o700, "restored data dir");
    assert_eq!(mode(&restored.join("kith.db")), 0o600, "restored database");
}
