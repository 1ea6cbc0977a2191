//! [`BoardStore`] for PostgreSQL, under row-level security.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Postgres;

use super::{PostgresStore, RESERVATION_COLUMNS, ReservationRow};
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::store::StoreError;
use crate::store::board::{BoardStore, touching_query};
use crate::time_range::TimeRange;

#[async_trait]
impl BoardStore for PostgresStore {
    async fn reservations_touching(
        &self,
        tenant: TenantId,
        range: &TimeRange,
        limit: u32,
    ) -> Result<Vec<Reservation>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        touching_query::<Postgres, _>(
            RESERVATION_COLUMNS,
            tenant,
            range,
            limit,
            |t: DateTime<Utc>| t,
        )
        .build_query_as::<ReservationRow>()
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(ReservationRow::into_domain)
        .collect()
    }
}
