//! Clients: creating (alone, or with a booking), changing and reading them,
//! and the client as a write reads it ([`ClientLock`]: on PostgreSQL a change
//! locks its row, and a booking holds it against changes; SQLite's writers
//! are serialized already). Written once for both databases (`sql.rs`).

mod sql;

pub(crate) use sql::Clients;

/// How a write reads the client it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientLock {
    /// Not at all (a read).
    Read,
    /// Against changes (a booking for the client: an erasure or an archiving
    /// waits for it, and it sees theirs): PostgreSQL `FOR SHARE`.
    Share,
    /// For a change of the client (an update, an erasure): PostgreSQL
    /// `FOR UPDATE`.
    Update,
}
