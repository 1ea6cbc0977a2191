//! The profile part of the storage port: a tenant's public profile
//! (`crate::profile`), one row per tenant, replaced as a whole each time the
//! tenant's policy goes live. A save that changes the stored profile writes,
//! in the same transaction, an audit entry (entity `tenant`, action
//! `update_profile`, before and after) and a `tenant.updated` event; a save of
//! the profile already stored writes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::StoreError;
use super::records::{ChangeRecord, to_json};
use crate::audit::Actor;
use crate::event::EventKind;
use crate::ids::TenantId;
use crate::profile::TenantProfile;
use crate::tenant::{NewTenant, Tenant};

/// What [`ProfileStore::put_tenant`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct PutTenant {
    /// The tenant as stored after.
    pub tenant: Tenant,
    /// Whether it was created.
    pub created: bool,
    /// Whether its profile changed (and so was audited and announced).
    pub profile_changed: bool,
}

/// Whether a stored tenant already has `identity` (its slug aside).
pub(crate) fn same_identity(t: &Tenant, identity: &NewTenant) -> bool {
    t.name == identity.name
        && t.timezone == identity.timezone
        && t.currency == identity.currency
        && t.locale == identity.locale
}

/// Tenant profiles (and the write of a tenant going live). Every
/// [`super::Store`] is one.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Stores the tenant's profile in place of the one it had; true when it
    /// changed (and so was audited and announced). NOT_FOUND for an unknown
    /// tenant.
    async fn save_tenant_profile(
        &self,
        tenant: TenantId,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// What a tenant's policy going live writes, in one transaction: the
    /// tenant created with `identity` (by its slug) or its identity brought
    /// up to it (audited as `create`/`update` when anything changed), and
    /// its profile saved as [`Self::save_tenant_profile`] does. CONFLICT when
    /// another writer created the same slug meanwhile.
    async fn put_tenant(
        &self,
        identity: NewTenant,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<PutTenant, StoreError>;
    /// The tenant's stored profile; `None` before its policy first went live.
    async fn tenant_profile(&self, tenant: TenantId) -> Result<Option<TenantProfile>, StoreError>;
}

/// A stored profile read back.
pub(crate) fn decode(json: serde_json::Value) -> Result<TenantProfile, StoreError> {
    serde_json::from_value(json).map_err(|e| StoreError::corrupt(format!("tenant profile: {e}")))
}

/// The audit entry and event of a changed profile.
pub(crate) fn profile_changed(
    tenant: TenantId,
    before: Option<&TenantProfile>,
    after: &TenantProfile,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        tenant,
        actor,
        ("tenant", tenant.as_uuid()),
        "update_profile",
        EventKind::TenantUpdated,
        json!({ "profile": to_json(after) }),
        json!({ "before": before.map(to_json), "after": to_json(after) }),
        at,
    )
}

mod sql;
