//! The catalog's "from" price per unit (docs/decisions/0089): the lowest
//! total the engine quotes for a typical short request in the coming days,
//! shown with that request (`from CHF 612.50 · 2 nights, 2 guests`) and
//! linking to the estimator filled with it.
//!
//! - nightly: stays of 1 night, else 2, 3, then 7 (the shortest the rules
//!   accept), arriving on each of the next 14 days, for two guests (or the
//!   unit's maximum when smaller);
//! - timeslot: one guest on each departure of the next 7 days;
//! - interval: one guest for two hours from 10:00 on each of the next 7 days.
//!
//! Each date is one `Engine::availability` call (every unit at once, one
//! occupancy query). Units for which nothing is available get no price: the
//! card says nothing rather than a price nobody can book. The prices are kept
//! until anything they depend on changes (`price_cache.rs`).

use std::collections::HashMap;

use berth_core::engine::AvailabilityRequest;
use berth_core::ids::UnitId;
use berth_core::money::Money;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Quantity};
use berth_core::unit::Unit;
use chrono::{Duration, NaiveTime};
use serde::Serialize;

use super::estimate;
use super::i18n::fill;
use super::price_cache::{self, Stamp};
use super::view::{Ctx, Model};
use crate::http::AppState;

/// Nightly stay lengths tried, shortest first.
const NIGHTS: [u32; 4] = [1, 2, 3, 7];
/// Arrival days looked at for nightly units.
const NIGHTLY_DAYS: i64 = 14;
/// Days looked at for slots and rentals.
const HOURLY_DAYS: i64 = 7;
/// The rental asked for on interval units, in minutes.
const RENTAL_MINUTES: u32 = 120;

/// A "from" price and the request it is for.
#[derive(Clone, Debug, Serialize)]
pub struct FromPrice {
    /// `CHF 612.50`.
    pub amount: String,
    /// `2 nights, 2 guests`.
    pub basis: String,
    /// The estimator's query for that request (`checkIn=…&nights=2&guests=2`).
    pub query: String,
    /// The lowest total, for JSON-LD's `priceRange` and offers.
    #[serde(skip)]
    pub money: Option<Money>,
}

/// A typical request of the tenant's model, and the lowest quote per unit.
#[derive(Clone, Debug)]
struct Candidate {
    money: Money,
    fields: estimate::Fields,
    basis: String,
}

/// The "from" price of each of `units` that has one: kept from an earlier
/// view while nothing they depend on has changed, else computed (and kept).
pub async fn from_prices(
    state: &AppState,
    ctx: &Ctx,
    units: &[Unit],
) -> HashMap<UnitId, FromPrice> {
    // The stamp is read before the data the prices come from.
    let events = match state.store.latest_event_cursor(ctx.id()).await {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!(error = %e, "the site's price cache: no latest event; prices computed");
            return compute(state, ctx, units).await;
        }
    };
    let stamp = Stamp {
        events,
        policy: state
            .registry
            .get(ctx.tenant.slug.as_str())
            .map_or(0, |policy| policy.version()),
        today: estimate::today(state, ctx),
        units: units.iter().map(|u| u.id).collect(),
    };
    let (prices, outcome) = state
        .site
        .prices
        .get_or_compute(ctx.id(), ctx.lang, stamp, state.clock.now(), || {
            compute(state, ctx, units)
        })
        .await;
    price_cache::record(outcome);
    prices
}

/// The "from" prices of `units`, computed.
async fn compute(state: &AppState, ctx: &Ctx, units: &[Unit]) -> HashMap<UnitId, FromPrice> {
    let mut best: HashMap<UnitId, Candidate> = HashMap::new();
    let today = estimate::today(state, ctx);
    let guests_for = |unit: &Unit| match ctx.model {
        Model::Nightly => unit.max_guests.get().min(2),
        _ => 1,
    };
    // Units are asked in groups of the same party size (one availability
    // call per group and date): with the demo tenants, one group each.
    let mut groups: HashMap<u32, Vec<UnitId>> = HashMap::new();
    for unit in units {
        groups.entry(guests_for(unit)).or_default().push(unit.id);
    }
    for (guests, ids) in groups {
        let Ok(party_guests) = Guests::new(i64::from(guests)) else {
            continue;
        };
        let party = Party {
            guests: party_guests,
            quantity: Quantity::new(1).unwrap_or_else(|_| unreachable!("1 is positive")),
        };
        let guests_text = fill(
            ctx.t(if guests == 1 {
                "summary_guest"
            } else {
                "summary_guests"
            }),
            &[("n", &guests.to_string())],
        );
        let mut requests: Vec<Vec<(PeriodRequest, estimate::Fields, String)>> = Vec::new();
        match ctx.model {
            Model::Nightly => {
                for nights in NIGHTS {
                    let mut round = Vec::new();
                    for day in 1..=NIGHTLY_DAYS {
                        let check_in = today + Duration::days(day);
                        let period = PeriodRequest::Nights {
                            check_in,
                            check_out: check_in + Duration::days(i64::from(nights)),
                        };
                        let fields = estimate::Fields {
                            check_in: check_in.to_string(),
                            nights: nights.to_string(),
                            guests: guests.to_string(),
                            ..estimate::Fields::default()
                        };
                        let key = if nights == 1 {
                            "basis_night"
                        } else {
                            "basis_nights"
                        };
                        let basis = format!(
                            "{}, {guests_text}",
                            fill(ctx.t(key), &[("n", &nights.to_string())])
                        );
                        round.push((period, fields, basis));
                    }
                    requests.push(round);
                }
            }
            Model::Timeslot => {
                let Some(first) = ids.first() else { continue };
                let mut round = Vec::new();
                for day in 1..=HOURLY_DAYS {
                    let date = today + Duration::days(day);
                    let Ok(slots) = state.engine.slots(ctx.id(), *first, date).await else {
                        continue;
                    };
                    for slot in slots {
                        let local = slot.period.start().with_timezone(&ctx.tenant.timezone);
                        let fields = estimate::Fields {
                            date: date.to_string(),
                            slot: local.format("%H:%M").to_string(),
                            guests: guests.to_string(),
                            ..estimate::Fields::default()
                        };
                        let basis = fill(ctx.t("basis_person"), &[]);
                        round.push((
                            PeriodRequest::Slot {
                                start: slot.period.start(),
                            },
                            fields,
                            basis,
                        ));
                    }
                }
                requests.push(round);
            }
            Model::Interval => {
                let mut round = Vec::new();
                let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN);
                for day in 1..=HOURLY_DAYS {
                    let date = today + Duration::days(day);
                    let start =
                        berth_core::local_time::local_instant(ctx.tenant.timezone, date, ten);
                    let end = start + Duration::minutes(i64::from(RENTAL_MINUTES));
                    let fields = estimate::Fields {
                        start: format!("{date}T10:00"),
                        duration: RENTAL_MINUTES.to_string(),
                        guests: guests.to_string(),
                        ..estimate::Fields::default()
                    };
                    let basis = format!(
                        "{}, {guests_text}",
                        estimate::duration_label(ctx, RENTAL_MINUTES)
                    );
                    round.push((PeriodRequest::Interval { start, end }, fields, basis));
                }
                requests.push(round);
            }
        }
        // Rounds are tried in order (nightly: shorter stays first); a unit
        // priced in one round is not priced again in a later one.
        for round in requests {
            let mut found: HashMap<UnitId, Candidate> = HashMap::new();
            for (period, fields, basis) in round {
                let Ok(quotes) = state
                    .engine
                    .availability(ctx.id(), AvailabilityRequest { period, party })
                    .await
                else {
                    continue;
                };
                for quote in quotes {
                    if !ids.contains(&quote.unit_id) || best.contains_key(&quote.unit_id) {
                        continue;
                    }
                    let (true, Some(price)) = (quote.available, quote.price) else {
                        continue;
                    };
                    let cheaper = found
                        .get(&quote.unit_id)
                        .is_none_or(|c| price.total.amount_minor < c.money.amount_minor);
                    if cheaper {
                        found.insert(
                            quote.unit_id,
                            Candidate {
                                money: price.total,
                                fields: fields.clone(),
                                basis: basis.clone(),
                            },
                        );
                    }
                }
            }
            best.extend(found);
            if ids.iter().all(|id| best.contains_key(id)) {
                break;
            }
        }
    }
    best.into_iter()
        .map(|(id, c)| {
            let query = serde_urlencoded::to_string(c.fields.pairs(ctx.model)).unwrap_or_default();
            (
                id,
                FromPrice {
                    amount: ctx.fmt.money(&c.money),
                    basis: c.basis,
                    query,
                    money: Some(c.money),
                },
            )
        })
        .collect()
}
