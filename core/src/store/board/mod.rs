//! The board part of the storage port (`crate::board`): every reservation of
//! a tenant whose booked period touches a range, in every state, by start —
//! one indexed query (`reservations_by_end`, migration 0014) however many
//! units the board shows. The SQL is written once, here.

use async_trait::async_trait;

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

mod sql;
