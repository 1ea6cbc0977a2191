//! The event-retention part of the storage port (`crate::event_retention`):
//! deleting a tenant's old events once every queue that reads them (webhooks,
//! push) has passed them, and remembering how far deletion went, so that a
//! subscriber resuming from before that point is told instead of silently
//! missing events.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::event::EventCursor;
use crate::ids::TenantId;

/// Old events. Every [`super::Store`] is one.
#[async_trait]
pub trait EventRetentionStore: Send + Sync {
    /// Deletes up to `limit` of the tenant's events written before `before`
    /// that every active webhook and the push queue have already passed,
    /// oldest first, and moves the tenant's pruning mark past them, in one
    /// transaction: how many went.
    async fn prune_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
    /// The position up to which the tenant's events may have been deleted
    /// (`None`: none ever were).
    async fn events_pruned_through(
        &self,
        tenant: TenantId,
    ) -> Result<Option<EventCursor>, StoreError>;
}

mod sql;
