use std::path::PathBuf;

use super::*;
use crate::cli::{Command, UserCommand};

/// These tests pass flags and files only; the environment layer is tested through the real
/// binary (tests/tests/ops_cli.rs), since changing this process's environment would race
/// with other tests.
fn no_kith_env() -> bool {
    !std::env::vars().any(|(k, _)| k.starts_with("KITH_"))
}

fn serve_config(parsed: &Parsed) -> &crate::config::Config {
    match &parsed.cli.command {
        Command::Serve(args) | Command::Config(args) => &args.config,
        other => panic!("not serve: {other:?}"),
    }
}

#[test]
fn the_file_in_the_data_dir_overrides_defaults_and_flags_override_the_file() {
    if !no_kith_env() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("kith.toml"),
        "listen = \"127.0.0.1:9999\"\ndoc-idle-secs = 7\nshutdown_secs = 3\n",
    )
    .expect("write");
    let data = dir.path().to_str().expect("utf8");
    let parsed = parse(["kith", "serve", "--data-dir", data, "--shutdown-secs", "4"]).expect("parses");
    let config = serve_config(&parsed);
    assert_eq!(config.listen.to_string(), "127.0.0.1:9999", "from the file");
    assert_eq!(config.doc_idle_secs, 7, "kebab-case keys work too");
    assert_eq!(config.shutdown_secs, 4, "the flag wins over the file");
    assert_eq!(config.max_body_bytes, crate::config::DEFAULT_MAX_BODY_BYTES, "untouched default");
    assert_eq!(parsed.file.as_deref(), Some(dir.path().join("kith.toml").as_path()));
}

#[test]
fn an_explicit_config_file_can_move_the_data_dir_for_every_command() {
    if !no_kith_env() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("elsewhere.toml");
    std::fs::write(&file, "data_dir = \"/srv/kith\"\nlisten = \"0.0.0.0:80\"\n").expect("write");
    let parsed = parse(["kith", "user", "list", "--config", file.to_str().expect("utf8")]).expect("parses");
    let Command::User(UserCommand::List { data }) = &parsed.cli.command else { panic!("user list") };
    // `listen` is meaningless to `user list` and is ignored, not an error.
    assert_eq!(data.data_dir, PathBuf::from("/srv/kith"));
}

#[test]
fn unknown_keys_and_bad_values_are_clear_errors() {
    if !no_kith_env() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("utf8");
    std::fs::write(dir.path().join("kith.toml"), "lisen = \"x\"\n").expect("write");
    let err = parse(["kith", "serve", "--data-dir", data]).expect_err("typo");
    assert!(err.to_string().contains("unknown setting `lisen`"), "{err}");
    assert!(err.to_string().contains("listen"), "lists the known keys: {err}");

    std::fs::write(dir.path().join("kith.toml"), "doc_idle_secs = \"soon\"\n").expect("write");
    let err = parse(["kith", "serve", "--data-dir", data]).expect_err("bad number");
    assert!(matches!(err, LayerError::Clap(_)), "{err}");

    std::fs::write(dir.path().join("kith.toml"), "listen = [\n").expect("write");
    let err = parse(["kith", "serve", "--data-dir", data]).expect_err("bad toml");
    assert!(err.to_string().contains("not valid TOML"), "{err}");
}

#[test]
fn without_a_file_the_defaults_stand() {
    if !no_kith_env() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let parsed = parse(["kith", "serve", "--data-dir", dir.path().to_str().expect("utf8")]).expect("parses");
    assert!(parsed.file.is_none());
    assert_eq!(serve_config(&parsed).listen.to_string(), crate::config::DEFAULT_LISTEN);
}
