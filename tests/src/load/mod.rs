//! The pieces of the load generator (`src/bin/loadgen`) and the sync benchmark
//! (`src/bin/syncbench`): simulated users with two devices each, the document they edit, and
//! what is measured (latencies, and the server's CPU and memory from /proc).

pub mod accounts;
pub mod fleet;
pub mod stats;
pub mod user;
pub mod workload;
