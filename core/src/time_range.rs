//! `TimeRange`: a half-open interval `[start, end)` of UTC instants with
//! `start < end`. Reservations, occupied intervals and locks are all time ranges;
//! half-openness is what makes same-day turnover work (a stay ending at 10:00 and
//! one starting at 10:00 do not overlap).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A non-empty half-open interval of instants, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawRange")]
pub struct TimeRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Why a pair of instants is not a time range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the end ({end}) must be after the start ({start})")]
pub struct EmptyRange {
    /// The requested start.
    pub start: DateTime<Utc>,
    /// The requested end, which is not after the start.
    pub end: DateTime<Utc>,
}

impl TimeRange {
    /// Builds `[start, end)`, refusing empty or inverted ranges.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, EmptyRange> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(EmptyRange { start, end })
        }
    }

    /// The first instant inside the range.
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the range.
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// How long the range lasts.
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// True when the two ranges share at least one instant.
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `instant` lies inside the range.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    /// The range widened by `before` at the start and `after` at the end
    /// (buffers and turnover time). Negative durations are treated as zero.
    pub fn widened(&self, before: Duration, after: Duration) -> Self {
        let before = before.max(Duration::zero());
        let after = after.max(Duration::zero());
        Self {
            start: self.start - before,
            end: self.end + after,
        }
    }
}

#[derive(Deserialize)]
struct RawRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<RawRange> for TimeRange {
    type Error = EmptyRange;
    fn try_from(raw: RawRange) -> Result<Self, Self::Error> {
        TimeRange::new(raw.start, raw.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn empty_and_inverted_ranges_are_refused() {
        assert!(TimeRange::new(at(10), at(10)).is_err());
        assert!(TimeRange::new(at(11), at(10)).is_err());
        assert!(TimeRange::new(at(10), at(11)).is_ok());
    }

    #[test]
    fn touching_ranges_do_not_overlap() {
        let morning = TimeRange::new(at(8), at(10)).unwrap();
        let later = TimeRange::new(at(10), at(12)).unwrap();
        assert!(!morning.overlaps(&later));
        assert!(!later.overlaps(&morning));
        let across = TimeRange::new(at(9), at(11)).unwrap();
        assert!(morning.overlaps(&across) && later.overlaps(&across));
    }

    #[test]
    fn widening_adds_buffers_and_ignores_negative_ones() {
        let r = TimeRange::new(at(10), at(12)).unwrap();
        let w = r.widened(Duration::minutes(30), Duration::hours(1));
        assert_eq!(w.start(), at(9) + Duration::minutes(30));
        assert_eq!(w.end(), at(13));
        assert_eq!(r.widened(Duration::hours(-1), Duration::zero()), r);
    }

    #[test]
    fn deserializing_checks_the_invariant() {
        let bad = r#"{"start":"2026-07-01T10:00:00Z","end":"2026-07-01T09:00:00Z"}"#;
        assert!(serde_json::from_str::<TimeRange>(bad).is_err());
    }
}
