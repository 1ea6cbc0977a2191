//! [`ProfileStore`] for PostgreSQL: one `tenant_profiles` row per tenant
//! (row-level security: the transaction names the tenant), written with its
//! audit entry and event. The row is read `FOR UPDATE`, so two instances
//! loading the same policy at once write one change, not two.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{PostgresStore, append};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::profile::TenantProfile;
use crate::store::StoreError;
use crate::store::profile::{ProfileStore, decode, encode, profile_changed};

#[async_trait]
impl ProfileStore for PostgresStore {
    async fn save_tenant_profile(
        &self,
        tenant: TenantId,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let known: Option<(i32,)> =
            sqlx::query_as("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(StoreError::not_found("tenant", tenant));
        }
        let stored: Option<(String,)> = sqlx::query_as(
            "SELECT profile::text FROM tenant_profiles WHERE tenant_id = $1 FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let before = stored.map(|(text,)| decode(&text)).transpose()?;
        if before.as_ref() == Some(profile) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO tenant_profiles (tenant_id, profile, updated_at) \
             VALUES ($1, $2::jsonb, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET profile = excluded.profile, \
             updated_at = excluded.updated_at",
        )
        .bind(tenant.as_uuid())
        .bind(encode(profile))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &profile_changed(tenant, before.as_ref(), profile, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(true)
    }

    async fn tenant_profile(&self, tenant: TenantId) -> Result<Option<TenantProfile>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT profile::text FROM tenant_profiles WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        stored.map(|(text,)| decode(&text)).transpose()
    }
}
