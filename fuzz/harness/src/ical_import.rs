//! iCalendar import: the bytes are a calendar another site serves, read as a
//! calendar sync reads it (`berth_core::ical::read::read`, floating times in a
//! tenant's zone, recurrences expanded in a window). Besides not panicking:
//! never more than `MAX_OCCURRENCES` events once recurring ones are expanded,
//! and what was read survives berth's own writer — written as a feed, which
//! berth always reads, and read again, the same events come back, the ones
//! the feed had to leave out aside.

use berth_core::ical::read::{MAX_EVENTS, MAX_ICS_BYTES, MAX_OCCURRENCES, read};
use berth_core::ical::write::{FeedEvent, FeedHeader, write_calendar};
use berth_core::time_range::TimeRange;
use chrono::{DateTime, TimeZone, Utc};

/// The tenant's zone floating times are read in.
const ZONE: chrono_tz::Tz = chrono_tz::Europe::Oslo;

fn instant(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Reads `data` as an iCalendar file.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(window) = TimeRange::new(instant(2026, 10, 1), instant(2030, 1, 1)) else {
        return;
    };
    let Ok(calendar) = read(text, ZONE, window) else {
        return;
    };
    // Recurring events are expanded: the cap is on occurrences, not on the
    // VEVENTs read (MAX_EVENTS, at most 2,000 of them).
    assert!(calendar.events.len() <= MAX_OCCURRENCES, "too many events");
    let events: Vec<FeedEvent> = calendar
        .events
        .iter()
        .map(|e| FeedEvent {
            uid: e.uid.clone(),
            span: e.span,
            summary: "Busy".into(),
        })
        .collect();
    let header = FeedHeader {
        name: "fuzz".into(),
        stamp: instant(2026, 11, 2),
    };
    let feed = write_calendar(&header, &events);
    let written = &feed.ics;
    // Expanded recurrences may make more events, or more bytes, than a feed
    // holds: the writer leaves the last ones out, and what it writes reads.
    assert!(
        written.len() <= MAX_ICS_BYTES,
        "a feed of {} bytes",
        written.len()
    );
    assert!(
        events.len() - feed.left_out <= MAX_EVENTS,
        "a feed of too many events"
    );
    let again = read(written, ZONE, window)
        .unwrap_or_else(|e| panic!("berth's own feed does not read back: {e}\n{written}"));
    let spans = |c: &[berth_core::ical::read::BusyEvent]| -> Vec<(String, String)> {
        c.iter()
            .map(|e| (e.uid.clone(), format!("{:?}", e.span)))
            .collect()
    };
    let kept = calendar.events.len() - feed.left_out;
    assert_eq!(
        spans(&calendar.events[..kept]),
        spans(&again.events),
        "the events read differ once written and read again"
    );
}
