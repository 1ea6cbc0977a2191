//! The capacity rule: at every instant of a requested occupied interval, the
//! quantities of the active reservations overlapping that instant plus the
//! requested quantity must not exceed the unit's inventory. Both stores run this
//! check inside the booking transaction, after taking the unit's serialization
//! point, over the rows they just read.

use chrono::{DateTime, Utc};

use crate::time_range::TimeRange;

/// The largest total quantity taken at any one instant inside `window` by the
/// given `(occupied range, quantity)` pairs. Ranges are half-open, so one that ends
/// exactly when another starts does not add to it.
pub fn peak_load<I>(taken: I, window: &TimeRange) -> u32
where
    I: IntoIterator<Item = (TimeRange, u32)>,
{
    // Sweep over the start and end points clipped to the window. At equal
    // instants, ends (-) sort before starts (+): half-open ranges that touch do
    // not overlap.
    let mut edges: Vec<(DateTime<Utc>, i64)> = Vec::new();
    for (range, quantity) in taken {
        if !range.overlaps(window) {
            continue;
        }
        let q = i64::from(quantity);
        edges.push((range.start().max(window.start()), q));
        edges.push((range.end().min(window.end()), -q));
    }
    edges.sort_by_key(|&(at, delta)| (at, delta));
    let mut load = 0_i64;
    let mut peak = 0_i64;
    for (_, delta) in edges {
        load += delta;
        peak = peak.max(load);
    }
    u32::try_from(peak).unwrap_or(u32::MAX)
}

/// True when `quantity` more fits under `inventory` during `window`.
pub fn fits<I>(taken: I, window: &TimeRange, quantity: u32, inventory: u32) -> bool
where
    I: IntoIterator<Item = (TimeRange, u32)>,
{
    u64::from(peak_load(taken, window)) + u64::from(quantity) <= u64::from(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn r(from_h: u32, to_h: u32) -> TimeRange {
        let at = |h: u32| {
            Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(h.into())
        };
        TimeRange::new(at(from_h), at(to_h)).unwrap()
    }

    #[test]
    fn empty_unit_has_no_load() {
        assert_eq!(peak_load([], &r(0, 24)), 0);
    }

    #[test]
    fn overlapping_quantities_add_up_only_where_they_overlap() {
        let taken = [(r(0, 10), 1), (r(5, 15), 2), (r(12, 20), 1)];
        assert_eq!(peak_load(taken, &r(0, 24)), 3);
        // Between 10 and 12 only the middle booking is there.
        assert_eq!(peak_load(taken, &r(10, 12)), 2);
        assert_eq!(peak_load(taken, &r(16, 24)), 1);
    }

    #[test]
    fn touching_ranges_do_not_stack() {
        // Check-out at 10:00 and check-in at 10:00: same-day turnover.
        let taken = [(r(0, 10), 1), (r(10, 20), 1)];
        assert_eq!(peak_load(taken, &r(0, 24)), 1);
        assert!(fits([(r(0, 10), 1)], &r(10, 20), 1, 1));
        assert!(!fits([(r(0, 11), 1)], &r(10, 20), 1, 1));
    }

    #[test]
    fn ranges_outside_the_window_are_ignored() {
        let taken = [(r(0, 5), 3), (r(20, 24), 3)];
        assert_eq!(peak_load(taken, &r(5, 20)), 0);
    }

    #[test]
    fn fits_respects_inventory() {
        let taken = [(r(0, 10), 2)];
        assert!(fits(taken, &r(5, 15), 1, 3));
        assert!(!fits(taken, &r(5, 15), 2, 3));
        assert!(fits(taken, &r(10, 15), 3, 3));
    }
}
