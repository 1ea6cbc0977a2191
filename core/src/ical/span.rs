//! `Span`: what one iCalendar event covers, in the two shapes calendars use. Whole
//! days (`VALUE=DATE`, what Airbnb-style sites export and import for nightly
//! stays) stay dates until the engine knows the tenant's booking model; times
//! (UTC, `TZID=` or floating) are resolved to instants when the file is read.

use chrono::NaiveDate;

use crate::time_range::TimeRange;

/// What an event covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Span {
    /// Whole days: `first` up to, not including, `end` (iCalendar's DTEND of an
    /// all-day event is the day after the last one; for a stay, the check-out).
    Days {
        /// The first day (check-in).
        first: NaiveDate,
        /// The day after the last one (check-out).
        end: NaiveDate,
    },
    /// A half-open range of instants.
    Instants(TimeRange),
}
