//! Tenants: creating one, changing its identity, and reading the directory
//! (by id, by slug, all of them, or with one of its units in one statement).
//! Written once for both databases (`sql.rs`); the directory has no
//! row-level security, so it is read from the pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::ids::{TenantId, UnitId};
use crate::store::StoreError;
use crate::tenant::{NewTenant, Tenant, TenantSlug};
use crate::unit::Unit;

mod sql;

pub(crate) use sql::{Tenants, tenant_fk, unknown_tenant};

/// The tenants: their identity, read by id or slug.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates a tenant.
    async fn create_tenant(
        &self,
        new: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError>;
    /// Changes a tenant's identity (not its slug).
    async fn update_tenant(
        &self,
        id: TenantId,
        update: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError>;
    /// A tenant by id.
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// A tenant and one of its units, read with one statement: what every
    /// command about a unit needs first (a round trip fewer than `tenant` and
    /// `unit`). `None` when either is missing.
    async fn tenant_and_unit(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<(Tenant, Unit)>, StoreError>;
    /// A tenant by slug.
    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant, by slug.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
}
