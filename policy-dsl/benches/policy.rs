//! Policy runtime benchmarks (criterion):
//!
//! - `quote/nightly_rhai`: evaluating a realistic 7-night quote (weekday/weekend
//!   rates, a season wrapping the year end, extra guests, a length-of-stay
//!   discount, a cleaning fee, VAT and a tourist tax) through the Rhai nightly
//!   model, exactly as the engine does (`berth_core::engine::evaluate`: resolve,
//!   validate, price), with every hook forced into the sandbox
//!   (`TenantPolicy::rhai_reference`: how every quote ran before decision 0177);
//! - `quote/nightly_builtin`: the same quote as the engine runs it now for a
//!   tenant without hooks of its own: the built-in hooks executed natively
//!   (decision 0177);
//! - `quote/nightly_native`: the same rules written in plain Rust here, the
//!   baseline for the Rhai/native ratio;
//! - `quote/timeslot_rhai`, `quote/interval_rhai`: one quote per other model
//!   with every hook (`slots` included) in the sandbox; `quote/timeslot_builtin`,
//!   `quote/interval_builtin`: the same as the engine runs them for a tenant
//!   without hooks of its own (natively, `native_hourly.rs`);
//! - `availability/1000_units_14_nights`: `Engine::availability` over 1,000 units
//!   of three sizes on SQLite for a 14-night stay (one policy evaluation per kind
//!   of unit, plus one occupancy query); `availability/1000_distinct_units_14_nights`:
//!   the same with an attribute of each unit's own, so every unit is evaluated
//!   (the baseline);
//! - `reload/write_to_live`: from writing `tenant.yaml` to the new version being
//!   live, through the file watcher (debounce included);
//! - `plan/builtin_10000_reservations`: `Engine::plan_policy` on SQLite with
//!   the nightly rules above (horizon 800 days) as the live version and a
//!   candidate with `base_rate` 20000, both run as a tenant without hooks of
//!   its own runs them (built-in hooks natively, decision 0177): 40 cabins,
//!   each with its own attribute (so each is sampled on its own: 40 × 720 =
//!   28,800 sample requests), and 250 consecutive 3-night stays per cabin from
//!   2026-11-10, booked through the engine on 2026-11-02 (10,000 stays;
//!   arrivals on a Sunday, or of fewer than 3 nights' worth in winter, are
//!   refused under both versions' rules and were booked with an override);
//!   planned at 2026-11-04. `plan/rhai_10000_reservations`: the same with
//!   every hook forced into the sandbox (`rhai_reference`), as for a tenant
//!   whose scripts override both hooks. `plan/*_baseline_live_only`: the same
//!   reads and the same evaluations under the live version alone
//!   (`Engine::plan_data`, `plan::accepted_under`).
//!
//! Run with `cargo bench -p berth-policy --bench policy`; results are recorded in
//! BENCHMARKS.md.

#![allow(clippy::unwrap_used, missing_docs)] // A benchmark harness: a panic is the report.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::clock::ManualClock;
use berth_core::engine::{AvailabilityRequest, evaluate};
use berth_core::ids::{TenantId, UnitId};
use berth_core::local_time::local_instant;
use berth_core::money::{Currency, Money, Price, PriceLine};
use berth_core::policy::{Party, PeriodRequest, PolicyContext, Violation};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::store::SqliteStore;
use berth_core::store::TenantStore;
use berth_core::store::UnitStore;
use berth_core::tenant::{NewTenant, Tenant};
use berth_core::unit::{NewUnit, Unit};
use berth_policy::config::ModelKind;
use berth_policy::registry::{PolicyChange, PolicyRegistry};
use berth_policy::sandbox::Limits;
use berth_policy::{Runtime, loader, scaffold};
use chrono::{Datelike, NaiveDate, NaiveTime};
use criterion::{Criterion, criterion_group, criterion_main};

const NIGHTLY: &str = r#"
slug: bench-cabins
name: Bench Cabins
timezone: Europe/Zurich
currency: CHF
model: nightly
nightly:
  check_in_time: "15:00"
  check_out_time: "10:00"
  min_nights: 2
  max_nights: 21
  closed_to_arrival: [sun]
  lead_time_hours: 24
  horizon_days: 400
pricing:
  base_rate: 18000
  weekend_rate: 22000
  seasons:
    - { name: Winter, from: "12-20", to: "03-31", multiplier_percent: 125, min_nights: 3 }
    - { name: Summer, from: "07-01", to: "08-31", rate: 24000 }
  extra_guest: { base_occupancy: 2, fee: 3500 }
  length_of_stay: [{ min_length: 7, percent: 10 }, { min_length: 14, percent: 15 }]
  fees: [{ name: Cleaning, amount: 9000 }]
  taxes:
    - { name: VAT, percent_bp: 810 }
    - { name: Tourist tax, per_person_per_night: 350 }
"#;

fn temp_root() -> PathBuf {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("berth-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&root).unwrap();
    root
}

fn tenant(config: &berth_policy::config::TenantConfig) -> Tenant {
    Tenant {
        id: TenantId::new(),
        slug: config.slug.parse().unwrap(),
        name: config.name.clone(),
        timezone: config.timezone.parse().unwrap(),
        currency: config.currency.parse().unwrap(),
        locale: config.locale.clone(),
        created_at: "2026-11-02T09:00:00Z".parse().unwrap(),
    }
}

fn unit(tenant: &Tenant, inventory: i64) -> Unit {
    Unit {
        id: UnitId::new(),
        tenant_id: tenant.id,
        name: "Birch".into(),
        kind: None,
        inventory: Inventory::new(inventory).unwrap(),
        max_guests: Guests::new(6).unwrap(),
        description: None,
        amenities: vec![],
        images: vec![],
        attributes: serde_json::json!({}),
        archived: false,
        created_at: tenant.created_at,
    }
}

/// The nightly rules of `NIGHTLY`, natively: the baseline. It gives the same
/// answer as the Rhai model, line for line: the same violations with the same
/// messages, and the same price lines with the same labels.
fn native_nightly(
    ctx: &PolicyContext<'_>,
    party: &Party,
    check_in: NaiveDate,
    check_out: NaiveDate,
) -> (Vec<Violation>, Option<Price>) {
    let tz = ctx.tenant.timezone;
    let nights = (check_out - check_in).num_days();
    let season = |d: NaiveDate| {
        let md = d.month() * 100 + d.day();
        if md >= 1220 || md <= 331 {
            0
        } else if (701..=831).contains(&md) {
            1
        } else {
            -1
        }
    };
    let mut v = Vec::new();
    let min = if season(check_in) == 0 { 3 } else { 2 };
    if nights < min {
        v.push(Violation::new(
            "min_nights",
            format!("stays arriving on {check_in} need at least {min} nights"),
        ));
    }
    if nights > 21 {
        v.push(Violation::new("max_nights", "stays are at most 21 nights"));
    }
    if check_in.weekday() == chrono::Weekday::Sun {
        v.push(Violation::new("closed_to_arrival", "no arrivals on sun"));
    }
    let start = local_instant(tz, check_in, NaiveTime::from_hms_opt(15, 0, 0).unwrap());
    if (start - ctx.now).num_minutes() < 24 * 60 {
        v.push(Violation::new(
            "lead_time",
            "book at least 24 hours before check-in",
        ));
    }
    let days_ahead = (check_in - ctx.now.with_timezone(&tz).date_naive()).num_days();
    if days_ahead > 400 {
        v.push(Violation::new(
            "horizon",
            "stays can be booked at most 400 days ahead",
        ));
    }
    if !v.is_empty() {
        return (v, None);
    }
    let q = i64::from(party.quantity.get());
    let guests = i64::from(party.guests.get());
    let mut rates = 0;
    for d in check_in.iter_days().take(nights as usize) {
        let weekend = matches!(d.weekday(), chrono::Weekday::Fri | chrono::Weekday::Sat);
        let regular = if weekend { 22_000 } else { 18_000 };
        rates += match season(d) {
            0 => (regular * 125 + 50) / 100,
            1 => 24_000,
            _ => regular,
        };
    }
    rates *= q;
    let c: Currency = ctx.tenant.currency;
    let line = |kind: &str, label: String, amount| PriceLine {
        kind: kind.into(),
        label,
        amount: Money::new(amount, c),
    };
    let mut lines = vec![line("nights", format!("{nights} night(s) × {q}"), rates)];
    let extra = guests - 2 * q;
    if extra > 0 {
        lines.push(line(
            "extra_guests",
            format!("{extra} extra guest(s) × {nights} night(s)"),
            extra * 3500 * nights,
        ));
    }
    let pct = if nights >= 14 {
        15
    } else if nights >= 7 {
        10
    } else {
        0
    };
    if pct > 0 {
        lines.push(line(
            "discount",
            format!("{pct} % length-of-stay discount"),
            -((rates * pct + 50) / 100),
        ));
    }
    lines.push(line("fee", "Cleaning".into(), 9000));
    let taxable: i64 = lines.iter().map(|l| l.amount.amount_minor).sum();
    lines.push(line("tax", "VAT".into(), (taxable * 810 + 5000) / 10_000));
    lines.push(line("tax", "Tourist tax".into(), 350 * guests * nights));
    (v, Some(Price::from_lines(c, lines).unwrap()))
}

fn write_tenant(root: &Path, slug: &str, yaml: &str) -> PathBuf {
    let dir = root.join(slug);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tenant.yaml"), yaml).unwrap();
    dir
}

fn quotes(c: &mut Criterion) {
    let runtime = Runtime::new(Limits::default()).unwrap();
    let root = temp_root();
    let dir = write_tenant(&root, "bench-cabins", NIGHTLY);
    let policy = loader::load(&runtime, &dir, 1).unwrap();
    assert!(policy.runs_natively("validate") && policy.runs_natively("price"));
    let reference = loader::load(&runtime, &dir, 1).unwrap().rhai_reference();
    let t = tenant(policy.config());
    let u = unit(&t, 1);
    let now = "2026-11-02T09:00:00Z".parse().unwrap();
    let ctx = PolicyContext {
        tenant: &t,
        unit: &u,
        now,
    };
    // 7 nights across the start of the winter season and a weekend.
    let (check_in, check_out) = ("2026-12-16".parse().unwrap(), "2026-12-23".parse().unwrap());
    let period = PeriodRequest::Nights {
        check_in,
        check_out,
    };
    let party = Party {
        guests: Guests::new(3).unwrap(),
        quantity: Quantity::ONE,
    };

    // Both versions must agree before their speed is compared.
    let rhai = evaluate(&reference, &ctx, &period, &party).unwrap();
    let builtin = evaluate(&policy, &ctx, &period, &party).unwrap();
    assert_eq!(rhai.violations, builtin.violations);
    assert_eq!(rhai.price, builtin.price);
    let (native_violations, native_price) = native_nightly(&ctx, &party, check_in, check_out);
    assert_eq!(rhai.violations, native_violations);
    assert_eq!(rhai.price, native_price, "the same lines, labels and total");
    // The rules that refuse must refuse alike, messages included: a stay
    // arriving on a Sunday in the winter season, too short and too soon.
    let refused = PeriodRequest::Nights {
        check_in: "2026-11-01".parse().unwrap(),
        check_out: "2026-11-02".parse().unwrap(),
    };
    let late = PolicyContext {
        now: "2026-10-31T20:00:00Z".parse().unwrap(),
        ..ctx
    };
    let rhai_refused = evaluate(&reference, &late, &refused, &party).unwrap();
    let builtin_refused = evaluate(&policy, &late, &refused, &party).unwrap();
    assert_eq!(rhai_refused.violations, builtin_refused.violations);
    let native_refused = native_nightly(
        &late,
        &party,
        "2026-11-01".parse().unwrap(),
        "2026-11-02".parse().unwrap(),
    );
    assert_eq!(rhai_refused.violations, native_refused.0);
    assert!(
        rhai_refused.violations.len() >= 3,
        "{:?}",
        rhai_refused.violations
    );

    let mut group = c.benchmark_group("quote");
    group.bench_function("nightly_rhai", |b| {
        b.iter(|| evaluate(&reference, &ctx, &period, &party).unwrap())
    });
    group.bench_function("nightly_builtin", |b| {
        b.iter(|| evaluate(&policy, &ctx, &period, &party).unwrap())
    });
    group.bench_function("nightly_native", |b| {
        b.iter(|| {
            let resolved = (
                local_instant(
                    t.timezone,
                    check_in,
                    NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
                ),
                local_instant(
                    t.timezone,
                    check_out,
                    NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                ),
            );
            (resolved, native_nightly(&ctx, &party, check_in, check_out))
        })
    });

    for (model, start, end) in [
        (ModelKind::Timeslot, "2030-02-04T10:00:00+01:00", None),
        (
            ModelKind::Interval,
            "2030-02-04T10:00:00+01:00",
            Some("2030-02-04T12:00:00+01:00"),
        ),
    ] {
        let slug = format!("bench-{}", model.as_str());
        let dir = root.join(&slug);
        scaffold::write(&dir, &slug, model).unwrap();
        let policy = loader::load(&runtime, &dir, 1).unwrap();
        let t = tenant(policy.config());
        let u = unit(&t, 10);
        let ctx = PolicyContext {
            tenant: &t,
            unit: &u,
            now: "2030-01-07T09:00:00Z".parse().unwrap(),
        };
        let period = match end {
            None => PeriodRequest::Slot {
                start: start.parse().unwrap(),
            },
            Some(end) => PeriodRequest::Interval {
                start: start.parse().unwrap(),
                end: end.parse().unwrap(),
            },
        };
        let party = Party {
            guests: Guests::new(1).unwrap(),
            quantity: Quantity::ONE,
        };
        let check = evaluate(&policy, &ctx, &period, &party).unwrap();
        assert!(
            check.violations.is_empty(),
            "{model:?}: {:?}",
            check.violations
        );
        assert!(policy.runs_natively("validate") && policy.runs_natively("price"));
        let reference = loader::load(&runtime, &dir, 1).unwrap().rhai_reference();
        let rhai = evaluate(&reference, &ctx, &period, &party).unwrap();
        assert_eq!(
            (&rhai.violations, &rhai.price),
            (&check.violations, &check.price)
        );
        group.bench_function(format!("{}_rhai", model.as_str()), |b| {
            b.iter(|| evaluate(&reference, &ctx, &period, &party).unwrap())
        });
        group.bench_function(format!("{}_builtin", model.as_str()), |b| {
            b.iter(|| evaluate(&policy, &ctx, &period, &party).unwrap())
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

fn availability(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root = temp_root();
    // The same rules twice: cabins of three sizes (what a real tenant looks
    // like: a few kinds of unit), and 1,000 cabins each with an attribute of its
    // own, which the policy must evaluate one by one — the baseline.
    write_tenant(&root, "bench-cabins", NIGHTLY);
    write_tenant(
        &root,
        "bench-distinct",
        &NIGHTLY.replace("slug: bench-cabins", "slug: bench-distinct"),
    );
    let now = "2026-11-02T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let registry = Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        &root,
        clock.clone(),
    ));
    registry.load_all();
    let (engine, kinds, distinct) = rt.block_on(async {
        let path = root.join("bench.db");
        let store = SqliteStore::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let mut tenants = Vec::new();
        for slug in ["bench-cabins", "bench-distinct"] {
            let t = store
                .create_tenant(
                    NewTenant {
                        slug: slug.parse().unwrap(),
                        name: "Bench".into(),
                        timezone: chrono_tz::Europe::Zurich,
                        currency: "CHF".parse().unwrap(),
                        locale: "en".into(),
                    },
                    &Actor::System,
                    now,
                )
                .await
                .unwrap();
            for i in 0..1000 {
                let attributes = if slug == "bench-distinct" {
                    serde_json::json!({ "unit_no": i })
                } else {
                    serde_json::json!({})
                };
                let new = NewUnit {
                    name: format!("Cabin {i}"),
                    kind: None,
                    inventory: Inventory::new(1 + i % 3).unwrap(),
                    max_guests: Guests::new(4).unwrap(),
                    description: None,
                    amenities: vec![],
                    images: vec![],
                    attributes,
                };
                store
                    .create_unit(t.id, new, &Actor::System, now)
                    .await
                    .unwrap();
            }
            tenants.push(t.id);
        }
        (
            Engine::new(Arc::new(store), registry.clone(), clock),
            tenants[0],
            tenants[1],
        )
    });
    let request = AvailabilityRequest {
        period: PeriodRequest::Nights {
            check_in: "2027-01-11".parse().unwrap(),
            check_out: "2027-01-25".parse().unwrap(),
        },
        party: Party {
            guests: Guests::new(2).unwrap(),
            quantity: Quantity::ONE,
        },
    };
    let mut group = c.benchmark_group("availability");
    group.sample_size(20);
    for (name, tenant_id) in [
        ("1000_units_14_nights", kinds),
        ("1000_distinct_units_14_nights", distinct),
    ] {
        let found = rt
            .block_on(engine.availability(tenant_id, request.clone()))
            .unwrap();
        assert_eq!(found.len(), 1000);
        assert!(found.iter().all(|q| q.available && q.price.is_some()));
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(engine.availability(tenant_id, request.clone()))
                    .unwrap()
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

fn reload(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let root = temp_root();
    let dir = write_tenant(&root, "bench-cabins", NIGHTLY);
    let clock = Arc::new(ManualClock::new("2026-11-02T09:00:00Z".parse().unwrap()));
    let registry = Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        &root,
        clock,
    ));
    registry.load_all();
    let mut changes = registry.subscribe();
    let _watcher = berth_policy::watcher::watch(registry.clone()).unwrap();
    let mut rate = 18_000;
    let mut group = c.benchmark_group("reload");
    group.sample_size(10);
    group.bench_function("write_to_live", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                rate += 1;
                let yaml = NIGHTLY.replace(
                    &format!("base_rate: {}", 18_000),
                    &format!("base_rate: {rate}"),
                );
                let started = Instant::now();
                std::fs::write(dir.join("tenant.yaml"), yaml).unwrap();
                rt.block_on(async {
                    loop {
                        match tokio::time::timeout(Duration::from_secs(10), changes.recv())
                            .await
                            .unwrap()
                            .unwrap()
                        {
                            PolicyChange::Activated { .. } => break,
                            PolicyChange::Rejected { diagnostics, .. } => panic!("{diagnostics:?}"),
                            _ => {}
                        }
                    }
                });
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

/// The one live policy of every tenant (the plan benchmark's bookings).
#[derive(Debug)]
struct OnePolicy(Arc<dyn berth_core::policy::Policy>);

impl berth_core::policy::PolicyProvider for OnePolicy {
    fn policy(
        &self,
        _: &Tenant,
    ) -> Result<Arc<dyn berth_core::policy::Policy>, berth_core::policy::PolicyError> {
        Ok(self.0.clone())
    }
}

fn plan(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let runtime = Runtime::new(Limits::default()).unwrap();
    let root = temp_root();
    let yaml = NIGHTLY.replace("horizon_days: 400", "horizon_days: 800");
    let live_dir = write_tenant(&root.join("live"), "bench-cabins", &yaml);
    let candidate_dir = write_tenant(
        &root.join("candidate"),
        "bench-cabins",
        &yaml.replace("base_rate: 18000", "base_rate: 20000"),
    );
    let live: Arc<dyn berth_core::policy::Policy> =
        Arc::new(loader::load(&runtime, &live_dir, 1).unwrap());
    let candidate: Arc<dyn berth_core::policy::Policy> =
        Arc::new(loader::load(&runtime, &candidate_dir, 2).unwrap());
    let booked_at = "2026-11-02T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(booked_at));
    let (engine, tenant_id) = rt.block_on(async {
        let path = root.join("plan.db");
        let store = SqliteStore::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let t = store
            .create_tenant(
                NewTenant {
                    slug: "bench-cabins".parse().unwrap(),
                    name: "Bench".into(),
                    timezone: chrono_tz::Europe::Zurich,
                    currency: "CHF".parse().unwrap(),
                    locale: "en".into(),
                },
                &Actor::System,
                booked_at,
            )
            .await
            .unwrap();
        let engine = Engine::new(
            Arc::new(store.clone()),
            Arc::new(OnePolicy(live.clone())),
            clock.clone(),
        );
        let first: NaiveDate = "2026-11-10".parse().unwrap();
        for i in 0..40 {
            let new = NewUnit {
                name: format!("Cabin {i:02}"),
                kind: None,
                inventory: Inventory::new(1).unwrap(),
                max_guests: Guests::new(4).unwrap(),
                description: None,
                amenities: vec![],
                images: vec![],
                attributes: serde_json::json!({ "unit_no": i }),
            };
            let unit = store
                .create_unit(t.id, new, &Actor::System, booked_at)
                .await
                .unwrap();
            for n in 0..250 {
                let check_in = first + chrono::Days::new(3 * n);
                let cmd = berth_core::engine::CreateReservation {
                    unit_id: unit.id,
                    period: PeriodRequest::Nights {
                        check_in,
                        check_out: check_in + chrono::Days::new(3),
                    },
                    party: Party {
                        guests: Guests::new(2).unwrap(),
                        quantity: Quantity::ONE,
                    },
                    client: berth_core::store::ClientRef::None,
                    idempotency_key: None,
                    notes: None,
                    hold: false,
                    channel: berth_core::reservation::Channel::Admin,
                    consume_lock: None,
                    policy_override: Some(berth_core::policy_override::OverrideRequest {
                        reason: "the plan benchmark's refused arrivals".parse().unwrap(),
                        by_name: "bench".into(),
                    }),
                };
                engine
                    .create_reservation(t.id, cmd, &Actor::System)
                    .await
                    .unwrap();
            }
        }
        clock.advance(chrono::Duration::days(2));
        (engine, t.id)
    });
    // The built-in hooks natively (what the engine runs for this tenant), and
    // every hook in the sandbox (a tenant overriding both hooks in Rhai).
    let rhai = |dir: &Path, version| {
        Arc::new(
            loader::load(&runtime, dir, version)
                .unwrap()
                .rhai_reference(),
        ) as Arc<dyn berth_core::policy::Policy>
    };
    let cases = [
        ("builtin", live.clone(), candidate.clone()),
        ("rhai", rhai(&live_dir, 1), rhai(&candidate_dir, 2)),
    ];
    for (_, live, candidate) in &cases {
        let planned = rt
            .block_on(engine.plan_policy(tenant_id, live.clone(), candidate.clone()))
            .unwrap();
        assert_eq!(planned.summary.reservations_replayed, 10_000);
        assert_eq!(planned.summary.quotes_sampled, 40 * 720);
        assert!(planned.summary.reservations_repriced > 5_000);
    }
    let live_only = |live: &Arc<dyn berth_core::policy::Policy>| {
        rt.block_on(async {
            let data = engine.plan_data(tenant_id).await.unwrap();
            let live = live.clone();
            tokio::task::spawn_blocking(move || {
                berth_core::plan::accepted_under(&*live, data.input()).unwrap()
            })
            .await
            .unwrap()
        })
    };
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    for (name, live, candidate) in &cases {
        group.bench_function(format!("{name}_10000_reservations"), |b| {
            b.iter(|| {
                rt.block_on(engine.plan_policy(tenant_id, live.clone(), candidate.clone()))
                    .unwrap()
            });
        });
        group.bench_function(format!("{name}_baseline_live_only"), |b| {
            b.iter(|| live_only(live));
        });
    }
    group.finish();
    // CPU time per run (user + system of this process, all threads), which
    // other work on the machine does not inflate as it does wall time.
    let cpu = |what: &str, run: &dyn Fn()| {
        let ticks = || berth_core::bench::process_ticks(std::process::id()).map_or(0, |t| t.1);
        let runs = 5_u32;
        let (before, started) = (ticks(), Instant::now());
        for _ in 0..runs {
            run();
        }
        let wall = started.elapsed() / runs;
        let cpu_s = (ticks() - before) as f64 / 100.0 / f64::from(runs);
        println!("{what}: {cpu_s:.2} s CPU per run (user + system), {wall:.2?} wall");
    };
    println!(
        "machine: {}",
        berth_core::bench::Machine::detect().describe()
    );
    for (name, live, candidate) in &cases {
        cpu(&format!("plan/{name}_10000_reservations"), &|| {
            rt.block_on(engine.plan_policy(tenant_id, live.clone(), candidate.clone()))
                .unwrap();
        });
        cpu(&format!("plan/{name}_baseline_live_only"), &|| {
            live_only(live);
        });
    }
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = quotes, availability, reload
}

criterion_group! {
    name = plans;
    config = Criterion::default().measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(3));
    targets = plan
}
criterion_main!(benches, plans);
