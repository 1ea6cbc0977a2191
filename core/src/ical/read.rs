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
//! - Recurrence (`RRULE`, `RDATE`, `RECURRENCE-ID`) is refused: booking channels
//!   export single events, and expanding rules correctly (EXDATE, overrides,
//!   time zones) is a library of its own.
//!
//! Every refusal names the line it is about. Inputs are bounded: at most
//! [`MAX_ICS_BYTES`], [`MAX_EVENTS`] events and [`MAX_DEPTH`] nested components.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::span::Span;
use crate::local_time::local_instant;
use crate::time_range::TimeRange;

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

/// Reads the busy events of `ics`; floating times are in `tz` (the tenant's).
pub fn read(ics: &str, tz: Tz) -> Result<ReadCalendar, IcsError> {
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
                    match builder.finish()? {
                        Some(e) => out.events.push(e),
                        None => out.skipped += 1,
                    }
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
    Ok(out)
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
                let uid = unescape_text(cl.value.trim());
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
            "RRULE" | "RDATE" | "EXRULE" | "RECURRENCE-ID" => {
                return err(
                    cl.line,
                    format!(
                        "recurring events ({}) are not supported; export the calendar with single events",
                        cl.name
                    ),
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// The event's busy span, or `None` when it blocks nothing.
    fn finish(self) -> Result<Option<BusyEvent>, IcsError> {
        if self.free {
            // Canceled or transparent: free time, whatever its times say.
            return Ok(None);
        }
        let Some((start_line, start)) = self.start else {
            return err(self.line, "an event without DTSTART");
        };
        if self.end.is_some() && self.duration.is_some() {
            return err(self.line, "an event with both DTEND and DURATION");
        }
        let span = match (start, self.end, self.duration) {
            (When::Date(first), None, None) => Some(days(start_line, first, first.succ_opt())?),
            (When::Date(first), Some((line, When::Date(end))), None) => {
                Some(days(line, first, Some(end))?)
            }
            (When::Date(_), Some((line, _)), None) => {
                return err(line, "DTEND must be a date when DTSTART is a date");
            }
            (When::Date(first), None, Some((line, d))) => {
                if d.seconds != 0 {
                    return err(line, "an all-day event's DURATION must be whole days");
                }
                Some(days(
                    line,
                    first,
                    first.checked_add_signed(Duration::days(d.days)),
                )?)
            }
            (_, Some((line, When::Date(_))), None) => {
                return err(line, "DTEND must be a date-time when DTSTART is one");
            }
            (_, None, None) => None,
            (start, Some((line, end)), None) => instants(line, start.instant(), end.instant())?,
            (start, None, Some((line, d))) => {
                let end = match start {
                    When::Local(t, zone) => t
                        .checked_add_signed(Duration::days(d.days))
                        .map(|t| local_instant(zone, t.date(), t.time())),
                    other => other
                        .instant()
                        .and_then(|t| t.checked_add_signed(Duration::days(d.days))),
                }
                .and_then(|t| t.checked_add_signed(Duration::seconds(d.seconds)));
                instants(line, start.instant(), end)?
            }
            (_, Some(_), Some(_)) => unreachable!("refused above"),
        };
        let Some(span) = span else {
            return Ok(None);
        };
        let uid = self.uid.unwrap_or_else(|| match span {
            Span::Days { first, end } => format!("{first}/{end}"),
            Span::Instants(r) => format!("{}/{}", r.start().to_rfc3339(), r.end().to_rfc3339()),
        });
        Ok(Some(BusyEvent {
            line: self.line,
            uid,
            span,
        }))
    }
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
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(When::Date)
            .or_else(|_| {
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
    let naive = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").or_else(|_| {
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

/// RFC 5545 TEXT unescaping: `\\`, `\;`, `\,`, `\n`/`\N`.
fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
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
