//! Tenants for both databases, written once. A taken slug is the unique
//! constraint's refusal (CONFLICT) on either database.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::audit::Actor;
use crate::ids::{TenantId, UnitId};
use crate::store::StoreError;
use crate::store::records::{tenant_created, tenant_updated};
use crate::store::rows::{TenantRow, UnitTenantRow};
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore};
use crate::store::tenants::TenantStore;
use crate::tenant::{NewTenant, Tenant, TenantSlug};
use crate::unit::Unit;

/// A foreign-key failure on a tenant-scoped insert means the tenant is unknown.
pub(crate) fn tenant_fk(e: sqlx::Error, tenant: TenantId) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found("tenant", tenant)
        }
        _ => StoreError::Database(e),
    }
}

/// [`tenant_fk`] for errors already wrapped as store errors.
pub(crate) fn unknown_tenant(e: StoreError, tenant: TenantId) -> StoreError {
    match e {
        StoreError::Database(db) => tenant_fk(db, tenant),
        other => other,
    }
}

/// The tenant queries, on the database `DB`.
pub(crate) struct Tenants<DB>(PhantomData<DB>);

#[each_database]
impl Tenants<DB> {
    /// Every tenant's id: the tenants a worker visits when any may have work.
    pub(crate) async fn ids(pool: &sqlx::Pool<DB>) -> Result<Vec<TenantId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar::<DB, Uuid>("SELECT id FROM tenants ORDER BY id")
            .fetch_all(pool)
            .await?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }

    /// A tenant by id, on any connection (the pool's, or a transaction's).
    pub(crate) async fn fetch(
        conn: &mut Conn<DB>,
        id: TenantId,
    ) -> Result<Option<Tenant>, StoreError> {
        sqlx::query_as::<DB, TenantRow<Instant<DB>>>("SELECT * FROM tenants WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?
            .map(TenantRow::into_domain)
            .transpose()
    }

    /// A tenant by id, its row locked [`Dialect::FOR_UPDATE`] until the
    /// transaction ends: the serialization point of a change to the tenant's
    /// own data.
    pub(crate) async fn locked(
        conn: &mut Conn<DB>,
        id: TenantId,
    ) -> Result<Option<Tenant>, StoreError> {
        let lock = DB::FOR_UPDATE;
        sqlx::query_as::<DB, TenantRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM tenants WHERE id = $1{lock}"
        )))
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(TenantRow::into_domain)
        .transpose()
    }

    /// Inserts a new tenant's row: CONFLICT when its slug is taken (the id is
    /// new, so the slug is what the unique constraint refuses).
    pub(crate) async fn insert(conn: &mut Conn<DB>, tenant: &Tenant) -> Result<(), StoreError> {
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
        .bind(DB::stamp(tenant.created_at))
        .execute(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
                "a tenant with slug `{}` already exists",
                tenant.slug
            )),
            _ => StoreError::Database(e),
        })?;
        Ok(())
    }

    /// Writes a tenant's identity: name, time zone, currency, locale (not its
    /// slug).
    pub(crate) async fn set_identity(
        conn: &mut Conn<DB>,
        tenant: &Tenant,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tenants SET name = $1, timezone = $2, currency = $3, locale = $4 WHERE id = $5",
        )
        .bind(&tenant.name)
        .bind(tenant.timezone.name())
        .bind(tenant.currency.as_str())
        .bind(&tenant.locale)
        .bind(tenant.id.as_uuid())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[each_database]
#[async_trait]
impl TenantStore for DbStore {
    async fn create_tenant(
        &self,
        new: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        let tenant = Tenant {
            id: TenantId::new(),
            slug: new.slug,
            name: new.name,
            timezone: new.timezone,
            currency: new.currency,
            locale: new.locale,
            created_at: now,
        };
        let mut tx = self.write(tenant.id).await?;
        Tenants::<DB>::insert(&mut tx, &tenant).await?;
        Journal::<DB>::append(&mut tx, &tenant_created(&tenant, actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(tenant)
    }

    async fn update_tenant(
        &self,
        id: TenantId,
        update: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        let mut tx = self.write(id).await?;
        let before = Tenants::<DB>::fetch(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", id))?;
        let after = Tenant {
            name: update.name,
            timezone: update.timezone,
            currency: update.currency,
            locale: update.locale,
            ..before.clone()
        };
        Tenants::<DB>::set_identity(&mut tx, &after).await?;
        Journal::<DB>::append(&mut tx, &tenant_updated(&before, &after, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        let mut conn = self.sql_pool().acquire().await?;
        Tenants::<DB>::fetch(&mut conn, id).await
    }

    async fn tenant_and_unit(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<(Tenant, Unit)>, StoreError> {
        // One statement, no transaction: the engine's read before a booking
        // (on PostgreSQL one round trip, see `Dialect::UNIT_WITH_TENANT`).
        sqlx::query_as::<DB, UnitTenantRow<Instant<DB>>>(DB::UNIT_WITH_TENANT)
            .bind(tenant.as_uuid())
            .bind(unit.as_uuid())
            .fetch_optional(self.sql_pool())
            .await?
            .map(UnitTenantRow::into_domain)
            .transpose()
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        sqlx::query_as::<DB, TenantRow<Instant<DB>>>("SELECT * FROM tenants WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(self.sql_pool())
            .await?
            .map(TenantRow::into_domain)
            .transpose()
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        sqlx::query_as::<DB, TenantRow<Instant<DB>>>("SELECT * FROM tenants ORDER BY slug")
            .fetch_all(self.sql_pool())
            .await?
            .into_iter()
            .map(TenantRow::into_domain)
            .collect()
    }
}
