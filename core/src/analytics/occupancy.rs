//! Occupancy per date and unit: occupied and available capacity and their ratio
//! — the data of a calendar heatmap.
//!
//! Nights: the night of date `d` is occupied by a counted reservation with
//! check-in ≤ `d` < check-out, times its quantity; a unit's capacity on `d` is
//! its inventory. Seat-/item-hours: a counted reservation occupies, on date `d`,
//! its quantity × the seconds of its booked period inside `d`'s open periods; a
//! unit's capacity on `d` is inventory × the seconds `d` is open. A unit counts
//! on `d` as it stood at the end of `d` (`UnitHistory`): with its inventory
//! then, or not at all before it was created or once it was archived. A unit
//! that counts on no date of the span is left out on both sides (its
//! reservations still count in the other figures).
//!
//! Blocks (staff and imported) make capacity unavailable: on a date a block
//! covers, a unit's capacity loses what the block takes of what its counted
//! reservations leave free, and that amount is reported as `blocked`. Nights:
//! a block covers the nights from its first day to its end day (for a timed
//! block, the local dates of its start and end, as for a reservation without
//! dates). Hours: the seconds of the unit's blocks (merged) inside the date's
//! open periods, times the inventory, less the reservations' seconds inside
//! both. So five cabins, one blocked and three booked, read 3 of 4 occupied,
//! 1 blocked; a reservation under an imported block (a double booking) stays
//! occupied and the block takes nothing of it.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};

use super::dataset::Dataset;
use super::span::DateSpan;
use super::windows::{merge, overlap_seconds};
use crate::ical::block::CalendarBlock;
use crate::ids::UnitId;
use crate::local_time::{local_date, local_instant};
use crate::policy::OccupancyBasis;
use crate::time_range::TimeRange;

/// Occupied and available capacity, in the basis' measure: nights, or seconds
/// (seat- or item-seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    /// Capacity used.
    pub occupied: i64,
    /// Capacity available: what the units offer, less what blocks take.
    pub capacity: i64,
    /// Capacity blocks took out of service (not in `capacity`).
    pub blocked: i64,
}

impl Load {
    /// occupied / capacity; `None` when there is no capacity (closed).
    pub fn ratio(&self) -> Option<f64> {
        (self.capacity > 0).then(|| self.occupied as f64 / self.capacity as f64)
    }

    fn add(&mut self, other: Load) {
        self.occupied += other.occupied;
        self.capacity += other.capacity;
        self.blocked += other.blocked;
    }
}

/// One date of the heatmap.
#[derive(Clone, Debug, PartialEq)]
pub struct DayOccupancy {
    /// The tenant-local date.
    pub date: NaiveDate,
    /// All units together.
    pub total: Load,
    /// Per unit (those that count on some date of the span, in the units'
    /// order), when asked for.
    pub units: Vec<(UnitId, Load)>,
}

/// Occupancy of a span.
#[derive(Clone, Debug, PartialEq)]
pub struct OccupancyReport {
    /// What is counted.
    pub basis: OccupancyBasis,
    /// The dates.
    pub span: DateSpan,
    /// The whole span, all units.
    pub total: Load,
    /// Each date.
    pub days: Vec<DayOccupancy>,
}

/// The load of every (date, unit that counts on some date) of a span.
#[derive(Clone, Debug)]
pub(crate) struct Grid {
    span: DateSpan,
    pub(crate) units: Vec<UnitId>,
    cells: Vec<Load>,
}

impl Grid {
    pub(crate) fn compute(data: &Dataset<'_>, span: DateSpan) -> Self {
        let tz = data.timezone;
        // What each unit offered on each date: as it stood at the date's end.
        let ends: Vec<_> = span
            .dates()
            .map(|d| local_instant(tz, d.succ_opt().unwrap_or(d), NaiveTime::MIN))
            .collect();
        let offered = |unit: UnitId| -> Vec<i64> {
            ends.iter()
                .map(|end| {
                    data.history
                        .offered_before(unit, *end)
                        .map_or(0, |inventory| i64::from(inventory.get()))
                })
                .collect()
        };
        let units: Vec<(UnitId, Vec<i64>)> = data
            .units
            .iter()
            .map(|u| (u.id, offered(u.id)))
            .filter(|(_, inventory)| inventory.iter().any(|n| *n > 0))
            .collect();
        let column: HashMap<UnitId, usize> = units
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let width = units.len();
        let mut cells = vec![Load::default(); span.len() * width];
        for (row, date) in span.dates().enumerate() {
            let open = match data.basis {
                OccupancyBasis::Nights => 1,
                _ => data.calendar.open_seconds(date),
            };
            for (col, (_, inventory)) in units.iter().enumerate() {
                cells[row * width + col].capacity = inventory[row] * open;
            }
        }
        for b in data.bookings.iter().filter(|b| b.counts()) {
            let Some(&col) = column.get(&b.unit_id) else {
                continue;
            };
            let quantity = i64::from(b.quantity);
            let mut occupy = |date: NaiveDate, amount: i64| {
                if let Some(row) = span.index_of(date) {
                    cells[row * width + col].occupied += quantity * amount;
                }
            };
            match data.basis {
                OccupancyBasis::Nights => {
                    let (check_in, check_out) = b.nights(tz);
                    let first = check_in.max(span.from());
                    let end = check_out.min(span.end_date());
                    for date in first.iter_days().take_while(|d| *d < end) {
                        occupy(date, 1);
                    }
                }
                OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => {
                    // A date's open periods may run past its midnight (a late
                    // slot), so the day before the start is looked at too.
                    let start = local_date(tz, b.period.start());
                    let first = start.pred_opt().unwrap_or(start).max(span.from());
                    let last = local_date(tz, b.period.end()).min(span.to());
                    for date in first.iter_days().take_while(|d| *d <= last) {
                        occupy(date, data.calendar.overlap_seconds(date, &b.period));
                    }
                }
            }
        }
        let (ids, inventories): (Vec<UnitId>, Vec<Vec<i64>>) = units.into_iter().unzip();
        let mut grid = Self {
            span,
            units: ids,
            cells,
        };
        grid.block(data, &column, &inventories);
        grid
    }

    /// Takes out of the capacity what the blocks take of what the counted
    /// reservations leave free (see the module's documentation).
    fn block(
        &mut self,
        data: &Dataset<'_>,
        column: &HashMap<UnitId, usize>,
        inventories: &[Vec<i64>],
    ) {
        let tz = data.timezone;
        let width = self.units.len();
        let mut by_unit: HashMap<usize, Vec<&CalendarBlock>> = HashMap::new();
        for b in data.blocks {
            if let Some(&col) = column.get(&b.unit_id) {
                by_unit.entry(col).or_default().push(b);
            }
        }
        for (col, blocks) in by_unit {
            let mut blocked_rows: Vec<(usize, i64)> = Vec::new();
            match data.basis {
                OccupancyBasis::Nights => {
                    let mut rows = vec![false; self.span.len()];
                    for b in &blocks {
                        let (first, end) = match (b.first_day, b.end_day) {
                            (Some(first), Some(end)) => (first, end),
                            _ => (
                                local_date(tz, b.range.start()),
                                local_date(tz, b.range.end()),
                            ),
                        };
                        let first = first.max(self.span.from());
                        let end = end.min(self.span.end_date());
                        for date in first.iter_days().take_while(|d| *d < end) {
                            if let Some(row) = self.span.index_of(date) {
                                rows[row] = true;
                            }
                        }
                    }
                    for (row, _) in rows.iter().enumerate().filter(|(_, b)| **b) {
                        let cell = self.cells[row * width + col];
                        blocked_rows.push((row, (cell.capacity - cell.occupied).max(0)));
                    }
                }
                OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => {
                    let merged = merge(blocks.iter().map(|b| b.range).collect());
                    let unit = self.units[col];
                    let inside: Vec<_> = data
                        .bookings
                        .iter()
                        .filter(|b| b.counts() && b.unit_id == unit)
                        .filter(|b| merged.iter().any(|m| m.overlaps(&b.period)))
                        .collect();
                    for (row, date) in self.span.dates().enumerate() {
                        let open = data.calendar.periods(date);
                        let cell = self.cells[row * width + col];
                        if cell.capacity == 0 {
                            continue;
                        }
                        let mut covered = 0;
                        let mut reserved = 0;
                        for m in &merged {
                            for p in open {
                                let Ok(both) = intersection(m, p) else {
                                    continue;
                                };
                                covered += both.duration().num_seconds();
                                for b in &inside {
                                    reserved +=
                                        i64::from(b.quantity) * overlap_seconds(&both, &b.period);
                                }
                            }
                        }
                        if covered > 0 {
                            let inventory = inventories[col][row];
                            blocked_rows.push((row, (inventory * covered - reserved).max(0)));
                        }
                    }
                }
            }
            for (row, blocked) in blocked_rows {
                let cell = &mut self.cells[row * width + col];
                let blocked = blocked.min(cell.capacity);
                cell.capacity -= blocked;
                cell.blocked += blocked;
            }
        }
    }

    fn row(&self, row: usize) -> &[Load] {
        let width = self.units.len();
        &self.cells[row * width..(row + 1) * width]
    }

    /// The whole span, all units.
    pub(crate) fn total(&self) -> Load {
        let mut total = Load::default();
        for cell in &self.cells {
            total.add(*cell);
        }
        total
    }

    /// The whole span, per unit.
    pub(crate) fn per_unit(&self) -> HashMap<UnitId, Load> {
        let mut out: HashMap<UnitId, Load> = HashMap::new();
        for row in 0..self.span.len() {
            for (unit, cell) in self.units.iter().zip(self.row(row)) {
                out.entry(*unit).or_default().add(*cell);
            }
        }
        out
    }

    pub(crate) fn report(&self, basis: OccupancyBasis, by_unit: bool) -> OccupancyReport {
        let days = self
            .span
            .dates()
            .enumerate()
            .map(|(row, date)| {
                let cells = self.row(row);
                let mut total = Load::default();
                for cell in cells {
                    total.add(*cell);
                }
                DayOccupancy {
                    date,
                    total,
                    units: if by_unit {
                        self.units
                            .iter()
                            .copied()
                            .zip(cells.iter().copied())
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        OccupancyReport {
            basis,
            span: self.span,
            total: self.total(),
            days,
        }
    }
}

/// The common part of two ranges, if they overlap.
fn intersection(a: &TimeRange, b: &TimeRange) -> Result<TimeRange, crate::time_range::EmptyRange> {
    TimeRange::new(a.start().max(b.start()), a.end().min(b.end()))
}

/// Occupancy of every date of `span`, per unit when `by_unit`.
pub fn occupancy(data: &Dataset<'_>, span: DateSpan, by_unit: bool) -> OccupancyReport {
    Grid::compute(data, span).report(data.basis, by_unit)
}
