//! [`BoardStore`] for both databases, written once, on a connection that
//! names the tenant where row-level security asks (PostgreSQL).

use async_trait::async_trait;
use berth_core_macros::each_database;

use super::BoardStore;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::store::StoreError;
use crate::store::rows::{RESERVATION_COLUMNS, ReservationRow};
use crate::store::sql::{Dialect, Instant, SqlStore};
use crate::time_range::TimeRange;

#[each_database]
#[async_trait]
impl BoardStore for DbStore {
    async fn reservations_touching(
        &self,
        tenant: TenantId,
        range: &TimeRange,
        limit: u32,
    ) -> Result<Vec<Reservation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, ReservationRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT {RESERVATION_COLUMNS} FROM reservations \
             WHERE tenant_id = $1 AND end_at > $2 AND start_at < $3 \
             ORDER BY start_at, id LIMIT $4"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(range.start()))
        .bind(DB::stamp(range.end()))
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(ReservationRow::into_domain)
        .collect()
    }
}
