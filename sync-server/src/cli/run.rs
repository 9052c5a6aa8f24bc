//! The `kith` binary's body: parse the layered config, set up logging, run a subcommand.
//! `main.rs` only calls [`main`].

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

use super::layered::{self, LayerError};
use super::{Command, UserCommand};

pub fn main() -> ExitCode {
    let parsed = match layered::parse(std::env::args_os()) {
        Ok(parsed) => parsed,
        // --help, --version and usage errors, printed the way clap prints them.
        Err(LayerError::Clap(e)) => e.exit(),
        Err(e) => {
            eprintln!("kith: {e}");
            return ExitCode::from(2);
        }
    };
    // Everything kith writes holds user data (database, WAL, backups, exports, keys): make
    // whatever a component creates without an explicit mode private too. Set before the
    // runtime starts threads; the files we create ourselves get 0600 explicitly anyway.
    crate::data_files::private_umask();
    // The server logs to stdout (what service managers and scripts read); the operator's
    // commands keep stdout for their output.
    init_tracing(matches!(parsed.cli.command, Command::Serve(_)));
    // A worker that goes idle after the hub dropped documents hands the memory they used
    // back to the OS; mimalloc would keep it until that worker allocates again (see
    // `kith_alloc`). Every other park costs one atomic load.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(|| {
            kith_alloc::release_if_requested();
        })
        .build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kith: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(parsed));
    // Don't wait for stray tasks (idle sweepers, detached compactions) once we are done.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kith: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(parsed: layered::Parsed) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    match parsed.cli.command {
        Command::Serve(args) => {
            let config = args.config;
            if let Some(file) = &parsed.file {
                tracing::info!("settings from {}", file.display());
            }
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            crate::app::launch_with_listener(config, listener, shutdown_signal()).await?;
            tracing::info!("stopped cleanly");
            Ok(())
        }
        Command::Config(args) => {
            let (_, leaf) = layered::leaf(&parsed.matches);
            let text = super::show_config::render(&args.config, leaf, parsed.file.as_deref(), &parsed.file_keys);
            print!("{text}");
            Ok(())
        }
        Command::User(UserCommand::List { data }) => super::user::list(&data.config(), &mut out).await,
        Command::User(UserCommand::ResetPassword { email, data }) => {
            super::user::reset_password(&data.config(), &email, &mut out).await
        }
        Command::User(UserCommand::Export { email, file, data }) => {
            super::user_export::export(&data.config(), &email, &file, &mut out).await
        }
        Command::Backup { file, data } => {
            println!("{}", super::backup::backup(&data.config(), &file).await?);
            Ok(())
        }
        Command::Restore { file, force, data } => {
            println!("{}", super::backup::restore(&data.config(), &file, force).await?);
            Ok(())
        }
        Command::Vapid { data } => {
            let keys = reminders::vapid::VapidKeys::load_or_create(&data.data_dir)
                .with_context(|| format!("reading the VAPID key in {}", data.data_dir.display()))?;
            println!("{}", keys.public_key_b64());
            Ok(())
        }
    }
}

/// `RUST_LOG` picks levels (default: info); `KITH_LOG=json` switches to one JSON object per
/// line for log collectors.
fn init_tracing(to_stdout: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // automerge logs every error it returns at ERROR level, including the expected "missing
    // dependencies" when we check a single incoming change on its own; we log what matters.
    let filter = match "automerge::automerge=off".parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    };
    let json = std::env::var("KITH_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    // Colours only for a person watching, not in files or journald.
    let ansi = !json && std::env::var_os("NO_COLOR").is_none();
    let writer = if to_stdout { BoxMakeWriter::new(std::io::stdout) } else { BoxMakeWriter::new(std::io::stderr) };
    let ansi = ansi && if to_stdout { std::io::stdout().is_terminal() } else { std::io::stderr().is_terminal() };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(writer);
    if json {
        // Span fields (route, user.id) go on every line; tokens and passwords never reach a span.
        builder.json().with_current_span(true).with_span_list(false).init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
