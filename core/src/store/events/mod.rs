//! The outbox and the audit log: standalone events and audit entries, the
//! audit log's pages, and the tenant's event stream. Written once (`sql.rs`);
//! where a database keeps its stream position its own way (SQLite sequence
//! numbers, committed in order because writers are serialized; PostgreSQL
//! transaction ids, read only below the oldest running transaction), the
//! queries ask [`super::outbox::Outbox`].

mod sql;

pub(crate) use sql::Events;
