//! Relay-style connections: `{ edges { cursor node } pageInfo { hasNextPage
//! endCursor } }`, keyset-paged by id (ids are time-ordered UUIDs, so a cursor is
//! stable while rows are added).

use async_graphql::Result;
use async_graphql::connection::{Connection, EmptyFields};
use berth_core::ErrorCode;

use crate::error::coded;

/// A page of `T` with string cursors.
pub type Page<T> = Connection<String, T, EmptyFields, EmptyFields>;

/// Most items one page may ask for.
pub const MAX_PAGE: i32 = 200;

/// Checks `first`: 1 to [`MAX_PAGE`].
pub fn page_size(first: i32) -> Result<u32> {
    if (1..=MAX_PAGE).contains(&first) {
        Ok(first.unsigned_abs())
    } else {
        Err(coded(
            ErrorCode::InvalidInput,
            format!("first: ask for 1 to {MAX_PAGE} items, not {first}"),
        ))
    }
}
