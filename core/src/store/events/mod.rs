//! The outbox and the audit log: standalone events and audit entries, the
//! audit log's pages, and the tenant's event stream. Written once (`sql.rs`)
//! but for [`EventStream`], the stream's position, which each database keeps
//! its own way (`sqlite.rs`: sequence numbers, committed in order because
//! writers are serialized; `postgres.rs`: transaction ids, read only below
//! the oldest running transaction).

mod postgres;
mod sql;
mod sqlite;

use async_trait::async_trait;

pub(crate) use sql::Events;

use super::StoreError;
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::TenantId;

/// How a database reads its event stream.
#[async_trait]
pub(crate) trait EventStream {
    /// The tenant's events after `after` (of `kinds` only, when given), in
    /// stream order; only those no later commit can precede.
    async fn select_events(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: Option<&[EventKind]>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// The position of the tenant's latest readable event.
    async fn latest_position(&self, tenant: TenantId) -> Result<EventCursor, StoreError>;
}
