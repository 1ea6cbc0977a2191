//! Own domains (docs/decisions/0099): `--site-host alpine.example=alpine-cabins`
//! makes `alpine.example` serve that tenant's site at `/` (`/units`,
//! `/units/{id}`, `/sitemap.xml`). The request's path is rewritten to the
//! tenant's (`/units` → `/alpine-cabins/units`) before routing, and the
//! handlers learn from [`OwnHost`] that links leave the slug out. The admin
//! app, the API and the other reserved segments keep their paths on every host.
//!
//! Where pages link to themselves (canonical URLs, the sitemap, OpenGraph) the
//! origin is the request's own — its scheme and host as `--trusted-proxy`
//! reports them, see `browser.rs` — except for a tenant with a domain of its
//! own: its canonical address is always on that domain, so the two ways to
//! reach its pages never compete in search engines (docs/decisions/0087).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::{Extensions, HeaderMap, Uri};

use crate::http::browser::{Cidr, forwarded_origin};

/// The first path segments that never name a tenant (DESIGN.md).
pub const RESERVED_SEGMENTS: [&str; 8] = [
    "admin", "graphql", "ical", "media", "healthz", "readyz", "metrics", "assets",
];

/// Host → tenant slug, both lower-case.
#[derive(Clone, Debug, Default)]
pub struct HostMap {
    by_host: Arc<HashMap<String, String>>,
}

/// The request came to a tenant's own domain.
#[derive(Clone, Copy, Debug)]
pub struct OwnHost;

impl HostMap {
    /// The map from `HOST=SLUG` entries (checked by [`parse_entry`]).
    pub fn new(entries: &[String]) -> Self {
        let by_host = entries
            .iter()
            .filter_map(|e| parse_entry(e).ok().flatten())
            .collect();
        Self {
            by_host: Arc::new(by_host),
        }
    }

    /// The tenant served at `host` (a port is ignored), if any.
    pub fn tenant_of(&self, host: &str) -> Option<&str> {
        self.by_host.get(&bare_host(host)).map(String::as_str)
    }

    /// The domain of `tenant`, if it has one (the first configured).
    pub fn host_of(&self, tenant: &str) -> Option<&str> {
        let mut hosts: Vec<&String> = self
            .by_host
            .iter()
            .filter(|(_, slug)| *slug == tenant)
            .map(|(host, _)| host)
            .collect();
        hosts.sort();
        hosts.first().map(|h| h.as_str())
    }

    /// Whether no host is mapped.
    pub fn is_empty(&self) -> bool {
        self.by_host.is_empty()
    }
}

/// Checks one `--site-host HOST=SLUG` (an empty value is ignored: `None`).
pub fn parse_entry(entry: &str) -> Result<Option<(String, String)>, String> {
    let entry = entry.trim();
    if entry.is_empty() {
        return Ok(None);
    }
    let Some((host, slug)) = entry.split_once('=') else {
        return Err(format!(
            "`{entry}` is not HOST=TENANT, e.g. alpine.example=alpine-cabins"
        ));
    };
    let host = host.trim().to_ascii_lowercase();
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    if !host_ok {
        return Err(format!(
            "`{host}` is not a host name (letters, digits, '.' and '-', no port)"
        ));
    }
    let slug = slug.trim();
    slug.parse::<berth_core::tenant::TenantSlug>()
        .map_err(|e| e.to_string())?;
    Ok(Some((host, slug.to_owned())))
}

/// `host` without its port, lower-case.
fn bare_host(host: &str) -> String {
    let host = host.trim();
    let without_port = if let Some(end) = host.strip_prefix('[').and_then(|h| h.find(']')) {
        &host[..end + 2]
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    without_port.to_ascii_lowercase()
}

/// The scheme and host a request was reached at: `https` only through a
/// trusted proxy that says so in `X-Forwarded-Proto`; the host from such a
/// proxy's `X-Forwarded-Host`, else `Host`.
pub fn origin_parts(
    headers: &HeaderMap,
    extensions: &Extensions,
    uri: &Uri,
    trusted_proxies: &[Cidr],
) -> (&'static str, Option<String>) {
    let trusted = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| trusted_proxies.iter().any(|n| n.contains(addr.ip())));
    let (https, host) = forwarded_origin(headers, uri, trusted);
    (if https { "https" } else { "http" }, host)
}

/// Rewrites a request to a mapped host into its tenant's path, marking it
/// [`OwnHost`]. Reserved segments and `/robots.txt` keep their paths.
pub fn rewrite(hosts: &HostMap, trusted_proxies: &[Cidr], mut request: Request) -> Request {
    if hosts.is_empty() {
        return request;
    }
    let (_, host) = origin_parts(
        request.headers(),
        request.extensions(),
        request.uri(),
        trusted_proxies,
    );
    let Some(host) = host else {
        return request;
    };
    let Some(tenant) = hosts.tenant_of(&host) else {
        return request;
    };
    let path = request.uri().path();
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if RESERVED_SEGMENTS.contains(&first) || path == "/robots.txt" {
        return request;
    }
    let new_path = format!("/{tenant}{path}");
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{new_path}?{query}"),
        None => new_path,
    };
    let mut parts = request.uri().clone().into_parts();
    let Ok(path_and_query) = path_and_query.parse() else {
        return request;
    };
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
        request.extensions_mut().insert(OwnHost);
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_host_equals_slug() {
        assert_eq!(
            parse_entry("Alpine.Example=alpine-cabins"),
            Ok(Some(("alpine.example".into(), "alpine-cabins".into())))
        );
        assert_eq!(parse_entry(" "), Ok(None));
        assert!(parse_entry("alpine.example").is_err());
        assert!(parse_entry("alpine.example:8080=alpine-cabins").is_err());
        assert!(parse_entry("alpine.example=Alpine Cabins").is_err());
    }

    #[test]
    fn hosts_match_without_their_port() {
        let map = HostMap::new(&["alpine.example=alpine-cabins".into()]);
        assert_eq!(map.tenant_of("alpine.example:8080"), Some("alpine-cabins"));
        assert_eq!(map.tenant_of("ALPINE.example"), Some("alpine-cabins"));
        assert_eq!(map.tenant_of("other.example"), None);
        assert_eq!(map.host_of("alpine-cabins"), Some("alpine.example"));
    }

    #[test]
    fn mapped_hosts_reach_the_tenants_paths_but_not_reserved_ones() {
        let map = HostMap::new(&["alpine.example=alpine-cabins".into()]);
        let go = |path: &str| {
            let request = Request::builder()
                .uri(path)
                .header("host", "alpine.example")
                .body(axum::body::Body::empty())
                .unwrap();
            let request = rewrite(&map, &[], request);
            (
                request.uri().to_string(),
                request.extensions().get::<OwnHost>().is_some(),
            )
        };
        assert_eq!(go("/"), ("/alpine-cabins/".into(), true));
        assert_eq!(go("/units?x=1"), ("/alpine-cabins/units?x=1".into(), true));
        assert_eq!(go("/admin/"), ("/admin/".into(), false));
        assert_eq!(go("/robots.txt"), ("/robots.txt".into(), false));
        assert_eq!(go("/assets/site.css"), ("/assets/site.css".into(), false));
    }
}
