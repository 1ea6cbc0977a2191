//! Running a request the way every berth transport does (the server's HTTP
//! handler and WebSocket executor, and the tests): each request gets an empty
//! [`ViewerCache`] unless the transport verified its token already, and every
//! error in every response carries a code ([`codes::with_codes`]).
//!
//! These were schema extensions. An extension, even one that only hooks the
//! request, puts every field of every response through async-graphql's
//! extension chain, and every event of every subscription through its execute
//! chain: at 1,000 `lockEvents` subscribers that cost about 15 % of the lock
//! propagation p99 (BENCHMARKS.md). Done here, they cost nothing per field.

use std::sync::Arc;

use async_graphql::futures_util::StreamExt;
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::{Data, Request, Response};

use crate::BerthSchema;
use crate::codes::with_codes;
use crate::viewer_cache::ViewerCache;

/// `request` with a viewer cache of its own (one the transport filled in is
/// kept).
fn prepared(request: Request) -> Request {
    if request
        .data
        .contains_key(&std::any::TypeId::of::<ViewerCache>())
    {
        request
    } else {
        request.data(ViewerCache::default())
    }
}

/// Executes a query or mutation.
pub async fn execute(schema: &BerthSchema, request: Request) -> Response {
    with_codes(schema.execute(prepared(request)).await)
}

/// Executes a subscription (or any operation, as a stream), with the
/// connection's data (`connection_init`) when there is a connection.
pub fn execute_stream(
    schema: &BerthSchema,
    request: Request,
    session_data: Option<Arc<Data>>,
) -> BoxStream<'static, Response> {
    schema
        .execute_stream_with_session_data(prepared(request), session_data.unwrap_or_default())
        .map(with_codes)
        .boxed()
}
