//! Staff blocks: staff take a unit out of service for a period (maintenance,
//! the owner's own use) and lift it again. A staff block is a calendar block
//! (`block.rs`) of the reserved source `@staff` — so availability, quotes,
//! slots and the capacity check of every booking and period change treat it as
//! fully booked, exactly like an imported one — with a reason and who made it.
//! Imports and syncs never touch it: their sources cannot name `@staff`.
//!
//! Unlike an import, which records a double booking for a person to resolve, a
//! staff block is refused over an active reservation (held, confirmed, checked
//! in): the refusal names it (`ReservationOverlap`). It is refused over another
//! session's lock, like a booking.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::ids::{ReservationId, UnitId};
use crate::lock::SessionId;
use crate::policy::PeriodRequest;
use crate::reason::Reason;
use crate::state::ReservationState;
use crate::time_range::TimeRange;

/// The longest staff block, in days (three years, as far as imports reach).
pub const MAX_BLOCK_DAYS: i64 = 3 * 366;

/// The command to take a unit out of service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockUnit {
    /// The unit.
    pub unit_id: UnitId,
    /// The period, in the shape of the tenant's model: nightly check-in and
    /// check-out dates (what a stay of those nights would occupy; on other
    /// models the whole local days), a slot's start (that slot), or a start and
    /// an end (those instants, on any model).
    pub period: PeriodRequest,
    /// Why.
    pub reason: Reason,
    /// Who asks, as others see them.
    pub by_name: String,
}

/// A staff block about to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStaffBlock {
    /// The unit.
    pub unit_id: UnitId,
    /// The instants it blocks.
    pub range: TimeRange,
    /// For a period given as dates: the first day.
    pub first_day: Option<NaiveDate>,
    /// For a period given as dates: the day after the last.
    pub end_day: Option<NaiveDate>,
    /// Why.
    pub reason: Reason,
    /// Who made it, as others saw them.
    pub created_by_name: String,
    /// The writing session: its own locks do not block it.
    pub session: Option<SessionId>,
    /// When.
    pub now: DateTime<Utc>,
}

/// An active reservation in the way of a staff block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservationOverlap {
    /// The unit.
    pub unit_id: UnitId,
    /// The reservation.
    pub reservation_id: ReservationId,
    /// Its state (held, confirmed or checked in).
    pub state: ReservationState,
    /// Its booked period.
    pub period: TimeRange,
    /// Check-in date (nightly).
    pub check_in: Option<NaiveDate>,
    /// Check-out date (nightly).
    pub check_out: Option<NaiveDate>,
    /// The guest's name, when it has a client.
    pub client_name: Option<String>,
}

impl ReservationOverlap {
    /// The refusal in words, naming the reservation, its guest and dates (read
    /// in `tz` when given, else in UTC).
    pub fn describe(&self, tz: Option<Tz>) -> String {
        let dates = match (self.check_in, self.check_out) {
            (Some(ci), Some(co)) => format!("{ci} to {co}"),
            _ => match tz {
                Some(tz) => {
                    let show = |t: DateTime<Utc>| {
                        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
                    };
                    format!(
                        "{} to {}",
                        show(self.period.start()),
                        show(self.period.end())
                    )
                }
                None => format!(
                    "{} to {}",
                    self.period.start().to_rfc3339(),
                    self.period.end().to_rfc3339()
                ),
            },
        };
        let guest = self.client_name.as_deref().unwrap_or("no client");
        format!(
            "the period overlaps reservation {} ({guest}, {dates}, {}): cancel or move it first",
            self.reservation_id,
            self.state.as_str()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_the_reservation_guest_and_dates() {
        let id = ReservationId::new();
        let overlap = ReservationOverlap {
            unit_id: UnitId::new(),
            reservation_id: id,
            state: ReservationState::Confirmed,
            period: TimeRange::new(
                "2026-11-10T14:00:00Z".parse().unwrap(),
                "2026-11-12T09:00:00Z".parse().unwrap(),
            )
            .unwrap(),
            check_in: Some("2026-11-10".parse().unwrap()),
            check_out: Some("2026-11-12".parse().unwrap()),
            client_name: Some("Ada Lovelace".into()),
        };
        let message = overlap.describe(None);
        assert!(message.contains(&id.to_string()), "{message}");
        assert!(message.contains("Ada Lovelace"), "{message}");
        assert!(message.contains("2026-11-10 to 2026-11-12"), "{message}");
        let timed = ReservationOverlap {
            check_in: None,
            check_out: None,
            client_name: None,
            ..overlap
        };
        let message = timed.describe(Some(chrono_tz::America::Denver));
        assert!(
            message.contains("2026-11-10 07:00 to 2026-11-12 02:00"),
            "{message}"
        );
        assert!(message.contains("no client"), "{message}");
    }
}
