//! Integration tests of the policy runtime at its boundaries: tenant directories
//! on disk, the registry and the engine over a real SQLite store.

// Test code: a panic on an unexpected Err is exactly the failure report we want.
#![allow(clippy::unwrap_used)]

mod accept;
mod contracts;
mod lifecycle_hooks;
mod native;
mod open_periods;
mod profile;
mod reload;
mod sandbox_failures;
mod shared_evaluation;
mod support;
mod versions;
