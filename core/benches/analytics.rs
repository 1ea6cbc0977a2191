//! Analytics speed: `Engine::stats` (a 90-day span and the 90 days before it)
//! and `Engine::occupancy` over 90 days, on a tenant with 200 units and 100,000
//! reservations, on SQLite (a temp file database) and PostgreSQL; with, in the
//! same run, the baseline of the raw SQL fetch of the same rows (the store's
//! query written out as plain sqlx, decoded into tuples, no engine), and a
//! `COUNT(*)` over the range. The table reports medians and the ratio to the
//! raw fetch.
//!
//! Data. 200 units of inventory 1 (the nightly test policy of
//! `core/tests/support`, Europe/Oslo). Each unit gets 500 consecutive stays of
//! 1–7 nights separated by 0–2 free nights (a fixed pseudo-random sequence),
//! from 2024-01-01 on — about 4.4 years per unit, so 100,000 reservations. A
//! stay ending before 2027-06-01 is finished (2 % absent), a later one
//! confirmed; 8 % are canceled. Prices: 15,000 per night + 5,000 per stay;
//! booked 0–90 days ahead. Rows are written with raw SQL in one transaction
//! (the benchmark measures reads), then `ANALYZE` runs (PostgreSQL's
//! autovacuum would do it; on SQLite it is the operator's choice, and the plan
//! without it is printed too).
//!
//! Measurement. The questions: `stats(2027-03-01..2027-05-29)` (reads 180
//! days: about 8,200 reservations), `occupancy(2027-03-01..2027-05-29)`, the
//! same `byUnit`, `topUnits` of the 90 days, and the 30-day board
//! (`Engine::board(2027-05-01..2027-05-30)`: the 200 units and every
//! reservation touching those days, whole rows). Each runs 5 times to warm up,
//! then `BERTH_BENCH_ITERATIONS` times (default 40), interleaved with the
//! baselines; the medians and 90th percentiles are reported. The load average
//! of the machine is printed before and after (others share it).
//!
//! Run with `scripts/bench --analytics`, or
//! `cargo bench -p berth-core --bench analytics` (PostgreSQL when
//! `BERTH_TEST_POSTGRES_URL` is set; `BERTH_BENCH_BACKENDS=sqlite,postgres`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::analytics::{DateSpan, RankBy};
use berth_core::clock::ManualClock;
use berth_core::ids::{ReservationId, TenantId, UnitId};
use berth_core::local_time::local_instant;
use berth_core::store::{PostgresStore, SqliteStore, Store};
use berth_core::{Engine, analytics::Booking};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use sqlx::{PgPool, QueryBuilder, SqlitePool};
use uuid::Uuid;

const UNITS: usize = 200;
const STAYS_PER_UNIT: usize = 500;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

/// One reservation to insert.
struct Row {
    id: Uuid,
    unit: Uuid,
    state: &'static str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    check_in: NaiveDate,
    check_out: NaiveDate,
    total: i64,
    created: DateTime<Utc>,
}

/// The fixed pseudo-random sequence (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn rows(tenant_tz: chrono_tz::Tz, units: &[UnitId]) -> Vec<Row> {
    let mut rng = Lcg(7);
    let first: NaiveDate = "2024-01-01".parse().expect("date");
    let today: NaiveDate = "2027-06-01".parse().expect("date");
    let check_in_time = NaiveTime::from_hms_opt(15, 0, 0).expect("time");
    let check_out_time = NaiveTime::from_hms_opt(10, 0, 0).expect("time");
    let mut out = Vec::with_capacity(units.len() * STAYS_PER_UNIT);
    for unit in units {
        let mut day = first + Days::new(rng.next(3));
        for _ in 0..STAYS_PER_UNIT {
            let nights = 1 + rng.next(7);
            let check_in = day;
            let check_out = day + Days::new(nights);
            let roll = rng.next(100);
            let state = if roll < 8 {
                "canceled"
            } else if check_out >= today {
                "confirmed"
            } else if roll < 10 {
                "absent"
            } else {
                "finished"
            };
            let lead = rng.next(91);
            out.push(Row {
                id: ReservationId::new().as_uuid(),
                unit: unit.as_uuid(),
                state,
                start: local_instant(tenant_tz, check_in, check_in_time),
                end: local_instant(tenant_tz, check_out, check_out_time),
                check_in,
                check_out,
                total: i64::try_from(nights).unwrap_or(0) * 15_000 + 5_000,
                created: local_instant(tenant_tz, check_in - Days::new(lead), check_in_time),
            });
            day = check_out + Days::new(rng.next(3));
        }
    }
    out
}

/// The raw connection of a backend, for seeding and the baselines.
enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Raw {
    async fn seed(&self, tenant: TenantId, rows: &[Row]) {
        const COLUMNS: &str = "INSERT INTO reservations (tenant_id, id, unit_id, state, start_at, \
            end_at, occupied_start, occupied_end, check_in, check_out, quantity, guests, price, \
            price_total_minor, currency, channel, version, created_at, updated_at) ";
        match self {
            Raw::Sqlite(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                for chunk in rows.chunks(1000) {
                    let mut qb = QueryBuilder::new(COLUMNS);
                    qb.push_values(chunk, |mut b, r| {
                        let (s, e) = (r.start.timestamp_micros(), r.end.timestamp_micros());
                        b.push_bind(tenant.as_uuid())
                            .push_bind(r.id)
                            .push_bind(r.unit)
                            .push_bind(r.state)
                            .push_bind(s)
                            .push_bind(e)
                            .push_bind(s)
                            .push_bind(e)
                            .push_bind(r.check_in)
                            .push_bind(r.check_out)
                            .push_bind(1_i64)
                            .push_bind(2_i64)
                            .push_bind(price_json(r.total))
                            .push_bind(r.total)
                            .push_bind("NOK")
                            .push_bind("admin")
                            .push_bind(1_i64)
                            .push_bind(r.created.timestamp_micros())
                            .push_bind(r.created.timestamp_micros());
                    });
                    qb.build().execute(&mut *tx).await.expect("insert");
                }
                tx.commit().await.expect("commit");
                sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
            }
            Raw::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("SELECT set_config('berth.tenant_id', $1, true)")
                    .bind(tenant.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("tenant");
                for chunk in rows.chunks(1000) {
                    let mut qb = QueryBuilder::new(COLUMNS.replace(") ", ", exclusive) "));
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(tenant.as_uuid())
                            .push_bind(r.id)
                            .push_bind(r.unit)
                            .push_bind(r.state)
                            .push_bind(r.start)
                            .push_bind(r.end)
                            .push_bind(r.start)
                            .push_bind(r.end)
                            .push_bind(r.check_in)
                            .push_bind(r.check_out)
                            .push_bind(1_i64)
                            .push_bind(2_i64)
                            .push_bind(sqlx::types::Json(price_value(r.total)))
                            .push_bind(r.total)
                            .push_bind("NOK")
                            .push_bind("admin")
                            .push_bind(1_i64)
                            .push_bind(r.created)
                            .push_bind(r.created)
                            .push_bind(true);
                    });
                    qb.build().execute(&mut *tx).await.expect("insert");
                }
                tx.commit().await.expect("commit");
                sqlx::query("VACUUM ANALYZE reservations")
                    .execute(pool)
                    .await
                    .expect("analyze");
            }
        }
    }

    /// The store's query, as plain SQL: the rows decoded into tuples.
    async fn fetch(&self, tenant: TenantId, from: DateTime<Utc>, to: DateTime<Utc>) -> usize {
        type SqliteRow = (
            Uuid,
            Uuid,
            String,
            i64,
            i64,
            Option<NaiveDate>,
            Option<NaiveDate>,
            i64,
            Option<i64>,
            Option<String>,
            i64,
        );
        type PgRow = (
            Uuid,
            Uuid,
            String,
            DateTime<Utc>,
            DateTime<Utc>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            i64,
            Option<i64>,
            Option<String>,
            DateTime<Utc>,
        );
        const SQL: &str = "SELECT id, unit_id, state, start_at, end_at, check_in, check_out, \
            quantity, price_total_minor, currency, created_at FROM reservations \
            WHERE tenant_id = $1 AND end_at > $2 AND start_at < $3";
        match self {
            Raw::Sqlite(pool) => sqlx::query_as::<_, SqliteRow>(SQL)
                .bind(tenant.as_uuid())
                .bind(from.timestamp_micros())
                .bind(to.timestamp_micros())
                .fetch_all(pool)
                .await
                .expect("fetch")
                .len(),
            Raw::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("SELECT set_config('berth.tenant_id', $1, true)")
                    .bind(tenant.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("tenant");
                sqlx::query_as::<_, PgRow>(SQL)
                    .bind(tenant.as_uuid())
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("fetch")
                    .len()
            }
        }
    }

    /// `COUNT(*)` of the same rows.
    async fn count(&self, tenant: TenantId, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        const SQL: &str = "SELECT COUNT(*) FROM reservations \
            WHERE tenant_id = $1 AND end_at > $2 AND start_at < $3";
        match self {
            Raw::Sqlite(pool) => {
                sqlx::query_as::<_, (i64,)>(SQL)
                    .bind(tenant.as_uuid())
                    .bind(from.timestamp_micros())
                    .bind(to.timestamp_micros())
                    .fetch_one(pool)
                    .await
                    .expect("count")
                    .0
            }
            Raw::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("SELECT set_config('berth.tenant_id', $1, true)")
                    .bind(tenant.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("tenant");
                sqlx::query_as::<_, (i64,)>(SQL)
                    .bind(tenant.as_uuid())
                    .bind(from)
                    .bind(to)
                    .fetch_one(&mut *tx)
                    .await
                    .expect("count")
                    .0
            }
        }
    }

    /// The query plan of the store's query.
    async fn plan(&self, tenant: TenantId, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
        match self {
            Raw::Sqlite(pool) => {
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                    "EXPLAIN QUERY PLAN SELECT id FROM reservations \
                     WHERE tenant_id = ? AND end_at > ? AND start_at < ?",
                )
                .bind(tenant.as_uuid())
                .bind(from.timestamp_micros())
                .bind(to.timestamp_micros())
                .fetch_all(pool)
                .await
                .expect("plan");
                rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ")
            }
            Raw::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("SELECT set_config('berth.tenant_id', $1, true)")
                    .bind(tenant.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("tenant");
                let rows: Vec<(String,)> = sqlx::query_as(
                    "EXPLAIN SELECT id FROM reservations \
                     WHERE tenant_id = $1 AND end_at > $2 AND start_at < $3",
                )
                .bind(tenant.as_uuid())
                .bind(from)
                .bind(to)
                .fetch_all(&mut *tx)
                .await
                .expect("plan");
                rows.into_iter()
                    .map(|r| r.0.trim().to_owned())
                    .filter(|l| l.contains("Scan") || l.contains("Index"))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
    }
}

fn price_value(total: i64) -> serde_json::Value {
    serde_json::json!({
        "lines": [{ "kind": "nights", "label": "Nights", "amount": { "amount_minor": total, "currency": "NOK" } }],
        "total": { "amount_minor": total, "currency": "NOK" }
    })
}

fn price_json(total: i64) -> String {
    price_value(total).to_string()
}

/// Median and 90th percentile of `samples`, in milliseconds.
fn summary(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = samples.len();
    (ms(samples[n / 2]), ms(samples[(n * 9 / 10).min(n - 1)]))
}

async fn time<F, Fut, T>(samples: &mut Vec<Duration>, f: F) -> T
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = T>,
{
    let start = Instant::now();
    let out = f().await;
    samples.push(start.elapsed());
    out
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

struct Setup {
    backend: &'static str,
    store: Arc<dyn Store>,
    raw: Raw,
}

async fn sqlite_setup() -> Setup {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("berth-analytics-{}.db", Uuid::new_v4()));
    let url = format!("sqlite:{}", path.display());
    let store = SqliteStore::connect(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let raw = SqlitePool::connect(&url).await.expect("raw pool");
    Setup {
        backend: "sqlite",
        store: Arc::new(store),
        raw: Raw::Sqlite(raw),
    }
}

async fn postgres_setup() -> Setup {
    let url = support::fresh_postgres_url().await;
    let store = PostgresStore::connect(&url).await.expect("connect");
    let raw = PgPool::connect(&url).await.expect("raw pool");
    Setup {
        backend: "postgres",
        store: Arc::new(store),
        raw: Raw::Postgres(raw),
    }
}

async fn run() {
    let backends =
        std::env::var("BERTH_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let iterations: usize = std::env::var("BERTH_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut table = Vec::new();
    let mut notes = Vec::new();
    let load_before = load_average();
    for backend in backends.split(',').map(str::trim) {
        let setup = match backend {
            "sqlite" => sqlite_setup().await,
            "postgres" if support::postgres_admin_url().is_some() => postgres_setup().await,
            "postgres" => {
                eprintln!("!! BERTH_TEST_POSTGRES_URL is not set: PostgreSQL SKIPPED");
                continue;
            }
            other => panic!("unknown backend {other}"),
        };
        let store = setup.store.clone();
        let tenant = support::tenant(&*store, "bench-analytics").await;
        let mut units = Vec::with_capacity(UNITS);
        for i in 0..UNITS {
            units.push(
                support::unit(&*store, &tenant, &format!("Cabin {i:03}"), 1, 4)
                    .await
                    .id,
            );
        }
        let data = rows(tenant.timezone, &units);
        let seeding = Instant::now();
        setup.raw.seed(tenant.id, &data).await;
        eprintln!(
            "{}: seeded {} reservations in {:.1} s",
            setup.backend,
            data.len(),
            seeding.elapsed().as_secs_f64()
        );
        let clock = Arc::new(ManualClock::new(
            "2027-06-01T08:00:00Z".parse().expect("now"),
        ));
        let engine = Engine::new(
            store.clone(),
            Arc::new(support::SinglePolicy::nightly()),
            clock,
        );
        let span = DateSpan::new(
            "2027-03-01".parse().expect("d"),
            "2027-05-29".parse().expect("d"),
        )
        .expect("span");
        let tz = tenant.timezone;
        let window = span.instants(tz).expect("instants");
        let both = span.hull(&span.previous()).instants(tz).expect("instants");
        let rows_90 = setup
            .raw
            .fetch(tenant.id, window.start(), window.end())
            .await;
        let rows_180 = setup.raw.fetch(tenant.id, both.start(), both.end()).await;
        notes.push(format!(
            "{}: {} reservations; the 90 days overlap {rows_90}, the 180 days of `stats` {rows_180}; plan: {}",
            setup.backend,
            data.len(),
            setup.raw.plan(tenant.id, window.start(), window.end()).await
        ));
        let (board_from, board_to) = (
            "2027-05-01".parse().expect("d"),
            "2027-05-30".parse().expect("d"),
        );
        let board = engine
            .board(tenant.id, board_from, board_to)
            .await
            .expect("board");
        notes.push(format!(
            "{}: the 30-day board lists {} reservations",
            setup.backend,
            board.reservations.len()
        ));
        // The engine's store call and the raw baseline agree on the rows.
        let projected: Vec<Booking> = store
            .bookings_overlapping(tenant.id, &window)
            .await
            .expect("bookings");
        assert_eq!(projected.len(), rows_90);

        let names = [
            "stats 90 days (+ previous 90)",
            "occupancy 90 days",
            "occupancy 90 days byUnit",
            "topUnits 90 days",
            "baseline: raw fetch, 180 days",
            "baseline: raw fetch, 90 days",
            "baseline: COUNT(*), 90 days",
            "board 30 days, 200 units",
        ];
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
        for i in 0..iterations + 5 {
            let mut s: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
            let stats = time(&mut s[0], || engine.stats(tenant.id, span))
                .await
                .expect("stats");
            assert!(stats.current.occupancy.occupied > 0);
            time(&mut s[1], || engine.occupancy(tenant.id, span, false))
                .await
                .expect("occupancy");
            time(&mut s[2], || engine.occupancy(tenant.id, span, true))
                .await
                .expect("occupancy");
            time(&mut s[3], || {
                engine.top_units(tenant.id, span, RankBy::Revenue, 10)
            })
            .await
            .expect("top");
            time(&mut s[4], || {
                setup.raw.fetch(tenant.id, both.start(), both.end())
            })
            .await;
            time(&mut s[5], || {
                setup.raw.fetch(tenant.id, window.start(), window.end())
            })
            .await;
            time(&mut s[6], || {
                setup.raw.count(tenant.id, window.start(), window.end())
            })
            .await;
            let board = time(&mut s[7], || engine.board(tenant.id, board_from, board_to))
                .await
                .expect("board");
            assert_eq!(board.units.len(), UNITS);
            if i >= 5 {
                for (all, one) in samples.iter_mut().zip(s) {
                    all.extend(one);
                }
            }
        }
        let (fetch_180, _) = summary(&mut samples[4].clone());
        let (fetch_90, _) = summary(&mut samples[5].clone());
        for (i, name) in names.iter().enumerate() {
            let (median, p90) = summary(&mut samples[i]);
            let baseline = match i {
                0 => Some(fetch_180),
                1..=3 => Some(fetch_90),
                _ => None,
            };
            table.push(format!(
                "| {} | {name} | {median:.2} | {p90:.2} | {} |",
                setup.backend,
                baseline.map_or(String::new(), |b| format!("{:.2}", median / b)),
            ));
        }
    }
    let load_after = load_average();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("<!-- analytics:begin -->");
    println!(
        "Measured {} on {cpus} CPU(s); load average (1/5/15 min) before: {load_before}, after: {load_after}.",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!();
    println!(
        "Command: `cargo bench -p berth-core --bench analytics` (via `scripts/bench --analytics`)."
    );
    println!("Each row: {iterations} iterations after 5 warm-up ones, interleaved; times in ms.");
    for note in &notes {
        println!("- {note}");
    }
    println!();
    println!("| backend | question | median (ms) | p90 (ms) | ÷ raw fetch of the same rows |");
    println!("|---|---|---:|---:|---:|");
    for row in &table {
        println!("{row}");
    }
    println!("<!-- analytics:end -->");
}
