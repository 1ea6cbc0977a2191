//! The built-in timeslot and interval models' hooks, executed natively:
//! `slots`, `validate` and `price` of `policies/models/timeslot.rhai` and
//! `validate` and `price` of `policies/models/interval.rhai`, with the shared
//! pricing steps (`native.rs`). The `.rhai` models stay the reference, held
//! equal by the differential property test in `tests/policy/native.rs`; when
//! they run is decided as for the nightly model ([`crate::native::NativeHooks`]).

use berth_core::money::{Currency, Money, PriceLine};
use berth_core::policy::Violation;
use chrono::{NaiveDate, NaiveTime};

use crate::config::{IntervalRules, LocalTime, Pricing, TimeslotRules, Weekday};
use crate::native::{Overflow, best_discount, checked, fees_and_taxes};
use crate::sandbox::round_div;

/// What the timeslot and interval hooks read of a request: the `req` map's
/// facts, natively.
#[derive(Clone, Debug)]
pub(crate) struct HourlyRequest {
    /// The rate of the start's day (`req.day.rate`, `req.start_day.rate`).
    pub start_rate: i64,
    /// The start's and the end's tenant-local weekdays.
    pub start_weekday: Weekday,
    /// See `start_weekday`.
    pub end_weekday: Weekday,
    /// The start's and the end's tenant-local times, `HH:MM`.
    pub start_time: String,
    /// See `start_time`.
    pub end_time: String,
    /// The period's length in minutes.
    pub duration_minutes: i64,
    /// Started days (at least 1).
    pub days: i64,
    /// Whether start and end fall on the interval model's granularity.
    pub aligned: bool,
    /// Minutes from now to the start.
    pub lead_minutes: i64,
    /// Tenant-local days from today to the start's date.
    pub days_ahead: i64,
    /// Guests.
    pub guests: i64,
    /// Items (seats, boats) booked.
    pub quantity: i64,
}

/// `model_slots` of `timeslot.rhai`: the start times of `date` (a `weekday`).
pub(crate) fn timeslot_slots(
    rules: &TimeslotRules,
    date: NaiveDate,
    weekday: Weekday,
) -> Vec<NaiveTime> {
    let times = |list: &[LocalTime]| list.iter().filter_map(LocalTime::time).collect();
    for e in &rules.exceptions {
        if e.date == date {
            if e.closed {
                return Vec::new();
            }
            if let Some(list) = &e.times {
                return times(list);
            }
        }
    }
    rules
        .schedule
        .get(&weekday)
        .map_or_else(Vec::new, |list| times(list))
}

/// `model_validate` of `timeslot.rhai`.
pub(crate) fn timeslot_validate(rules: &TimeslotRules, req: &HourlyRequest) -> Vec<Violation> {
    let mut v = Vec::new();
    lead_and_horizon(
        &mut v,
        req,
        rules.lead_time_minutes,
        rules.horizon_days,
        "slots",
    );
    if req.guests > req.quantity {
        v.push(Violation::new(
            "seats",
            format!(
                "{} guests need {} seats; {} requested",
                req.guests, req.guests, req.quantity
            ),
        ));
    }
    v
}

/// `model_price` of `timeslot.rhai`, with `best_discount` and `fees_and_taxes`.
pub(crate) fn timeslot_price(
    pricing: &Pricing,
    req: &HourlyRequest,
    currency: Currency,
) -> Result<Vec<PriceLine>, Overflow> {
    let (q, seat) = (req.quantity, req.start_rate);
    let seats = checked(seat.checked_mul(q))?;
    let mut lines = vec![line(
        "seats",
        format!("{q} seat(s) × {seat}"),
        seats,
        currency,
    )];
    let best = best_discount(pricing, q);
    if best > 0 {
        lines.push(line(
            "discount",
            format!("{best} % group discount"),
            -percent_of(seats, best)?,
            currency,
        ));
    }
    fees_and_taxes(&mut lines, pricing, 1, req.guests, q, currency)?;
    Ok(lines)
}

/// `model_validate` of `interval.rhai`.
pub(crate) fn interval_validate(rules: &IntervalRules, req: &HourlyRequest) -> Vec<Violation> {
    let mut v = Vec::new();
    if !req.aligned {
        v.push(Violation::new(
            "granularity",
            format!(
                "start and end must fall on multiples of {} minutes",
                rules.granularity_minutes
            ),
        ));
    }
    if let Some(min) = rules.min_duration_minutes
        && req.duration_minutes < i64::from(min)
    {
        v.push(Violation::new(
            "min_duration",
            format!("rentals last at least {min} minutes"),
        ));
    }
    if let Some(max) = rules.max_duration_minutes
        && req.duration_minutes > i64::from(max)
    {
        v.push(Violation::new(
            "max_duration",
            format!("rentals last at most {max} minutes"),
        ));
    }
    if !rules.opening_hours.is_empty() {
        // As the script compares them: `HH:MM` strings.
        let (start, end) = (req.start_time.as_str(), req.end_time.as_str());
        let ok = match (
            rules.opening_hours.get(&req.start_weekday),
            rules.opening_hours.get(&req.end_weekday),
        ) {
            (Some(first), Some(last)) => {
                start >= first.open.0.as_str()
                    && start < first.close.0.as_str()
                    && end >= last.open.0.as_str()
                    && end <= last.close.0.as_str()
            }
            _ => false,
        };
        if !ok {
            v.push(Violation::new(
                "opening_hours",
                "the rental must start and end within opening hours",
            ));
        }
    }
    lead_and_horizon(
        &mut v,
        req,
        rules.lead_time_minutes,
        rules.horizon_days,
        "rentals",
    );
    v
}

/// `model_price` of `interval.rhai`, with `best_discount` and `fees_and_taxes`.
pub(crate) fn interval_price(
    pricing: &Pricing,
    req: &HourlyRequest,
    currency: Currency,
) -> Result<Vec<PriceLine>, Overflow> {
    let (q, hourly) = (req.quantity, req.start_rate);
    let hours = ceil_div(req.duration_minutes, 60);
    let mut amount = checked(hours.checked_mul(hourly))?;
    let mut label = format!("{hours} hour(s) × {hourly}");
    if let Some(daily) = pricing.daily_rate {
        let days = req.duration_minutes / 1440;
        let rest =
            checked(ceil_div(req.duration_minutes % 1440, 60).checked_mul(hourly))?.min(daily);
        let tiered = checked(days.checked_mul(daily).and_then(|d| d.checked_add(rest)))?;
        if tiered < amount {
            amount = tiered;
            label = format!("{} day(s) at the daily rate", req.days);
        }
    }
    amount = checked(amount.checked_mul(q))?;
    let mut lines = vec![line("rental", format!("{label} × {q}"), amount, currency)];
    let best = best_discount(pricing, hours);
    if best > 0 {
        lines.push(line(
            "discount",
            format!("{best} % long-rental discount"),
            -percent_of(amount, best)?,
            currency,
        ));
    }
    fees_and_taxes(&mut lines, pricing, req.days, req.guests, q, currency)?;
    Ok(lines)
}

/// The lead-time and horizon rules both hourly models share; `what` names
/// the bookings (`slots`, `rentals`).
fn lead_and_horizon(
    v: &mut Vec<Violation>,
    req: &HourlyRequest,
    lead: u32,
    horizon: Option<u32>,
    what: &str,
) {
    if req.lead_minutes < i64::from(lead) {
        v.push(Violation::new(
            "lead_time",
            format!("book at least {lead} minutes before the start"),
        ));
    }
    if let Some(horizon) = horizon
        && req.days_ahead > i64::from(horizon)
    {
        v.push(Violation::new(
            "horizon",
            format!("{what} can be booked at most {horizon} days ahead"),
        ));
    }
}

fn line(kind: &str, label: String, amount: i64, currency: Currency) -> PriceLine {
    PriceLine {
        kind: kind.into(),
        label,
        amount: Money::new(amount, currency),
    }
}

/// The sandbox's `percent_of`: `amount × percent / 100`, rounded half away
/// from zero; an overflow when the product is beyond an integer's range.
fn percent_of(amount: i64, percent: i64) -> Result<i64, Overflow> {
    Ok(round_div(checked(amount.checked_mul(percent))?, 100))
}

/// The sandbox's `ceil_div` for a positive divisor.
fn ceil_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b) + i64::from(a.rem_euclid(b) != 0)
}
