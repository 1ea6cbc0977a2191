//! Hot reload through the database (issue 23, docs/decisions/0168): how long
//! from writing a tenant directory's files to an instance quoting the new
//! price — DESIGN.md's budget "policy hot reload: file write → live ≤ 500
//! ms", measured end to end on spawned `berth serve` processes (the binary
//! this `cargo bench` built, in the bench's profile).
//!
//! What a save goes through: the watcher (100 ms debounce), the directory
//! checked and tested, published to the database as a new version (planned
//! only when the tenant protects its reservations), the publishing instance's
//! follower making it live at once, other instances' followers within their
//! 250 ms poll.
//!
//! Cases, each `BERTH_BENCH_REPEATS` (12) writes after one unmeasured write:
//! - baseline: the same directory loaded, compiled and tested in this process
//!   (`berth_policy::candidate::load_and_test`, what the old in-process swap
//!   did after the debounce), `BERTH_BENCH_REPEATS` times;
//! - SQLite, one instance (`--demo`): write → that instance serves it;
//! - PostgreSQL (when `BERTH_TEST_POSTGRES_URL` names a throwaway server, as
//!   scripts/bench starts): instance A (`--demo`, whose directory is written)
//!   and instance B (its own copy of the tenants) on one database: write → A
//!   serves it, and → B serves it.
//!
//! Each write replaces alpine-cabins' `tenant.yaml` and `tests/pricing.yaml`
//! with the other of two variants (base rate 18000, or 19000 with the test
//! figures accepted), so every write is a new version; the clock starts just
//! before the first byte is written. The instances are asked for a 3-night
//! quote over GraphQL every 5 ms on a keep-alive connection until the total
//! changes. The table shows the median, the spread (min–max) and the ratio to
//! the baseline's median.
//!
//! Run with `cargo bench -p berth --bench policy_reload` (or `scripts/bench
//! --reload`, which starts the throwaway PostgreSQL).

// A bench is a program whose failures should stop it loudly.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Datelike;

const SLUG: &str = "alpine-cabins";
/// The files a variant may replace: `tenant.yaml` and the test files.
fn policy_files(dir: &Path) -> Vec<String> {
    let mut files = vec!["tenant.yaml".to_owned()];
    let mut tests: Vec<String> = std::fs::read_dir(dir.join("tests"))
        .unwrap()
        .map(|e| format!("tests/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    tests.sort();
    files.extend(tests);
    files
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A spawned `berth serve` and a keep-alive connection to it.
struct Instance {
    child: Child,
    addr: String,
    conn: BufReader<TcpStream>,
}

impl Instance {
    fn start(work: &Path, name: &str, database: &str, tenants: &Path, demo: bool) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_berth"));
        command
            .env("RUST_LOG", "warn")
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--public-rate-limit", "0"])
            .arg("--database-url")
            .arg(database)
            .arg("--tenants")
            .arg(tenants)
            .arg("--secret-file")
            .arg(work.join(format!("{name}-jwt-secret")))
            .arg("--secrets-key-file")
            .arg(work.join("secrets-key"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if demo {
            command.arg("--demo");
        }
        let mut child = command.spawn().unwrap();
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
        Self { child, addr, conn }
    }

    /// POSTs a GraphQL query and returns the answer's JSON.
    fn graphql(&mut self, query: &str, variables: &serde_json::Value) -> serde_json::Value {
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Accept: application/graphql-response+json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.conn.get_mut().write_all(request.as_bytes()).unwrap();
        let mut status = String::new();
        self.conn.read_line(&mut status).unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.conn.read_line(&mut line).unwrap();
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
        self.conn.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The total of a 3-night stay of two guests in the tenant's first unit,
    /// about two months ahead on a Monday.
    fn total(&mut self, input: &serde_json::Value) -> i64 {
        let answer = self.graphql(
            "query($input: QuoteInput!) { quote(tenant: \"alpine-cabins\", input: $input) { total { amount } } }",
            &serde_json::json!({ "input": input }),
        );
        answer["data"]["quote"]["total"]["amount"]
            .as_i64()
            .unwrap_or_else(|| panic!("a total in {answer}"))
    }

    fn quote_input(&mut self) -> serde_json::Value {
        let units = self.graphql(
            r#"{ units(tenant: "alpine-cabins") { id } }"#,
            &serde_json::json!({}),
        );
        let unit = units["data"]["units"][0]["id"].as_str().unwrap().to_owned();
        let mut day = chrono::Utc::now().date_naive() + chrono::Days::new(60);
        while day.weekday() != chrono::Weekday::Mon
            || (day.month() == 12 && day.day() >= 18)
            || (day.month() == 1 && day.day() <= 3)
        {
            day = day + chrono::Days::new(1);
        }
        serde_json::json!({
            "unitId": unit,
            "guests": 2,
            "period": { "checkIn": day.to_string(), "checkOut": (day + chrono::Days::new(3)).to_string() },
        })
    }

    /// Asks every 5 ms until the total is no longer `before`; when it changed,
    /// measured from `started`.
    fn changed_since(
        &mut self,
        input: &serde_json::Value,
        before: i64,
        started: Instant,
    ) -> Duration {
        loop {
            if self.total(input) != before {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the quote stayed {before} for 30 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The two variants' files (path → text): the demo's, and its base rate
/// raised with the test figures that pins accepted.
fn variants(work: &Path, tenants: &Path) -> [Vec<(String, String)>; 2] {
    let staging = work.join("staging").join(SLUG);
    copy_dir(&tenants.join(SLUG), &staging);
    let names = policy_files(&staging);
    let read = |dir: &Path| {
        names
            .iter()
            .map(|f| (f.clone(), std::fs::read_to_string(dir.join(f)).unwrap()))
            .collect::<Vec<_>>()
    };
    let original = read(&staging);
    let yaml = std::fs::read_to_string(staging.join("tenant.yaml")).unwrap();
    assert!(yaml.contains("  base_rate: 18000 "));
    std::fs::write(
        staging.join("tenant.yaml"),
        yaml.replace("  base_rate: 18000 ", "  base_rate: 19000 "),
    )
    .unwrap();
    let accepted = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["policy", "test", "--accept"])
        .arg(&staging)
        .output()
        .unwrap();
    assert!(accepted.status.success(), "{accepted:?}");
    let raised = read(&staging);
    // Only the files the change touched (the base rate, the accepted figures).
    let changed: Vec<bool> = original.iter().zip(&raised).map(|(a, b)| a != b).collect();
    let keep = |files: Vec<(String, String)>| {
        files
            .into_iter()
            .zip(&changed)
            .filter(|(_, c)| **c)
            .map(|(f, _)| f)
            .collect::<Vec<_>>()
    };
    [keep(original), keep(raised)]
}

fn write_variant(dir: &Path, files: &[(String, String)]) {
    for (path, text) in files {
        std::fs::write(dir.join(path), text).unwrap();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `| case | median | min–max | ratio |`; the ratio against `baseline`, or
/// 1 for the baseline itself (`None`).
fn row(name: &str, samples: &mut [Duration], baseline: Option<f64>) -> f64 {
    samples.sort();
    let values: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
    let median = berth_core::bench::median(&values).unwrap();
    let baseline = baseline.unwrap_or(median);
    println!(
        "| {name} | {median:.1} ms | {:.1}–{:.1} ms | {:.1} |",
        values[0],
        values[values.len() - 1],
        median / baseline
    );
    median
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let repeats = env_number("BERTH_BENCH_REPEATS", 12);
    if cfg!(debug_assertions) {
        eprintln!("!! built with debug assertions: numbers are not representative");
    }
    let work = std::env::temp_dir().join(format!("berth-reload-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let repo_tenants = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let variants = variants(&work, &repo_tenants);
    let fresh_tenants = |name: &str| -> PathBuf {
        let dir = work.join(name);
        copy_dir(&repo_tenants, &dir);
        dir
    };
    let machine = berth_core::bench::Machine::detect();
    println!(
        "policy_reload: {repeats} writes per case after one unmeasured write; {}",
        machine.describe()
    );
    println!("<!-- policy_reload:begin -->");
    println!("| case | median | min–max | × baseline |");
    println!("|---|---:|---:|---:|");

    // The baseline: load, compile and test the directory in this process.
    let runtime = berth_policy::Runtime::new(berth_policy::sandbox::Limits::default()).unwrap();
    let dir = repo_tenants.join(SLUG);
    let _ = berth_policy::candidate::load_and_test(&runtime, &dir, 1).unwrap();
    let mut samples: Vec<Duration> = (0..repeats)
        .map(|i| {
            let started = Instant::now();
            let _ = berth_policy::candidate::load_and_test(&runtime, &dir, i as u64 + 2).unwrap();
            started.elapsed()
        })
        .collect();
    let baseline = row(
        "baseline: load, compile and test the directory in-process (no watcher, no database)",
        &mut samples,
        None,
    );
    // Each measured write flips the variant; the instances quote `before`
    // until they serve it.
    let measure = |written: &Path, instances: &mut [&mut Instance], input: &serde_json::Value| {
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); instances.len()];
        let tenant = written.join(SLUG);
        for i in 0..=repeats {
            let before = instances[0].total(input);
            let started = Instant::now();
            write_variant(&tenant, &variants[(i + 1) % 2]);
            for (n, instance) in instances.iter_mut().enumerate() {
                let took = instance.changed_since(input, before, started);
                if i > 0 {
                    samples[n].push(took);
                }
            }
            // Let the watcher and every follower settle before the next.
            std::thread::sleep(Duration::from_millis(600));
        }
        samples
    };

    // SQLite, one instance.
    {
        let tenants = fresh_tenants("sqlite-tenants");
        let database = format!("sqlite:{}", work.join("berth.db").display());
        let mut a = Instance::start(&work, "sqlite", &database, &tenants, true);
        let input = a.quote_input();
        let mut samples = measure(&tenants, &mut [&mut a], &input);
        row(
            "SQLite, one instance: write → it serves the new version",
            &mut samples[0],
            Some(baseline),
        );
    }

    // PostgreSQL, two instances.
    if std::env::var("BERTH_TEST_POSTGRES_URL").is_ok() {
        let url = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(berth_core::testing::fresh_postgres_url());
        let a_tenants = fresh_tenants("pg-a-tenants");
        let b_tenants = fresh_tenants("pg-b-tenants");
        let mut a = Instance::start(&work, "pg-a", &url, &a_tenants, true);
        let mut b = Instance::start(&work, "pg-b", &url, &b_tenants, false);
        let input = a.quote_input();
        let mut samples = measure(&a_tenants, &mut [&mut a, &mut b], &input);
        row(
            "PostgreSQL, instance A: write on A's disk → A serves it",
            &mut samples[0],
            Some(baseline),
        );
        row(
            "PostgreSQL, instance B: the same write → B serves it (its 250 ms poll)",
            &mut samples[1],
            Some(baseline),
        );
    } else {
        println!("| PostgreSQL | skipped: no BERTH_TEST_POSTGRES_URL | | |");
    }
    println!("<!-- policy_reload:end -->");
    let _ = std::fs::remove_dir_all(&work);
}
