//! [`BoardStore`] for SQLite.

use async_trait::async_trait;
use sqlx::Sqlite;

use super::{RESERVATION_COLUMNS, ReservationRow, SqliteStore, micros};
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::store::StoreError;
use crate::store::board::{BoardStore, touching_query};
use crate::time_range::TimeRange;

#[async_trait]
impl BoardStore for SqliteStore {
    async fn reservations_touching(
        &self,
        tenant: TenantId,
        range: &TimeRange,
        limit: u32,
    ) -> Result<Vec<Reservation>, StoreError> {
        touching_query::<Sqlite, _>(RESERVATION_COLUMNS, tenant, range, limit, micros)
            .build_query_as::<ReservationRow>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(ReservationRow::into_domain)
            .collect()
    }
}
