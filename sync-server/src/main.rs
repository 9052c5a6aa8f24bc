//! The `kith` binary. Everything lives in `sync_server::cli` so tests can run the same entry
//! point.

fn main() -> std::process::ExitCode {
    sync_server::cli::run::main()
}
