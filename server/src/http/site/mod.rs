//! The public website of each business (issue 20): server-rendered HTML from
//! templates embedded in the binary, one small script that only enhances, and
//! no cookies (docs/decisions/0085–0099).
//!
//! - `GET /{tenant}` → 308 to `/{tenant}/`; `GET /{tenant}/`: the home page
//!   (`pages.rs`): name, description, the tenant's cover, the units, its
//!   gallery, contact, and the map — text and a link, plus an interactive map
//!   (Leaflet, loaded by the script) when the profile names a tile server.
//! - `GET /{tenant}/units`: the catalog, a card per unit with a "from" price
//!   (`prices.rs`, kept until what it depends on changes: `price_cache.rs`).
//! - `GET /{tenant}/units/{unitId}`: the unit, its availability
//!   (`calendar.rs`) and the estimator, a GET form (`estimate.rs`);
//!   `…/estimate` answers the same form with the answer alone, for the script.
//! - `POST /{tenant}/units/{unitId}/request`: a guest's booking request
//!   (`booking.rs`), under its own, tighter per-address limit.
//! - `GET /{tenant}/sitemap.xml`, `GET /robots.txt` (`seo.rs`, which also
//!   builds each page's JSON-LD).
//! - `GET /assets/{file}`: the stylesheet, script and theme, and Leaflet's
//!   files for the maps (`assets.rs`).
//!
//! Pages are in the tenant's language (`i18n.rs`) with its money and dates
//! (`crate::locale`); a business's own domain serves its pages at `/`
//! (`hosts.rs`). Every page is under the public rate limit; every answer
//! carries the site's Content-Security-Policy (`security_headers.rs`; a page
//! with a map widens it in `render.rs`). The routes are in the route table
//! (`http/routes.rs`).

pub(crate) mod assets;
pub(crate) mod booking;
mod calendar;
mod estimate;
pub mod hosts;
mod i18n;
pub(crate) mod pages;
mod price_cache;
mod prices;
mod render;
pub(crate) mod seo;
mod view;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::AppState;
use crate::http::client_address::ClientAddress;
use crate::http::rate_limit::{Decision, RateLimiter};

/// The reference a guest quotes (`7F3A-91C2`), also in their e-mail.
pub(crate) use booking::reference_of;
pub use hosts::HostMap;

/// What the site needs besides the application's state.
#[derive(Clone, Debug)]
pub struct Site {
    /// Own domains.
    pub hosts: HostMap,
    /// The per-address limit on booking requests; `None` when turned off.
    pub request_limit: Option<Arc<RateLimiter>>,
    /// The catalog's "from" prices, kept per tenant and language.
    pub prices: Arc<price_cache::PriceCache>,
}

/// The public rate limit (`--public-rate-limit`) on every page, answered
/// with a page in words (429) instead of the API's JSON. Assets are not
/// counted: a page's stylesheet and script must not spend the allowance; nor
/// are booking requests, which have their own, tighter limit (`booking.rs`).
pub(crate) async fn limit_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with("/assets/") || request.method() == Method::POST {
        return next.run(request).await;
    }
    if let (Some(limiter), Some(ClientAddress(peer))) = (
        state.public_limit.as_ref(),
        request.extensions().get::<ClientAddress>().copied(),
    ) && let Decision::Refuse { retry_after_secs } = limiter.check(peer)
    {
        return too_many(retry_after_secs);
    }
    next.run(request).await
}

/// 429 as a page in words, with `Retry-After`.
fn too_many(retry_after_secs: u64) -> Response {
    let mut response = pages::plain_error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_title",
        "too_many_text",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// Rewrites requests to an own domain (see `hosts.rs`); runs before routing.
pub async fn own_domains(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let request = hosts::rewrite(&state.site.hosts, &state.trusted_proxies, request);
    next.run(request).await
}

/// A page that could not be served, in words.
#[derive(Debug)]
pub enum PageError {
    /// No such tenant or unit (or a reserved segment).
    NotFound,
    /// The tenant has no live policy, or the database is away for a while:
    /// prices and availability cannot be known.
    Unavailable,
    /// Something broke inside berth; logged.
    Internal(String),
}

impl From<berth_core::EngineError> for PageError {
    fn from(e: berth_core::EngineError) -> Self {
        use berth_core::ErrorCode;
        match e {
            berth_core::EngineError::Internal(cause) => cause.into(),
            e if e.code() == ErrorCode::NotFound => Self::NotFound,
            e if e.code() == ErrorCode::PolicyError => Self::Unavailable,
            e => Self::Internal(format!("{e:?}")),
        }
    }
}

impl From<berth_core::store::StoreError> for PageError {
    /// A database away for a while is "temporarily unavailable" (503), not a
    /// failure of the page (docs/decisions/0173); the cause is logged.
    fn from(e: berth_core::store::StoreError) -> Self {
        if e.is_transient() {
            tracing::error!(error = ?e, "a public site page: the database failed");
            return Self::Unavailable;
        }
        Self::Internal(format!("{e:?}"))
    }
}

impl From<minijinja::Error> for PageError {
    fn from(e: minijinja::Error) -> Self {
        Self::Internal(format!("template: {e:#}"))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => {
                pages::plain_error(StatusCode::NOT_FOUND, "not_found_title", "not_found_text")
            }
            Self::Unavailable => pages::plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable_title",
                "unavailable_text",
            ),
            Self::Internal(cause) => {
                tracing::error!(%cause, "a public site page failed");
                pages::plain_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_title",
                    "internal_text",
                )
            }
        }
    }
}
