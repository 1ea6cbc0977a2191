//! berth's fuzz targets as functions of bytes. Each module's `run` is one
//! target: libFuzzer calls it through the cargo-fuzz binaries in `fuzz/`
//! (nightly), and `tests/corpus.rs` calls it on every committed input and on
//! a short round of inputs mutated from them (`round`, stable), so an input
//! that once crashed keeps being checked by `scripts/test`. A target
//! panics only on a bug: berth's code panicking on hostile input, or a property
//! the module states not holding. See docs/decisions/0170-fuzzing.md.

pub mod graphql_inputs;
pub mod ical_import;
pub mod image_upload;
pub mod mutate;
mod policy_calls;
pub mod rhai_hooks;
pub mod round;
pub mod tenant_dir;

/// A target: one fuzzing input in, a panic only on a bug.
pub type Target = fn(&[u8]);

/// The targets, by name (the name of their binary and corpus directory).
pub const TARGETS: &[(&str, Target)] = &[
    ("tenant_dir", tenant_dir::run),
    ("rhai_hooks", rhai_hooks::run),
    ("ical_import", ical_import::run),
    ("graphql_inputs", graphql_inputs::run),
    ("image_upload", image_upload::run),
];
