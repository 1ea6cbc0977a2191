//! [`ReservationDetailsStore`] for SQLite: one `BEGIN IMMEDIATE` transaction.

use async_trait::async_trait;

use super::{
    SqliteStore, append, ensure_unlocked, fetch_client, fetch_reservation, records,
    write_reservation,
};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::reservation_details::DetailsChange;
use crate::store::StoreError;
use crate::store::reservation_details::ReservationDetailsStore;

#[async_trait]
impl ReservationDetailsStore for SqliteStore {
    async fn update_reservation_details(
        &self,
        tenant: TenantId,
        change: DetailsChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = fetch_reservation(&mut tx, tenant, change.id)
            .await?
            .ok_or_else(|| StoreError::not_found("reservation", change.id))?;
        let Some((after, record)) = records::details_changed(&before, &change, actor)? else {
            return Ok(before);
        };
        ensure_unlocked(
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
            let client = fetch_client(&mut tx, tenant, id)
                .await?
                .ok_or_else(|| StoreError::not_found("client", id))?;
            records::bookable_client(&client)?;
        }
        write_reservation(&mut tx, &after, false).await?;
        append(&mut tx, &record).await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }
}
