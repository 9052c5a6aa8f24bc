//! The `kith` binary's exact entry point, built as part of this test crate so end-to-end
//! tests can run it as a child process (`CARGO_BIN_EXE_kith_under_test`) and cargo always
//! rebuilds it with them. (A binary of another package has no such guarantee.)

#[global_allocator]
static ALLOCATOR: sync_server::Allocator = sync_server::Allocator;

fn main() -> std::process::ExitCode {
    sync_server::cli::run::main()
}
