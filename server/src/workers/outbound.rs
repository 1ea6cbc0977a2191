//! Outbound HTTP for the workers (webhooks and web push POST; calendar syncs
//! GET): resolve the target's host, refuse private addresses (unless the
//! operator allows them), connect, TLS for https (rustls with ring and the
//! webpki roots), one HTTP/1.1 request. A POST reports the response status and
//! follows no redirect; a GET reads a body of bounded size and follows up to
//! three redirects, each target checked like the first. One connection per
//! request, everything under one timeout. The targets are tenant or browser
//! input, so this is the one place that decides which addresses berth calls.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use berth_core::webhook::AttemptResult;
use bytes::Bytes;
use http_body_util::Full;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::header::{HOST, HeaderMap, LOCATION};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

/// Posts to http(s) endpoints.
#[derive(Clone)]
pub struct Outbound {
    tls: TlsConnector,
    timeout: Duration,
    allow_private: bool,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("timeout", &self.timeout)
            .field("allow_private", &self.allow_private)
            .finish_non_exhaustive()
    }
}

impl Outbound {
    /// A client that gives each request `timeout` (resolving, connecting, TLS,
    /// request and response head); with `allow_private`, loopback and private
    /// network addresses may be called too.
    pub fn new(timeout: Duration, allow_private: bool) -> Self {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Self {
            tls: TlsConnector::from(Arc::new(config)),
            timeout,
            allow_private,
        }
    }

    /// POSTs `body` with `headers` (`host` is set from the URL) to `url`: the
    /// endpoint's status, or why there was none.
    pub async fn post(&self, url: &str, headers: HeaderMap, body: Bytes) -> AttemptResult {
        match tokio::time::timeout(self.timeout, self.try_post(url, headers, body)).await {
            Ok(Ok(status)) => AttemptResult::Response(status),
            Ok(Err(why)) => AttemptResult::Error(why),
            Err(_) => AttemptResult::Error(self.too_slow()),
        }
    }

    async fn try_post(&self, url: &str, headers: HeaderMap, body: Bytes) -> Result<u16, String> {
        let (io, mut request) = self.open(url, Method::POST, Full::new(body)).await?;
        request.headers_mut().extend(headers);
        exchange(io, request).await
    }

    /// GETs `url` with `headers`, following up to [`MAX_REDIRECTS`] redirects:
    /// the final response's status, headers and body (at most `max_body`
    /// bytes), or why there was none.
    pub async fn get(
        &self,
        url: &str,
        headers: HeaderMap,
        max_body: usize,
    ) -> Result<Fetched, String> {
        tokio::time::timeout(self.timeout, self.try_get(url, headers, max_body))
            .await
            .unwrap_or_else(|_| Err(self.too_slow()))
    }

    async fn try_get(
        &self,
        url: &str,
        headers: HeaderMap,
        max_body: usize,
    ) -> Result<Fetched, String> {
        let mut url = url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let (io, mut request) = self
                .open(&url, Method::GET, Full::new(Bytes::new()))
                .await?;
            request.headers_mut().extend(headers.clone());
            let fetched = read_response(io, request, max_body).await?;
            if !fetched.status.is_redirection() || fetched.status == StatusCode::NOT_MODIFIED {
                return Ok(fetched);
            }
            let location = fetched
                .headers
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| format!("HTTP {} without a Location", fetched.status.as_u16()))?;
            url = redirect_target(&url, location)?;
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }

    fn too_slow(&self) -> String {
        format!("no response within {} s", self.timeout.as_secs_f64())
    }

    /// A connection to `url`'s host (TLS for https) and the request to send on
    /// it, `host` set.
    async fn open(
        &self,
        url: &str,
        method: Method,
        body: Full<Bytes>,
    ) -> Result<(Box<dyn Io>, Request<Full<Bytes>>), String> {
        let uri: hyper::Uri = url.parse().map_err(|e| format!("unusable URL: {e}"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err("only http and https URLs can be called".to_owned()),
        };
        let host = uri.host().ok_or("the URL has no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = uri.authority().map_or(host, |a| a.as_str()).to_owned();
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, authority)
            .body(body)
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let targets = self.resolve(host, port).await?;
        let stream = connect(&targets).await?;
        if https {
            let name = ServerName::try_from(host.to_owned())
                .map_err(|_| format!("`{host}` is not a valid TLS server name"))?;
            let tls = self
                .tls
                .connect(name, stream)
                .await
                .map_err(|e| format!("TLS handshake failed: {e}"))?;
            Ok((Box::new(tls), request))
        } else {
            Ok((Box::new(stream), request))
        }
    }

    /// The addresses `host` stands for that may be called.
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        let all: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("cannot resolve `{host}`: {e}"))?
                .collect(),
        };
        let allowed: Vec<SocketAddr> = all
            .iter()
            .copied()
            .filter(|a| self.allow_private || is_public(a.ip()))
            .collect();
        match (all.is_empty(), allowed.is_empty()) {
            (true, _) => Err(format!("`{host}` resolves to no address")),
            (false, true) => Err(format!(
                "`{host}` resolves only to non-public addresses ({}); refused",
                all.iter()
                    .map(|a| a.ip().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (false, false) => Ok(allowed),
        }
    }
}

async fn connect(targets: &[SocketAddr]) -> Result<TcpStream, String> {
    let mut last = String::from("no address to connect to");
    for target in targets {
        match TcpStream::connect(target).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = format!("cannot connect to {target}: {e}"),
        }
    }
    Err(last)
}

/// A connection to call over: plain TCP or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// Redirects a GET follows.
pub const MAX_REDIRECTS: usize = 3;

/// A GET's final response.
#[derive(Debug)]
pub struct Fetched {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body (empty for a redirect or a 304).
    pub body: Bytes,
}

/// One request on a fresh HTTP/1.1 connection; the connection is driven
/// alongside and dropped with the response (nothing is spawned, so a timeout
/// leaves nothing behind).
async fn exchange(io: Box<dyn Io>, request: Request<Full<Bytes>>) -> Result<u16, String> {
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP handshake failed: {e}"))?;
    let mut connection = std::pin::pin!(connection);
    let response = tokio::select! {
        response = sender.send_request(request) => response,
        closed = &mut connection => {
            return Err(match closed {
                Ok(()) => "the connection closed before a response".to_owned(),
                Err(e) => format!("the connection failed: {e}"),
            });
        }
    };
    response
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("no HTTP response: {e}"))
}

/// One request and its whole response (the body read up to `max_body`
/// bytes; a redirect's or a 304's is not read), the connection driven
/// alongside.
async fn read_response(
    io: Box<dyn Io>,
    request: Request<Full<Bytes>>,
    max_body: usize,
) -> Result<Fetched, String> {
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP handshake failed: {e}"))?;
    let work = async move {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("no HTTP response: {e}"))?;
        let (parts, body) = response.into_parts();
        let body = if parts.status.is_redirection() {
            Bytes::new()
        } else {
            Limited::new(body, max_body)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<LengthLimitError>() {
                        format!("the response is larger than {} KiB", max_body / 1024)
                    } else {
                        format!("the response body failed: {e}")
                    }
                })?
                .to_bytes()
        };
        Ok::<_, String>(Fetched {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    let mut work = std::pin::pin!(work);
    let mut connection = std::pin::pin!(connection);
    let mut connection_done = false;
    loop {
        tokio::select! {
            fetched = &mut work => return fetched,
            closed = &mut connection, if !connection_done => {
                // A connection that ended cleanly may still have handed its
                // last bytes to the body: keep reading.
                connection_done = true;
                if let Err(e) = closed {
                    return Err(format!("the connection failed: {e}"));
                }
            }
        }
    }
}

/// Where a redirect from `from` to `location` goes: an absolute http(s) URL,
/// or a path on the same origin.
fn redirect_target(from: &str, location: &str) -> Result<String, String> {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(location.to_owned());
    }
    if location.starts_with('/') && !location.starts_with("//") {
        let uri: hyper::Uri = from.parse().map_err(|e| format!("unusable URL: {e}"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err("unusable URL".to_owned());
        };
        return Ok(format!("{scheme}://{authority}{location}"));
    }
    Err(format!(
        "a redirect to `{}` is not followed (only http, https and absolute paths)",
        location.chars().take(80).collect::<String>()
    ))
}

/// Whether `ip` is on the public internet: not loopback, private, link-local,
/// shared (CGNAT), unspecified, multicast, broadcast, documentation, benchmarking
/// or reserved. Webhook URLs and push endpoints are tenant or browser input, so
/// by default they may not reach the operator's own network (cloud metadata
/// services included).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_go_to_http_urls_or_paths_of_the_same_origin() {
        let from = "https://cal.example.org:8443/a/b.ics?s=1";
        assert_eq!(
            redirect_target(from, "/c.ics").unwrap(),
            "https://cal.example.org:8443/c.ics"
        );
        assert_eq!(
            redirect_target(from, "http://other.example.org/x").unwrap(),
            "http://other.example.org/x"
        );
        for refused in [
            "//evil.example.org/x",
            "ftp://x/y",
            "c.ics",
            "file:///etc/passwd",
        ] {
            assert!(redirect_target(from, refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.215.14",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
