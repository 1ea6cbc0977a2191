//! Operations analytics for the admin dashboard: `occupancy(from, to, byUnit)`
//! (per date: occupied and available capacity and their ratio — the calendar
//! heatmap), `day(date)` (the reservations touching a date, with unit and
//! client, and its occupancy), `stats(from, to)` (performance figures and the
//! same for the previous period of equal length) and `topUnits(from, to,
//! limit, by)`. Dates are tenant-local and `to` is included; a range has at
//! most 366 days. Reading needs viewer. Units named in an answer are loaded in
//! one batch (the unit DataLoader), reservations' clients through theirs.
//! The figures are defined in docs/analytics.md.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, Object, Result};
use berth_core::Engine;
use berth_core::analytics::{
    DateSpan, DayOccupancy, DayView, Load, OccupancyReport, RankBy, Stats, UnitRanking,
};
use berth_core::ids::{TenantId, UnitId};
use berth_core::policy::OccupancyBasis;
use berth_core::unit::Unit as CoreUnit;
use berth_core::user::Role;

use crate::access::require;
use crate::error::{OrGraphql, internal};
use crate::loaders::UnitLoader;
use crate::reservations::Reservation;
use crate::scalars::Date;
use crate::types::{Money, Unit};

/// What occupancy counts, by booking model.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OccupancyMeasure {
    /// Nightly: nights of an item (a night counts once, on its date).
    Nights,
    /// Timeslot: seat-hours within the day's slots.
    SeatHours,
    /// Interval: item-hours within the opening hours.
    ItemHours,
}

impl From<OccupancyBasis> for OccupancyMeasure {
    fn from(b: OccupancyBasis) -> Self {
        match b {
            OccupancyBasis::Nights => Self::Nights,
            OccupancyBasis::SeatHours => Self::SeatHours,
            OccupancyBasis::ItemHours => Self::ItemHours,
        }
    }
}

/// What `topUnits` ranks by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopUnitsBy {
    /// Reserved nights (nightly) or reserved seat-/item-hours (other models).
    Nights,
    /// Estimated revenue.
    Revenue,
}

/// A measure as a number: nights, or hours.
fn amount(basis: OccupancyBasis, value: i64) -> f64 {
    match basis {
        OccupancyBasis::Nights => value as f64,
        OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => value as f64 / 3600.0,
    }
}

type Units = Arc<HashMap<UnitId, CoreUnit>>;

/// The units among `ids`, in one batch.
async fn units(ctx: &Context<'_>, tenant: TenantId, ids: &[UnitId]) -> Result<Units> {
    let loader = ctx.data_unchecked::<DataLoader<UnitLoader>>();
    let found = loader
        .load_many(ids.iter().map(|id| (tenant, *id)))
        .await
        .map_err(internal)?;
    Ok(Arc::new(
        found.into_iter().map(|((_, id), u)| (id, u)).collect(),
    ))
}

fn unit_of(units: &Units, id: UnitId) -> Result<Unit> {
    units
        .get(&id)
        .cloned()
        .map(Into::into)
        .ok_or_else(|| internal(format!("unit {id} vanished")))
}

/// Occupied and available capacity of one unit on one date.
#[derive(Debug)]
pub struct UnitOccupancy {
    basis: OccupancyBasis,
    unit_id: UnitId,
    load: Load,
    units: Units,
}

#[Object]
impl UnitOccupancy {
    /// The unit.
    async fn unit(&self) -> Result<Unit> {
        unit_of(&self.units, self.unit_id)
    }

    /// Capacity used: nights, or seat-/item-hours.
    async fn occupied(&self) -> f64 {
        amount(self.basis, self.load.occupied)
    }

    /// Capacity available (inventory, or inventory × open hours), less what
    /// blocks take.
    async fn capacity(&self) -> f64 {
        amount(self.basis, self.load.capacity)
    }

    /// Capacity blocks (staff and imported) took out of service: not in
    /// `capacity`.
    async fn blocked(&self) -> f64 {
        amount(self.basis, self.load.blocked)
    }

    /// occupied / capacity; null when closed (no capacity).
    async fn ratio(&self) -> Option<f64> {
        self.load.ratio()
    }
}

/// One date of the heatmap.
#[derive(Debug)]
pub struct OccupancyDay {
    basis: OccupancyBasis,
    day: DayOccupancy,
    units: Units,
}

#[Object]
impl OccupancyDay {
    /// The tenant-local date.
    async fn date(&self) -> Date {
        Date(self.day.date)
    }

    /// Capacity used by all units: nights, or seat-/item-hours.
    async fn occupied(&self) -> f64 {
        amount(self.basis, self.day.total.occupied)
    }

    /// Capacity available of all (non-archived) units: what they offer less
    /// what blocks take. Five cabins, one blocked and three booked: 3 of 4
    /// occupied, 1 blocked.
    async fn capacity(&self) -> f64 {
        amount(self.basis, self.day.total.capacity)
    }

    /// Capacity blocks (staff and imported) took out of service on the date:
    /// what they take of what the reservations leave free. Not in `capacity`.
    async fn blocked(&self) -> f64 {
        amount(self.basis, self.day.total.blocked)
    }

    /// occupied / capacity; null when closed.
    async fn ratio(&self) -> Option<f64> {
        self.day.total.ratio()
    }

    /// Per unit (with `byUnit: true`, and always in `day`); empty otherwise.
    async fn units(&self) -> Vec<UnitOccupancy> {
        self.day
            .units
            .iter()
            .map(|(unit_id, load)| UnitOccupancy {
                basis: self.basis,
                unit_id: *unit_id,
                load: *load,
                units: self.units.clone(),
            })
            .collect()
    }
}

/// Occupancy of a date range.
#[derive(Debug)]
pub struct Occupancy {
    report: OccupancyReport,
    units: Units,
}

#[Object]
impl Occupancy {
    /// First date.
    async fn from(&self) -> Date {
        Date(self.report.span.from())
    }

    /// Last date (included).
    async fn to(&self) -> Date {
        Date(self.report.span.to())
    }

    /// What `occupied` and `capacity` count.
    async fn measure(&self) -> OccupancyMeasure {
        self.report.basis.into()
    }

    /// Capacity used over the whole range.
    async fn occupied(&self) -> f64 {
        amount(self.report.basis, self.report.total.occupied)
    }

    /// Capacity available over the whole range (blocked capacity excluded).
    async fn capacity(&self) -> f64 {
        amount(self.report.basis, self.report.total.capacity)
    }

    /// Capacity blocks took out of service over the whole range.
    async fn blocked(&self) -> f64 {
        amount(self.report.basis, self.report.total.blocked)
    }

    /// occupied / capacity over the range; null without capacity.
    async fn ratio(&self) -> Option<f64> {
        self.report.total.ratio()
    }

    /// Every date of the range, in order.
    async fn days(&self) -> Vec<OccupancyDay> {
        self.report
            .days
            .iter()
            .map(|day| OccupancyDay {
                basis: self.report.basis,
                day: day.clone(),
                units: self.units.clone(),
            })
            .collect()
    }
}

/// Performance figures of a date range.
#[derive(Debug)]
pub struct PeriodStats {
    stats: Stats,
    previous: Option<Stats>,
    currency: String,
}

#[Object(name = "Stats")]
impl PeriodStats {
    /// First date.
    async fn from(&self) -> Date {
        Date(self.stats.span.from())
    }

    /// Last date (included).
    async fn to(&self) -> Date {
        Date(self.stats.span.to())
    }

    /// What occupancy, reserved capacity and length of stay count.
    async fn measure(&self) -> OccupancyMeasure {
        self.stats.basis.into()
    }

    /// Occupied / available capacity (non-archived units); null without capacity.
    async fn occupancy(&self) -> Option<f64> {
        self.stats.occupancy.ratio()
    }

    /// `occupancy` × 100.
    async fn occupancy_percent(&self) -> Option<f64> {
        self.stats.occupancy.ratio().map(|r| r * 100.0)
    }

    /// Capacity used: nights, or seat-/item-hours within open hours.
    async fn occupied(&self) -> f64 {
        amount(self.stats.basis, self.stats.occupancy.occupied)
    }

    /// Capacity available (blocked capacity excluded).
    async fn capacity(&self) -> f64 {
        amount(self.stats.basis, self.stats.occupancy.capacity)
    }

    /// Capacity blocks (staff and imported) took out of service.
    async fn blocked(&self) -> f64 {
        amount(self.stats.basis, self.stats.occupancy.blocked)
    }

    /// Nights × quantity reserved inside the range (nightly; null otherwise).
    async fn nights_reserved(&self) -> Option<i64> {
        matches!(self.stats.basis, OccupancyBasis::Nights).then_some(self.stats.reserved)
    }

    /// Hours × quantity of booked periods inside the range (timeslot and
    /// interval; null for nightly).
    async fn hours_reserved(&self) -> Option<f64> {
        (!matches!(self.stats.basis, OccupancyBasis::Nights))
            .then(|| amount(self.stats.basis, self.stats.reserved))
    }

    /// Estimated revenue: the parts of the price snapshots inside the range.
    async fn revenue(&self) -> Money {
        Money {
            amount: self.stats.revenue.amount_minor,
            currency: self.currency.clone(),
        }
    }

    /// Reservations arriving in the range that are held, confirmed, checked in
    /// or finished.
    async fn active_reservations(&self) -> u32 {
        self.stats.active
    }

    /// Canceled reservations that were to arrive in the range.
    async fn canceled_reservations(&self) -> u32 {
        self.stats.canceled
    }

    /// Reservations arriving in the range whose guest did not come.
    async fn absent_reservations(&self) -> u32 {
        self.stats.absent
    }

    /// Mean length of the active arrivals: nights (nightly) or hours.
    async fn average_length_of_stay(&self) -> Option<f64> {
        self.stats.average_length()
    }

    /// Mean days from booking to arrival of the active arrivals.
    async fn average_lead_time_days(&self) -> Option<f64> {
        self.stats.average_lead_days()
    }

    /// The same figures for the range of equal length just before (null on
    /// the previous figures themselves).
    async fn previous(&self) -> Option<PeriodStats> {
        self.previous.clone().map(|stats| PeriodStats {
            stats,
            previous: None,
            currency: self.currency.clone(),
        })
    }
}

/// A unit's place in a ranking.
#[derive(Debug)]
pub struct TopUnit {
    rank: usize,
    basis: OccupancyBasis,
    ranking: UnitRanking,
    units: Units,
}

#[Object]
impl TopUnit {
    /// 1 for the best.
    async fn rank(&self) -> usize {
        self.rank
    }

    /// The unit.
    async fn unit(&self) -> Result<Unit> {
        unit_of(&self.units, self.ranking.unit_id)
    }

    /// Nights × quantity reserved inside the range (nightly; null otherwise).
    async fn nights(&self) -> Option<i64> {
        matches!(self.basis, OccupancyBasis::Nights).then_some(self.ranking.reserved)
    }

    /// Hours × quantity reserved inside the range (timeslot, interval).
    async fn hours(&self) -> Option<f64> {
        (!matches!(self.basis, OccupancyBasis::Nights))
            .then(|| amount(self.basis, self.ranking.reserved))
    }

    /// Estimated revenue inside the range.
    async fn revenue(&self) -> Money {
        self.ranking.revenue.into()
    }

    /// Reservations with a part inside the range.
    async fn reservations(&self) -> u32 {
        self.ranking.reservations
    }

    /// The unit's occupancy over the range; null for archived units.
    async fn occupancy(&self) -> Option<f64> {
        self.ranking.occupancy.ratio()
    }
}

/// One date for the front desk.
#[derive(Debug)]
pub struct Day {
    view: DayView,
    units: Units,
}

#[Object]
impl Day {
    /// The tenant-local date.
    async fn date(&self) -> Date {
        Date(self.view.occupancy.date)
    }

    /// What the occupancy counts.
    async fn measure(&self) -> OccupancyMeasure {
        self.view.basis.into()
    }

    /// The date's occupancy, per unit too.
    async fn occupancy(&self) -> OccupancyDay {
        OccupancyDay {
            basis: self.view.basis,
            day: self.view.occupancy.clone(),
            units: self.units.clone(),
        }
    }

    /// Every reservation touching the date, in any state — arrivals, stays,
    /// departures — by start (at most 1,000). Their units and clients load in
    /// one batch each.
    async fn reservations(&self, ctx: &Context<'_>) -> Result<Vec<Reservation>> {
        let found = self.view.reservations.clone();
        Reservation::preload_all(ctx, ctx.look_ahead(), found, &[]).await
    }
}

/// Analytics queries.
#[derive(Default, Debug)]
pub struct AnalyticsQuery;

fn engine<'a>(ctx: &'a Context<'_>) -> &'a Engine {
    ctx.data_unchecked::<Engine>()
}

fn span(from: Date, to: Date) -> Result<DateSpan> {
    DateSpan::new(from.0, to.0)
        .map_err(berth_core::EngineError::from)
        .gql()
}

#[Object]
impl AnalyticsQuery {
    /// Occupancy per tenant-local date from `from` to `to` (both included, at
    /// most 366 days): the data of a calendar heatmap; per unit with `byUnit`.
    async fn occupancy(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default = false)] by_unit: bool,
    ) -> Result<Occupancy> {
        let viewer = require(ctx, Role::Viewer).await?;
        let report = engine(ctx)
            .occupancy(viewer.tenant_id, span(from, to)?, by_unit)
            .await
            .gql()?;
        let ids: Vec<UnitId> = report
            .days
            .first()
            .map(|d| d.units.iter().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        let units = units(ctx, viewer.tenant_id, &ids).await?;
        Ok(Occupancy { report, units })
    }

    /// The reservations touching a tenant-local date (with unit and client)
    /// and the date's occupancy.
    async fn day(&self, ctx: &Context<'_>, date: Date) -> Result<Day> {
        let viewer = require(ctx, Role::Viewer).await?;
        let view = engine(ctx).day(viewer.tenant_id, date.0).await.gql()?;
        let ids: Vec<UnitId> = view.occupancy.units.iter().map(|(id, _)| *id).collect();
        let units = units(ctx, viewer.tenant_id, &ids).await?;
        Ok(Day { view, units })
    }

    /// Performance figures from `from` to `to` (both included, at most 366
    /// days), with the same figures for the previous range of equal length.
    async fn stats(&self, ctx: &Context<'_>, from: Date, to: Date) -> Result<PeriodStats> {
        let viewer = require(ctx, Role::Viewer).await?;
        let found = engine(ctx)
            .stats(viewer.tenant_id, span(from, to)?)
            .await
            .gql()?;
        Ok(PeriodStats {
            currency: found.current.revenue.currency.to_string(),
            stats: found.current,
            previous: Some(found.previous),
        })
    }

    /// Units ranked by reserved nights (or seat-/item-hours) or by revenue
    /// from `from` to `to`, best first; `limit` 1–200.
    #[graphql(complexity = "crate::cost::ranked(limit, child_complexity)")]
    async fn top_units(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default = 10)] limit: i32,
        #[graphql(default_with = "TopUnitsBy::Revenue")] by: TopUnitsBy,
    ) -> Result<Vec<TopUnit>> {
        let viewer = require(ctx, Role::Viewer).await?;
        let engine = engine(ctx);
        let rank_by = match by {
            TopUnitsBy::Nights => RankBy::Reserved,
            TopUnitsBy::Revenue => RankBy::Revenue,
        };
        let limit = usize::try_from(limit).unwrap_or(0);
        let span = span(from, to)?;
        let ranked = engine
            .top_units(viewer.tenant_id, span, rank_by, limit)
            .await
            .gql()?;
        let basis = ranked.basis;
        let ids: Vec<UnitId> = ranked.units.iter().map(|r| r.unit_id).collect();
        let units = units(ctx, viewer.tenant_id, &ids).await?;
        Ok(ranked
            .units
            .into_iter()
            .enumerate()
            .map(|(i, ranking)| TopUnit {
                rank: i + 1,
                basis,
                ranking,
                units: units.clone(),
            })
            .collect())
    }
}
