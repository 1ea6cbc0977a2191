//! [`BoardStore`] for both databases, written once, on a connection that
//! names the tenant where row-level security asks (PostgreSQL).

use async_trait::async_trait;
use uuid::Uuid;

use super::BoardStore;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::store::StoreError;
use crate::store::rows::{RESERVATION_COLUMNS, ReservationRow};
use crate::store::sql::{Conn, Dialect, SqlStore};
use crate::time_range::TimeRange;

#[async_trait]
impl<S, DB> BoardStore for S
where
    S: SqlStore<Db = DB>,
    DB: Dialect,
    for<'c> &'c mut Conn<DB>: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    ReservationRow<DB::Instant>: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    async fn reservations_touching(
        &self,
        tenant: TenantId,
        range: &TimeRange,
        limit: u32,
    ) -> Result<Vec<Reservation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, ReservationRow<DB::Instant>>(sqlx::AssertSqlSafe(format!(
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
