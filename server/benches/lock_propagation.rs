//! Lock propagation: how long a lock event takes from `acquireLock` returning to
//! its arrival at every subscriber of `lockEvents`, with 1, 100 and 1,000
//! concurrent subscribers on one `berth serve` instance (10,000 on request,
//! `BERTH_BENCH_SUBSCRIBERS=1000,10000`; issue 25 asks p99 ≤ 100 ms there, and
//! the server ≤ 250 MB resident: the latency table's last column); how many lock events per
//! second that instance sustains to all of them; and how much memory an idle
//! subscription costs. DESIGN.md's budgets: p99 ≤ 20 ms at 1,000 subscribers, and
//! an idle server with the four demo tenants in ≤ 60 MB resident.
//!
//! Setup. Every measurement starts a fresh `berth serve --demo` (the binary this
//! `cargo bench` built, in the same profile as the bench itself) over the example
//! tenants, on a fresh database: a temp SQLite file, or a fresh PostgreSQL
//! database from `berth_core::testing` (connected as a role that row-level
//! security applies to) when `BERTH_TEST_POSTGRES_URL` is set. The server keeps
//! its defaults (log level info, to a file; the public rate limit on). The bench
//! signs in as the alpine-cabins demo admin; everything happens in that tenant.
//!
//! Subscribers. N WebSocket connections (graphql-transport-ws, the token in
//! `connection_init` and also in the upgrade's `Authorization` header, so the
//! upgrades are not counted as public requests), each with one
//! `subscription { lockEvents { kind lock { id } } }`, all tasks in this process.
//! The client side is made light because at 10,000 subscribers it competes with
//! the server for the same 2 cores: the WebSocket client is a few lines over a
//! plain `TcpStream` (the upgrade written by hand, frames masked on the way out
//! and read without a library on the way in) instead of tokio-tungstenite, which
//! cost a message allocation, UTF-8 validation and a sink per frame and a
//! zero-filled read buffer per read. A subscriber task per connection waits on
//! its socket (epoll through tokio: an idle socket costs nothing); per read it
//! takes the time once, cuts the frames out of the bytes, keeps each `next`
//! frame's payload and counts it; frames are parsed after the run. It answers
//! the server's keep-alive pings. Before opening them the bench raises its
//! open-file limit (RLIMIT_NOFILE) to the hard limit, which the spawned server
//! inherits: each subscriber is a socket on both sides.
//!
//! Acquirer. Acquires and releases go over HTTP/1.1 keep-alive POSTs to
//! /graphql, one connection per acquirer, signed in as the demo admin, each on its
//! own unit and period (no conflicts).
//!
//! Latency (the table's p50/p99). Paced cycles: acquire a lock; wait until all N
//! subscribers have received an event; release it; wait again; next cycle. So the
//! server is otherwise idle when each lock is taken. A sample is, per subscriber
//! and per ACQUIRED event, the time from the moment the acquireLock HTTP response
//! was fully read by the acquirer to the moment that subscriber read the event's
//! frame, on the same monotonic clock. It is signed: the event can overtake the
//! response (the feed wakes on the commit, as the response is being written); the
//! table counts how often it did. p50 and p99 are over all samples of all runs
//! (nearest rank). Each configuration first runs warm-up cycles until every
//! subscriber has received events (the subscription is live), then
//! `BERTH_BENCH_REPEATS` runs of `BERTH_BENCH_LOCKS` cycles each.
//!
//! Sustained throughput. `BERTH_BENCH_ACQUIRERS` acquirers acquire and release as
//! fast as their responses come back for a warm-up and then a window; lock events/s
//! counts the acquires and releases whose response arrived in the window (each is
//! one event), delivered/s counts the frames subscribers read in the window divided
//! by N (so equal to lock events/s when delivery keeps up); the table also shows
//! the p99 latency of the window's ACQUIRED events under that load, and how long
//! after the last acquirer stopped the subscribers had every event ("drain").
//! Median of the runs.
//!
//! Memory. A fresh server, left idle for 2 s before any request: its resident
//! memory (VmRSS from /proc/<pid>/status) is the idle-server figure. Then the
//! admin signs in (one password verification) and, after a second of idle, the
//! RSS is read again: the baseline. Then M connections are opened and
//! initialised (no subscription), then each subscribes, and after each step and
//! a second or two of idle the RSS is read again: per connection = (RSS with M
//! connections − baseline) / M; per idle subscription = (RSS with M subscribed
//! connections − baseline) / M, the connection included. One event delivered to
//! all of them (which also proves they were live) and RSS is read a last time.
//!
//! The clients and the server share the machine's CPUs (2 on the reference
//! machine), so subscriber-side work (reading 1,000 frames per event) competes
//! with the server's; the table reports the CPU each side used in the sustained
//! runs. On Linux each run also measures the CPU that other processes used
//! meanwhile, and a run where they used more than 0.2 of a core is discarded and
//! repeated (at most `BERTH_BENCH_RETRIES` times per invocation).
//!
//! Run it with `scripts/bench --locks` (starts a throwaway PostgreSQL server) or
//! `cargo bench -p berth --bench lock_propagation`. Knobs (environment variables):
//! `BERTH_BENCH_SUBSCRIBERS` (`1,100,1000`; empty: memory only),
//! `BERTH_BENCH_LOCKS` (paced cycles per latency run, 200), `BERTH_BENCH_REPEATS`
//! (3), `BERTH_BENCH_SECS` (sustained window, 3), `BERTH_BENCH_WARMUP_SECS` (0.5),
//! `BERTH_BENCH_ACQUIRERS` (4), `BERTH_BENCH_SUSTAINED_MAX` (1000: rows with more
//! subscribers get no sustained runs, whose backlog of frames would be kept
//! here in memory),
//! `BERTH_BENCH_MEMORY_SUBSCRIBERS` (1000; 0 skips the memory measurement),
//! `BERTH_BENCH_BACKENDS` (`sqlite,postgres`) and `BERTH_BENCH_RETRIES` (6).
//! `BERTH_BENCH_BASELINE_BINARY` (a path to another `berth` build, say of an
//! earlier commit): every row is measured for it too, in the same run, just
//! before this build's (the memory rows with the ratio of this build to it).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use berth_core::bench::{Machine, MachineTicks, process_ticks, server_ticks, ticks_between};
use bytes::{Bytes, BytesMut};
use futures_util::stream::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The subscriber counts measured by default.
const SUBSCRIBER_COUNTS: [usize; 3] = [1, 100, 1000];
/// The command this benchmark is meant to be run with.
const COMMAND: &str = "cargo bench -p berth --bench lock_propagation";
/// The demo tenant the bench works in (nightly: periods are check-in/check-out).
const TENANT: &str = "alpine-cabins";
/// The subscription every subscriber runs.
const SUBSCRIPTION: &str = "subscription { lockEvents { kind lock { id } } }";
const ACQUIRE: &str = "mutation($u: ID!, $in: Date!, $out: Date!) { acquireLock(input: {unitId: $u, period: {checkIn: $in, checkOut: $out}}, ttlSeconds: 60) { id } }";
const RELEASE: &str = "mutation($id: ID!) { releaseLock(id: $id) { id } }";
/// Above this many CPU cores used by other processes during a run, the run is
/// considered disturbed and repeated.
const BUSY_CORES: f64 = 0.2;
/// How many subscriber connections are being opened at once.
const OPENING_AT_ONCE: usize = 32;
/// How long one event may take to reach every subscriber before it is counted
/// as missing.
const EVENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Marks the markdown results block, which `scripts/bench --write` copies into
/// BENCHMARKS.md.
const BLOCK_BEGIN: &str = "<!-- lock_propagation:begin -->";
const BLOCK_END: &str = "<!-- lock_propagation:end -->";

fn main() {
    let config = Config::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("build the tokio runtime");
    runtime.block_on(run(config));
}

/// How long, how often and what to measure.
#[derive(Clone, Debug)]
struct Config {
    subscribers: Vec<usize>,
    locks: usize,
    repeats: usize,
    window: Duration,
    warmup: Duration,
    acquirers: usize,
    /// Rows with more subscribers than this get no sustained runs.
    sustained_max: usize,
    memory_subscribers: usize,
    sqlite: bool,
    postgres: bool,
    retries: usize,
    /// Another build whose memory is measured beside this one's.
    baseline: Option<PathBuf>,
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().map_or(default, |v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`"))
    })
}

impl Config {
    fn from_env() -> Self {
        let subscribers = std::env::var("BERTH_BENCH_SUBSCRIBERS").ok().map_or_else(
            || SUBSCRIBER_COUNTS.to_vec(),
            |v| {
                // Empty: no latency or throughput rows (the memory measurement only).
                v.split(',')
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| {
                        n.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|&n| n > 0)
                            .expect("BERTH_BENCH_SUBSCRIBERS must be a list like 1,100,1000")
                    })
                    .collect()
            },
        );
        let backends =
            std::env::var("BERTH_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
        Self {
            subscribers,
            locks: env_number("BERTH_BENCH_LOCKS", 200_usize).max(1),
            repeats: env_number("BERTH_BENCH_REPEATS", 3_usize).max(1),
            window: Duration::from_secs_f64(env_number("BERTH_BENCH_SECS", 3.0)),
            warmup: Duration::from_secs_f64(env_number("BERTH_BENCH_WARMUP_SECS", 0.5)),
            acquirers: env_number("BERTH_BENCH_ACQUIRERS", 4_usize).max(1),
            sustained_max: env_number("BERTH_BENCH_SUSTAINED_MAX", 1000_usize),
            memory_subscribers: env_number("BERTH_BENCH_MEMORY_SUBSCRIBERS", 1000_usize),
            sqlite: backends.contains("sqlite"),
            postgres: backends.contains("postgres"),
            retries: env_number("BERTH_BENCH_RETRIES", 6_usize),
            baseline: std::env::var_os("BERTH_BENCH_BASELINE_BINARY")
                .filter(|path| !path.is_empty())
                .map(|path| {
                    let path = PathBuf::from(path);
                    assert!(
                        path.is_file(),
                        "BERTH_BENCH_BASELINE_BINARY: no file at {}",
                        path.display()
                    );
                    path
                }),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

async fn run(config: Config) {
    let started = Instant::now();
    let machine = Machine::detect();
    println!("lock_propagation: acquireLock → lockEvents delivery, throughput, memory");
    println!("machine: {}", machine.describe());
    println!("command: {COMMAND}");
    println!(
        "server: {} (run from a copy: {})",
        env!("CARGO_BIN_EXE_berth"),
        server_binary().display()
    );
    if cfg!(debug_assertions) {
        eprintln!("!! built with debug assertions: numbers are not representative");
    }

    let mut backends = Vec::new();
    if config.sqlite {
        backends.push(Backend::Sqlite);
    }
    let mut notes = Vec::new();
    if !config.postgres {
        eprintln!("PostgreSQL not measured: BERTH_BENCH_BACKENDS does not name it");
    } else if berth_core::testing::postgres_admin_url().is_some() {
        backends.push(Backend::Postgres);
        notes.push(postgres_settings().await);
    } else {
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        eprintln!("!! BERTH_TEST_POSTGRES_URL is not set: PostgreSQL was SKIPPED. Run        !!");
        eprintln!("!! scripts/bench --locks, which starts a throwaway server.                !!");
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        notes.push("PostgreSQL: SKIPPED (BERTH_TEST_POSTGRES_URL not set)".to_owned());
    }

    raise_file_limit(
        config
            .subscribers
            .iter()
            .copied()
            .chain([config.memory_subscribers])
            .max()
            .unwrap_or(0),
    );
    let mut retries = config.retries;
    let mut latency_rows = Vec::new();
    let mut sustained_rows = Vec::new();
    let mut memory_rows = Vec::new();
    for &backend in &backends {
        if config.memory_subscribers > 0 {
            let m = config.memory_subscribers;
            if let Some(baseline) = &config.baseline {
                let row = measure_memory(backend, m, "baseline", baseline).await;
                eprintln!("  {row:?}");
                memory_rows.push(row);
            }
            let row = measure_memory(backend, m, "this build", server_binary()).await;
            eprintln!("  {row:?}");
            memory_rows.push(row);
        }
        for &n in &config.subscribers {
            let mut builds = Vec::new();
            if let Some(baseline) = &config.baseline {
                builds.push(("baseline", baseline.as_path()));
            }
            builds.push(("this build", server_binary()));
            for build in builds {
                let (latency, sustained) = measure(backend, n, &config, &mut retries, build).await;
                latency_rows.push(latency);
                sustained_rows.extend(sustained);
            }
        }
    }
    let discarded = config.retries - retries;
    notes.push(format!(
        "others (cores): the most CPU that processes other than the bench, the server and \
         its PostgreSQL used during any run of the row (0.00 = idle machine); runs above \
         {BUSY_CORES} were discarded and repeated, up to {} times: {discarded} were",
        config.retries
    ));

    println!();
    print_markdown(
        &machine,
        &config,
        &notes,
        &latency_rows,
        &sustained_rows,
        &memory_rows,
    );
    if let Some(dir) = server_binary().parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
    println!(
        "lock_propagation: done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------

/// A running `berth serve --demo` on a fresh database.
#[derive(Debug)]
struct Server {
    child: Child,
    addr: String,
    dir: PathBuf,
    /// The PostgreSQL database URL, to drop it afterwards.
    postgres_url: Option<String>,
    /// The PostgreSQL postmaster, whose CPU counts as the server's.
    postmaster: Option<u32>,
    /// tenant, email, password of the bench tenant's demo admin.
    login: (String, String, String),
}

impl Server {
    /// A fresh server of `binary` (this bench's build or the baseline's).
    async fn start_binary(backend: Backend, binary: &Path) -> Server {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "berth-lock-bench-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("create the bench directory");
        let (database_url, postgres_url, postmaster) = match backend {
            Backend::Sqlite => (
                format!("sqlite:{}", dir.join("berth.db").display()),
                None,
                None,
            ),
            Backend::Postgres => {
                let url = berth_core::testing::fresh_postgres_url().await;
                (url.clone(), Some(url), postmaster_pid().await)
            }
        };
        let tenants = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
        let log = std::fs::File::create(dir.join("server.log")).expect("create the server log");
        let mut child = Command::new(binary)
            .env_remove("RUST_LOG")
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--demo", "--database-url"])
            .arg(&database_url)
            .arg("--tenants")
            .arg(&tenants)
            .arg("--secret-file")
            .arg(dir.join("jwt-secret"))
            .arg("--secrets-key-file")
            .arg(dir.join("secrets-key"))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn berth");
        let stdout = child.stdout.take().expect("stdout");
        let (addr, lines) = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut lines = Vec::new();
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).expect("read stdout") == 0 {
                    panic!("berth exited before listening; printed: {lines:?}");
                }
                let trimmed = line.trim_end().to_owned();
                if let Some(addr) = trimmed.strip_prefix("berth listening on http://") {
                    let addr = addr.to_owned();
                    // Keep draining stdout so the server never writes into a closed pipe.
                    std::thread::spawn(move || {
                        let mut sink = String::new();
                        while reader.read_line(&mut sink).unwrap_or(0) > 0 {
                            sink.clear();
                        }
                    });
                    return (addr, lines);
                }
                lines.push(trimmed);
            }
        })
        .await
        .expect("read the server's stdout");
        let login = lines
            .iter()
            .filter_map(|l| l.strip_prefix("demo login: "))
            .map(|l| {
                let field = |key: &str| {
                    l.split_whitespace()
                        .find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_owned))
                        .expect("key=value in the demo login line")
                };
                (field("tenant"), field("email"), field("password"))
            })
            .find(|(tenant, _, _)| tenant == TENANT)
            .unwrap_or_else(|| panic!("no demo login for {TENANT} in {lines:?}"));
        Server {
            child,
            addr,
            dir,
            postgres_url,
            postmaster,
            login,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Signs in as the demo admin: the session token.
    async fn sign_in(&self) -> String {
        let mut http = Http::connect(&self.addr, None).await;
        let (tenant, email, password) = &self.login;
        let session = http
            .graphql(
                "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
                json!({ "t": tenant, "e": email, "p": password }),
            )
            .await;
        session["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("a token in {session}"))
            .to_owned()
    }

    /// Stops the server (SIGTERM, then waits), and drops its database.
    async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut stopped = false;
        for _ in 0..600 {
            if self.child.try_wait().ok().flatten().is_some() {
                stopped = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !stopped {
            eprintln!("!! berth did not stop within 30 s of SIGTERM; killing it");
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(url) = &self.postgres_url {
            drop_database(url).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// The server's resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        status_kib(self.pid(), "VmRSS").expect("VmRSS of the server")
    }
}

/// The `berth` binary this `cargo bench` built, copied once into a directory of
/// the bench's own: other builds sharing the target directory may replace the
/// original while the bench runs, and every row must run the same server.
fn server_binary() -> &'static Path {
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "berth-lock-bench-bin-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("create the binary's directory");
        let copy = dir.join("berth");
        std::fs::copy(env!("CARGO_BIN_EXE_berth"), &copy).expect("copy the berth binary");
        copy
    })
}

/// A `/proc/<pid>/status` field in kB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// The unit ids of the signed-in tenant.
async fn units(addr: &str, token: &str) -> Vec<String> {
    let mut http = Http::connect(addr, Some(token)).await;
    let found = http.graphql("{ units { id } }", json!({})).await;
    let units: Vec<String> = found["data"]["units"]
        .as_array()
        .unwrap_or_else(|| panic!("units in {found}"))
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!units.is_empty(), "the demo tenant has units: {found}");
    units
}

/// An HTTP/1.1 keep-alive connection to the server's /graphql.
#[derive(Debug)]
struct Http {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    authorization: Option<String>,
}

impl Http {
    async fn connect(addr: &str, token: Option<&str>) -> Http {
        let stream = TcpStream::connect(addr).await.expect("connect to berth");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP handshake");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Http {
            sender,
            host: addr.to_owned(),
            authorization: token.map(|t| format!("Bearer {t}")),
        }
    }

    /// POSTs a GraphQL request; returns the raw response body once it is fully read.
    async fn post(&mut self, query: &str, variables: Value) -> Bytes {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let mut request = hyper::Request::post("/graphql")
            .header(hyper::header::HOST, &self.host)
            .header(hyper::header::CONTENT_TYPE, "application/json");
        if let Some(authorization) = &self.authorization {
            request = request.header(hyper::header::AUTHORIZATION, authorization);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .expect("a request");
        self.sender.ready().await.expect("the connection is ready");
        let response = self.sender.send_request(request).await.expect("a response");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response
            .into_body()
            .collect()
            .await
            .expect("the response body")
            .to_bytes()
    }

    async fn graphql(&mut self, query: &str, variables: Value) -> Value {
        let body = self.post(query, variables).await;
        serde_json::from_slice(&body).expect("a JSON response")
    }
}

/// One acquirer: its connection, unit and period.
#[derive(Debug)]
struct Acquirer {
    http: Http,
    unit: String,
    check_in: String,
    check_out: String,
}

/// When an acquire was sent and when its response had been read.
#[derive(Clone, Copy, Debug)]
struct Acquired {
    sent: Instant,
    returned: Instant,
}

impl Acquirer {
    async fn new(addr: &str, token: &str, units: &[String], index: usize) -> Acquirer {
        let first: chrono::NaiveDate = "2027-03-01".parse().expect("date");
        // Each acquirer its own unit, and its own weeks too when units run out.
        let week = u64::try_from(index / units.len()).expect("index fits u64");
        let check_in = first + chrono::Days::new(7 * week);
        Acquirer {
            http: Http::connect(addr, Some(token)).await,
            unit: units[index % units.len()].clone(),
            check_in: check_in.to_string(),
            check_out: (check_in + chrono::Days::new(2)).to_string(),
        }
    }

    /// Takes the lock: its id, and the times.
    async fn acquire(&mut self) -> (String, Acquired) {
        let variables = json!({ "u": self.unit, "in": self.check_in, "out": self.check_out });
        let sent = Instant::now();
        let body = self.http.post(ACQUIRE, variables).await;
        let returned = Instant::now();
        let response: Value = serde_json::from_slice(&body).expect("a JSON response");
        let id = response["data"]["acquireLock"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a lock id in {response}"))
            .to_owned();
        (id, Acquired { sent, returned })
    }

    async fn release(&mut self, id: &str) {
        let response = self.http.graphql(RELEASE, json!({ "id": id })).await;
        assert!(
            response["data"]["releaseLock"]["id"].is_string(),
            "released: {response}"
        );
    }
}

// ---------------------------------------------------------------------------
// Subscribers
// ---------------------------------------------------------------------------

/// The frames one subscriber read, with the time each was read.
#[derive(Debug, Default)]
struct Inbox {
    frames: Mutex<Vec<(Instant, Bytes)>>,
}

impl Inbox {
    fn take(&self) -> Vec<(Instant, Bytes)> {
        std::mem::take(&mut *self.frames.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn count(&self) -> usize {
        self.frames.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// One subscriber connection: its writing half, and the task reading the other.
#[derive(Debug)]
struct Subscriber {
    writer: Arc<tokio::sync::Mutex<OwnedWriteHalf>>,
    inbox: Arc<Inbox>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// WebSocket opcodes (RFC 6455 §5.2).
const TEXT: u8 = 0x1;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

impl Subscriber {
    /// Opens `/graphql/ws`, initialises the connection with `token` and starts
    /// reading; every `next` message read is kept and counted in `received`.
    /// The WebSocket client is the few lines below over a plain `TcpStream`
    /// (see the opening comment: at 10,000 subscribers the client's CPU is
    /// the server's competitor).
    async fn open(addr: &str, token: &str, received: Arc<AtomicU64>) -> Subscriber {
        let mut stream = TcpStream::connect(addr).await.expect("connect to berth");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        // Any 16 bytes in base64 will do as the key; the answer's accept value
        // is not checked (the 101 is).
        let upgrade = format!(
            "GET /graphql/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: YmVydGgtbG9jay1iZW5jaA==\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        );
        stream
            .write_all(upgrade.as_bytes())
            .await
            .expect("send the upgrade");
        let mut buf = BytesMut::with_capacity(1024);
        let head_end = loop {
            let read = tokio::time::timeout(Duration::from_secs(30), stream.read_buf(&mut buf))
                .await
                .expect("the upgrade's answer within 30 s")
                .expect("read the upgrade's answer");
            assert!(read > 0, "berth closed the connection during the upgrade");
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        assert!(
            buf.starts_with(b"HTTP/1.1 101"),
            "WebSocket upgrade refused: {}",
            String::from_utf8_lossy(&buf[..head_end])
        );
        let _ = buf.split_to(head_end);
        let init = json!({
            "type": "connection_init",
            "payload": { "authorization": format!("Bearer {token}") }
        });
        stream
            .write_all(&client_frame(TEXT, init.to_string().as_bytes()))
            .await
            .expect("send connection_init");
        'ack: loop {
            while let Some((opcode, payload)) = take_frame(&mut buf) {
                match opcode {
                    TEXT if contains(&payload, b"connection_ack") => break 'ack,
                    TEXT => panic!(
                        "expected connection_ack, got {}",
                        String::from_utf8_lossy(&payload)
                    ),
                    PING => stream
                        .write_all(&client_frame(PONG, &payload))
                        .await
                        .expect("send a pong"),
                    _ => {}
                }
            }
            let read = tokio::time::timeout(Duration::from_secs(30), stream.read_buf(&mut buf))
                .await
                .expect("connection_ack within 30 s")
                .expect("read connection_ack");
            assert!(
                read > 0,
                "berth closed the connection before connection_ack"
            );
        }
        let (read, write) = stream.into_split();
        let writer = Arc::new(tokio::sync::Mutex::new(write));
        let inbox = Arc::new(Inbox::default());
        let reader = tokio::spawn(read_frames(
            read,
            buf,
            inbox.clone(),
            received,
            writer.clone(),
        ));
        Subscriber {
            writer,
            inbox,
            reader,
        }
    }

    async fn subscribe(&mut self) {
        let subscribe =
            json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIPTION } });
        self.writer
            .lock()
            .await
            .write_all(&client_frame(TEXT, subscribe.to_string().as_bytes()))
            .await
            .expect("send subscribe");
    }
}

/// A subscriber's reading task: per read, one timestamp for every frame it
/// completed; a `next` frame's payload is kept (parsed after the run) and
/// counted, a ping answered (the server's keep-alive), a close ends it.
async fn read_frames(
    mut read: OwnedReadHalf,
    mut buf: BytesMut,
    inbox: Arc<Inbox>,
    received: Arc<AtomicU64>,
    writer: Arc<tokio::sync::Mutex<OwnedWriteHalf>>,
) {
    loop {
        let at = Instant::now();
        while let Some((opcode, payload)) = take_frame(&mut buf) {
            match opcode {
                TEXT if contains(&payload, br#""next""#) => {
                    inbox
                        .frames
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        // A copy: the payload shares the read buffer's
                        // allocation, which it would keep alive.
                        .push((at, Bytes::copy_from_slice(&payload)));
                    received.fetch_add(1, Ordering::Relaxed);
                }
                TEXT if contains(&payload, br#""error""#) => {
                    eprintln!(
                        "!! a subscriber got an error: {}",
                        String::from_utf8_lossy(&payload)
                    );
                }
                PING => {
                    let pong = client_frame(PONG, &payload);
                    if writer.lock().await.write_all(&pong).await.is_err() {
                        return;
                    }
                }
                CLOSE => return,
                _ => {}
            }
        }
        // Small reads: a frame here is ~100 bytes.
        buf.reserve(4 * 1024);
        match read.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// A client's frame: final, masked (as a client's must be), with `payload`.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    const KEY: [u8; 4] = [0x62, 0x65, 0x72, 0x74];
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => frame.push(0x80 | u8::try_from(n).expect("< 126")),
        n if n <= 0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(n).expect("≤ 0xffff").to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&KEY);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
    frame
}

/// The first whole frame of `buf` (a server's: unmasked, unfragmented), taken
/// off it: its opcode and payload; `None` until one is complete.
fn take_frame(buf: &mut BytesMut) -> Option<(u8, Bytes)> {
    if buf.len() < 2 {
        return None;
    }
    assert!(buf[0] & 0x80 != 0, "berth sent a fragmented message");
    assert!(buf[1] & 0x80 == 0, "berth sent a masked frame");
    let opcode = buf[0] & 0x0f;
    let (len, header) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (usize::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
        127 if buf.len() >= 10 => {
            let mut len = [0; 8];
            len.copy_from_slice(&buf[2..10]);
            (
                usize::try_from(u64::from_be_bytes(len)).expect("frame fits memory"),
                10,
            )
        }
        126 | 127 => return None,
        n => (usize::from(n), 2),
    };
    if buf.len() < header + len {
        return None;
    }
    let mut frame = buf.split_to(header + len);
    Some((opcode, frame.split_off(header).freeze()))
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Raises this process's soft limit on open files to the hard one (servers it
/// spawns inherit it): each subscriber is one socket here and one in the
/// server. Panics when even the hard limit is too low for `subscribers`.
#[allow(unsafe_code)]
fn raise_file_limit(subscribers: usize) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by
    // pointer, which lives on this stack frame for the duration of the calls.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) };
    assert_eq!(read, 0, "getrlimit(RLIMIT_NOFILE)");
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: as above.
        let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raw const raised) };
        assert_eq!(set, 0, "setrlimit(RLIMIT_NOFILE)");
        limit = raised;
    }
    let needed = subscribers as u64 + 1024;
    assert!(
        limit.rlim_cur >= needed,
        "{subscribers} subscribers need about {needed} open files, and this process may open \
         only {} (raise the hard limit: ulimit -Hn)",
        limit.rlim_cur
    );
}

/// `n` initialised connections, opened a few at a time.
async fn open_subscribers(
    addr: &str,
    token: &str,
    n: usize,
    received: &Arc<AtomicU64>,
) -> Vec<Subscriber> {
    futures_util::stream::iter(0..n)
        .map(|_| Subscriber::open(addr, token, received.clone()))
        .buffer_unordered(OPENING_AT_ONCE)
        .collect()
        .await
}

/// Waits until `received` reaches `target`; false after `timeout`.
async fn wait_for(received: &AtomicU64, target: u64, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while received.load(Ordering::Relaxed) < target {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    true
}

/// Waits until `received` has not moved for `quiet`.
async fn settle(received: &AtomicU64, quiet: Duration) {
    let mut last = received.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(quiet).await;
        let now = received.load(Ordering::Relaxed);
        if now == last {
            return;
        }
        last = now;
    }
}

/// What a `next` frame says: the event kind and the lock id.
fn parse_frame(text: &[u8]) -> Option<(String, String)> {
    let message: Value = serde_json::from_slice(text).ok()?;
    let event = &message["payload"]["data"]["lockEvents"];
    Some((
        event["kind"].as_str()?.to_owned(),
        event["lock"]["id"].as_str()?.to_owned(),
    ))
}

// ---------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------

/// The latency row of one backend and subscriber count.
#[derive(Debug)]
struct LatencyRow {
    backend: Backend,
    /// Which build: `this build` or `baseline`.
    build: &'static str,
    subscribers: usize,
    /// Milliseconds from the acquire's response to each subscriber's read, all runs.
    samples: Vec<f64>,
    /// p99 of each run.
    run_p99: Vec<f64>,
    /// Milliseconds from sending acquireLock to its response being read.
    round_trips: Vec<f64>,
    missing: u64,
    others: Vec<f64>,
    /// The server's resident memory after the latency runs, KiB.
    rss_kib: u64,
}

/// The sustained-throughput row of one backend and subscriber count.
#[derive(Debug)]
struct SustainedRow {
    backend: Backend,
    build: &'static str,
    subscribers: usize,
    runs: Vec<SustainedRun>,
}

#[derive(Debug, Clone)]
struct SustainedRun {
    /// Lock events (acquires and releases) per second produced in the window.
    produced: f64,
    /// Frames read per subscriber per second in the window.
    delivered: f64,
    /// p99 of the window's ACQUIRED events, ms.
    p99: f64,
    /// From the last acquirer stopping to every subscriber having every event, ms.
    drain: f64,
    missing: u64,
    cpu: Option<CpuUse>,
}

/// The memory row of one backend.
#[derive(Debug)]
struct MemoryRow {
    backend: Backend,
    /// Which build: `this build` or `baseline`.
    build: &'static str,
    connections: usize,
    /// Idle after start, before any request; split into anonymous memory (heap,
    /// stacks) and mapped files (the binary's pages, mostly).
    started_kib: u64,
    started_anon_kib: u64,
    started_file_kib: u64,
    /// Idle after one sign-in (and a units query): the baseline of the deltas.
    idle_kib: u64,
    with_connections_kib: u64,
    with_subscriptions_kib: u64,
    after_event_kib: u64,
    delivered_to: usize,
}

async fn measure_memory(
    backend: Backend,
    m: usize,
    build: &'static str,
    binary: &Path,
) -> MemoryRow {
    eprintln!(
        "{} memory ({build}): fresh server, then {m} connections",
        backend.label()
    );
    let server = Server::start_binary(backend, binary).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let started_kib = server.rss_kib();
    let started_anon_kib = status_kib(server.pid(), "RssAnon").unwrap_or(0);
    let started_file_kib = status_kib(server.pid(), "RssFile").unwrap_or(0);
    let token = server.sign_in().await;
    let units = units(&server.addr, &token).await;
    let mut acquirer = Acquirer::new(&server.addr, &token, &units, 0).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_kib = server.rss_kib();

    let received = Arc::new(AtomicU64::new(0));
    let mut subscribers = open_subscribers(&server.addr, &token, m, &received).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let with_connections_kib = server.rss_kib();
    for subscriber in &mut subscribers {
        subscriber.subscribe().await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with_subscriptions_kib = server.rss_kib();

    let (id, _) = acquirer.acquire().await;
    wait_for(&received, m as u64, EVENT_TIMEOUT).await;
    acquirer.release(&id).await;
    wait_for(&received, 2 * m as u64, EVENT_TIMEOUT).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_event_kib = server.rss_kib();
    let delivered_to = subscribers.iter().filter(|s| s.inbox.count() > 0).count();
    drop(subscribers);
    server.stop().await;
    MemoryRow {
        backend,
        build,
        connections: m,
        started_kib,
        started_anon_kib,
        started_file_kib,
        idle_kib,
        with_connections_kib,
        with_subscriptions_kib,
        after_event_kib,
        delivered_to,
    }
}

/// Latency and sustained throughput with `n` subscribers on a fresh server.
async fn measure(
    backend: Backend,
    n: usize,
    config: &Config,
    retries: &mut usize,
    (build, binary): (&'static str, &Path),
) -> (LatencyRow, Option<SustainedRow>) {
    eprintln!(
        "{} with {n} subscriber(s) ({build}): fresh server",
        backend.label()
    );
    let server = Server::start_binary(backend, binary).await;
    let token = server.sign_in().await;
    let units = units(&server.addr, &token).await;
    let received = Arc::new(AtomicU64::new(0));
    let mut subscribers = open_subscribers(&server.addr, &token, n, &received).await;
    for subscriber in &mut subscribers {
        subscriber.subscribe().await;
    }
    let mut acquirers = Vec::with_capacity(config.acquirers);
    for i in 0..config.acquirers {
        acquirers.push(Acquirer::new(&server.addr, &token, &units, i).await);
    }

    // Warm-up: cycles until every subscriber is live, and 20 more.
    let warm_start = Instant::now();
    let mut extra = 0;
    while extra < 20 {
        let acquirer = &mut acquirers[0];
        let base = received.load(Ordering::Relaxed);
        let (id, _) = acquirer.acquire().await;
        wait_for(&received, base + n as u64, Duration::from_secs(1)).await;
        acquirer.release(&id).await;
        wait_for(&received, base + 2 * n as u64, Duration::from_secs(1)).await;
        if subscribers.iter().all(|s| s.inbox.count() > 0) {
            extra += 1;
        }
        assert!(
            warm_start.elapsed() < Duration::from_secs(120),
            "subscribers still not live after 2 minutes"
        );
    }
    settle(&received, Duration::from_millis(200)).await;
    for subscriber in &subscribers {
        subscriber.inbox.take();
    }

    let pids = Pids {
        server: server.pid(),
        postmaster: server.postmaster,
    };
    let mut latency = LatencyRow {
        backend,
        build,
        subscribers: n,
        samples: Vec::new(),
        run_p99: Vec::new(),
        round_trips: Vec::new(),
        missing: 0,
        others: Vec::new(),
        rss_kib: 0,
    };
    let mut repeat = 0;
    while repeat < config.repeats {
        let before = CpuSample::take(&pids);
        let mut acquired: HashMap<String, Acquired> = HashMap::with_capacity(config.locks);
        let mut missing = 0;
        for _ in 0..config.locks {
            let acquirer = &mut acquirers[0];
            let base = received.load(Ordering::Relaxed);
            let (id, times) = acquirer.acquire().await;
            if !wait_for(&received, base + n as u64, EVENT_TIMEOUT).await {
                missing += base + n as u64 - received.load(Ordering::Relaxed);
            }
            acquired.insert(id.clone(), times);
            acquirer.release(&id).await;
            if !wait_for(&received, base + 2 * n as u64, EVENT_TIMEOUT).await {
                missing += base + 2 * n as u64 - received.load(Ordering::Relaxed);
            }
        }
        let after = CpuSample::take(&pids);
        let cpu = before.zip(after).map(|(a, b)| a.usage(&b));
        settle(&received, Duration::from_millis(100)).await;
        let mut samples = Vec::with_capacity(n * config.locks);
        for subscriber in &subscribers {
            for (at, text) in subscriber.inbox.take() {
                if let Some((kind, id)) = parse_frame(&text)
                    && kind == "ACQUIRED"
                    && let Some(times) = acquired.get(&id)
                {
                    samples.push(signed_ms(at, times.returned));
                }
            }
        }
        let others = cpu.map(|c| c.others);
        let p99 = percentile(&samples, 0.99);
        eprintln!(
            "  latency run {}/{}: p50 {:.2} ms, p99 {p99:.2} ms, {} samples, {missing} missing{}",
            repeat + 1,
            config.repeats,
            percentile(&samples, 0.5),
            samples.len(),
            others.map_or_else(String::new, |o| format!(", others {o:.2} cores"))
        );
        if let Some(o) = others
            && o > BUSY_CORES
            && *retries > 0
        {
            *retries -= 1;
            eprintln!("  (discarded: other processes used {o:.2} cores; {retries} retry(s) left)");
            continue;
        }
        latency.samples.extend(samples);
        latency.run_p99.push(p99);
        latency.round_trips.extend(
            acquired
                .values()
                .map(|t| t.returned.duration_since(t.sent).as_secs_f64() * 1e3),
        );
        latency.missing += missing;
        latency.others.extend(others);
        repeat += 1;
    }

    latency.rss_kib = server.rss_kib();
    eprintln!("  server resident: {}", mib(latency.rss_kib));
    let mut sustained = SustainedRow {
        backend,
        build,
        subscribers: n,
        runs: Vec::new(),
    };
    let runs = if n > config.sustained_max {
        eprintln!(
            "  no sustained runs above {} subscribers",
            config.sustained_max
        );
        0
    } else {
        config.repeats
    };
    while sustained.runs.len() < runs {
        let (run, returned) =
            sustained_run(acquirers, &subscribers, &received, &pids, config).await;
        acquirers = returned;
        let others = run.cpu.as_ref().map(|c| c.others);
        eprintln!(
            "  sustained run {}/{}: {:.0} lock events/s, {:.0} delivered/s per subscriber, p99 {:.2} ms, drain {:.1} ms, {} missing{}",
            sustained.runs.len() + 1,
            config.repeats,
            run.produced,
            run.delivered,
            run.p99,
            run.drain,
            run.missing,
            run.cpu.as_ref().map_or_else(String::new, |c| format!(
                ", CPU server {:.2} postgres {:.2} bench {:.2} others {:.2} cores",
                c.server, c.postgres, c.bench, c.others
            ))
        );
        if let Some(o) = others
            && o > BUSY_CORES
            && *retries > 0
        {
            *retries -= 1;
            eprintln!("  (discarded: other processes used {o:.2} cores; {retries} retry(s) left)");
            continue;
        }
        sustained.runs.push(run);
    }

    drop(subscribers);
    server.stop().await;
    (latency, (runs > 0).then_some(sustained))
}

/// One sustained run: every acquirer acquires and releases back to back for the
/// warm-up and the window.
async fn sustained_run(
    acquirers: Vec<Acquirer>,
    subscribers: &[Subscriber],
    received: &Arc<AtomicU64>,
    pids: &Pids,
    config: &Config,
) -> (SustainedRun, Vec<Acquirer>) {
    let n = subscribers.len() as u64;
    let base = received.load(Ordering::Relaxed);
    let start = Instant::now();
    let window_start = start + config.warmup;
    let window_end = window_start + config.window;
    let monitor = tokio::spawn({
        let pids = pids.clone();
        async move {
            tokio::time::sleep_until(window_start.into()).await;
            let before = CpuSample::take(&pids);
            tokio::time::sleep_until(window_end.into()).await;
            let after = CpuSample::take(&pids);
            before.zip(after).map(|(a, b)| a.usage(&b))
        }
    });
    let mut tasks = Vec::new();
    for mut acquirer in acquirers {
        tasks.push(tokio::spawn(async move {
            let mut acquired = Vec::new();
            let mut events = 0_u64;
            let mut in_window = 0_u64;
            while Instant::now() < window_end {
                let (id, times) = acquirer.acquire().await;
                acquirer.release(&id).await;
                let released = Instant::now();
                events += 2;
                in_window +=
                    u64::from(times.returned >= window_start && times.returned < window_end)
                        + u64::from(released >= window_start && released < window_end);
                acquired.push((id, times));
            }
            (acquirer, acquired, events, in_window, Instant::now())
        }));
    }
    let mut acquirers = Vec::new();
    let mut acquired = HashMap::new();
    let mut events = 0;
    let mut in_window = 0;
    let mut last_stop = start;
    for task in tasks {
        let (acquirer, ids, e, w, stopped) = task.await.expect("an acquirer panicked");
        acquirers.push(acquirer);
        acquired.extend(ids);
        events += e;
        in_window += w;
        last_stop = last_stop.max(stopped);
    }
    let cpu = monitor.await.expect("the CPU monitor panicked");
    let target = base + events * n;
    let complete = wait_for(received, target, Duration::from_secs(60)).await;
    let drained = Instant::now();
    let missing = target.saturating_sub(received.load(Ordering::Relaxed));
    if !complete {
        eprintln!("!! {missing} deliveries still missing 60 s after the run");
    }
    settle(received, Duration::from_millis(100)).await;

    let mut delivered_in_window = 0_u64;
    let mut samples = Vec::new();
    for subscriber in subscribers {
        for (at, text) in subscriber.inbox.take() {
            if at >= window_start && at < window_end {
                delivered_in_window += 1;
            }
            if let Some((kind, id)) = parse_frame(&text)
                && kind == "ACQUIRED"
                && let Some(times) = acquired.get(&id)
                && times.returned >= window_start
                && times.returned < window_end
            {
                samples.push(signed_ms(at, times.returned));
            }
        }
    }
    let secs = config.window.as_secs_f64();
    (
        SustainedRun {
            produced: in_window as f64 / secs,
            delivered: delivered_in_window as f64 / n as f64 / secs,
            p99: percentile(&samples, 0.99),
            drain: drained.saturating_duration_since(last_stop).as_secs_f64() * 1e3,
            missing,
            cpu,
        },
        acquirers,
    )
}

/// `later − earlier` in milliseconds, negative when `later` came first.
fn signed_ms(later: Instant, earlier: Instant) -> f64 {
    if later >= earlier {
        later.duration_since(earlier).as_secs_f64() * 1e3
    } else {
        -(earlier.duration_since(later).as_secs_f64() * 1e3)
    }
}

/// Nearest-rank percentile (`p` in 0..=1); NaN without values.
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of `values`; NaN without values.
fn median(values: &[f64]) -> f64 {
    berth_core::bench::median(values).unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------
// PostgreSQL helpers
// ---------------------------------------------------------------------------

/// The process id of the throwaway PostgreSQL server's postmaster, if it runs here.
async fn postmaster_pid() -> Option<u32> {
    let admin = berth_core::testing::postgres_admin_url()?;
    let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
    let (backend,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .ok()?;
    let _ = conn.close().await;
    process_ticks(u32::try_from(backend).ok()?).map(|(parent, _)| parent)
}

/// Drops a bench database so repeated runs do not pile them up on the server.
async fn drop_database(url: &str) {
    let admin = berth_core::testing::postgres_admin_url().expect("BERTH_TEST_POSTGRES_URL");
    let (_, name) = url.rsplit_once('/').expect("url with a database");
    let name = name.split('?').next().unwrap_or(name);
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect admin");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .expect("drop the bench database");
    let _ = conn.close().await;
}

/// The server version and settings, for the notes.
async fn postgres_settings() -> String {
    let admin = berth_core::testing::postgres_admin_url().expect("BERTH_TEST_POSTGRES_URL");
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect admin");
    let mut settings = Vec::new();
    for setting in ["server_version", "fsync", "synchronous_commit"] {
        let (value,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&mut conn)
            .await
            .expect("show setting");
        settings.push(format!("{setting}={value}"));
    }
    let _ = conn.close().await;
    format!(
        "PostgreSQL on the same machine over TCP 127.0.0.1: {}",
        settings.join(", ")
    )
}

// ---------------------------------------------------------------------------
// CPU accounting
// ---------------------------------------------------------------------------

/// The processes whose CPU is the benchmark's own.
#[derive(Clone, Debug)]
struct Pids {
    server: u32,
    postmaster: Option<u32>,
}

/// CPU used over an interval, in cores.
#[derive(Clone, Debug)]
struct CpuUse {
    bench: f64,
    server: f64,
    postgres: f64,
    others: f64,
}

/// CPU time in clock ticks from /proc: the whole machine's, and the bench's,
/// the server's and PostgreSQL's.
#[derive(Debug)]
struct CpuSample {
    machine: MachineTicks,
    bench: u64,
    server: u64,
    postgres: HashMap<u32, u64>,
}

impl CpuSample {
    fn take(pids: &Pids) -> Option<Self> {
        let machine = MachineTicks::take()?;
        let postgres = match pids.postmaster {
            Some(postmaster) => server_ticks(postmaster)?,
            None => HashMap::new(),
        };
        Some(Self {
            machine,
            bench: process_ticks(std::process::id())?.1,
            server: process_ticks(pids.server)?.1,
            postgres,
        })
    }

    /// CPU cores used on average between `self` and `later`.
    fn usage(&self, later: &Self) -> CpuUse {
        let cores = |ticks: u64| self.machine.cores(&later.machine, ticks);
        let bench = later.bench.saturating_sub(self.bench);
        let server = later.server.saturating_sub(self.server);
        let postgres = ticks_between(&self.postgres, &later.postgres);
        let busy = self.machine.busy_until(&later.machine);
        CpuUse {
            bench: cores(bench),
            server: cores(server),
            postgres: cores(postgres),
            others: cores(busy.saturating_sub(bench + server + postgres)),
        }
    }
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn per_connection_kib(total_kib: u64, idle_kib: u64, n: usize) -> String {
    let delta = total_kib as f64 - idle_kib as f64;
    format!("{:.1} KiB", delta / n as f64)
}

fn max_or_na(values: impl Iterator<Item = f64>) -> String {
    values
        .reduce(f64::max)
        .map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}"))
}

fn print_markdown(
    machine: &Machine,
    config: &Config,
    notes: &[String],
    latency: &[LatencyRow],
    sustained: &[SustainedRow],
    memory: &[MemoryRow],
) {
    println!("{BLOCK_BEGIN}");
    println!(
        "Measured {} on {}.",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine.describe()
    );
    println!();
    println!(
        "Command: `{COMMAND}` (via `scripts/bench --locks`); the server is the `berth` binary \
         built by the same command (bench profile: release with line tables), spawned \
         fresh for each row, with its default settings, over the four demo tenants."
    );
    println!(
        "Latency: {} runs of {} paced acquire/release cycles per row (after warm-up), every \
         subscriber's ACQUIRED event a sample: time from the acquireLock HTTP response being \
         read to the subscriber reading the event (negative when the event came first); \
         nearest-rank percentiles over all samples.",
        config.repeats, config.locks
    );
    println!(
        "Sustained: {} acquirers acquiring and releasing back to back over HTTP/1.1 \
         keep-alive, {:.1} s window after {:.1} s warm-up, median of {} runs.",
        config.acquirers,
        config.window.as_secs_f64(),
        config.warmup.as_secs_f64(),
        config.repeats
    );
    if config.subscribers.iter().any(|&n| n > config.sustained_max) {
        println!(
            "Rows above {} subscribers have no sustained runs (BERTH_BENCH_SUSTAINED_MAX).",
            config.sustained_max
        );
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "Load average when the tables were printed (1, 5, 15 min): {}.",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for note in notes {
        println!("{note}.");
    }
    println!();
    println!(
        "Latency, acquireLock returned → event read by each subscriber (paced, idle server otherwise):"
    );
    println!();
    println!(
        "| backend | build | subscribers | p50 (ms) | p99 (ms) | max (ms) | p99 per run (ms) | p99 vs 1 subscriber | event before response | acquireLock round trip p50 (ms) | samples | missing | server resident after | others (cores) |"
    );
    println!("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in latency {
        let p99 = percentile(&row.samples, 0.99);
        let baseline = latency
            .iter()
            .find(|r| r.backend == row.backend && r.build == row.build && r.subscribers == 1)
            .map(|r| percentile(&r.samples, 0.99));
        let ratio = match baseline {
            Some(b) if row.subscribers != 1 && b > 0.0 => format!("{:.1}×", p99 / b),
            Some(_) if row.subscribers == 1 => "baseline".to_owned(),
            _ => String::new(),
        };
        let early = row.samples.iter().filter(|&&s| s < 0.0).count();
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {} | {} | {:.1} % | {:.2} | {} | {} | {} | {} |",
            row.backend.label(),
            row.build,
            row.subscribers,
            percentile(&row.samples, 0.5),
            p99,
            percentile(&row.samples, 1.0),
            row.run_p99
                .iter()
                .map(|p| format!("{p:.2}"))
                .collect::<Vec<_>>()
                .join(" / "),
            ratio,
            100.0 * early as f64 / row.samples.len().max(1) as f64,
            percentile(&row.round_trips, 0.5),
            row.samples.len(),
            row.missing,
            mib(row.rss_kib),
            max_or_na(row.others.iter().copied()),
        );
    }
    println!();
    println!("Sustained, acquirers back to back:");
    println!();
    println!(
        "| backend | build | subscribers | lock events/s (median) | runs | delivered/s per subscriber | deliveries/s (all subscribers) | vs 1 subscriber | p99 under load (ms) | drain after stop (ms) | CPU server / postgres / bench (cores) | missing | others (cores) |"
    );
    println!("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|");
    for row in sustained {
        let produced: Vec<f64> = row.runs.iter().map(|r| r.produced).collect();
        let delivered = median(&row.runs.iter().map(|r| r.delivered).collect::<Vec<_>>());
        let baseline = sustained
            .iter()
            .find(|r| r.backend == row.backend && r.build == row.build && r.subscribers == 1)
            .map(|r| median(&r.runs.iter().map(|r| r.produced).collect::<Vec<_>>()));
        let ratio = match baseline {
            Some(b) if row.subscribers != 1 && b > 0.0 => {
                format!("{:.2}", median(&produced) / b)
            }
            Some(_) if row.subscribers == 1 => "baseline".to_owned(),
            _ => String::new(),
        };
        let cpu = |f: fn(&CpuUse) -> f64| {
            median(
                &row.runs
                    .iter()
                    .filter_map(|r| r.cpu.as_ref().map(f))
                    .collect::<Vec<_>>(),
            )
        };
        println!(
            "| {} | {} | {} | {:.0} | {} | {:.0} | {:.0} | {} | {:.2} | {:.1} | {:.2} / {:.2} / {:.2} | {} | {} |",
            row.backend.label(),
            row.build,
            row.subscribers,
            median(&produced),
            produced
                .iter()
                .map(|p| format!("{p:.0}"))
                .collect::<Vec<_>>()
                .join(" / "),
            delivered,
            delivered * row.subscribers as f64,
            ratio,
            median(&row.runs.iter().map(|r| r.p99).collect::<Vec<_>>()),
            median(&row.runs.iter().map(|r| r.drain).collect::<Vec<_>>()),
            cpu(|c| c.server),
            cpu(|c| c.postgres),
            cpu(|c| c.bench),
            row.runs.iter().map(|r| r.missing).sum::<u64>(),
            max_or_na(
                row.runs
                    .iter()
                    .filter_map(|r| r.cpu.as_ref().map(|c| c.others))
            ),
        );
    }
    if !memory.is_empty() {
        println!();
        println!("Memory of the server process (VmRSS; PostgreSQL's own processes not included):");
        println!();
        println!(
            "| backend | build | idle after start, four demo tenants | after one sign-in | + connections (initialised) | + one subscription each | after one event | per connection | per idle subscription (with its connection) | event delivered to |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for row in memory {
            // This build's figures as a ratio of the baseline's, when it ran.
            let of_baseline = |value: fn(&MemoryRow) -> u64| {
                memory
                    .iter()
                    .find(|b| b.backend == row.backend && b.build == "baseline")
                    .filter(|_| row.build != "baseline")
                    .map(|b| format!(" ({:.2}×)", value(row) as f64 / value(b).max(1) as f64))
                    .unwrap_or_default()
            };
            println!(
                "| {} | {} | {}{} ({} anonymous, {} files) | {}{} | {} ({}) | {} | {} | {} | {} | {}/{} |",
                row.backend.label(),
                row.build,
                mib(row.started_kib),
                of_baseline(|r| r.started_kib),
                mib(row.started_anon_kib),
                mib(row.started_file_kib),
                mib(row.idle_kib),
                of_baseline(|r| r.idle_kib),
                mib(row.with_connections_kib),
                row.connections,
                mib(row.with_subscriptions_kib),
                mib(row.after_event_kib),
                per_connection_kib(row.with_connections_kib, row.idle_kib, row.connections),
                per_connection_kib(row.with_subscriptions_kib, row.idle_kib, row.connections),
                row.delivered_to,
                row.connections,
            );
        }
    }
    println!("{BLOCK_END}");
}
