//! API keys for integrators (admin): `apiKeys`, `createApiKey` (the key is shown
//! once, only its hash is kept; its scope is a role no higher than the creator's),
//! `revokeApiKey`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::api_key::ApiKey as CoreApiKey;
use berth_core::user::Role as CoreRole;
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::OrGraphql;
use crate::ids::parse;
use crate::session::Role;

/// An integrator's API key (never its secret).
#[derive(SimpleObject, Debug)]
pub struct ApiKey {
    /// Public id.
    pub id: ID,
    /// What it is for.
    pub name: String,
    /// Its scope: what the key may do, as a role.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<CoreApiKey> for ApiKey {
    fn from(k: CoreApiKey) -> Self {
        Self {
            id: ID(k.id.to_string()),
            name: k.name,
            role: k.role.into(),
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new key: `key` is shown this once; send it as `Authorization: Bearer <key>`.
#[derive(SimpleObject, Debug)]
pub struct CreatedApiKey {
    /// The key itself. It cannot be shown again.
    pub key: String,
    /// The stored key.
    pub api_key: ApiKey,
}

/// API key queries.
#[derive(Default, Debug)]
pub struct ApiKeysQuery;

#[Object]
impl ApiKeysQuery {
    /// The tenant's API keys, revoked ones included.
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let keys = engine.store().api_keys(viewer.tenant_id).await.gql()?;
        Ok(keys.into_iter().map(Into::into).collect())
    }
}

/// API key mutations.
#[derive(Default, Debug)]
pub struct ApiKeysMutation;

#[Object]
impl ApiKeysMutation {
    /// Creates a key scoped to `role` (default viewer: read only), which may not
    /// exceed the creator's own role.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(default_with = "Role::Viewer")] role: Role,
    ) -> Result<CreatedApiKey> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let created = engine
            .accounts()
            .create_api_key(viewer.tenant_id, &viewer.caller(), &name, role.into())
            .await
            .gql()?;
        Ok(CreatedApiKey {
            key: created.key,
            api_key: created.api_key.into(),
        })
    }

    /// Revokes a key at once; requests with it are UNAUTHENTICATED from now on.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let key = engine
            .accounts()
            .revoke_api_key(viewer.tenant_id, &viewer.caller(), parse(&id, "id")?)
            .await
            .gql()?;
        Ok(key.into())
    }
}
