//! The outbox and the audit log for both databases, written once: appending
//! a standalone event or audit entry, the audit log's pages, the event
//! stream and its count.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use sqlx::types::Json;
use uuid::Uuid;

use crate::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::{EventId, TenantId};
use crate::store::events::EventStore;
use crate::store::outbox::{Outbox, event_position};
use crate::store::records::standalone;
use crate::store::rows::AuditRow;
use crate::store::sql::{Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::tenants::unknown_tenant;
use crate::store::{NewEvent, StoreError};

/// The outbox and audit queries, on the database `DB`.
pub(crate) struct Events<DB>(PhantomData<DB>);

/// An event as the stream reads it: its position (transaction id, sequence
/// number), id, kind, entity, payload and instant.
type EventRow<T> = (i64, i64, Uuid, String, Uuid, Json<serde_json::Value>, T);

#[each_database]
impl Events<DB> {
    /// The audit log query of both stores: the tenant's entries matching `filter`,
    /// newest first, after `after`, at most `limit`; only the given filters become
    /// conditions.
    fn audit_log_query(
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> sqlx::QueryBuilder<DB> {
        let mut qb = sqlx::QueryBuilder::<DB>::new(
            "SELECT id, actor, entity_type, entity_id, action, at, request_id, metadata \
             FROM audit_log WHERE tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid());
        if let Some(actor) = &filter.actor {
            qb.push(" AND actor = ").push_bind(actor.to_string());
        }
        if let Some(entity_type) = &filter.entity_type {
            qb.push(" AND entity_type = ")
                .push_bind(entity_type.clone());
        }
        if let Some(entity_id) = filter.entity_id {
            qb.push(" AND entity_id = ").push_bind(entity_id);
        }
        if let Some(action) = &filter.action {
            qb.push(" AND action = ").push_bind(action.clone());
        }
        if let Some(from) = filter.from {
            qb.push(" AND at >= ").push_bind(DB::stamp(from));
        }
        if let Some(to) = filter.to {
            qb.push(" AND at < ").push_bind(DB::stamp(to));
        }
        if let Some(after) = after {
            qb.push(" AND (at, id) < (")
                .push_bind(DB::stamp(after.at))
                .push(", ")
                .push_bind(after.id.as_uuid())
                .push(")");
        }
        qb.push(" ORDER BY at DESC, id DESC LIMIT ")
            .push_bind(i64::from(limit));
        qb
    }

    /// The tenant's events after `after` (of `kinds` only, when given), in
    /// stream order; only those no later commit can precede (see
    /// [`Outbox::after`]). A PostgreSQL position read on SQLite passes every
    /// event there.
    pub(crate) async fn after<S: SqlStore<Db = DB>>(
        store: &S,
        tenant: TenantId,
        after: EventCursor,
        kinds: Option<&[EventKind]>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let position = event_position::<DB>("e", "event");
        let condition = DB::after("e", "$4", "$2");
        let kinds = kinds.unwrap_or_default();
        let of_kinds = if kinds.is_empty() {
            String::new()
        } else {
            let list = (5..5 + kinds.len()).map(|n| format!("${n}"));
            format!(" AND e.kind IN ({})", list.collect::<Vec<_>>().join(", "))
        };
        let order = DB::kept("e.txid", "e.seq");
        let sql = format!(
            "SELECT {position}, e.id, e.kind, e.entity_id, e.payload, e.at FROM events e \
             WHERE e.tenant_id = $1 AND {condition}{of_kinds} ORDER BY {order} LIMIT $3"
        );
        let seq = if !DB::TXIDS && after.txid > 0 {
            i64::MAX
        } else {
            after.seq
        };
        let query = sqlx::query_as::<DB, EventRow<Instant<DB>>>(sqlx::AssertSqlSafe(sql))
            .bind(tenant.as_uuid())
            .bind(seq)
            .bind(i64::from(limit))
            .bind(after.txid);
        let query = kinds
            .iter()
            .fold(query, |query, kind| query.bind(kind.as_str()));
        let mut conn = store.read(tenant).await?;
        query
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(txid, seq, id, kind, entity_id, payload, at)| {
                Ok(Event {
                    cursor: EventCursor { txid, seq },
                    id: EventId::from_uuid(id),
                    tenant_id: tenant,
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                    entity_id,
                    payload: payload.0,
                    at: at.instant()?,
                })
            })
            .collect()
    }
}

#[each_database]
#[async_trait]
impl EventStore for DbStore {
    async fn record_event(
        &self,
        tenant: TenantId,
        event: NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        Journal::<DB>::append(&mut tx, &standalone(tenant, event, actor))
            .await
            .map_err(|e| unknown_tenant(e, tenant))?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }

    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        let mut tx = self.write(entry.tenant_id).await?;
        Journal::<DB>::append_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut qb = Events::<DB>::audit_log_query(tenant, filter, after, limit);
        let mut conn = self.read(tenant).await?;
        let rows: Vec<AuditRow<Instant<DB>>> = qb.build_query_as().fetch_all(&mut *conn).await?;
        rows.into_iter()
            .map(|row| row.into_domain(tenant))
            .collect()
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        Events::<DB>::after(self, tenant, after, None, limit).await
    }

    async fn events_of_kinds_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: &[EventKind],
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        Events::<DB>::after(self, tenant, after, Some(kinds), limit).await
    }

    async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError> {
        let mut conn = self.read(tenant).await?;
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM events WHERE tenant_id = $1")
            .bind(tenant.as_uuid())
            .fetch_one(&mut *conn)
            .await?;
        u64::try_from(n).map_err(StoreError::corrupt)
    }

    async fn latest_event_cursor(&self, tenant: TenantId) -> Result<EventCursor, StoreError> {
        let position = event_position::<DB>("e", "event");
        let visible = DB::visible("e");
        let latest = DB::kept("e.txid DESC", "e.seq DESC");
        let sql = format!(
            "SELECT {position} FROM events e WHERE e.tenant_id = $1 AND {visible} \
             ORDER BY {latest} LIMIT 1"
        );
        let mut conn = self.read(tenant).await?;
        let row: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(tenant.as_uuid())
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map_or(EventCursor::START, |(txid, seq)| EventCursor { txid, seq }))
    }
}
