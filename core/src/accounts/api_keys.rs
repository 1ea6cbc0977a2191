//! API key writes: create (the key string is minted here and shown once) and
//! revoke.

use crate::api_key::{ApiKey, NewApiKey, mint_api_key};
use crate::error::EngineError;
use crate::ids::{ApiKeyId, TenantId};
use crate::user::Role;

use super::{AccountError, Accounts, Caller, may_grant};

/// A key just created: the whole key string (shown once, never stored) and
/// the key as stored.
#[derive(Debug)]
pub struct CreatedApiKey {
    /// `berth_<tenant>_<id>_<secret>`.
    pub key: String,
    /// The stored key.
    pub api_key: ApiKey,
}

impl Accounts {
    /// Creates a key named `name` scoped to `role`: FORBIDDEN when the role is
    /// above the caller's; INVALID_INPUT (`name`) for a blank name.
    pub async fn create_api_key(
        &self,
        tenant: TenantId,
        caller: &Caller,
        name: &str,
        role: Role,
    ) -> Result<CreatedApiKey, AccountError> {
        if !may_grant(caller.role, role) {
            return Err(AccountError::Forbidden(format!(
                "a key cannot have more rights than its creator ({})",
                caller.role
            )));
        }
        if name.trim().is_empty() {
            return Err(EngineError::InvalidInput {
                field: "name",
                message: "say what the key is for".into(),
            }
            .into());
        }
        let minted = mint_api_key(tenant);
        let new = NewApiKey {
            id: minted.id,
            name: name.trim().to_owned(),
            role,
            secret_hash: minted.secret_hash,
        };
        let api_key = self
            .store
            .create_api_key(tenant, new, &caller.actor, self.clock.now())
            .await?;
        Ok(CreatedApiKey {
            key: minted.key,
            api_key,
        })
    }

    /// Revokes a key at once (revoking a revoked key changes nothing).
    pub async fn revoke_api_key(
        &self,
        tenant: TenantId,
        caller: &Caller,
        id: ApiKeyId,
    ) -> Result<ApiKey, AccountError> {
        Ok(self
            .store
            .revoke_api_key(tenant, id, &caller.actor, self.clock.now())
            .await?)
    }
}
