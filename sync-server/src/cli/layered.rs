//! Config layering: flags, then `KITH_*` environment variables, then `kith.toml`, then
//! built-in defaults. clap already ranks flags over environment over defaults; the file's
//! values are slotted in as clap *defaults* of a second parse, so they rank exactly between
//! the environment and the built-in defaults, are validated by the same parsers as flags,
//! and every `Config` field is settable from the file without listing it here again.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use super::Cli;

pub const CONFIG_FILE_NAME: &str = "kith.toml";

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error(transparent)]
    Clap(#[from] clap::Error),
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid TOML: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("config file {path}: unknown setting `{key}` (known: {known})")]
    UnknownKey { path: PathBuf, key: String, known: String },
    #[error("config file {path}: `{key}` must be a string, number or boolean")]
    BadValue { path: PathBuf, key: String },
}

/// The parsed command line with the config file applied, and the file used (if any).
#[derive(Debug)]
pub struct Parsed {
    pub cli: Cli,
    pub matches: ArgMatches,
    pub file: Option<PathBuf>,
    /// Keys the file set (for `kith config`'s "from kith.toml" notes).
    pub file_keys: Vec<String>,
}

/// Parses `args` (including the program name). Errors carry clap's own formatting for
/// usage problems (`--help` and `--version` come back as clap "errors" to print).
pub fn parse<I, T>(args: I) -> Result<Parsed, LayerError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let command = Cli::command();
    let first = command.clone().try_get_matches_from(&args)?;
    let (path, leaf) = leaf(&first);
    let explicit_file = leaf.get_one::<PathBuf>("config_file").cloned();
    let file = match explicit_file {
        Some(file) => Some(file),
        None => leaf
            .try_get_one::<PathBuf>("data_dir")
            .ok()
            .flatten()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .filter(|p| p.is_file()),
    };
    let Some(file) = file else {
        let cli = Cli::from_arg_matches(&first)?;
        return Ok(Parsed { cli, matches: first, file: None, file_keys: Vec::new() });
    };
    let values = read_file(&file)?;
    let known = settable_keys();
    let mut command = command;
    let mut file_keys = Vec::new();
    for (key, value) in values {
        let id = key.replace('-', "_");
        if !known.contains(&id) {
            return Err(LayerError::UnknownKey { path: file.clone(), key, known: known.join(", ") });
        }
        file_keys.push(id.clone());
        command = with_default(command, &path, &id, value);
    }
    let matches = command.try_get_matches_from(&args)?;
    let cli = Cli::from_arg_matches(&matches)?;
    Ok(Parsed { cli, matches, file: Some(file), file_keys })
}

/// The innermost subcommand's matches, and the names leading to it.
pub fn leaf(matches: &ArgMatches) -> (Vec<String>, &ArgMatches) {
    let mut path = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        path.push(name.to_string());
        current = sub;
    }
    (path, current)
}

/// Whether the value of `id` came from the file or a built-in default (not a flag or env).
pub fn is_default(matches: &ArgMatches, id: &str) -> bool {
    !matches!(matches.value_source(id), Some(ValueSource::CommandLine | ValueSource::EnvVariable))
}

/// Every setting `kith serve` takes (the file's vocabulary): its argument ids.
fn settable_keys() -> Vec<String> {
    let command = Cli::command();
    let Some(serve) = command.find_subcommand("serve") else { return Vec::new() };
    serve
        .get_arguments()
        .filter(|a| !a.is_positional() && a.get_id() != "config_file" && a.get_id() != "help")
        .map(|a| a.get_id().to_string())
        .collect()
}

/// Sets `id`'s default in the subcommand at `path`, if that subcommand has such an argument
/// (`listen` means nothing to `kith user list`).
fn with_default(command: clap::Command, path: &[String], id: &str, value: String) -> clap::Command {
    match path.split_first() {
        Some((head, rest)) => {
            let (rest, id) = (rest.to_vec(), id.to_string());
            command.mut_subcommand(head, move |sub| with_default(sub, &rest, &id, value))
        }
        None => {
            if command.get_arguments().any(|a| a.get_id() == id) {
                command.mut_arg(id, |arg| arg.default_value(value))
            } else {
                command
            }
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<(String, String)>, LayerError> {
    let text = std::fs::read_to_string(path).map_err(|source| LayerError::Read { path: path.into(), source })?;
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| LayerError::Toml { path: path.into(), message: e.message().to_string() })?;
    table
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => return Err(LayerError::BadValue { path: path.into(), key }),
            };
            Ok((key, text))
        })
        .collect()
}

#[cfg(test)]
#[path = "layered_tests.rs"]
mod tests;
