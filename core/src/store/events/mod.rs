//! The outbox and the audit log: standalone events and audit entries, the
//! audit log's pages, and the tenant's event stream. Written once (`sql.rs`);
//! where a database keeps its stream position its own way (SQLite sequence
//! numbers, committed in order because writers are serialized; PostgreSQL
//! transaction ids, read only below the oldest running transaction), the
//! queries ask [`super::outbox::Outbox`].

use async_trait::async_trait;
use uuid::Uuid;

use crate::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use crate::event::{Event, EventCursor};
use crate::ids::TenantId;
use crate::store::{AUDIT_HISTORY_LIMIT, NewEvent, StoreError};

mod sql;

/// The event stream and the audit log.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The audit entries about one entity, oldest first (its most recent
    /// [`AUDIT_HISTORY_LIMIT`]).
    async fn audit_entries(
        &self,
        tenant: TenantId,
        entity_id: Uuid,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let filter = AuditFilter {
            entity_id: Some(entity_id),
            ..AuditFilter::default()
        };
        let mut entries = self
            .audit_log(tenant, &filter, None, AUDIT_HISTORY_LIMIT)
            .await?;
        entries.reverse();
        Ok(entries)
    }
    /// Appends an event and its audit entry.
    async fn record_event(
        &self,
        tenant: TenantId,
        event: NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError>;
    /// Appends an audit entry that goes with no other write (a sign-in).
    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError>;
    /// The tenant's audit entries matching `filter`, newest first, after
    /// `after`; at most `limit`. One query.
    async fn audit_log(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// The tenant's outbox events after `after`, in stream order; only events
    /// whose position can no longer be preceded by a later commit (see
    /// [`EventCursor`]).
    async fn events_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// Like [`Store::events_after`], only the events of `kinds`: a page of a
    /// filtered stream, read where the filter is (the store), so that a page
    /// is full whenever matching events exist.
    async fn events_of_kinds_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: &[crate::event::EventKind],
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// How many events the tenant's outbox holds, including committed ones that
    /// `events_after` does not hand out yet (an older transaction is still open).
    async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError>;
    /// The position of the tenant's latest readable event ([`EventCursor::START`]
    /// when there is none): where a live-only subscriber starts.
    async fn latest_event_cursor(&self, tenant: TenantId) -> Result<EventCursor, StoreError>;
}
