//! Writing RFC 5545: a `VCALENDAR` of busy `VEVENT`s, with CRLF line endings,
//! lines folded at 75 octets (never inside a UTF-8 character) and TEXT values
//! escaped. All-day spans are written `VALUE=DATE` (DTEND the day after the last,
//! i.e. the check-out, as Airbnb-style sites write and read them); instants are
//! written in UTC (`…Z`), so no VTIMEZONE is needed. A feed never holds more
//! than berth's own reader takes ([`MAX_EVENTS`] events, [`MAX_ICS_BYTES`]):
//! when a unit is busier than that, the latest events are left out, so one
//! berth can always import another's feed.

use chrono::{DateTime, NaiveDate, Utc};

use super::read::{MAX_EVENTS, MAX_ICS_BYTES};
use super::span::Span;

/// The longest content line, in octets, before folding (RFC 5545 3.1).
const FOLD_AT: usize = 75;

/// One event of a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEvent {
    /// Globally unique and stable across fetches (`<id>@berth`).
    pub uid: String,
    /// What it covers.
    pub span: Span,
    /// What it says: never a guest's name or contact.
    pub summary: String,
}

/// The calendar's own properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedHeader {
    /// The calendar's display name (`X-WR-CALNAME`): the unit's name.
    pub name: String,
    /// When the feed was generated (every event's `DTSTAMP`).
    pub stamp: DateTime<Utc>,
}

/// The PRODID of every feed berth writes.
pub const PRODID: &str = concat!("-//berth//berth ", env!("CARGO_PKG_VERSION"), "//EN");

/// A feed as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenFeed {
    /// The iCalendar document.
    pub ics: String,
    /// How many events, the last ones given, did not fit within what a feed
    /// holds (0 almost always).
    pub left_out: usize,
}

/// The end of every calendar.
const END: &str = "END:VCALENDAR";

/// The feed as an iCalendar document: the events in the order given (time
/// order, so those left out are the latest) while they fit within
/// [`MAX_EVENTS`] and [`MAX_ICS_BYTES`].
pub fn write_calendar(header: &FeedHeader, events: &[FeedEvent]) -> WrittenFeed {
    let mut out = String::with_capacity(256 + events.len().min(MAX_EVENTS) * 160);
    let stamp = utc(header.stamp);
    put_published_calendar(&mut out);
    put(
        &mut out,
        &format!("X-WR-CALNAME:{}", escape_text(&header.name)),
    );
    // RFC 7986, and the older name most importers read: poll hourly.
    put(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    put(&mut out, "X-PUBLISHED-TTL:PT1H");
    let mut written = 0;
    let mut event_text = String::with_capacity(256);
    for event in events.iter().take(MAX_EVENTS) {
        event_text.clear();
        put(&mut event_text, "BEGIN:VEVENT");
        put(&mut event_text, &format!("UID:{}", escape_text(&event.uid)));
        put(&mut event_text, &format!("DTSTAMP:{stamp}"));
        put_span(&mut event_text, &event.span);
        put(
            &mut event_text,
            &format!("SUMMARY:{}", escape_text(&event.summary)),
        );
        put(&mut event_text, "TRANSP:OPAQUE");
        put(&mut event_text, "END:VEVENT");
        if out.len() + event_text.len() + END.len() + 2 > MAX_ICS_BYTES {
            break;
        }
        out.push_str(&event_text);
        written += 1;
    }
    put(&mut out, END);
    WrittenFeed {
        ics: out,
        left_out: events.len() - written,
    }
}

/// A guest's own stay, as the e-mail that confirms or changes it carries it:
/// one event with where it is and what to know. A later message about the
/// same reservation carries the same UID with a higher SEQUENCE, so a
/// calendar updates the event it already has.
#[derive(Clone, Debug, PartialEq)]
pub struct StayEvent {
    /// Globally unique and stable for the reservation.
    pub uid: String,
    /// Grows with every change (the reservation's version).
    pub sequence: i64,
    /// When the document was written.
    pub stamp: DateTime<Utc>,
    /// The stay.
    pub span: Span,
    /// `Larch Cabin · Alpine Cabins`.
    pub summary: String,
    /// The address.
    pub location: Option<String>,
    /// Latitude and longitude.
    pub geo: Option<(f64, f64)>,
    /// Reference, contact, arrival notes.
    pub description: Option<String>,
    /// Whether it is confirmed (`STATUS:CONFIRMED`) or still a request
    /// (`STATUS:TENTATIVE`).
    pub confirmed: bool,
}

/// The stay as an iCalendar document (`METHOD:PUBLISH`, one `VEVENT`).
pub fn write_stay(event: &StayEvent) -> String {
    let mut out = String::with_capacity(512);
    put_published_calendar(&mut out);
    put(&mut out, "BEGIN:VEVENT");
    put(&mut out, &format!("UID:{}", escape_text(&event.uid)));
    put(&mut out, &format!("SEQUENCE:{}", event.sequence.max(0)));
    put(&mut out, &format!("DTSTAMP:{}", utc(event.stamp)));
    put_span(&mut out, &event.span);
    put(
        &mut out,
        &format!("SUMMARY:{}", escape_text(&event.summary)),
    );
    if let Some(location) = &event.location {
        put(&mut out, &format!("LOCATION:{}", escape_text(location)));
    }
    if let Some((lat, lng)) = event.geo {
        put(&mut out, &format!("GEO:{lat:.6};{lng:.6}"));
    }
    if let Some(description) = &event.description {
        put(
            &mut out,
            &format!("DESCRIPTION:{}", escape_text(description)),
        );
    }
    let status = if event.confirmed {
        "CONFIRMED"
    } else {
        "TENTATIVE"
    };
    put(&mut out, &format!("STATUS:{status}"));
    put(&mut out, "TRANSP:OPAQUE");
    put(&mut out, "END:VEVENT");
    put(&mut out, END);
    out
}

/// Opens a calendar object that is published (not a scheduling request).
fn put_published_calendar(out: &mut String) {
    put(out, "BEGIN:VCALENDAR");
    put(out, "VERSION:2.0");
    put(out, &format!("PRODID:{}", escape_text(PRODID)));
    put(out, "CALSCALE:GREGORIAN");
    put(out, "METHOD:PUBLISH");
}

/// An event's DTSTART and DTEND: dates for whole days, UTC instants otherwise.
fn put_span(out: &mut String, span: &Span) {
    match *span {
        Span::Days { first, end } => {
            put(out, &format!("DTSTART;VALUE=DATE:{}", date(first)));
            put(out, &format!("DTEND;VALUE=DATE:{}", date(end)));
        }
        Span::Instants(range) => {
            put(out, &format!("DTSTART:{}", utc(range.start())));
            put(out, &format!("DTEND:{}", utc(range.end())));
        }
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Appends one content line, folded: after 75 octets a CRLF and a space, never
/// splitting a UTF-8 character (a continuation line holds 74 octets after its
/// leading space).
fn put(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
