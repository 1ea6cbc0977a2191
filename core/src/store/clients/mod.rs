//! Clients: creating (alone, or with a booking), changing and reading them,
//! and the client as a write reads it ([`ClientLock`]: on PostgreSQL a change
//! locks its row, and a booking holds it against changes; SQLite's writers
//! are serialized already). Written once for both databases (`sql.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::client::{Client, ClientFilter, ClientPatch, NewClient};
use crate::ids::{ClientId, TenantId};
use crate::store::StoreError;

mod sql;

pub(crate) use sql::Clients;

/// How a write reads the client it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientLock {
    /// Not at all (a read).
    Read,
    /// Against changes (a booking for the client: an erasure or an archiving
    /// waits for it, and it sees theirs): PostgreSQL `FOR SHARE`.
    Share,
    /// For a change of the client (an update, an erasure): PostgreSQL
    /// `FOR UPDATE`.
    Update,
}

/// A tenant's clients.
#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Creates a client.
    async fn create_client(
        &self,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError>;
    /// A client of the tenant.
    async fn client(&self, tenant: TenantId, id: ClientId) -> Result<Option<Client>, StoreError>;
    /// Changes a client.
    async fn update_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError>;
    /// The tenant's clients matching the filter, in creation order.
    async fn clients(
        &self,
        tenant: TenantId,
        filter: &ClientFilter,
    ) -> Result<Vec<Client>, StoreError>;
    /// The clients of the tenant among `ids`, in any order. One query.
    async fn clients_by_ids(
        &self,
        tenant: TenantId,
        ids: &[ClientId],
    ) -> Result<Vec<Client>, StoreError>;
}
