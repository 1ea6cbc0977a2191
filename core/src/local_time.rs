//! Tenant-local calendar time. Requests speak in the tenant's dates and wall-clock
//! times ("check in 2026-03-08 at 15:00 in America/New_York"); the engine stores
//! UTC instants. This module is the one place that converts, and it decides what a
//! wall-clock time means on daylight-saving days:
//!
//! - a time that does not exist (skipped by a spring-forward gap) resolves to the
//!   instant the clocks jumped to, i.e. it moves forward by the gap;
//! - a time that exists twice (repeated by a fall-back overlap) resolves to the
//!   earlier instant, so a guest never loses the hour they were promised.

use chrono::{
    DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

/// The UTC instant at which `date` + `time` happens in `tz`, resolving DST gaps
/// and overlaps as described in the module documentation.
pub fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => after_gap(tz, naive),
    }
}

/// The instant for a wall-clock time skipped by a DST gap: read it with the UTC
/// offset in force just before the gap, which places it exactly as far past the
/// gap's end as it was past the gap's start. A day earlier (in UTC) is always before
/// the transition, since no zone's offset exceeds 14 hours.
fn after_gap(tz: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    let offset_before = tz
        .offset_from_utc_datetime(&(naive - Duration::hours(24)))
        .fix();
    let utc = naive - Duration::seconds(i64::from(offset_before.local_minus_utc()));
    Utc.from_utc_datetime(&utc)
}

/// The tenant-local calendar date of an instant.
pub fn local_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    /// `time` on `date` in `tz` is the instant `expected` (RFC 3339).
    #[track_caller]
    fn assert_local(tz: Tz, date: NaiveDate, time: NaiveTime, expected: &str) {
        assert_eq!(local_instant(tz, date, time), utc(expected));
    }

    #[test]
    fn ordinary_days_convert_with_the_standard_offset() {
        let ny = chrono_tz::America::New_York;
        assert_local(ny, d(2026, 1, 15), t(15, 0), "2026-01-15T20:00:00Z");
        assert_local(ny, d(2026, 7, 15), t(15, 0), "2026-07-15T19:00:00Z");
    }

    #[test]
    fn new_york_spring_forward_gap_moves_forward() {
        // 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT.
        let ny = chrono_tz::America::New_York;
        assert_local(ny, d(2026, 3, 8), t(1, 59), "2026-03-08T06:59:00Z");
        assert_local(ny, d(2026, 3, 8), t(2, 30), "2026-03-08T07:30:00Z");
        assert_local(ny, d(2026, 3, 8), t(3, 0), "2026-03-08T07:00:00Z");
        // 02:30 does not exist; it becomes 03:30 EDT = 07:30Z, half an hour after 03:00.
        assert_eq!(
            local_instant(ny, d(2026, 3, 8), t(2, 30)) - local_instant(ny, d(2026, 3, 8), t(3, 0)),
            Duration::minutes(30)
        );
    }

    #[test]
    fn new_york_fall_back_overlap_takes_the_earlier_instant() {
        // 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST; 01:30 happens twice.
        let ny = chrono_tz::America::New_York;
        assert_local(ny, d(2026, 11, 1), t(1, 30), "2026-11-01T05:30:00Z");
        assert_local(ny, d(2026, 11, 1), t(15, 0), "2026-11-01T20:00:00Z");
    }

    #[test]
    fn berlin_dst_days() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
        assert_local(berlin, d(2026, 3, 29), t(2, 15), "2026-03-29T01:15:00Z");
        assert_local(berlin, d(2026, 3, 29), t(15, 0), "2026-03-29T13:00:00Z");
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
        assert_local(berlin, d(2026, 10, 25), t(2, 30), "2026-10-25T00:30:00Z");
        assert_local(berlin, d(2026, 10, 25), t(11, 0), "2026-10-25T10:00:00Z");
    }

    #[test]
    fn a_night_across_spring_forward_is_an_hour_shorter() {
        let ny = chrono_tz::America::New_York;
        let check_in = local_instant(ny, d(2026, 3, 7), t(15, 0));
        let check_out = local_instant(ny, d(2026, 3, 8), t(11, 0));
        assert_eq!(check_out - check_in, Duration::hours(19));
        let check_in = local_instant(ny, d(2026, 10, 31), t(15, 0));
        let check_out = local_instant(ny, d(2026, 11, 1), t(11, 0));
        assert_eq!(check_out - check_in, Duration::hours(21));
    }

    #[test]
    fn local_dates_follow_the_tenant_timezone() {
        let ny = chrono_tz::America::New_York;
        assert_eq!(local_date(ny, utc("2026-11-02T03:00:00Z")), d(2026, 11, 1));
        assert_eq!(
            local_date(chrono_tz::UTC, utc("2026-11-02T03:00:00Z")),
            d(2026, 11, 2)
        );
    }
}
