//! A client's record (a guest's right of access, and to take the data
//! elsewhere): everything berth keeps about one client — the client, every
//! reservation made for it, and the audit entries about the client and each
//! of those reservations (who changed what, when) — read for an admin to hand
//! over. Events are left out: each is a copy of an entity's state the record
//! already holds.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::client::Client;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{ClientId, TenantId};
use crate::reservation::Reservation;
use crate::store::ReservationFilter;

/// Reservations read per page while assembling a record.
const PAGE: u32 = 1_000;

/// Everything kept about one client.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRecord {
    /// The client.
    pub client: Client,
    /// Every reservation made for it, oldest first.
    pub reservations: Vec<Reservation>,
    /// The audit entries about the client and its reservations, oldest first
    /// (at most the latest 1,000 per entity, as every entity's history).
    pub audit: Vec<AuditEntry>,
    /// When the record was read.
    pub generated_at: DateTime<Utc>,
}

impl Engine {
    /// The record of client `id` (NOT_FOUND for another tenant's).
    pub async fn client_record(
        &self,
        tenant_id: TenantId,
        id: ClientId,
    ) -> Result<ClientRecord, EngineError> {
        let generated_at = self.clock.now();
        let client =
            self.store
                .client(tenant_id, id)
                .await?
                .ok_or_else(|| EngineError::NotFound {
                    entity: "client",
                    id: id.to_string(),
                })?;
        let mut reservations = Vec::new();
        loop {
            let filter = ReservationFilter {
                client_id: Some(id),
                after: reservations.last().map(|r: &Reservation| r.id),
                limit: Some(PAGE),
                ..ReservationFilter::default()
            };
            let page = self.store.reservations(tenant_id, &filter).await?;
            let done = page.len() < PAGE as usize;
            reservations.extend(page);
            if done {
                break;
            }
        }
        let mut audit = self
            .store
            .audit_entries(tenant_id, client.id.as_uuid())
            .await?;
        for r in &reservations {
            audit.extend(self.store.audit_entries(tenant_id, r.id.as_uuid()).await?);
        }
        audit.sort_by_key(|e| (e.at, e.id));
        Ok(ClientRecord {
            client,
            reservations,
            audit,
            generated_at,
        })
    }
}
