//! The erasure part of the storage port (`crate::erasure`): a client's personal
//! data removed from its row, its reservations, and their events and audit
//! entries, in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::audit::Actor;
use crate::client::Client;
use crate::erasure::ErasureReport;
use crate::ids::{ClientId, TenantId};

/// Client erasure. Every [`super::Store`] is one.
#[async_trait]
pub trait ErasureStore: Send + Sync {
    /// Erases the client's personal data at `now`, with an audit entry and a
    /// `client.erased` event: the client as it stays, and what changed.
    /// NotFound for another tenant's client; Conflict when it has active
    /// reservations or was already erased.
    async fn erase_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Client, ErasureReport), StoreError>;
    /// Up to `limit` of the tenant's clients, not erased, with no activity
    /// since `before`: created before it, no audit entry about them from it on
    /// (no change), and no reservation that is still active or ends at or
    /// after it. Oldest first.
    async fn inactive_clients(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClientId>, StoreError>;
}

mod sql;
