//! Locks: an editor's lease on a unit, one of its ranges or a reservation,
//! which keeps other sessions' writes off it until released or expired (see
//! `crate::lock`). The store takes, renews, releases and expires them, and
//! checks them in every write to a unit or reservation
//! ([`Locks::ensure_unlocked`]); written once for both databases (`sql.rs`).

mod sql;

pub(crate) use sql::Locks;
