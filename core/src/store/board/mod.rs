//! The board part of the storage port (`crate::board`): every reservation of
//! a tenant whose booked period touches a range, in every state, by start —
//! one indexed query (`reservations_by_end`, migration 0014) however many
//! units the board shows. The SQL is written once, here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::time_range::TimeRange;

/// Reads for the board. Every [`super::Store`] is one.
#[async_trait]
pub trait BoardStore: Send + Sync {
    /// The tenant's reservations, any state, whose booked period overlaps
    /// `range`, by start (then id); at most `limit`. One query.
    async fn reservations_touching(
        &self,
        tenant: TenantId,
        range: &TimeRange,
        limit: u32,
    ) -> Result<Vec<Reservation>, StoreError>;
}

/// The query of [`BoardStore::reservations_touching`]: `columns` are the
/// store's reservation columns, `at` turns an instant into its column type.
pub(crate) fn touching_query<DB, T>(
    columns: &str,
    tenant: TenantId,
    range: &TimeRange,
    limit: u32,
    at: impl Fn(DateTime<Utc>) -> T,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    uuid::Uuid: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
        "SELECT {columns} FROM reservations WHERE tenant_id = "
    ));
    qb.push_bind(tenant.as_uuid())
        .push(" AND end_at > ")
        .push_bind(at(range.start()))
        .push(" AND start_at < ")
        .push_bind(at(range.end()))
        .push(" ORDER BY start_at, id LIMIT ")
        .push_bind(i64::from(limit));
    qb
}

mod sql;
