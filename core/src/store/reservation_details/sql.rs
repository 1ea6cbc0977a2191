//! [`ReservationDetailsStore`] for both databases, written once: one
//! transaction with the reservation taken first
//! ([`SqlStore::reservation_for_change`]: SQLite's write lock; PostgreSQL
//! locks the row, as transitions do) and a newly assigned client read as a
//! booking reads it ([`SqlStore::client_for_booking`]: PostgreSQL `FOR
//! SHARE`, so an erasure or archiving of it waits or is seen).

use async_trait::async_trait;
use berth_core_macros::each_database;

use super::ReservationDetailsStore;
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::reservation_details::DetailsChange;
use crate::store::clients::{ClientLock, Clients};
use crate::store::locks::Locks;
use crate::store::reservations::Reservations;
use crate::store::sql::{Journal, SqlStore};
use crate::store::{StoreError, records};

#[each_database]
#[async_trait]
impl ReservationDetailsStore for DbStore {
    async fn update_reservation_details(
        &self,
        tenant: TenantId,
        change: DetailsChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Reservations::<DB>::fetch(&mut tx, tenant, change.id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("reservation", change.id))?;
        let Some((after, record)) = records::details_changed(&before, &change, actor)? else {
            return Ok(before);
        };
        Locks::<DB>::ensure_unlocked(
            &mut tx,
            tenant,
            change.session.as_ref(),
            before.unit_id,
            &before.occupied,
            Some(before.id),
            change.now,
        )
        .await?;
        if let Some(id) = after.client_id.filter(|id| before.client_id != Some(*id)) {
            let client = Clients::<DB>::fetch(&mut tx, tenant, id, ClientLock::Share)
                .await?
                .ok_or_else(|| StoreError::not_found("client", id))?;
            records::bookable_client(&client)?;
        }
        Reservations::<DB>::write(&mut tx, &after, false, None).await?;
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }
}
