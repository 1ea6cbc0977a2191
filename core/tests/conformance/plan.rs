//! The policy plan on both stores, over real rows: a table of candidates —
//! the live rules unchanged, a raised nightly rate, a Christmas season surcharge,
//! Friday closed to arrival, a minimum stay of three nights — each planned
//! against the nightly test policy
//! over the same reservations, with every figure computed by hand below.
//!
//! The world: the clock at Wednesday 2026-11-04 09:00 UTC (Oslo: 10:00), so the
//! sample covers 2026-11-04 to 2027-02-01 (90 dates, 13 of them Fridays: Nov 6,
//! 13, 20, 27, Dec 4, 11, 18, 25, Jan 1, 8, 15, 22, 29). Units "Cabin" (4
//! guests) and "Lodge" (6 guests): each sampled for 1, 2, 3 and 7 nights by 2
//! guests and by its full count — 90 × 4 × 2 = 720 requests a unit. Live rates:
//! 1000.00 a night plus 250.00 a stay (minor units: 100,000 and 25,000).
//! Future reservations, booked on 2026-11-02: Cabin Tue Nov 10–13 (325,000),
//! Cabin Sat Nov 14–16 (225,000), Lodge Fri Nov 20–27 (725,000), Cabin Tue Dec
//! 22–25 (325,000). Not replayed:
//! a canceled Lodge stay, a Cabin stay that started on Nov 3, and another
//! tenant's stay.

use std::sync::Arc;

use berth_core::money::{Money, Price, PriceLine};
use berth_core::plan::{Change, PolicyPlan};
use berth_core::policy::{
    Party, PeriodRequest, Policy, PolicyContext, PolicyError, ResolvedPeriod, Violation,
};
use berth_core::state::StateAction;
use chrono::{Datelike, Duration, Weekday};

use crate::support::nightly::NightlyTestPolicy;
use crate::support::{self, Backend, staff, stay};

on_both_stores!(a_plan_shows_what_each_candidate_changes);

/// The nightly test policy with a different rate, a closed arrival weekday, a
/// minimum stay, or a surcharge per night of the Christmas season (the nights
/// of 2026-12-20 to 2027-01-05).
#[derive(Debug)]
struct Candidate {
    inner: NightlyTestPolicy,
    closed_to_arrival: Option<Weekday>,
    min_nights: i64,
    season_surcharge: i64,
}

impl Candidate {
    fn live() -> Self {
        Self {
            inner: NightlyTestPolicy::default(),
            closed_to_arrival: None,
            min_nights: 1,
            season_surcharge: 0,
        }
    }
}

impl Policy for Candidate {
    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        self.inner.resolve_period(ctx, period)
    }

    fn validate(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        let mut violations = self.inner.validate(ctx, party, resolved)?;
        if let (Some(a), Some(b)) = (resolved.check_in, resolved.check_out) {
            if Some(a.weekday()) == self.closed_to_arrival {
                violations.push(Violation::new("closed_to_arrival", "no arrivals that day"));
            }
            if (b - a).num_days() < self.min_nights {
                violations.push(Violation::new(
                    "min_nights",
                    format!("at least {} nights", self.min_nights),
                ));
            }
        }
        Ok(violations)
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        let price = self.inner.price(ctx, party, resolved)?;
        let (Some(a), Some(b)) = (resolved.check_in, resolved.check_out) else {
            return Ok(price);
        };
        let (from, to) = (support::date("2026-12-20"), support::date("2027-01-05"));
        let nights = a
            .iter_days()
            .take_while(|d| *d < b)
            .filter(|d| (from..=to).contains(d));
        let surcharge = self.season_surcharge * i64::try_from(nights.count()).unwrap();
        if surcharge == 0 {
            return Ok(price);
        }
        let mut lines = price.lines;
        lines.push(PriceLine {
            kind: "season".into(),
            label: "Christmas".into(),
            amount: Money::new(surcharge, ctx.tenant.currency),
        });
        Price::from_lines(ctx.tenant.currency, lines)
            .map_err(|e| PolicyError::Failed(e.to_string()))
    }
}

/// One row of the table: a candidate and what its plan must say.
struct Case {
    name: &'static str,
    candidate: Candidate,
    /// (unit, check-in, change, candidate minus stored) per listed reservation.
    reservations: &'static [(&'static str, &'static str, Change, Option<i64>)],
    /// Summed differences of the listed reservations.
    price_difference: i64,
    /// (newly refused, repriced) sample requests, over both units.
    quotes: (u32, u32),
    /// Newly closed dates over both units, and the first of them.
    closed: (u32, Option<&'static str>),
    /// Candidate minus live quoted revenue.
    revenue_difference: i64,
    /// The difference in November for the Cabin, if listed.
    cabin_november: Option<i64>,
}

/// The live sample revenue of one unit: 90 dates × 2 parties × (13 nights ×
/// 100,000 + 4 stays × 25,000) = 252,000,000.
const LIVE_REVENUE_PER_UNIT: i64 = 90 * 2 * (13 * 100_000 + 4 * 25_000);

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "the live rules, unchanged",
            candidate: Candidate::live(),
            reservations: &[],
            price_difference: 0,
            quotes: (0, 0),
            closed: (0, None),
            revenue_difference: 0,
            cabin_november: None,
        },
        Case {
            // 1200.00 a night: +20,000 a night on every stay and quote.
            name: "a raised nightly rate",
            candidate: Candidate {
                inner: NightlyTestPolicy {
                    nightly_rate_minor: 120_000,
                    ..NightlyTestPolicy::default()
                },
                ..Candidate::live()
            },
            reservations: &[
                ("Cabin", "2026-11-10", Change::Repriced, Some(60_000)),
                ("Cabin", "2026-11-14", Change::Repriced, Some(40_000)),
                ("Lodge", "2026-11-20", Change::Repriced, Some(140_000)),
                ("Cabin", "2026-12-22", Change::Repriced, Some(60_000)),
            ],
            price_difference: 300_000,
            // Every sample request is repriced: 2 × 720.
            quotes: (0, 1_440),
            closed: (0, None),
            // 2 units × 90 dates × 2 parties × 13 nights × 20,000.
            revenue_difference: 2 * 90 * 2 * 13 * 20_000,
            // November 4–30: 27 dates × 2 parties × 13 nights × 20,000.
            cabin_november: Some(27 * 2 * 13 * 20_000),
        },
        Case {
            // 100.00 more a night from Dec 20 to Jan 5 (17 nights). Each
            // season night lies in 1 + 2 + 3 + 7 = 13 of the sampled stays
            // (by length) of each party; the stays touching the season: 17 +
            // L − 1 arrivals for length L, 17 + 18 + 19 + 23 = 77 a party.
            name: "a Christmas season surcharge",
            candidate: Candidate {
                season_surcharge: 10_000,
                ..Candidate::live()
            },
            reservations: &[("Cabin", "2026-12-22", Change::Repriced, Some(30_000))],
            price_difference: 30_000,
            quotes: (0, 2 * 77 * 2),
            closed: (0, None),
            revenue_difference: 2 * 17 * 13 * 2 * 10_000,
            cabin_november: None,
        },
        Case {
            name: "Friday closed to arrival",
            candidate: Candidate {
                closed_to_arrival: Some(Weekday::Fri),
                ..Candidate::live()
            },
            reservations: &[("Lodge", "2026-11-20", Change::NewlyRefused, None)],
            price_difference: 0,
            // 13 Fridays × 4 lengths × 2 parties, for 2 units.
            quotes: (2 * 13 * 8, 0),
            closed: (2 * 13, Some("2026-11-06")),
            // Each Friday loses 2 parties × (13 nights × 100,000 + 4 × 25,000).
            revenue_difference: -(2 * 13 * 2 * (13 * 100_000 + 4 * 25_000)),
            // November has 4 Fridays.
            cabin_november: Some(-(4 * 2 * (13 * 100_000 + 4 * 25_000))),
        },
        Case {
            name: "a minimum stay of three nights",
            candidate: Candidate {
                min_nights: 3,
                ..Candidate::live()
            },
            reservations: &[("Cabin", "2026-11-14", Change::NewlyRefused, None)],
            price_difference: 0,
            // 1- and 2-night requests: 90 × 2 × 2 a unit.
            quotes: (2 * 90 * 2 * 2, 0),
            closed: (0, None),
            // Each date loses 2 parties × (3 nights × 100,000 + 2 × 25,000).
            revenue_difference: -(2 * 90 * 2 * (3 * 100_000 + 2 * 25_000)),
            cabin_november: Some(-(27 * 2 * (3 * 100_000 + 2 * 25_000))),
        },
    ]
}

async fn a_plan_shows_what_each_candidate_changes(backend: Backend) {
    let world = support::world(backend).await;
    let (engine, store, tenant, clock) = world.parts();
    let cabin = support::unit(&*store, &tenant, "Cabin", 1, 4).await;
    let lodge = support::unit(&*store, &tenant, "Lodge", 1, 6).await;
    let book = |unit, a: &'static str, b: &'static str| {
        let engine = engine.clone();
        let tenant = tenant.id;
        async move {
            engine
                .create_reservation(tenant, stay(unit, a, b), &staff())
                .await
                .unwrap()
        }
    };
    // Booked on Monday 2026-11-02.
    book(cabin.id, "2026-11-03", "2026-11-05").await;
    book(cabin.id, "2026-11-10", "2026-11-13").await;
    book(cabin.id, "2026-11-14", "2026-11-16").await;
    book(lodge.id, "2026-11-20", "2026-11-27").await;
    book(cabin.id, "2026-12-22", "2026-12-25").await;
    let canceled = book(lodge.id, "2026-12-01", "2026-12-03").await;
    engine
        .transition(
            tenant.id,
            canceled.id,
            StateAction::Cancel,
            None,
            serde_json::Value::Null,
            &staff(),
        )
        .await
        .unwrap();
    let other = support::tenant(&*store, "harbor-hotel").await;
    let elsewhere = support::unit(&*store, &other, "Room", 1, 2).await;
    engine
        .create_reservation(
            other.id,
            stay(elsewhere.id, "2026-11-20", "2026-11-21"),
            &staff(),
        )
        .await
        .unwrap();
    clock.advance(Duration::days(2));

    let live: Arc<dyn Policy> = Arc::new(Candidate::live());
    for case in cases() {
        let name = case.name;
        let plan: PolicyPlan = engine
            .plan_policy(tenant.id, live.clone(), Arc::new(case.candidate))
            .await
            .unwrap();
        let nok = |amount| Money::new(amount, tenant.currency);
        let s = &plan.summary;
        assert_eq!(plan.tenant, "alpine-cabins", "{name}");
        assert_eq!(plan.sample_from, support::date("2026-11-04"), "{name}");
        assert_eq!(
            s.reservations_replayed, 4,
            "{name}: future, active, this tenant's"
        );
        assert_eq!(s.quotes_sampled, 2 * 720, "{name}");
        let listed: Vec<(&str, String, Change, Option<i64>)> = plan
            .reservations
            .iter()
            .map(|r| {
                (
                    r.unit_name.as_str(),
                    r.check_in.unwrap().to_string(),
                    r.change,
                    r.difference.map(|d| d.amount_minor),
                )
            })
            .collect();
        let expected: Vec<(&str, String, Change, Option<i64>)> = case
            .reservations
            .iter()
            .map(|&(u, d, c, diff)| (u, d.to_owned(), c, diff))
            .collect();
        assert_eq!(listed, expected, "{name}");
        for r in &plan.reservations {
            match r.change {
                Change::NewlyRefused => {
                    assert!(
                        r.candidate_price.is_none() && !r.violations.is_empty(),
                        "{name}"
                    );
                    assert_eq!(
                        r.live_price, r.stored_price,
                        "{name}: the live price is today's"
                    );
                }
                _ => assert!(r.violations.is_empty(), "{name}"),
            }
        }
        assert_eq!(
            s.reservations_price_difference,
            nok(case.price_difference),
            "{name}"
        );
        assert_eq!(
            (s.quotes_newly_refused, s.quotes_repriced),
            case.quotes,
            "{name}"
        );
        assert_eq!(s.quotes_newly_accepted, 0, "{name}");
        assert_eq!(s.dates_newly_closed, case.closed.0, "{name}");
        assert_eq!(s.dates_newly_opened, 0, "{name}");
        let first_closed = plan
            .units
            .iter()
            .find_map(|u| u.dates_newly_closed.first())
            .map(ToString::to_string);
        assert_eq!(first_closed.as_deref(), case.closed.1, "{name}");
        assert_eq!(
            s.quoted_revenue_live,
            nok(2 * LIVE_REVENUE_PER_UNIT),
            "{name}"
        );
        assert_eq!(
            s.quoted_revenue_difference,
            nok(case.revenue_difference),
            "{name}"
        );
        assert_eq!(
            s.quoted_revenue_candidate.amount_minor - s.quoted_revenue_live.amount_minor,
            case.revenue_difference,
            "{name}"
        );
        let cabin_november = plan
            .units
            .iter()
            .find(|u| u.unit_id == cabin.id)
            .and_then(|u| u.months.iter().find(|m| m.month == "2026-11"))
            .map(|m| m.difference.amount_minor);
        assert_eq!(cabin_november, case.cabin_november, "{name}");
        // The months add up to the unit's share of the difference.
        let months_total: i64 = plan
            .units
            .iter()
            .flat_map(|u| &u.months)
            .map(|m| m.difference.amount_minor)
            .sum();
        assert_eq!(months_total, case.revenue_difference, "{name}");
        assert_eq!(plan.is_empty(), case.revenue_difference == 0, "{name}");
    }
}
