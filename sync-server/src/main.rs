//! The `kith` binary. Everything lives in `sync_server::cli` so tests can run the same entry
//! point.

#[global_allocator]
static ALLOCATOR: sync_server::Allocator = sync_server::Allocator;

fn main() -> std::process::ExitCode {
    sync_server::cli::run::main()
}
