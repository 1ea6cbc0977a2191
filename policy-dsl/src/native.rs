//! The built-in nightly model's `validate` and `price` hooks, executed natively
//! (the timeslot and interval models' are in `native_hourly.rs`), and which
//! hooks of a tenant's policy run natively.
//! `policies/models/nightly.rhai` stays the reference: these functions give the
//! same violations (codes, messages) and price lines (kinds, labels, amounts) as
//! its `model_validate` and `model_price` with the shared pricing steps, which a
//! differential property test holds equal (`tests/policy/native.rs`). A hook
//! runs natively only while no tenant script defines it or anything it calls
//! ([`NativeHooks::of`]); a tenant's own hook runs in the sandbox as before.

use berth_core::money::{Currency, Money, PriceLine};
use berth_core::policy::Violation;
use chrono::{Datelike, NaiveDate};

use crate::calendar::{Calendar, DayFacts};
use crate::config::{FeeBasis, ModelKind, NightlyRules, Pricing, Weekday};
use crate::loader::FunctionOrigins;
use crate::sandbox::round_div;

/// Which hooks of a tenant's policy run natively.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NativeHooks {
    /// `validate` (the model's `model_validate`).
    pub validate: bool,
    /// `price` (the model's `model_price` and the pricing steps).
    pub price: bool,
    /// `slots` (the timeslot model's `model_slots`).
    pub slots: bool,
}

/// Where functions no script defines are reported from (see `FunctionOrigins`).
const NO_SCRIPT: &str = "policies/models/common.rhai";

impl NativeHooks {
    /// The hooks of `model` that may run natively: those with a native version
    /// whose entry point, model function and every function they call are still
    /// the built-in ones (no tenant script defines any of them).
    pub(crate) fn of(model: ModelKind, origins: &FunctionOrigins) -> Self {
        let (model_file, _) = crate::models::source(model);
        let builtin = |names: &[&str]| names.iter().all(|n| origins.file_of(n) == model_file);
        let unscripted = |names: &[&str]| names.iter().all(|n| origins.file_of(n) == NO_SCRIPT);
        let steps: &[&str] = match model {
            ModelKind::Interval => &["best_discount", "fees_and_taxes", "percent_of", "ceil_div"],
            _ => &["best_discount", "fees_and_taxes", "percent_of"],
        };
        Self {
            validate: builtin(&["validate", "model_validate"]),
            price: builtin(&["price", "model_price"]) && unscripted(steps),
            slots: model == ModelKind::Timeslot && builtin(&["slots", "model_slots"]),
        }
    }
}

/// What the nightly hooks read of a request: the `req` map's facts, natively.
#[derive(Clone, Debug)]
pub(crate) struct NightlyRequest {
    /// The arrival date.
    pub check_in: NaiveDate,
    /// The departure date.
    pub check_out: NaiveDate,
    /// The facts of each night.
    pub nights: Vec<DayFacts>,
    /// The sum of the nights' rates for one item.
    pub rate_total: i64,
    /// Minutes from now to check-in.
    pub lead_minutes: i64,
    /// Tenant-local days from today to the arrival date.
    pub days_ahead: i64,
    /// Guests.
    pub guests: i64,
    /// Items booked.
    pub quantity: i64,
}

impl NightlyRequest {
    /// The facts of the nights from `check_in` to `check_out`, rated at `base`.
    pub(crate) fn nights(
        calendar: &Calendar,
        check_in: NaiveDate,
        check_out: NaiveDate,
        base: i64,
    ) -> (Vec<DayFacts>, i64) {
        let count = (check_out - check_in).num_days();
        let nights: Vec<DayFacts> = check_in
            .iter_days()
            .take(usize::try_from(count).unwrap_or(0))
            .map(|d| calendar.day(d))
            .collect();
        let rate_total = calendar.rate_total(&nights, base);
        (nights, rate_total)
    }

    fn night_count(&self) -> i64 {
        (self.check_out - self.check_in).num_days()
    }
}

/// `model_validate` of `nightly.rhai`.
pub(crate) fn nightly_validate(
    rules: &NightlyRules,
    pricing: &Pricing,
    req: &NightlyRequest,
) -> Vec<Violation> {
    let mut v = Vec::new();
    let nights = req.night_count();
    let arrival = Weekday::from_chrono(req.check_in.weekday());
    let mut min = i64::from(rules.min_nights);
    if let Some(n) = rules.min_nights_by_arrival.get(&arrival) {
        min = min.max(i64::from(*n));
    }
    let season = req
        .nights
        .first()
        .and_then(|night| usize::try_from(night.season).ok())
        .and_then(|i| pricing.seasons.get(i));
    if let Some(s) = season.and_then(|s| s.min_nights) {
        min = min.max(i64::from(s));
    }
    if nights < min {
        v.push(Violation::new(
            "min_nights",
            format!(
                "stays arriving on {} need at least {min} nights",
                req.check_in
            ),
        ));
    }
    if let Some(max) = rules.max_nights
        && nights > i64::from(max)
    {
        v.push(Violation::new(
            "max_nights",
            format!("stays are at most {max} nights"),
        ));
    }
    if rules.closed_to_arrival.contains(&arrival) {
        v.push(Violation::new(
            "closed_to_arrival",
            format!("no arrivals on {}", arrival.as_str()),
        ));
    }
    let departure = Weekday::from_chrono(req.check_out.weekday());
    if rules.closed_to_departure.contains(&departure) {
        v.push(Violation::new(
            "closed_to_departure",
            format!("no departures on {}", departure.as_str()),
        ));
    }
    if let Some(night) = req.nights.iter().find(|n| n.stop_sell) {
        v.push(Violation::new(
            "stop_sell",
            format!("the night of {} is not sold", night.date),
        ));
    }
    let lead = i64::from(rules.lead_time_hours);
    if req.lead_minutes < lead * 60 {
        v.push(Violation::new(
            "lead_time",
            format!("book at least {lead} hours before check-in"),
        ));
    }
    if let Some(horizon) = rules.horizon_days
        && req.days_ahead > i64::from(horizon)
    {
        v.push(Violation::new(
            "horizon",
            format!("stays can be booked at most {horizon} days ahead"),
        ));
    }
    v
}

/// An arithmetic overflow in a price: an error, as it is in scripts.
#[derive(Debug, thiserror::Error)]
#[error("arithmetic overflow in a price")]
pub(crate) struct Overflow;

pub(crate) fn checked(value: Option<i64>) -> Result<i64, Overflow> {
    value.ok_or(Overflow)
}

/// `model_price` of `nightly.rhai`, with `best_discount` and `fees_and_taxes`.
pub(crate) fn nightly_price(
    pricing: &Pricing,
    req: &NightlyRequest,
    currency: Currency,
) -> Result<Vec<PriceLine>, Overflow> {
    let nights = req.night_count();
    let q = req.quantity;
    let rates = checked(req.rate_total.checked_mul(q))?;
    let line = |kind: &str, label: String, amount: i64| PriceLine {
        kind: kind.into(),
        label,
        amount: Money::new(amount, currency),
    };
    let mut lines = vec![line("nights", format!("{nights} night(s) × {q}"), rates)];
    if let Some(extra) = &pricing.extra_guest {
        let base = checked(i64::from(extra.base_occupancy).checked_mul(q))?;
        let extra_guests = checked(req.guests.checked_sub(base))?;
        if extra_guests > 0 {
            let amount = extra_guests
                .checked_mul(extra.fee)
                .and_then(|a| a.checked_mul(nights));
            lines.push(line(
                "extra_guests",
                format!("{extra_guests} extra guest(s) × {nights} night(s)"),
                checked(amount)?,
            ));
        }
    }
    let best = best_discount(pricing, nights);
    if best > 0 {
        lines.push(line(
            "discount",
            format!("{best} % length-of-stay discount"),
            -round_div(checked(rates.checked_mul(best))?, 100),
        ));
    }
    fees_and_taxes(&mut lines, pricing, nights, req.guests, q, currency)?;
    Ok(lines)
}

/// `best_discount` of `pricing_steps.rs`.
pub(crate) fn best_discount(pricing: &Pricing, length: i64) -> i64 {
    pricing
        .length_of_stay
        .iter()
        .filter(|d| length >= i64::from(d.min_length))
        .map(|d| i64::from(d.percent))
        .fold(0, i64::max)
}

/// `fees_and_taxes` of `pricing_steps.rs`.
pub(crate) fn fees_and_taxes(
    lines: &mut Vec<PriceLine>,
    pricing: &Pricing,
    days: i64,
    guests: i64,
    items: i64,
    currency: Currency,
) -> Result<(), Overflow> {
    for fee in &pricing.fees {
        let times = match fee.per {
            FeeBasis::Night => days,
            FeeBasis::Guest => guests,
            FeeBasis::Item => items,
            FeeBasis::Stay => 1,
        };
        lines.push(PriceLine {
            kind: "fee".into(),
            label: fee.name.clone(),
            amount: Money::new(checked(fee.amount.checked_mul(times))?, currency),
        });
    }
    if pricing.taxes.is_empty() {
        return Ok(());
    }
    let mut taxable: i64 = 0;
    for l in lines.iter() {
        taxable = checked(taxable.checked_add(l.amount.amount_minor))?;
    }
    for tax in &pricing.taxes {
        let mut amount = 0;
        if let Some(bp) = tax.percent_bp {
            amount = round_div(checked(taxable.checked_mul(i64::from(bp)))?, 10_000);
        }
        if let Some(per_person) = tax.per_person_per_night {
            let per_stay = per_person
                .checked_mul(guests)
                .and_then(|a| a.checked_mul(days));
            amount = checked(amount.checked_add(checked(per_stay)?))?;
        }
        lines.push(PriceLine {
            kind: "tax".into(),
            label: tax.name.clone(),
            amount: Money::new(amount, currency),
        });
    }
    Ok(())
}
