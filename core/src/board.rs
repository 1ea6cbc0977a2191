//! The board (tape chart): one read of everything a range of days of a
//! tenant's units shows — the active units by name, every reservation touching
//! the range (any state), the blocks (staff and imported), the live locks, and
//! by model the slots with their free seats (timeslot) or the opening hours
//! (interval) — and the event cursor a follower of its changes resumes after.
//!
//! Its cost is fixed whatever the number of units, days and reservations: the
//! tenant, its units, the reservations, the blocks and the locks are one query
//! each, run concurrently; a timeslot tenant's capacity is one more occupancy
//! query over the hull of all slots. The policy is asked for each date's
//! slots once per kind of unit (`Policy::unit_key`), and seats left are
//! computed per unit over its sorted occupancy, not per unit-night (DESIGN.md,
//! "Policy runtime speed").

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::analytics::DateSpan;
use crate::capacity;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::event::EventCursor;
use crate::ical::block::CalendarBlock;
use crate::ids::{TenantId, UnitId};
use crate::lock::Lock;
use crate::policy::{OccupancyBasis, Policy, PolicyContext};
use crate::reservation::Reservation;
use crate::tenant::Tenant;
use crate::time_range::TimeRange;
use crate::unit::Unit;

/// The most days a board shows.
pub const BOARD_MAX_DAYS: u32 = 62;

/// The most reservations a board lists (by start; `truncated` says when there
/// were more).
pub const BOARD_RESERVATION_LIMIT: u32 = 10_000;

/// One slot of a unit and its seats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardSlot {
    /// The unit.
    pub unit_id: UnitId,
    /// The slot's period.
    pub period: TimeRange,
    /// The unit's inventory (seats).
    pub capacity: u32,
    /// Seats taken at the slot's fullest instant (reservations and blocks).
    pub taken: u32,
}

impl BoardSlot {
    /// Seats still free for the whole slot.
    pub fn left(&self) -> u32 {
        self.capacity.saturating_sub(self.taken)
    }
}

/// When a unit is open on a date (interval tenants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenHours {
    /// The unit.
    pub unit_id: UnitId,
    /// The tenant-local date.
    pub date: NaiveDate,
    /// Opening to closing.
    pub period: TimeRange,
}

/// What a board shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Board {
    /// The dates.
    pub span: DateSpan,
    /// The dates as instants (local midnight to local midnight).
    pub range: TimeRange,
    /// How the tenant's model measures: nights, seat-hours (timeslot) or
    /// item-hours (interval).
    pub basis: OccupancyBasis,
    /// The active units, by name.
    pub units: Vec<Unit>,
    /// Every reservation (any state) whose booked period touches the range, by
    /// start; at most [`BOARD_RESERVATION_LIMIT`].
    pub reservations: Vec<Reservation>,
    /// Whether there were more reservations than listed.
    pub truncated: bool,
    /// The blocks (staff and imported) touching the range, by start.
    pub blocks: Vec<CalendarBlock>,
    /// The live locks on a period touching the range, or on a whole unit or a
    /// reservation.
    pub locks: Vec<Lock>,
    /// Timeslot tenants: every slot of every active unit on the range's dates.
    pub slots: Vec<BoardSlot>,
    /// Interval tenants: each active unit's opening hours on each date.
    pub open_hours: Vec<OpenHours>,
    /// The tenant's latest readable event, read before everything above: a
    /// follower of the board's events resumes after it and misses nothing the
    /// board does not already show (it may see a change twice; applying an
    /// event is idempotent).
    pub cursor: EventCursor,
}

impl Engine {
    /// The board of the tenant-local dates `from..=to` (at most
    /// [`BOARD_MAX_DAYS`]; INVALID_INPUT otherwise).
    pub async fn board(
        &self,
        tenant_id: TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Board, EngineError> {
        let span = DateSpan::with_max(from, to, BOARD_MAX_DAYS)?;
        let tenant = self.tenant(tenant_id).await?;
        let range = span.instants(tenant.timezone)?;
        let policy = self.policies.policy(&tenant)?;
        let now = self.clock.now();
        let store = &self.store;
        // Read first: any change the reads below miss commits after it.
        let cursor = store.latest_event_cursor(tenant_id).await?;
        let (mut units, mut reservations, blocks, locks) = tokio::try_join!(
            store.units(tenant_id, false),
            store.reservations_touching(tenant_id, &range, BOARD_RESERVATION_LIMIT + 1),
            store.blocks_overlapping(tenant_id, &range),
            store.locks(tenant_id, now),
        )?;
        units.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
                .then(a.id.cmp(&b.id))
        });
        let truncated = reservations.len() > BOARD_RESERVATION_LIMIT as usize;
        reservations.truncate(BOARD_RESERVATION_LIMIT as usize);
        let locks = locks
            .into_iter()
            .filter(|l| l.range.is_none_or(|r| r.overlaps(&range)))
            .collect();
        let basis = policy.occupancy_basis();
        let (slots, open_hours) = match basis {
            OccupancyBasis::Nights => (Vec::new(), Vec::new()),
            OccupancyBasis::SeatHours => (
                self.board_slots(&*policy, &tenant, &units, span).await?,
                Vec::new(),
            ),
            OccupancyBasis::ItemHours => (Vec::new(), open_hours(&*policy, &tenant, &units, span)?),
        };
        Ok(Board {
            span,
            range,
            basis,
            units,
            reservations,
            truncated,
            blocks,
            locks,
            slots,
            open_hours,
            cursor,
        })
    }

    /// Every slot of every unit on the span's dates, with the seats taken:
    /// the policy asked once per kind of unit and date, one occupancy query
    /// for all units, and each unit's slots swept over its occupancy sorted
    /// by start.
    async fn board_slots(
        &self,
        policy: &dyn Policy,
        tenant: &Tenant,
        units: &[Unit],
        span: DateSpan,
    ) -> Result<Vec<BoardSlot>, EngineError> {
        let now = self.clock.now();
        let mut by_key: HashMap<String, Vec<TimeRange>> = HashMap::new();
        let mut per_unit: Vec<(&Unit, Vec<TimeRange>)> = Vec::with_capacity(units.len());
        for unit in units {
            let key = policy.unit_key(unit);
            if let Some(slots) = key.as_ref().and_then(|k| by_key.get(k)) {
                per_unit.push((unit, slots.clone()));
                continue;
            }
            let ctx = PolicyContext { tenant, unit, now };
            let mut slots = Vec::new();
            for date in span.dates() {
                slots.extend(policy.slots(&ctx, date)?);
            }
            slots.sort_by_key(|s| (s.start(), s.end()));
            if let Some(key) = key {
                by_key.insert(key, slots.clone());
            }
            per_unit.push((unit, slots));
        }
        let hull = per_unit
            .iter()
            .flat_map(|(_, slots)| slots.iter().copied())
            .reduce(|a, b| {
                TimeRange::new(a.start().min(b.start()), a.end().max(b.end())).unwrap_or(a)
            });
        let Some(hull) = hull else {
            return Ok(Vec::new());
        };
        let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
        let mut taken: HashMap<UnitId, Vec<(TimeRange, u32)>> = HashMap::new();
        for o in self.store.occupancy(tenant.id, &ids, &hull).await? {
            taken
                .entry(o.unit_id)
                .or_default()
                .push((o.occupied, o.quantity));
        }
        let mut out = Vec::new();
        for (unit, slots) in per_unit {
            let mut load = taken.remove(&unit.id).unwrap_or_default();
            load.sort_by_key(|(r, _)| r.start());
            let capacity = unit.inventory.get();
            for period in slots {
                // Only what starts before the slot ends can overlap it.
                let before_end = load.partition_point(|(r, _)| r.start() < period.end());
                let taken = capacity::peak_load(
                    load[..before_end]
                        .iter()
                        .filter(|(r, _)| r.end() > period.start())
                        .copied(),
                    &period,
                );
                out.push(BoardSlot {
                    unit_id: unit.id,
                    period,
                    capacity,
                    taken,
                });
            }
        }
        Ok(out)
    }
}

/// Each unit's opening hours on each date: the tenant's open periods (the
/// policy's, the same for every unit today), once per date.
fn open_hours(
    policy: &dyn Policy,
    tenant: &Tenant,
    units: &[Unit],
    span: DateSpan,
) -> Result<Vec<OpenHours>, EngineError> {
    let mut out = Vec::new();
    for date in span.dates() {
        let mut periods = policy.open_periods(tenant, date)?;
        periods.sort_by_key(|p| (p.start(), p.end()));
        for unit in units {
            out.extend(periods.iter().map(|period| OpenHours {
                unit_id: unit.id,
                date,
                period: *period,
            }));
        }
    }
    Ok(out)
}
