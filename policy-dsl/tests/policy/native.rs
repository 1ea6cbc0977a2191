//! The built-in nightly hooks run natively, and `nightly.rhai` is their
//! reference: a differential property test over random requests (dates across
//! seasons and weekends, lengths, guests, quantities, lead times, units with and
//! without a rate of their own) holds the native policy equal to the same policy
//! run wholly in Rhai — violations with their messages, price lines with their
//! labels and amounts — for every nightly example tenant under `tenants/`, as
//! shipped (Alpine Cabins overrides `validate` in Rhai and keeps the native
//! `price`), without its scripts (both hooks native), and with a `price` of its
//! own in Rhai over the native `validate`. The same for the timeslot and
//! interval example tenants (`slots`, `validate` and `price` against
//! `timeslot.rhai` and `interval.rhai`): as shipped (every hook native), and
//! with a `price` (and, for slots, a `slots`) of their own in Rhai.

use std::path::{Path, PathBuf};

use berth_core::engine::evaluate;
use berth_core::ids::{TenantId, UnitId};
use berth_core::local_time::local_instant;
use berth_core::policy::{Party, PeriodRequest, Policy, PolicyContext};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::tenant::Tenant;
use berth_core::unit::Unit;
use berth_policy::config::ModelKind;
use berth_policy::sandbox::Limits;
use berth_policy::tenant_policy::TenantPolicy;
use berth_policy::{Runtime, loader};
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::support::Root;

/// A `price` hook of a tenant's own: the model's lines plus one.
const OWN_PRICE: &str = r#"
fn price(req, rules, pricing) {
    let lines = model_price(req, rules, pricing);
    lines.push(#{ kind: "fee", label: "Towels", amount: 150 * req.guests });
    lines
}
"#;

/// Copies a tenant directory into `root/variant/`, leaving out its scripts.
fn copy_without_scripts(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_without_scripts(&entry.path(), &target);
        } else if entry.path().extension().is_none_or(|e| e != "rhai") {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Each variant: its policy, its Rhai reference, and which hooks are native.
fn variants(root: &Root) -> Vec<(String, TenantPolicy, TenantPolicy, [bool; 2])> {
    let runtime = Runtime::new(Limits::default()).unwrap();
    let tenants = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&tenants)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let shipped = loader::load(&runtime, &dir, 1).unwrap();
        if shipped.config().model != ModelKind::Nightly {
            continue;
        }
        let slug = shipped.slug().to_owned();
        let has_validate = dir.join("saturday_arrivals.rhai").exists();
        let bare = root.0.join("bare").join(&slug);
        copy_without_scripts(&dir, &bare);
        let own_price = root.0.join("own-price").join(&slug);
        copy_without_scripts(&dir, &own_price);
        std::fs::write(own_price.join("own_price.rhai"), OWN_PRICE).unwrap();
        for (name, dir, native) in [
            ("as shipped", dir.clone(), [!has_validate, true]),
            ("without scripts", bare, [true, true]),
            ("with its own price", own_price, [true, false]),
        ] {
            let load = || loader::load(&runtime, &dir, 1).unwrap();
            out.push((
                format!("{slug} {name}"),
                load(),
                load().rhai_reference(),
                native,
            ));
        }
    }
    out
}

fn tenant(policy: &TenantPolicy) -> Tenant {
    let config = policy.config();
    Tenant {
        id: TenantId::new(),
        slug: config.slug.parse().unwrap(),
        name: config.name.clone(),
        timezone: config.timezone.parse().unwrap(),
        currency: config.currency.parse().unwrap(),
        locale: config.locale.clone(),
        created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
    }
}

/// A unit of `t`, with a `base_rate` attribute of its own when given.
fn unit(t: &Tenant, inventory: i64, max_guests: u32, base_rate: Option<i64>) -> Unit {
    Unit {
        id: UnitId::new(),
        tenant_id: t.id,
        name: "Unit".into(),
        kind: Some("unit".into()),
        inventory: Inventory::new(inventory).unwrap(),
        max_guests: Guests::new(i64::from(max_guests)).unwrap(),
        description: None,
        amenities: vec![],
        images: vec![],
        attributes: base_rate.map_or(
            serde_json::json!({}),
            |b| serde_json::json!({ "base_rate": b }),
        ),
        archived: false,
        created_at: t.created_at,
    }
}

/// `policy` and its Rhai `reference` answer alike: what the engine asks
/// (validate, then price when nothing is broken), and each hook on its own,
/// the price also of requests the rules refuse.
fn same_answers(
    name: &str,
    policy: &TenantPolicy,
    reference: &TenantPolicy,
    ctx: &PolicyContext<'_>,
    period: &PeriodRequest,
    party: &Party,
) -> Result<(), TestCaseError> {
    let native = evaluate(policy, ctx, period, party).unwrap();
    let rhai = evaluate(reference, ctx, period, party).unwrap();
    prop_assert_eq!(&native.violations, &rhai.violations, "{}", name);
    prop_assert_eq!(&native.price, &rhai.price, "{}", name);
    let resolved = policy.resolve_period(ctx, period).unwrap();
    prop_assert_eq!(
        policy.validate(ctx, party, &resolved).unwrap(),
        reference.validate(ctx, party, &resolved).unwrap(),
        "{}",
        name
    );
    prop_assert_eq!(
        policy.price(ctx, party, &resolved).unwrap(),
        reference.price(ctx, party, &resolved).unwrap(),
        "{}",
        name
    );
    Ok(())
}

#[derive(Debug, Clone)]
struct Request {
    variant: usize,
    check_in: NaiveDate,
    nights: u64,
    guests: u32,
    quantity: u32,
    now: DateTime<Utc>,
    base_rate: Option<i64>,
    max_guests: u32,
}

fn requests(variants: usize) -> impl Strategy<Value = Request> {
    let first: NaiveDate = "2026-01-01".parse().unwrap();
    (
        0..variants,
        0_u64..900,
        1_u64..40,
        1_u32..10,
        1_u32..4,
        // Now: from two days after check-in to 500 days before it.
        -2 * 1440_i64..500 * 1440,
        proptest::option::of(1_i64..50_000),
        1_u32..10,
    )
        .prop_map(
            move |(variant, day, nights, guests, quantity, lead, base_rate, max_guests)| {
                let check_in = first + Days::new(day);
                let noon = check_in.and_hms_opt(12, 0, 0).unwrap().and_utc();
                Request {
                    variant,
                    check_in,
                    nights,
                    guests,
                    quantity,
                    now: noon - Duration::minutes(lead),
                    base_rate,
                    max_guests,
                }
            },
        )
}

#[test]
fn native_nightly_hooks_equal_their_rhai_reference() {
    let root = Root::new();
    let variants = variants(&root);
    // Two nightly example tenants, three variants each.
    assert_eq!(variants.len(), 6, "{:?}", variants.iter().map(|v| &v.0));
    for (name, policy, reference, [validate, price]) in &variants {
        assert_eq!(policy.runs_natively("validate"), *validate, "{name}");
        assert_eq!(policy.runs_natively("price"), *price, "{name}");
        assert!(!reference.runs_natively("validate") && !reference.runs_natively("price"));
    }
    let tenants: Vec<Tenant> = variants.iter().map(|v| tenant(&v.1)).collect();
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&requests(variants.len()), |r| {
            let (name, policy, reference, _) = &variants[r.variant];
            let t = &tenants[r.variant];
            let unit = unit(t, i64::from(r.quantity) + 1, r.max_guests, r.base_rate);
            let ctx = PolicyContext {
                tenant: t,
                unit: &unit,
                now: r.now,
            };
            let period = PeriodRequest::Nights {
                check_in: r.check_in,
                check_out: r.check_in + Days::new(r.nights),
            };
            let party = Party {
                guests: Guests::new(i64::from(r.guests)).unwrap(),
                quantity: Quantity::new(i64::from(r.quantity)).unwrap(),
            };
            same_answers(name, policy, reference, &ctx, &period, &party)
        })
        .unwrap();
}

/// A `slots` hook of a tenant's own: the model's, plus an evening tour on
/// Wednesdays.
const OWN_SLOTS: &str = r#"
fn slots(day, rules) {
    let s = model_slots(day, rules);
    if day.weekday == "wed" { s.push("18:00"); }
    s
}
"#;

/// The timeslot and interval example tenants, each as shipped and with hooks
/// of its own: (name, policy, its Rhai reference, native [validate, price, slots]).
fn hourly_variants(root: &Root) -> Vec<(String, TenantPolicy, TenantPolicy, [bool; 3])> {
    let runtime = Runtime::new(Limits::default()).unwrap();
    let tenants = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&tenants)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let model = loader::load(&runtime, &dir, 1).unwrap().config().model;
        if model == ModelKind::Nightly {
            continue;
        }
        let timeslot = model == ModelKind::Timeslot;
        let slug = dir.file_name().unwrap().to_string_lossy().into_owned();
        let own = root.0.join("own-hourly").join(&slug);
        copy_without_scripts(&dir, &own);
        std::fs::write(own.join("own_price.rhai"), OWN_PRICE).unwrap();
        if timeslot {
            std::fs::write(own.join("own_slots.rhai"), OWN_SLOTS).unwrap();
        }
        for (name, dir, native) in [
            ("as shipped", dir.clone(), [true, true, timeslot]),
            ("with hooks of its own", own, [true, false, false]),
        ] {
            let load = || loader::load(&runtime, &dir, 1).unwrap();
            out.push((
                format!("{slug} {name}"),
                load(),
                load().rhai_reference(),
                native,
            ));
        }
    }
    out
}

#[derive(Debug, Clone)]
struct HourlyRequest {
    variant: usize,
    date: NaiveDate,
    /// Timeslot: which of the day's slots; interval: minutes after midnight.
    pick: u32,
    /// Interval: the rental's length in minutes.
    minutes: i64,
    guests: u32,
    quantity: u32,
    lead: i64,
    base_rate: Option<i64>,
}

fn hourly_requests(variants: usize) -> impl Strategy<Value = HourlyRequest> {
    let first: NaiveDate = "2026-01-01".parse().unwrap();
    // The example's exception dates (closed, other times) come up often.
    let exceptions =
        ["2026-11-26", "2026-12-24", "2026-12-25"].map(|d| d.parse::<NaiveDate>().unwrap());
    let date = prop_oneof![
        3 => (0_u64..900).prop_map(move |d| first + Days::new(d)),
        1 => proptest::sample::select(exceptions.to_vec()),
    ];
    let minutes = prop_oneof![(1_i64..400).prop_map(|h| h * 30), 1_i64..12_000,];
    let pick = prop_oneof![(0_u32..48).prop_map(|h| h * 30), 0_u32..1440];
    (
        0..variants,
        date,
        pick,
        minutes,
        1_u32..12,
        1_u32..12,
        // Now: from a day after the start to 300 days before it.
        -1440_i64..300 * 1440,
        proptest::option::of(1_i64..50_000),
    )
        .prop_map(
            |(variant, date, pick, minutes, guests, quantity, lead, base_rate)| HourlyRequest {
                variant,
                date,
                pick,
                minutes,
                guests,
                quantity,
                lead,
                base_rate,
            },
        )
}

#[test]
fn native_timeslot_and_interval_hooks_equal_their_rhai_reference() {
    let root = Root::new();
    let variants = hourly_variants(&root);
    // One timeslot and one interval example tenant, two variants each.
    assert_eq!(variants.len(), 4, "{:?}", variants.iter().map(|v| &v.0));
    for (name, policy, reference, [validate, price, slots]) in &variants {
        assert_eq!(policy.runs_natively("validate"), *validate, "{name}");
        assert_eq!(policy.runs_natively("price"), *price, "{name}");
        assert_eq!(policy.runs_natively("slots"), *slots, "{name}");
        for hook in ["validate", "price", "slots"] {
            assert!(!reference.runs_natively(hook), "{name}: {hook}");
        }
    }
    let tenants: Vec<Tenant> = variants.iter().map(|v| tenant(&v.1)).collect();
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&hourly_requests(variants.len()), |r| {
            let (name, policy, reference, _) = &variants[r.variant];
            let t = &tenants[r.variant];
            let tz = t.timezone;
            let period = if policy.config().model == ModelKind::Timeslot {
                let slots = policy.slot_starts(r.date).unwrap();
                prop_assert_eq!(&slots, &reference.slot_starts(r.date).unwrap(), "{}", name);
                let Some(time) = slots.get(r.pick as usize % slots.len().max(1)) else {
                    return Ok(());
                };
                PeriodRequest::Slot {
                    start: local_instant(tz, r.date, *time),
                }
            } else {
                let start = local_instant(tz, r.date, chrono::NaiveTime::MIN)
                    + Duration::minutes(i64::from(r.pick));
                PeriodRequest::Interval {
                    start,
                    end: start + Duration::minutes(r.minutes),
                }
            };
            let start = match &period {
                PeriodRequest::Slot { start } | PeriodRequest::Interval { start, .. } => *start,
                PeriodRequest::Nights { .. } => unreachable!(),
            };
            let unit = unit(t, 20, 12, r.base_rate);
            let ctx = PolicyContext {
                tenant: t,
                unit: &unit,
                now: start - Duration::minutes(r.lead),
            };
            let party = Party {
                guests: Guests::new(i64::from(r.guests)).unwrap(),
                quantity: Quantity::new(i64::from(r.quantity)).unwrap(),
            };
            same_answers(name, policy, reference, &ctx, &period, &party)
        })
        .unwrap();
}
