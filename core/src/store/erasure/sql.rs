//! [`ErasureStore`] for both databases, written once: one transaction with
//! the client taken first ([`SqlStore::client_for_change`]: SQLite's write
//! lock, PostgreSQL's `FOR UPDATE` on the client's row), so no booking or
//! change of the client's lands halfway through.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::ErasureStore;
use crate::audit::Actor;
use crate::client::Client;
use crate::erasure::{self, ErasedEntity, ErasureReport};
use crate::ids::{ClientId, TenantId};
use crate::store::clients::{ClientLock, Clients};
use crate::store::sql::{Conn, Dialect, Journal, SqlStore};
use crate::store::{StoreError, records};

#[each_database]
#[async_trait]
impl ErasureStore for DbStore {
    async fn erase_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Client, ErasureReport), StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Clients::<DB>::fetch(&mut tx, tenant, id, ClientLock::Update)
            .await?
            .ok_or_else(|| StoreError::not_found("client", id))?;
        if before.erased_at.is_some() {
            return Err(records::client_erased_refusal(&before));
        }
        let active: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reservations WHERE tenant_id = $1 AND client_id = $2 \
             AND state IN ('held', 'confirmed', 'checked_in')",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        if active > 0 {
            return Err(StoreError::Conflict(erasure::still_active(
                id,
                active.unsigned_abs(),
            )));
        }
        let reservations: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM reservations WHERE tenant_id = $1 AND client_id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE reservations SET notes = NULL WHERE tenant_id = $1 AND client_id = $2 \
             AND notes IS NOT NULL",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        // The free text of an override (its reason) goes too; what the policy
        // refused and who overrode stay.
        let set = DB::json_set_text("policy_override", "reason", "$3");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE reservations SET policy_override = {set} \
             WHERE tenant_id = $1 AND client_id = $2 AND policy_override IS NOT NULL"
        )))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(erasure::ERASED)
        .execute(&mut *tx)
        .await?;
        let mut report = ErasureReport {
            reservations: reservations.len() as u64,
            ..ErasureReport::default()
        };
        let histories = std::iter::once((ErasedEntity::Client, id.as_uuid()))
            .chain(reservations.iter().map(|r| (ErasedEntity::Reservation, *r)));
        for (entity, entity_id) in histories {
            let (events, entries) =
                Erasure::<DB>::redact_history(&mut tx, tenant, entity, entity_id).await?;
            report.events += events;
            report.audit_entries += entries;
        }
        crate::store::mail::sql::ClientMail::<DB>::erase(&mut tx, tenant, id, now).await?;
        let after = erasure::erased(&before, now);
        Clients::<DB>::write(&mut tx, &after).await?;
        Journal::<DB>::append(
            &mut tx,
            &records::client_erased(&after, &report, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.announce();
        Ok((after, report))
    }

    async fn inactive_clients(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClientId>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT c.id FROM clients c \
             WHERE c.tenant_id = $1 AND c.erased_at IS NULL AND c.created_at < $2 \
               AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.tenant_id = c.tenant_id \
                 AND a.entity_id = c.id AND a.at >= $2) \
               AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.tenant_id = c.tenant_id \
                 AND r.client_id = c.id \
                 AND (r.end_at >= $2 OR r.state IN ('held', 'confirmed', 'checked_in'))) \
             ORDER BY c.id LIMIT $3",
        )
        .bind(tenant.as_uuid())
        .bind(DB::stamp(before))
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        Ok(ids.into_iter().map(ClientId::from_uuid).collect())
    }
}

/// The erasure queries, on the database `DB`.
pub(crate) struct Erasure<DB>(PhantomData<DB>);

#[each_database]
impl Erasure<DB> {
    /// Redacts one entity's events and audit entries: how many of each changed.
    async fn redact_history(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        entity: ErasedEntity,
        entity_id: Uuid,
    ) -> Result<(u64, u64), StoreError> {
        let mut counts = [0_u64; 2];
        // The events' payloads, then the audit entries' metadata.
        for (count, (table, column)) in counts
            .iter_mut()
            .zip([("events", "payload"), ("audit_log", "metadata")])
        {
            let rows: Vec<(Uuid, Json<serde_json::Value>)> = sqlx::query_as(sqlx::AssertSqlSafe(
                format!("SELECT id, {column} FROM {table} WHERE tenant_id = $1 AND entity_id = $2"),
            ))
            .bind(tenant.as_uuid())
            .bind(entity_id)
            .fetch_all(&mut *conn)
            .await?;
            let rows = erasure::redacted(entity, rows.into_iter().map(|(i, j)| (i, j.0)).collect());
            for (id, json) in &rows {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET {column} = $1 WHERE id = $2"
                )))
                .bind(Json(json))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            *count = rows.len() as u64;
        }
        Ok((counts[0], counts[1]))
    }
}
