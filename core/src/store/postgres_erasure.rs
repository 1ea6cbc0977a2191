//! [`ErasureStore`] for PostgreSQL: one transaction under row-level security,
//! with the client row locked (`FOR UPDATE`) so that no booking for it lands
//! halfway through.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::{ClientLock, PostgresStore, append, fetch_client, records, write_client};
use crate::audit::Actor;
use crate::client::Client;
use crate::erasure::{self, ErasedEntity, ErasureReport};
use crate::ids::{ClientId, TenantId};
use crate::store::StoreError;
use crate::store::erasure::ErasureStore;

#[async_trait]
impl ErasureStore for PostgresStore {
    async fn erase_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Client, ErasureReport), StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let before = fetch_client(&mut tx, tenant, id, ClientLock::Update)
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
        sqlx::query(
            "UPDATE reservations \
             SET policy_override = jsonb_set(policy_override, '{reason}', to_jsonb($3::text)) \
             WHERE tenant_id = $1 AND client_id = $2 AND policy_override IS NOT NULL",
        )
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
            let (events, entries) = redact_history(&mut tx, tenant, entity, entity_id).await?;
            report.events += events;
            report.audit_entries += entries;
        }
        crate::store::mail_sql::erase_client_mail::<sqlx::Postgres, _>(&mut tx, tenant, id, now)
            .await?;
        let after = erasure::erased(&before, now);
        write_client(&mut tx, &after).await?;
        append(
            &mut tx,
            &records::client_erased(&after, &report, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok((after, report))
    }

    async fn inactive_clients(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClientId>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
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
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        Ok(ids.into_iter().map(ClientId::from_uuid).collect())
    }
}

/// Redacts one entity's events and audit entries: how many of each changed.
async fn redact_history(
    conn: &mut PgConnection,
    tenant: TenantId,
    entity: ErasedEntity,
    entity_id: Uuid,
) -> Result<(u64, u64), StoreError> {
    let events: Vec<(Uuid, Json<serde_json::Value>)> =
        sqlx::query_as("SELECT id, payload FROM events WHERE tenant_id = $1 AND entity_id = $2")
            .bind(tenant.as_uuid())
            .bind(entity_id)
            .fetch_all(&mut *conn)
            .await?;
    let events = erasure::redacted(entity, events.into_iter().map(|(i, p)| (i, p.0)).collect());
    for (event, payload) in &events {
        sqlx::query("UPDATE events SET payload = $1 WHERE id = $2")
            .bind(Json(payload))
            .bind(event)
            .execute(&mut *conn)
            .await?;
    }
    let entries: Vec<(Uuid, Json<serde_json::Value>)> = sqlx::query_as(
        "SELECT id, metadata FROM audit_log WHERE tenant_id = $1 AND entity_id = $2",
    )
    .bind(tenant.as_uuid())
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    let entries = erasure::redacted(entity, entries.into_iter().map(|(i, m)| (i, m.0)).collect());
    for (entry, metadata) in &entries {
        sqlx::query("UPDATE audit_log SET metadata = $1 WHERE id = $2")
            .bind(Json(metadata))
            .bind(entry)
            .execute(&mut *conn)
            .await?;
    }
    Ok((events.len() as u64, entries.len() as u64))
}
