//! A small RFC 5545 reader for what calendar imports need: the busy periods of a
//! `.ics` file. It unfolds lines, reads property parameters (quoted or not),
//! follows `BEGIN`/`END` nesting, and turns each `VEVENT` into a [`Span`]:
//!
//! - `DTSTART;VALUE=DATE` (or a bare 8-digit date) is whole days; `DTEND` must be
//!   a date too, or `DURATION` whole days/weeks; neither means one day.
//! - Date-times are UTC (`…Z`), zoned (`TZID=` with an IANA name — a
//!   `/vendor/…/Europe/Berlin` prefix is tolerated — or a Windows name such as
//!   Outlook writes, `W. Europe Standard Time`) or floating (read in the
//!   tenant's zone). `DURATION` days are nominal (same wall-clock time), its
//!   hours, minutes and seconds exact. Without `DTEND` and `DURATION` the event
//!   lasts no time and blocks nothing.
//! - `STATUS:CANCELLED` and `TRANSP:TRANSPARENT` events are skipped (free time).
//! - Recurring events (`RRULE`, the subset `recur.rs` reads, plus `RDATE`
//!   dates and date-times and `EXDATE`) are expanded on their `DTSTART`'s wall
//!   clock into one busy event per occurrence within the window the caller
//!   gives (occurrences that end before it, or start after it, are left out).
//!   An event with a `RECURRENCE-ID` replaces that occurrence of the event with
//!   its `UID` (or cancels it, with `STATUS:CANCELLED`). Occurrences get the
//!   `UID` `<uid>#<start as YYYYMMDDTHHMMSS>`. `EXRULE` (deprecated) and
//!   `RDATE;VALUE=PERIOD` are refused.
//!
//! Every refusal names the line it is about. Inputs are bounded: at most
//! [`MAX_ICS_BYTES`], [`MAX_EVENTS`] events and [`MAX_DEPTH`] nested components.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use super::span::Span;
use crate::local_time::local_instant;
use crate::time_range::TimeRange;

/// The most busy events one file may yield once recurring events are expanded.
pub const MAX_OCCURRENCES: usize = 10_000;

/// The largest file accepted (the HTTP body limit of a GraphQL request).
pub const MAX_ICS_BYTES: usize = 256 * 1024;
/// The most `VEVENT`s accepted in one file (skipped ones included).
pub const MAX_EVENTS: usize = 2_000;
/// The deepest nesting of components accepted.
pub const MAX_DEPTH: usize = 8;
/// The longest `UID` kept (longer ones are refused).
pub const MAX_UID_CHARS: usize = 255;

/// Why a file could not be read: what is wrong, and on which line (1-based,
/// physical; 0 for the file as a whole).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IcsError {
    /// The line of the offending content line's start.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, IcsError> {
    Err(IcsError {
        line,
        message: message.into(),
    })
}

/// One busy event of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusyEvent {
    /// The line of its `BEGIN:VEVENT`.
    pub line: usize,
    /// Its `UID`; when the file gives none, one made from its span (stable as
    /// long as the event is).
    pub uid: String,
    /// What it covers.
    pub span: Span,
}

/// What a file says is busy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadCalendar {
    /// The busy events, in file order.
    pub events: Vec<BusyEvent>,
    /// Events that block nothing: canceled, transparent (free), or of no length.
    pub skipped: usize,
}

/// A content line: `NAME;PARAM=a,b;P2="x":value`, after unfolding.
#[derive(Debug)]
struct ContentLine {
    line: usize,
    name: String,
    params: Vec<(String, Vec<String>)>,
    value: String,
}

impl ContentLine {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }
}

/// Reads the busy events of `ics`; floating times are in `tz` (the tenant's);
/// recurring events are expanded within `window`.
pub fn read(ics: &str, tz: Tz, window: TimeRange) -> Result<ReadCalendar, IcsError> {
    if ics.len() > MAX_ICS_BYTES {
        return err(
            0,
            format!("the calendar is larger than {} KiB", MAX_ICS_BYTES / 1024),
        );
    }
    let ics = ics.strip_prefix('\u{feff}').unwrap_or(ics);
    let mut stack: Vec<String> = Vec::new();
    let mut event: Option<EventBuilder> = None;
    let mut out = ReadCalendar::default();
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut events_seen = 0;
    let mut saw_calendar = false;
    for cl in unfold(ics) {
        let cl = parse_line(cl.0, &cl.1)?;
        match cl.name.as_str() {
            "BEGIN" => {
                let component = cl.value.trim().to_ascii_uppercase();
                if stack.is_empty() {
                    if component != "VCALENDAR" {
                        return err(
                            cl.line,
                            format!("expected BEGIN:VCALENDAR, found BEGIN:{component}"),
                        );
                    }
                    if saw_calendar {
                        return err(cl.line, "only one VCALENDAR per file is read");
                    }
                    saw_calendar = true;
                }
                if stack.len() >= MAX_DEPTH {
                    return err(
                        cl.line,
                        format!("components nest deeper than {MAX_DEPTH} levels"),
                    );
                }
                if component == "VEVENT" && stack.len() == 1 {
                    events_seen += 1;
                    if events_seen > MAX_EVENTS {
                        return err(
                            cl.line,
                            format!("more than {MAX_EVENTS} events in one calendar"),
                        );
                    }
                    event = Some(EventBuilder::new(cl.line, tz));
                }
                stack.push(component);
            }
            "END" => {
                let component = cl.value.trim().to_ascii_uppercase();
                match stack.pop() {
                    Some(open) if open == component => {}
                    Some(open) => {
                        return err(
                            cl.line,
                            format!("END:{component} does not close BEGIN:{open}"),
                        );
                    }
                    None => return err(cl.line, format!("END:{component} without a BEGIN")),
                }
                if component == "VEVENT"
                    && stack.len() == 1
                    && let Some(builder) = event.take()
                {
                    parsed.push(builder.finish()?);
                }
            }
            _ if stack.is_empty() => {
                return err(
                    cl.line,
                    format!("`{}` outside of BEGIN:VCALENDAR … END:VCALENDAR", cl.name),
                );
            }
            _ => {
                // Only the event's own properties count, not those of its alarms.
                if stack.len() == 2
                    && stack.last().is_some_and(|c| c == "VEVENT")
                    && let Some(builder) = event.as_mut()
                {
                    builder.add(cl)?;
                }
            }
        }
    }
    if !saw_calendar {
        return err(0, "not an iCalendar file: no BEGIN:VCALENDAR");
    }
    if let Some(open) = stack.last() {
        return err(0, format!("the file ends inside {open} (no END:{open})"));
    }
    expand(parsed, window, &mut out)?;
    Ok(out)
}

/// Turns the parsed events into busy events: single events as they are,
/// recurring ones one per occurrence within `window`, less the occurrences that
/// an event with a `RECURRENCE-ID` (same `UID`) replaces.
fn expand(parsed: Vec<Parsed>, window: TimeRange, out: &mut ReadCalendar) -> Result<(), IcsError> {
    let mut budget = super::recur::MAX_PERIODS_PER_FILE;
    let overridden: Vec<(String, When)> = parsed
        .iter()
        .filter_map(|p| Some((p.uid.clone()?, p.recurrence_id?)))
        .collect();
    for p in parsed {
        if p.free {
            out.skipped += 1;
            continue;
        }
        let recurring = p.recurrence_id.is_none() && (p.rule.is_some() || !p.rdates.is_empty());
        if !recurring {
            match p.span_at(p.start)? {
                Some(span) => {
                    let uid = match (&p.uid, p.recurrence_id) {
                        (Some(uid), Some(rid)) => {
                            occurrence_uid(p.line, uid, wall_clock(rid, p.start))?
                        }
                        (Some(uid), None) => uid.clone(),
                        (None, _) => span_uid(span),
                    };
                    out.events.push(BusyEvent {
                        line: p.line,
                        uid,
                        span,
                    });
                }
                None => out.skipped += 1,
            }
            continue;
        }
        let first = wall_clock(p.start, p.start);
        let until = match &p.rule {
            Some((line, rule)) => match &rule.until {
                Some(text) => Some(until(*line, text, p.start)?),
                None => None,
            },
            None => None,
        };
        let mut starts = match &p.rule {
            Some((line, rule)) => rule
                .occurrences(first, until, &mut budget, |t| {
                    // In order: past the window's end, nothing more is wanted (an
                    // all-day occurrence placed at UTC midnight, near enough).
                    at(t, p.start).unwrap_or_else(|| t.and_utc()) < window.end()
                })
                .ok_or_else(|| IcsError {
                    line: *line,
                    message: "the calendar's recurring events take too long to expand \
                              (rules that match rarely or never)"
                        .into(),
                })?,
            None => vec![first],
        };
        starts.extend(p.rdates.iter().map(|&d| wall_clock(d, p.start)));
        starts.sort_unstable();
        starts.dedup();
        let uid = p
            .uid
            .clone()
            .unwrap_or_else(|| first.format(OCCURRENCE).to_string());
        for t in starts {
            let excluded = p.exdates.iter().any(|&x| wall_clock(x, p.start) == t)
                || overridden
                    .iter()
                    .any(|(u, rid)| *u == uid && wall_clock(*rid, p.start) == t);
            if excluded {
                continue;
            }
            let Some(span) = p.span_at(occurrence(t, p.start))? else {
                continue;
            };
            let (start, end) = span_bounds(span);
            if end <= window.start() || start >= window.end() {
                continue;
            }
            if out.events.len() >= MAX_OCCURRENCES {
                return err(
                    p.line,
                    format!(
                        "the calendar holds more than {MAX_OCCURRENCES} events once its recurring events are expanded"
                    ),
                );
            }
            out.events.push(BusyEvent {
                line: p.line,
                uid: occurrence_uid(p.line, &uid, t)?,
                span,
            });
        }
    }
    Ok(())
}

/// How an occurrence's start is written in its `UID`.
const OCCURRENCE: &str = "%Y%m%dT%H%M%S";

/// The UID kept for one occurrence of a recurring event: the event's UID,
/// `#`, and when the occurrence begins (16 characters more). Refused when that
/// is longer than [`MAX_UID_CHARS`], which every UID berth keeps stays within
/// (so a recurring event's own UID may have at most 239 characters).
fn occurrence_uid(line: usize, uid: &str, at: NaiveDateTime) -> Result<String, IcsError> {
    let suffix = format!("#{}", at.format(OCCURRENCE));
    let room = MAX_UID_CHARS.saturating_sub(suffix.len());
    if uid.chars().count() > room {
        return err(
            line,
            format!("the UID of a recurring event is longer than {room} characters"),
        );
    }
    Ok(format!("{uid}{suffix}"))
}

/// A value on the wall clock of `start` (the recurrence's time line): dates at
/// midnight, zoned and UTC times in `start`'s zone (UTC for UTC).
fn wall_clock(value: When, start: When) -> NaiveDateTime {
    let instant = match value {
        When::Date(d) => return d.and_time(chrono::NaiveTime::MIN),
        When::Utc(t) => t,
        When::Local(t, zone) => match start {
            When::Local(_, start_zone) if start_zone == zone => return t,
            _ => local_instant(zone, t.date(), t.time()),
        },
    };
    match start {
        When::Local(_, zone) => instant.with_timezone(&zone).naive_local(),
        When::Utc(_) => instant.naive_utc(),
        When::Date(_) => instant.naive_utc().date().and_time(chrono::NaiveTime::MIN),
    }
}

/// An occurrence at wall-clock `t` of a recurrence starting at `start`.
fn occurrence(t: NaiveDateTime, start: When) -> When {
    match start {
        When::Date(_) => When::Date(t.date()),
        When::Utc(_) => When::Utc(t.and_utc()),
        When::Local(_, zone) => When::Local(t, zone),
    }
}

/// The instant of wall-clock `t` (none for all-day recurrences).
fn at(t: NaiveDateTime, start: When) -> Option<DateTime<Utc>> {
    occurrence(t, start).instant()
}

/// Where a span starts and ends, as instants (all-day spans at UTC midnight,
/// near enough to place them against the import window).
fn span_bounds(span: Span) -> (DateTime<Utc>, DateTime<Utc>) {
    match span {
        Span::Days { first, end } => (
            first.and_time(chrono::NaiveTime::MIN).and_utc(),
            end.and_time(chrono::NaiveTime::MIN).and_utc(),
        ),
        Span::Instants(r) => (r.start(), r.end()),
    }
}

/// A rule's `UNTIL` on the wall clock of `start`: a UTC time converted, a
/// floating one as written, a date inclusive of the whole day.
fn until(line: usize, text: &str, start: When) -> Result<NaiveDateTime, IcsError> {
    let bad = || IcsError {
        line,
        message: format!("RRULE: UNTIL `{}` is not a date or a date-time", clip(text)),
    };
    if let Some(utc) = text.strip_suffix('Z') {
        let t = date_time(utc).map_err(|()| bad())?;
        return Ok(wall_clock(When::Utc(t.and_utc()), start));
    }
    if text.len() == 8 {
        let d = date(text).map_err(|()| bad())?;
        return Ok(match start {
            When::Date(_) => d.and_time(chrono::NaiveTime::MIN),
            _ => d.and_hms_opt(23, 59, 59).ok_or_else(bad)?,
        });
    }
    date_time(text).map_err(|()| bad())
}

/// A date as RFC 5545 writes it, `YYYYMMDD` in digits.
fn date(text: &str) -> Result<NaiveDate, ()> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    NaiveDate::parse_from_str(text, "%Y%m%d").map_err(|_| ())
}

/// A date-time as RFC 5545 writes it, `YYYYMMDDTHHMMSS` in digits (no
/// spaces, which chrono's parser would let in). A leap second (`:60`) is the
/// next minute's first: chrono keeps it as a 59th second of more than a
/// second, which did not survive arithmetic and berth's feed the same way.
fn date_time(text: &str) -> Result<NaiveDateTime, ()> {
    let shaped = text.len() == 15
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 8 {
                b.eq_ignore_ascii_case(&b'T')
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(());
    }
    let t = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").map_err(|_| ())?;
    if t.nanosecond() < 1_000_000_000 {
        return Ok(t);
    }
    t.with_nanosecond(0)
        .and_then(|t| t.checked_add_signed(Duration::seconds(1)))
        .ok_or(())
}

/// The `UID` of an event that has none: its span, stable while the event is.
fn span_uid(span: Span) -> String {
    match span {
        Span::Days { first, end } => format!("{first}/{end}"),
        Span::Instants(r) => format!("{}/{}", r.start().to_rfc3339(), r.end().to_rfc3339()),
    }
}

/// Logical lines with the physical line each starts on: CRLF or LF endings, a
/// line starting with a space or tab continues the previous one (RFC 5545 3.1),
/// empty lines are ignored.
fn unfold(ics: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in ics.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some((_, last)) = lines.last_mut()
        {
            last.push_str(rest);
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        lines.push((i + 1, raw.to_owned()));
    }
    lines
}

/// Splits a logical line into name, parameters and value.
fn parse_line(line: usize, text: &str) -> Result<ContentLine, IcsError> {
    let name_end = text.find([';', ':']).ok_or_else(|| IcsError {
        line,
        message: "a content line needs a `:` before its value".into(),
    })?;
    let name = &text[..name_end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return err(line, format!("`{}` is not a property name", clip(name)));
    }
    let mut params = Vec::new();
    let mut rest = &text[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find('=').ok_or_else(|| IcsError {
            line,
            message: format!("a parameter of {name} has no `=`"),
        })?;
        let pname = after[..eq].to_ascii_uppercase();
        let mut values = Vec::new();
        let mut cur = &after[eq + 1..];
        loop {
            let (value, next) = if let Some(quoted) = cur.strip_prefix('"') {
                let close = quoted.find('"').ok_or_else(|| IcsError {
                    line,
                    message: format!("an unclosed quote in parameter {pname}"),
                })?;
                (&quoted[..close], &quoted[close + 1..])
            } else {
                let end = cur.find([',', ';', ':']).unwrap_or(cur.len());
                (&cur[..end], &cur[end..])
            };
            values.push(value.to_owned());
            match next.strip_prefix(',') {
                Some(more) => cur = more,
                None => {
                    cur = next;
                    break;
                }
            }
        }
        params.push((pname, values));
        rest = cur;
    }
    let value = rest.strip_prefix(':').ok_or_else(|| IcsError {
        line,
        message: format!("{name}: expected `:` before the value"),
    })?;
    Ok(ContentLine {
        line,
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_owned(),
    })
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A date or date-time property value, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    Date(NaiveDate),
    Utc(DateTime<Utc>),
    /// A wall-clock time in a zone (the file's `TZID=`, or the tenant's for a
    /// floating time).
    Local(NaiveDateTime, Tz),
}

impl When {
    fn instant(self) -> Option<DateTime<Utc>> {
        match self {
            Self::Date(_) => None,
            Self::Utc(t) => Some(t),
            Self::Local(t, tz) => Some(local_instant(tz, t.date(), t.time())),
        }
    }
}

/// An iCalendar duration: nominal days (weeks are 7 days) and exact seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct IcsDuration {
    days: i64,
    seconds: i64,
}

#[derive(Debug)]
struct EventBuilder {
    line: usize,
    /// The zone of floating times (the tenant's).
    tz: Tz,
    uid: Option<String>,
    start: Option<(usize, When)>,
    end: Option<(usize, When)>,
    duration: Option<(usize, IcsDuration)>,
    free: bool,
    rule: Option<(usize, super::recur::Rule)>,
    exdates: Vec<When>,
    rdates: Vec<When>,
    recurrence_id: Option<When>,
}

/// How long each occurrence of an event lasts.
#[derive(Clone, Copy, Debug)]
enum Length {
    /// Whole days (all-day events).
    Days(i64),
    /// Exact time (`DTEND` − `DTSTART` of a timed event).
    Exact(Duration),
    /// A `DURATION`: nominal days, exact seconds.
    Nominal(IcsDuration),
    /// No `DTEND` or `DURATION` on a timed event: no time at all.
    Nothing,
}

/// One `VEVENT`, read.
#[derive(Debug)]
struct Parsed {
    line: usize,
    start_line: usize,
    uid: Option<String>,
    start: When,
    length: Length,
    free: bool,
    rule: Option<(usize, super::recur::Rule)>,
    exdates: Vec<When>,
    rdates: Vec<When>,
    recurrence_id: Option<When>,
}

impl Parsed {
    /// What the occurrence starting at `start` covers (`None`: nothing).
    fn span_at(&self, start: When) -> Result<Option<Span>, IcsError> {
        let line = self.start_line;
        match (start, self.length) {
            (When::Date(first), Length::Days(n)) => Ok(Some(days(
                line,
                first,
                first.checked_add_signed(Duration::days(n)),
            )?)),
            (_, Length::Nothing) => Ok(None),
            (start, Length::Exact(d)) => {
                let begin = start.instant();
                instants(line, begin, begin.and_then(|t| t.checked_add_signed(d)))
            }
            (start, Length::Nominal(d)) => {
                let end = match start {
                    When::Local(t, zone) => t
                        .checked_add_signed(Duration::days(d.days))
                        .map(|t| local_instant(zone, t.date(), t.time())),
                    other => other
                        .instant()
                        .and_then(|t| t.checked_add_signed(Duration::days(d.days))),
                }
                .and_then(|t| t.checked_add_signed(Duration::seconds(d.seconds)));
                instants(line, start.instant(), end)
            }
            (_, Length::Days(_)) => err(line, "an all-day length on a timed start"),
        }
    }
}

impl EventBuilder {
    fn new(line: usize, tz: Tz) -> Self {
        Self {
            line,
            tz,
            uid: None,
            start: None,
            end: None,
            duration: None,
            free: false,
            rule: None,
            exdates: Vec::new(),
            rdates: Vec::new(),
            recurrence_id: None,
        }
    }

    fn add(&mut self, cl: ContentLine) -> Result<(), IcsError> {
        let once = |present: bool| {
            if present {
                err(cl.line, format!("{} appears twice in one event", cl.name))
            } else {
                Ok(())
            }
        };
        match cl.name.as_str() {
            "UID" => {
                once(self.uid.is_some())?;
                // Trimmed once the control characters are gone: spaces they
                // hid at an end would not survive berth's feed of it.
                let uid = unescape_text(&cl.value).trim().to_owned();
                if uid.chars().count() > MAX_UID_CHARS {
                    return err(
                        cl.line,
                        format!("UID is longer than {MAX_UID_CHARS} characters"),
                    );
                }
                self.uid = Some(uid);
            }
            "DTSTART" => {
                once(self.start.is_some())?;
                self.start = Some((cl.line, when(&cl, self.tz)?));
            }
            "DTEND" => {
                once(self.end.is_some())?;
                self.end = Some((cl.line, when(&cl, self.tz)?));
            }
            "DURATION" => {
                once(self.duration.is_some())?;
                self.duration = Some((cl.line, duration(cl.line, cl.value.trim())?));
            }
            "STATUS" if cl.value.trim().eq_ignore_ascii_case("CANCELLED") => self.free = true,
            "TRANSP" if cl.value.trim().eq_ignore_ascii_case("TRANSPARENT") => self.free = true,
            "RRULE" => {
                once(self.rule.is_some())?;
                self.rule = Some((cl.line, super::recur::parse(cl.line, &cl.value)?));
            }
            "EXDATE" => self.exdates.extend(whens(&cl, self.tz)?),
            "RDATE" => {
                if cl
                    .param("VALUE")
                    .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"))
                {
                    return err(
                        cl.line,
                        "RDATE;VALUE=PERIOD is not supported; give dates or date-times",
                    );
                }
                self.rdates.extend(whens(&cl, self.tz)?);
            }
            "RECURRENCE-ID" => {
                once(self.recurrence_id.is_some())?;
                self.recurrence_id = Some(when(&cl, self.tz)?);
            }
            "EXRULE" => {
                return err(
                    cl.line,
                    "EXRULE (deprecated by RFC 5545) is not supported; use EXDATE",
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// The event as read: its start, how long it lasts, its recurrence.
    fn finish(self) -> Result<Parsed, IcsError> {
        if self.free {
            // Canceled or transparent: free time, whatever its times say; kept
            // only to count it, and to cancel the occurrence it may override.
            return Ok(Parsed {
                line: self.line,
                start_line: self.line,
                uid: self.uid,
                start: self.start.map_or(When::Date(NaiveDate::MIN), |(_, s)| s),
                length: Length::Nothing,
                free: true,
                rule: None,
                exdates: Vec::new(),
                rdates: Vec::new(),
                recurrence_id: self.recurrence_id,
            });
        }
        let Some((start_line, start)) = self.start else {
            return err(self.line, "an event without DTSTART");
        };
        if self.end.is_some() && self.duration.is_some() {
            return err(self.line, "an event with both DTEND and DURATION");
        }
        let length = match (start, self.end, self.duration) {
            (When::Date(_), None, None) => Length::Days(1),
            (When::Date(first), Some((line, When::Date(end))), None) => {
                days(line, first, Some(end))?;
                Length::Days((end - first).num_days())
            }
            (When::Date(_), Some((line, _)), None) => {
                return err(line, "DTEND must be a date when DTSTART is a date");
            }
            (When::Date(first), None, Some((line, d))) => {
                if d.seconds != 0 {
                    return err(line, "an all-day event's DURATION must be whole days");
                }
                days(
                    line,
                    first,
                    first.checked_add_signed(Duration::days(d.days)),
                )?;
                Length::Days(d.days)
            }
            (_, Some((line, When::Date(_))), None) => {
                return err(line, "DTEND must be a date-time when DTSTART is one");
            }
            (_, None, None) => Length::Nothing,
            (start, Some((line, end)), None) => match (start.instant(), end.instant()) {
                (Some(s), Some(e)) if e >= s => Length::Exact(e - s),
                (Some(_), Some(_)) => return err(line, "the event ends before it starts"),
                _ => return err(line, "the event ends past the calendar's range"),
            },
            (_, None, Some((_, d))) => Length::Nominal(d),
            (_, Some(_), Some(_)) => unreachable!("refused above"),
        };
        let parsed = Parsed {
            line: self.line,
            start_line,
            uid: self.uid,
            start,
            length,
            free: self.free,
            rule: self.rule,
            exdates: self.exdates,
            rdates: self.rdates,
            recurrence_id: self.recurrence_id,
        };
        // The event's own times are checked even when it recurs.
        parsed.span_at(start)?;
        Ok(parsed)
    }
}

/// The values of a property that may list several (`EXDATE`, `RDATE`), each
/// read like `DTSTART` with the line's parameters.
fn whens(cl: &ContentLine, tz: Tz) -> Result<Vec<When>, IcsError> {
    cl.value
        .split(',')
        .filter(|v| !v.trim().is_empty())
        .map(|value| {
            when(
                &ContentLine {
                    line: cl.line,
                    name: cl.name.clone(),
                    params: cl.params.clone(),
                    value: value.to_owned(),
                },
                tz,
            )
        })
        .collect()
}

fn days(line: usize, first: NaiveDate, end: Option<NaiveDate>) -> Result<Span, IcsError> {
    match end {
        Some(end) if end > first => Ok(Span::Days { first, end }),
        Some(_) => err(line, "the event ends before it starts"),
        None => err(line, "the event ends past the calendar's range"),
    }
}

/// The span of a timed event; an event of no length blocks nothing.
fn instants(
    line: usize,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Result<Option<Span>, IcsError> {
    match (start, end) {
        (Some(start), Some(end)) if end == start => Ok(None),
        (Some(start), Some(end)) => match TimeRange::new(start, end) {
            Ok(range) => Ok(Some(Span::Instants(range))),
            Err(_) => err(line, "the event ends before it starts"),
        },
        _ => err(line, "the event ends past the calendar's range"),
    }
}

/// A DTSTART/DTEND value.
fn when(cl: &ContentLine, tz: Tz) -> Result<When, IcsError> {
    let value = cl.value.trim();
    let line = cl.line;
    let is_date = match cl.param("VALUE").map(str::to_ascii_uppercase).as_deref() {
        Some("DATE") => true,
        Some("DATE-TIME") | None => value.len() == 8 && !value.contains('T'),
        Some(other) => return err(line, format!("{}: VALUE={other} is not a date", cl.name)),
    };
    if is_date {
        return date(value).map(When::Date).or_else(|()| {
            err(
                line,
                format!("{}: `{}` is not a date (YYYYMMDD)", cl.name, clip(value)),
            )
        });
    }
    let (text, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(t) => (t, true),
        None => (value, false),
    };
    let naive = date_time(text).or_else(|()| {
        err(
            line,
            format!(
                "{}: `{}` is not a date-time (YYYYMMDDTHHMMSS, Z for UTC)",
                cl.name,
                clip(value)
            ),
        )
    })?;
    if utc {
        return Ok(When::Utc(naive.and_utc()));
    }
    match cl.param("TZID") {
        Some(tzid) => Ok(When::Local(naive, zone(line, tzid)?)),
        // A floating time: the tenant's wall clock.
        None => Ok(When::Local(naive, tz)),
    }
}

/// An IANA zone from a TZID, tolerating a `/vendor/version/Area/City` prefix,
/// or the zone CLDR maps a Windows name to.
fn zone(line: usize, tzid: &str) -> Result<Tz, IcsError> {
    let tzid = tzid.trim();
    if let Ok(tz) = tzid.parse::<Tz>() {
        return Ok(tz);
    }
    if let Some(tz) = super::windows_zones::iana(tzid) {
        return Ok(tz);
    }
    let mut rest = tzid;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Ok(tz) = tail.parse::<Tz>() {
            return Ok(tz);
        }
        rest = tail;
    }
    err(
        line,
        format!(
            "unknown time zone `{}` (TZID must be an IANA name such as Europe/Berlin, or a Windows name such as W. Europe Standard Time)",
            clip(tzid)
        ),
    )
}

/// An RFC 5545 duration: `[+]P[nW]` or `[+]P[nD][T[nH][nM][nS]]`; negative
/// durations are refused (an event cannot end before it starts).
fn duration(line: usize, value: &str) -> Result<IcsDuration, IcsError> {
    let bad = || IcsError {
        line,
        message: format!(
            "DURATION: `{}` is not a duration (such as P3D or PT1H30M)",
            clip(value)
        ),
    };
    if value.starts_with('-') {
        return err(line, "DURATION: negative durations are not accepted");
    }
    let body = value.strip_prefix('+').unwrap_or(value);
    let body = body.strip_prefix(['P', 'p']).ok_or_else(bad)?;
    let (date_part, time_part) = match body.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (body, None),
    };
    let mut out = IcsDuration {
        days: 0,
        seconds: 0,
    };
    let mut any = false;
    for (number, unit) in components(date_part).ok_or_else(bad)? {
        any = true;
        match unit {
            'W' => out.days += number.checked_mul(7).ok_or_else(bad)?,
            'D' => out.days += number,
            _ => return Err(bad()),
        }
    }
    if let Some(time) = time_part {
        let parts = components(time).ok_or_else(bad)?;
        if parts.is_empty() {
            return Err(bad());
        }
        for (number, unit) in parts {
            any = true;
            let factor = match unit {
                'H' => 3600,
                'M' => 60,
                'S' => 1,
                _ => return Err(bad()),
            };
            out.seconds += number.checked_mul(factor).ok_or_else(bad)?;
        }
    }
    // Bounded so that adding it to any date stays in range.
    if !any || out.days > 366 * 100 || out.seconds > 86_400 * 366 * 100 {
        return Err(bad());
    }
    Ok(out)
}

/// `3D12H` → `[(3, 'D'), (12, 'H')]`; `None` when malformed.
fn components(s: &str) -> Option<Vec<(i64, char)>> {
    let mut out = Vec::new();
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if number.len() >= 9 {
                return None;
            }
            number.push(c);
        } else {
            if number.is_empty() {
                return None;
            }
            out.push((number.parse().ok()?, c.to_ascii_uppercase()));
            number.clear();
        }
    }
    number.is_empty().then_some(out)
}

/// RFC 5545 TEXT unescaping: `\\`, `\;`, `\,`, `\n`/`\N`. A control
/// character written as itself (a bare CR inside a line, a tab, …) is dropped,
/// as berth's writer drops it (`write::escape_text`): TEXT allows none, and a
/// UID read with one would come back different from berth's own feed (found
/// by fuzzing, `ical_import`).
fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().filter(|c| !c.is_control());
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}
