//! Engine errors and the stable error codes clients switch on. Every layer has its
//! own error enum; this one is what the engine's commands return, and `code()` is
//! the mapping the API layer relies on. Messages are safe to show to clients;
//! internal causes are carried as sources for logging only.

use crate::ids::{ReservationId, UnitId};
use crate::policy::{PolicyError, Violation};
use crate::quantity::NotPositive;
use crate::state::IllegalTransition;
use crate::store::StoreError;
use crate::time_range::EmptyRange;

/// The stable error codes of DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// No or invalid credentials.
    Unauthenticated,
    /// Signed in, but not allowed.
    Forbidden,
    /// The entity does not exist (or belongs to another tenant).
    NotFound,
    /// The request is malformed.
    InvalidInput,
    /// The policy refused the request; see the violations.
    Validation,
    /// Not enough capacity, or an overlap.
    Unavailable,
    /// Another session holds a lock.
    Locked,
    /// A stale version or an illegal state transition.
    Conflict,
    /// The tenant's policy failed.
    PolicyError,
    /// Too many requests.
    RateLimited,
    /// Something broke inside berth; details are in the logs only.
    Internal,
}

impl ErrorCode {
    /// The code as sent to clients (`NOT_FOUND`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::InvalidInput => "INVALID_INPUT",
            Self::Validation => "VALIDATION",
            Self::Unavailable => "UNAVAILABLE",
            Self::Locked => "LOCKED",
            Self::Conflict => "CONFLICT",
            Self::PolicyError => "POLICY_ERROR",
            Self::RateLimited => "RATE_LIMITED",
            Self::Internal => "INTERNAL",
        }
    }
}

/// Why an engine command did not happen. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The entity does not exist in this tenant.
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of entity (`unit`, `reservation`).
        entity: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A field of the request is malformed.
    #[error("{field}: {message}")]
    InvalidInput {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The booking rules refuse the request.
    #[error("the request breaks {} rule(s)", .0.len())]
    Validation(Vec<Violation>),
    /// The unit has no room for the request in that period.
    #[error("unit {unit_id} is not available for that period")]
    Unavailable {
        /// The unit asked for.
        unit_id: UnitId,
    },
    /// An active reservation holds the period (a staff block over a stay).
    /// Reported as UNAVAILABLE, naming the reservation.
    #[error("{message}")]
    Occupied {
        /// The unit.
        unit_id: UnitId,
        /// The reservation in the way.
        reservation_id: ReservationId,
        /// The refusal in words: the reservation, its guest and dates.
        message: String,
    },
    /// Another session holds a lock on what the command touches.
    #[error("locked by {} until {}", .0.holder.display_name, .0.expires_at)]
    Locked(Box<crate::lock::Lock>),
    /// A stale version, an illegal transition or a reused idempotency key.
    #[error("{0}")]
    Conflict(String),
    /// The tenant's policy failed or is missing.
    #[error("{0}")]
    Policy(String),
    /// A candidate policy (a plan's) does not load or fails its own tests:
    /// `file:line:col: message` lines. Reported as INVALID_INPUT.
    #[error("the candidate policy does not load or fails its tests: {}", .0.join("; "))]
    CandidateRejected(Vec<String>),
    /// An internal failure; the source is logged, never shown.
    #[error("internal error")]
    Internal(#[source] StoreError),
    /// A task of the engine panicked or was cancelled; the detail is for logs.
    #[error("internal error")]
    Crashed(String),
}

impl EngineError {
    /// The stable code for this error.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::InvalidInput { .. } | Self::CandidateRejected(_) => ErrorCode::InvalidInput,
            Self::Validation(_) => ErrorCode::Validation,
            Self::Unavailable { .. } | Self::Occupied { .. } => ErrorCode::Unavailable,
            Self::Locked(_) => ErrorCode::Locked,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Policy(_) => ErrorCode::PolicyError,
            Self::Internal(_) | Self::Crashed(_) => ErrorCode::Internal,
        }
    }

    /// A one-violation VALIDATION error.
    pub fn violation(code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![Violation::new(code, message)])
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => Self::NotFound { entity, id },
            StoreError::Unavailable { unit_id } => Self::Unavailable { unit_id },
            StoreError::Conflict(message) => Self::Conflict(message),
            StoreError::StalePolicyBase(stale) => {
                Self::Conflict(stale.describe(&stale.live.author))
            }
            StoreError::Locked(lock) => Self::Locked(lock),
            StoreError::Occupied(overlap) => Self::Occupied {
                unit_id: overlap.unit_id,
                reservation_id: overlap.reservation_id,
                message: overlap.describe(None),
            },
            StoreError::Refused(violation) => Self::Validation(vec![violation]),
            StoreError::InvalidInput { field, message } => Self::InvalidInput { field, message },
            other => Self::Internal(other),
        }
    }
}

impl From<PolicyError> for EngineError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::InvalidPeriod(message) => Self::InvalidInput {
                field: "period",
                message,
            },
            PolicyError::Refused(violations) => Self::Validation(violations),
            other @ (PolicyError::NotLoaded(_) | PolicyError::Failed(_)) => {
                Self::Policy(other.to_string())
            }
        }
    }
}

impl From<crate::policy::CandidateError> for EngineError {
    fn from(e: crate::policy::CandidateError) -> Self {
        match e {
            crate::policy::CandidateError::Rejected(lines) => Self::CandidateRejected(lines),
            crate::policy::CandidateError::Unsupported(message) => Self::Policy(message),
        }
    }
}

impl From<IllegalTransition> for EngineError {
    fn from(e: IllegalTransition) -> Self {
        Self::Conflict(e.to_string())
    }
}

impl From<NotPositive> for EngineError {
    fn from(e: NotPositive) -> Self {
        Self::InvalidInput {
            field: e.what,
            message: e.to_string(),
        }
    }
}

impl From<EmptyRange> for EngineError {
    fn from(e: EmptyRange) -> Self {
        Self::InvalidInput {
            field: "period",
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_names() {
        let e = EngineError::from(crate::quantity::Quantity::new(0).unwrap_err());
        assert_eq!(e.code().as_str(), "INVALID_INPUT");
        let e = EngineError::from(StoreError::Unavailable {
            unit_id: UnitId::new(),
        });
        assert_eq!(e.code().as_str(), "UNAVAILABLE");
        let e = EngineError::from(PolicyError::Failed("hook `price` threw".into()));
        assert_eq!(e.code().as_str(), "POLICY_ERROR");
        let e = EngineError::from(StoreError::Corrupt("bad row".into()));
        assert_eq!(e.code().as_str(), "INTERNAL");
        assert_eq!(
            e.to_string(),
            "internal error",
            "internal causes are never shown"
        );
    }
}
