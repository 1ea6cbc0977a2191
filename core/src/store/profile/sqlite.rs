//! [`ProfileStore`] for SQLite: one `tenant_profiles` row per tenant, written
//! under the database write lock with its audit entry and event.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::{SqliteStore, TenantRow, append, fetch_tenant, micros};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::profile::TenantProfile;
use crate::store::StoreError;
use crate::store::profile::{
    ProfileStore, PutTenant, decode, encode, profile_changed, same_identity,
};
use crate::store::records;
use crate::tenant::{NewTenant, Tenant};

/// Saves the profile of a tenant known to exist; true when it changed.
async fn save(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    profile: &TenantProfile,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT profile FROM tenant_profiles WHERE tenant_id = ?")
            .bind(tenant.as_uuid())
            .fetch_optional(&mut *conn)
            .await?;
    let before = stored.map(|(text,)| decode(&text)).transpose()?;
    if before.as_ref() == Some(profile) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO tenant_profiles (tenant_id, profile, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (tenant_id) DO UPDATE SET profile = excluded.profile, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant.as_uuid())
    .bind(encode(profile))
    .bind(micros(now))
    .execute(&mut *conn)
    .await?;
    append(
        conn,
        &profile_changed(tenant, before.as_ref(), profile, actor, now),
    )
    .await?;
    Ok(true)
}

#[async_trait]
impl ProfileStore for SqliteStore {
    async fn save_tenant_profile(
        &self,
        tenant: TenantId,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        if fetch_tenant(&mut tx, tenant).await?.is_none() {
            return Err(StoreError::not_found("tenant", tenant));
        }
        let changed = save(&mut tx, tenant, profile, actor, now).await?;
        if changed {
            tx.commit().await?;
            self.committed();
        }
        Ok(changed)
    }

    async fn put_tenant(
        &self,
        identity: NewTenant,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<PutTenant, StoreError> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query_as::<_, TenantRow>("SELECT * FROM tenants WHERE slug = ?")
            .bind(identity.slug.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(TenantRow::into_domain)
            .transpose()?;
        let mut wrote = false;
        let (tenant, created) = match existing {
            None => {
                let tenant = Tenant {
                    id: TenantId::new(),
                    slug: identity.slug,
                    name: identity.name,
                    timezone: identity.timezone,
                    currency: identity.currency,
                    locale: identity.locale,
                    created_at: now,
                };
                sqlx::query(
                    "INSERT INTO tenants (id, slug, name, timezone, currency, locale, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(tenant.id.as_uuid())
                .bind(tenant.slug.as_str())
                .bind(&tenant.name)
                .bind(tenant.timezone.name())
                .bind(tenant.currency.as_str())
                .bind(&tenant.locale)
                .bind(micros(tenant.created_at))
                .execute(&mut *tx)
                .await?;
                append(&mut tx, &records::tenant_created(&tenant, actor)).await?;
                wrote = true;
                (tenant, true)
            }
            Some(before) if same_identity(&before, &identity) => (before, false),
            Some(before) => {
                let after = Tenant {
                    name: identity.name,
                    timezone: identity.timezone,
                    currency: identity.currency,
                    locale: identity.locale,
                    ..before.clone()
                };
                sqlx::query(
                    "UPDATE tenants SET name = ?, timezone = ?, currency = ?, locale = ? \
                     WHERE id = ?",
                )
                .bind(&after.name)
                .bind(after.timezone.name())
                .bind(after.currency.as_str())
                .bind(&after.locale)
                .bind(after.id.as_uuid())
                .execute(&mut *tx)
                .await?;
                append(
                    &mut tx,
                    &records::tenant_updated(&before, &after, actor, now),
                )
                .await?;
                wrote = true;
                (after, false)
            }
        };
        let profile_changed = save(&mut tx, tenant.id, profile, actor, now).await?;
        if wrote || profile_changed {
            tx.commit().await?;
            self.committed();
        }
        Ok(PutTenant {
            tenant,
            created,
            profile_changed,
        })
    }

    async fn tenant_profile(&self, tenant: TenantId) -> Result<Option<TenantProfile>, StoreError> {
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT profile FROM tenant_profiles WHERE tenant_id = ?")
                .bind(tenant.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
        stored.map(|(text,)| decode(&text)).transpose()
    }
}
