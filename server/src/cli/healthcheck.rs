//! `berth healthcheck`: asks a running berth for `/healthz` (or `/readyz`) over
//! loopback and succeeds only on a 200 answer. It is the container image's
//! HEALTHCHECK, so the runtime image needs no curl, and it reads the same
//! `BERTH_LISTEN` as `berth serve`, so the check follows the configured port.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::Context;
use clap::Args;

/// Arguments of `berth healthcheck`.
#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The address berth listens on (as for `serve`); an unspecified address
    /// (0.0.0.0, [::]) is asked on the loopback address of its family.
    #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The path to ask: `/healthz` (the process answers) or `/readyz` (the
    /// database is reachable and the policies are loaded).
    #[arg(long, default_value = "/healthz", value_parser = parse_path)]
    pub path: String,
    /// Seconds to wait for connecting and for the answer, each.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout: u64,
}

/// A request path: starts with `/`, visible ASCII only (nothing that could end
/// the request line).
fn parse_path(value: &str) -> Result<String, String> {
    if value.starts_with('/') && value.chars().all(|c| c.is_ascii_graphic()) {
        Ok(value.to_owned())
    } else {
        Err(format!("`{value}` is not a path such as /healthz"))
    }
}

/// Where to connect: the listen address, with an unspecified IP replaced by
/// loopback.
fn target(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// The status code of an HTTP/1 response's status line.
fn status_of(head: &str) -> Option<u16> {
    let mut parts = head.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// Runs the check; `Ok(true)` on 200, `Ok(false)` on any other status, an error
/// when berth cannot be reached or does not answer in time.
pub fn run(args: &HealthcheckArgs) -> anyhow::Result<bool> {
    let addr = target(args.listen);
    let timeout = Duration::from_secs(args.timeout);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: berth-healthcheck\r\nConnection: close\r\n\r\n",
        args.path
    );
    stream
        .write_all(request.as_bytes())
        .with_context(|| format!("sending GET {} to {addr}", args.path))?;
    // The status line is all that is needed; read at most 1 KiB for it.
    let mut head = Vec::with_capacity(256);
    let mut buf = [0_u8; 256];
    while !head.contains(&b'\n') && head.len() < 1024 {
        let n = stream
            .read(&mut buf)
            .with_context(|| format!("reading the answer of {addr}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let line = head.lines().next().unwrap_or_default();
    let status =
        status_of(line).with_context(|| format!("{addr} did not answer with HTTP: {line:?}"))?;
    if status == 200 {
        println!("healthy: GET http://{addr}{} answered 200", args.path);
        Ok(true)
    } else {
        println!(
            "unhealthy: GET http://{addr}{} answered {status}",
            args.path
        );
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_are_asked_on_loopback() {
        let parse = |s: &str| {
            s.parse::<SocketAddr>()
                .unwrap_or_else(|e| panic!("{s}: {e}"))
        };
        assert_eq!(target(parse("0.0.0.0:8080")), parse("127.0.0.1:8080"));
        assert_eq!(target(parse("[::]:9000")), parse("[::1]:9000"));
        assert_eq!(target(parse("10.1.2.3:8080")), parse("10.1.2.3:8080"));
    }

    #[test]
    fn paths_and_status_lines_are_checked() {
        assert_eq!(parse_path("/readyz"), Ok("/readyz".to_owned()));
        for bad in ["healthz", "/a b", "/x\r\nHost: y", ""] {
            assert!(parse_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(status_of("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(status_of("HTTP/1.0 503 Service Unavailable"), Some(503));
        assert_eq!(status_of("SSH-2.0-OpenSSH"), None);
        assert_eq!(status_of(""), None);
    }
}
