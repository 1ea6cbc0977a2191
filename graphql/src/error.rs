//! GraphQL errors: every engine error becomes a GraphQL error whose
//! `extensions.code` is the stable code of DESIGN.md; policy refusals also carry
//! `extensions.violations`, lock refusals `extensions.holder`, a staff block
//! refused over a reservation `extensions.reservationId`, and a candidate
//! policy that does not load or fails its tests (a plan's) `extensions.rejection`,
//! and an INTERNAL error of a database away for a while `extensions.retryable`.
//! Internal causes are logged here and never sent.

use async_graphql::{Error, ErrorExtensions};
use berth_core::accounts::AccountError;
use berth_core::{EngineError, ErrorCode};

/// The message of an INTERNAL error whose cause is the database failing for a
/// while (unreachable, restarting, out of room), which also carries
/// `extensions.retryable: true`; other internal errors say "internal error".
/// Nothing of the cause is sent (docs/decisions/0173).
pub const TEMPORARILY_UNAVAILABLE: &str = "the service is temporarily unavailable, try again";

/// An error with a code and a client-safe message.
pub fn coded(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code.as_str()))
}

/// The GraphQL form of an engine error.
pub fn from_engine(err: EngineError) -> Error {
    match &err {
        EngineError::Validation(violations) => {
            let list: Vec<async_graphql::Value> = violations
                .iter()
                .map(|v| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(
                        async_graphql::Name::new("code"),
                        async_graphql::Value::from(v.code.clone()),
                    );
                    m.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(v.message.clone()),
                    );
                    async_graphql::Value::Object(m)
                })
                .collect();
            Error::new(err.to_string()).extend_with(|_, e| {
                e.set("code", ErrorCode::Validation.as_str());
                e.set("violations", async_graphql::Value::List(list.clone()));
            })
        }
        EngineError::Locked(lock) => {
            let mut holder = async_graphql::indexmap::IndexMap::new();
            let mut put = |k: &str, v: async_graphql::Value| {
                holder.insert(async_graphql::Name::new(k), v);
            };
            put("lockId", lock.id.to_string().into());
            put("displayName", lock.holder.display_name.clone().into());
            put("session", lock.holder.session.to_string().into());
            put("actor", lock.holder.actor.to_string().into());
            put("expiresAt", lock.expires_at.to_rfc3339().into());
            let holder = async_graphql::Value::Object(holder);
            Error::new(err.to_string()).extend_with(|_, e| {
                e.set("code", ErrorCode::Locked.as_str());
                e.set("holder", holder.clone());
            })
        }
        EngineError::Occupied { reservation_id, .. } => {
            let id = reservation_id.to_string();
            Error::new(err.to_string()).extend_with(|_, e| {
                e.set("code", ErrorCode::Unavailable.as_str());
                e.set("reservationId", id.clone());
            })
        }
        EngineError::CandidateRejected(lines) => {
            let list: Vec<async_graphql::Value> = lines
                .iter()
                .map(|l| async_graphql::Value::from(l.clone()))
                .collect();
            Error::new(err.to_string()).extend_with(|_, e| {
                e.set("code", ErrorCode::InvalidInput.as_str());
                e.set("rejection", async_graphql::Value::List(list.clone()));
            })
        }
        EngineError::Internal(cause) if cause.is_transient() => {
            tracing::error!(error = ?err, "the database failed");
            coded(ErrorCode::Internal, TEMPORARILY_UNAVAILABLE)
                .extend_with(|_, e| e.set("retryable", true))
        }
        EngineError::Internal(_) | EngineError::Crashed(_) => {
            tracing::error!(error = ?err, "internal error");
            coded(ErrorCode::Internal, "internal error")
        }
        other => coded(other.code(), other.to_string()),
    }
}

/// `?`-friendly conversion for resolvers.
pub trait OrGraphql<T> {
    /// Maps an engine error to its GraphQL form.
    fn gql(self) -> Result<T, Error>;
}

impl<T> OrGraphql<T> for Result<T, EngineError> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(from_engine)
    }
}

impl<T> OrGraphql<T> for Result<T, berth_core::store::StoreError> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(|e| from_engine(e.into()))
    }
}

impl<T> OrGraphql<T> for Result<T, AccountError> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(from_accounts)
    }
}

/// The GraphQL form of an accounts error. A weak or wrong password is
/// INVALID_INPUT naming no field here: resolvers that take one say which
/// ([`password_field`]). A throttled account's refusal carries
/// `extensions.retryAfter` (seconds).
pub fn from_accounts(err: AccountError) -> Error {
    match err {
        AccountError::Engine(e) => from_engine(e),
        AccountError::Store(e) => from_engine(e.into()),
        AccountError::RateLimited {
            message,
            retry_after,
        } => coded(ErrorCode::RateLimited, message)
            .extend_with(|_, e| e.set("retryAfter", retry_after)),
        AccountError::Forbidden(message) => coded(ErrorCode::Forbidden, message),
        AccountError::Unauthenticated(message) => coded(ErrorCode::Unauthenticated, message),
        e @ (AccountError::WeakPassword(_) | AccountError::WrongPassword) => {
            coded(ErrorCode::InvalidInput, e.to_string())
        }
    }
}

/// [`from_accounts`], naming the argument `field` when the password in it is
/// weak ([`AccountError::WeakPassword`]) or wrong ([`AccountError::WrongPassword`]).
pub fn password_field(field: &'static str) -> impl Fn(AccountError) -> Error {
    move |err| match err {
        e @ (AccountError::WeakPassword(_) | AccountError::WrongPassword) => {
            coded(ErrorCode::InvalidInput, format!("{field}: {e}"))
        }
        other => from_accounts(other),
    }
}

/// An INTERNAL error for a cause that is not an engine error: the cause is
/// logged, the client gets no detail.
pub fn internal(cause: impl std::fmt::Display) -> Error {
    tracing::error!(error = %cause, "internal error");
    coded(ErrorCode::Internal, "internal error")
}
