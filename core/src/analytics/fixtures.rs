//! The analytics fixture suite: every `fixtures/*.yaml` describes a tenant
//! (time zone, basis, open periods), its units and reservations, and for some
//! spans the hand-computed figures — occupancy per date and unit, stats of the
//! span and of the one before, the unit rankings. A unit may give its history
//! (what it offered from when on). Figures are nights, or
//! minutes for the hour bases.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::*;
use crate::ical::block::{BlockSource, CalendarBlock};
use crate::ids::{CalendarBlockId, ReservationId, TenantId, UnitId};
use crate::local_time::local_instant;
use crate::money::{Currency, Money};
use crate::policy::{OccupancyBasis, whole_local_day};
use crate::quantity::{Guests, Inventory};
use crate::state::ReservationState;
use crate::time_range::TimeRange;
use crate::unit::Unit;
use crate::unit_history::{UnitHistory, UnitVersion};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    timezone: String,
    currency: String,
    basis: OccupancyBasis,
    #[serde(default)]
    open: Open,
    units: Vec<FixtureUnit>,
    reservations: Vec<FixtureReservation>,
    #[serde(default)]
    blocks: Vec<FixtureBlock>,
    cases: Vec<Case>,
}

/// A block (staff or imported: analytics does not tell them apart): days
/// (`first_day` to `end_day`, taking 15:00 to 10:00 like a stay) or local
/// `start` and `end`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureBlock {
    unit: String,
    first_day: Option<NaiveDate>,
    end_day: Option<NaiveDate>,
    start: Option<String>,
    end: Option<String>,
}

/// Open periods, as local `HH:MM-HH:MM`; without `default`, the whole day.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Open {
    default: Option<Vec<String>>,
    #[serde(default)]
    dates: BTreeMap<NaiveDate, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureUnit {
    name: String,
    inventory: i64,
    #[serde(default)]
    archived: bool,
    /// Its versions (what it offered from a local `YYYY-MM-DD HH:MM` on);
    /// without them, it stood as it is since 2027-01-01.
    #[serde(default)]
    history: Vec<FixtureVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureVersion {
    from: String,
    inventory: i64,
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureReservation {
    unit: String,
    state: ReservationState,
    check_in: Option<NaiveDate>,
    check_out: Option<NaiveDate>,
    /// Local `YYYY-MM-DD HH:MM`.
    start: Option<String>,
    end: Option<String>,
    #[serde(default = "one")]
    quantity: u32,
    total: Option<i64>,
    /// The local date it was booked (at noon).
    booked: NaiveDate,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    from: NaiveDate,
    to: NaiveDate,
    /// Per date: [occupied, capacity] or [occupied, capacity, blocked].
    #[serde(default)]
    occupancy: BTreeMap<NaiveDate, Vec<i64>>,
    /// Per unit name, per date: [occupied, capacity] or [occupied, capacity,
    /// blocked].
    #[serde(default)]
    units: BTreeMap<String, BTreeMap<NaiveDate, Vec<i64>>>,
    stats: Option<ExpectedStats>,
    previous: Option<ExpectedStats>,
    #[serde(default)]
    top: Vec<ExpectedTop>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedStats {
    occupied: i64,
    capacity: i64,
    #[serde(default)]
    blocked: i64,
    reserved: i64,
    revenue: i64,
    active: u32,
    canceled: u32,
    absent: u32,
    /// Mean length (nights or hours), rounded to 4 places; null when no arrivals.
    length: Option<f64>,
    /// Mean lead time in days, rounded to 4 places.
    lead: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedTop {
    by: String,
    limit: usize,
    /// Unit name, reserved, revenue, reservations, occupied, capacity.
    ranking: Vec<(String, i64, i64, u32, i64, i64)>,
}

/// Nights stay as they are; seconds become minutes (and must be whole).
fn measure(basis: OccupancyBasis, value: i64, what: &str) -> i64 {
    match basis {
        OccupancyBasis::Nights => value,
        _ => {
            assert_eq!(value % 60, 0, "{what}: {value} s is not whole minutes");
            value / 60
        }
    }
}

fn local(tz: Tz, text: &str) -> DateTime<Utc> {
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    local_instant(tz, t.date(), t.time())
}

fn periods(tz: Tz, date: NaiveDate, spec: &[String]) -> Vec<TimeRange> {
    spec.iter()
        .map(|p| {
            let (a, b) = p.split_once('-').unwrap();
            let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
            TimeRange::new(local_instant(tz, date, t(a)), local_instant(tz, date, t(b))).unwrap()
        })
        .collect()
}

fn round4(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 10_000.0).round() / 10_000.0)
}

fn run(name: &str, text: &str) {
    let f: Fixture = serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let tz: Tz = f.timezone.parse().unwrap();
    let currency: Currency = f.currency.parse().unwrap();
    let tenant_id = TenantId::new();
    let created: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
    let units: Vec<Unit> = f
        .units
        .iter()
        .map(|u| Unit {
            id: UnitId::new(),
            tenant_id,
            name: u.name.clone(),
            kind: None,
            inventory: Inventory::new(u.inventory).unwrap(),
            max_guests: Guests::new(4).unwrap(),
            description: None,
            amenities: Vec::new(),
            images: Vec::new(),
            attributes: serde_json::json!({}),
            archived: u.archived,
            created_at: created,
        })
        .collect();
    let versions: Vec<UnitVersion> = f
        .units
        .iter()
        .zip(&units)
        .flat_map(|(fixture, unit)| {
            fixture.history.iter().map(|v| UnitVersion {
                unit_id: unit.id,
                from: local(tz, &v.from),
                inventory: Inventory::new(v.inventory).unwrap(),
                archived: v.archived,
            })
        })
        .collect();
    let history = UnitHistory::new(&units, &versions);
    let unit_id = |n: &str| {
        units
            .iter()
            .find(|u| u.name == n)
            .unwrap_or_else(|| panic!("{name}: no unit {n}"))
            .id
    };
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    let bookings: Vec<Booking> = f
        .reservations
        .iter()
        .map(|r| {
            let period = match (r.check_in, r.check_out, &r.start, &r.end) {
                (Some(ci), Some(co), None, None) => TimeRange::new(
                    local_instant(tz, ci, NaiveTime::from_hms_opt(15, 0, 0).unwrap()),
                    local_instant(tz, co, NaiveTime::from_hms_opt(10, 0, 0).unwrap()),
                )
                .unwrap(),
                (None, None, Some(s), Some(e)) => {
                    TimeRange::new(local(tz, s), local(tz, e)).unwrap()
                }
                _ => panic!("{name}: give check_in + check_out, or start + end"),
            };
            Booking {
                id: ReservationId::new(),
                unit_id: unit_id(&r.unit),
                state: r.state,
                period,
                check_in: r.check_in,
                check_out: r.check_out,
                quantity: r.quantity,
                total: r.total.map(|t| Money::new(t, currency)),
                created_at: local_instant(tz, r.booked, noon),
            }
        })
        .collect();
    let blocks: Vec<CalendarBlock> = f
        .blocks
        .iter()
        .map(|b| {
            let range = match (b.first_day, b.end_day, &b.start, &b.end) {
                (Some(first), Some(end), None, None) => TimeRange::new(
                    local_instant(tz, first, NaiveTime::from_hms_opt(15, 0, 0).unwrap()),
                    local_instant(tz, end, NaiveTime::from_hms_opt(10, 0, 0).unwrap()),
                )
                .unwrap(),
                (None, None, Some(s), Some(e)) => {
                    TimeRange::new(local(tz, s), local(tz, e)).unwrap()
                }
                _ => panic!("{name}: a block has first_day + end_day, or start + end"),
            };
            CalendarBlock {
                id: CalendarBlockId::new(),
                tenant_id,
                unit_id: unit_id(&b.unit),
                source: BlockSource::staff(),
                uid: "fixture".into(),
                range,
                first_day: b.first_day,
                end_day: b.end_day,
                imported_at: created,
                reason: Some("fixture".parse().unwrap()),
                created_by: Some(crate::audit::Actor::System),
                created_by_name: Some("fixture".into()),
            }
        })
        .collect();
    let triple = |load: Load, m: &dyn Fn(i64, &str) -> i64, expected: &[i64]| -> Vec<i64> {
        let mut got = vec![m(load.occupied, "occupied"), m(load.capacity, "capacity")];
        if expected.len() == 3 {
            got.push(m(load.blocked, "blocked"));
        }
        got
    };
    for case in &f.cases {
        let span = DateSpan::new(case.from, case.to).unwrap();
        let what = format!("{name} {}..{}", case.from, case.to);
        let calendar = OpenCalendar::build(span.hull(&span.previous()), |date| {
            Ok::<_, ()>(match f.open.dates.get(&date).or(f.open.default.as_ref()) {
                Some(spec) => periods(tz, date, spec),
                None => whole_local_day(tz, date).into_iter().collect(),
            })
        })
        .unwrap();
        let data = Dataset {
            timezone: tz,
            currency,
            basis: f.basis,
            units: &units,
            history: &history,
            bookings: &bookings,
            calendar: &calendar,
            blocks: &blocks,
        };
        let m = |v: i64, w: &str| measure(f.basis, v, &format!("{what}: {w}"));
        let report = occupancy(&data, span, true);
        for day in &report.days {
            if let Some(expected) = case.occupancy.get(&day.date) {
                let got = triple(day.total, &m, expected);
                assert_eq!(got, *expected, "{what}: occupancy on {}", day.date);
            }
            for (unit_name, dates) in &case.units {
                if let Some(expected) = dates.get(&day.date) {
                    let id = unit_id(unit_name);
                    let load = day
                        .units
                        .iter()
                        .find(|(u, _)| *u == id)
                        .map(|(_, l)| *l)
                        .unwrap_or_default();
                    let got = triple(load, &m, expected);
                    assert_eq!(got, *expected, "{what}: {unit_name} on {}", day.date);
                }
            }
        }
        assert!(
            case.occupancy.is_empty() || case.occupancy.len() == span.len(),
            "{what}: give every date or none"
        );
        let figures = |s: &Stats| ExpectedStats {
            occupied: m(s.occupancy.occupied, "occupied"),
            capacity: m(s.occupancy.capacity, "capacity"),
            blocked: m(s.occupancy.blocked, "blocked"),
            reserved: m(s.reserved, "reserved"),
            revenue: s.revenue.amount_minor,
            active: s.active,
            canceled: s.canceled,
            absent: s.absent,
            length: round4(s.average_length()),
            lead: round4(s.average_lead_days()),
        };
        if let Some(expected) = &case.stats {
            assert_eq!(
                &figures(&stats(&data, span).unwrap()),
                expected,
                "{what}: stats"
            );
        }
        if let Some(expected) = &case.previous {
            let got = figures(&stats(&data, span.previous()).unwrap());
            assert_eq!(&got, expected, "{what}: previous stats");
        }
        for top in &case.top {
            let by = match top.by.as_str() {
                "reserved" => RankBy::Reserved,
                "revenue" => RankBy::Revenue,
                other => panic!("{what}: rank by {other}?"),
            };
            let got: Vec<_> = top_units(&data, span, by, top.limit)
                .unwrap()
                .into_iter()
                .map(|r| {
                    let unit = units.iter().find(|u| u.id == r.unit_id).unwrap();
                    (
                        unit.name.clone(),
                        m(r.reserved, "reserved"),
                        r.revenue.amount_minor,
                        r.reservations,
                        m(r.occupancy.occupied, "occupied"),
                        m(r.occupancy.capacity, "capacity"),
                    )
                })
                .collect();
            assert_eq!(got, top.ranking, "{what}: top units by {}", top.by);
        }
    }
}

#[test]
fn every_fixture_matches_its_hand_computed_figures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analytics/fixtures");
    let mut seen = 0;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        run(&path.display().to_string(), &text);
        seen += 1;
    }
    assert!(seen >= 3, "the fixtures are missing from {}", dir.display());
}
