//! [`AnalyticsStore`] for SQLite: the bookings overlapping a range, read through
//! the `(tenant_id, end_at)` index (migration 0014).

use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{SqliteStore, from_micros, micros};
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
    i64,
    i64,
    Option<NaiveDate>,
    Option<NaiveDate>,
    i64,
    Option<i64>,
    Option<String>,
    i64,
);

#[async_trait]
impl AnalyticsStore for SqliteStore {
    async fn bookings_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<Booking>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM reservations \
             WHERE tenant_id = ? AND end_at > ? AND start_at < ?"
        ));
        sqlx::query_as::<_, Row>(sql)
            .bind(tenant.as_uuid())
            .bind(micros(range.start()))
            .bind(micros(range.end()))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| {
                BookingRow {
                    id: r.0,
                    unit_id: r.1,
                    state: r.2,
                    start: from_micros(r.3)?,
                    end: from_micros(r.4)?,
                    check_in: r.5,
                    check_out: r.6,
                    quantity: r.7,
                    total: r.8,
                    currency: r.9,
                    created_at: from_micros(r.10)?,
                }
                .into_booking()
            })
            .collect()
    }

    async fn unit_versions(&self, tenant: TenantId) -> Result<Vec<UnitVersion>, StoreError> {
        sqlx::query_as::<_, (Uuid, i64, i64, bool)>(
            "SELECT unit_id, valid_from, inventory, archived FROM unit_versions \
             WHERE tenant_id = ?",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|(unit, from, inventory, archived)| {
            unit_version(unit, from_micros(from)?, inventory, archived)
        })
        .collect()
    }
}
