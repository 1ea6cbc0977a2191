//! `Policy::open_periods` and `occupancy_basis` of the built-in models, on the
//! example tenants and scaffolded ones: timeslot slots, interval opening hours,
//! the whole local day without them — on DST days too.

use std::sync::Arc;

use berth_core::clock::ManualClock;
use berth_core::ids::TenantId;
use berth_core::policy::{OccupancyBasis, Policy};
use berth_core::tenant::Tenant;
use berth_policy::Runtime;
use berth_policy::config::ModelKind;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;
use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::support::{self, Root};

fn tenant(slug: &str, tz: Tz) -> Tenant {
    Tenant {
        id: TenantId::new(),
        slug: slug.parse().unwrap(),
        name: slug.into(),
        timezone: tz,
        currency: "EUR".parse().unwrap(),
        locale: "en".into(),
        created_at: "2027-01-01T00:00:00Z".parse().unwrap(),
    }
}

fn examples() -> Arc<PolicyRegistry> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let clock = Arc::new(ManualClock::new("2027-01-04T09:00:00Z".parse().unwrap()));
    let registry = Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        dir,
        clock,
    ));
    registry.load_all();
    registry
}

/// The periods as "start/end" in UTC.
fn periods(policy: &dyn Policy, tenant: &Tenant, date: &str) -> Vec<String> {
    let date: NaiveDate = date.parse().unwrap();
    policy
        .open_periods(tenant, date)
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p.start().format("%m-%dT%H:%M"),
                p.end().format("%m-%dT%H:%M")
            )
        })
        .collect()
}

#[test]
fn timeslot_tenants_are_open_during_their_slots() {
    let registry = examples();
    let policy = registry.get("summit-tours").unwrap();
    assert_eq!(policy.occupancy_basis(), OccupancyBasis::SeatHours);
    let t = tenant("summit-tours", chrono_tz::America::Denver);
    // Monday in winter (UTC−7): 06:00 and 13:00, three hours each.
    assert_eq!(
        periods(&*policy, &t, "2027-01-04"),
        ["01-04T13:00/01-04T16:00", "01-04T20:00/01-04T23:00"]
    );
    // Sunday 2027-03-14, clocks jump at 02:00 (UTC−6 after): one 06:00 slot.
    assert_eq!(
        periods(&*policy, &t, "2027-03-14"),
        ["03-14T12:00/03-14T15:00"]
    );
    // Christmas Day 2026 is closed by an exception.
    assert!(periods(&*policy, &t, "2026-12-25").is_empty());
}

#[test]
fn interval_tenants_are_open_during_their_opening_hours() {
    let registry = examples();
    let policy = registry.get("river-gear").unwrap();
    assert_eq!(policy.occupancy_basis(), OccupancyBasis::ItemHours);
    let t = tenant("river-gear", chrono_tz::Europe::Berlin);
    // Sunday 2027-10-31, clocks back at 03:00: 08:00-20:00 CET, 12 hours.
    assert_eq!(
        periods(&*policy, &t, "2027-10-31"),
        ["10-31T07:00/10-31T19:00"]
    );
    // Saturday before: 08:00-20:00 CEST.
    assert_eq!(
        periods(&*policy, &t, "2027-10-30"),
        ["10-30T06:00/10-30T18:00"]
    );
    // Monday is not listed: closed.
    assert!(periods(&*policy, &t, "2027-11-01").is_empty());
}

#[test]
fn without_opening_hours_the_whole_local_day_is_open() {
    let root = Root::new();
    let dir = root.tenant("city-boats", ModelKind::Interval);
    support::edit(
        &dir.join("tenant.yaml"),
        "  opening_hours:\n    mon: { open: \"09:00\", close: \"18:00\" }\n",
        "",
    );
    root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    let boats = registry.get("city-boats").unwrap();
    let t = tenant("city-boats", chrono_tz::Europe::Berlin);
    // 2027-03-28 has 23 hours in Berlin, 2027-10-31 has 25.
    assert_eq!(
        periods(&*boats, &t, "2027-03-28"),
        ["03-27T23:00/03-28T22:00"]
    );
    assert_eq!(
        periods(&*boats, &t, "2027-10-31"),
        ["10-30T22:00/10-31T23:00"]
    );
    let rooms = registry.get("lake-rooms").unwrap();
    assert_eq!(rooms.occupancy_basis(), OccupancyBasis::Nights);
    assert_eq!(
        periods(&*rooms, &t, "2027-10-31"),
        ["10-30T22:00/10-31T23:00"]
    );
}
