//! `Dataset`: everything one analytics answer is computed from — the tenant's
//! time zone, currency and occupancy basis, its units and their history, the
//! bookings of the range
//! (one store query), its blocks (one more) and the open periods of its dates
//! (from the policy). The computations over it are pure functions.

use chrono_tz::Tz;

use super::booking::Booking;
use super::windows::OpenCalendar;
use crate::ical::block::CalendarBlock;
use crate::money::Currency;
use crate::policy::OccupancyBasis;
use crate::unit::Unit;
use crate::unit_history::UnitHistory;

/// The inputs of the analytics computations.
#[derive(Clone, Copy, Debug)]
pub struct Dataset<'a> {
    /// The tenant's time zone: dates are read in it.
    pub timezone: Tz,
    /// The tenant's currency: revenue is summed in it.
    pub currency: Currency,
    /// What occupancy counts.
    pub basis: OccupancyBasis,
    /// The tenant's units, archived ones included.
    pub units: &'a [Unit],
    /// What each unit offered over time (capacity of past dates).
    pub history: &'a UnitHistory,
    /// The reservations whose booked period overlaps the range asked about
    /// (every state).
    pub bookings: &'a [Booking],
    /// The open periods of (at least) every date asked about; unused for
    /// [`OccupancyBasis::Nights`].
    pub calendar: &'a OpenCalendar,
    /// The blocks (staff and imported) overlapping the range: capacity out of
    /// service.
    pub blocks: &'a [CalendarBlock],
}
