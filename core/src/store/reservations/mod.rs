//! Reservations: the booking transaction (idempotency, the unit as its
//! serialization point, locks, the client, the capacity check, the insert, the
//! audit entry and the event), period changes and state transitions, and the
//! reads (one, by idempotency key, filtered lists, occupancy). Written once for
//! both databases (`sql.rs`). PostgreSQL adds a second wall for units of
//! inventory 1: an exclusion constraint (btree_gist) over the rows marked
//! `exclusive` refuses overlapping active reservations whatever the
//! application does; its violation is answered as UNAVAILABLE.

mod sql;

pub(crate) use sql::{Reservations, loads};
