//! The route table: every path berth serves over HTTP, each with its access
//! class (public, and why; or signed in) and the surface that decides its
//! security headers (`security_headers.rs`). The router is built from this
//! table and nothing else (docs/decisions/0165-route-access-table.md), so a
//! route cannot be served without a class: a new [`Route`] variant fails to
//! compile until [`Route::spec`] and [`Route::handler`] say what it is, and
//! one left out of [`Route::ALL`] is not served. `berth schema routes` prints
//! the table; the e2e test `security` asks every route anonymously and checks
//! each answers as its class says.
//!
//! A [`Access::Session`] route is wrapped in [`require_session`], which
//! refuses a request without a credential that verifies (401, a
//! GraphQL-shaped UNAUTHENTICATED error) before the handler runs, and hands
//! the handler the verified `berth_graphql::auth::Viewer`.
//!
//! `/graphql` and `/graphql/ws` are public at the HTTP level on purpose: the
//! public fields (`tenant`, `units`, `quote`, `availability`, `slots`, `login`,
//! …) need no session, and every other field decides access itself in
//! `berth_graphql::access` (UNAUTHENTICATED without a viewer).

use axum::Extension;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use axum::{Router, middleware::from_fn_with_state};
use berth_core::ErrorCode;
use serde::Serialize;

use crate::http::browser::{self, Credential};
use crate::http::graphql_http::{MediaType, error_response};
use crate::http::{AppState, graphql_get, graphql_post, graphql_ws, limit_body};
use crate::http::{healthz, ical, limit_public_requests, media, metrics, readyz, site, web};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone; the reason is in [`Spec::why`].
    Public,
    /// A signed-in user or an API key: refused with 401 otherwise.
    Session,
}

/// What a route answers with, which decides its Content-Security-Policy and
/// Referrer-Policy (see `security_headers.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// Data for programs: JSON, GraphQL, feeds, images, metrics; nothing in it
    /// may load or run anything.
    Api,
    /// The admin app (and GraphiQL, which is a page of its build).
    AdminApp,
    /// The public site: server-rendered pages, their assets, robots and sitemaps.
    Site,
}

/// What the table says of one route.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Spec {
    /// The path template, as axum matches it.
    pub path: &'static str,
    /// The methods it serves (HEAD comes with GET).
    pub methods: &'static [&'static str],
    /// Who may call it.
    pub access: Access,
    /// Its kind of answer.
    pub surface: Surface,
    /// Why it is public, or what the session is for.
    pub why: &'static str,
}

/// Every route berth serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Graphql,
    GraphqlWs,
    MediaUpload,
    MediaBlob,
    IcalFeed,
    AdminRedirect,
    AdminShell,
    AdminFiles,
    Healthz,
    Readyz,
    Metrics,
    Robots,
    SiteAssets,
    SiteTenant,
    SiteHome,
    SiteUnits,
    SiteUnit,
    SiteEstimate,
    SiteRequest,
    SiteSitemap,
}

const GET: &[&str] = &["GET"];
const GET_POST: &[&str] = &["GET", "POST"];
const POST: &[&str] = &["POST"];

impl Route {
    /// The routes the router serves, in this order.
    pub const ALL: [Route; 20] = [
        Route::Graphql,
        Route::GraphqlWs,
        Route::MediaUpload,
        Route::MediaBlob,
        Route::IcalFeed,
        Route::AdminRedirect,
        Route::AdminShell,
        Route::AdminFiles,
        Route::Healthz,
        Route::Readyz,
        Route::Metrics,
        Route::Robots,
        Route::SiteAssets,
        Route::SiteTenant,
        Route::SiteHome,
        Route::SiteUnits,
        Route::SiteUnit,
        Route::SiteEstimate,
        Route::SiteRequest,
        Route::SiteSitemap,
    ];

    /// Its path, methods, access class and surface.
    pub fn spec(self) -> Spec {
        use Access::{Public, Session};
        use Surface::{AdminApp, Api, Site};
        let (path, methods, access, surface, why) = match self {
            Route::Graphql => (
                "/graphql",
                GET_POST,
                Public,
                Api,
                "GraphQL authorizes per field (berth_graphql::access): public fields need no \
                 session, every other one answers UNAUTHENTICATED without one; a browser's GET \
                 without a query is GraphiQL",
            ),
            Route::GraphqlWs => (
                "/graphql/ws",
                GET,
                Public,
                Api,
                "GraphQL over WebSocket: the token comes in connection_init; fields authorize \
                 as over HTTP",
            ),
            Route::MediaUpload => (
                "/media/units/{unit}",
                POST,
                Session,
                Api,
                "an image upload for a unit: the role updateUnit needs",
            ),
            Route::MediaBlob => (
                "/media/{hash}/{file}",
                GET,
                Public,
                Api,
                "stored image widths, content-addressed: shown on the public site",
            ),
            Route::IcalFeed => (
                "/ical/{tenant}/{unit}",
                GET,
                Public,
                Api,
                "a unit's iCalendar feed: the token in the query is the credential",
            ),
            Route::AdminRedirect => (
                "/admin",
                GET,
                Public,
                AdminApp,
                "redirects to the admin app's shell",
            ),
            Route::AdminShell => (
                "/admin/",
                GET,
                Public,
                AdminApp,
                "the admin app's shell: it holds no data; its data comes only through \
                 GraphQL with a session",
            ),
            Route::AdminFiles => (
                "/admin/{*path}",
                GET,
                Public,
                AdminApp,
                "the admin app's static files and deep links (its shell), no data",
            ),
            Route::Healthz => (
                "/healthz",
                GET,
                Public,
                Api,
                "liveness for load balancers and orchestrators: says only `ok`",
            ),
            Route::Readyz => (
                "/readyz",
                GET,
                Public,
                Api,
                "readiness for load balancers: database reachable, count of live policies",
            ),
            Route::Metrics => (
                "/metrics",
                GET,
                Public,
                Api,
                "Prometheus text: counters by route template, method and outcome, no tenant \
                 or personal data; restrict it at the proxy where traffic volume is private \
                 (docs/decisions/0165)",
            ),
            Route::Robots => ("/robots.txt", GET, Public, Site, "for crawlers"),
            Route::SiteAssets => (
                "/assets/{file}",
                GET,
                Public,
                Site,
                "the public site's stylesheet, script, themes and Leaflet",
            ),
            Route::SiteTenant => (
                "/{tenant}",
                GET,
                Public,
                Site,
                "redirects to the business's home page",
            ),
            Route::SiteHome => ("/{tenant}/", GET, Public, Site, "a business's home page"),
            Route::SiteUnits => ("/{tenant}/units", GET, Public, Site, "the catalog"),
            Route::SiteUnit => (
                "/{tenant}/units/{unit}",
                GET,
                Public,
                Site,
                "a unit's page with its availability",
            ),
            Route::SiteEstimate => (
                "/{tenant}/units/{unit}/estimate",
                GET,
                Public,
                Site,
                "the estimator's answer for the site's script",
            ),
            Route::SiteRequest => (
                "/{tenant}/units/{unit}/request",
                POST,
                Public,
                Site,
                "a guest's booking request (held for staff), under its own tighter limit",
            ),
            Route::SiteSitemap => ("/{tenant}/sitemap.xml", GET, Public, Site, "for crawlers"),
        };
        Spec {
            path,
            methods,
            access,
            surface,
            why,
        }
    }

    /// Its handler with the layers it needs (the Origin check, the public
    /// rate limit, body limits), before the table's own.
    fn handler(self, state: &AppState) -> MethodRouter<AppState> {
        let public_limit = || from_fn_with_state(state.clone(), limit_public_requests);
        // The Origin check runs first: a refused origin spends no allowance.
        let guard = || from_fn_with_state(state.clone(), browser::guard);
        let site_limit = || from_fn_with_state(state.clone(), site::limit_pages);
        match self {
            Route::Graphql => get(graphql_get)
                .post(graphql_post)
                .layer(middleware::from_fn(limit_body))
                .layer(public_limit())
                .layer(guard()),
            Route::GraphqlWs => get(graphql_ws).layer(public_limit()).layer(guard()),
            Route::MediaUpload => post(media::upload)
                .layer(DefaultBodyLimit::max(media::MAX_UPLOAD_BODY_BYTES))
                .layer(from_fn_with_state(state.clone(), require_session))
                .layer(guard()),
            Route::MediaBlob => get(media::blob),
            Route::IcalFeed => get(ical::feed).layer(public_limit()),
            Route::AdminRedirect => get(web::admin_redirect),
            Route::AdminShell | Route::AdminFiles => get(web::admin),
            Route::Healthz => get(healthz),
            Route::Readyz => get(readyz),
            Route::Metrics => get(metrics),
            Route::Robots => get(site::seo::robots).layer(site_limit()),
            Route::SiteAssets => get(site::assets::serve),
            Route::SiteTenant => get(site::pages::to_home).layer(site_limit()),
            Route::SiteHome => get(site::pages::home).layer(site_limit()),
            Route::SiteUnits => get(site::pages::units).layer(site_limit()),
            Route::SiteUnit => get(site::pages::unit).layer(site_limit()),
            Route::SiteEstimate => get(site::pages::estimate).layer(site_limit()),
            // Booking requests have their own, tighter limit (booking.rs).
            Route::SiteRequest => post(site::booking::request),
            Route::SiteSitemap => get(site::seo::sitemap).layer(site_limit()),
        }
    }
}

/// The table, in the router's order.
pub fn table() -> Vec<Spec> {
    Route::ALL.iter().map(|r| r.spec()).collect()
}

/// The routes of the table, each answer marked with its route's [`Surface`]
/// (for the security headers).
pub fn router(state: &AppState) -> Router<AppState> {
    Route::ALL.iter().fold(Router::new(), |router, route| {
        let spec = route.spec();
        let surface = spec.surface;
        let handler = route.handler(state).layer(middleware::map_response(
            move |mut response: Response| async move {
                // A handler may have said otherwise (GraphiQL is the app's page).
                if response.extensions().get::<Surface>().is_none() {
                    response.extensions_mut().insert(surface);
                }
                response
            },
        ));
        router.route(spec.path, handler)
    })
}

/// The table as JSON, for `berth schema routes`.
pub fn table_json() -> String {
    serde_json::to_string_pretty(&table()).unwrap_or_else(|_| unreachable!("plain data"))
}

/// Refuses a request to a [`Access::Session`] route unless its credential
/// (the bearer token, or the same-origin session cookie that `browser::guard`
/// found) verifies; hands the handler the viewer.
async fn require_session(
    State(state): State<AppState>,
    credential: Option<Extension<Credential>>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let viewer = match credential {
        Some(Extension(credential)) => state.bearer_verifies(&credential.token).await,
        None => Ok(None),
    };
    match viewer {
        Ok(Some(viewer)) => {
            request.extensions_mut().insert(viewer);
            next.run(request).await
        }
        Ok(None) => error_response(
            StatusCode::UNAUTHORIZED,
            MediaType::Json,
            ErrorCode::Unauthenticated,
            "sign in first",
        ),
        Err(e) => {
            tracing::warn!(error = ?e, "cannot check a credential for a signed-in route");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                MediaType::Json,
                ErrorCode::Internal,
                "the credential cannot be checked now; try again",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_one_path_and_public_ones_say_why() {
        let table = table();
        let mut paths: Vec<&str> = table.iter().map(|s| s.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), table.len(), "a path twice in the table");
        for spec in &table {
            assert!(!spec.why.trim().is_empty(), "{}", spec.path);
            assert!(!spec.methods.is_empty(), "{}", spec.path);
        }
    }

    /// The router is built from the table alone: nothing in `http/` or
    /// `serve.rs` (where the served router is made and run) adds a route of
    /// its own (`.route(`, `.nest(`, `.merge(`, `.fallback(`, …), which the e2e
    /// test that asks every route of the table could not see. (Workers' tests
    /// build loopback receivers of their own; those are never served.)
    #[test]
    fn no_route_is_added_outside_the_table() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut stack = vec![src.join("http"), src.join("serve.rs"), src.join("main.rs")];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap_or_else(|e| panic!("{path:?}: {e}")) {
                    stack.push(entry.unwrap_or_else(|e| panic!("{e}")).path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("http/routes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            for needle in [
                ".route(",
                ".route_service(",
                ".nest(",
                ".nest_service(",
                ".merge(",
                ".fallback(",
            ] {
                if text.contains(needle) {
                    offenders.push(format!("{}: {needle}", path.display()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes outside the table: {offenders:?}"
        );
    }
}
