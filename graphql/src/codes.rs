//! Every error carries a code. GraphQL's own refusals — a syntax error, an unknown
//! field, an argument of the wrong type, a query over the depth or complexity
//! limit — come from async-graphql without one; [`with_codes`] gives them
//! INVALID_INPUT, over HTTP and over WebSocket alike (applied by `crate::run`).

use async_graphql::{ErrorExtensionValues, Response};
use berth_core::ErrorCode;

/// `response` with a code on every error: GraphQL's own refusals (which come
/// without one) get INVALID_INPUT.
pub fn with_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::InvalidInput.as_str());
        }
    }
    response
}
