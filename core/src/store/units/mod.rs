//! Units: creating, changing (archiving too) and reading them, what they
//! offered when (`unit_versions`, for the history), and the unit as the
//! serialization point of every change to it ([`Units::for_change`]: SQLite's
//! write lock; PostgreSQL locks its row `FOR NO KEY UPDATE`). Written once for
//! both databases (`sql.rs`).

mod sql;

pub(crate) use sql::Units;
