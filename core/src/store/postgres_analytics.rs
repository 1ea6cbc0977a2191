//! [`AnalyticsStore`] for PostgreSQL: the bookings overlapping a range, read
//! through the `(tenant_id, end_at)` index (migration 0014), inside a
//! transaction that names the tenant for row-level security.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::PostgresStore;
use crate::analytics::Booking;
use crate::ids::TenantId;
use crate::store::StoreError;
use crate::store::analytics::{AnalyticsStore, BOOKING_COLUMNS, BookingRow, unit_version};
use crate::time_range::TimeRange;
use crate::unit_history::UnitVersion;

type Row = (
    Uuid,
    Uuid,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    i64,
    Option<i64>,
    Option<String>,
    DateTime<Utc>,
);

#[async_trait]
impl AnalyticsStore for PostgresStore {
    async fn bookings_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<Booking>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM reservations \
             WHERE tenant_id = $1 AND end_at > $2 AND start_at < $3"
        ));
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, Row>(sql)
            .bind(tenant.as_uuid())
            .bind(range.start())
            .bind(range.end())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| {
                BookingRow {
                    id: r.0,
                    unit_id: r.1,
                    state: r.2,
                    start: r.3,
                    end: r.4,
                    check_in: r.5,
                    check_out: r.6,
                    quantity: r.7,
                    total: r.8,
                    currency: r.9,
                    created_at: r.10,
                }
                .into_booking()
            })
            .collect()
    }

    async fn unit_versions(&self, tenant: TenantId) -> Result<Vec<UnitVersion>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, (Uuid, DateTime<Utc>, i64, bool)>(
            "SELECT unit_id, valid_from, inventory, archived FROM unit_versions \
             WHERE tenant_id = $1",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(unit, from, inventory, archived)| unit_version(unit, from, inventory, archived))
        .collect()
    }
}
