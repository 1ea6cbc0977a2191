//! The reader, the writer and the feed's busy periods, on hand-written files:
//! what Airbnb-style sites, channel managers and desktop calendars produce, and
//! every refusal with its line.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::block::BusyReservation;
use super::busy::{FULLY_BOOKED, RESERVED, feed_events};
use super::read::{MAX_EVENTS, MAX_ICS_BYTES, MAX_UID_CHARS, read};
use super::span::Span;
use super::write::{FeedEvent, FeedHeader, escape_text, write_calendar};
use crate::ids::{ReservationId, UnitId};
use crate::time_range::TimeRange;

const OSLO: Tz = chrono_tz::Europe::Oslo;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn days(first: &str, end: &str) -> Span {
    Span::Days {
        first: d(first),
        end: d(end),
    }
}

fn instants(start: &str, end: &str) -> Span {
    Span::Instants(TimeRange::new(t(start), t(end)).unwrap())
}

/// The window recurring events are expanded in: October 2026 to the end of 2029.
fn window() -> TimeRange {
    TimeRange::new(t("2026-10-01T00:00:00Z"), t("2030-01-01T00:00:00Z")).unwrap()
}

fn calendar(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n")
}

fn event(props: &str) -> String {
    format!("BEGIN:VEVENT\r\n{props}END:VEVENT\r\n")
}

/// The spans a one-event calendar reads as.
fn spans(props: &str) -> Vec<Span> {
    read(&calendar(&event(props)), OSLO, window())
        .unwrap_or_else(|e| panic!("{props}: {e}"))
        .events
        .into_iter()
        .map(|e| e.span)
        .collect()
}

#[test]
fn events_read_in_every_time_shape() {
    let cases: Vec<(&str, Vec<Span>)> = vec![
        // Airbnb: all-day, DTEND is the check-out day.
        (
            "UID:a@airbnb\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261215\r\nSUMMARY:Reserved\r\n",
            vec![days("2026-12-10", "2026-12-15")],
        ),
        // A bare 8-digit date is a date too.
        (
            "DTSTART:20261210\r\nDTEND:20261211\r\n",
            vec![days("2026-12-10", "2026-12-11")],
        ),
        // No DTEND: one day.
        (
            "DTSTART;VALUE=DATE:20261210\r\n",
            vec![days("2026-12-10", "2026-12-11")],
        ),
        // Whole-day durations.
        (
            "DTSTART;VALUE=DATE:20261210\r\nDURATION:P1W\r\n",
            vec![days("2026-12-10", "2026-12-17")],
        ),
        // UTC.
        (
            "DTSTART:20261210T100000Z\r\nDTEND:20261210T123000Z\r\n",
            vec![instants("2026-12-10T10:00:00Z", "2026-12-10T12:30:00Z")],
        ),
        // A zone by IANA name (Oslo is UTC+1 in December), and with a vendor prefix.
        (
            "DTSTART;TZID=Europe/Oslo:20261210T100000\r\nDTEND;TZID=\"/mozilla.org/20070129_1/Europe/Oslo\":20261210T120000\r\n",
            vec![instants("2026-12-10T09:00:00Z", "2026-12-10T11:00:00Z")],
        ),
        // Windows names, as Outlook writes them (Berlin and New York in summer).
        (
            "DTSTART;TZID=\"W. Europe Standard Time\":20260710T100000\r\nDTEND;TZID=Eastern Standard Time:20260710T060000\r\n",
            vec![instants("2026-07-10T08:00:00Z", "2026-07-10T10:00:00Z")],
        ),
        // Floating times are the tenant's wall clock (Oslo here).
        (
            "DTSTART:20260710T100000\r\nDTEND:20260710T110000\r\n",
            vec![instants("2026-07-10T08:00:00Z", "2026-07-10T09:00:00Z")],
        ),
        // DURATION: days nominal (across the autumn change: same wall clock), the rest exact.
        (
            "DTSTART;TZID=Europe/Oslo:20261024T100000\r\nDURATION:P1DT1H30M\r\n",
            vec![instants("2026-10-24T08:00:00Z", "2026-10-25T10:30:00Z")],
        ),
        (
            "DTSTART:20261210T100000Z\r\nDURATION:PT45M\r\n",
            vec![instants("2026-12-10T10:00:00Z", "2026-12-10T10:45:00Z")],
        ),
        // Free time and no time at all block nothing.
        (
            "DTSTART;VALUE=DATE:20261210\r\nSTATUS:CANCELLED\r\n",
            vec![],
        ),
        (
            "DTSTART;VALUE=DATE:20261210\r\nTRANSP:TRANSPARENT\r\n",
            vec![],
        ),
        ("DTSTART:20261210T100000Z\r\n", vec![]),
        // Lower-case names and values, an alarm's properties ignored.
        (
            "dtstart;value=date:20261210\r\ndtend;value=date:20261212\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nDTSTART:20200101T000000Z\r\nEND:VALARM\r\n",
            vec![days("2026-12-10", "2026-12-12")],
        ),
    ];
    for (props, expected) in cases {
        assert_eq!(spans(props), expected, "{props}");
    }
}

#[test]
fn folded_lines_parameters_and_uids_are_read() {
    let ics = "BEGIN:VCALENDAR\nVERSION:2.0\n\
               BEGIN:VEVENT\nUID:very-long-uid-\n that-was-folded\\,-escaped@example.org\n\
               DTSTART;X-NOTE=\"a;b:c\";VALUE=DATE:2026\n\t1210\nDTEND;VALUE=DATE:20261211\nEND:VEVENT\n\
               END:VCALENDAR";
    let read = read(ics, OSLO, window()).unwrap();
    assert_eq!(read.events.len(), 1);
    assert_eq!(
        read.events[0].uid,
        "very-long-uid-that-was-folded,-escaped@example.org"
    );
    assert_eq!(read.events[0].line, 3);
    assert_eq!(read.events[0].span, days("2026-12-10", "2026-12-11"));
}

#[test]
fn control_characters_in_a_uid_are_dropped_so_it_reads_back_from_berths_feed() {
    // Found by fuzzing (ical_import, fuzz/regressions/ical_import/): a bare CR
    // inside the UID was kept, and berth's writer turned it into `\n`.
    let ics = calendar(&event(
        "UID:a@airbnb\r$\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261215\r\n",
    ));
    let first = read(&ics, OSLO, window()).unwrap();
    assert_eq!(first.events[0].uid, "a@airbnb$");
    let tabbed = calendar(&event(
        "UID:a\tb\u{7}c\\nd\r\nDTSTART;VALUE=DATE:20261210\r\n",
    ));
    assert_eq!(
        read(&tabbed, OSLO, window()).unwrap().events[0].uid,
        "abc\nd",
        "a control character is dropped, an escaped newline kept"
    );
    // Found by fuzzing too: spaces before control characters at the end were
    // kept (the value was trimmed before they were dropped), and berth's feed
    // of the UID read back without them.
    let hidden = calendar(&event(
        "UID: a@airbnb \u{0}\u{0}\r\nDTSTART;VALUE=DATE:20261210\r\n",
    ));
    assert_eq!(
        read(&hidden, OSLO, window()).unwrap().events[0].uid,
        "a@airbnb"
    );
    let events: Vec<FeedEvent> = first
        .events
        .iter()
        .map(|e| FeedEvent {
            uid: e.uid.clone(),
            span: e.span,
            summary: RESERVED.into(),
        })
        .collect();
    let header = FeedHeader {
        name: "x".into(),
        stamp: t("2026-11-02T09:00:00Z"),
    };
    let back = read(&write_calendar(&header, &events).ics, OSLO, window()).unwrap();
    assert_eq!(back.events[0].uid, first.events[0].uid);
}

#[test]
fn every_uid_kept_stays_within_the_limit_once_its_occurrence_is_added() {
    // Found by fuzzing (ical_import, fuzz/regressions/ical_import/): a
    // recurring event's UID of 255 characters was kept for each occurrence
    // with `#` and its start added (271 characters), past the limit every UID
    // berth keeps is under, so berth's own feed of it did not read back.
    let recurring = |uid: &str| {
        calendar(&event(&format!(
            "UID:{uid}\r\nDTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\n"
        )))
    };
    let longest = "u".repeat(MAX_UID_CHARS - 16);
    let read_back = read(&recurring(&longest), OSLO, window()).unwrap();
    assert_eq!(read_back.events.len(), 2);
    assert!(
        read_back
            .events
            .iter()
            .all(|e| e.uid.chars().count() == MAX_UID_CHARS)
    );
    let err = read(&recurring(&format!("{longest}u")), OSLO, window()).unwrap_err();
    assert_eq!(err.line, 4);
    assert!(
        err.message
            .contains("the UID of a recurring event is longer than 239 characters"),
        "{}",
        err.message
    );
    // A single event keeps the whole limit; an overriding instance of a
    // recurring one (RECURRENCE-ID) is one of its occurrences.
    let single = calendar(&event(&format!(
        "UID:{}\r\nDTSTART;VALUE=DATE:20261210\r\n",
        "u".repeat(MAX_UID_CHARS)
    )));
    assert_eq!(read(&single, OSLO, window()).unwrap().events.len(), 1);
    let instance = calendar(&event(&format!(
        "UID:{longest}u\r\nRECURRENCE-ID:20261211T100000Z\r\nDTSTART:20261211T120000Z\r\nDTEND:20261211T130000Z\r\n"
    )));
    assert!(read(&instance, OSLO, window()).is_err());
}

#[test]
fn a_leap_second_is_the_next_minute_and_times_are_digits_only() {
    // Found by fuzzing (ical_import, fuzz/regressions/ical_import/): chrono
    // read `:60` as a 59th second longer than a second, and a stay measured
    // from it came back from berth's feed a second shorter.
    assert_eq!(
        spans("UID:a\r\nDTSTART:20261210T235960Z\r\nDTEND:20261211T010000Z\r\n"),
        vec![instants("2026-12-11T00:00:00Z", "2026-12-11T01:00:00Z")]
    );
    for value in [
        "20261210T1 0000Z",
        "2026121 T100000",
        " 0261210",
        "+2026121",
    ] {
        let ics = calendar(&event(&format!("UID:a\r\nDTSTART:{value}\r\n")));
        let err = read(&ics, OSLO, window()).unwrap_err();
        assert!(
            err.message.contains("is not a date"),
            "{value}: {}",
            err.message
        );
    }
}

#[test]
fn events_without_uid_get_one_from_their_span() {
    let ics = calendar(&event("DTSTART;VALUE=DATE:20261210\r\n"));
    let read = read(&ics, OSLO, window()).unwrap();
    assert_eq!(read.events[0].uid, "2026-12-10/2026-12-11");
    assert_eq!(read.skipped, 0);
}

#[test]
fn bad_files_are_refused_with_their_line() {
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "line 0: not an iCalendar file"),
        (
            "BEGIN:VEVENT\r\nEND:VEVENT\r\n".into(),
            "line 1: expected BEGIN:VCALENDAR",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n".into(),
            "line 0: the file ends inside VEVENT",
        ),
        (
            "BEGIN:VCALENDAR\r\nEND:VEVENT\r\n".into(),
            "line 2: END:VEVENT does not close BEGIN:VCALENDAR",
        ),
        (
            "BEGIN:VCALENDAR\r\nnonsense\r\nEND:VCALENDAR\r\n".into(),
            "line 2: a content line needs a `:`",
        ),
        (
            calendar(&event("SUMMARY:x\r\n")),
            "line 4: an event without DTSTART",
        ),
        (
            calendar(&event("DTSTART;VALUE=DATE:20261310\r\n")),
            "line 5: DTSTART: `20261310` is not a date",
        ),
        (
            calendar(&event("DTSTART:20261210T250000Z\r\n")),
            "line 5: DTSTART: `20261210T250000Z` is not a date-time",
        ),
        (
            calendar(&event("DTSTART;TZID=Mars/Olympus:20261210T100000\r\n")),
            "line 5: unknown time zone `Mars/Olympus`",
        ),
        (
            calendar(&event(
                "DTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261209\r\n",
            )),
            "line 6: the event ends before it starts",
        ),
        (
            calendar(&event(
                "DTSTART;VALUE=DATE:20261210\r\nDTEND:20261211T100000Z\r\n",
            )),
            "line 6: DTEND must be a date when DTSTART is a date",
        ),
        (
            calendar(&event("DTSTART:20261210T100000Z\r\nDURATION:-PT1H\r\n")),
            "line 6: DURATION: negative durations",
        ),
        (
            calendar(&event("DTSTART:20261210T100000Z\r\nDURATION:PT\r\n")),
            "line 6: DURATION: `PT` is not a duration",
        ),
        (
            calendar(&event("DTSTART:20261210T100000Z\r\nEXRULE:FREQ=WEEKLY\r\n")),
            "line 6: EXRULE (deprecated by RFC 5545) is not supported",
        ),
        (
            calendar(&event(
                "DTSTART:20261210T100000Z\r\nRRULE:FREQ=MINUTELY\r\n",
            )),
            "line 6: RRULE: FREQ=MINUTELY is not supported",
        ),
        (
            calendar(&event(
                "DTSTART:20261210T100000Z\r\nRRULE:FREQ=DAILY;UNTIL=tomorrow\r\n",
            )),
            "line 6: RRULE: UNTIL `TOMORROW` is not a date",
        ),
        (
            calendar(&event(
                "DTSTART:20261210T100000Z\r\nDTSTART:20261211T100000Z\r\n",
            )),
            "line 6: DTSTART appears twice",
        ),
        (
            calendar(&event(
                "DTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261212\r\nDURATION:P1D\r\n",
            )),
            "line 4: an event with both DTEND and DURATION",
        ),
        (
            calendar(&event("DTSTART;X=\"open:20261210\r\n")),
            "line 5: an unclosed quote",
        ),
    ];
    for (ics, expected) in cases {
        let err = read(&ics, OSLO, window()).expect_err(&ics).to_string();
        assert!(err.starts_with(expected), "{ics:?}: {err}");
    }
}

#[test]
fn sizes_are_bounded() {
    let one = event("DTSTART;VALUE=DATE:20261210\r\n");
    let many = calendar(&one.repeat(MAX_EVENTS + 1));
    let err = read(&many, OSLO, window()).unwrap_err();
    assert!(err.message.contains("more than 2000 events"), "{err}");
    let huge = calendar(&format!("X-PAD:{}\r\n", "x".repeat(300 * 1024)));
    assert!(
        read(&huge, OSLO, window())
            .unwrap_err()
            .message
            .contains("larger than 256 KiB")
    );
    let deep = calendar(&"BEGIN:X\r\n".repeat(10));
    assert!(
        read(&deep, OSLO, window())
            .unwrap_err()
            .message
            .contains("nest deeper")
    );
}

#[test]
fn lines_are_folded_at_75_octets_without_splitting_characters() {
    let name = "Hytte ".to_owned() + &"æøå€🏔".repeat(30);
    let header = FeedHeader {
        name: name.clone(),
        stamp: t("2026-11-02T09:00:00Z"),
    };
    let ics = write_calendar(&header, &[]).ics;
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    // Unfolding gives the name back.
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains(&format!("X-WR-CALNAME:{name}\r\n")),
        "{unfolded}"
    );
    // Every line break is CRLF.
    assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
}

#[test]
fn text_is_escaped() {
    assert_eq!(
        escape_text("a,b;c\\d\ne\r\nf\u{7}"),
        "a\\,b\\;c\\\\d\\ne\\nf"
    );
}

#[test]
fn written_feeds_read_back() {
    let events = vec![
        FeedEvent {
            uid: "r1@berth".into(),
            span: days("2026-12-10", "2026-12-15"),
            summary: RESERVED.into(),
        },
        FeedEvent {
            uid: "r2@berth".into(),
            span: instants("2026-12-20T09:00:00Z", "2026-12-20T11:30:00Z"),
            summary: RESERVED.into(),
        },
    ];
    let header = FeedHeader {
        name: "Birch, \"the\" cabin; no. 1".into(),
        stamp: t("2026-11-02T09:00:00Z"),
    };
    let ics = write_calendar(&header, &events).ics;
    assert!(ics.contains("DTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261215\r\n"));
    assert!(ics.contains("DTSTART:20261220T090000Z\r\nDTEND:20261220T113000Z\r\n"));
    assert!(ics.contains("DTSTAMP:20261102T090000Z\r\n"));
    assert!(ics.contains("X-WR-CALNAME:Birch\\, \"the\" cabin\\; no. 1\r\n"));
    let back = read(&ics, OSLO, window()).unwrap();
    let got: Vec<(String, Span)> = back.events.into_iter().map(|e| (e.uid, e.span)).collect();
    let want: Vec<(String, Span)> = events.into_iter().map(|e| (e.uid, e.span)).collect();
    assert_eq!(got, want);
}

#[test]
fn a_feed_holds_what_berth_reads_and_leaves_the_latest_events_out() {
    let header = FeedHeader {
        name: "Tour boat".into(),
        stamp: t("2026-11-02T09:00:00Z"),
    };
    let hourly = |n: usize, summary: &str| -> Vec<FeedEvent> {
        (0..n)
            .map(|i| {
                let start = t("2026-12-01T08:00:00Z") + chrono::Duration::hours(i as i64);
                FeedEvent {
                    uid: format!("r{i}@berth"),
                    span: Span::Instants(
                        TimeRange::new(start, start + chrono::Duration::minutes(30)).unwrap(),
                    ),
                    summary: summary.into(),
                }
            })
            .collect()
    };
    let wide = TimeRange::new(t("2026-11-01T00:00:00Z"), t("2030-01-01T00:00:00Z")).unwrap();
    // More events than a calendar may hold (about 150 bytes each, the size
    // limit ends the feed before the count does): the earliest are written,
    // and the feed reads back.
    for (n, summary) in [
        (MAX_EVENTS + 500, RESERVED.to_owned()),
        (1_500, "Reserved for the rowing club ".repeat(6)),
    ] {
        let events = hourly(n, &summary);
        let feed = write_calendar(&header, &events);
        assert!(
            feed.left_out > 0,
            "{n} events fit in {} bytes",
            feed.ics.len()
        );
        assert!(feed.ics.len() <= MAX_ICS_BYTES);
        assert!(feed.ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        let back = read(&feed.ics, OSLO, wide).unwrap();
        let kept = n - feed.left_out;
        assert!(kept <= MAX_EVENTS);
        assert_eq!(back.events.len(), kept);
        assert_eq!(
            back.events.last().unwrap().uid,
            format!("r{}@berth", kept - 1)
        );
    }
    // A feed that fits leaves nothing out.
    assert_eq!(write_calendar(&header, &hourly(10, RESERVED)).left_out, 0);
}

fn stay(check_in: &str, check_out: &str, quantity: u32) -> BusyReservation {
    let occupied = TimeRange::new(
        t(&format!("{check_in}T14:00:00Z")),
        t(&format!("{check_out}T09:00:00Z")),
    )
    .unwrap();
    BusyReservation {
        id: ReservationId::new(),
        occupied,
        check_in: Some(d(check_in)),
        check_out: Some(d(check_out)),
        quantity,
    }
}

fn timed(start: &str, end: &str, quantity: u32) -> BusyReservation {
    BusyReservation {
        id: ReservationId::new(),
        occupied: TimeRange::new(t(start), t(end)).unwrap(),
        check_in: None,
        check_out: None,
        quantity,
    }
}

#[test]
fn a_single_item_unit_shows_each_reservation() {
    let unit = UnitId::new();
    let a = stay("2026-12-10", "2026-12-12", 1);
    let b = stay("2026-12-12", "2026-12-14", 1);
    let events = feed_events(unit, 1, &[b, a]);
    assert_eq!(
        events,
        vec![
            FeedEvent {
                uid: format!("{}@berth", a.id),
                span: days("2026-12-10", "2026-12-12"),
                summary: RESERVED.into()
            },
            FeedEvent {
                uid: format!("{}@berth", b.id),
                span: days("2026-12-12", "2026-12-14"),
                summary: RESERVED.into()
            },
        ]
    );
    let slot = timed("2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z", 1);
    assert_eq!(
        feed_events(unit, 1, &[slot])[0].span,
        Span::Instants(slot.occupied)
    );
}

#[test]
fn a_unit_of_several_items_shows_only_fully_booked_periods() {
    let unit = UnitId::new();
    // Two rooms: nights 10 and 11 full (12 has one room left), 13 full again.
    let rs = [
        stay("2026-12-10", "2026-12-13", 1),
        stay("2026-12-10", "2026-12-12", 1),
        stay("2026-12-13", "2026-12-14", 2),
        stay("2026-12-20", "2026-12-22", 1),
    ];
    let events = feed_events(unit, 2, &rs);
    let spans: Vec<Span> = events.iter().map(|e| e.span).collect();
    assert_eq!(
        spans,
        vec![
            days("2026-12-10", "2026-12-12"),
            days("2026-12-13", "2026-12-14")
        ]
    );
    assert!(events.iter().all(|e| e.summary == FULLY_BOOKED));
    assert_eq!(
        events[0].uid,
        format!("{}-20261210@berth", unit.as_uuid().simple())
    );
    // Seats: full from 10:00 to 10:30 only.
    let rs = [
        timed("2026-12-10T09:00:00Z", "2026-12-10T10:30:00Z", 3),
        timed("2026-12-10T10:00:00Z", "2026-12-10T11:00:00Z", 2),
        timed("2026-12-10T10:30:00Z", "2026-12-10T11:00:00Z", 1),
    ];
    let spans: Vec<Span> = feed_events(unit, 5, &rs).iter().map(|e| e.span).collect();
    assert_eq!(
        spans,
        vec![instants("2026-12-10T10:00:00Z", "2026-12-10T10:30:00Z")]
    );
}

/// The busy events (uid, span) of a calendar, in order.
fn occurrences(body: &str, window: TimeRange) -> Vec<(String, Span)> {
    read(&calendar(body), OSLO, window)
        .unwrap_or_else(|e| panic!("{body}: {e}"))
        .events
        .into_iter()
        .map(|e| (e.uid, e.span))
        .collect()
}

#[test]
fn recurring_events_become_one_busy_event_per_occurrence() {
    // Weekly at 10:00 Oslo time across the autumn change (25 October 2026):
    // the wall clock stays, the UTC time moves.
    let weekly = event(
        "UID:cleaning\r\nDTSTART;TZID=Europe/Oslo:20261017T100000\r\n\
         DTEND;TZID=Europe/Oslo:20261017T120000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n",
    );
    assert_eq!(
        occurrences(&weekly, window()),
        vec![
            (
                "cleaning#20261017T100000".into(),
                instants("2026-10-17T08:00:00Z", "2026-10-17T10:00:00Z")
            ),
            (
                "cleaning#20261024T100000".into(),
                instants("2026-10-24T08:00:00Z", "2026-10-24T10:00:00Z")
            ),
            (
                "cleaning#20261031T100000".into(),
                instants("2026-10-31T09:00:00Z", "2026-10-31T11:00:00Z")
            ),
        ]
    );

    // Weekends, all day, up to a date (inclusive).
    let weekends = event(
        "UID:owner\r\nDTSTART;VALUE=DATE:20261205\r\nDTEND;VALUE=DATE:20261207\r\n\
         RRULE:FREQ=WEEKLY;UNTIL=20261219\r\n",
    );
    let spans: Vec<Span> = occurrences(&weekends, window())
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        spans,
        vec![
            days("2026-12-05", "2026-12-07"),
            days("2026-12-12", "2026-12-14"),
            days("2026-12-19", "2026-12-21"),
        ]
    );

    // EXDATE removes an occurrence, RDATE adds one; a RECURRENCE-ID event moves
    // one (its own times), and a canceled one removes it.
    let body = event(
        "UID:maint\r\nDTSTART:20261102T080000Z\r\nDURATION:PT1H\r\n\
         RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20261103T080000Z\r\nRDATE:20261110T080000Z\r\n",
    ) + &event(
        "UID:maint\r\nRECURRENCE-ID:20261104T080000Z\r\nDTSTART:20261104T150000Z\r\n\
         DTEND:20261104T160000Z\r\n",
    ) + &event(
        "UID:maint\r\nRECURRENCE-ID:20261105T080000Z\r\nDTSTART:20261105T080000Z\r\n\
         STATUS:CANCELLED\r\n",
    );
    let got = occurrences(&body, window());
    let starts: Vec<String> = got
        .iter()
        .map(|(uid, span)| match span {
            Span::Instants(r) => format!("{uid} {}", r.start().format("%d %H:%M")),
            Span::Days { .. } => panic!("timed"),
        })
        .collect();
    assert_eq!(
        starts,
        [
            "maint#20261102T080000 02 08:00",
            "maint#20261106T080000 06 08:00",
            "maint#20261110T080000 10 08:00",
            "maint#20261104T080000 04 15:00",
        ]
    );

    // An endless rule is expanded within the window only: a daily block since
    // 2020, read for the first five days of November 2026.
    let daily = event("UID:d\r\nDTSTART;VALUE=DATE:20200101\r\nRRULE:FREQ=DAILY\r\n");
    let five = TimeRange::new(t("2026-11-01T00:00:00Z"), t("2026-11-06T00:00:00Z")).unwrap();
    let spans: Vec<Span> = occurrences(&daily, five)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(spans.first(), Some(&days("2026-11-01", "2026-11-02")));
    assert_eq!(spans.last(), Some(&days("2026-11-05", "2026-11-06")));
    assert_eq!(spans.len(), 5);

    // Rules that never match cost work without yielding: a file of many is refused.
    let never = event(
        "DTSTART:20260101T000000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n",
    );
    let err = read(&calendar(&never.repeat(11)), OSLO, window()).unwrap_err();
    assert!(err.message.contains("take too long to expand"), "{err}");
}
