//! Units: creating, changing (archiving too) and reading them, what they
//! offered when (`unit_versions`, for the history), and the unit as the
//! serialization point of every change to it ([`Units::for_change`]: SQLite's
//! write lock; PostgreSQL locks its row `FOR NO KEY UPDATE`). Written once for
//! both databases (`sql.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::ids::{TenantId, UnitId};
use crate::store::StoreError;
use crate::unit::{NewUnit, Unit, UnitPatch};

mod sql;

pub(crate) use sql::Units;

/// A tenant's units.
#[async_trait]
pub trait UnitStore: Send + Sync {
    /// Creates a unit.
    async fn create_unit(
        &self,
        tenant: TenantId,
        new: NewUnit,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError>;
    /// A unit of the tenant.
    async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError>;
    /// The tenant's units in creation order.
    async fn units(
        &self,
        tenant: TenantId,
        include_archived: bool,
    ) -> Result<Vec<Unit>, StoreError>;
    /// Changes a unit (archiving is a change too). A lower inventory than the
    /// unit's active reservations need at their peak is CONFLICT.
    async fn update_unit(
        &self,
        tenant: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError>;
    /// The units of the tenant among `ids` (archived included), in any order;
    /// ids of other tenants are simply absent. One query, for batch loaders.
    async fn units_by_ids(&self, tenant: TenantId, ids: &[UnitId])
    -> Result<Vec<Unit>, StoreError>;
}
