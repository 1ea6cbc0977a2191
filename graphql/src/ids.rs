//! Parsing ids from GraphQL arguments: a malformed id is INVALID_INPUT naming the
//! argument; a well-formed id of nothing in the caller's tenant is NOT_FOUND later.

use async_graphql::{ID, Result};
use berth_core::ErrorCode;

use crate::error::coded;

/// Parses `id` (the argument `what`) into a typed id.
pub fn parse<T: std::str::FromStr>(id: &ID, what: &str) -> Result<T> {
    id.parse().map_err(|_| {
        coded(
            ErrorCode::InvalidInput,
            format!("{what}: `{}` is not an id", id.as_str()),
        )
    })
}

/// The NOT_FOUND error for an entity missing from the caller's tenant.
pub fn not_found(entity: &str, id: &ID) -> async_graphql::Error {
    coded(
        ErrorCode::NotFound,
        format!("{entity} {} not found", id.as_str()),
    )
}
