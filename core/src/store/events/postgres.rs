//! [`EventStream`] for PostgreSQL: an event's position is its transaction's
//! id and its sequence number, and only transactions older than every running
//! one are read, none of which can still add an event below a position read
//! here (see `EventCursor`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::EventStream;
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::{EventId, TenantId};
use crate::store::sql::SqlStore;
use crate::store::{PostgresStore, StoreError};

/// An event as `select_events` reads it: txid, seq, id, kind, entity, payload, at.
type EventRow = (
    i64,
    i64,
    Uuid,
    String,
    Uuid,
    Json<serde_json::Value>,
    DateTime<Utc>,
);

#[async_trait]
impl EventStream for PostgresStore {
    async fn select_events(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: Option<&[EventKind]>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT txid::text::bigint, seq, id, kind, entity_id, payload, at FROM events \
             WHERE tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid())
            .push(" AND (txid, seq) > (")
            .push_bind(after.txid.to_string())
            .push("::text::xid8, ")
            .push_bind(after.seq)
            .push(") AND txid < pg_snapshot_xmin(pg_current_snapshot())");
        if let Some(kinds) = kinds {
            qb.push(" AND kind IN (");
            let mut list = qb.separated(", ");
            for kind in kinds {
                list.push_bind(kind.as_str());
            }
            list.push_unseparated(")");
        }
        qb.push(" ORDER BY txid, seq LIMIT ")
            .push_bind(i64::from(limit));
        let mut tx = self.read(tenant).await?;
        let rows: Vec<EventRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
        rows.into_iter()
            .map(|(txid, seq, id, kind, entity_id, payload, at)| {
                Ok(Event {
                    cursor: EventCursor { txid, seq },
                    id: EventId::from_uuid(id),
                    tenant_id: tenant,
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                    entity_id,
                    payload: payload.0,
                    at,
                })
            })
            .collect()
    }

    async fn latest_position(&self, tenant: TenantId) -> Result<EventCursor, StoreError> {
        let mut tx = self.read(tenant).await?;
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT txid::text::bigint, seq FROM events \
             WHERE tenant_id = $1 AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
             ORDER BY txid DESC, seq DESC LIMIT 1",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.map_or(EventCursor::START, |(txid, seq)| EventCursor { txid, seq }))
    }
}
