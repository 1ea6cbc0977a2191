//! [`AnalyticsStore`] for both databases, written once: the bookings
//! overlapping a range, read through the `(tenant_id, end_at)` index
//! (migration 0014), on a connection that names the tenant where row-level
//! security asks (PostgreSQL).

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{AnalyticsStore, BOOKING_COLUMNS, BookingRow, unit_version};
use crate::analytics::Booking;
use crate::ids::TenantId;
use crate::store::StoreError;
use crate::store::sql::{Dialect, Instant, SqlStore, StoredInstant};
use crate::time_range::TimeRange;
use crate::unit_history::UnitVersion;

type Row<T> = (
    Uuid,
    Uuid,
    String,
    T,
    T,
    Option<NaiveDate>,
    Option<NaiveDate>,
    i64,
    Option<i64>,
    Option<String>,
    T,
);

#[each_database]
#[async_trait]
impl AnalyticsStore for DbStore {
    async fn bookings_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<Booking>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM reservations \
             WHERE tenant_id = $1 AND end_at > $2 AND start_at < $3"
        ));
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, Row<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(DB::stamp(range.start()))
            .bind(DB::stamp(range.end()))
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| {
                BookingRow {
                    id: r.0,
                    unit_id: r.1,
                    state: r.2,
                    start: r.3.instant()?,
                    end: r.4.instant()?,
                    check_in: r.5,
                    check_out: r.6,
                    quantity: r.7,
                    total: r.8,
                    currency: r.9,
                    created_at: r.10.instant()?,
                }
                .into_booking()
            })
            .collect()
    }

    async fn unit_versions(&self, tenant: TenantId) -> Result<Vec<UnitVersion>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, (Uuid, Instant<DB>, i64, bool)>(
            "SELECT unit_id, valid_from, inventory, archived FROM unit_versions \
             WHERE tenant_id = $1",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(unit, from, inventory, archived)| {
            unit_version(unit, from.instant()?, inventory, archived)
        })
        .collect()
    }
}
