//! Store errors: the domain refusals a transaction can end with, and the
//! infrastructure failures behind them (kept as sources for logging).

use crate::ids::UnitId;
use crate::policy::Violation;

/// Why a store call failed. On any error the transaction was rolled back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The entity does not exist in the tenant.
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of entity.
        entity: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The capacity rule refused the write.
    #[error("unit {unit_id} has no capacity left for that period")]
    Unavailable {
        /// The unit.
        unit_id: UnitId,
    },
    /// An active reservation holds the period a staff block would take.
    #[error("{}", .0.describe(None))]
    Occupied(Box<crate::ical::staff::ReservationOverlap>),
    /// Another session holds a lock on what the write touches.
    #[error("locked by {} until {}", .0.holder.display_name, .0.expires_at)]
    Locked(Box<crate::lock::Lock>),
    /// A stale version, an illegal transition, a reused idempotency key.
    #[error("{0}")]
    Conflict(String),
    /// A policy version published over a live version other than the one
    /// its publisher started from (CONFLICT).
    #[error("policy version {} is live, not {}", .0.live.number, .0.base)]
    StalePolicyBase(Box<crate::policy_versions::StaleBase>),
    /// A rule checked inside the transaction refused the write (blocked client,
    /// archived unit).
    #[error("{}", .0.message)]
    Refused(Violation),
    /// A field of the write is not acceptable as the transaction found things
    /// (an image order that does not list the unit's images exactly).
    #[error("{field}: {message}")]
    InvalidInput {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A stored row could not be read back into domain types.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database URL is not one berth can open.
    #[error("unsupported database url `{0}` (expected sqlite:… or postgres://…)")]
    UnsupportedUrl(String),
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration error")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }

    /// Whether the database failed for a while rather than for good: it
    /// cannot be reached, a connection was lost, it is shutting down or
    /// starting up, no pooled connection came in time; for SQLite, no room
    /// to write or an I/O error. The same request may pass later (a write
    /// that failed so may also have committed: only an idempotent retry is
    /// safe). docs/decisions/0173.
    pub fn is_transient(&self) -> bool {
        let Self::Database(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => {
                let code = db.code();
                let code = code.as_deref().unwrap_or("");
                if db
                    .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                    .is_some()
                {
                    // Class 08, connection exception; 57P01–57P03: admin
                    // shutdown, crash shutdown, cannot connect now; 53300:
                    // too many connections.
                    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
                } else {
                    // SQLite's extended result code: its low byte is the
                    // primary one (10 SQLITE_IOERR, 13 SQLITE_FULL).
                    code.parse::<u32>()
                        .is_ok_and(|c| matches!(c & 0xff, 10 | 13))
                }
            }
            _ => false,
        }
    }
}
