//! The client's address, which the rate limits count by: the TCP peer, or —
//! when the peer is a trusted proxy (`--trusted-proxy`, decision 0003) — the
//! address that proxy reports in `X-Forwarded-For`. Without this every client
//! behind the TLS proxy of a deployment would share the proxy's allowance.
//!
//! `X-Forwarded-For` lists the hops a request came through, the nearest last;
//! every proxy appends the address it was reached from. Only the entries
//! appended by trusted proxies are believed: the list is read from the right,
//! past entries that are themselves trusted proxies, and the first other
//! address is the client. Whatever a client wrote into the header itself lies
//! to the left of that and is never reached, so a client cannot pick the
//! address it is counted under. An entry that is not an address stops the
//! walk at the proxy that reported it (its clients share its allowance).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::http::AppState;
use crate::http::browser::Cidr;

/// The address a request is counted under, in its extensions (absent when
/// the router runs without a peer address, in-process).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Middleware: finds the request's [`ClientAddress`] once, for every limit.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let client = client_address(peer.ip(), request.headers(), &state.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

/// The client behind `peer`: `peer` itself unless it is in `trusted`, else
/// the nearest `X-Forwarded-For` entry that is not a trusted proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// An entry of `X-Forwarded-For`: an address, an IPv4 address with a port,
/// or a bracketed IPv6 address with or without a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn trusted() -> Vec<Cidr> {
        vec!["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()]
    }

    #[test]
    fn only_a_trusted_proxy_is_believed() {
        let forwarded = headers(&["203.0.113.5"]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &forwarded, &trusted()),
            ip("198.51.100.7"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &forwarded, &trusted()),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &HeaderMap::new(), &trusted()),
            ip("10.0.0.2"),
            "a proxy that says nothing is the client"
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &forwarded, &[]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_and_what_the_client_wrote_is_ignored() {
        // The client wrote 1.1.1.1 itself; the edge proxy appended the address
        // it saw (203.0.113.9); an inner proxy (10.1.1.1) appended the edge's.
        let forwarded = headers(&["1.1.1.1, 203.0.113.9", "10.1.1.1"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &forwarded, &trusted()),
            ip("203.0.113.9")
        );
        // Ports and brackets as some proxies write them.
        assert_eq!(
            client_address(ip("10.0.0.2"), &headers(&["203.0.113.9:4711"]), &trusted()),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("fd00::1"), &headers(&["[2001:db8::7]:443"]), &trusted()),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(ip("fd00::1"), &headers(&["[2001:db8::8]"]), &trusted()),
            ip("2001:db8::8")
        );
        // Garbage stops the walk at the proxy that reported it.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &headers(&["203.0.113.9, unknown"]),
                &trusted()
            ),
            ip("10.0.0.2")
        );
        // Only proxies: the farthest one is the client.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &headers(&["10.9.9.9, 10.1.1.1"]),
                &trusted()
            ),
            ip("10.9.9.9")
        );
    }
}
