//! Which busy periods a unit's feed shows. A calendar importer reads every event
//! as "not available", so:
//!
//! - a unit of inventory 1 (a cabin) shows each capacity-taking reservation as
//!   its own event, `UID:<reservation id>@berth`, stable while the reservation
//!   lives (moving it moves the event);
//! - a unit of several items (a room type, a tour's seats) shows only the
//!   periods in which every item is taken — one booked room of five does not
//!   make the room type unavailable elsewhere. Nightly units count per night;
//!   others sweep over occupied intervals. Such an event's UID is the unit and
//!   the period's first night or instant.
//!
//! Nightly reservations are all-day events from check-in to check-out date;
//! others are their occupied interval (buffers included) in UTC. Summaries never
//! carry a guest's name, contact, notes or price.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::block::BusyReservation;
use super::span::Span;
use super::write::FeedEvent;
use crate::ids::UnitId;
use crate::time_range::TimeRange;

/// The summary of a reservation's event.
pub const RESERVED: &str = "Reserved";
/// The summary of a period in which every item of a unit is taken.
pub const FULLY_BOOKED: &str = "Fully booked";

/// The feed events of a unit with `inventory` items, from its capacity-taking
/// reservations, in time order.
pub fn feed_events(
    unit: UnitId,
    inventory: u32,
    reservations: &[BusyReservation],
) -> Vec<FeedEvent> {
    let mut events = if inventory <= 1 {
        reservations
            .iter()
            .map(|r| FeedEvent {
                uid: format!("{}@berth", r.id),
                span: match (r.check_in, r.check_out) {
                    (Some(first), Some(end)) if first < end => Span::Days { first, end },
                    _ => Span::Instants(r.occupied),
                },
                summary: RESERVED.to_owned(),
            })
            .collect()
    } else {
        let (nightly, timed): (Vec<_>, Vec<_>) = reservations
            .iter()
            .partition(|r| matches!((r.check_in, r.check_out), (Some(a), Some(b)) if a < b));
        let mut events = fully_booked_nights(unit, inventory, &nightly);
        events.extend(fully_booked_instants(unit, inventory, &timed));
        events
    };
    events.sort_by_key(|e| start_key(&e.span));
    events
}

fn start_key(span: &Span) -> (NaiveDate, Option<DateTime<Utc>>) {
    match span {
        Span::Days { first, .. } => (*first, None),
        Span::Instants(r) => (r.start().date_naive(), Some(r.start())),
    }
}

/// Runs of nights on which the nightly reservations take every item.
fn fully_booked_nights(unit: UnitId, inventory: u32, rs: &[&BusyReservation]) -> Vec<FeedEvent> {
    let mut load: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for r in rs {
        let (Some(first), Some(end)) = (r.check_in, r.check_out) else {
            continue;
        };
        for night in first.iter_days().take_while(|d| *d < end) {
            *load.entry(night).or_default() += u64::from(r.quantity);
        }
    }
    let mut events = Vec::new();
    let mut run: Option<(NaiveDate, NaiveDate)> = None;
    let full = load
        .into_iter()
        .filter(|(_, taken)| *taken >= u64::from(inventory))
        .map(|(night, _)| night);
    for night in full {
        run = match run {
            Some((first, end)) if end == night => Some((first, night.succ_opt().unwrap_or(night))),
            Some((first, end)) => {
                events.push(full_event(unit, Span::Days { first, end }));
                Some((night, night.succ_opt().unwrap_or(night)))
            }
            None => Some((night, night.succ_opt().unwrap_or(night))),
        };
    }
    if let Some((first, end)) = run
        && first < end
    {
        events.push(full_event(unit, Span::Days { first, end }));
    }
    events
}

/// Maximal ranges in which the timed reservations take every item.
fn fully_booked_instants(unit: UnitId, inventory: u32, rs: &[&BusyReservation]) -> Vec<FeedEvent> {
    let mut edges: Vec<(DateTime<Utc>, i64)> = Vec::with_capacity(rs.len() * 2);
    for r in rs {
        let q = i64::from(r.quantity);
        edges.push((r.occupied.start(), q));
        edges.push((r.occupied.end(), -q));
    }
    // Ends before starts at equal instants: touching ranges do not overlap.
    edges.sort_unstable();
    let mut events = Vec::new();
    let mut load = 0_i64;
    let mut since: Option<DateTime<Utc>> = None;
    let mut i = 0;
    while i < edges.len() {
        let at = edges[i].0;
        while i < edges.len() && edges[i].0 == at {
            load += edges[i].1;
            i += 1;
        }
        let full = load >= i64::from(inventory);
        match (since, full) {
            (None, true) => since = Some(at),
            (Some(start), false) => {
                if let Ok(range) = TimeRange::new(start, at) {
                    events.push(full_event(unit, Span::Instants(range)));
                }
                since = None;
            }
            _ => {}
        }
    }
    events
}

fn full_event(unit: UnitId, span: Span) -> FeedEvent {
    let key = match span {
        Span::Days { first, .. } => first.format("%Y%m%d").to_string(),
        Span::Instants(r) => r.start().format("%Y%m%dT%H%M%SZ").to_string(),
    };
    FeedEvent {
        uid: format!("{}-{key}@berth", unit.as_uuid().simple()),
        span,
        summary: FULLY_BOOKED.to_owned(),
    }
}
