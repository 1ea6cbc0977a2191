//! Every booking refused UNAVAILABLE must be explained by the unit's state while
//! it was answered: other reservations that the refusing transaction may have
//! seen (its own key's excluded) leave no room for the stay. The unit's states
//! over time come from the outbox: each reservation event carries the
//! reservation after the write and the writer's clock when the write began, so
//! a state may have been seen by a request answered in `[sent, answered]` when
//! its write began before `answered` and the next write of that reservation
//! had not certainly committed before `sent` (an acknowledged write committed
//! before its answer; a lost one may commit any time). The load it takes is an
//! overestimate — each reservation counted once wherever any state it may have
//! been in covers the instant — so a refusal this does not explain had room.
//!
//! Where one key was both acknowledged and refused (two copies sent at once),
//! the evidence is kept for the report: both answers and the unit's writes
//! around them (decision 0172, docs/reliability.md "A check corrected").

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::check::Snapshot;
use super::history::{History, Outcome, Window};
use super::load::Units;

/// The tenant's check-in and check-out times (UTC; `write_tenant`): a stay's
/// occupied interval, as the tenant has no buffers.
const CHECK_IN: NaiveTime = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
const CHECK_OUT: NaiveTime = NaiveTime::from_hms_opt(10, 0, 0).unwrap();

/// One state of a reservation, from one of its events.
#[derive(Debug)]
struct State {
    /// When its write began (the event's `at`).
    began: DateTime<Utc>,
    /// When its write had certainly committed (an acknowledged answer); `None`
    /// when unknown (its answer was lost).
    committed_by: Option<DateTime<Utc>>,
    active: bool,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    kind: String,
}

/// A reservation's states, in the outbox's order.
#[derive(Debug)]
struct Life {
    key: String,
    quantity: i64,
    states: Vec<State>,
}

fn at(date: &str, time: NaiveTime) -> DateTime<Utc> {
    date.parse::<NaiveDate>()
        .expect("a stay's date")
        .and_time(time)
        .and_utc()
}

fn instant(value: &serde_json::Value) -> Option<DateTime<Utc>> {
    value.as_str()?.parse().ok()
}

/// The lives of the reservations of each unit.
fn lives(history: &History, db: &Snapshot) -> HashMap<String, Vec<Life>> {
    let keys: HashMap<&str, &str> = db
        .reservations
        .iter()
        .map(|r| (r.id.as_str(), r.key.as_str()))
        .collect();
    let mut by_id: HashMap<&str, (String, Life)> = HashMap::new();
    for event in db
        .events
        .iter()
        .filter(|e| e.kind.starts_with("reservation."))
    {
        let p = &event.payload;
        let (Some(start), Some(end)) = (
            instant(&p["occupied"]["start"]),
            instant(&p["occupied"]["end"]),
        ) else {
            continue;
        };
        let unit = p["unit_id"].as_str().unwrap_or_default().to_owned();
        let state = p["state"].as_str().unwrap_or_default();
        let (_, life) = by_id.entry(event.entity.as_str()).or_insert_with(|| {
            (
                unit,
                Life {
                    key: keys
                        .get(event.entity.as_str())
                        .copied()
                        .unwrap_or_default()
                        .to_owned(),
                    quantity: p["quantity"].as_i64().unwrap_or(1),
                    states: Vec::new(),
                },
            )
        });
        life.states.push(State {
            began: event.at,
            committed_by: None,
            active: matches!(state, "held" | "confirmed" | "checked_in"),
            start,
            end,
            kind: event.kind.clone(),
        });
    }
    let mut units: HashMap<String, Vec<Life>> = HashMap::new();
    for (id, (unit, mut life)) in by_id {
        // Its creation: committed by its first acknowledgement.
        let created = history.bookings.get(&life.key).and_then(|b| {
            b.answers
                .iter()
                .zip(&b.windows)
                .filter(|(o, _)| matches!(o, Outcome::Acked(_)))
                .map(|(_, w)| w.answered)
                .min()
        });
        if let Some(first) = life.states.first_mut() {
            first.committed_by = created;
        }
        // Its changes: the acknowledged ones come first, in order (a
        // reservation is left alone after a lost change).
        if let Some(tracked) = history.reservations.get(id) {
            for (state, answered) in life.states.iter_mut().skip(1).zip(&tracked.acked_at) {
                state.committed_by = Some(*answered);
            }
        }
        units.entry(unit).or_default().push(life);
    }
    units
}

/// A half-open interval of instants.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The most of the unit the others may have taken at one instant of
/// `[start, end)` while a request was answered in `window`, and which
/// reservations (keys) that counted.
fn peak(
    lives: &[Life],
    own: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    window: Window,
) -> (i64, Vec<String>) {
    let mut seen: Vec<(&Life, Vec<Span>)> = Vec::new();
    for life in lives.iter().filter(|l| l.key != own) {
        let mut ranges = Vec::new();
        for (i, state) in life.states.iter().enumerate() {
            let next_committed = life.states.get(i + 1).and_then(|n| n.committed_by);
            let maybe_seen =
                state.began <= window.answered && next_committed.is_none_or(|c| c > window.sent);
            if maybe_seen && state.active && state.start < end && state.end > start {
                ranges.push((state.start.max(start), state.end.min(end)));
            }
        }
        if !ranges.is_empty() {
            seen.push((life, ranges));
        }
    }
    let mut points: Vec<DateTime<Utc>> = vec![start];
    points.extend(seen.iter().flat_map(|(_, r)| r.iter().map(|(s, _)| *s)));
    let mut best = (0, Vec::new());
    for p in points {
        let covering: Vec<&(&Life, _)> = seen
            .iter()
            .filter(|(_, ranges)| ranges.iter().any(|(s, e)| *s <= p && p < *e))
            .collect();
        let load: i64 = covering.iter().map(|(l, _)| l.quantity).sum();
        if load > best.0 {
            best = (load, covering.iter().map(|(l, _)| l.key.clone()).collect());
        }
    }
    best
}

/// What the refusals' checks found: violations, and the evidence of keys both
/// acknowledged and refused.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) wrong: Vec<String>,
    pub(crate) evidence: Vec<String>,
    /// UNAVAILABLE refusals checked.
    pub(crate) checked: u64,
}

/// Holds every UNAVAILABLE booking refusal against the unit's state.
pub(crate) fn explained(history: &History, db: &Snapshot, units: &Units) -> Found {
    let lives = lives(history, db);
    let inventory = |unit: &str| if unit == units.dorm { 3 } else { 1 };
    let mut found = Found::default();
    for (key, booking) in &history.bookings {
        let start = at(&booking.stay.check_in, CHECK_IN);
        let end = at(&booking.stay.check_out, CHECK_OUT);
        let unit_lives = lives
            .get(&booking.unit)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut refused_unavailable = false;
        for (outcome, window) in booking.answers.iter().zip(&booking.windows) {
            if *outcome != Outcome::Refused("UNAVAILABLE".into()) {
                continue;
            }
            refused_unavailable = true;
            found.checked += 1;
            let (load, by) = peak(unit_lives, key, start, end, *window);
            if load + 1 > inventory(&booking.unit) {
                continue;
            }
            found.wrong.push(format!(
                "booking {key} refused UNAVAILABLE ({} to {}, sent {}, answered {}) with room: the others took at most {load} of {} ({by:?}); the unit's writes: {}",
                booking.stay.check_in,
                booking.stay.check_out,
                window.sent,
                window.answered,
                inventory(&booking.unit),
                writes(unit_lives, start, end, *window, window.sent)
            ));
        }
        let acked = booking
            .answers
            .iter()
            .any(|o| matches!(o, Outcome::Acked(_)));
        if refused_unavailable && acked {
            let from = booking.windows.iter().map(|w| w.sent).min().unwrap();
            let to = booking.windows.iter().map(|w| w.answered).max().unwrap();
            let answers: Vec<String> = booking
                .answers
                .iter()
                .zip(&booking.windows)
                .map(|(o, w)| {
                    format!(
                        "{o:?} sent +{} ms, answered +{} ms",
                        (w.sent - from).num_milliseconds(),
                        (w.answered - from).num_milliseconds()
                    )
                })
                .collect();
            found.evidence.push(format!(
                "key {key} ({} to {}) both acknowledged and refused: {}; the unit's overlapping writes (began, ms from the first send; 1 s either side): {}",
                booking.stay.check_in,
                booking.stay.check_out,
                answers.join("; "),
                writes(
                    unit_lives,
                    start,
                    end,
                    Window {
                        sent: from - chrono::Duration::seconds(1),
                        answered: to + chrono::Duration::seconds(1),
                    },
                    from
                )
            ));
        }
    }
    found
}

/// The writes of the unit's reservations overlapping `[start, end)` that began in
/// `window`, as `key kind began(ms from base) state`.
fn writes(
    lives: &[Life],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    window: Window,
    base: DateTime<Utc>,
) -> String {
    let mut lines: Vec<(DateTime<Utc>, String)> = Vec::new();
    for life in lives {
        for (i, state) in life.states.iter().enumerate() {
            let before = i.checked_sub(1).map(|p| &life.states[p]);
            let touches = |s: &State| s.start < end && s.end > start;
            if state.began < window.sent
                || state.began > window.answered
                || !(touches(state) || before.is_some_and(touches))
            {
                continue;
            }
            lines.push((
                state.began,
                format!(
                    "{} {} {:+} ms ({}{}..{})",
                    life.key,
                    state.kind,
                    (state.began - base).num_milliseconds(),
                    if state.active { "" } else { "inactive " },
                    state.start.format("%m-%d"),
                    state.end.format("%m-%d"),
                ),
            ));
        }
    }
    lines.sort();
    if lines.is_empty() {
        return "none".into();
    }
    lines
        .into_iter()
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn state(began: i64, committed_by: Option<i64>, active: bool) -> State {
        State {
            began: t(began),
            committed_by: committed_by.map(t),
            active,
            start: t(1000),
            end: t(2000),
            kind: "reservation.created".into(),
        }
    }

    /// The others' load during a refusal answered from 100 to 110 s: a
    /// reservation canceled (and acknowledged) before the refusal was sent is
    /// not counted; one whose cancellation was answered only after it was sent
    /// may still have been seen; one created after the answer was not.
    #[test]
    fn peak_counts_what_the_refusal_may_have_seen() {
        let window = Window {
            sent: t(100),
            answered: t(110),
        };
        let life = |key: &str, states| Life {
            key: key.into(),
            quantity: 1,
            states,
        };
        let freed_before = life(
            "a",
            vec![state(0, Some(1), true), state(50, Some(60), false)],
        );
        let peak_of = |lives: &[Life]| peak(lives, "own", t(1500), t(1600), window).0;
        assert_eq!(peak_of(std::slice::from_ref(&freed_before)), 0);
        let freed_during = life(
            "b",
            vec![state(0, Some(1), true), state(90, Some(105), false)],
        );
        assert_eq!(peak_of(std::slice::from_ref(&freed_during)), 1);
        let freed_lost = life("c", vec![state(0, Some(1), true), state(50, None, false)]);
        assert_eq!(peak_of(std::slice::from_ref(&freed_lost)), 1);
        let later = life("d", vec![state(120, Some(121), true)]);
        assert_eq!(peak_of(std::slice::from_ref(&later)), 0);
        let own = life("own", vec![state(0, Some(1), true)]);
        assert_eq!(peak_of(std::slice::from_ref(&own)), 0);
        assert_eq!(peak_of(&[freed_during, freed_lost, later]), 2);
    }
}
