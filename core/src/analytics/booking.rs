//! `Booking`: the narrow projection of a reservation that analytics reads (one
//! indexed query returns these for a whole range), and which states count.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::ids::{ReservationId, UnitId};
use crate::local_time::local_date;
use crate::money::Money;
use crate::state::ReservationState;
use crate::time_range::TimeRange;

/// What analytics needs of one reservation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    /// The reservation.
    pub id: ReservationId,
    /// The unit booked.
    pub unit_id: UnitId,
    /// Its state now.
    pub state: ReservationState,
    /// The booked period (buffers excluded).
    pub period: TimeRange,
    /// Check-in date (nightly).
    pub check_in: Option<NaiveDate>,
    /// Check-out date (nightly).
    pub check_out: Option<NaiveDate>,
    /// Items or seats taken.
    pub quantity: u32,
    /// The price snapshot's total, when priced.
    pub total: Option<Money>,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
}

impl Booking {
    /// True when the reservation counts in occupancy, nights, revenue, length
    /// of stay and lead time: held, confirmed, checked in or finished. Canceled
    /// and absent reservations left the unit empty; they are counted apart.
    pub const fn counts(&self) -> bool {
        counts(self.state)
    }

    /// The nights `[check-in, check-out)`: the stored dates, or for a
    /// reservation without them the local dates of its period.
    pub fn nights(&self, tz: Tz) -> (NaiveDate, NaiveDate) {
        match (self.check_in, self.check_out) {
            (Some(ci), Some(co)) => (ci, co),
            _ => (
                local_date(tz, self.period.start()),
                local_date(tz, self.period.end()),
            ),
        }
    }

    /// The tenant-local arrival date: check-in, or the period's first date.
    pub fn arrival(&self, tz: Tz) -> NaiveDate {
        self.check_in
            .unwrap_or_else(|| local_date(tz, self.period.start()))
    }
}

/// See [`Booking::counts`].
pub const fn counts(state: ReservationState) -> bool {
    matches!(
        state,
        ReservationState::Held
            | ReservationState::Confirmed
            | ReservationState::CheckedIn
            | ReservationState::Finished
    )
}
