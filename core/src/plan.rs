//! The policy plan: what a candidate policy would change, over the tenant's real
//! data, before it goes live (`berth policy plan`, GraphQL `planPolicy`).
//!
//! Two parts, both asked of the live policy and of the candidate through the
//! policy port — the same evaluation as quotes and bookings
//! ([`crate::engine::evaluate`]: the engine's own rules, then the policy's):
//!
//! - **Replay.** Every active (`held`, `confirmed`) reservation that starts at
//!   or after now, as booked: its period in the shape of each policy's model,
//!   its party, judged as of the instant it was created (a lead time or a
//!   horizon judges the booking as it was made). A reservation is listed when
//!   the two versions answer differently: newly refused, newly accepted (the
//!   live rules refuse it — an override, an older version), accepted at a
//!   different price, or refused for other reasons. Reservations keep their
//!   price snapshot; the candidate's price minus the snapshot is information.
//! - **Quote sample.** Each active unit × the [`SAMPLE_DAYS`] tenant-local
//!   dates from today × the common requests of its booking model (below),
//!   judged at now. Per unit: requests newly refused, newly accepted or
//!   repriced, dates newly closed (some request arriving that date was
//!   accepted, none is now) or newly opened, and the quoted revenue per month
//!   of arrival under each version (the sum of the totals of the accepted
//!   sample requests; integer minor units).
//!
//! The sample asks the rules, not the calendar: capacity is the same under both
//! versions, so free or taken items change nothing in a comparison.
//!
//! Common requests, per model (`Policy::occupancy_basis`):
//! - nightly: stays of 1, 2, 3 and 7 nights ([`NIGHTLY_NIGHTS`]) for one item,
//!   by two guests (one for a single-guest unit) and by the unit's full
//!   `max_guests`;
//! - timeslot: every slot of the day under either version, for 1, 2 and 4
//!   seats ([`TIMESLOT_SEATS`], those within the unit's inventory), one guest
//!   per seat;
//! - interval: starts on every whole hour from each opening period's start
//!   (either version's opening hours), for 1, 2 and 4 hours
//!   ([`INTERVAL_HOURS`]), one item with the unit's `max_guests`.
//!
//! Units the policies cannot tell apart (equal [`Policy::unit_key`] under both
//! versions, same inventory and guests) share one sample evaluation. The work
//! is split over the machine's cores. A policy that fails on a request (a
//! script throws) refuses it with the violation `policy_error`; a period the
//! model cannot book, with `invalid_period`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::engine::evaluate;
use crate::error::EngineError;
use crate::ids::{ReservationId, TenantId, UnitId};
use crate::local_time::local_date;
use crate::money::{Currency, Money};
use crate::policy::{OccupancyBasis, Party, PeriodRequest, Policy, PolicyContext, Violation};
use crate::quantity::{Guests, Quantity};
use crate::reservation::Reservation;
use crate::state::ReservationState;
use crate::store::ReservationFilter;
use crate::tenant::Tenant;
use crate::unit::Unit;

/// How many tenant-local dates the quote sample covers, from today.
pub const SAMPLE_DAYS: u32 = 90;
/// The stay lengths the nightly sample asks for.
pub const NIGHTLY_NIGHTS: [u32; 4] = [1, 2, 3, 7];
/// The seats the timeslot sample asks for.
pub const TIMESLOT_SEATS: [u32; 3] = [1, 2, 4];
/// The rental lengths, in hours, the interval sample asks for.
pub const INTERVAL_HOURS: [i64; 3] = [1, 2, 4];

/// What a candidate policy would change. Field names are the stable JSON of
/// `berth policy plan --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyPlan {
    /// The tenant's slug.
    pub tenant: String,
    /// The tenant's currency: every amount is in it.
    pub currency: Currency,
    /// The instant the plan was made (the quote sample's `now`).
    pub planned_at: DateTime<Utc>,
    /// The first date of the quote sample (tenant-local today).
    pub sample_from: NaiveDate,
    /// How many dates the sample covers.
    pub sample_days: u32,
    /// Counts and totals.
    pub summary: PlanSummary,
    /// The reservations the two versions answer differently, by start.
    pub reservations: Vec<ReservationChange>,
    /// The units whose sample quotes change, by name.
    pub units: Vec<UnitChange>,
}

impl PolicyPlan {
    /// True when the candidate changes nothing the plan looks at.
    pub fn is_empty(&self) -> bool {
        self.reservations.is_empty() && self.units.is_empty()
    }
}

/// The plan in numbers: small enough to keep with a publication (it reads
/// back from its JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PlanSummary {
    /// Active future reservations replayed.
    pub reservations_replayed: u32,
    /// Accepted by the live version, refused by the candidate.
    pub reservations_newly_refused: u32,
    /// Refused by the live version (booked with an override, or under an
    /// older version), accepted by the candidate.
    pub reservations_newly_accepted: u32,
    /// Accepted by both, at different prices.
    pub reservations_repriced: u32,
    /// Refused by both, with different violations.
    pub reservations_refused_differently: u32,
    /// The candidate's price minus the stored snapshot, summed over the listed
    /// reservations that have both (information: snapshots stay).
    pub reservations_price_difference: Money,
    /// Sample requests asked of each version.
    pub quotes_sampled: u32,
    /// Sample requests accepted by the live version, refused by the candidate.
    pub quotes_newly_refused: u32,
    /// Sample requests refused by the live version, accepted by the candidate.
    pub quotes_newly_accepted: u32,
    /// Sample requests accepted by both, at different prices.
    pub quotes_repriced: u32,
    /// Unit-dates open under the live version and closed under the candidate.
    pub dates_newly_closed: u32,
    /// Unit-dates closed under the live version and open under the candidate.
    pub dates_newly_opened: u32,
    /// The sample's quoted revenue under the live version.
    pub quoted_revenue_live: Money,
    /// The sample's quoted revenue under the candidate.
    pub quoted_revenue_candidate: Money,
    /// Candidate minus live.
    pub quoted_revenue_difference: Money,
}

/// How the two versions' answers to a request differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The live version accepts it; the candidate refuses it.
    NewlyRefused,
    /// The live version refuses it; the candidate accepts it.
    NewlyAccepted,
    /// Both accept it, at different prices.
    Repriced,
    /// Both refuse it, for different reasons.
    RefusedDifferently,
}

impl Change {
    /// The stable name (`newly_refused`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::NewlyRefused => "newly_refused",
            Self::NewlyAccepted => "newly_accepted",
            Self::Repriced => "repriced",
            Self::RefusedDifferently => "refused_differently",
        }
    }
}

/// One existing reservation the candidate answers differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReservationChange {
    /// The reservation.
    pub reservation_id: ReservationId,
    /// Its unit.
    pub unit_id: UnitId,
    /// The unit's name.
    pub unit_name: String,
    /// Its state (`held`, `confirmed`).
    pub state: ReservationState,
    /// The booked period's start.
    pub start: DateTime<Utc>,
    /// The booked period's end.
    pub end: DateTime<Utc>,
    /// Check-in date (nightly).
    pub check_in: Option<NaiveDate>,
    /// Check-out date (nightly).
    pub check_out: Option<NaiveDate>,
    /// Guests.
    pub guests: u32,
    /// Items.
    pub quantity: u32,
    /// What changes.
    pub change: Change,
    /// The rules the candidate says it breaks (empty when it accepts it).
    pub violations: Vec<Violation>,
    /// The price snapshot it keeps.
    pub stored_price: Option<Money>,
    /// What the live version prices it at today (none when it refuses it).
    pub live_price: Option<Money>,
    /// What the candidate prices it at (none when it refuses it).
    pub candidate_price: Option<Money>,
    /// Candidate minus stored, when both exist in one currency.
    pub difference: Option<Money>,
}

/// One unit's changed sample quotes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitChange {
    /// The unit.
    pub unit_id: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Sample requests asked for it.
    pub quotes_sampled: u32,
    /// Newly refused sample requests.
    pub quotes_newly_refused: u32,
    /// Newly accepted sample requests.
    pub quotes_newly_accepted: u32,
    /// Repriced sample requests.
    pub quotes_repriced: u32,
    /// Dates open under the live version, closed under the candidate.
    pub dates_newly_closed: Vec<NaiveDate>,
    /// Dates closed under the live version, open under the candidate.
    pub dates_newly_opened: Vec<NaiveDate>,
    /// The months of arrival whose quoted revenue differs, in order.
    pub months: Vec<MonthRevenue>,
}

/// The quoted revenue of one unit's sample requests arriving in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthRevenue {
    /// `2026-12`.
    pub month: String,
    /// Under the live version.
    pub live: Money,
    /// Under the candidate.
    pub candidate: Money,
    /// Candidate minus live.
    pub difference: Money,
}

/// What a plan is made over: the tenant's data as read from the store.
#[derive(Clone, Copy, Debug)]
pub struct PlanInput<'a> {
    /// The tenant.
    pub tenant: &'a Tenant,
    /// All its units, archived ones included (their reservations are replayed;
    /// only active units are sampled).
    pub units: &'a [Unit],
    /// The reservations to replay: active ones starting at or after `now`.
    pub reservations: &'a [Reservation],
    /// The clock's now.
    pub now: DateTime<Utc>,
}

/// A request's answer under one version.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Accepted at this total.
    Accepted(Money),
    /// Refused for these reasons.
    Refused(Vec<Violation>),
}

impl Outcome {
    fn price(&self) -> Option<Money> {
        match self {
            Self::Accepted(total) => Some(*total),
            Self::Refused(_) => None,
        }
    }

    fn accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }

    /// How `candidate` differs from `self` (the live answer), if it does.
    fn change_to(&self, candidate: &Outcome) -> Option<Change> {
        match (self, candidate) {
            (Self::Accepted(a), Self::Accepted(b)) => (a != b).then_some(Change::Repriced),
            (Self::Accepted(_), Self::Refused(_)) => Some(Change::NewlyRefused),
            (Self::Refused(_), Self::Accepted(_)) => Some(Change::NewlyAccepted),
            (Self::Refused(a), Self::Refused(b)) => {
                let codes =
                    |v: &[Violation]| v.iter().map(|v| v.code.clone()).collect::<BTreeSet<_>>();
                (codes(a) != codes(b)).then_some(Change::RefusedDifferently)
            }
        }
    }
}

/// One request to put to both versions: the period in each version's shape.
#[derive(Clone, Debug)]
struct Probe<'a> {
    unit: &'a Unit,
    periods: [PeriodRequest; 2],
    party: Party,
    now: DateTime<Utc>,
}

/// The answer of `policy` to one request, as the engine's `evaluate` gives it.
fn judge(policy: &dyn Policy, tenant: &Tenant, probe: &Probe<'_>, which: usize) -> Outcome {
    let ctx = PolicyContext {
        tenant,
        unit: probe.unit,
        now: probe.now,
    };
    match evaluate(policy, &ctx, &probe.periods[which], &probe.party) {
        Ok(eval) if eval.violations.is_empty() => match eval.price {
            Some(price) => Outcome::Accepted(price.total),
            None => Outcome::Refused(vec![Violation::new(
                "policy_error",
                "the policy accepted the request but gave no price",
            )]),
        },
        Ok(eval) => Outcome::Refused(eval.violations),
        Err(EngineError::Validation(violations)) => Outcome::Refused(violations),
        Err(EngineError::InvalidInput { message, .. }) => {
            Outcome::Refused(vec![Violation::new("invalid_period", message)])
        }
        Err(other) => Outcome::Refused(vec![Violation::new("policy_error", other.to_string())]),
    }
}

/// Below this many probes the work runs on the calling thread.
const PARALLEL_MIN_PROBES: usize = 512;

/// `f` over every probe, split over the machine's cores; results in order.
fn run_all<T, F>(probes: &[Probe<'_>], f: F) -> Result<Vec<T>, EngineError>
where
    T: Send,
    F: Fn(&Probe<'_>) -> T + Sync,
{
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    if workers < 2 || probes.len() < PARALLEL_MIN_PROBES {
        return Ok(probes.iter().map(&f).collect());
    }
    let per_worker = probes.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = probes
            .chunks(per_worker)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<T>>()))
            .collect();
        let mut out = Vec::with_capacity(probes.len());
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| EngineError::Crashed("a policy plan worker panicked".into()))?;
            out.extend(part);
        }
        Ok(out)
    })
}

/// The request a stored reservation made, in the shape of `basis`.
fn period_of(r: &Reservation, basis: OccupancyBasis) -> PeriodRequest {
    match (basis, r.check_in, r.check_out) {
        (OccupancyBasis::Nights, Some(check_in), Some(check_out)) => PeriodRequest::Nights {
            check_in,
            check_out,
        },
        (OccupancyBasis::SeatHours, _, _) => PeriodRequest::Slot {
            start: r.period.start(),
        },
        _ => PeriodRequest::Interval {
            start: r.period.start(),
            end: r.period.end(),
        },
    }
}

fn party(guests: u32, quantity: u32) -> Option<Party> {
    Some(Party {
        guests: Guests::new(i64::from(guests)).ok()?,
        quantity: Quantity::new(i64::from(quantity)).ok()?,
    })
}

/// The sample requests of one unit: (date, period, party).
fn sample_requests(
    policies: [&dyn Policy; 2],
    tenant: &Tenant,
    unit: &Unit,
    dates: &[NaiveDate],
    now: DateTime<Utc>,
) -> Vec<(NaiveDate, PeriodRequest, Party)> {
    let ctx = PolicyContext { tenant, unit, now };
    let mut bases: Vec<OccupancyBasis> = policies.iter().map(|p| p.occupancy_basis()).collect();
    bases.dedup();
    let max_guests = unit.max_guests.get();
    let inventory = unit.inventory.get();
    let mut out = Vec::new();
    for basis in bases {
        match basis {
            OccupancyBasis::Nights => {
                let mut guests = vec![max_guests.min(2), max_guests];
                guests.dedup();
                let parties: Vec<Party> = guests.iter().filter_map(|&g| party(g, 1)).collect();
                for &date in dates {
                    for nights in NIGHTLY_NIGHTS {
                        let Some(check_out) =
                            date.checked_add_days(chrono::Days::new(nights.into()))
                        else {
                            continue;
                        };
                        for p in &parties {
                            let period = PeriodRequest::Nights {
                                check_in: date,
                                check_out,
                            };
                            out.push((date, period, *p));
                        }
                    }
                }
            }
            OccupancyBasis::SeatHours => {
                let parties: Vec<Party> = TIMESLOT_SEATS
                    .iter()
                    .filter(|&&seats| seats <= inventory)
                    .filter_map(|&seats| party(seats, seats))
                    .collect();
                for &date in dates {
                    let starts: BTreeSet<DateTime<Utc>> = policies
                        .iter()
                        .flat_map(|p| p.slots(&ctx, date).unwrap_or_default())
                        .map(|slot| slot.start())
                        .collect();
                    for start in starts {
                        for p in &parties {
                            out.push((date, PeriodRequest::Slot { start }, *p));
                        }
                    }
                }
            }
            OccupancyBasis::ItemHours => {
                let parties: Vec<Party> = party(max_guests, 1).into_iter().collect();
                for &date in dates {
                    let mut starts = BTreeSet::new();
                    for policy in policies {
                        for open in policy.open_periods(tenant, date).unwrap_or_default() {
                            let mut start = open.start();
                            while start < open.end() {
                                starts.insert(start);
                                start += Duration::hours(1);
                            }
                        }
                    }
                    for start in starts {
                        for hours in INTERVAL_HOURS {
                            let end = start + Duration::hours(hours);
                            for p in &parties {
                                out.push((date, PeriodRequest::Interval { start, end }, *p));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The sample's dates: [`SAMPLE_DAYS`] from the tenant-local date of `now`.
fn sample_dates(tenant: &Tenant, now: DateTime<Utc>) -> Vec<NaiveDate> {
    local_date(tenant.timezone, now)
        .iter_days()
        .take(SAMPLE_DAYS as usize)
        .collect()
}

/// Groups active units that both versions answer alike: the index of each
/// unit's representative.
fn unit_groups(policies: [&dyn Policy; 2], units: &[&Unit]) -> Vec<usize> {
    let mut first_of: HashMap<(String, String, u32, u32), usize> = HashMap::new();
    units
        .iter()
        .enumerate()
        .map(
            |(i, unit)| match (policies[0].unit_key(unit), policies[1].unit_key(unit)) {
                (Some(a), Some(b)) => *first_of
                    .entry((a, b, unit.inventory.get(), unit.max_guests.get()))
                    .or_insert(i),
                _ => i,
            },
        )
        .collect()
}

fn add(a: Money, b: Money) -> Money {
    if a.currency == b.currency {
        Money::new(a.amount_minor.saturating_add(b.amount_minor), a.currency)
    } else {
        a
    }
}

fn difference(a: Money, b: Money) -> Option<Money> {
    (a.currency == b.currency)
        .then(|| Money::new(a.amount_minor.saturating_sub(b.amount_minor), a.currency))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The probes of the replay: one per reservation, in the reservations' order.
/// Reservations of units not in `units` are left out.
fn replay_probes<'a>(
    policies: [&dyn Policy; 2],
    units: &HashMap<UnitId, &'a Unit>,
    reservations: &'a [Reservation],
) -> Vec<(&'a Reservation, Probe<'a>)> {
    let bases = policies.map(|p| p.occupancy_basis());
    reservations
        .iter()
        .filter_map(|r| {
            let unit = *units.get(&r.unit_id)?;
            let probe = Probe {
                unit,
                periods: bases.map(|basis| period_of(r, basis)),
                party: crate::policy::party_of(r),
                now: r.created_at,
            };
            Some((r, probe))
        })
        .collect()
}

/// The probes of the quote sample: (unit index, date, probe) for each
/// group's representative among the active `units`.
fn sample_probes<'a>(
    policies: [&dyn Policy; 2],
    tenant: &Tenant,
    units: &[&'a Unit],
    groups: &[usize],
    now: DateTime<Utc>,
) -> Vec<(usize, NaiveDate, Probe<'a>)> {
    let dates = sample_dates(tenant, now);
    let mut probes = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        if groups[i] != i {
            continue;
        }
        for (date, period, party) in sample_requests(policies, tenant, unit, &dates, now) {
            probes.push((
                i,
                date,
                Probe {
                    unit,
                    periods: [period.clone(), period],
                    party,
                    now,
                },
            ));
        }
    }
    probes
}

/// The plan of `candidate` against `live` over `input`. Pure: reads nothing
/// but its arguments; CPU-bound (run it off the async executor).
pub fn plan(
    live: &dyn Policy,
    candidate: &dyn Policy,
    input: PlanInput<'_>,
) -> Result<PolicyPlan, EngineError> {
    let policies: [&dyn Policy; 2] = [live, candidate];
    let tenant = input.tenant;
    let currency = tenant.currency;
    let zero = Money::zero(currency);
    let by_id: HashMap<UnitId, &Unit> = input.units.iter().map(|u| (u.id, u)).collect();
    let active: Vec<&Unit> = input.units.iter().filter(|u| !u.archived).collect();
    let groups = unit_groups(policies, &active);

    // Every evaluation in one parallel pass: the replay, then the sample.
    let replay = replay_probes(policies, &by_id, input.reservations);
    let sample = sample_probes(policies, tenant, &active, &groups, input.now);
    let probes: Vec<Probe<'_>> = replay
        .iter()
        .map(|(_, p)| p.clone())
        .chain(sample.iter().map(|(_, _, p)| p.clone()))
        .collect();
    let outcomes = run_all(&probes, |probe| {
        [
            judge(live, tenant, probe, 0),
            judge(candidate, tenant, probe, 1),
        ]
    })?;
    let (replayed, sampled) = outcomes.split_at(replay.len());

    let mut summary = PlanSummary {
        reservations_replayed: count(replay.len()),
        reservations_newly_refused: 0,
        reservations_newly_accepted: 0,
        reservations_repriced: 0,
        reservations_refused_differently: 0,
        reservations_price_difference: zero,
        quotes_sampled: 0,
        quotes_newly_refused: 0,
        quotes_newly_accepted: 0,
        quotes_repriced: 0,
        dates_newly_closed: 0,
        dates_newly_opened: 0,
        quoted_revenue_live: zero,
        quoted_revenue_candidate: zero,
        quoted_revenue_difference: zero,
    };

    let mut reservations = Vec::new();
    for ((r, probe), [was, will]) in replay.iter().zip(replayed) {
        let Some(change) = was.change_to(will) else {
            continue;
        };
        match change {
            Change::NewlyRefused => summary.reservations_newly_refused += 1,
            Change::NewlyAccepted => summary.reservations_newly_accepted += 1,
            Change::Repriced => summary.reservations_repriced += 1,
            Change::RefusedDifferently => summary.reservations_refused_differently += 1,
        }
        let stored_price = r.price.as_ref().map(|p| p.total);
        let candidate_price = will.price();
        let diff = match (candidate_price, stored_price) {
            (Some(c), Some(s)) => difference(c, s),
            _ => None,
        };
        if let Some(d) = diff {
            summary.reservations_price_difference = add(summary.reservations_price_difference, d);
        }
        reservations.push(ReservationChange {
            reservation_id: r.id,
            unit_id: r.unit_id,
            unit_name: probe.unit.name.clone(),
            state: r.state,
            start: r.period.start(),
            end: r.period.end(),
            check_in: r.check_in,
            check_out: r.check_out,
            guests: r.guests.get(),
            quantity: r.quantity.get(),
            change,
            violations: match will {
                Outcome::Refused(v) => v.clone(),
                Outcome::Accepted(_) => Vec::new(),
            },
            stored_price,
            live_price: was.price(),
            candidate_price,
            difference: diff,
        });
    }
    reservations.sort_by_key(|c| (c.start, c.reservation_id));

    // The sample, per representative: then copied to every unit of its group.
    #[derive(Clone, Default)]
    struct Tally {
        sampled: u32,
        newly_refused: u32,
        newly_accepted: u32,
        repriced: u32,
        /// Per date: open under live, open under the candidate.
        open: BTreeMap<NaiveDate, (bool, bool)>,
        /// Per month of arrival: live and candidate revenue in minor units.
        months: BTreeMap<(i32, u32), (i64, i64)>,
    }
    let mut tallies: HashMap<usize, Tally> = HashMap::new();
    for ((unit, date, _), [was, will]) in sample.iter().zip(sampled) {
        let tally = tallies.entry(*unit).or_default();
        tally.sampled += 1;
        match was.change_to(will) {
            Some(Change::NewlyRefused) => tally.newly_refused += 1,
            Some(Change::NewlyAccepted) => tally.newly_accepted += 1,
            Some(Change::Repriced) => tally.repriced += 1,
            Some(Change::RefusedDifferently) | None => {}
        }
        let open = tally.open.entry(*date).or_default();
        open.0 |= was.accepted();
        open.1 |= will.accepted();
        let month = tally.months.entry((date.year(), date.month())).or_default();
        month.0 = month
            .0
            .saturating_add(was.price().map_or(0, |m| m.amount_minor));
        month.1 = month
            .1
            .saturating_add(will.price().map_or(0, |m| m.amount_minor));
    }

    let mut units = Vec::new();
    for (i, unit) in active.iter().enumerate() {
        let Some(tally) = tallies.get(&groups[i]) else {
            continue;
        };
        summary.quotes_sampled += tally.sampled;
        summary.quotes_newly_refused += tally.newly_refused;
        summary.quotes_newly_accepted += tally.newly_accepted;
        summary.quotes_repriced += tally.repriced;
        let closed: Vec<NaiveDate> = tally
            .open
            .iter()
            .filter(|(_, (was, will))| *was && !*will)
            .map(|(d, _)| *d)
            .collect();
        let opened: Vec<NaiveDate> = tally
            .open
            .iter()
            .filter(|(_, (was, will))| !*was && *will)
            .map(|(d, _)| *d)
            .collect();
        summary.dates_newly_closed += count(closed.len());
        summary.dates_newly_opened += count(opened.len());
        let mut months = Vec::new();
        for (&(year, month), &(was, will)) in &tally.months {
            summary.quoted_revenue_live =
                add(summary.quoted_revenue_live, Money::new(was, currency));
            summary.quoted_revenue_candidate =
                add(summary.quoted_revenue_candidate, Money::new(will, currency));
            if was != will {
                months.push(MonthRevenue {
                    month: format!("{year:04}-{month:02}"),
                    live: Money::new(was, currency),
                    candidate: Money::new(will, currency),
                    difference: Money::new(will.saturating_sub(was), currency),
                });
            }
        }
        let changed = tally.newly_refused + tally.newly_accepted + tally.repriced > 0
            || !closed.is_empty()
            || !opened.is_empty()
            || !months.is_empty();
        if changed {
            units.push(UnitChange {
                unit_id: unit.id,
                unit_name: unit.name.clone(),
                quotes_sampled: tally.sampled,
                quotes_newly_refused: tally.newly_refused,
                quotes_newly_accepted: tally.newly_accepted,
                quotes_repriced: tally.repriced,
                dates_newly_closed: closed,
                dates_newly_opened: opened,
                months,
            });
        }
    }
    units.sort_by(|a, b| {
        a.unit_name
            .cmp(&b.unit_name)
            .then(a.unit_id.cmp(&b.unit_id))
    });
    summary.quoted_revenue_difference = difference(
        summary.quoted_revenue_candidate,
        summary.quoted_revenue_live,
    )
    .unwrap_or(zero);

    Ok(PolicyPlan {
        tenant: tenant.slug.as_str().to_owned(),
        currency,
        planned_at: input.now,
        sample_from: sample_dates(tenant, input.now)
            .first()
            .copied()
            .unwrap_or_default(),
        sample_days: SAMPLE_DAYS,
        summary,
        reservations,
        units,
    })
}

/// The same evaluations as [`plan`], under `policy` alone: how many of the
/// replayed reservations and of the sample requests it accepts. The baseline
/// the plan's benchmark is measured against.
pub fn accepted_under(
    policy: &dyn Policy,
    input: PlanInput<'_>,
) -> Result<(u32, u32), EngineError> {
    let policies = [policy, policy];
    let by_id: HashMap<UnitId, &Unit> = input.units.iter().map(|u| (u.id, u)).collect();
    let active: Vec<&Unit> = input.units.iter().filter(|u| !u.archived).collect();
    let groups = unit_groups(policies, &active);
    let replay = replay_probes(policies, &by_id, input.reservations);
    let sample = sample_probes(policies, input.tenant, &active, &groups, input.now);
    let probes: Vec<Probe<'_>> = replay
        .iter()
        .map(|(_, p)| p.clone())
        .chain(sample.iter().map(|(_, _, p)| p.clone()))
        .collect();
    let accepted = run_all(&probes, |probe| {
        judge(policy, input.tenant, probe, 0).accepted()
    })?;
    let (replayed, sampled) = accepted.split_at(replay.len());
    let yes = |v: &[bool]| count(v.iter().filter(|a| **a).count());
    Ok((yes(replayed), yes(sampled)))
}

/// How many reservations one read fetches.
const PAGE: u32 = 1_000;

/// The data a plan is made over, read from the store ([`crate::Engine::plan_data`]).
#[derive(Clone, Debug)]
pub struct PlanData {
    /// The tenant.
    pub tenant: Tenant,
    /// All its units, archived ones included.
    pub units: Vec<Unit>,
    /// Its `held` and `confirmed` reservations starting at or after `now`.
    pub reservations: Vec<Reservation>,
    /// The clock's now when they were read.
    pub now: DateTime<Utc>,
}

impl PlanData {
    /// The plan's view of it.
    pub fn input(&self) -> PlanInput<'_> {
        PlanInput {
            tenant: &self.tenant,
            units: &self.units,
            reservations: &self.reservations,
            now: self.now,
        }
    }
}

impl crate::Engine {
    /// What a plan of the tenant's policy is made over: its units and its
    /// active reservations starting at or after now (existing reads only).
    pub async fn plan_data(&self, tenant_id: TenantId) -> Result<PlanData, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let units = self.store.units(tenant_id, true).await?;
        let now = self.clock.now();
        let reservations = self.future_reservations(tenant_id, now).await?;
        Ok(PlanData {
            tenant,
            units,
            reservations,
            now,
        })
    }

    /// The plan of `candidate` against `live` over the tenant's units and its
    /// active reservations starting at or after now. Reads only; writes
    /// nothing.
    pub async fn plan_policy(
        &self,
        tenant_id: TenantId,
        live: std::sync::Arc<dyn Policy>,
        candidate: std::sync::Arc<dyn Policy>,
    ) -> Result<PolicyPlan, EngineError> {
        let data = self.plan_data(tenant_id).await?;
        tokio::task::spawn_blocking(move || plan(&*live, &*candidate, data.input()))
            .await
            .map_err(|e| EngineError::Crashed(format!("policy plan: {e}")))?
    }

    /// The plan of a candidate given as the files of a tenant directory
    /// (compiled and tested by the policy provider: a candidate that does not
    /// load or fails its tests is INVALID_INPUT with the diagnostics) against
    /// the tenant's live policy.
    pub async fn plan_candidate(
        &self,
        tenant_id: TenantId,
        files: Vec<crate::policy::PolicyFile>,
    ) -> Result<PolicyPlan, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let live = self.policies.policy(&tenant)?;
        let candidate = self
            .on_candidate(tenant, move |p, t| p.candidate(t, &files))
            .await?;
        self.plan_policy(tenant_id, live, candidate).await
    }

    /// The tenant's `held` and `confirmed` reservations starting at or after
    /// `now`, read a page at a time.
    async fn future_reservations(
        &self,
        tenant_id: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Reservation>, EngineError> {
        // Far enough for any booking horizon, near enough for every database.
        let far = now + Duration::days(365 * 100);
        let window = crate::time_range::TimeRange::new(now, far)?;
        let mut filter = ReservationFilter {
            states: vec![ReservationState::Held, ReservationState::Confirmed],
            overlapping: Some(window),
            limit: Some(PAGE),
            ..ReservationFilter::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self.store.reservations(tenant_id, &filter).await?;
            let full = page.len() == PAGE as usize;
            filter.after = page.last().map(|r| r.id);
            out.extend(page.into_iter().filter(|r| r.period.start() >= now));
            if !full {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The samples of the hour-based models, over in-memory data: a tour with
    //! slots at 09:00 and 14:00 and a rental open 09:00–19:00 (Europe/Oslo),
    //! from Wednesday 2026-11-04 on, with no reservations. The nightly sample
    //! is tested over real rows in core/tests/conformance/plan.rs.

    use chrono::{NaiveTime, Weekday};

    use super::*;
    use crate::local_time::local_instant;
    use crate::money::Price;
    use crate::policy::{PolicyError, ResolvedPeriod};
    use crate::quantity::Inventory;
    use crate::time_range::TimeRange;

    fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
        local_instant(
            chrono_tz::Europe::Oslo,
            date,
            NaiveTime::from_hms_opt(hour, 0, 0).unwrap(),
        )
    }

    fn price(ctx: &PolicyContext<'_>, amount: i64) -> Result<Price, PolicyError> {
        let total = Money::new(amount, ctx.tenant.currency);
        Ok(Price {
            lines: Vec::new(),
            total,
        })
    }

    /// Three-hour tours at the given hours, every day but `closed`;
    /// `seat` minor units a seat.
    #[derive(Debug)]
    struct Tours {
        hours: Vec<u32>,
        closed: Option<Weekday>,
        seat: i64,
    }

    impl Policy for Tours {
        fn resolve_period(
            &self,
            ctx: &PolicyContext<'_>,
            period: &PeriodRequest,
        ) -> Result<ResolvedPeriod, PolicyError> {
            let PeriodRequest::Slot { start } = period else {
                return Err(PolicyError::InvalidPeriod(
                    "tours are booked by slot".into(),
                ));
            };
            let date = local_date(ctx.tenant.timezone, *start);
            let slot = self
                .slots(ctx, date)?
                .into_iter()
                .find(|s| s.start() == *start)
                .ok_or_else(|| PolicyError::InvalidPeriod("no tour starts then".into()))?;
            Ok(ResolvedPeriod {
                period: slot,
                occupied: slot,
                check_in: None,
                check_out: None,
            })
        }

        fn validate(
            &self,
            _: &PolicyContext<'_>,
            _: &Party,
            _: &ResolvedPeriod,
        ) -> Result<Vec<Violation>, PolicyError> {
            Ok(Vec::new())
        }

        fn price(
            &self,
            ctx: &PolicyContext<'_>,
            party: &Party,
            _: &ResolvedPeriod,
        ) -> Result<Price, PolicyError> {
            price(ctx, self.seat * i64::from(party.quantity.get()))
        }

        fn slots(
            &self,
            _: &PolicyContext<'_>,
            date: NaiveDate,
        ) -> Result<Vec<TimeRange>, PolicyError> {
            if Some(date.weekday()) == self.closed {
                return Ok(Vec::new());
            }
            Ok(self
                .hours
                .iter()
                .filter_map(|&h| TimeRange::new(at(date, h), at(date, h + 3)).ok())
                .collect())
        }

        fn occupancy_basis(&self) -> OccupancyBasis {
            OccupancyBasis::SeatHours
        }
    }

    /// Rentals within the opening hours `open`–`close` of their day, at
    /// 1,000 minor units an hour.
    #[derive(Debug)]
    struct Rentals {
        close: u32,
    }

    impl Policy for Rentals {
        fn resolve_period(
            &self,
            _: &PolicyContext<'_>,
            period: &PeriodRequest,
        ) -> Result<ResolvedPeriod, PolicyError> {
            let PeriodRequest::Interval { start, end } = period else {
                return Err(PolicyError::InvalidPeriod(
                    "rentals have a start and end".into(),
                ));
            };
            let range = TimeRange::new(*start, *end)
                .map_err(|e| PolicyError::InvalidPeriod(e.to_string()))?;
            Ok(ResolvedPeriod {
                period: range,
                occupied: range,
                check_in: None,
                check_out: None,
            })
        }

        fn validate(
            &self,
            ctx: &PolicyContext<'_>,
            _: &Party,
            resolved: &ResolvedPeriod,
        ) -> Result<Vec<Violation>, PolicyError> {
            let date = local_date(ctx.tenant.timezone, resolved.period.start());
            let inside = self
                .open_periods(ctx.tenant, date)?
                .iter()
                .any(|o| o.start() <= resolved.period.start() && resolved.period.end() <= o.end());
            Ok(if inside {
                Vec::new()
            } else {
                vec![Violation::new("closed", "outside the opening hours")]
            })
        }

        fn price(
            &self,
            ctx: &PolicyContext<'_>,
            _: &Party,
            resolved: &ResolvedPeriod,
        ) -> Result<Price, PolicyError> {
            price(ctx, 1_000 * resolved.period.duration().num_hours())
        }

        fn open_periods(&self, _: &Tenant, date: NaiveDate) -> Result<Vec<TimeRange>, PolicyError> {
            Ok(TimeRange::new(at(date, 9), at(date, self.close))
                .into_iter()
                .collect())
        }

        fn occupancy_basis(&self) -> OccupancyBasis {
            OccupancyBasis::ItemHours
        }
    }

    fn tenant() -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: "plan-test".parse().unwrap(),
            name: "T".into(),
            timezone: chrono_tz::Europe::Oslo,
            currency: "NOK".parse().unwrap(),
            locale: "nb-NO".into(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    fn unit(tenant: &Tenant, inventory: i64, max_guests: i64) -> Unit {
        Unit {
            id: UnitId::new(),
            tenant_id: tenant.id,
            name: "U".into(),
            kind: None,
            inventory: Inventory::new(inventory).unwrap(),
            max_guests: Guests::new(max_guests).unwrap(),
            description: None,
            amenities: Vec::new(),
            images: Vec::new(),
            attributes: serde_json::Value::Null,
            archived: false,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-04T06:00:00Z".parse().unwrap()
    }

    fn plan_of(live: &dyn Policy, candidate: &dyn Policy, units: &[Unit]) -> PolicyPlan {
        let tenant = tenant();
        let input = PlanInput {
            tenant: &tenant,
            units,
            reservations: &[],
            now: now(),
        };
        plan(live, candidate, input).unwrap()
    }

    #[test]
    fn the_timeslot_sample_asks_every_slot_of_either_version_for_one_two_and_four_seats() {
        let t = tenant();
        // 3 seats: parties of 1 and 2 seats only.
        let units = [unit(&t, 3, 1)];
        let live = Tours {
            hours: vec![9, 14],
            closed: None,
            seat: 5_000,
        };
        // The afternoon tour moves to 15:00, and Mondays close.
        let candidate = Tours {
            hours: vec![9, 15],
            closed: Some(Weekday::Mon),
            seat: 5_000,
        };
        let plan = plan_of(&live, &candidate, &units);
        let s = &plan.summary;
        // 77 days × 3 starts (9, 14, 15) and 13 Mondays × 2 (the live
        // version's), × 2 parties.
        assert_eq!(s.quotes_sampled, (77 * 3 + 13 * 2) * 2);
        // 13 Mondays from Nov 4 (Nov 9 … Jan 25, Feb 1): 9:00 and 14:00 lost;
        // on other days 14:00 is lost and 15:00 gained.
        assert_eq!(s.dates_newly_closed, 13);
        assert_eq!(
            plan.units[0]
                .dates_newly_closed
                .first()
                .map(ToString::to_string),
            Some("2026-11-09".to_owned())
        );
        assert_eq!(s.quotes_newly_refused, (13 * 2 + 77) * 2);
        assert_eq!(s.quotes_newly_accepted, 77 * 2);
        // Per party of 1 and 2 seats: 15,000 per slot; 13 × 2 slots lost.
        assert_eq!(s.quoted_revenue_difference.amount_minor, -(13 * 2 * 15_000));
        assert_eq!(s.quoted_revenue_live.amount_minor, 90 * 2 * 15_000);
    }

    #[test]
    fn the_interval_sample_starts_every_hour_of_the_opening_hours_for_one_two_and_four_hours() {
        let t = tenant();
        let units = [unit(&t, 4, 2), unit(&t, 4, 2)];
        // Closing at 17:00 instead of 19:00.
        let plan = plan_of(&Rentals { close: 19 }, &Rentals { close: 17 }, &units);
        let s = &plan.summary;
        // Starts 9..18 (10 a day) × 3 lengths, for both units.
        assert_eq!(s.quotes_sampled, 2 * 90 * 10 * 3);
        // Live accepts 10 + 9 + 7 a day, the candidate 8 + 7 + 5.
        assert_eq!(s.quotes_newly_refused, 2 * 90 * 6);
        assert_eq!(s.dates_newly_closed, 0);
        // Lost: 1 h × 2 + 2 h × 2 + 4 h × 2 = 14 hours a day at 1,000.
        assert_eq!(s.quoted_revenue_difference.amount_minor, -(2 * 90 * 14_000));
        assert_eq!(plan.units.len(), 2);
        assert_eq!(plan.units[0].months[0].month, "2026-11");
    }

    #[test]
    fn the_same_rules_plan_nothing() {
        let t = tenant();
        let units = [unit(&t, 4, 2)];
        let rentals = Rentals { close: 19 };
        let plan = plan_of(&rentals, &rentals, &units);
        assert!(plan.is_empty());
        assert_eq!(plan.summary.quotes_sampled, 90 * 10 * 3);
        assert_eq!(plan.summary.quoted_revenue_difference.amount_minor, 0);
    }

    #[test]
    fn a_summary_reads_back_from_its_json() {
        let t = tenant();
        let units = [unit(&t, 4, 2)];
        let plan = plan_of(&Rentals { close: 19 }, &Rentals { close: 17 }, &units);
        let json = serde_json::to_string(&plan.summary).unwrap();
        let back: PlanSummary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan.summary);
    }

    #[test]
    fn changes_are_named_against_the_live_answer() {
        let eur = "EUR".parse().unwrap();
        let ok = |a| Outcome::Accepted(Money::new(a, eur));
        let no = |code: &str| Outcome::Refused(vec![Violation::new(code, code)]);
        assert_eq!(ok(1).change_to(&ok(1)), None);
        assert_eq!(ok(1).change_to(&ok(2)), Some(Change::Repriced));
        assert_eq!(ok(1).change_to(&no("x")), Some(Change::NewlyRefused));
        assert_eq!(no("x").change_to(&ok(1)), Some(Change::NewlyAccepted));
        assert_eq!(no("x").change_to(&no("x")), None);
        assert_eq!(
            no("x").change_to(&no("y")),
            Some(Change::RefusedDifferently)
        );
    }
}
