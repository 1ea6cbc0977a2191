//! Operations analytics: occupancy per date (the calendar heatmap), one day's
//! reservations and occupancy, performance figures compared with the previous
//! period, and units ranked. The definitions (see docs/analytics.md)
//! hold across booking models: a night counts once on its date;
//! timeslot and interval occupancy is seat-/item-hours over the open periods.
//! The store returns a narrow projection of the reservations of a range in one
//! query; everything else is pure computation over it, here.

mod booking;
mod dataset;
mod occupancy;
mod queries;
mod share;
mod span;
mod stats;
mod top_units;
mod windows;

#[cfg(test)]
mod fixtures;

pub use booking::{Booking, counts};
pub use dataset::Dataset;
pub use occupancy::{DayOccupancy, Load, OccupancyReport, occupancy};
pub use queries::{DAY_LIMIT, DayView, StatsComparison, TOP_UNITS_LIMIT, TopUnits};
pub use share::{Share, prorate, share};
pub use span::{DateSpan, InvalidSpan};
pub use stats::{Stats, stats};
pub use top_units::{RankBy, UnitRanking, top_units};
pub use windows::{OpenCalendar, overlap_seconds};
