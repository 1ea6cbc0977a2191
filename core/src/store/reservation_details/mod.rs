//! The reservation-details part of the storage port
//! (`crate::reservation_details`): a reservation's notes and client changed
//! in one transaction with its audit entry and event.

use async_trait::async_trait;

use super::StoreError;
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::reservation_details::DetailsChange;

/// Reservation details. Every [`super::Store`] is one.
#[async_trait]
pub trait ReservationDetailsStore: Send + Sync {
    /// Applies `change`: the reservation as it stands after (as it was when
    /// nothing changes). NotFound for another tenant's reservation or client;
    /// Conflict for a final reservation or a stale version; Locked when
    /// another session's lock covers it; a refusal for a blocked or archived
    /// client.
    async fn update_reservation_details(
        &self,
        tenant: TenantId,
        change: DetailsChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError>;
}

mod sql;
