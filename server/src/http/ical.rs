//! `GET /ical/{tenant}/{unit}.ics?token=…`: a unit's feed of busy periods, for
//! channel managers and booking sites to poll. Public (the token in the URL is
//! the credential), so the public rate limit counts it. Every request that is
//! not served gets the same bare 404, whether the tenant, the unit or the feed
//! is missing or the token is wrong; the engine compares tokens in constant
//! time. The token never reaches a log line: request spans carry the path only.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_core::ErrorCode;

use crate::http::AppState;

/// The query string of a feed request.
#[derive(Debug, serde::Deserialize)]
pub struct FeedQuery {
    token: Option<String>,
}

/// How long a poller may reuse a feed before asking again (importers poll
/// every few hours at most; a rotated token is honoured within this time).
const MAX_AGE: &str = "private, max-age=300";

/// Serves the feed, or 404.
pub async fn feed(
    State(state): State<AppState>,
    Path((tenant, file)): Path<(String, String)>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Response {
    let (Some(unit), Ok(Query(query))) = (file.strip_suffix(".ics"), query) else {
        return not_found();
    };
    match state
        .engine
        .published_feed(&tenant, unit, query.token.as_deref())
        .await
    {
        Ok(ics) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, MAX_AGE),
            ],
            ics,
        )
            .into_response(),
        Err(e) if e.code() == ErrorCode::NotFound => not_found(),
        Err(e) => {
            tracing::error!(error = ?e, "serving an iCalendar feed");
            // A database away for a while: calendar clients try again later
            // (docs/decisions/0173).
            if matches!(&e, berth_core::EngineError::Internal(cause) if cause.is_transient()) {
                return (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable\n")
                    .into_response();
            }
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}
