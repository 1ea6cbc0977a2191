//! The policy port: how the engine asks a tenant's rules what a request means,
//! whether it is allowed and what it costs. core defines the port; berth-policy
//! implements it with YAML + sandboxed Rhai, and tests implement it in plain Rust.
//! Policies are pure: they see the tenant, the unit, the request and `now`, never
//! the database or the clock.

use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::money::{Money, Price};
use crate::quantity::{Guests, Quantity};
use crate::reservation::Reservation;
use crate::tenant::Tenant;
use crate::time_range::TimeRange;
use crate::unit::Unit;

/// A period as a client asks for it, in the shape of the tenant's booking model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeriodRequest {
    /// Nightly model: tenant-local check-in and check-out dates.
    Nights {
        /// Arrival date.
        check_in: NaiveDate,
        /// Departure date.
        check_out: NaiveDate,
    },
    /// Timeslot model: the start of one of the unit's slots.
    Slot {
        /// The slot's start.
        start: DateTime<Utc>,
    },
    /// Interval model: arbitrary start and end.
    Interval {
        /// Start of the rental.
        start: DateTime<Utc>,
        /// End of the rental.
        end: DateTime<Utc>,
    },
}

/// A request's period as the policy resolved it to instants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedPeriod {
    /// The booked period (what the guest sees).
    pub period: TimeRange,
    /// The booked period plus buffers (what capacity is checked against).
    pub occupied: TimeRange,
    /// Tenant-local check-in date, for nightly stays.
    pub check_in: Option<NaiveDate>,
    /// Tenant-local check-out date, for nightly stays.
    pub check_out: Option<NaiveDate>,
}

/// The facts a policy decides on.
#[derive(Clone, Copy, Debug)]
pub struct PolicyContext<'a> {
    /// The tenant whose rules apply.
    pub tenant: &'a Tenant,
    /// The unit asked for.
    pub unit: &'a Unit,
    /// The current instant, from the engine's clock.
    pub now: DateTime<Utc>,
}

/// What is being booked, besides the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    /// How many people.
    pub guests: Guests,
    /// How many of the unit's items.
    pub quantity: Quantity,
}

/// One reason a policy refuses a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Stable machine-readable code (`min_nights`, `closed_to_arrival`).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Violation {
    /// A violation with `code` and `message`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Why a policy could not answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The request's period does not fit the booking model (dates for a slot
    /// model, an end before the start). Reported as INVALID_INPUT.
    #[error("invalid period: {0}")]
    InvalidPeriod(String),
    /// The request was understood and refused. Reported as VALIDATION.
    #[error("refused by policy")]
    Refused(Vec<Violation>),
    /// The tenant has no loaded policy. Reported as POLICY_ERROR.
    #[error("no policy is loaded for tenant `{0}`")]
    NotLoaded(String),
    /// The policy itself failed (a script threw, looped or hit a limit).
    /// Reported as POLICY_ERROR; the message names where.
    #[error("policy error: {0}")]
    Failed(String),
}

/// A tenant's booking rules.
pub trait Policy: Send + Sync + Debug {
    /// Turns the requested period into instants: the booked period and the
    /// occupied interval (with buffers).
    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError>;

    /// Every rule the request breaks; empty when it is allowed.
    fn validate(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError>;

    /// The price of the request, in the tenant's currency.
    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError>;

    /// Validates and, when no rule is broken (including `known` violations found
    /// by the engine), prices the request. Implementations may override it to share
    /// work between the two steps; the result must equal calling them in turn.
    fn validate_and_price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
        known: &[Violation],
    ) -> Result<(Vec<Violation>, Option<Price>), PolicyError> {
        let violations = self.validate(ctx, party, resolved)?;
        let price = if known.is_empty() && violations.is_empty() {
            Some(self.price(ctx, party, resolved)?)
        } else {
            None
        };
        Ok((violations, price))
    }

    /// What of `unit` this policy's answers depend on: two units with the same
    /// key get the same resolution, violations and price for every request, so
    /// a search evaluates once per key. `None` (the default) when the policy may
    /// look at anything, the unit's identity included: every unit is evaluated
    /// on its own.
    fn unit_key(&self, unit: &Unit) -> Option<String> {
        let _ = unit;
        None
    }

    /// The time slots of `date` (tenant-local) for the timeslot model, as booked
    /// periods. Other models have none to list.
    fn slots(
        &self,
        ctx: &PolicyContext<'_>,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        let _ = (ctx, date);
        Err(PolicyError::InvalidPeriod(
            "this tenant does not book time slots".into(),
        ))
    }

    /// How the tenant's occupancy is measured (analytics): nights for the nightly
    /// model, seat-hours or item-hours over the opening periods for the others.
    /// Nights by default.
    fn occupancy_basis(&self) -> OccupancyBasis {
        OccupancyBasis::Nights
    }

    /// The periods the tenant is open for business on `date` (tenant-local), as
    /// instants: the capacity of the hour-based occupancy measures. They may
    /// overlap (analytics merges them). The timeslot model answers with the
    /// day's slots, the interval model with its opening hours; by default, and
    /// for a model without opening hours, the whole local day (23 or 25 hours on
    /// daylight-saving days).
    fn open_periods(
        &self,
        tenant: &Tenant,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        Ok(whole_local_day(tenant.timezone, date).into_iter().collect())
    }

    /// How long a `held` reservation keeps its capacity before it expires.
    fn hold_duration(&self) -> Duration {
        Duration::minutes(15)
    }

    /// How many days before arrival a guest's reminder e-mail goes out; 0
    /// sends none. [`crate::mail::DEFAULT_REMINDER_DAYS`] by default.
    fn reminder_days(&self) -> u32 {
        crate::mail::DEFAULT_REMINDER_DAYS
    }

    /// Whether publishing a new version refuses one that would refuse the
    /// tenant's existing reservations (its plan's newly refused ones) unless
    /// the publisher accepts them (docs/decisions/0162). The live version's
    /// rule applies. False by default.
    fn protects_reservations(&self) -> bool {
        false
    }

    /// The rules a change of `current` to the new period and party breaks (the
    /// `can_change` hook), on top of `validate`. None by default.
    fn can_change(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        let _ = (ctx, current, party, resolved);
        Ok(Vec::new())
    }

    /// The refund due when `current` is canceled at `ctx.now` (the `refund`
    /// hook), in the tenant's currency; never more than what was paid. By default
    /// the whole price.
    fn refund(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
    ) -> Result<Option<Money>, PolicyError> {
        let _ = ctx;
        Ok(current.price.as_ref().map(|p| p.total))
    }

    /// How long after its start a confirmed reservation whose guest has not
    /// checked in becomes `absent` (the `no_show_deadline` hook). A day by
    /// default.
    fn no_show_after(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
    ) -> Result<Duration, PolicyError> {
        let _ = (ctx, current);
        Ok(Duration::hours(24))
    }
}

/// What occupancy counts for a tenant's booking model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccupancyBasis {
    /// Nightly: a night of an item, counted once on its date.
    Nights,
    /// Timeslot: seat-hours within the day's slots.
    SeatHours,
    /// Interval: item-hours within the opening hours.
    ItemHours,
}

/// The tenant-local day `date` as instants: from its midnight to the next
/// (23 or 25 hours long on daylight-saving days). `None` only for dates at the
/// end of chrono's range.
pub fn whole_local_day(tz: chrono_tz::Tz, date: NaiveDate) -> Option<TimeRange> {
    let midnight = chrono::NaiveTime::MIN;
    let next = date.succ_opt()?;
    TimeRange::new(
        crate::local_time::local_instant(tz, date, midnight),
        crate::local_time::local_instant(tz, next, midnight),
    )
    .ok()
}

/// The period of a stored reservation, as the policy resolved it when booked.
pub fn resolved_of(r: &Reservation) -> ResolvedPeriod {
    ResolvedPeriod {
        period: r.period,
        occupied: r.occupied,
        check_in: r.check_in,
        check_out: r.check_out,
    }
}

/// The party of a stored reservation.
pub fn party_of(r: &Reservation) -> Party {
    Party {
        guests: r.guests,
        quantity: r.quantity,
    }
}

/// The state of a tenant's policy, for operators and configurators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyStatus {
    /// The live version, if any.
    pub active_version: Option<u64>,
    /// When it went live.
    pub activated_at: Option<DateTime<Utc>>,
    /// When the last candidate was refused, if after the live version went live.
    pub rejected_at: Option<DateTime<Utc>>,
    /// Why it was refused: `file:line:col: message` lines.
    pub rejection: Vec<String>,
}

/// One file of a tenant directory as an editor holds it: its path inside the
/// directory (`tenant.yaml`, `tests/pricing.yaml`) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFile {
    /// The path inside the tenant directory, with `/` separators.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// Why a candidate policy cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CandidateError {
    /// It does not load, or fails its own tests: `file:line:col: message`
    /// lines, as `policyStatus.rejection` gives them. Reported as INVALID_INPUT.
    #[error("the candidate policy does not load or fails its tests ({} problem(s))", .0.len())]
    Rejected(Vec<String>),
    /// This provider compiles no candidates. Reported as POLICY_ERROR.
    #[error("{0}")]
    Unsupported(String),
}

/// Finds the live policy of a tenant (the registry of loaded tenant policies).
pub trait PolicyProvider: Send + Sync + Debug {
    /// The tenant's current policy.
    fn policy(&self, tenant: &Tenant) -> Result<Arc<dyn Policy>, PolicyError>;

    /// Compiles `files` (a whole tenant directory) as a candidate policy of
    /// `tenant`, checked and tested exactly as a reload is, without making it
    /// live. None by default.
    fn candidate(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<Arc<dyn Policy>, CandidateError> {
        let _ = (tenant, files);
        Err(CandidateError::Unsupported(
            "this server compiles no candidate policies".into(),
        ))
    }

    /// Checks `files` as a candidate of `tenant` and runs its tests, reporting
    /// every problem and case (a failing candidate is the answer). None by
    /// default.
    fn test_candidate(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<crate::policy_candidate::CandidateReport, CandidateError> {
        let _ = (tenant, files);
        Err(CandidateError::Unsupported(
            "this server runs no candidate policies".into(),
        ))
    }

    /// The test files of `files` with the expected figures of their failing
    /// price cases computed anew by the candidate (nothing written);
    /// `Rejected` when the candidate does not load. None by default.
    fn accept_figures(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<crate::policy_candidate::FigureAcceptance, CandidateError> {
        let _ = (tenant, files);
        Err(CandidateError::Unsupported(
            "this server runs no candidate policies".into(),
        ))
    }

    /// The state of the tenant's policy; `None` when the provider keeps none.
    fn status(&self, tenant: &Tenant) -> Option<PolicyStatus> {
        let _ = tenant;
        None
    }
}
