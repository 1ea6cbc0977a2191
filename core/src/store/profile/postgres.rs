//! [`ProfileStore`] for PostgreSQL: one `tenant_profiles` row per tenant
//! (row-level security: the transaction names the tenant), written with its
//! audit entry and event. The tenant and profile rows are read `FOR UPDATE`,
//! so two instances loading the same policy at once write one change, not two.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{PostgresStore, SLUG_CONSTRAINT, TenantRow, append, violated_constraint};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::profile::TenantProfile;
use crate::store::StoreError;
use crate::store::profile::{
    ProfileStore, PutTenant, decode, encode, profile_changed, same_identity,
};
use crate::store::records;
use crate::tenant::{NewTenant, Tenant};

/// The tenant, locked for this transaction.
async fn lock_tenant(conn: &mut PgConnection, id: TenantId) -> Result<Option<Tenant>, StoreError> {
    sqlx::query_as::<_, TenantRow>("SELECT * FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(TenantRow::into_domain)
        .transpose()
}

/// Saves the profile of a tenant locked by this transaction; true when it
/// changed.
async fn save(
    conn: &mut PgConnection,
    tenant: TenantId,
    profile: &TenantProfile,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT profile::text FROM tenant_profiles WHERE tenant_id = $1")
            .bind(tenant.as_uuid())
            .fetch_optional(&mut *conn)
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
impl ProfileStore for PostgresStore {
    async fn save_tenant_profile(
        &self,
        tenant: TenantId,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        if lock_tenant(&mut tx, tenant).await?.is_none() {
            return Err(StoreError::not_found("tenant", tenant));
        }
        let changed = save(&mut tx, tenant, profile, actor, now).await?;
        tx.commit().await?;
        if changed {
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
        // `tenants` has no row-level security; the transaction must name the
        // tenant for its profile, audit entry and event, so its id is known
        // first (a new one when the slug is new).
        let known = self.tenant_by_slug_id(&identity.slug).await?;
        let id = known.unwrap_or_else(TenantId::new);
        let mut tx = self.begin_tenant(id).await?;
        let mut wrote = false;
        let existing = match known {
            Some(id) => Some(
                lock_tenant(&mut tx, id)
                    .await?
                    .ok_or_else(|| StoreError::not_found("tenant", id))?,
            ),
            None => None,
        };
        let (tenant, created) = match existing {
            None => {
                let tenant = Tenant {
                    id,
                    slug: identity.slug,
                    name: identity.name,
                    timezone: identity.timezone,
                    currency: identity.currency,
                    locale: identity.locale,
                    created_at: now,
                };
                sqlx::query(
                    "INSERT INTO tenants (id, slug, name, timezone, currency, locale, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(tenant.id.as_uuid())
                .bind(tenant.slug.as_str())
                .bind(&tenant.name)
                .bind(tenant.timezone.name())
                .bind(tenant.currency.as_str())
                .bind(&tenant.locale)
                .bind(tenant.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    if violated_constraint(&e) == Some(SLUG_CONSTRAINT) {
                        StoreError::Conflict(format!(
                            "a tenant with slug `{}` already exists",
                            tenant.slug
                        ))
                    } else {
                        StoreError::Database(e)
                    }
                })?;
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
                    "UPDATE tenants SET name = $1, timezone = $2, currency = $3, locale = $4 \
                     WHERE id = $5",
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
        tx.commit().await?;
        if wrote || profile_changed {
            self.committed();
        }
        Ok(PutTenant {
            tenant,
            created,
            profile_changed,
        })
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

impl PostgresStore {
    /// The id of the tenant with `slug`, if any.
    async fn tenant_by_slug_id(
        &self,
        slug: &crate::tenant::TenantSlug,
    ) -> Result<Option<TenantId>, StoreError> {
        let row: Option<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM tenants WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(id,)| TenantId::from_uuid(id)))
    }
}
