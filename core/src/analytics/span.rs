//! `DateSpan`: the tenant-local dates an analytics question is about, `from` and
//! `to` both included (what a calendar or a date-range picker shows), at most a
//! bounded number of days; and the span of equal length just before it, for
//! comparisons.

use chrono::{Days, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use crate::error::EngineError;
use crate::local_time::local_instant;
use crate::time_range::TimeRange;

/// Inclusive tenant-local dates `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateSpan {
    from: NaiveDate,
    to: NaiveDate,
}

/// Dates that do not make a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSpan {
    /// `to` is before `from`.
    #[error("`from` ({from}) must not be after `to` ({to})")]
    Reversed {
        /// First date asked for.
        from: NaiveDate,
        /// Last date asked for.
        to: NaiveDate,
    },
    /// More days than allowed.
    #[error("the range has {days} days; at most {max} are allowed")]
    TooLong {
        /// Days asked for.
        days: i64,
        /// The limit.
        max: u32,
    },
    /// A date too close to the end of the calendar's range.
    #[error("the dates are out of range")]
    OutOfRange,
}

impl From<InvalidSpan> for EngineError {
    fn from(e: InvalidSpan) -> Self {
        let field = match e {
            InvalidSpan::Reversed { .. } | InvalidSpan::TooLong { .. } => "to",
            InvalidSpan::OutOfRange => "from",
        };
        Self::InvalidInput {
            field,
            message: e.to_string(),
        }
    }
}

impl DateSpan {
    /// The most days one analytics question may cover (a leap year).
    pub const MAX_DAYS: u32 = 366;

    /// `from..=to`, at most [`Self::MAX_DAYS`] days.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, InvalidSpan> {
        Self::with_max(from, to, Self::MAX_DAYS)
    }

    /// `from..=to`, at most `max` days. Both ends and the span before it must
    /// lie well inside chrono's calendar.
    pub fn with_max(from: NaiveDate, to: NaiveDate, max: u32) -> Result<Self, InvalidSpan> {
        if to < from {
            return Err(InvalidSpan::Reversed { from, to });
        }
        let days = (to - from).num_days() + 1;
        if days > i64::from(max) {
            return Err(InvalidSpan::TooLong { days, max });
        }
        let span = Self { from, to };
        // Room for the previous span, and for the day after `to`.
        let room = u64::from(max) + 2;
        if from.checked_sub_days(Days::new(room)).is_none()
            || to.checked_add_days(Days::new(2)).is_none()
        {
            return Err(InvalidSpan::OutOfRange);
        }
        Ok(span)
    }

    /// The one day `date`.
    pub fn day(date: NaiveDate) -> Result<Self, InvalidSpan> {
        Self::with_max(date, date, 1)
    }

    /// The first date.
    pub const fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last date (included).
    pub const fn to(&self) -> NaiveDate {
        self.to
    }

    /// How many dates.
    pub fn len(&self) -> usize {
        usize::try_from((self.to - self.from).num_days() + 1).unwrap_or(0)
    }

    /// Never empty; here for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every date, in order.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        self.from.iter_days().take(self.len())
    }

    /// The position of `date` in the span.
    pub fn index_of(&self, date: NaiveDate) -> Option<usize> {
        if date < self.from || date > self.to {
            return None;
        }
        usize::try_from((date - self.from).num_days()).ok()
    }

    /// The span of equal length that ends the day before `from`.
    pub fn previous(&self) -> Self {
        let days = Days::new(self.len() as u64);
        // `with_max` made room for this.
        Self {
            from: self.from.checked_sub_days(days).unwrap_or(NaiveDate::MIN),
            to: self.from.pred_opt().unwrap_or(NaiveDate::MIN),
        }
    }

    /// The smallest span covering both.
    pub fn hull(&self, other: &Self) -> Self {
        Self {
            from: self.from.min(other.from),
            to: self.to.max(other.to),
        }
    }

    /// The day after `to`.
    pub fn end_date(&self) -> NaiveDate {
        self.to.succ_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The span as instants in `tz`: from the midnight starting `from` to the
    /// midnight ending `to`.
    pub fn instants(&self, tz: Tz) -> Result<TimeRange, InvalidSpan> {
        let start = local_instant(tz, self.from, NaiveTime::MIN);
        let end = local_instant(tz, self.end_date(), NaiveTime::MIN);
        // A span has at least one day, so the end is after the start.
        TimeRange::new(start, end).map_err(|_| InvalidSpan::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn spans_are_inclusive_and_bounded() {
        let s = DateSpan::new(d("2027-03-01"), d("2027-03-31")).unwrap();
        assert_eq!(s.len(), 31);
        assert_eq!(s.dates().count(), 31);
        assert_eq!(s.index_of(d("2027-03-31")), Some(30));
        assert_eq!(s.index_of(d("2027-04-01")), None);
        let p = s.previous();
        assert_eq!((p.from(), p.to()), (d("2027-01-29"), d("2027-02-28")));
        assert_eq!(p.len(), 31);
        assert!(DateSpan::new(d("2027-03-02"), d("2027-03-01")).is_err());
        assert!(
            DateSpan::new(d("2027-01-01"), d("2028-01-01")).is_ok(),
            "366 days"
        );
        assert!(matches!(
            DateSpan::new(d("2027-01-01"), d("2028-01-02")),
            Err(InvalidSpan::TooLong { days: 367, .. })
        ));
        assert!(DateSpan::day(d("2027-03-28")).unwrap().len() == 1);
    }

    #[test]
    fn instants_follow_the_local_midnights() {
        let zurich = chrono_tz::Europe::Zurich;
        let s = DateSpan::day(d("2027-03-28")).unwrap();
        let r = s.instants(zurich).unwrap();
        assert_eq!(r.start().to_rfc3339(), "2027-03-27T23:00:00+00:00");
        assert_eq!(r.duration(), chrono::Duration::hours(23));
        let s = DateSpan::day(d("2027-10-31")).unwrap();
        assert_eq!(
            s.instants(zurich).unwrap().duration(),
            chrono::Duration::hours(25)
        );
    }
}
