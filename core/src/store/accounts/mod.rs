//! Accounts: users (with their password hashes and session epochs) and API
//! keys (only their secrets' hashes). Written once for both databases
//! (`sql.rs`). A change that would leave the tenant without an active owner
//! is refused inside the transaction that makes it: SQLite's writers are
//! serialized; PostgreSQL locks the active owners' rows first.

mod sql;

pub(crate) use sql::Accounts;
