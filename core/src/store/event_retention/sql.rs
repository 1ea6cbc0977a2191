//! [`EventRetentionStore`] for both databases, written once over the
//! event-stream positions of [`Outbox`]: PostgreSQL's (transaction id,
//! sequence number), compared as a pair as every reader of the events does;
//! SQLite's sequence number alone (its writers are serialized, so sequence
//! numbers commit in order; the transaction id reads as 0).

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};

use super::EventRetentionStore;
use crate::event::EventCursor;
use crate::ids::TenantId;
use crate::store::StoreError;
use crate::store::outbox::{Outbox, event_position, kept_position};
use crate::store::sql::{Affected, Dialect, SqlStore};

#[each_database]
#[async_trait]
impl EventRetentionStore for DbStore {
    async fn prune_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write(tenant).await?;
        // Every reader's position: active webhooks and the push queue. Their
        // rows are locked (PostgreSQL), so no queue moves (or is added)
        // meanwhile.
        let (cursor, share) = (kept_position::<DB>("cursor"), DB::FOR_SHARE);
        let positions: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {cursor} FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL{share}"
        )))
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        let push: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {cursor} FROM push_tenants WHERE tenant_id = $1{share}"
        )))
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let ceiling = positions
            .into_iter()
            .chain(push)
            .min()
            .unwrap_or((i64::MAX, i64::MAX));
        // An event at or before a position (`$3` its sequence number, `$4`
        // its transaction id, which SQLite ignores).
        let through = format!(
            "({}) <= ({})",
            DB::kept("txid", "seq"),
            DB::kept("$4::text::xid8", "$3")
        );
        // The newest of the `limit` oldest prunable events.
        let (position, order) = (event_position::<DB>("e", "event"), DB::kept("txid", "seq"));
        let last: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT event_txid, event_seq FROM ( \
               SELECT {position} FROM events e WHERE tenant_id = $1 AND at < $2 AND {through} \
               ORDER BY {order} LIMIT $5) AS oldest \
             ORDER BY event_txid DESC, event_seq DESC LIMIT 1"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(before))
        .bind(ceiling.1)
        .bind(ceiling.0)
        .bind(i64::from(limit))
        .fetch_optional(&mut *tx)
        .await?;
        let Some((txid, seq)) = last else {
            return Ok(0);
        };
        let deleted = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM events WHERE tenant_id = $1 AND at < $2 AND {through}"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(before))
        .bind(seq)
        .bind(txid)
        .execute(&mut *tx)
        .await?
        .affected();
        let lock = DB::FOR_UPDATE;
        let before_mark: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT pruned_txid, pruned_seq FROM event_retention WHERE tenant_id = $1{lock}"
        )))
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let mark = before_mark.map_or((txid, seq), |m| m.max((txid, seq)));
        sqlx::query(
            "INSERT INTO event_retention (tenant_id, pruned_txid, pruned_seq) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE \
               SET pruned_txid = excluded.pruned_txid, pruned_seq = excluded.pruned_seq",
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
        let mut conn = self.read(tenant).await?;
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT pruned_txid, pruned_seq FROM event_retention WHERE tenant_id = $1",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|(txid, seq)| EventCursor { txid, seq }))
    }
}
