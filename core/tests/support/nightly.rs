//! A nightly booking policy in plain Rust: the test double for core's policy port.
//! Check-in 15:00, check-out 10:00 (tenant-local), 1–30 nights, no arrivals in the
//! past, 1000.00 per item per night plus a 250.00 cleaning fee per stay; no changes
//! in the last 48 hours, a full refund a week ahead (half after), absent six hours
//! after check-in time.

use std::sync::Arc;

use berth_core::local_time::{local_date, local_instant};
use berth_core::money::{Money, Price, PriceLine};
use berth_core::policy::{
    Party, PeriodRequest, Policy, PolicyContext, PolicyError, PolicyProvider, ResolvedPeriod,
    Violation,
};
use berth_core::tenant::Tenant;
use berth_core::time_range::TimeRange;
use chrono::NaiveTime;

/// Nightly rules with fixed times and prices.
#[derive(Debug)]
pub struct NightlyTestPolicy {
    pub check_in_time: NaiveTime,
    pub check_out_time: NaiveTime,
    pub max_nights: i64,
    pub nightly_rate_minor: i64,
    pub cleaning_fee_minor: i64,
}

impl Default for NightlyTestPolicy {
    fn default() -> Self {
        Self {
            check_in_time: NaiveTime::from_hms_opt(15, 0, 0).expect("time"),
            check_out_time: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
            max_nights: 30,
            nightly_rate_minor: 100_000,
            cleaning_fee_minor: 25_000,
        }
    }
}

impl Policy for NightlyTestPolicy {
    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        let PeriodRequest::Nights {
            check_in,
            check_out,
        } = period
        else {
            return Err(PolicyError::InvalidPeriod(
                "nightly units are booked by check-in and check-out dates".into(),
            ));
        };
        if check_out <= check_in {
            return Err(PolicyError::InvalidPeriod(format!(
                "check-out ({check_out}) must be after check-in ({check_in})"
            )));
        }
        let tz = ctx.tenant.timezone;
        let range = TimeRange::new(
            local_instant(tz, *check_in, self.check_in_time),
            local_instant(tz, *check_out, self.check_out_time),
        )
        .map_err(|e| PolicyError::InvalidPeriod(e.to_string()))?;
        Ok(ResolvedPeriod {
            period: range,
            occupied: range,
            check_in: Some(*check_in),
            check_out: Some(*check_out),
        })
    }

    fn validate(
        &self,
        ctx: &PolicyContext<'_>,
        _party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        let mut violations = Vec::new();
        let (Some(check_in), Some(check_out)) = (resolved.check_in, resolved.check_out) else {
            return Ok(violations);
        };
        if check_in < local_date(ctx.tenant.timezone, ctx.now) {
            violations.push(Violation::new("in_past", "check-in is in the past"));
        }
        if (check_out - check_in).num_days() > self.max_nights {
            violations.push(Violation::new(
                "max_nights",
                format!("at most {} nights", self.max_nights),
            ));
        }
        Ok(violations)
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        let nights = match (resolved.check_in, resolved.check_out) {
            (Some(a), Some(b)) => (b - a).num_days(),
            _ => 0,
        };
        let currency = ctx.tenant.currency;
        let lines = vec![
            PriceLine {
                kind: "nights".into(),
                label: format!("{nights} night(s) × {}", party.quantity.get()),
                amount: Money::new(
                    nights * self.nightly_rate_minor * i64::from(party.quantity.get()),
                    currency,
                ),
            },
            PriceLine {
                kind: "fee".into(),
                label: "Cleaning".into(),
                amount: Money::new(self.cleaning_fee_minor, currency),
            },
        ];
        Price::from_lines(currency, lines).map_err(|e| PolicyError::Failed(e.to_string()))
    }

    /// No changes in the last 48 hours before the current start.
    fn can_change(
        &self,
        ctx: &PolicyContext<'_>,
        current: &berth_core::reservation::Reservation,
        _party: &Party,
        _resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        if current.period.start() - ctx.now < chrono::Duration::hours(48) {
            return Ok(vec![Violation::new(
                "change_too_late",
                "stays cannot be changed in the last 48 hours before arrival",
            )]);
        }
        Ok(Vec::new())
    }

    /// Everything back a week or more ahead; half after that.
    fn refund(
        &self,
        ctx: &PolicyContext<'_>,
        current: &berth_core::reservation::Reservation,
    ) -> Result<Option<Money>, PolicyError> {
        Ok(current.price.as_ref().map(|p| {
            let ahead = current.period.start() - ctx.now;
            let due = if ahead >= chrono::Duration::days(7) {
                p.total.amount_minor
            } else {
                p.total.amount_minor / 2
            };
            Money::new(due, p.total.currency)
        }))
    }

    /// Absent six hours after check-in time.
    fn no_show_after(
        &self,
        _ctx: &PolicyContext<'_>,
        _current: &berth_core::reservation::Reservation,
    ) -> Result<chrono::Duration, PolicyError> {
        Ok(chrono::Duration::hours(6))
    }
}

/// A provider that gives every tenant the same policy.
#[derive(Debug, Clone)]
pub struct SinglePolicy(pub Arc<dyn Policy>);

impl SinglePolicy {
    pub fn nightly() -> Self {
        Self(Arc::new(NightlyTestPolicy::default()))
    }
}

impl PolicyProvider for SinglePolicy {
    fn policy(&self, _tenant: &Tenant) -> Result<Arc<dyn Policy>, PolicyError> {
        Ok(self.0.clone())
    }
}

/// The nightly test policy keyed by the units' size (`Policy::unit_key`:
/// inventory and guests), counting how often it is asked to validate.
#[derive(Debug, Default)]
pub struct KeyedNightlyPolicy {
    pub inner: NightlyTestPolicy,
    pub evaluations: std::sync::atomic::AtomicUsize,
}

impl Policy for KeyedNightlyPolicy {
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
        self.evaluations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.validate(ctx, party, resolved)
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        self.inner.price(ctx, party, resolved)
    }

    fn unit_key(&self, unit: &berth_core::unit::Unit) -> Option<String> {
        Some(format!(
            "{}/{}",
            unit.inventory.get(),
            unit.max_guests.get()
        ))
    }
}
