//! The engine's analytics queries: `occupancy`, `day`, `stats` and
//! `top_units`. Each reads the tenant, its units, the bookings and the blocks
//! of the range (plus, for `day`, that day's reservations) — a fixed number of
//! store queries whatever the number of reservations — asks the policy for the
//! open periods of the dates when the basis is hours, and computes in Rust.

use chrono::NaiveDate;

use super::booking::Booking;
use super::dataset::Dataset;
use super::occupancy::{DayOccupancy, OccupancyReport, occupancy};
use super::span::DateSpan;
use super::stats::{Stats, stats};
use super::top_units::{RankBy, UnitRanking, top_units};
use super::windows::OpenCalendar;
use crate::Engine;
use crate::error::EngineError;
use crate::ical::block::CalendarBlock;
use crate::ids::TenantId;
use crate::policy::OccupancyBasis;
use crate::reservation::Reservation;
use crate::store::ReservationFilter;
use crate::tenant::Tenant;
use crate::time_range::TimeRange;
use crate::unit::Unit;
use crate::unit_history::UnitHistory;

/// The most reservations `day` lists.
pub const DAY_LIMIT: u32 = 1000;

/// The most units `top_units` ranks in one answer.
pub const TOP_UNITS_LIMIT: usize = 200;

/// A span's figures and those of the span of equal length before it.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsComparison {
    /// The span asked about.
    pub current: Stats,
    /// The span of equal length ending the day before.
    pub previous: Stats,
}

/// Units ranked in a span.
#[derive(Clone, Debug, PartialEq)]
pub struct TopUnits {
    /// What `reserved` counts.
    pub basis: OccupancyBasis,
    /// Best first.
    pub units: Vec<UnitRanking>,
}

/// One date for the front desk: its reservations and its occupancy.
#[derive(Clone, Debug, PartialEq)]
pub struct DayView {
    /// What occupancy counts.
    pub basis: OccupancyBasis,
    /// The date's occupancy, per unit too.
    pub occupancy: DayOccupancy,
    /// Every reservation (any state) whose booked period touches the date —
    /// arrivals, stays, departures — by start, at most [`DAY_LIMIT`].
    pub reservations: Vec<Reservation>,
}

/// What the computations need, loaded for a span.
struct Loaded {
    tenant: Tenant,
    basis: OccupancyBasis,
    units: Vec<Unit>,
    history: UnitHistory,
    bookings: Vec<Booking>,
    blocks: Vec<CalendarBlock>,
    calendar: OpenCalendar,
}

impl Loaded {
    fn dataset(&self) -> Dataset<'_> {
        Dataset {
            timezone: self.tenant.timezone,
            currency: self.tenant.currency,
            basis: self.basis,
            units: &self.units,
            history: &self.history,
            bookings: &self.bookings,
            calendar: &self.calendar,
            blocks: &self.blocks,
        }
    }
}

impl Engine {
    /// Occupancy per date of `span` (per unit too when `by_unit`).
    pub async fn occupancy(
        &self,
        tenant_id: TenantId,
        span: DateSpan,
        by_unit: bool,
    ) -> Result<OccupancyReport, EngineError> {
        let loaded = self.load_analytics(tenant_id, span).await?;
        Ok(occupancy(&loaded.dataset(), span, by_unit))
    }

    /// The figures of `span` and of the span of equal length before it.
    pub async fn stats(
        &self,
        tenant_id: TenantId,
        span: DateSpan,
    ) -> Result<StatsComparison, EngineError> {
        let previous = span.previous();
        let loaded = self.load_analytics(tenant_id, span.hull(&previous)).await?;
        let data = loaded.dataset();
        Ok(StatsComparison {
            current: stats(&data, span)?,
            previous: stats(&data, previous)?,
        })
    }

    /// The `limit` best units of `span` by `by`.
    pub async fn top_units(
        &self,
        tenant_id: TenantId,
        span: DateSpan,
        by: RankBy,
        limit: usize,
    ) -> Result<TopUnits, EngineError> {
        if limit == 0 || limit > TOP_UNITS_LIMIT {
            return Err(EngineError::InvalidInput {
                field: "limit",
                message: format!("between 1 and {TOP_UNITS_LIMIT}"),
            });
        }
        let loaded = self.load_analytics(tenant_id, span).await?;
        Ok(TopUnits {
            basis: loaded.basis,
            units: top_units(&loaded.dataset(), span, by, limit)?,
        })
    }

    /// The reservations and occupancy of one tenant-local date.
    pub async fn day(&self, tenant_id: TenantId, date: NaiveDate) -> Result<DayView, EngineError> {
        let span = DateSpan::day(date)?;
        let loaded = self.load_analytics(tenant_id, span).await?;
        let report = occupancy(&loaded.dataset(), span, true);
        let filter = ReservationFilter {
            overlapping: Some(span.instants(loaded.tenant.timezone)?),
            limit: Some(DAY_LIMIT),
            ..ReservationFilter::default()
        };
        let mut reservations = self.store.reservations(tenant_id, &filter).await?;
        reservations.sort_by_key(|r| (r.period.start(), r.id));
        let occupancy = report
            .days
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::Crashed("a day span has one date".into()))?;
        Ok(DayView {
            basis: loaded.basis,
            occupancy,
            reservations,
        })
    }

    /// The tenant, its units (archived too) and their history, the open
    /// periods of `span`'s dates and the bookings and blocks overlapping the
    /// span or any of those periods.
    async fn load_analytics(
        &self,
        tenant_id: TenantId,
        span: DateSpan,
    ) -> Result<Loaded, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let policy = self.policies.policy(&tenant)?;
        let basis = policy.occupancy_basis();
        let calendar = match basis {
            OccupancyBasis::Nights => OpenCalendar::closed(span),
            OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => {
                OpenCalendar::build(span, |date| policy.open_periods(&tenant, date))?
            }
        };
        let instants = span.instants(tenant.timezone)?;
        let range = match calendar.hull() {
            Some(open) => TimeRange::new(
                instants.start().min(open.start()),
                instants.end().max(open.end()),
            )?,
            None => instants,
        };
        let units = self.store.units(tenant_id, true).await?;
        let history = UnitHistory::new(&units, &self.store.unit_versions(tenant_id).await?);
        let bookings = self.store.bookings_overlapping(tenant_id, &range).await?;
        let blocks = self.store.blocks_overlapping(tenant_id, &range).await?;
        Ok(Loaded {
            tenant,
            basis,
            units,
            history,
            bookings,
            blocks,
            calendar,
        })
    }
}
