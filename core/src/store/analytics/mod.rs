//! The analytics part of the storage port: one indexed query that returns the
//! narrow projection ([`Booking`]) of every reservation overlapping a range, in
//! every state. The figures are computed from it in Rust
//! (`crate::analytics`), so each analytics answer costs a fixed number of
//! queries however many reservations it covers.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::StoreError;
use crate::analytics::Booking;
use crate::ids::{ReservationId, TenantId, UnitId};
use crate::money::Money;
use crate::time_range::TimeRange;
use crate::unit_history::UnitVersion;

/// Reads for analytics. Every [`super::Store`] is one.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Every reservation of the tenant whose booked period overlaps `range`,
    /// whatever its state, in no particular order. One query.
    async fn bookings_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<Booking>, StoreError>;
    /// Every version of every unit of the tenant (what each offered from when
    /// on), in no particular order. One query.
    async fn unit_versions(&self, tenant: TenantId) -> Result<Vec<UnitVersion>, StoreError>;
}

/// A stored unit version, read back.
pub(crate) fn unit_version(
    unit_id: Uuid,
    from: DateTime<Utc>,
    inventory: i64,
    archived: bool,
) -> Result<UnitVersion, StoreError> {
    Ok(UnitVersion {
        unit_id: UnitId::from_uuid(unit_id),
        from,
        inventory: crate::quantity::Inventory::new(inventory).map_err(StoreError::corrupt)?,
        archived,
    })
}

/// The projected columns, in the order both stores select them.
pub(crate) const BOOKING_COLUMNS: &str = "id, unit_id, state, start_at, end_at, check_in, \
    check_out, quantity, price_total_minor, currency, created_at";

/// One projected row, with instants already decoded.
pub(crate) struct BookingRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub state: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub check_in: Option<NaiveDate>,
    pub check_out: Option<NaiveDate>,
    pub quantity: i64,
    pub total: Option<i64>,
    pub currency: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl BookingRow {
    pub(crate) fn into_booking(self) -> Result<Booking, StoreError> {
        let total = match (self.total, self.currency) {
            (Some(amount), Some(code)) => Some(Money::new(
                amount,
                code.parse().map_err(StoreError::corrupt)?,
            )),
            _ => None,
        };
        Ok(Booking {
            id: ReservationId::from_uuid(self.id),
            unit_id: UnitId::from_uuid(self.unit_id),
            state: self.state.parse().map_err(StoreError::corrupt)?,
            period: TimeRange::new(self.start, self.end).map_err(StoreError::corrupt)?,
            check_in: self.check_in,
            check_out: self.check_out,
            quantity: u32::try_from(self.quantity).map_err(StoreError::corrupt)?,
            total,
            created_at: self.created_at,
        })
    }
}

mod sql;
