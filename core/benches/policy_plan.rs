//! The policy plan's speed (criterion): `Engine::plan_policy` over 10,000
//! active future reservations and the 90-day quote sample, against the same
//! reads and evaluations under the live policy alone (the baseline, measured in
//! the same run).
//!
//! Data. One tenant (Europe/Oslo, NOK) on SQLite (a temp file database) with 40
//! nightly units of inventory 1 (4 guests), each with 250 consecutive 2-night
//! stays from 2026-11-10 on, booked through the engine on 2026-11-02 with the
//! plain-Rust nightly test policy of `core/tests/support` — 10,000 reservations.
//! The plan runs at 2026-11-04 09:00 UTC. The candidate raises the nightly rate
//! to 1200.00, so every reservation and every sample quote is repriced and
//! listed (the largest plan there is). Units have no `unit_key`, so each of
//! the 40 is sampled on its own: 40 × 90 dates × 4 lengths × 2 parties =
//! 28,800 sample requests, each asked of both versions.
//!
//! - `plan/10000_reservations`: `Engine::plan_policy` — the reads (tenant,
//!   units, ten pages of reservations), 2 × (10,000 + 28,800) evaluations on
//!   the machine's cores, the aggregation;
//! - `plan/baseline_live_only`: `Engine::plan_data` (the same reads) and
//!   `plan::accepted_under` the live policy (the same 10,000 + 28,800
//!   evaluations, once).
//!
//! The test policy is native Rust: this measures the plan's own work. The
//! Rhai policy's cost per evaluation is measured by berth-policy's benchmark
//! (`quote/nightly_rhai`, `plan/alpine_rhai`). Run with
//! `cargo bench -p berth-core --bench policy_plan`; the medians are in
//! `target/criterion/plan/*/new/estimates.json` and recorded in BENCHMARKS.md.

#![allow(clippy::unwrap_used, missing_docs)] // A benchmark harness: a panic is the report.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use berth_core::plan::accepted_under;
use berth_core::policy::Policy;
use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};

use support::nightly::NightlyTestPolicy;

const UNITS: usize = 40;
const STAYS_PER_UNIT: u64 = 250;

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (engine, tenant) = runtime.block_on(async {
        let store: Arc<dyn berth_core::store::Store> = Arc::new(support::fresh_sqlite().await);
        let (engine, clock) = support::engine(store.clone());
        let tenant = support::tenant(&*store, "bench-plan").await;
        let first: NaiveDate = "2026-11-10".parse().unwrap();
        for u in 0..UNITS {
            let unit = support::unit(&*store, &tenant, &format!("Cabin {u:02}"), 1, 4).await;
            for i in 0..STAYS_PER_UNIT {
                let a = first.checked_add_days(Days::new(2 * i)).unwrap();
                let b = a.checked_add_days(Days::new(2)).unwrap();
                engine
                    .create_reservation(
                        tenant.id,
                        support::stay(unit.id, &a.to_string(), &b.to_string()),
                        &support::staff(),
                    )
                    .await
                    .unwrap();
            }
        }
        clock.advance(chrono::Duration::days(2));
        (engine, tenant)
    });
    let live: Arc<dyn Policy> = Arc::new(NightlyTestPolicy::default());
    let candidate: Arc<dyn Policy> = Arc::new(NightlyTestPolicy {
        nightly_rate_minor: 120_000,
        ..NightlyTestPolicy::default()
    });
    // The figures the benchmark stands on.
    let plan = runtime
        .block_on(engine.plan_policy(tenant.id, live.clone(), candidate.clone()))
        .unwrap();
    assert_eq!(plan.summary.reservations_replayed, 10_000);
    assert_eq!(plan.summary.reservations_repriced, 10_000);
    assert_eq!(plan.summary.quotes_sampled, 28_800);

    let mut group = c.benchmark_group("plan");
    group.sample_size(20);
    group.bench_function("10000_reservations", |b| {
        b.iter(|| {
            runtime
                .block_on(engine.plan_policy(tenant.id, live.clone(), candidate.clone()))
                .unwrap()
        });
    });
    group.bench_function("baseline_live_only", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let data = engine.plan_data(tenant.id).await.unwrap();
                let live = live.clone();
                tokio::task::spawn_blocking(move || accepted_under(&*live, data.input()).unwrap())
                    .await
                    .unwrap()
            })
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(10)).warm_up_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
