//! `OpenCalendar`: the periods a tenant is open on each date of a span (from
//! the policy's `open_periods`), merged so that overlapping slots are not
//! counted twice — capacity is per instant, as in the booking rule.

use chrono::NaiveDate;

use super::span::DateSpan;
use crate::time_range::TimeRange;

/// Merged open periods per date of a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCalendar {
    span: DateSpan,
    days: Vec<Vec<TimeRange>>,
}

impl OpenCalendar {
    /// Asks `open` for every date of `span`.
    pub fn build<E>(
        span: DateSpan,
        mut open: impl FnMut(NaiveDate) -> Result<Vec<TimeRange>, E>,
    ) -> Result<Self, E> {
        let days = span
            .dates()
            .map(|d| open(d).map(merge))
            .collect::<Result<_, E>>()?;
        Ok(Self { span, days })
    }

    /// A calendar of `span` with no open periods (the nights basis needs none).
    pub fn closed(span: DateSpan) -> Self {
        Self {
            span,
            days: vec![Vec::new(); span.len()],
        }
    }

    /// The dates covered.
    pub const fn span(&self) -> DateSpan {
        self.span
    }

    /// The merged periods of `date` (none outside the span).
    pub fn periods(&self, date: NaiveDate) -> &[TimeRange] {
        self.span
            .index_of(date)
            .and_then(|i| self.days.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// Seconds open on `date`.
    pub fn open_seconds(&self, date: NaiveDate) -> i64 {
        self.periods(date)
            .iter()
            .map(|p| p.duration().num_seconds())
            .sum()
    }

    /// Seconds of `range` within the open periods of `date`.
    pub fn overlap_seconds(&self, date: NaiveDate, range: &TimeRange) -> i64 {
        self.periods(date)
            .iter()
            .map(|p| overlap_seconds(p, range))
            .sum()
    }

    /// The earliest start and latest end of any open period, if any.
    pub fn hull(&self) -> Option<TimeRange> {
        self.days.iter().flatten().copied().reduce(|a, b| {
            TimeRange::new(a.start().min(b.start()), a.end().max(b.end())).unwrap_or(a)
        })
    }
}

/// Seconds shared by two ranges.
pub fn overlap_seconds(a: &TimeRange, b: &TimeRange) -> i64 {
    let start = a.start().max(b.start());
    let end = a.end().min(b.end());
    (end - start).num_seconds().max(0)
}

/// Sorted, with overlapping or touching periods joined.
pub(crate) fn merge(mut periods: Vec<TimeRange>) -> Vec<TimeRange> {
    periods.sort_by_key(|p| (p.start(), p.end()));
    let mut merged: Vec<TimeRange> = Vec::with_capacity(periods.len());
    for p in periods {
        match merged.last_mut() {
            Some(last) if p.start() <= last.end() => {
                if p.end() > last.end() {
                    *last = TimeRange::new(last.start(), p.end()).unwrap_or(*last);
                }
            }
            _ => merged.push(p),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(a: &str, b: &str) -> TimeRange {
        TimeRange::new(a.parse().unwrap(), b.parse().unwrap()).unwrap()
    }

    #[test]
    fn overlapping_periods_are_merged() {
        let merged = merge(vec![
            r("2027-01-01T13:00:00Z", "2027-01-01T16:00:00Z"),
            r("2027-01-01T06:00:00Z", "2027-01-01T09:00:00Z"),
            r("2027-01-01T08:00:00Z", "2027-01-01T11:00:00Z"),
            r("2027-01-01T16:00:00Z", "2027-01-01T17:00:00Z"),
        ]);
        assert_eq!(
            merged,
            vec![
                r("2027-01-01T06:00:00Z", "2027-01-01T11:00:00Z"),
                r("2027-01-01T13:00:00Z", "2027-01-01T17:00:00Z"),
            ]
        );
    }
}
