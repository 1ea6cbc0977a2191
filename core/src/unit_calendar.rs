//! One unit's availability per tenant-local day, for the coming weeks: what a
//! public site shows beside its estimator. The shape follows the tenant's booking
//! model — nightly: how many items are free each night; timeslot: the day's slots
//! with seats left; interval: the opening hours and the times already taken.
//!
//! Everything is read in one occupancy query over the whole window; the policy
//! says how a night, a day's slots and its opening hours fall in time, so the
//! calendar agrees with the quotes the same policy gives. It shows capacity only:
//! a date may still be refused by a rule (a minimum stay, a lead time), which the
//! estimator says in words.

use chrono::NaiveDate;

use crate::capacity;
use crate::engine::{Engine, SlotAvailability};
use crate::error::EngineError;
use crate::ids::{TenantId, UnitId};
use crate::policy::{OccupancyBasis, PeriodRequest};
use crate::time_range::TimeRange;

/// The most days one calendar covers (a little over a year).
pub const MAX_CALENDAR_DAYS: u32 = 400;

/// A unit's availability per day, in its booking model's terms.
#[derive(Clone, Debug, PartialEq)]
pub enum UnitCalendar {
    /// Nightly: each night from its date to the next.
    Nights(Vec<NightAvailability>),
    /// Timeslot: each day's slots.
    Slots(Vec<DaySlots>),
    /// Interval: each day's opening hours and the times taken in them.
    Hours(Vec<DayHours>),
}

/// How many items of a nightly unit are free for the night starting on `date`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NightAvailability {
    /// The arrival date of the night (tenant-local).
    pub date: NaiveDate,
    /// The unit's inventory.
    pub capacity: u32,
    /// Items no active reservation takes at any moment of that night.
    pub free: u32,
}

/// How a night or a slot stands: nothing taken, some taken, or all taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Every item free.
    Free,
    /// Some items free.
    Partly,
    /// No item free.
    Full,
}

impl Fill {
    /// The fill of `free` out of `capacity`.
    pub fn of(free: u32, capacity: u32) -> Self {
        if free == 0 {
            Self::Full
        } else if free >= capacity {
            Self::Free
        } else {
            Self::Partly
        }
    }
}

impl NightAvailability {
    /// Free, partly free or full.
    pub fn fill(&self) -> Fill {
        Fill::of(self.free, self.capacity)
    }
}

/// A timeslot unit's slots on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct DaySlots {
    /// The day (tenant-local).
    pub date: NaiveDate,
    /// Its slots in time order, with seats left.
    pub slots: Vec<SlotAvailability>,
}

/// An interval unit's day: when it is open and what is taken.
#[derive(Clone, Debug, PartialEq)]
pub struct DayHours {
    /// The day (tenant-local).
    pub date: NaiveDate,
    /// The opening hours as instants; empty on a closed day.
    pub open: Vec<TimeRange>,
    /// The unit's inventory.
    pub capacity: u32,
    /// Taken times overlapping the opening hours (buffers included), in time
    /// order.
    pub taken: Vec<Taken>,
}

/// A stretch of time with `quantity` items taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// When.
    pub range: TimeRange,
    /// How many items.
    pub quantity: u32,
}

/// The days of a calendar, checked.
fn days(from: NaiveDate, count: u32) -> Result<Vec<NaiveDate>, EngineError> {
    if count == 0 || count > MAX_CALENDAR_DAYS {
        return Err(EngineError::InvalidInput {
            field: "days",
            message: format!("a calendar covers 1 to {MAX_CALENDAR_DAYS} days"),
        });
    }
    Ok(from.iter_days().take(count as usize).collect())
}

/// The smallest range covering all of `ranges`.
fn hull<'a>(ranges: impl IntoIterator<Item = &'a TimeRange>) -> Option<TimeRange> {
    ranges
        .into_iter()
        .copied()
        .reduce(|a, b| TimeRange::new(a.start().min(b.start()), a.end().max(b.end())).unwrap_or(a))
}

impl Engine {
    /// The availability of `unit_id` for `days` tenant-local days from `from`
    /// (1 to [`MAX_CALENDAR_DAYS`]), in its booking model's terms. Archived
    /// units are NOT_FOUND: the calendar is what a public page shows.
    pub async fn unit_calendar(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        from: NaiveDate,
        days: u32,
    ) -> Result<UnitCalendar, EngineError> {
        let dates = self::days(from, days)?;
        let (tenant, unit) = self.tenant_and_unit(tenant_id, unit_id).await?;
        if unit.archived {
            return Err(EngineError::NotFound {
                entity: "unit",
                id: unit_id.to_string(),
            });
        }
        let policy = self.policies.policy(&tenant)?;
        let ctx = self.ctx(&tenant, &unit);
        let capacity = unit.inventory.get();
        // Where each day's answer lies in time, per model.
        let per_day: Vec<(NaiveDate, Vec<TimeRange>)> = match policy.occupancy_basis() {
            OccupancyBasis::Nights => dates
                .iter()
                .map(|&date| {
                    let night = PeriodRequest::Nights {
                        check_in: date,
                        check_out: date.succ_opt().unwrap_or(date),
                    };
                    Ok((date, vec![policy.resolve_period(&ctx, &night)?.occupied]))
                })
                .collect::<Result<_, EngineError>>()?,
            OccupancyBasis::SeatHours => dates
                .iter()
                .map(|&date| Ok((date, policy.slots(&ctx, date)?)))
                .collect::<Result<_, EngineError>>()?,
            OccupancyBasis::ItemHours => dates
                .iter()
                .map(|&date| Ok((date, policy.open_periods(&tenant, date)?)))
                .collect::<Result<_, EngineError>>()?,
        };
        let taken: Vec<(TimeRange, u32)> = match hull(per_day.iter().flat_map(|(_, r)| r)) {
            Some(window) => self
                .store
                .occupancy(tenant_id, &[unit.id], &window)
                .await?
                .into_iter()
                .map(|o| (o.occupied, o.quantity))
                .collect(),
            None => Vec::new(),
        };
        let free_in = |range: &TimeRange| {
            capacity.saturating_sub(capacity::peak_load(taken.iter().copied(), range))
        };
        Ok(match policy.occupancy_basis() {
            OccupancyBasis::Nights => UnitCalendar::Nights(
                per_day
                    .iter()
                    .map(|(date, ranges)| NightAvailability {
                        date: *date,
                        capacity,
                        free: ranges.first().map_or(capacity, free_in),
                    })
                    .collect(),
            ),
            OccupancyBasis::SeatHours => UnitCalendar::Slots(
                per_day
                    .into_iter()
                    .map(|(date, slots)| DaySlots {
                        date,
                        slots: slots
                            .iter()
                            .map(|period| SlotAvailability {
                                period: *period,
                                capacity,
                                free: free_in(period),
                            })
                            .collect(),
                    })
                    .collect(),
            ),
            OccupancyBasis::ItemHours => UnitCalendar::Hours(
                per_day
                    .into_iter()
                    .map(|(date, open)| {
                        let mut in_hours: Vec<Taken> = taken
                            .iter()
                            .filter(|(range, _)| open.iter().any(|o| o.overlaps(range)))
                            .map(|&(range, quantity)| Taken { range, quantity })
                            .collect();
                        in_hours.sort_by_key(|t| (t.range.start(), t.range.end()));
                        DayHours {
                            date,
                            open,
                            capacity,
                            taken: in_hours,
                        }
                    })
                    .collect(),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_names_free_partly_and_full() {
        assert_eq!(Fill::of(3, 3), Fill::Free);
        assert_eq!(Fill::of(1, 3), Fill::Partly);
        assert_eq!(Fill::of(0, 3), Fill::Full);
        assert_eq!(Fill::of(0, 1), Fill::Full);
    }

    #[test]
    fn a_calendar_covers_one_to_four_hundred_days() {
        let from = NaiveDate::from_ymd_opt(2026, 12, 30).unwrap();
        assert_eq!(
            days(from, 3).unwrap(),
            vec![
                from,
                NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            ]
        );
        assert!(days(from, 0).is_err());
        assert!(days(from, MAX_CALENDAR_DAYS + 1).is_err());
    }
}
