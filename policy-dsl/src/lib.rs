//! berth-policy: a tenant's booking rules and pricing as data. `tenant.yaml` is
//! parsed strictly, checked against the JSON Schema generated from `config.rs`, and
//! read into typed configuration; the built-in model script (`policies/models/`)
//! merged with the tenant's own `*.rhai` hooks is compiled once per version and run
//! in a hardened sandbox. The registry keeps one live version per tenant, swaps it
//! atomically when a candidate passes its checks and tests, and implements core's
//! `PolicyProvider` port.

pub mod accept;
pub mod calendar;
pub mod candidate;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod loader;
pub mod models;
mod native;
mod native_hourly;
pub mod open_periods;
mod pricing_steps;
pub mod registry;
pub mod sandbox;
pub mod scaffold;
pub mod schema;
pub mod seed;
pub mod tenant_policy;
pub mod testcase;
pub mod watcher;
pub mod yaml;

pub use diagnostic::Diagnostic;
pub use models::Runtime;
pub use tenant_policy::TenantPolicy;
