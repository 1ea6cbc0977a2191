//! Browser sessions and the Origin check (docs/decisions/0002-browser-sessions.md).
//!
//! The admin app signs in with `signIn`, after which the server keeps the
//! session token in the `berth_session` cookie: HttpOnly (page scripts cannot
//! read it), SameSite=Strict (other sites' pages never make the browser send
//! it), Path=/, Secure when the request came over HTTPS, and a Max-Age of the
//! token's lifetime. `signOut` clears it.
//!
//! Every `/graphql` request and `/graphql/ws` upgrade passes [`guard`] first:
//!
//! - a request whose `Origin` header is present and is neither the server's own
//!   origin (the scheme it was reached over and its `Host`) nor one of
//!   `--cors-origin` is refused with 403 and a GraphQL-shaped FORBIDDEN error;
//! - its credential is the `Authorization: Bearer` token when there is one (an
//!   integrator's; exactly as before), else the session cookie — honoured only
//!   on a same-origin request (an `Origin` equal to the server's own, or none, as
//!   on a same-origin GET or from a non-browser client) that the browser does
//!   not mark as cross-site (`Sec-Fetch-Site`).
//!
//! The scheme is `https` only when the request came through a trusted proxy
//! (`--trusted-proxy`, by the peer's address) that says so in
//! `X-Forwarded-Proto`; such a proxy's `X-Forwarded-Host` also names the host.
//! berth itself speaks plain HTTP.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use berth_core::ErrorCode;
use chrono::{DateTime, Utc};

use crate::http::AppState;
use crate::http::graphql_http::{MediaType, error_response};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "berth_session";

/// The credential a request carries, as [`guard`] found it.
#[derive(Clone)]
pub struct Credential {
    /// The session token or API key.
    pub token: String,
    /// Whether it came from the session cookie (rather than `Authorization`).
    pub from_cookie: bool,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("from_cookie", &self.from_cookie)
            .finish_non_exhaustive()
    }
}

/// How a request reached the server, as [`guard`] found it.
#[derive(Clone, Copy, Debug)]
pub struct Reached {
    /// Over HTTPS (through a trusted proxy): cookies get `Secure`.
    pub https: bool,
}

/// A network of trusted proxies: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` lies in this network (an IPv4-mapped IPv6 address counts as
    /// its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    /// `ADDRESS` or `ADDRESS/PREFIX` (`10.0.0.0/8`, `172.18.0.1`, `fd00::/8`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or ADDRESS/PREFIX network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// The first value of a (possibly comma-separated) header, trimmed.
fn first_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Whether a request was reached over HTTPS, and the host it was sent to
/// (trimmed, lower-case): HTTPS only when it came through a `trusted` proxy
/// that says so in `X-Forwarded-Proto`; the host from such a proxy's
/// `X-Forwarded-Host`, else `Host`, else the URI's authority.
pub fn forwarded_origin(headers: &HeaderMap, uri: &Uri, trusted: bool) -> (bool, Option<String>) {
    let https = trusted
        && first_value(headers, "x-forwarded-proto")
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let forwarded_host = trusted
        .then(|| first_value(headers, "x-forwarded-host"))
        .flatten();
    let host = forwarded_host
        .or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))
        .map(|h| h.trim().to_ascii_lowercase())
        .or_else(|| {
            uri.authority()
                .map(|a| a.as_str().trim().to_ascii_lowercase())
        });
    (https, host)
}

/// The server's own origin as the request reached it (`scheme://host[:port]`,
/// lower-cased) and whether that was over HTTPS; `None` without a host.
fn own_origin(request: &Request, trusted: bool) -> (Option<String>, bool) {
    let (https, host) = forwarded_origin(request.headers(), request.uri(), trusted);
    let scheme = if https { "https" } else { "http" };
    let origin = host.map(|host| {
        // Browsers leave the scheme's default port out of `Origin`.
        let host = match (scheme, host.strip_suffix(":443"), host.strip_suffix(":80")) {
            ("https", Some(bare), _) | ("http", _, Some(bare)) => bare.to_owned(),
            _ => host,
        };
        format!("{scheme}://{host}")
    });
    (origin, https)
}

/// The session cookie's value among the request's `Cookie` headers.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"'))
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The Origin check and the request's credential (see the module's comment):
/// refuses a foreign origin with 403, and hands the handlers (and the public
/// rate limit) a [`Credential`] and a [`Reached`] in the request's extensions.
/// CORS preflights (OPTIONS) pass untouched: the CORS layer answers them.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let trusted = peer.is_some_and(|ip| state.trusted_proxies.iter().any(|net| net.contains(ip)));
    let (own, https) = own_origin(&request, trusted);
    let origin = request.headers().get(header::ORIGIN).map(|v| {
        v.to_str()
            .unwrap_or("(unreadable)")
            .trim()
            .to_ascii_lowercase()
    });
    let same_origin = match &origin {
        None => true,
        Some(origin) => own.as_deref() == Some(origin.as_str()),
    };
    if let Some(origin) = &origin
        && !same_origin
        && !state
            .cors_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed == origin)
    {
        tracing::info!(%origin, own = own.as_deref().unwrap_or("-"), "refused a cross-origin request");
        return forbidden_origin(origin);
    }
    // A browser that says the request is cross-site never gets its cookie used,
    // whatever the headers above say.
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| !matches!(site, "same-origin" | "none"));
    let headers = request.headers();
    let credential = match bearer_token(headers) {
        Some(token) => Some(Credential {
            token: token.to_owned(),
            from_cookie: false,
        }),
        None if same_origin && !cross_site => session_cookie(headers).map(|token| Credential {
            token: token.to_owned(),
            from_cookie: true,
        }),
        None => None,
    };
    if let Some(credential) = credential {
        request.extensions_mut().insert(credential);
    }
    request.extensions_mut().insert(Reached { https });
    next.run(request).await
}

/// 403 with a GraphQL-shaped FORBIDDEN error naming the refused origin.
fn forbidden_origin(origin: &str) -> Response {
    error_response(
        StatusCode::FORBIDDEN,
        MediaType::Json,
        ErrorCode::Forbidden,
        &format!(
            "requests from {origin} are refused: it is neither this server's origin nor one of its --cors-origin"
        ),
    )
}

/// The `Set-Cookie` value that keeps `token` until `expires_at` (`now` by the
/// engine's clock), or clears the cookie.
pub fn set_cookie(
    change: &berth_graphql::auth::CookieChange,
    https: bool,
    now: DateTime<Utc>,
) -> Option<HeaderValue> {
    use berth_graphql::auth::CookieChange;
    let secure = if https { "; Secure" } else { "" };
    let value = match change {
        CookieChange::Set { token, expires_at } => {
            // The token's remaining lifetime, to the nearest second.
            let max_age = ((*expires_at - now).num_milliseconds() + 500)
                .div_euclid(1000)
                .max(0);
            format!(
                "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
            )
        }
        CookieChange::Clear => {
            format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
        }
    };
    HeaderValue::from_str(&value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_graphql::auth::CookieChange;

    #[test]
    fn trusted_proxy_networks_are_parsed_and_matched() {
        let net: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one: Cidr = "172.18.0.1".parse().unwrap();
        assert!(one.contains("172.18.0.1".parse().unwrap()));
        assert!(!one.contains("172.18.0.2".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "fd00::/129", "example.com", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().uri("/graphql");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn the_own_origin_is_the_host_and_the_trusted_scheme() {
        let plain = request(&[
            ("host", "Berth.Example:8080"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            own_origin(&plain, false),
            (Some("http://berth.example:8080".to_owned()), false),
            "an untrusted peer's X-Forwarded-Proto is ignored"
        );
        let proxied = request(&[
            ("host", "berth:8080"),
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "book.example"),
        ]);
        assert_eq!(
            own_origin(&proxied, true),
            (Some("https://book.example".to_owned()), true)
        );
        let default_port = request(&[("host", "book.example:443"), ("x-forwarded-proto", "https")]);
        assert_eq!(
            own_origin(&default_port, true).0.as_deref(),
            Some("https://book.example")
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; berth_session=abc.def"),
        );
        assert_eq!(session_cookie(&headers), Some("abc.def"));
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("berth_session=; a=b"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("berth_session_x=1"),
        );
        assert_eq!(session_cookie(&headers), None);
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let set = CookieChange::Set {
            token: "t.o.k".to_owned(),
            expires_at: now + chrono::Duration::hours(12),
        };
        assert_eq!(
            set_cookie(&set, false, now).unwrap(),
            "berth_session=t.o.k; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            set_cookie(&CookieChange::Clear, true, now).unwrap(),
            "berth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
