//! Booking throughput: successful bookings per second through the real
//! `berth_core::Engine` (with the plain-Rust nightly test policy from
//! `core/tests/support`), with 1, 8 and 32 concurrent clients, on SQLite (a temp
//! file database) and on PostgreSQL; on PostgreSQL, two ceilings at the same
//! concurrency levels: the same booking transaction written as plain sqlx
//! queries sent one by one with no engine (raw SQL), and the same transaction
//! run as one server-side call (one call); and, on both databases, a rush on
//! one time slot against the same clients spread over 200 units.
//!
//! Workload. Every measurement starts from a fresh, migrated database holding one
//! tenant and 200 units of inventory 1. A client is a tokio task that books one
//! night after another, with no think time, as fast as its previous booking
//! returns. Booking number `i` of client `c` of `n` gets the global slot
//! `s = i * n + c`, and books unit `s % 200` for the night `s / 200` after
//! 2026-12-01: each client walks the units round-robin (so clients meet on a unit's
//! lock now and then, and queue for it), every unit's calendar fills with
//! consecutive, non-overlapping one-night stays, and no two slots ask for the same
//! unit and night. So bookings succeed; a refusal (UNAVAILABLE) would mean a bug in
//! the workload or the store, and is counted separately, as are other failures.
//! Engine bookings carry no client and no idempotency key (each would add queries
//! to the engine side only). On PostgreSQL the engine's store writes such a
//! booking as one call of `berth_book` (migration 0031, docs/decisions/0178),
//! after the engine's read of the tenant and unit for the policy.
//!
//! The raw ceiling runs, per booking: BEGIN and name the tenant for row-level
//! security (one message, as the store sends it); SELECT the unit row FOR NO KEY
//! UPDATE; SELECT the overlapping active reservations and check capacity; INSERT
//! the reservation (marked exclusive, so the GiST exclusion constraint is
//! maintained as for the engine); INSERT the audit_log row; INSERT the events row;
//! COMMIT. Its rows carry JSON of about the same size as the engine's; its price
//! is computed once, up front.
//!
//! The one-call ceiling runs the same transaction as one statement: the bench
//! creates a plpgsql function (`bench_book`, in its own throughput database)
//! that names the tenant for row-level security, locks the unit row FOR NO KEY
//! UPDATE, computes the peak load of the overlapping active reservations in
//! SQL and checks capacity, inserts the reservation (exclusive as above), the
//! audit_log row and the events row; sqlx calls it with the same prepared
//! parameters and JSON as the raw row, outside an explicit transaction, so a
//! booking is one round trip (a refusal for capacity is its `false`). The table
//! shows each engine row as a fraction of both ceilings of its client count.
//!
//! The rush (timeslot model, the plain-Rust tour policy of `core/tests/support`,
//! one seat per booking, no think time): `BERTH_BENCH_RUSH_CLIENTS` clients
//! (32) all book seats in ONE slot (2026-12-01 09:00 Oslo) of one unit of
//! 1,000,000 seats — a tour date going on sale — against the same clients and
//! slot spread round-robin over 200 such units (the spread row). Each shows
//! rush ÷ spread. After every run the store's occupancy of the slot is read
//! back: no unit may hold more seats than its inventory, and the seats held
//! must equal the bookings the clients saw succeed (warm-up and tail
//! included); the run panics otherwise. Once per database, the rush database
//! then gets a sell-out: a unit of 500 seats that the same clients book until
//! each is refused (UNAVAILABLE); exactly 500 seats must be held afterwards
//! (none oversold, none refused while free).
//!
//! Measurement. Each run has a 0.5 s warm-up (not counted) and then a fixed window
//! (3 s by default); a booking counts when it completes inside the window, and
//! bookings/s = bookings counted / window length. Connection pools are sized to the
//! client count (SQLite's store has a fixed pool of 8 and serializes writers
//! anyway) and filled before the clock starts. Each configuration runs 3 times,
//! PostgreSQL engine and raw runs interleaved, and the table reports the median.
//! Clients and server share the machine's CPUs, so anything else running skews
//! the numbers: on Linux, each run also measures (from /proc) the CPU that other
//! processes used during its window, and a run where they used more than 0.2 of a
//! core is discarded and repeated (at most 6 times per invocation). The table shows
//! the most such CPU seen in the runs it kept.
//!
//! Run it with `scripts/bench` (starts a throwaway PostgreSQL server), or
//! `cargo bench -p berth-core --bench booking_throughput` with
//! `BERTH_TEST_POSTGRES_URL` set to an admin URL; without it, PostgreSQL is
//! skipped with a loud message. Knobs (environment variables):
//! `BERTH_BENCH_SECS` (window, default 3), `BERTH_BENCH_WARMUP_SECS` (0.5),
//! `BERTH_BENCH_REPEATS` (3), `BERTH_BENCH_CLIENTS` (`1,8,32`),
//! `BERTH_BENCH_BACKENDS` (`sqlite,postgres`), `BERTH_BENCH_RETRIES` (6),
//! `BERTH_BENCH_RUSH_CLIENTS` (32; 0 leaves the rush out), and
//! `BERTH_BENCH_RAW_READS=1`, which adds a diagnostic row: the raw transaction
//! preceded by the two reads the engine makes before its transaction (the tenant,
//! and the unit in a transaction of its own that names the tenant), to separate
//! the cost of those round trips from the engine's CPU work.
//!
//! PostgreSQL databases come from `berth_core::testing`: owned by, and connected
//! as, a role that row-level security applies to, as production must connect.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::audit::Actor;
use berth_core::bench::{
    Machine, MachineTicks, median, process_ticks, server_ticks, ticks_between,
};
use berth_core::capacity;
use berth_core::clock::ManualClock;
use berth_core::engine::CreateReservation;
use berth_core::ids::UnitId;
use berth_core::local_time::local_instant;
use berth_core::money::{Money, Price, PriceLine};
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Quantity};
use berth_core::reservation::Channel;
use berth_core::store::{ClientRef, PostgresStore, SqliteStore, Store};
use berth_core::tenant::Tenant;
use berth_core::testing::Backend;
use berth_core::time_range::TimeRange;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::types::Json;
use sqlx::{Connection, PgPool, Postgres, Transaction};
use uuid::Uuid;

/// Units of inventory 1 in every measurement's tenant.
const UNITS: u64 = 200;
/// The concurrency levels measured by default.
const CLIENT_COUNTS: [usize; 3] = [1, 8, 32];
/// The first night any client books.
const FIRST_NIGHT: &str = "2026-12-01";
/// Seats of each unit in the rush and spread rows.
const RUSH_SEATS: i64 = 1_000_000;
/// Seats of the unit the sell-out check books until it is full.
const SELL_OUT_SEATS: u64 = 500;
/// The local date and hour of the one slot the rush books (a slot of the
/// tour policy).
const RUSH_DATE: &str = "2026-12-01";
const RUSH_HOUR: u32 = 9;
/// The command this benchmark is meant to be run with.
const COMMAND: &str = "cargo bench -p berth-core --bench booking_throughput";
/// Above this many CPU cores used by other processes during a run's window, the
/// run is considered disturbed and repeated.
const BUSY_CORES: f64 = 0.2;
/// Marks the markdown results block, which `scripts/bench --write` copies into
/// BENCHMARKS.md.
const BLOCK_BEGIN: &str = "<!-- booking_throughput:begin -->";
const BLOCK_END: &str = "<!-- booking_throughput:end -->";

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
    warmup: Duration,
    window: Duration,
    repeats: usize,
    clients: Vec<usize>,
    sqlite: bool,
    postgres: bool,
    raw_with_reads: bool,
    retries: usize,
    /// Clients of the rush and spread rows (0: not measured).
    rush_clients: usize,
}

impl Config {
    fn from_env() -> Self {
        let secs = |name: &str, default: f64| {
            let value = std::env::var(name)
                .ok()
                .map(|v| {
                    v.parse::<f64>()
                        .unwrap_or_else(|_| panic!("{name} must be a number of seconds"))
                })
                .unwrap_or(default);
            Duration::from_secs_f64(value)
        };
        let repeats = std::env::var("BERTH_BENCH_REPEATS")
            .ok()
            .map(|v| {
                v.parse::<usize>()
                    .expect("BERTH_BENCH_REPEATS must be a positive integer")
            })
            .unwrap_or(3)
            .max(1);
        let clients = std::env::var("BERTH_BENCH_CLIENTS").ok().map_or_else(
            || CLIENT_COUNTS.to_vec(),
            |v| {
                v.split(',')
                    .map(|n| {
                        n.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|&n| n > 0)
                            .expect("BERTH_BENCH_CLIENTS must be a list like 1,8,32")
                    })
                    .collect()
            },
        );
        let backends =
            std::env::var("BERTH_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
        Self {
            warmup: secs("BERTH_BENCH_WARMUP_SECS", 0.5),
            window: secs("BERTH_BENCH_SECS", 3.0),
            repeats,
            clients,
            sqlite: backends.contains("sqlite"),
            postgres: backends.contains("postgres"),
            raw_with_reads: std::env::var("BERTH_BENCH_RAW_READS").is_ok_and(|v| v == "1"),
            retries: std::env::var("BERTH_BENCH_RETRIES")
                .ok()
                .map(|v| {
                    v.parse::<usize>()
                        .expect("BERTH_BENCH_RETRIES must be a count")
                })
                .unwrap_or(6),
            rush_clients: std::env::var("BERTH_BENCH_RUSH_CLIENTS")
                .ok()
                .map(|v| {
                    v.parse::<usize>()
                        .expect("BERTH_BENCH_RUSH_CLIENTS must be a count")
                })
                .unwrap_or(32),
        }
    }
}

/// What one booking attempt came to.
#[derive(Debug)]
enum Outcome {
    Booked,
    Refused,
    Failed(String),
}

/// The counts of one run, over its measurement window.
#[derive(Clone, Debug, Default)]
struct Counts {
    booked: u64,
    refused: u64,
    failed: u64,
    /// Bookings that succeeded at any time, warm-up and tail included.
    all_booked: u64,
    first_failure: Option<String>,
    /// CPU cores used on average by processes other than the benchmark and its
    /// PostgreSQL server during the window (Linux only).
    others: Option<f64>,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Booked => self.booked += 1,
            Outcome::Refused => self.refused += 1,
            Outcome::Failed(message) => {
                self.failed += 1;
                self.first_failure.get_or_insert(message);
            }
        }
    }

    fn merge(&mut self, other: Counts) {
        self.booked += other.booked;
        self.refused += other.refused;
        self.failed += other.failed;
        self.all_booked += other.all_booked;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }
}

/// What is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    SqliteEngine,
    PostgresEngine,
    PostgresRaw,
    /// The same transaction as one server-side call.
    PostgresOneCall,
    /// Diagnostic: the raw transaction preceded by the engine's two reads.
    PostgresRawWithReads,
    /// Every client books seats in one slot of one unit.
    SqliteRush,
    /// The same clients and slot, spread over [`UNITS`] units.
    SqliteSpread,
    PostgresRush,
    PostgresSpread,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Self::SqliteEngine => "sqlite (engine)",
            Self::PostgresEngine => "postgres (engine)",
            Self::PostgresRaw => "postgres (raw SQL)",
            Self::PostgresOneCall => "postgres (one call)",
            Self::PostgresRawWithReads => "postgres (raw+reads)",
            Self::SqliteRush => "sqlite (rush, 1 slot)",
            Self::SqliteSpread => "sqlite (spread, 200)",
            Self::PostgresRush => "postgres (rush, 1 slot)",
            Self::PostgresSpread => "postgres (spread, 200)",
        }
    }
}

/// One row of the results table: every run of one mode at one client count.
#[derive(Debug)]
struct Row {
    mode: Mode,
    clients: usize,
    rates: Vec<f64>,
    counts: Counts,
    others: Vec<f64>,
}

impl Row {
    fn new(mode: Mode, clients: usize) -> Self {
        Self {
            mode,
            clients,
            rates: Vec::new(),
            counts: Counts::default(),
            others: Vec::new(),
        }
    }

    fn median(&self) -> f64 {
        median(&self.rates).unwrap_or(0.0)
    }

    /// The most CPU other processes took during any of the row's runs.
    fn others_max(&self) -> String {
        self.others
            .iter()
            .copied()
            .reduce(f64::max)
            .map_or_else(|| "n/a".to_owned(), |o| format!("{o:.2}"))
    }
}

async fn run(config: Config) {
    let started = Instant::now();
    let machine = Machine::detect();
    println!("booking_throughput: successful bookings per second");
    println!("machine: {}", machine.describe());
    println!("command: {COMMAND}");
    println!(
        "window: {:.1} s after {:.1} s warm-up, {} run(s) per row, median reported; {UNITS} units of inventory 1",
        config.window.as_secs_f64(),
        config.warmup.as_secs_f64(),
        config.repeats
    );

    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut retries = config.retries;

    if config.sqlite {
        notes.push(format!("SQLite {}", sqlite_version().await));
        for &clients in &config.clients {
            let mut row = Row::new(Mode::SqliteEngine, clients);
            for repeat in 0..config.repeats {
                let counts = measured(&mut retries, &config, || {
                    sqlite_engine_run(clients, &config)
                })
                .await;
                record(&mut row, counts, repeat, &config);
            }
            rows.push(row);
        }
    }

    if !config.postgres {
        eprintln!("PostgreSQL not measured: BERTH_BENCH_BACKENDS does not name it");
    } else if support::postgres_admin_url().is_some() {
        notes.push(postgres_settings().await);
        for &clients in &config.clients {
            let mut engine_row = Row::new(Mode::PostgresEngine, clients);
            let mut raw_row = Row::new(Mode::PostgresRaw, clients);
            let mut one_call_row = Row::new(Mode::PostgresOneCall, clients);
            let mut reads_row = Row::new(Mode::PostgresRawWithReads, clients);
            // Interleaved, so that drift in the machine's load hits all alike.
            for repeat in 0..config.repeats {
                let counts = measured(&mut retries, &config, || {
                    postgres_engine_run(clients, &config)
                })
                .await;
                record(&mut engine_row, counts, repeat, &config);
                let counts = measured(&mut retries, &config, || {
                    postgres_raw_run(clients, &config, false)
                })
                .await;
                record(&mut raw_row, counts, repeat, &config);
                let counts = measured(&mut retries, &config, || {
                    postgres_one_call_run(clients, &config)
                })
                .await;
                record(&mut one_call_row, counts, repeat, &config);
                if config.raw_with_reads {
                    let counts = measured(&mut retries, &config, || {
                        postgres_raw_run(clients, &config, true)
                    })
                    .await;
                    record(&mut reads_row, counts, repeat, &config);
                }
            }
            rows.push(engine_row);
            rows.push(raw_row);
            rows.push(one_call_row);
            if config.raw_with_reads {
                rows.push(reads_row);
            }
        }
    } else {
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        eprintln!("!! BERTH_TEST_POSTGRES_URL is not set: PostgreSQL was SKIPPED (engine and !!");
        eprintln!("!! raw ceiling). Run scripts/bench, which starts a throwaway server.      !!");
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        notes.push("PostgreSQL: SKIPPED (BERTH_TEST_POSTGRES_URL not set)".to_owned());
    }

    if config.rush_clients > 0 {
        let mut backends = Vec::new();
        if config.sqlite {
            backends.push((Backend::Sqlite, Mode::SqliteRush, Mode::SqliteSpread));
        }
        if config.postgres && support::postgres_admin_url().is_some() {
            backends.push((Backend::Postgres, Mode::PostgresRush, Mode::PostgresSpread));
        }
        let clients = config.rush_clients;
        for (backend, rush, spread) in backends {
            let mut rush_row = Row::new(rush, clients);
            let mut spread_row = Row::new(spread, clients);
            for repeat in 0..config.repeats {
                let counts = measured(&mut retries, &config, || {
                    slot_run(backend, clients, &config, true)
                })
                .await;
                record(&mut rush_row, counts, repeat, &config);
                let counts = measured(&mut retries, &config, || {
                    slot_run(backend, clients, &config, false)
                })
                .await;
                record(&mut spread_row, counts, repeat, &config);
            }
            notes.push(sell_out_check(backend, clients).await);
            rows.push(rush_row);
            rows.push(spread_row);
        }
        notes.push(format!(
            "rush: {clients} clients book one seat at a time in one slot of one unit of \
             {RUSH_SEATS} seats (tour policy); spread: the same clients and slot over {UNITS} \
             such units; after every run the seats held were read back: none over inventory, \
             as many as the bookings seen to succeed"
        ));
    }

    let discarded = config.retries - retries;
    notes.push(format!(
        "others (cores): the most CPU that processes other than the benchmark and its \
         PostgreSQL server used during any run of the row, in cores (0.00 = idle machine); \
         runs above {BUSY_CORES} were discarded and repeated, up to {} times: {discarded} were",
        config.retries
    ));

    println!();
    print_table(&rows);
    println!();
    print_markdown(&rows, &machine, &notes, &config);
    for row in &rows {
        if let Some(failure) = &row.counts.first_failure {
            eprintln!(
                "!! {} with {} client(s): {} failed booking(s); first: {failure}",
                row.mode.label(),
                row.clients,
                row.counts.failed
            );
        }
    }
    println!(
        "\ntotal bench time: {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// Runs `run` once, and again (while the retry budget lasts) when other processes
/// took more than `BUSY_CORES` of CPU during its window.
async fn measured<F, Fut>(retries: &mut usize, config: &Config, run: F) -> Counts
where
    F: Fn() -> Fut,
    Fut: Future<Output = Counts>,
{
    loop {
        let counts = run().await;
        match counts.others {
            Some(others) if others > BUSY_CORES && *retries > 0 => {
                *retries -= 1;
                eprintln!(
                    "  (discarded a run of {:.1} bookings/s: other processes used {others:.2} \
                     CPU cores meanwhile; {} retry(s) left)",
                    counts.booked as f64 / config.window.as_secs_f64(),
                    retries
                );
            }
            _ => return counts,
        }
    }
}

fn record(row: &mut Row, counts: Counts, repeat: usize, config: &Config) {
    let rate = counts.booked as f64 / config.window.as_secs_f64();
    let others = counts
        .others
        .map_or_else(String::new, |o| format!(", others {o:.2} cores"));
    eprintln!(
        "  {:<24} clients={:<2} run {}/{}: {:>8.1} bookings/s ({} booked, {} refused, {} failed{others})",
        row.mode.label(),
        row.clients,
        repeat + 1,
        config.repeats,
        rate,
        counts.booked,
        counts.refused,
        counts.failed
    );
    row.rates.push(rate);
    row.others.extend(counts.others);
    row.counts.merge(counts);
}

/// A row's median as a fraction of its baselines measured in the same run: a
/// PostgreSQL engine row's of the raw-SQL and one-call ceilings, a rush row's
/// of its spread row; empty for the others.
fn ratio(rows: &[Row], row: &Row) -> String {
    let of = |mode: Mode| {
        rows.iter()
            .find(|r| r.mode == mode && r.clients == row.clients)
            .map(|base| row.median() / base.median())
    };
    let parts: Vec<String> = match row.mode {
        Mode::PostgresEngine => [
            of(Mode::PostgresRaw).map(|r| format!("{r:.2} of raw")),
            of(Mode::PostgresOneCall).map(|r| format!("{r:.2} of one call")),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Mode::SqliteRush => of(Mode::SqliteSpread)
            .map(|r| format!("{r:.2} of spread"))
            .into_iter()
            .collect(),
        Mode::PostgresRush => of(Mode::PostgresSpread)
            .map(|r| format!("{r:.2} of spread"))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    parts.join(", ")
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<24} {:>7} {:>20} {:>30} {:>8} {:>7} {:>28} {:>7}",
        "backend",
        "clients",
        "bookings/s (median)",
        "runs",
        "refused",
        "failed",
        "ratio (same run)",
        "others"
    );
    for row in rows {
        let runs = row
            .rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(" / ");
        let ratio = ratio(rows, row);
        println!(
            "{:<24} {:>7} {:>20.0} {:>30} {:>8} {:>7} {:>28} {:>7}",
            row.mode.label(),
            row.clients,
            row.median(),
            runs,
            row.counts.refused,
            row.counts.failed,
            ratio,
            row.others_max()
        );
    }
}

fn print_markdown(rows: &[Row], machine: &Machine, notes: &[String], config: &Config) {
    println!("{BLOCK_BEGIN}");
    println!(
        "Measured {} on {}.",
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine.describe()
    );
    println!();
    println!("Command: `{COMMAND}` (via `scripts/bench`).");
    println!(
        "Each row: median of {} runs of {:.1} s (after {:.1} s warm-up); bookings/s counts successful bookings only.",
        config.repeats,
        config.window.as_secs_f64(),
        config.warmup.as_secs_f64()
    );
    for note in notes {
        println!("{note}.");
    }
    println!();
    println!(
        "| backend | clients | bookings/s (median) | runs (bookings/s) | refused | failed | ratio (same run) | others (cores) |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
    for row in rows {
        let runs = row
            .rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(" / ");
        let ratio = ratio(rows, row);
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} |",
            row.mode.label(),
            row.clients,
            row.median(),
            runs,
            row.counts.refused,
            row.counts.failed,
            ratio,
            row.others_max()
        );
    }
    println!("{BLOCK_END}");
}

/// Runs `clients` tasks that each call `book(client, iteration)` in a loop until
/// the warm-up and the window are over, and counts the outcomes that complete
/// inside the window.
/// `server` is the PostgreSQL postmaster's process id, when the server runs on
/// this machine: its CPU is the benchmark's, not another process's.
async fn drive<F, Fut>(clients: usize, config: &Config, server: Option<u32>, book: F) -> Counts
where
    F: Fn(usize, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let start = Instant::now();
    let window_start = start + config.warmup;
    let window_end = window_start + config.window;
    let monitor = tokio::spawn(async move {
        tokio::time::sleep_until(window_start.into()).await;
        let before = CpuSample::take(server);
        tokio::time::sleep_until(window_end.into()).await;
        let after = CpuSample::take(server);
        before.zip(after).map(|(a, b)| a.others_cores(&b))
    });
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let book = book.clone();
        tasks.push(tokio::spawn(async move {
            let mut counts = Counts::default();
            let mut iteration = 0_u64;
            loop {
                let outcome = book(client, iteration).await;
                iteration += 1;
                if matches!(outcome, Outcome::Booked) {
                    counts.all_booked += 1;
                }
                let now = Instant::now();
                if now >= window_end {
                    break;
                }
                if now >= window_start {
                    counts.add(outcome);
                }
            }
            counts
        }));
    }
    let mut total = Counts::default();
    for task in tasks {
        total.merge(task.await.expect("a client task panicked"));
    }
    total.others = monitor.await.expect("the CPU monitor panicked");
    total
}

/// CPU time in clock ticks from /proc: the whole machine's, and that of the
/// benchmark's own processes (this one, and the PostgreSQL server's).
#[derive(Debug)]
struct CpuSample {
    machine: MachineTicks,
    ours: HashMap<u32, u64>,
}

impl CpuSample {
    fn take(server: Option<u32>) -> Option<Self> {
        let machine = MachineTicks::take()?;
        let mut ours = match server {
            Some(postmaster) => server_ticks(postmaster)?,
            None => HashMap::new(),
        };
        let me = std::process::id();
        ours.insert(me, process_ticks(me)?.1);
        Some(Self { machine, ours })
    }

    /// CPU cores used on average by other processes between `self` and `later`.
    fn others_cores(&self, later: &Self) -> f64 {
        let busy = self.machine.busy_until(&later.machine);
        let ours = ticks_between(&self.ours, &later.ours);
        self.machine
            .cores(&later.machine, busy.saturating_sub(ours))
    }
}

/// The process id of the PostgreSQL server behind `pool`, if it runs here.
async fn postmaster_pid(pool: &PgPool) -> Option<u32> {
    let (backend,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .ok()?;
    let backend = u32::try_from(backend).ok()?;
    process_ticks(backend).map(|(parent, _)| parent)
}

/// The unit index and check-in date of booking `iteration` of `client`.
fn slot(client: usize, iteration: u64, clients: usize) -> (usize, NaiveDate) {
    let s = iteration * clients as u64 + client as u64;
    let unit = usize::try_from(s % UNITS).expect("unit index fits usize");
    let night = chrono::Days::new(s / UNITS);
    let first: NaiveDate = FIRST_NIGHT.parse().expect("first night");
    (unit, first + night)
}

/// The bench tenant with its units, created through the store.
async fn populate(store: &dyn Store) -> (Tenant, Vec<UnitId>) {
    let tenant = support::tenant(store, "bench").await;
    let mut units = Vec::with_capacity(UNITS as usize);
    for i in 0..UNITS {
        units.push(
            support::unit(store, &tenant, &format!("Cabin {i:03}"), 1, 4)
                .await
                .id,
        );
    }
    (tenant, units)
}

/// Books through the engine, with the workload's slots.
async fn engine_run(
    engine: Engine,
    tenant: &Tenant,
    units: Vec<UnitId>,
    clients: usize,
    config: &Config,
    server: Option<u32>,
) -> Counts {
    let tenant_id = tenant.id;
    let units = Arc::new(units);
    let actor = Actor::ApiKey("bench".into());
    drive(clients, config, server, move |client, iteration| {
        let engine = engine.clone();
        let units = units.clone();
        let actor = actor.clone();
        async move {
            let (unit, check_in) = slot(client, iteration, clients);
            let cmd = CreateReservation {
                unit_id: units[unit],
                period: PeriodRequest::Nights {
                    check_in,
                    check_out: check_in + chrono::Days::new(1),
                },
                party: Party {
                    guests: Guests::new(2).expect("guests"),
                    quantity: Quantity::new(1).expect("quantity"),
                },
                client: ClientRef::None,
                idempotency_key: None,
                notes: None,
                hold: false,
                channel: Channel::Api,
                consume_lock: None,
                policy_override: None,
            };
            match engine.create_reservation(tenant_id, cmd, &actor).await {
                Ok(_) => Outcome::Booked,
                Err(e) if e.code() == ErrorCode::Unavailable => Outcome::Refused,
                Err(e) => Outcome::Failed(match std::error::Error::source(&e) {
                    Some(source) => format!("{e}: {source}"),
                    None => e.to_string(),
                }),
            }
        }
    })
    .await
}

async fn sqlite_engine_run(clients: usize, config: &Config) -> Counts {
    let store = support::fresh_sqlite().await;
    let path = store.pool().connect_options().get_filename().to_owned();
    warm_sqlite(&store, clients).await;
    let pool = store.pool().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    let (tenant, units) = populate(&*store).await;
    let (engine, _clock) = support::engine(store);
    let counts = engine_run(engine, &tenant, units, clients, config, None).await;
    pool.close().await;
    remove_sqlite_files(&path);
    counts
}

async fn postgres_engine_run(clients: usize, config: &Config) -> Counts {
    let url = support::fresh_postgres_url().await;
    let store = connect_postgres(&url, clients).await;
    let pool = store.pool().clone();
    let server = postmaster_pid(&pool).await;
    let store: Arc<dyn Store> = Arc::new(store);
    let (tenant, units) = populate(&*store).await;
    let (engine, _clock) = support::engine(store);
    let counts = engine_run(engine, &tenant, units, clients, config, server).await;
    pool.close().await;
    drop_database(&url).await;
    counts
}

async fn postgres_raw_run(clients: usize, config: &Config, engine_reads: bool) -> Counts {
    // fresh_postgres_url runs PostgresStore::migrate: the same schema as the engine's.
    let url = support::fresh_postgres_url().await;
    let store = connect_postgres(&url, clients).await;
    let (tenant, units) = populate(&store).await;
    let pool = store.pool().clone();
    let raw = Arc::new(RawBooking::new(&tenant, units, engine_reads));
    let server = postmaster_pid(&pool).await;
    let counts = drive(clients, config, server, {
        let pool = pool.clone();
        move |client, iteration| {
            let pool = pool.clone();
            let raw = raw.clone();
            async move {
                let (unit, check_in) = slot(client, iteration, clients);
                match raw.book(&pool, unit, check_in).await {
                    Ok(true) => Outcome::Booked,
                    Ok(false) => Outcome::Refused,
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
        }
    })
    .await;
    pool.close().await;
    drop_database(&url).await;
    counts
}

/// A store whose pool holds `clients` connections, all opened before returning.
async fn connect_postgres(url: &str, clients: usize) -> PostgresStore {
    let size = u32::try_from(clients).expect("client count fits u32");
    let store = PostgresStore::connect_with_pool_size(url, size)
        .await
        .expect("connect to the bench database");
    let mut held = Vec::with_capacity(clients);
    for _ in 0..clients {
        held.push(store.pool().acquire().await.expect("open a connection"));
    }
    store
}

/// Opens as many of the SQLite store's (at most 8) connections as clients will use.
async fn warm_sqlite(store: &SqliteStore, clients: usize) {
    let mut held = Vec::with_capacity(clients);
    for _ in 0..clients.min(8) {
        held.push(store.pool().acquire().await.expect("open a connection"));
    }
}

fn remove_sqlite_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

/// Drops a bench database so repeated runs do not pile them up on the server.
async fn drop_database(url: &str) {
    let admin = support::postgres_admin_url().expect("BERTH_TEST_POSTGRES_URL");
    let (_, name) = url.rsplit_once('/').expect("url with a database");
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

async fn sqlite_version() -> String {
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .expect("open in-memory sqlite");
    let (version,): (String,) = sqlx::query_as("SELECT sqlite_version()")
        .fetch_one(&mut conn)
        .await
        .expect("sqlite version");
    let _ = conn.close().await;
    format!("{version} (temp file, WAL, synchronous=NORMAL, store pool of 8)")
}

/// The server version and the durability settings that matter for write throughput.
async fn postgres_settings() -> String {
    let admin = support::postgres_admin_url().expect("BERTH_TEST_POSTGRES_URL");
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect admin");
    let mut show = async |setting: &str| -> String {
        let (value,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&mut conn)
            .await
            .expect("show setting");
        format!("{setting}={value}")
    };
    let settings = [
        show("server_version").await,
        show("fsync").await,
        show("synchronous_commit").await,
        show("full_page_writes").await,
        show("shared_buffers").await,
    ];
    let _ = conn.close().await;
    format!(
        "PostgreSQL on the same machine over TCP 127.0.0.1: {}",
        settings.join(", ")
    )
}

/// The raw-SQL booking transaction, with what it needs prepared once.
#[derive(Debug)]
struct RawBooking {
    tenant_id: Uuid,
    tz: chrono_tz::Tz,
    units: Vec<Uuid>,
    price: serde_json::Value,
    price_total_minor: i64,
    currency: String,
    now: DateTime<Utc>,
    check_in_time: NaiveTime,
    check_out_time: NaiveTime,
    engine_reads: bool,
}

impl RawBooking {
    fn new(tenant: &Tenant, units: Vec<UnitId>, engine_reads: bool) -> Self {
        let currency = tenant.currency;
        let lines = vec![
            PriceLine {
                kind: "nights".into(),
                label: "1 night(s) × 1".into(),
                amount: Money::new(100_000, currency),
            },
            PriceLine {
                kind: "fee".into(),
                label: "Cleaning".into(),
                amount: Money::new(25_000, currency),
            },
        ];
        let price = Price::from_lines(currency, lines).expect("one currency");
        Self {
            tenant_id: tenant.id.as_uuid(),
            tz: tenant.timezone,
            units: units.iter().map(|u| u.as_uuid()).collect(),
            price_total_minor: price.total.amount_minor,
            currency: currency.to_string(),
            price: serde_json::to_value(&price).expect("price as JSON"),
            now: support::start_instant(),
            check_in_time: NaiveTime::from_hms_opt(15, 0, 0).expect("time"),
            check_out_time: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
            engine_reads,
        }
    }

    /// A transaction whose first statement names the tenant for row-level
    /// security, as `PostgresStore` begins every transaction.
    async fn begin_tenant(&self, pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
        let begin = format!(
            "BEGIN; SELECT set_config('berth.tenant_id', '{}', true)",
            self.tenant_id
        );
        pool.begin_with(sqlx::AssertSqlSafe(begin)).await
    }

    /// One booking: true when booked, false when refused for capacity.
    async fn book(&self, pool: &PgPool, unit: usize, check_in: NaiveDate) -> sqlx::Result<bool> {
        let unit_id = self.units[unit];
        let check_out = check_in + chrono::Days::new(1);
        let start = local_instant(self.tz, check_in, self.check_in_time);
        let end = local_instant(self.tz, check_out, self.check_out_time);
        let id = Uuid::now_v7();

        if self.engine_reads {
            // What the engine reads before its transaction: the tenant, and the unit
            // in a transaction that names the tenant and is dropped after the read,
            // as the store does (rows not decoded).
            sqlx::query("SELECT * FROM tenants WHERE id = $1")
                .bind(self.tenant_id)
                .fetch_one(pool)
                .await?;
            sqlx::query("SELECT * FROM units WHERE tenant_id = $1 AND id = $2")
                .bind(self.tenant_id)
                .bind(unit_id)
                .fetch_one(&mut *self.begin_tenant(pool).await?)
                .await?;
        }
        let mut tx = self.begin_tenant(pool).await?;
        let (inventory, archived): (i64, bool) = sqlx::query_as(
            "SELECT inventory, archived FROM units WHERE tenant_id = $1 AND id = $2 \
             FOR NO KEY UPDATE",
        )
        .bind(self.tenant_id)
        .bind(unit_id)
        .fetch_one(&mut *tx)
        .await?;
        let taken: Vec<(DateTime<Utc>, DateTime<Utc>, i64)> = sqlx::query_as(
            "SELECT occupied_start, occupied_end, quantity FROM reservations \
             WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in') \
               AND occupied_start < $3 AND occupied_end > $4 AND id IS DISTINCT FROM $5",
        )
        .bind(self.tenant_id)
        .bind(unit_id)
        .bind(end)
        .bind(start)
        .bind(None::<Uuid>)
        .fetch_all(&mut *tx)
        .await?;
        let requested = TimeRange::new(start, end).expect("check-out after check-in");
        let taken = taken
            .into_iter()
            .filter_map(|(s, e, q)| Some((TimeRange::new(s, e).ok()?, u32::try_from(q).ok()?)));
        let inventory = u32::try_from(inventory).unwrap_or(u32::MAX);
        if archived || !capacity::fits(taken, &requested, 1, inventory) {
            tx.rollback().await?;
            return Ok(false);
        }

        let reservation = serde_json::json!({
            "id": id,
            "tenant_id": self.tenant_id,
            "unit_id": unit_id,
            "client_id": null,
            "state": "confirmed",
            "period": { "start": start, "end": end },
            "occupied": { "start": start, "end": end },
            "check_in": check_in,
            "check_out": check_out,
            "quantity": 1,
            "guests": 2,
            "price": &self.price,
            "channel": "api",
            "idempotency_key": null,
            "notes": null,
            "hold_expires_at": null,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        });
        let inserted = sqlx::query(
            "INSERT INTO reservations (unit_id, client_id, state, start_at, end_at, occupied_start, \
               occupied_end, check_in, check_out, quantity, guests, price, price_total_minor, \
               currency, channel, idempotency_key, notes, hold_expires_at, version, created_at, \
               updated_at, tenant_id, id, exclusive) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
               $18, $19, $20, $21, $22, $23, $24)",
        )
        .bind(unit_id)
        .bind(None::<Uuid>)
        .bind("confirmed")
        .bind(start)
        .bind(end)
        .bind(start)
        .bind(end)
        .bind(check_in)
        .bind(check_out)
        .bind(1_i64)
        .bind(2_i64)
        .bind(Json(&self.price))
        .bind(self.price_total_minor)
        .bind(&self.currency)
        .bind("api")
        .bind(None::<String>)
        .bind(None::<String>)
        .bind(None::<DateTime<Utc>>)
        .bind(1_i64)
        .bind(self.now)
        .bind(self.now)
        .bind(self.tenant_id)
        .bind(id)
        .bind(inventory == 1)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            let exclusion = matches!(&e, sqlx::Error::Database(db)
                if db.constraint() == Some("reservations_exclusive_no_overlap"));
            tx.rollback().await?;
            return if exclusion { Ok(false) } else { Err(e) };
        }
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, actor, entity_type, entity_id, action, at, metadata) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(self.tenant_id)
        .bind("api_key:bench")
        .bind("reservation")
        .bind(id)
        .bind("create")
        .bind(self.now)
        .bind(Json(serde_json::json!({ "after": &reservation })))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO events (id, tenant_id, kind, entity_id, payload, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(self.tenant_id)
        .bind("reservation.created")
        .bind(id)
        .bind(Json(&reservation))
        .bind(self.now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The one-call ceiling's function: the raw transaction's statements in one
/// plpgsql body, called outside an explicit transaction (so the call is its own
/// transaction and one round trip). False when capacity refuses the booking.
const ONE_CALL_FUNCTION: &str = r"
CREATE FUNCTION bench_book(
    p_tenant uuid, p_unit uuid, p_id uuid, p_start timestamptz, p_end timestamptz,
    p_check_in date, p_check_out date, p_price jsonb, p_price_total bigint,
    p_currency text, p_now timestamptz, p_audit uuid, p_event uuid, p_reservation jsonb
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_inventory bigint;
    v_archived boolean;
    v_peak bigint;
BEGIN
    PERFORM set_config('berth.tenant_id', p_tenant::text, true);
    SELECT inventory, archived INTO v_inventory, v_archived FROM units
     WHERE tenant_id = p_tenant AND id = p_unit FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no unit %', p_unit;
    END IF;
    WITH taken AS (
        SELECT greatest(occupied_start, p_start) AS s, least(occupied_end, p_end) AS e, quantity
          FROM reservations
         WHERE tenant_id = p_tenant AND unit_id = p_unit
           AND state IN ('held', 'confirmed', 'checked_in')
           AND occupied_start < p_end AND occupied_end > p_start
    ), loads AS (
        SELECT sum(delta) OVER (ORDER BY at, delta ROWS UNBOUNDED PRECEDING) AS load
          FROM (SELECT s AS at, quantity AS delta FROM taken
                UNION ALL SELECT e, -quantity FROM taken) edges
    )
    SELECT coalesce(max(load), 0) INTO v_peak FROM loads;
    IF v_archived OR v_peak + 1 > v_inventory THEN
        RETURN false;
    END IF;
    INSERT INTO reservations (unit_id, client_id, state, start_at, end_at, occupied_start,
        occupied_end, check_in, check_out, quantity, guests, price, price_total_minor,
        currency, channel, idempotency_key, notes, hold_expires_at, version, created_at,
        updated_at, tenant_id, id, exclusive)
    VALUES (p_unit, NULL, 'confirmed', p_start, p_end, p_start, p_end, p_check_in,
        p_check_out, 1, 2, p_price, p_price_total, p_currency, 'api', NULL, NULL, NULL, 1,
        p_now, p_now, p_tenant, p_id, v_inventory = 1);
    INSERT INTO audit_log (id, tenant_id, actor, entity_type, entity_id, action, at, metadata)
    VALUES (p_audit, p_tenant, 'api_key:bench', 'reservation', p_id, 'create', p_now,
        jsonb_build_object('after', p_reservation));
    INSERT INTO events (id, tenant_id, kind, entity_id, payload, at)
    VALUES (p_event, p_tenant, 'reservation.created', p_id, p_reservation, p_now);
    RETURN true;
END
$$";

impl RawBooking {
    /// One booking as one call of [`ONE_CALL_FUNCTION`]: true when booked,
    /// false when refused for capacity (or by the exclusion constraint).
    async fn book_one_call(
        &self,
        pool: &PgPool,
        unit: usize,
        check_in: NaiveDate,
    ) -> sqlx::Result<bool> {
        let unit_id = self.units[unit];
        let check_out = check_in + chrono::Days::new(1);
        let start = local_instant(self.tz, check_in, self.check_in_time);
        let end = local_instant(self.tz, check_out, self.check_out_time);
        let id = Uuid::now_v7();
        let reservation = serde_json::json!({
            "id": id,
            "tenant_id": self.tenant_id,
            "unit_id": unit_id,
            "client_id": null,
            "state": "confirmed",
            "period": { "start": start, "end": end },
            "occupied": { "start": start, "end": end },
            "check_in": check_in,
            "check_out": check_out,
            "quantity": 1,
            "guests": 2,
            "price": &self.price,
            "channel": "api",
            "idempotency_key": null,
            "notes": null,
            "hold_expires_at": null,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        });
        let booked: sqlx::Result<(bool,)> = sqlx::query_as(
            "SELECT bench_book($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(self.tenant_id)
        .bind(unit_id)
        .bind(id)
        .bind(start)
        .bind(end)
        .bind(check_in)
        .bind(check_out)
        .bind(Json(&self.price))
        .bind(self.price_total_minor)
        .bind(&self.currency)
        .bind(self.now)
        .bind(Uuid::now_v7())
        .bind(Uuid::now_v7())
        .bind(Json(&reservation))
        .fetch_one(pool)
        .await;
        match booked {
            Ok((booked,)) => Ok(booked),
            Err(sqlx::Error::Database(db))
                if db.constraint() == Some("reservations_exclusive_no_overlap") =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}

async fn postgres_one_call_run(clients: usize, config: &Config) -> Counts {
    let url = support::fresh_postgres_url().await;
    let store = connect_postgres(&url, clients).await;
    let (tenant, units) = populate(&store).await;
    let pool = store.pool().clone();
    sqlx::raw_sql(ONE_CALL_FUNCTION)
        .execute(&pool)
        .await
        .expect("create the one-call function");
    let raw = Arc::new(RawBooking::new(&tenant, units, false));
    let server = postmaster_pid(&pool).await;
    let counts = drive(clients, config, server, {
        let pool = pool.clone();
        move |client, iteration| {
            let pool = pool.clone();
            let raw = raw.clone();
            async move {
                let (unit, check_in) = slot(client, iteration, clients);
                match raw.book_one_call(&pool, unit, check_in).await {
                    Ok(true) => Outcome::Booked,
                    Ok(false) => Outcome::Refused,
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
        }
    })
    .await;
    pool.close().await;
    drop_database(&url).await;
    counts
}

/// A fresh store of `backend` with connections for `clients` opened, and what
/// removes it afterwards.
async fn slot_store(backend: Backend, clients: usize) -> (Arc<dyn Store>, Cleanup) {
    match backend {
        Backend::Sqlite => {
            let store = support::fresh_sqlite().await;
            warm_sqlite(&store, clients).await;
            let path = store.pool().connect_options().get_filename().to_owned();
            let pool = store.pool().clone();
            (Arc::new(store), Cleanup::Sqlite(pool, path))
        }
        Backend::Postgres => {
            let url = support::fresh_postgres_url().await;
            let store = connect_postgres(&url, clients).await;
            let pool = store.pool().clone();
            (Arc::new(store), Cleanup::Postgres(pool, url))
        }
    }
}

/// What a slot run's database needs once measured.
enum Cleanup {
    Sqlite(sqlx::SqlitePool, PathBuf),
    Postgres(PgPool, String),
}

impl Cleanup {
    async fn server(&self) -> Option<u32> {
        match self {
            Self::Sqlite(..) => None,
            Self::Postgres(pool, _) => postmaster_pid(pool).await,
        }
    }

    async fn run(self) {
        match self {
            Self::Sqlite(pool, path) => {
                pool.close().await;
                remove_sqlite_files(&path);
            }
            Self::Postgres(pool, url) => {
                pool.close().await;
                drop_database(&url).await;
            }
        }
    }
}

/// An engine with the tour (timeslot) test policy and a manual clock.
fn tour_engine(store: Arc<dyn Store>) -> Engine {
    let clock = Arc::new(ManualClock::new(support::start_instant()));
    let policy = support::SinglePolicy(Arc::new(support::timeslot::TourPolicy));
    Engine::new(store, Arc::new(policy), clock)
}

/// The start of the slot every rush and spread booking asks for.
fn rush_slot(tenant: &Tenant) -> DateTime<Utc> {
    let date: NaiveDate = RUSH_DATE.parse().expect("rush date");
    let hour = NaiveTime::from_hms_opt(RUSH_HOUR, 0, 0).expect("rush hour");
    local_instant(tenant.timezone, date, hour)
}

/// One seat of `unit` in the rush slot, through the engine.
async fn book_seat(engine: &Engine, tenant: &Tenant, unit: UnitId, actor: &Actor) -> Outcome {
    let cmd = CreateReservation {
        unit_id: unit,
        period: PeriodRequest::Slot {
            start: rush_slot(tenant),
        },
        party: Party {
            guests: Guests::new(1).expect("guests"),
            quantity: Quantity::new(1).expect("quantity"),
        },
        client: ClientRef::None,
        idempotency_key: None,
        notes: None,
        hold: false,
        channel: Channel::Api,
        consume_lock: None,
        policy_override: None,
    };
    match engine.create_reservation(tenant.id, cmd, actor).await {
        Ok(_) => Outcome::Booked,
        Err(e) if e.code() == ErrorCode::Unavailable => Outcome::Refused,
        Err(e) => Outcome::Failed(match std::error::Error::source(&e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        }),
    }
}

/// Seats held in the rush slot on each of `units`, read back from the store.
async fn seats_held(store: &dyn Store, tenant: &Tenant, units: &[UnitId]) -> HashMap<UnitId, u64> {
    let start = rush_slot(tenant);
    let range = TimeRange::new(start, start + chrono::Duration::hours(1)).expect("range");
    let mut held = HashMap::new();
    for chunk in units.chunks(50) {
        for o in store
            .occupancy(tenant.id, chunk, &range)
            .await
            .expect("read the slot's occupancy")
        {
            *held.entry(o.unit_id).or_insert(0) += u64::from(o.quantity);
        }
    }
    held
}

/// The rush (`rush`: every client on one unit) or the spread (round-robin over
/// [`UNITS`] units), all in one slot; panics on an oversold unit or on seats
/// held that differ from the bookings seen to succeed.
async fn slot_run(backend: Backend, clients: usize, config: &Config, rush: bool) -> Counts {
    let (store, cleanup) = slot_store(backend, clients).await;
    let tenant = support::tenant(&*store, "bench").await;
    let count = if rush { 1 } else { UNITS };
    let mut units = Vec::with_capacity(count as usize);
    for i in 0..count {
        let name = format!("Tour {i:03}");
        units.push(
            support::unit(&*store, &tenant, &name, RUSH_SEATS, 4)
                .await
                .id,
        );
    }
    let engine = tour_engine(store.clone());
    let server = cleanup.server().await;
    let counts = drive(clients, config, server, {
        let units = Arc::new(units.clone());
        let tenant = Arc::new(tenant.clone());
        let actor = Actor::ApiKey("bench".into());
        move |client, iteration| {
            let engine = engine.clone();
            let units = units.clone();
            let tenant = tenant.clone();
            let actor = actor.clone();
            async move {
                let s = iteration * clients as u64 + client as u64;
                let unit = units[usize::try_from(s % units.len() as u64).expect("index")];
                book_seat(&engine, &tenant, unit, &actor).await
            }
        }
    })
    .await;
    let held = seats_held(&*store, &tenant, &units).await;
    let seats = RUSH_SEATS.unsigned_abs();
    for (unit, &n) in &held {
        assert!(
            n <= seats,
            "oversold: unit {unit} holds {n} of {seats} seats"
        );
    }
    let total: u64 = held.values().sum();
    assert_eq!(
        total, counts.all_booked,
        "seats held in the slot differ from the bookings seen to succeed"
    );
    cleanup.run().await;
    counts
}

/// The sell-out check: `clients` clients book a unit of [`SELL_OUT_SEATS`]
/// seats until each is refused; every seat must then be held, none more.
async fn sell_out_check(backend: Backend, clients: usize) -> String {
    let (store, cleanup) = slot_store(backend, clients).await;
    let tenant = support::tenant(&*store, "bench").await;
    let seats = i64::try_from(SELL_OUT_SEATS).expect("seats");
    let unit = support::unit(&*store, &tenant, "Sell-out", seats, 4)
        .await
        .id;
    let engine = tour_engine(store.clone());
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let engine = engine.clone();
        let tenant = tenant.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor::ApiKey("bench".into());
            let mut counts = Counts::default();
            loop {
                let outcome = book_seat(&engine, &tenant, unit, &actor).await;
                let refused = matches!(outcome, Outcome::Refused);
                counts.add(outcome);
                if refused || counts.failed > 0 {
                    return counts;
                }
            }
        }));
    }
    let mut total = Counts::default();
    for task in tasks {
        total.merge(task.await.expect("a sell-out client panicked"));
    }
    let held = seats_held(&*store, &tenant, &[unit])
        .await
        .get(&unit)
        .copied()
        .unwrap_or(0);
    cleanup.run().await;
    assert_eq!(
        total.failed, 0,
        "sell-out on {backend:?}: {:?}",
        total.first_failure
    );
    assert_eq!(
        held, SELL_OUT_SEATS,
        "sell-out on {backend:?}: {held} seats held of {SELL_OUT_SEATS}"
    );
    assert_eq!(total.booked, SELL_OUT_SEATS, "sell-out on {backend:?}");
    format!(
        "sell-out check ({backend:?}): {clients} clients booked a unit of {SELL_OUT_SEATS} \
         seats until each was refused: {} booked, {} refused, {held} seats held (none oversold)",
        total.booked, total.refused
    )
}
