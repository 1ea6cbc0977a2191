//! The public site's pages (issue 20): how long `berth serve` takes to answer
//! a unit page (budget: ≤ 2 ms at the median, not counting its quote), the same
//! page with an estimate (one quote), and the catalog (its "from" prices are
//! availability searches; docs/decisions/0089).
//!
//! Setup: a fresh `berth serve --demo` (the binary this `cargo bench` built, in
//! the bench's profile) on a temp SQLite file, the public rate limit off, log
//! level warn. One HTTP/1.1 keep-alive connection over loopback sends each
//! request after the previous answer was read whole (`Content-Length`): a
//! sample is from the request's write to the answer's last byte, so it
//! includes loopback and parsing on both sides, which is tens of microseconds.
//! Each page gets `BERTH_BENCH_WARMUP` requests (20) first, then
//! `BERTH_BENCH_REQUESTS` (300) measured ones; the table shows p50 and p99
//! (nearest rank). The unit page is the alpine-cabins Birch Cabin: tenant,
//! profile, unit, photos and three months of availability (one occupancy read),
//! rendered; no quote.
//!
//! Run with `cargo bench -p berth --bench site_pages`.

// A bench is a program whose failures should stop it loudly.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one sample asks: a GET of a path, or a POST of a JSON body.
#[derive(Clone)]
enum Ask {
    Get(String),
    Post(String, String),
}

/// Sends one request over `stream` and reads the whole answer; returns its
/// status.
fn send(stream: &mut BufReader<TcpStream>, host: &str, ask: &Ask) -> u16 {
    let request = match ask {
        Ask::Get(path) => format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        Ask::Post(path, body) => format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Accept: application/graphql-response+json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    };
    stream.get_mut().write_all(request.as_bytes()).unwrap();
    let mut status_line = String::new();
    stream.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    status
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let warmup = env_number("BERTH_BENCH_WARMUP", 20);
    let requests = env_number("BERTH_BENCH_REQUESTS", 300);
    if cfg!(debug_assertions) {
        eprintln!("!! built with debug assertions: numbers are not representative");
    }
    let dir = std::env::temp_dir().join(format!("berth-site-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tenants = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .env("RUST_LOG", "warn")
        .arg("serve")
        .args([
            "--listen",
            "127.0.0.1:0",
            "--demo",
            "--public-rate-limit",
            "0",
        ])
        .arg("--database-url")
        .arg(format!("sqlite:{}", dir.join("berth.db").display()))
        .arg("--tenants")
        .arg(&tenants)
        .arg("--secret-file")
        .arg(dir.join("jwt-secret"))
        .arg("--secrets-key-file")
        .arg(dir.join("secrets-key"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "berth exited");
        if let Some(addr) = line.trim().strip_prefix("berth listening on http://") {
            break addr.to_owned();
        }
    };
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stdout.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });

    let mut conn = BufReader::new(TcpStream::connect(&addr).unwrap());
    conn.get_mut().set_nodelay(true).unwrap();
    // The unit's id, from the sitemap.
    let request = format!(
        "GET /alpine-cabins/sitemap.xml HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut sitemap = String::new();
    let mut once = TcpStream::connect(&addr).unwrap();
    once.write_all(request.as_bytes()).unwrap();
    once.read_to_string(&mut sitemap).unwrap();
    let unit = sitemap
        .split("/units/")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    let today = chrono::Utc::now().date_naive();
    let mut monday = today + chrono::Days::new(60);
    while chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
        monday = monday + chrono::Days::new(1);
    }
    // The baseline: the same unit's data as JSON from the GraphQL API (what a
    // single-page app would fetch instead of the page), over the same
    // connection in the same run.
    let graphql = format!(
        r#"{{"query":"{{ tenant(slug: \"alpine-cabins\") {{ name profile {{ description phone email }} }} unit(tenant: \"alpine-cabins\", id: \"{unit}\") {{ id name kind inventory maxGuests description amenities images {{ url srcset alt }} }} }}"}}"#
    );
    let pages = [
        (
            "baseline: the unit's data as GraphQL JSON",
            Ask::Post("/graphql".to_owned(), graphql),
        ),
        (
            "unit page (no quote)",
            Ask::Get(format!("/alpine-cabins/units/{unit}")),
        ),
        (
            "unit page with an estimate (one quote)",
            Ask::Get(format!(
                "/alpine-cabins/units/{unit}?checkIn={monday}&nights=3&guests=2"
            )),
        ),
        (
            "catalog (from prices)",
            Ask::Get("/alpine-cabins/units".to_owned()),
        ),
        ("home (from prices)", Ask::Get("/alpine-cabins/".to_owned())),
    ];
    println!(
        "site_pages: {requests} sequential requests per page, keep-alive, after {warmup} warm-up"
    );
    println!("| page | p50 | p10–p90 | p99 | p50 / baseline |");
    println!("|---|---:|---:|---:|---:|");
    let mut baseline = None;
    for (name, ask) in pages {
        for _ in 0..warmup {
            assert_eq!(send(&mut conn, &addr, &ask), 200, "{name}");
        }
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let started = Instant::now();
            assert_eq!(send(&mut conn, &addr, &ask), 200, "{name}");
            samples.push(started.elapsed());
        }
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let p50 = ms(percentile(&samples, 50.0));
        let base = *baseline.get_or_insert(p50);
        println!(
            "| {name} | {p50:.2} ms | {:.2}–{:.2} ms | {:.2} ms | {:.2} |",
            ms(percentile(&samples, 10.0)),
            ms(percentile(&samples, 90.0)),
            ms(percentile(&samples, 99.0)),
            p50 / base
        );
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
