//! [`ProfileStore`] for both databases, written once: one `tenant_profiles`
//! row per tenant, written with its audit entry and event in a transaction
//! that names the tenant (PostgreSQL's row-level security). The tenant's row
//! is read [`Dialect::FOR_UPDATE`] first, so two instances loading the same
//! policy at once write one change, not two.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{ProfileStore, PutTenant, decode, profile_changed, same_identity};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::profile::TenantProfile;
use crate::store::StoreError;
use crate::store::records::{self, to_json};
use crate::store::sql::{Conn, Dialect, Journal, SqlStore};
use crate::store::tenants::Tenants;
use crate::tenant::{NewTenant, Tenant};

#[each_database]
#[async_trait]
impl ProfileStore for DbStore {
    async fn save_tenant_profile(
        &self,
        tenant: TenantId,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write(tenant).await?;
        if Tenants::<DB>::locked(&mut tx, tenant).await?.is_none() {
            return Err(StoreError::not_found("tenant", tenant));
        }
        let changed = Profiles::<DB>::save(&mut tx, tenant, profile, actor, now).await?;
        tx.commit().await?;
        if changed {
            self.announce();
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
        let known: Option<Uuid> = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
            .bind(identity.slug.as_str())
            .fetch_optional(self.sql_pool())
            .await?;
        let known = known.map(TenantId::from_uuid);
        // A new tenant's id is a fresh one.
        let id = known.unwrap_or_default();
        let mut tx = self.write(id).await?;
        let existing = match known {
            Some(id) => Some(
                Tenants::<DB>::locked(&mut tx, id)
                    .await?
                    .ok_or_else(|| StoreError::not_found("tenant", id))?,
            ),
            None => None,
        };
        let mut wrote = true;
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
                Tenants::<DB>::insert(&mut tx, &tenant).await?;
                Journal::<DB>::append(&mut tx, &records::tenant_created(&tenant, actor)).await?;
                (tenant, true)
            }
            Some(before) if same_identity(&before, &identity) => {
                wrote = false;
                (before, false)
            }
            Some(before) => {
                let after = Tenant {
                    name: identity.name,
                    timezone: identity.timezone,
                    currency: identity.currency,
                    locale: identity.locale,
                    ..before.clone()
                };
                Tenants::<DB>::set_identity(&mut tx, &after).await?;
                let record = records::tenant_updated(&before, &after, actor, now);
                Journal::<DB>::append(&mut tx, &record).await?;
                (after, false)
            }
        };
        let profile_changed = Profiles::<DB>::save(&mut tx, tenant.id, profile, actor, now).await?;
        tx.commit().await?;
        if wrote || profile_changed {
            self.announce();
        }
        Ok(PutTenant {
            tenant,
            created,
            profile_changed,
        })
    }

    async fn tenant_profile(&self, tenant: TenantId) -> Result<Option<TenantProfile>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Profiles::<DB>::stored(&mut conn, tenant).await
    }
}

/// The `tenant_profiles` queries, on the database `DB`.
pub(crate) struct Profiles<DB>(PhantomData<DB>);

#[each_database]
impl Profiles<DB> {
    /// The tenant's stored profile.
    async fn stored(
        conn: &mut Conn<DB>,
        tenant: TenantId,
    ) -> Result<Option<TenantProfile>, StoreError> {
        let stored: Option<Json<serde_json::Value>> =
            sqlx::query_scalar("SELECT profile FROM tenant_profiles WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *conn)
                .await?;
        stored.map(|Json(json)| decode(json)).transpose()
    }

    /// Saves the profile of a tenant locked by this transaction; true when it
    /// changed.
    async fn save(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        profile: &TenantProfile,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let before = Self::stored(conn, tenant).await?;
        if before.as_ref() == Some(profile) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO tenant_profiles (tenant_id, profile, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET profile = excluded.profile, \
             updated_at = excluded.updated_at",
        )
        .bind(tenant.as_uuid())
        .bind(Json(&to_json(profile)))
        .bind(<DB as Dialect>::stamp(now))
        .execute(&mut *conn)
        .await?;
        let record = profile_changed(tenant, before.as_ref(), profile, actor, now);
        Journal::<DB>::append(conn, &record).await?;
        Ok(true)
    }
}
