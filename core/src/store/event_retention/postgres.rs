//! [`EventRetentionStore`] for PostgreSQL. Positions are (transaction id,
//! sequence number), compared as a pair, as every reader of the events does.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PostgresStore;
use crate::event::EventCursor;
use crate::ids::TenantId;
use crate::store::StoreError;
use crate::store::event_retention::EventRetentionStore;

#[async_trait]
impl EventRetentionStore for PostgresStore {
    async fn prune_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // Every reader's position: active webhooks and the push queue. Their
        // rows are locked, so no queue moves (or is added) meanwhile.
        let positions: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT cursor_txid, cursor_seq FROM webhooks \
               WHERE tenant_id = $1 AND deleted_at IS NULL FOR SHARE",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        let push: Option<(i64, i64)> = sqlx::query_as(
            "SELECT cursor_txid, cursor_seq FROM push_tenants WHERE tenant_id = $1 FOR SHARE",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let ceiling = positions
            .into_iter()
            .chain(push)
            .min()
            .unwrap_or((i64::MAX, i64::MAX));
        // The newest of the `limit` oldest prunable events.
        let last: Option<(i64, i64)> = sqlx::query_as(
            "SELECT txid::text::bigint, seq FROM ( \
               SELECT txid, seq FROM events WHERE tenant_id = $1 AND at < $2 \
                 AND (txid, seq) <= ($3::text::xid8, $4) \
               ORDER BY txid, seq LIMIT $5) AS oldest \
             ORDER BY txid DESC, seq DESC LIMIT 1",
        )
        .bind(tenant.as_uuid())
        .bind(before)
        .bind(ceiling.0.to_string())
        .bind(ceiling.1)
        .bind(i64::from(limit))
        .fetch_optional(&mut *tx)
        .await?;
        let Some((txid, seq)) = last else {
            return Ok(0);
        };
        let deleted = sqlx::query(
            "DELETE FROM events WHERE tenant_id = $1 AND at < $2 \
               AND (txid, seq) <= ($3::text::xid8, $4)",
        )
        .bind(tenant.as_uuid())
        .bind(before)
        .bind(txid.to_string())
        .bind(seq)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let before_mark: Option<(i64, i64)> = sqlx::query_as(
            "SELECT pruned_txid, pruned_seq FROM event_retention WHERE tenant_id = $1 FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let mark = before_mark.map_or((txid, seq), |m| m.max((txid, seq)));
        sqlx::query(
            "INSERT INTO event_retention (tenant_id, pruned_txid, pruned_seq) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE \
               SET pruned_txid = EXCLUDED.pruned_txid, pruned_seq = EXCLUDED.pruned_seq",
        )
        .bind(tenant.as_uuid())
        .bind(mark.0)
        .bind(mark.1)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    async fn events_pruned_through(
        &self,
        tenant: TenantId,
    ) -> Result<Option<EventCursor>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT pruned_txid, pruned_seq FROM event_retention WHERE tenant_id = $1",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.map(|(txid, seq)| EventCursor { txid, seq }))
    }
}
