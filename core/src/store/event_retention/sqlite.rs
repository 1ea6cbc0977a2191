//! [`EventRetentionStore`] for SQLite. Writers are serialized, so sequence
//! numbers commit in order and a position is the sequence number alone.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{SqliteStore, micros};
use crate::event::EventCursor;
use crate::ids::TenantId;
use crate::store::StoreError;
use crate::store::event_retention::EventRetentionStore;

#[async_trait]
impl EventRetentionStore for SqliteStore {
    async fn prune_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        // Every reader's position: active webhooks and the push queue.
        let ceiling: Option<i64> = sqlx::query_scalar(
            "SELECT min(seq) FROM ( \
               SELECT cursor_seq AS seq FROM webhooks WHERE tenant_id = ?1 AND deleted_at IS NULL \
               UNION ALL SELECT cursor_seq FROM push_tenants WHERE tenant_id = ?1)",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT max(seq) FROM (SELECT seq FROM events \
               WHERE tenant_id = ?1 AND at < ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4)",
        )
        .bind(tenant.as_uuid())
        .bind(micros(before))
        .bind(ceiling.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_one(&mut *tx)
        .await?;
        let Some(last) = last else {
            return Ok(0);
        };
        let deleted =
            sqlx::query("DELETE FROM events WHERE tenant_id = ?1 AND at < ?2 AND seq <= ?3")
                .bind(tenant.as_uuid())
                .bind(micros(before))
                .bind(last)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        sqlx::query(
            "INSERT INTO event_retention (tenant_id, pruned_txid, pruned_seq) VALUES (?1, 0, ?2) \
             ON CONFLICT (tenant_id) DO UPDATE SET pruned_seq = max(pruned_seq, excluded.pruned_seq)",
        )
        .bind(tenant.as_uuid())
        .bind(last)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    async fn events_pruned_through(
        &self,
        tenant: TenantId,
    ) -> Result<Option<EventCursor>, StoreError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT pruned_seq FROM event_retention WHERE tenant_id = ?")
                .bind(tenant.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
        Ok(seq.map(|seq| EventCursor { txid: 0, seq }))
    }
}
