//! The operator's command line, run as a real child process: config layering (flag > env >
//! file > default) with secrets redacted, user list, password reset, backup and restore.

use std::path::Path;
use std::process::{Command, Output};

use kith_tests::{unique_email, TestServer};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery staple";

fn kith(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kith_under_test"));
    command.args(args);
    // Only what each test sets: nothing from the environment running the tests.
    for (key, _) in std::env::vars() {
        if key.starts_with("KITH_") {
            command.env_remove(key);
        }
    }
    command.env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run kith")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn config_layers_flag_over_env_over_file_over_default_and_redacts_secrets() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("kith.toml"),
        "listen = \"127.0.0.1:7001\"\ndoc_idle_secs = 11\nshutdown_secs = 12\n\
         database_url = \"postgres://kith:filesecret@db/kith\"\n",
    )
    .expect("write");
    let output = run(kith(&["config", "--data-dir", path(dir.path()), "--shutdown-secs", "14"])
        .env("KITH_DOC_IDLE_SECS", "13")
        .env("KITH_SHUTDOWN_SECS", "99"));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("listen = \"127.0.0.1:7001\"  # config file"), "{text}");
    assert!(text.contains("doc_idle_secs = 13  # environment"), "{text}");
    assert!(text.contains("shutdown_secs = 14  # flag"), "{text}");
    assert!(text.contains("max_body_bytes = 1048576  # default"), "{text}");
    assert!(text.contains("database_url = \"postgres://kith:***@db/kith\"  # config file"), "{text}");
    assert!(!text.contains("filesecret"), "{text}");
    // what it prints is itself a valid config file
    let uncommented: String = text.lines().map(|l| l.split("  #").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    uncommented.parse::<toml::Table>().expect("kith config prints TOML");
}

#[test]
fn help_describes_every_operator_command() {
    let output = run(&mut kith(&["--help"]));
    assert!(output.status.success());
    let text = stdout(&output);
    for command in ["serve", "user", "backup", "restore", "vapid", "config"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(command)), "{command} missing from\n{text}");
    }
    let output = run(&mut kith(&["user", "reset-password", "--help"]));
    assert!(stdout(&output).contains("<EMAIL>"), "{}", stdout(&output));
    let output = run(&mut kith(&["frobnicate"]));
    assert_eq!(output.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn a_typo_in_the_config_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("kith.toml"), "lissen = \"0.0.0.0:80\"\n").expect("write");
    let output = run(&mut kith(&["serve", "--data-dir", path(dir.path())]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown setting `lissen`"), "{}", stderr(&output));
}

#[test]
fn vapid_prints_a_stable_public_key() {
    let dir = tempfile::tempdir().expect("dir");
    let first = run(&mut kith(&["vapid", "--data-dir", path(dir.path())]));
    assert!(first.status.success(), "{}", stderr(&first));
    let key = stdout(&first).trim().to_string();
    let raw = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &key).expect("base64url");
    assert_eq!(raw.len(), 65, "uncompressed P-256 point");
    assert_eq!(raw[0], 4);
    let again = run(&mut kith(&["vapid", "--data-dir", path(dir.path())]));
    assert_eq!(stdout(&again).trim(), key, "same key on every call");
}

#[tokio::test]
async fn reset_password_prints_a_working_one_time_password_and_signs_out_every_device() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("reset");
    let (token, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let data = server.data_dir().to_path_buf();

    let listed = run(&mut kith(&["user", "list", "--data-dir", path(&data)]));
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains(&email), "{}", stdout(&listed));

    let output = run(&mut kith(&["user", "reset-password", &email.to_uppercase(), "--data-dir", path(&data)]));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let password = text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("New password for {email}: ")))
        .unwrap_or_else(|| panic!("no password in {text}"))
        .trim()
        .to_string();
    let me = server.http().get(server.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "old sessions are revoked");
    assert!(server.login(&email, PASSWORD).await.is_err(), "old password is gone");
    server.login(&email, &password).await.expect("the printed password works");

    let missing = run(&mut kith(&["user", "reset-password", "nobody@example.test", "--data-dir", path(&data)]));
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no account with email"), "{}", stderr(&missing));
}

#[test]
fn backup_and_restore_refuse_what_they_should() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    // nothing to back up yet
    let output = run(&mut kith(&["backup", path(&dir.path().join("b.db")), "--data-dir", path(&data)]));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("nothing to back up"), "{}", stderr(&output));
    // PostgreSQL: use pg_dump
    let output = run(&mut kith(&["backup", "x.db", "--database-url", "postgres://u:pw@127.0.0.1/x"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("pg_dump"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("pw@"), "{}", stderr(&output));
    // not a database at all
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "hello, I am not SQLite").expect("write");
    let output = run(&mut kith(&["restore", path(&junk), "--data-dir", path(&data)]));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not a usable Kith backup"), "{}", stderr(&output));
    assert!(!data.join("kith.db").exists(), "nothing was written");
}

#[tokio::test]
async fn user_export_writes_the_same_json_as_export_json() {
    let server = TestServer::start().await.expect("server");
    let email = unique_email("export");
    let (token, _) = server.signup(&email, PASSWORD).await.expect("signup");
    let fixture = format!("{}/../crdt-model/tests/fixtures/iphone_3.0.vcf", env!("CARGO_MANIFEST_DIR"));
    let imported = server
        .http()
        .post(server.url("/api/v1/import"))
        .bearer_auth(&token)
        .header("content-type", "text/vcard")
        .body(std::fs::read(fixture).expect("fixture"))
        .send()
        .await
        .expect("import");
    assert_eq!(imported.status(), StatusCode::OK);
    let over_http: serde_json::Value = server
        .http()
        .get(server.url("/api/v1/export.json"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("export.json");
    let data = server.data_dir().to_path_buf();
    let output = run(&mut kith(&["user", "export", &email, path(&file), "--data-dir", path(&data)]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Exported 3 contact(s)"), "{}", stdout(&output));
    let mut from_cli: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("file")).expect("json");
    let mut over_http = over_http;
    // Only the moment of export differs.
    for v in [&mut from_cli, &mut over_http] {
        v.as_object_mut().expect("object").remove("exportedAt");
    }
    assert_eq!(from_cli, over_http);

    let again = run(&mut kith(&["user", "export", &email, path(&file), "--data-dir", path(&data)]));
    assert_eq!(again.status.code(), Some(1), "an existing file is never overwritten");
    let missing = run(&mut kith(&["user", "export", "nobody@example.test", path(&dir.path().join("x.json")), "--data-dir", path(&data)]));
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no account with email"), "{}", stderr(&missing));
}
