//! The security headers of every answer berth gives over HTTP — pages, JSON,
//! GraphQL, files, feeds, refusals, and the 404 of a path no route serves —
//! set by one layer around the whole router (docs/decisions/0166-security-headers.md):
//!
//! - `Content-Security-Policy` by the route's [`Surface`] (the route table
//!   marks each answer): [`API_CSP`] (nothing may load or run; also the
//!   answer of no route), [`ADMIN_CSP`] (the admin app and GraphiQL), or
//!   [`SITE_CSP`] (the public site; a page with an interactive map adds its
//!   tile server's origin to `img-src` alone, by putting a [`TileOrigin`] on
//!   its answer). A policy a handler put on its answer is replaced: this is
//!   the one place policies are written.
//! - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for browsers
//!   without `frame-ancestors`, which every policy sets to `'none'`).
//! - `Referrer-Policy`: `same-origin` for the admin app, `no-referrer` for
//!   the API, `strict-origin-when-cross-origin` for the public site (tile
//!   servers ask for a referrer, and the businesses' own pages may learn that
//!   a visitor came from their site, never the path or its query).
//! - `Strict-Transport-Security: max-age=31536000` only on a request that
//!   came over HTTPS: berth speaks plain HTTP behind a TLS-terminating proxy,
//!   and believes that proxy's `X-Forwarded-Proto` only when the peer is one
//!   of `--trusted-proxy` (`browser::forwarded_origin`, decision 0003).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::http::browser::{Cidr, forwarded_origin};
use crate::http::routes::Surface;

/// The policy of data for programs (JSON, GraphQL answers, feeds, images,
/// metrics) and of any answer no route gave: nothing in it loads or runs.
pub const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of the admin app, GraphiQL and everything under `/admin/`:
/// scripts, styles, fonts, workers and connections from berth's own origin
/// only (styles may be inline: the component kit and GraphiQL's editor set
/// style attributes), no plugins, no framing.
pub const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; \
    base-uri 'self'; form-action 'self'; object-src 'none'";

/// The public site's policy: everything from berth's own origin, no inline
/// script or style (the JSON-LD blocks are `type="application/ld+json"`, data
/// that `script-src` does not govern), photos also from `https:` (a unit's
/// image URLs), no framing, forms post only here.
pub const SITE_CSP: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' https: data:; connect-src 'self'; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

/// `Strict-Transport-Security` over HTTPS: a year, this host only (berth
/// cannot know that every subdomain of its host, or of a business's own
/// domain, speaks HTTPS).
pub const HSTS: &str = "max-age=31536000";

/// On a site page's answer: the origin of the map's tile server
/// (`https://tile.example.org`), which its policy adds to `img-src`.
#[derive(Clone, Debug)]
pub struct TileOrigin(pub String);

/// The site's policy with `tile_origin` added to `img-src` and nowhere else:
/// Leaflet draws tiles as `<img>` elements, and its own script, stylesheet and
/// marker images come from berth (docs/decisions/0112).
pub fn site_csp_with_tiles(tile_origin: &str) -> String {
    SITE_CSP.replacen(
        "img-src 'self' https: data:;",
        &format!("img-src 'self' https: data: {tile_origin};"),
        1,
    )
}

/// The layer's configuration: which peers' `X-Forwarded-Proto` is believed.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    trusted_proxies: Arc<[Cidr]>,
}

impl SecurityHeaders {
    /// Believes `X-Forwarded-Proto` from `trusted_proxies` only.
    pub fn new(trusted_proxies: Vec<Cidr>) -> Self {
        Self {
            trusted_proxies: trusted_proxies.into(),
        }
    }

    /// Whether `request` came over HTTPS through a trusted proxy.
    fn https(&self, request: &Request) -> bool {
        let trusted = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(peer)| {
                self.trusted_proxies
                    .iter()
                    .any(|net| net.contains(peer.ip()))
            });
        forwarded_origin(request.headers(), request.uri(), trusted).0
    }
}

/// The layer's function: the headers on the answer to `request`.
pub async fn add_headers(
    State(config): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let https = config.https(&request);
    let mut response = next.run(request).await;
    let surface = response
        .extensions()
        .get::<Surface>()
        .copied()
        .unwrap_or(Surface::Api);
    let tiles = response.extensions().get::<TileOrigin>().cloned();
    secure(response.headers_mut(), surface, tiles.as_ref(), https);
    response
}

/// Puts the headers of an answer of `surface` on `headers`.
pub fn secure(headers: &mut HeaderMap, surface: Surface, tiles: Option<&TileOrigin>, https: bool) {
    let csp = match (surface, tiles) {
        (Surface::Site, Some(TileOrigin(origin))) => {
            HeaderValue::from_str(&site_csp_with_tiles(origin))
                // An origin that cannot be a header value (the profile's check
                // prevents it) leaves the site's policy.
                .unwrap_or(HeaderValue::from_static(SITE_CSP))
        }
        (Surface::Site, None) => HeaderValue::from_static(SITE_CSP),
        (Surface::AdminApp, _) => HeaderValue::from_static(ADMIN_CSP),
        (Surface::Api, _) => HeaderValue::from_static(API_CSP),
    };
    let referrer = match surface {
        Surface::Site => "strict-origin-when-cross-origin",
        Surface::AdminApp => "same-origin",
        Surface::Api => "no-referrer",
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    } else {
        headers.remove(header::STRICT_TRANSPORT_SECURITY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_policy_allows_inline_script_or_framing() {
        for csp in [API_CSP, ADMIN_CSP, SITE_CSP] {
            assert!(!csp.contains("unsafe-eval"), "{csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            let script = csp
                .split(';')
                .map(str::trim)
                .find(|d| d.starts_with("script-src") || d.starts_with("default-src"));
            assert!(
                script.is_some_and(|d| !d.contains("unsafe-inline")),
                "{csp}"
            );
        }
        assert!(!SITE_CSP.contains("unsafe-inline"));
    }

    #[test]
    fn a_map_adds_its_tile_origin_to_img_src_only() {
        let csp = site_csp_with_tiles("https://tile.example.org");
        assert!(
            csp.contains("img-src 'self' https: data: https://tile.example.org;"),
            "{csp}"
        );
        assert_eq!(csp.matches("tile.example.org").count(), 1, "{csp}");
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn hsts_only_over_https_and_a_handlers_policy_is_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src *"),
        );
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=1"),
        );
        secure(&mut headers, Surface::Site, None, false);
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], SITE_CSP);
        assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        secure(&mut headers, Surface::AdminApp, None, true);
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], ADMIN_CSP);
        assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        let tiles = TileOrigin("https://tile.example.org".to_owned());
        secure(&mut headers, Surface::Api, Some(&tiles), false);
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            API_CSP,
            "tiles are the site's only"
        );
    }
}
