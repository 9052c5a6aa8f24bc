//! The allocator both `kith` binaries install, and a way to make it return freed memory.
//!
//! mimalloc returns freed pages to the OS lazily, and only from a thread that allocates or
//! frees again: an idle server kept what 2,000 connections had used. [`release_free_memory`]
//! does that work now, for the calling thread; [`request_release`] and
//! [`release_if_requested`] get it done once on every async worker after the server let go
//! of a lot of memory.
//!
//! This is the only crate in the workspace that may contain `unsafe` (see Cargo.toml).

#![deny(unsafe_code)]

mod idle_release;
mod release;

pub use idle_release::{release_if_requested, request_release};
pub use release::release_free_memory;

/// glibc's malloc keeps what a burst of work freed (password hashing, thousands of sessions'
/// buffers) resident for good; mimalloc can give it back (see [`release_free_memory`]).
pub use mimalloc::MiMalloc as Allocator;
