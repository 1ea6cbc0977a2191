//! Recurrence rules (`RRULE`, RFC 5545 3.3.10): the subset that personal and
//! office calendars use for recurring blocks, expanded on the wall clock of the
//! event's `DTSTART` (so a weekly 10:00 block stays at 10:00 across a DST
//! change).
//!
//! Read: `FREQ` = `DAILY`, `WEEKLY`, `MONTHLY` or `YEARLY`; `INTERVAL`; `COUNT`
//! or `UNTIL`; `BYDAY` (weekdays; with an ordinal such as `2MO` or `-1FR` in
//! monthly rules and in yearly rules with `BYMONTH`); `BYMONTHDAY` (negative
//! counts from the month's end); `BYMONTH`; `WKST`. Refused, naming the part:
//! sub-daily frequencies, `BYSETPOS`, `BYWEEKNO`, `BYYEARDAY`, `BYHOUR`,
//! `BYMINUTE`, `BYSECOND`. `DTSTART` is always the first occurrence and counts
//! towards `COUNT` (RFC 5545; RFC 2445 left it open).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use super::read::IcsError;

/// Periods (days, weeks, months or years) looked at, at most, for one rule:
/// a rule that matches nothing (`BYMONTH=2;BYMONTHDAY=30`) ends here.
const MAX_PERIODS: u32 = 40_000;
/// Periods looked at, at most, for all the rules of one file together, so that
/// a file of many such rules cannot keep a request busy.
pub(super) const MAX_PERIODS_PER_FILE: u32 = 400_000;
/// The largest `INTERVAL` and `COUNT` accepted.
const MAX_INTERVAL: u32 = 1_000;
const MAX_COUNT: u32 = 100_000;

/// How often a rule repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// A parsed `RRULE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Rule {
    freq: Freq,
    interval: u32,
    count: Option<u32>,
    /// As written; resolved against `DTSTART` by the reader.
    pub(super) until: Option<String>,
    /// `(ordinal, weekday)`: `None` is every such weekday of the period.
    by_day: Vec<(Option<i32>, Weekday)>,
    by_month_day: Vec<i32>,
    by_month: Vec<u32>,
    week_start: Weekday,
}

fn refuse<T>(line: usize, message: impl Into<String>) -> Result<T, IcsError> {
    Err(IcsError {
        line,
        message: format!("RRULE: {}", message.into()),
    })
}

fn weekday(line: usize, text: &str) -> Result<Weekday, IcsError> {
    Ok(match text {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        other => return refuse(line, format!("`{other}` is not a weekday (MO … SU)")),
    })
}

fn number(line: usize, part: &str, text: &str) -> Result<i32, IcsError> {
    text.parse()
        .or_else(|_| refuse(line, format!("{part}: `{text}` is not a number")))
}

/// Parses the value of an `RRULE` line.
pub(super) fn parse(line: usize, value: &str) -> Result<Rule, IcsError> {
    let mut freq = None;
    let mut rule = Rule {
        freq: Freq::Daily,
        interval: 1,
        count: None,
        until: None,
        by_day: Vec::new(),
        by_month_day: Vec::new(),
        by_month: Vec::new(),
        week_start: Weekday::Mon,
    };
    for part in value.trim().split(';').filter(|p| !p.is_empty()) {
        let Some((name, text)) = part.split_once('=') else {
            return refuse(line, format!("`{part}` is not NAME=VALUE"));
        };
        let name = name.trim().to_ascii_uppercase();
        let text = text.trim().to_ascii_uppercase();
        match name.as_str() {
            "FREQ" => {
                freq = Some(match text.as_str() {
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    "HOURLY" | "MINUTELY" | "SECONDLY" => {
                        return refuse(
                            line,
                            format!("FREQ={text} is not supported (at least daily)"),
                        );
                    }
                    other => return refuse(line, format!("`{other}` is not a FREQ")),
                });
            }
            "INTERVAL" => {
                let n = number(line, "INTERVAL", &text)?;
                match u32::try_from(n) {
                    Ok(n) if (1..=MAX_INTERVAL).contains(&n) => rule.interval = n,
                    _ => return refuse(line, format!("INTERVAL must be 1 to {MAX_INTERVAL}")),
                }
            }
            "COUNT" => {
                let n = number(line, "COUNT", &text)?;
                match u32::try_from(n) {
                    Ok(n) if (1..=MAX_COUNT).contains(&n) => rule.count = Some(n),
                    _ => return refuse(line, format!("COUNT must be 1 to {MAX_COUNT}")),
                }
            }
            "UNTIL" => rule.until = Some(text),
            "WKST" => rule.week_start = weekday(line, &text)?,
            "BYDAY" => {
                for item in text.split(',') {
                    let item = item.trim();
                    // The weekday is the last two bytes; a shorter item, or
                    // one whose last two bytes cut a character, names none.
                    let Some(cut) = item
                        .len()
                        .checked_sub(2)
                        .filter(|&cut| item.is_char_boundary(cut))
                    else {
                        return refuse(line, format!("BYDAY: `{item}` is not a weekday"));
                    };
                    let (ordinal, day) = item.split_at(cut);
                    let ordinal = if ordinal.is_empty() {
                        None
                    } else {
                        let n = number(line, "BYDAY", ordinal.trim_start_matches('+'))?;
                        if n == 0 || n.abs() > 53 {
                            return refuse(line, format!("BYDAY: `{item}` has no such ordinal"));
                        }
                        Some(n)
                    };
                    rule.by_day.push((ordinal, weekday(line, day)?));
                }
            }
            "BYMONTHDAY" => {
                for item in text.split(',') {
                    let n = number(line, "BYMONTHDAY", item.trim().trim_start_matches('+'))?;
                    if n == 0 || n.abs() > 31 {
                        return refuse(line, format!("BYMONTHDAY: {n} is not a day of a month"));
                    }
                    rule.by_month_day.push(n);
                }
            }
            "BYMONTH" => {
                for item in text.split(',') {
                    let n = number(line, "BYMONTH", item.trim())?;
                    match u32::try_from(n) {
                        Ok(m) if (1..=12).contains(&m) => rule.by_month.push(m),
                        _ => return refuse(line, format!("BYMONTH: {n} is not a month")),
                    }
                }
            }
            "BYSETPOS" | "BYWEEKNO" | "BYYEARDAY" | "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                return refuse(line, format!("{name} is not supported"));
            }
            other => return refuse(line, format!("`{other}` is not a rule part")),
        }
    }
    let Some(freq) = freq else {
        return refuse(line, "FREQ is missing");
    };
    rule.freq = freq;
    if rule.count.is_some() && rule.until.is_some() {
        return refuse(line, "COUNT and UNTIL cannot both be given");
    }
    let ordinals = rule.by_day.iter().any(|(n, _)| n.is_some());
    match freq {
        Freq::Daily | Freq::Weekly if ordinals => {
            return refuse(
                line,
                "BYDAY ordinals (such as 2MO) need FREQ=MONTHLY or YEARLY",
            );
        }
        Freq::Weekly if !rule.by_month_day.is_empty() => {
            return refuse(line, "BYMONTHDAY cannot be used with FREQ=WEEKLY");
        }
        Freq::Yearly if !rule.by_day.is_empty() && rule.by_month.is_empty() => {
            return refuse(
                line,
                "BYDAY in a yearly rule is supported only with BYMONTH",
            );
        }
        _ => {}
    }
    Ok(rule)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The date of day `n` of a month (negative: from its end), if it exists.
fn month_day(year: i32, month: u32, n: i32) -> Option<NaiveDate> {
    let dim = i32::try_from(days_in_month(year, month)).ok()?;
    let day = if n > 0 { n } else { dim + n + 1 };
    if day < 1 || day > dim {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, u32::try_from(day).ok()?)
}

impl Rule {
    fn month_allowed(&self, month: u32) -> bool {
        self.by_month.is_empty() || self.by_month.contains(&month)
    }

    fn month_day_allowed(&self, d: NaiveDate) -> bool {
        self.by_month_day.is_empty()
            || self
                .by_month_day
                .iter()
                .any(|&n| month_day(d.year(), d.month(), n) == Some(d))
    }

    /// Whether `d` is one of the rule's `BYDAY` days within its month.
    fn weekday_allowed_in_month(&self, d: NaiveDate) -> bool {
        if self.by_day.is_empty() {
            return true;
        }
        let dim = i32::try_from(days_in_month(d.year(), d.month())).unwrap_or(28);
        let day = i32::try_from(d.day()).unwrap_or(1);
        self.by_day.iter().any(|&(ordinal, wd)| {
            d.weekday() == wd
                && match ordinal {
                    None => true,
                    Some(n) if n > 0 => (day - 1) / 7 + 1 == n,
                    Some(n) => (dim - day) / 7 + 1 == -n,
                }
        })
    }

    /// The rule's days in one month, sorted.
    fn days_of_month(&self, year: i32, month: u32, start: NaiveDate) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = if !self.by_month_day.is_empty() {
            self.by_month_day
                .iter()
                .filter_map(|&n| month_day(year, month, n))
                .filter(|&d| self.weekday_allowed_in_month(d))
                .collect()
        } else if !self.by_day.is_empty() {
            (1..=days_in_month(year, month))
                .filter_map(|day| NaiveDate::from_ymd_opt(year, month, day))
                .filter(|&d| self.weekday_allowed_in_month(d))
                .collect()
        } else {
            NaiveDate::from_ymd_opt(year, month, start.day())
                .into_iter()
                .collect()
        };
        days.sort_unstable();
        days.dedup();
        days
    }

    /// The candidate days of period `k` (0 is the one holding `start`), sorted.
    fn period(&self, start: NaiveDate, k: u32) -> Vec<NaiveDate> {
        let step = i64::from(self.interval) * i64::from(k);
        match self.freq {
            Freq::Daily => start
                .checked_add_signed(Duration::days(step))
                .into_iter()
                .filter(|&d| {
                    self.month_allowed(d.month())
                        && self.month_day_allowed(d)
                        && self.weekday_allowed_in_month(d)
                })
                .collect(),
            Freq::Weekly => {
                let back = (7 + start.weekday().num_days_from_monday()
                    - self.week_start.num_days_from_monday())
                    % 7;
                let Some(week) = start
                    .checked_sub_signed(Duration::days(i64::from(back)))
                    .and_then(|w| w.checked_add_signed(Duration::weeks(step)))
                else {
                    return Vec::new();
                };
                let weekdays: Vec<Weekday> = if self.by_day.is_empty() {
                    vec![start.weekday()]
                } else {
                    self.by_day.iter().map(|&(_, wd)| wd).collect()
                };
                let mut days: Vec<NaiveDate> = weekdays
                    .into_iter()
                    .filter_map(|wd| {
                        let offset = (7 + wd.num_days_from_monday()
                            - self.week_start.num_days_from_monday())
                            % 7;
                        week.checked_add_signed(Duration::days(i64::from(offset)))
                    })
                    .filter(|d| self.month_allowed(d.month()))
                    .collect();
                days.sort_unstable();
                days.dedup();
                days
            }
            Freq::Monthly => {
                let index = i64::from(start.year()) * 12 + i64::from(start.month0()) + step;
                let (Ok(year), Ok(month0)) = (i32::try_from(index / 12), u32::try_from(index % 12))
                else {
                    return Vec::new();
                };
                if !self.month_allowed(month0 + 1) {
                    return Vec::new();
                }
                self.days_of_month(year, month0 + 1, start)
            }
            Freq::Yearly => {
                let Ok(year) = i32::try_from(i64::from(start.year()) + step) else {
                    return Vec::new();
                };
                let months = if self.by_month.is_empty() {
                    vec![start.month()]
                } else {
                    let mut m = self.by_month.clone();
                    m.sort_unstable();
                    m.dedup();
                    m
                };
                months
                    .into_iter()
                    .flat_map(|month| self.days_of_month(year, month, start))
                    .collect()
            }
        }
    }

    /// The occurrences from `start` (the first, always), on its wall clock, in
    /// order, up to `until` (inclusive) and the rule's `COUNT`, for as long as
    /// `wanted` says more are wanted (it sees each occurrence before it is
    /// yielded; false ends the expansion).
    /// `budget` is what is left of the file's periods; `None` when it runs out.
    pub(super) fn occurrences(
        &self,
        start: NaiveDateTime,
        until: Option<NaiveDateTime>,
        budget: &mut u32,
        mut wanted: impl FnMut(NaiveDateTime) -> bool,
    ) -> Option<Vec<NaiveDateTime>> {
        let mut out = Vec::new();
        let limit = self.count.map_or(u32::MAX, |c| c);
        let mut produced = 0_u32;
        let mut push = |t: NaiveDateTime, out: &mut Vec<NaiveDateTime>| -> bool {
            if produced >= limit || until.is_some_and(|u| t > u) || !wanted(t) {
                return false;
            }
            produced += 1;
            out.push(t);
            true
        };
        if !push(start, &mut out) {
            return Some(out);
        }
        for k in 0..MAX_PERIODS {
            *budget = budget.checked_sub(1)?;
            for day in self.period(start.date(), k) {
                let t = day.and_time(start.time());
                if t <= start {
                    continue;
                }
                if !push(t, &mut out) {
                    return Some(out);
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn expand(rule: &str, start: &str, n: usize) -> Vec<String> {
        let rule = parse(1, rule).unwrap();
        let mut left = n;
        let mut budget = u32::MAX;
        rule.occurrences(at(start), None, &mut budget, |_| {
            let more = left > 0;
            left = left.saturating_sub(1);
            more
        })
        .unwrap()
        .into_iter()
        .map(|t| t.format("%Y-%m-%d %a %H:%M").to_string())
        .collect()
    }

    #[test]
    fn rules_expand_as_rfc_5545_says() {
        // Hand-checked against a calendar.
        let cases: &[(&str, &str, usize, &[&str])] = &[
            (
                "FREQ=DAILY;INTERVAL=2",
                "2026-12-30 10:00",
                3,
                &[
                    "2026-12-30 Wed 10:00",
                    "2027-01-01 Fri 10:00",
                    "2027-01-03 Sun 10:00",
                ],
            ),
            (
                "FREQ=WEEKLY;BYDAY=SA,SU",
                "2026-12-05 00:00",
                4,
                &[
                    "2026-12-05 Sat 00:00",
                    "2026-12-06 Sun 00:00",
                    "2026-12-12 Sat 00:00",
                    "2026-12-13 Sun 00:00",
                ],
            ),
            // Every other week from a Tuesday, on Mondays and Tuesdays: the week
            // of DTSTART (from Monday) holds Monday the 7th, before DTSTART.
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU",
                "2026-12-08 09:00",
                3,
                &[
                    "2026-12-08 Tue 09:00",
                    "2026-12-21 Mon 09:00",
                    "2026-12-22 Tue 09:00",
                ],
            ),
            // DTSTART counts even when it does not match the rule.
            (
                "FREQ=WEEKLY;BYDAY=FR;COUNT=3",
                "2026-12-09 12:00",
                10,
                &[
                    "2026-12-09 Wed 12:00",
                    "2026-12-11 Fri 12:00",
                    "2026-12-18 Fri 12:00",
                ],
            ),
            (
                "FREQ=MONTHLY;BYDAY=-1FR",
                "2026-11-27 08:00",
                3,
                &[
                    "2026-11-27 Fri 08:00",
                    "2026-12-25 Fri 08:00",
                    "2027-01-29 Fri 08:00",
                ],
            ),
            (
                "FREQ=MONTHLY;BYDAY=2MO",
                "2027-01-11 08:00",
                2,
                &["2027-01-11 Mon 08:00", "2027-02-08 Mon 08:00"],
            ),
            // The 31st: months without one are skipped.
            (
                "FREQ=MONTHLY",
                "2027-01-31 18:00",
                3,
                &[
                    "2027-01-31 Sun 18:00",
                    "2027-03-31 Wed 18:00",
                    "2027-05-31 Mon 18:00",
                ],
            ),
            (
                "FREQ=MONTHLY;BYMONTHDAY=-1",
                "2027-01-31 18:00",
                3,
                &[
                    "2027-01-31 Sun 18:00",
                    "2027-02-28 Sun 18:00",
                    "2027-03-31 Wed 18:00",
                ],
            ),
            // Friday the 13th.
            (
                "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                "2026-11-13 00:00",
                3,
                &[
                    "2026-11-13 Fri 00:00",
                    "2027-08-13 Fri 00:00",
                    "2028-10-13 Fri 00:00",
                ],
            ),
            (
                "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                "2027-03-28 02:00",
                2,
                &["2027-03-28 Sun 02:00", "2028-03-26 Sun 02:00"],
            ),
            // 29 February: only leap years.
            (
                "FREQ=YEARLY",
                "2028-02-29 12:00",
                2,
                &["2028-02-29 Tue 12:00", "2032-02-29 Sun 12:00"],
            ),
            (
                "FREQ=DAILY;BYMONTH=1;BYDAY=MO",
                "2026-12-28 07:00",
                3,
                &[
                    "2026-12-28 Mon 07:00",
                    "2027-01-04 Mon 07:00",
                    "2027-01-11 Mon 07:00",
                ],
            ),
        ];
        for (rule, start, n, expected) in cases {
            assert_eq!(&expand(rule, start, *n), expected, "{rule} from {start}");
        }
    }

    #[test]
    fn until_is_inclusive_and_impossible_rules_end() {
        let rule = parse(1, "FREQ=DAILY").unwrap();
        let mut budget = MAX_PERIODS_PER_FILE;
        let days = rule
            .occurrences(
                at("2026-12-01 10:00"),
                Some(at("2026-12-03 10:00")),
                &mut budget,
                |_| true,
            )
            .unwrap();
        assert_eq!(days.len(), 3);
        let never = parse(1, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").unwrap();
        let once = never.occurrences(at("2026-01-01 00:00"), None, &mut budget, |_| true);
        assert_eq!(once.map(|o| o.len()), Some(1));
        // Such rules use up a file's budget: ten of them, and the next is refused.
        let mut budget = MAX_PERIODS_PER_FILE;
        let mut expanded = 0;
        while never
            .occurrences(at("2026-01-01 00:00"), None, &mut budget, |_| true)
            .is_some()
        {
            expanded += 1;
        }
        assert_eq!(expanded, MAX_PERIODS_PER_FILE / MAX_PERIODS);
    }

    #[test]
    fn unsupported_parts_are_refused_by_name() {
        for (rule, expected) in [
            ("FREQ=HOURLY", "FREQ=HOURLY is not supported"),
            (
                "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU",
                "BYSETPOS is not supported",
            ),
            ("INTERVAL=2", "FREQ is missing"),
            ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "cannot both"),
            ("FREQ=WEEKLY;BYDAY=2MO", "ordinals"),
            ("FREQ=DAILY;BYDAY=XX", "not a weekday"),
            // Found by fuzzing: the last two bytes cut a two-byte character.
            ("FREQ=WEEKLY;BYDAY=-\u{3f6}U", "not a weekday"),
            ("FREQ=WEEKLY;BYDAY=\u{3f6}", "not a weekday"),
            ("FREQ=YEARLY;BYDAY=MO", "only with BYMONTH"),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be"),
        ] {
            let err = parse(7, rule).unwrap_err();
            assert_eq!(err.line, 7);
            assert!(err.message.contains(expected), "{rule}: {}", err.message);
        }
    }
}
