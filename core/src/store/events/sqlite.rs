//! [`EventStream`] for SQLite: events are numbered by `seq` as they are
//! written, and writers are serialized, so sequence numbers commit in order.

use async_trait::async_trait;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use super::EventStream;
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::{EventId, TenantId};
use crate::store::sql::{SqlStore, StoredInstant};
use crate::store::{SqliteStore, StoreError};

#[async_trait]
impl EventStream for SqliteStore {
    async fn select_events(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: Option<&[EventKind]>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT seq, id, kind, entity_id, payload, at FROM events WHERE tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid())
            .push(" AND seq > ")
            .push_bind(if after.txid > 0 { i64::MAX } else { after.seq });
        if let Some(kinds) = kinds {
            qb.push(" AND kind IN (");
            let mut list = qb.separated(", ");
            for kind in kinds {
                list.push_bind(kind.as_str());
            }
            list.push_unseparated(")");
        }
        qb.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit));
        let rows: Vec<(i64, Uuid, String, Uuid, Json<serde_json::Value>, i64)> =
            qb.build_query_as().fetch_all(self.sql_pool()).await?;
        rows.into_iter()
            .map(|(seq, id, kind, entity_id, payload, at)| {
                Ok(Event {
                    cursor: EventCursor { txid: 0, seq },
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

    async fn latest_position(&self, tenant: TenantId) -> Result<EventCursor, StoreError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT max(seq) FROM events WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .fetch_one(self.sql_pool())
                .await?;
        Ok(EventCursor {
            txid: 0,
            seq: seq.unwrap_or(0),
        })
    }
}
