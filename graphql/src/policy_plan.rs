//! `planPolicy(files)`: what a candidate policy — the files of the signed-in
//! tenant's directory, as an editor holds them — would change over the
//! tenant's real data, against the live version (core's `Engine::plan_candidate`;
//! docs/decisions/0161). Admins and owners only; it writes nothing, so it is
//! a query. The candidate is checked and tested first, as a reload is: one
//! that fails is INVALID_INPUT with `extensions.rejection`, its
//! `file:line:col: message` lines (the shape of `policyStatus.rejection`).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::plan as core;
use berth_core::policy::PolicyFile;
use berth_core::user::Role;
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::from_engine;
use crate::reservations::ReservationState;
use crate::scalars::Date;
use crate::types::{Money, Violation};

/// One file of a tenant directory.
#[derive(InputObject, Debug)]
pub struct PolicyFileInput {
    /// Its path inside the directory: `tenant.yaml`, `pricing.rhai`,
    /// `tests/pricing.yaml`, an e-mail template `emails/reminder.txt` or
    /// `emails/reminder.html`.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// How the candidate's answer to a request differs from the live one.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanChange {
    /// The live version accepts it; the candidate refuses it.
    NewlyRefused,
    /// The live version refuses it; the candidate accepts it.
    NewlyAccepted,
    /// Both accept it, at different prices.
    Repriced,
    /// Both refuse it, for different reasons.
    RefusedDifferently,
}

impl From<core::Change> for PlanChange {
    fn from(c: core::Change) -> Self {
        match c {
            core::Change::NewlyRefused => Self::NewlyRefused,
            core::Change::NewlyAccepted => Self::NewlyAccepted,
            core::Change::Repriced => Self::Repriced,
            core::Change::RefusedDifferently => Self::RefusedDifferently,
        }
    }
}

/// The plan in numbers.
#[derive(SimpleObject, Debug)]
pub struct PlanSummary {
    /// Active reservations starting from now, replayed.
    pub reservations_replayed: i32,
    /// Accepted by the live version, refused by the candidate.
    pub reservations_newly_refused: i32,
    /// Refused by the live version, accepted by the candidate.
    pub reservations_newly_accepted: i32,
    /// Accepted by both, at different prices.
    pub reservations_repriced: i32,
    /// Refused by both, for different reasons.
    pub reservations_refused_differently: i32,
    /// Candidate price minus stored snapshot, summed over the listed
    /// reservations (information: snapshots stay).
    pub reservations_price_difference: Money,
    /// Sample requests asked of each version.
    pub quotes_sampled: i32,
    /// Sample requests newly refused.
    pub quotes_newly_refused: i32,
    /// Sample requests newly accepted.
    pub quotes_newly_accepted: i32,
    /// Sample requests repriced.
    pub quotes_repriced: i32,
    /// Unit-dates newly closed.
    pub dates_newly_closed: i32,
    /// Unit-dates newly opened.
    pub dates_newly_opened: i32,
    /// The sample's quoted revenue under the live version.
    pub quoted_revenue_live: Money,
    /// Under the candidate.
    pub quoted_revenue_candidate: Money,
    /// Candidate minus live.
    pub quoted_revenue_difference: Money,
}

/// An existing reservation the candidate answers differently.
#[derive(SimpleObject, Debug)]
pub struct PlannedReservation {
    /// The reservation.
    pub reservation_id: ID,
    /// Its unit.
    pub unit_id: ID,
    /// The unit's name.
    pub unit_name: String,
    /// Its state.
    pub state: ReservationState,
    /// Start of the booked period.
    pub start: DateTime<Utc>,
    /// End of the booked period.
    pub end: DateTime<Utc>,
    /// Check-in date (nightly).
    pub check_in: Option<Date>,
    /// Check-out date (nightly).
    pub check_out: Option<Date>,
    /// Guests.
    pub guests: i32,
    /// Items.
    pub quantity: i32,
    /// What changes.
    pub change: PlanChange,
    /// The rules the candidate says it breaks.
    pub violations: Vec<Violation>,
    /// The price snapshot it keeps.
    pub stored_price: Option<Money>,
    /// The live version's price today.
    pub live_price: Option<Money>,
    /// The candidate's price.
    pub candidate_price: Option<Money>,
    /// Candidate minus stored.
    pub difference: Option<Money>,
}

/// One month of arrival's quoted revenue for a unit.
#[derive(SimpleObject, Debug)]
pub struct PlannedMonth {
    /// `2026-12`.
    pub month: String,
    /// Under the live version.
    pub live: Money,
    /// Under the candidate.
    pub candidate: Money,
    /// Candidate minus live.
    pub difference: Money,
}

/// A unit whose sample quotes change.
#[derive(SimpleObject, Debug)]
pub struct PlannedUnit {
    /// The unit.
    pub unit_id: ID,
    /// Its name.
    pub unit_name: String,
    /// Sample requests asked for it.
    pub quotes_sampled: i32,
    /// Newly refused ones.
    pub quotes_newly_refused: i32,
    /// Newly accepted ones.
    pub quotes_newly_accepted: i32,
    /// Repriced ones.
    pub quotes_repriced: i32,
    /// Dates open now, closed under the candidate.
    pub dates_newly_closed: Vec<Date>,
    /// Dates closed now, open under the candidate.
    pub dates_newly_opened: Vec<Date>,
    /// Months of arrival whose quoted revenue differs.
    pub months: Vec<PlannedMonth>,
}

/// What a candidate policy would change.
#[derive(SimpleObject, Debug)]
pub struct PolicyPlan {
    /// The tenant's currency.
    pub currency: String,
    /// When the plan was made.
    pub planned_at: DateTime<Utc>,
    /// The quote sample's first date (tenant-local today).
    pub sample_from: Date,
    /// How many dates the sample covers.
    pub sample_days: i32,
    /// True when the candidate changes nothing the plan looks at.
    pub empty: bool,
    /// Counts and totals.
    pub summary: PlanSummary,
    /// The reservations answered differently, by start.
    pub reservations: Vec<PlannedReservation>,
    /// The units whose sample quotes change, by name.
    pub units: Vec<PlannedUnit>,
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<core::PlanSummary> for PlanSummary {
    fn from(s: core::PlanSummary) -> Self {
        Self {
            reservations_replayed: int(s.reservations_replayed),
            reservations_newly_refused: int(s.reservations_newly_refused),
            reservations_newly_accepted: int(s.reservations_newly_accepted),
            reservations_repriced: int(s.reservations_repriced),
            reservations_refused_differently: int(s.reservations_refused_differently),
            reservations_price_difference: s.reservations_price_difference.into(),
            quotes_sampled: int(s.quotes_sampled),
            quotes_newly_refused: int(s.quotes_newly_refused),
            quotes_newly_accepted: int(s.quotes_newly_accepted),
            quotes_repriced: int(s.quotes_repriced),
            dates_newly_closed: int(s.dates_newly_closed),
            dates_newly_opened: int(s.dates_newly_opened),
            quoted_revenue_live: s.quoted_revenue_live.into(),
            quoted_revenue_candidate: s.quoted_revenue_candidate.into(),
            quoted_revenue_difference: s.quoted_revenue_difference.into(),
        }
    }
}

impl From<core::PolicyPlan> for PolicyPlan {
    fn from(p: core::PolicyPlan) -> Self {
        let empty = p.is_empty();
        let s = p.summary;
        Self {
            currency: p.currency.to_string(),
            planned_at: p.planned_at,
            sample_from: Date(p.sample_from),
            sample_days: int(p.sample_days),
            empty,
            summary: s.into(),
            reservations: p
                .reservations
                .into_iter()
                .map(|r| PlannedReservation {
                    reservation_id: ID(r.reservation_id.to_string()),
                    unit_id: ID(r.unit_id.to_string()),
                    unit_name: r.unit_name,
                    state: r.state.into(),
                    start: r.start,
                    end: r.end,
                    check_in: r.check_in.map(Date),
                    check_out: r.check_out.map(Date),
                    guests: int(r.guests),
                    quantity: int(r.quantity),
                    change: r.change.into(),
                    violations: r.violations.into_iter().map(Into::into).collect(),
                    stored_price: r.stored_price.map(Into::into),
                    live_price: r.live_price.map(Into::into),
                    candidate_price: r.candidate_price.map(Into::into),
                    difference: r.difference.map(Into::into),
                })
                .collect(),
            units: p
                .units
                .into_iter()
                .map(|u| PlannedUnit {
                    unit_id: ID(u.unit_id.to_string()),
                    unit_name: u.unit_name,
                    quotes_sampled: int(u.quotes_sampled),
                    quotes_newly_refused: int(u.quotes_newly_refused),
                    quotes_newly_accepted: int(u.quotes_newly_accepted),
                    quotes_repriced: int(u.quotes_repriced),
                    dates_newly_closed: u.dates_newly_closed.into_iter().map(Date).collect(),
                    dates_newly_opened: u.dates_newly_opened.into_iter().map(Date).collect(),
                    months: u
                        .months
                        .into_iter()
                        .map(|m| PlannedMonth {
                            month: m.month,
                            live: m.live.into(),
                            candidate: m.candidate.into(),
                            difference: m.difference.into(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The policy plan query.
#[derive(Default, Debug)]
pub struct PolicyPlanQuery;

#[Object]
impl PolicyPlanQuery {
    /// What the candidate policy in `files` (the tenant directory's files:
    /// `tenant.yaml`, its `*.rhai` hooks, `tests/*.yaml` and `emails/*.txt|html`;
    /// pictures are taken from the live directory) would change, against the live version:
    /// every active reservation from now on replayed, and a 90-day sample of
    /// quotes priced under both. Checked and tested first; a candidate that
    /// fails is INVALID_INPUT with `extensions.rejection`. Admin and owner.
    async fn plan_policy(
        &self,
        ctx: &Context<'_>,
        files: Vec<PolicyFileInput>,
    ) -> Result<PolicyPlan> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let files = files
            .into_iter()
            .map(|f| PolicyFile {
                path: f.path,
                text: f.text,
            })
            .collect();
        // Boxed: the plan's futures nest deep, and the query root's layout
        // is near the compiler's recursion limit.
        let plan = Box::pin(engine.plan_candidate(viewer.tenant_id, files))
            .await
            .map_err(from_engine)?;
        Ok(plan.into())
    }
}
