//! `kith config`: the settings `kith serve` would run with, as TOML you could paste into
//! kith.toml, each with where it came from. Secrets are redacted.

use std::fmt::Write as _;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use crate::config::{redact_url, Config};

/// Renders the effective config. `matches` are the `config` subcommand's (same arguments as
/// `serve`); `file_keys` the settings the config file supplied.
pub fn render(config: &Config, matches: &ArgMatches, file: Option<&Path>, file_keys: &[String]) -> String {
    let mut out = String::new();
    let file_note = file.map_or("none".to_string(), |p| p.display().to_string());
    let _ = writeln!(out, "# Effective Kith configuration (config file: {file_note})");
    let _ = writeln!(out, "# Precedence: flag > KITH_* environment > config file > default.");
    let command = super::Cli::command();
    let Some(args) = command.find_subcommand("config") else { return out };
    let mut ids: Vec<String> = args
        .get_arguments()
        .filter(|a| !a.is_positional())
        .map(|a| a.get_id().to_string())
        .filter(|id| !matches!(id.as_str(), "config_file" | "help" | "version"))
        .collect();
    ids.sort_unstable();
    for id in &ids {
        let id = id.as_str();
        let source = match matches.value_source(id) {
            Some(ValueSource::CommandLine) => "flag",
            Some(ValueSource::EnvVariable) => "environment",
            Some(ValueSource::DefaultValue) if file_keys.iter().any(|k| k == id) => "config file",
            Some(ValueSource::DefaultValue) => "default",
            _ => {
                if id == "database_url" {
                    let derived = redact_url(&config.database_url());
                    let _ = writeln!(out, "# database_url unset: using {}", toml_string(&derived));
                } else {
                    let _ = writeln!(out, "# {id} unset");
                }
                continue;
            }
        };
        let raw: Vec<String> = matches
            .get_raw(id)
            .map(|values| values.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let value = raw.join(",");
        let shown = if id == "database_url" || id == "smtp_url" {
            toml_string(&redact_url(&value))
        } else if is_secret(id) {
            toml_string("***")
        } else if value.parse::<i64>().is_ok() || value == "true" || value == "false" {
            value
        } else {
            toml_string(&value)
        };
        let _ = writeln!(out, "{id} = {shown}  # {source}");
    }
    out
}

fn is_secret(id: &str) -> bool {
    ["password", "secret", "token", "private", "key"].iter().any(|word| id.contains(word))
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
