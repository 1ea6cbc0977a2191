//! Tenants: creating one, changing its identity, and reading the directory
//! (by id, by slug, all of them, or with one of its units in one statement).
//! Written once for both databases (`sql.rs`); the directory has no
//! row-level security, so it is read from the pool.

mod sql;

pub(crate) use sql::{Tenants, tenant_fk, unknown_tenant};
