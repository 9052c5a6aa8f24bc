//! The `kith` command line: `serve` plus the operator's tools (users, backup, restore, VAPID
//! key, effective config). Settings come from flags, then `KITH_*` environment variables,
//! then `kith.toml` (see [`layered`]), then built-in defaults.

pub mod backup;
pub mod layered;
pub mod show_config;
pub mod run;
pub mod user;
pub mod user_export;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;

#[derive(Parser, Debug)]
#[command(
    name = "kith",
    version,
    about = "Kith: a self-hostable, local-first personal relationship manager",
    long_about = "Kith: a self-hostable, local-first personal relationship manager.\n\n\
Settings are read from command-line flags, then KITH_* environment variables, then the\n\
config file (kith.toml in the data directory, or --config FILE), then built-in defaults.\n\
Run `kith config` to see the effective settings."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the HTTP API, WebSocket sync and the web client.
    Serve(ServeArgs),
    /// Manage accounts: list them, reset a password, export one's data.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent snapshot of the database to FILE (safe while serving).
    ///
    /// SQLite only (`VACUUM INTO`): the server keeps running. For PostgreSQL use pg_dump.
    Backup {
        /// Where to write the snapshot; must not exist yet.
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Put a backup in place as the database (stop the server first).
    ///
    /// Checks the backup, then refuses a non-empty data directory unless --force.
    Restore {
        /// A file written by `kith backup`.
        file: PathBuf,
        /// Replace the existing database in a non-empty data directory.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the server's VAPID public key (base64url) for Web Push.
    ///
    /// Browsers subscribe to push with it. Creates the key pair in the data directory if
    /// there is none yet.
    Vapid {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the effective configuration, secrets redacted.
    ///
    /// Shows what `kith serve` would use with the same flags, and where each value came from
    /// (flag, environment, config file, default).
    Config(ServeArgs),
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// List every account: email, user id, created, number of signed-in devices.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set a random one-time password for EMAIL, print it, sign out every device.
    ///
    /// Give it to the account's owner; they should change it after logging in.
    ResetPassword {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write everything in EMAIL's account to FILE as JSON (what GET /api/v1/export.json
    /// returns): contacts, interactions, notes, settings. Safe while serving.
    Export {
        /// The account's email address.
        email: String,
        /// Where to write the JSON; must not exist yet.
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `kith serve` / `kith config`: every server setting, plus where to find the config file.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: Config,
    #[command(flatten)]
    pub file: ConfigFileArg,
}

#[derive(Args, Debug, Clone)]
pub struct ConfigFileArg {
    /// Config file (TOML). Default: kith.toml in the data directory, if present.
    #[arg(long = "config", env = "KITH_CONFIG", value_name = "FILE")]
    pub config_file: Option<PathBuf>,
}

/// Where the data lives, for the operator's commands. Same flags, variables and file keys as
/// `kith serve`, so they find the same database.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Directory for the SQLite database and other server state.
    #[arg(long, env = "KITH_DATA_DIR", default_value = crate::config::DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite://path/to/kith.db` or `postgres://…`. Default: SQLite at
    /// `<data dir>/kith.db`.
    #[arg(long, env = "KITH_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub file: ConfigFileArg,
}

impl DataArgs {
    /// A server config with these data settings and defaults for the rest.
    pub fn config(&self) -> Config {
        Config { data_dir: self.data_dir.clone(), database_url: self.database_url.clone(), ..Config::default() }
    }
}
