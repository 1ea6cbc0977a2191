//! A booking's share of a span: the capacity it reserved inside the span and the
//! part of its price that falls there. A reservation crossing the span's edge
//! is split by nights (nightly) or by seconds of its booked period (hour
//! models), exactly: the share of units `[a, b)` of `n` is
//! ⌊total·b/n⌋ − ⌊total·a/n⌋, so the shares of adjacent spans add up to the
//! total to the minor unit.

use super::booking::Booking;
use super::dataset::Dataset;
use super::span::DateSpan;
use crate::policy::OccupancyBasis;
use crate::time_range::TimeRange;

/// What one booking contributes to a span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Share {
    /// Nights × quantity, or seconds × quantity, inside the span.
    pub reserved: i64,
    /// Minor units of the price snapshot inside the span (in the tenant's
    /// currency; a snapshot in another currency contributes nothing).
    pub revenue: i64,
}

/// The part `[a, b)` of `n` equal units of `total`, rounded so that the parts
/// of a partition of `[0, n)` sum to `total` exactly.
pub fn prorate(total: i64, a: i64, b: i64, n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    let at = |k: i64| (i128::from(total) * i128::from(k.clamp(0, n))).div_euclid(i128::from(n));
    i64::try_from(at(b) - at(a)).unwrap_or(0)
}

/// `b`'s share of `span` (`instants` is the span in the tenant's time zone).
pub fn share(b: &Booking, data: &Dataset<'_>, span: &DateSpan, instants: &TimeRange) -> Share {
    let (a, end, n) = match data.basis {
        OccupancyBasis::Nights => {
            let (check_in, check_out) = b.nights(data.timezone);
            let n = (check_out - check_in).num_days();
            let a = (span.from() - check_in).num_days().clamp(0, n);
            let end = (span.end_date() - check_in).num_days().clamp(0, n);
            (a, end, n)
        }
        OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => {
            let n = b.period.duration().num_seconds();
            let a = (instants.start() - b.period.start())
                .num_seconds()
                .clamp(0, n);
            let end = (instants.end() - b.period.start())
                .num_seconds()
                .clamp(0, n);
            (a, end, n)
        }
    };
    if end <= a {
        return Share::default();
    }
    let revenue = match b.total {
        Some(total) if total.currency == data.currency => prorate(total.amount_minor, a, end, n),
        _ => 0,
    };
    Share {
        reserved: i64::from(b.quantity) * (end - a),
        revenue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_a_partition_add_up_exactly() {
        for total in [0, 1, 100, 99_999, 12_345_678, -500] {
            for n in 1..=13 {
                let sum: i64 = (0..n).map(|k| prorate(total, k, k + 1, n)).sum();
                assert_eq!(sum, total, "{total} over {n}");
                let cut = n / 2;
                assert_eq!(prorate(total, 0, cut, n) + prorate(total, cut, n, n), total);
            }
        }
        assert_eq!(prorate(1000, 0, 1, 3), 333);
        assert_eq!(prorate(1000, 1, 2, 3), 333);
        assert_eq!(prorate(1000, 2, 3, 3), 334);
        assert_eq!(prorate(1000, -5, 50, 3), 1000, "clamped to the booking");
    }
}
