//! Recurring events, expanded by berth's iCalendar reader, against an
//! independent implementation of RFC 5545's rules: python-dateutil's `rrule`
//! (server/tests/py/rrule_occurrences.py). Every case's occurrences, as UTC
//! instants, must agree — across DST changes, month ends, leap days, ordinal
//! weekdays and week starts. (Each DTSTART matches its rule: where it does not,
//! RFC 5545 counts it as an occurrence and dateutil does not.)

use berth_core::ical::read::read;
use berth_core::ical::span::Span;
use berth_core::time_range::TimeRange;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::ical::{python, run_python};

/// (DTSTART wall clock, zone, rule, expand until (UTC, exclusive)).
const CASES: &[(&str, &str, &str, &str)] = &[
    // Weekends at 10:00 Oslo time, across the autumn change.
    (
        "2026-10-17T10:00:00",
        "Europe/Oslo",
        "FREQ=WEEKLY;BYDAY=SA,SU",
        "2026-12-01T00:00:00",
    ),
    // The last Friday of each month.
    (
        "2026-10-30T09:00:00",
        "Europe/Berlin",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "2027-06-01T00:00:00",
    ),
    // The 31st: months without one are skipped.
    (
        "2026-10-31T08:00:00",
        "America/New_York",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "2027-12-31T00:00:00",
    ),
    // Every other week from Sunday-started weeks, on Mondays and Wednesdays.
    (
        "2026-11-02T07:30:00",
        "Europe/Zurich",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU",
        "2027-02-01T00:00:00",
    ),
    (
        "2026-11-02T07:30:00",
        "Europe/Zurich",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=MO",
        "2027-02-01T00:00:00",
    ),
    // Every third day, ten times, over the year's end.
    (
        "2026-12-30T23:00:00",
        "Etc/UTC",
        "FREQ=DAILY;INTERVAL=3;COUNT=10",
        "2028-01-01T00:00:00",
    ),
    // 29 February.
    (
        "2028-02-29T12:00:00",
        "Australia/Sydney",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "2041-01-01T00:00:00",
    ),
    // The second and fourth Tuesday, and the last Sunday of March and October.
    (
        "2026-11-10T18:00:00",
        "America/Denver",
        "FREQ=MONTHLY;BYDAY=2TU,4TU",
        "2027-05-01T00:00:00",
    ),
    (
        "2027-03-28T12:00:00",
        "Europe/Oslo",
        "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU",
        "2030-01-01T00:00:00",
    ),
    // 02:30 on the day clocks jump from 02:00 to 03:00 does not exist: read
    // with the offset before the gap (RFC 5545 3.3.5), so 03:30 summer time.
    (
        "2027-03-21T02:30:00",
        "Europe/Oslo",
        "FREQ=WEEKLY;COUNT=3",
        "2028-01-01T00:00:00",
    ),
    // Weekdays in January only, until a date.
    (
        "2027-01-01T06:00:00",
        "Europe/Oslo",
        "FREQ=DAILY;BYMONTH=1;BYDAY=MO,TU,WE,TH,FR;UNTIL=20280120T000000Z",
        "2029-01-01T00:00:00",
    ),
];

fn by_python(python: &str) -> Vec<Vec<String>> {
    let cases: Vec<Value> = CASES
        .iter()
        .map(|(start, tz, rule, until)| {
            json!({ "dtstart": start, "tz": tz, "rule": rule, "until": until })
        })
        .collect();
    let answer = run_python(
        python,
        "rrule_occurrences.py",
        &Value::Array(cases).to_string(),
    );
    serde_json::from_value(answer).expect("lists of instants")
}

fn by_berth(start: &str, tz: &str, rule: &str, until: &str) -> Vec<String> {
    let wall: NaiveDateTime = start.parse().expect("a wall-clock time");
    let stamp = wall.format("%Y%m%dT%H%M%S");
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:r\r\n\
         DTSTART;TZID={tz}:{stamp}\r\nDURATION:PT1H\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let until: DateTime<Utc> = format!("{until}Z").parse().expect("an instant");
    let from: DateTime<Utc> = "2000-01-01T00:00:00Z".parse().expect("an instant");
    let window = TimeRange::new(from, until).expect("a window");
    read(&ics, chrono_tz::UTC, window)
        .unwrap_or_else(|e| panic!("{rule}: {e}"))
        .events
        .into_iter()
        .map(|e| match e.span {
            Span::Instants(r) => r.start().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Span::Days { .. } => panic!("timed events only"),
        })
        .collect()
}

#[test]
fn recurrence_agrees_with_dateutil() {
    let test = "recurrence_agrees_with_dateutil";
    let Some(python) = python(test) else {
        return;
    };
    let expected = by_python(&python);
    for ((start, tz, rule, until), theirs) in CASES.iter().zip(expected) {
        let ours = by_berth(start, tz, rule, until);
        assert!(!ours.is_empty(), "{rule}: no occurrences");
        assert_eq!(ours, theirs, "{rule} from {start} {tz}");
    }
}
