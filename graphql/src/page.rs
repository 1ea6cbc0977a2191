//! Relay-style connections: `{ edges { cursor node } pageInfo { hasNextPage
//! endCursor } }`, keyset-paged by id (ids are time-ordered UUIDs, so a cursor is
//! stable while rows are added).

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{OutputType, Result};
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

/// The page `found` makes: the store was asked for `limit` items and one more,
/// so that one more says a next page exists (and is left out). Each item
/// becomes its cursor and node through `edge`; `after_cursor` says the request
/// started after a cursor (there is a previous page).
pub fn page_of<I, T: OutputType>(
    mut found: Vec<I>,
    limit: u32,
    after_cursor: bool,
    edge: impl FnMut(I) -> (String, T),
) -> Page<T> {
    let has_next = found.len() > limit as usize;
    found.truncate(limit as usize);
    let mut page = Connection::new(after_cursor, has_next);
    page.edges
        .extend(found.into_iter().map(edge).map(|(c, n)| Edge::new(c, n)));
    page
}
