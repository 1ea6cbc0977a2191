//! Performance figures of a span, for a dashboard: occupancy, counts of
//! reservations arriving in it (active, canceled, absent), capacity reserved,
//! estimated revenue, average length of stay and lead time — and the same for
//! the span of equal length just before, so that a change can be shown.
//!
//! Occupancy, reserved capacity and revenue are the parts of every counted
//! reservation that fall inside the span (see `share`); counts, length of stay
//! and lead time are about the reservations *arriving* in the span (arrival
//! date = check-in, or the local date of the period's start), so that adjacent
//! spans partition them.

use chrono::Duration;

use super::booking::Booking;
use super::dataset::Dataset;
use super::occupancy::{Grid, Load};
use super::share::share;
use super::span::{DateSpan, InvalidSpan};
use crate::local_time::local_date;
use crate::money::Money;
use crate::policy::OccupancyBasis;
use crate::state::ReservationState;

/// The figures of one span.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// The dates.
    pub span: DateSpan,
    /// What occupancy and lengths count.
    pub basis: OccupancyBasis,
    /// Occupied and available capacity (each unit on the dates it was offered).
    pub occupancy: Load,
    /// Capacity reserved inside the span (all units): nights × quantity, or
    /// seconds × quantity of the booked periods.
    pub reserved: i64,
    /// The price snapshots' parts inside the span.
    pub revenue: Money,
    /// Counted reservations (held, confirmed, checked in, finished) arriving.
    pub active: u32,
    /// Canceled reservations that were to arrive.
    pub canceled: u32,
    /// Reservations whose guest did not come.
    pub absent: u32,
    /// The lengths of the active arrivals: nights, or seconds.
    pub length_total: i64,
    /// Days from booking (tenant-local date) to arrival, summed over the
    /// active arrivals; a booking entered after the arrival counts 0.
    pub lead_days_total: i64,
}

impl Stats {
    /// Mean length of stay of the active arrivals: nights, or hours.
    pub fn average_length(&self) -> Option<f64> {
        let per = match self.basis {
            OccupancyBasis::Nights => 1.0,
            OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => 3600.0,
        };
        (self.active > 0).then(|| self.length_total as f64 / per / f64::from(self.active))
    }

    /// Mean lead time of the active arrivals, in days.
    pub fn average_lead_days(&self) -> Option<f64> {
        (self.active > 0).then(|| self.lead_days_total as f64 / f64::from(self.active))
    }
}

/// The figures of `span`.
pub fn stats(data: &Dataset<'_>, span: DateSpan) -> Result<Stats, InvalidSpan> {
    let tz = data.timezone;
    let instants = span.instants(tz)?;
    let mut out = Stats {
        span,
        basis: data.basis,
        occupancy: Grid::compute(data, span).total(),
        reserved: 0,
        revenue: Money::zero(data.currency),
        active: 0,
        canceled: 0,
        absent: 0,
        length_total: 0,
        lead_days_total: 0,
    };
    for b in data.bookings {
        if b.counts() {
            let part = share(b, data, &span, &instants);
            out.reserved += part.reserved;
            out.revenue.amount_minor += part.revenue;
        }
        let arrival = b.arrival(tz);
        if span.index_of(arrival).is_none() {
            continue;
        }
        match b.state {
            ReservationState::Canceled => out.canceled += 1,
            ReservationState::Absent => out.absent += 1,
            _ => {
                out.active += 1;
                out.length_total += length(b, data);
                out.lead_days_total += (arrival - local_date(tz, b.created_at)).num_days().max(0);
            }
        }
    }
    Ok(out)
}

/// A booking's length: nights, or seconds of its booked period.
fn length(b: &Booking, data: &Dataset<'_>) -> i64 {
    match data.basis {
        OccupancyBasis::Nights => {
            let (check_in, check_out) = b.nights(data.timezone);
            (check_out - check_in).num_days()
        }
        OccupancyBasis::SeatHours | OccupancyBasis::ItemHours => {
            (b.period.duration()).max(Duration::zero()).num_seconds()
        }
    }
}
