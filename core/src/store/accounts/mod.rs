//! Accounts: users (with their password hashes and session epochs) and API
//! keys (only their secrets' hashes). Written once for both databases
//! (`sql.rs`). A change that would leave the tenant without an active owner
//! is refused inside the transaction that makes it: SQLite's writers are
//! serialized; PostgreSQL locks the active owners' rows first.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::api_key::{ApiKey, NewApiKey};
use crate::audit::Actor;
use crate::ids::{ApiKeyId, TenantId};
use crate::store::StoreError;

mod sql;

/// A tenant's users and API keys.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores a new API key (only its hash).
    async fn create_api_key(
        &self,
        tenant: TenantId,
        new: NewApiKey,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError>;
    /// The tenant's API keys, revoked ones included, in creation order.
    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError>;
    /// A key and its secret's hash, to authenticate a request.
    async fn api_key_secret(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError>;
    /// Revokes a key; revoking a revoked key changes nothing.
    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError>;
    /// Creates a user; a taken e-mail address is CONFLICT.
    async fn create_user(
        &self,
        tenant: TenantId,
        new: crate::user::NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::user::User, StoreError>;
    /// A user and their password hash, by e-mail address.
    async fn user_credentials(
        &self,
        tenant: TenantId,
        email: &crate::user::Email,
    ) -> Result<Option<(crate::user::User, String)>, StoreError>;
    /// A user of the tenant.
    async fn user(
        &self,
        tenant: TenantId,
        id: crate::ids::UserId,
    ) -> Result<Option<crate::user::User>, StoreError>;
    /// The tenant's users in creation order, disabled ones included.
    async fn users(&self, tenant: TenantId) -> Result<Vec<crate::user::User>, StoreError>;
    /// Changes a user: role, disabled, password (see `UserPatch`); a change that
    /// ends sessions moves `session_epoch` on and releases the user's locks.
    /// NOT_FOUND for a user of no tenant's; CONFLICT when the tenant would be
    /// left without an active owner.
    async fn update_user(
        &self,
        tenant: TenantId,
        id: crate::ids::UserId,
        patch: crate::user::UserPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::user::User, StoreError>;
}
