//! A timeslot booking policy in plain Rust (a tour): three slots a day,
//! 09:00–12:00, 11:00–14:00 and 14:00–17:00 tenant-local (the first two
//! overlap), each booked by its start; no slot that has started, 50.00 per
//! seat, no changes once the booked slot has started, absent 30 minutes after
//! the start, holds kept for 10 minutes.

use berth_core::local_time::{local_date, local_instant};
use berth_core::money::{Money, Price, PriceLine};
use berth_core::policy::{
    Party, PeriodRequest, Policy, PolicyContext, PolicyError, ResolvedPeriod, Violation,
};
use berth_core::reservation::Reservation;
use berth_core::time_range::TimeRange;
use chrono::{Duration, NaiveDate, NaiveTime};

/// The slots' local start hours; each lasts [`SLOT_HOURS`].
pub const SLOT_STARTS: [u32; 3] = [9, 11, 14];
/// How long a slot lasts.
pub const SLOT_HOURS: i64 = 3;
/// The price of one seat, in minor units.
pub const SEAT_PRICE_MINOR: i64 = 5_000;

/// Tours in three daily slots.
#[derive(Debug, Default)]
pub struct TourPolicy;

impl TourPolicy {
    fn day_slots(ctx: &PolicyContext<'_>, date: NaiveDate) -> Vec<TimeRange> {
        SLOT_STARTS
            .iter()
            .filter_map(|&h| {
                let start =
                    local_instant(ctx.tenant.timezone, date, NaiveTime::from_hms_opt(h, 0, 0)?);
                TimeRange::new(start, start + Duration::hours(SLOT_HOURS)).ok()
            })
            .collect()
    }
}

impl Policy for TourPolicy {
    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        let PeriodRequest::Slot { start } = period else {
            return Err(PolicyError::InvalidPeriod(
                "tours are booked by a slot's start".into(),
            ));
        };
        let date = local_date(ctx.tenant.timezone, *start);
        let slot = Self::day_slots(ctx, date)
            .into_iter()
            .find(|s| s.start() == *start)
            .ok_or_else(|| PolicyError::InvalidPeriod(format!("no tour starts at {start}")))?;
        Ok(ResolvedPeriod {
            period: slot,
            occupied: slot,
            check_in: None,
            check_out: None,
        })
    }

    fn validate(
        &self,
        ctx: &PolicyContext<'_>,
        _party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        if resolved.period.start() < ctx.now {
            return Ok(vec![Violation::new("in_past", "the tour has started")]);
        }
        Ok(Vec::new())
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        _resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        let currency = ctx.tenant.currency;
        let seats = i64::from(party.quantity.get());
        let lines = vec![PriceLine {
            kind: "seats".into(),
            label: format!("{seats} seat(s)"),
            amount: Money::new(seats * SEAT_PRICE_MINOR, currency),
        }];
        Price::from_lines(currency, lines).map_err(|e| PolicyError::Failed(e.to_string()))
    }

    fn slots(
        &self,
        ctx: &PolicyContext<'_>,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        Ok(Self::day_slots(ctx, date))
    }

    fn hold_duration(&self) -> Duration {
        Duration::minutes(10)
    }

    /// No changes once the booked slot has started.
    fn can_change(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
        _party: &Party,
        _resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        if current.period.start() <= ctx.now {
            return Ok(vec![Violation::new(
                "change_too_late",
                "a tour cannot be changed once it has started",
            )]);
        }
        Ok(Vec::new())
    }

    fn no_show_after(
        &self,
        _ctx: &PolicyContext<'_>,
        _current: &Reservation,
    ) -> Result<Duration, PolicyError> {
        Ok(Duration::minutes(30))
    }
}
