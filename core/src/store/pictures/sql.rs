//! [`PictureStore`] for both databases, written once (the rules are in
//! `mod.rs`). The write takes the tenant first ([`SqlStore::tenant_for_change`]:
//! SQLite's write lock; PostgreSQL locks the tenant's row, so two instances
//! loading the same policy write one change); a blob's count changes under
//! the write lock or its own row lock, as for unit images. Reads name the
//! tenant where row-level security asks (PostgreSQL).

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};

use super::{
    PICTURE_ORDER, PICTURE_SELECT, PictureStore, PictureVariantRow, assemble, pictures_changed,
    planned,
};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::media::{NewTenantPicture, TenantPicture, TenantPictures};
use crate::store::StoreError;
use crate::store::media::sql::Media;
use crate::store::sql::{Conn, Dialect, Journal, SqlStore};
use crate::store::tenants::Tenants;

#[each_database]
#[async_trait]
impl PictureStore for DbStore {
    async fn replace_tenant_pictures(
        &self,
        tenant: TenantId,
        pictures: &[NewTenantPicture],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let after = planned(tenant, pictures)?;
        let mut tx = self.write(tenant).await?;
        Tenants::<DB>::locked(&mut tx, tenant)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", tenant))?;
        let before = Pictures::<DB>::pictures_of(&mut tx, tenant).await?;
        if before == after {
            return Ok(false);
        }
        // The new set's blobs are counted before the old set's are released,
        // so a blob both use is never deleted on the way.
        for blob in pictures.iter().flat_map(|p| &p.variants) {
            Media::<DB>::add_blob(&mut tx, blob, now).await?;
        }
        sqlx::query("DELETE FROM tenant_picture_variants WHERE tenant_id = $1")
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tenant_pictures WHERE tenant_id = $1")
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        for v in before.iter().flat_map(|p| &p.variants) {
            Media::<DB>::release_blob(&mut tx, &v.hash).await?;
        }
        for p in &after {
            let widest = p.largest().map(|v| v.hash.as_str()).unwrap_or_default();
            sqlx::query(
                "INSERT INTO tenant_pictures \
                 (tenant_id, role, position, alt, width, height, hash, source, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(tenant.as_uuid())
            .bind(p.role.as_str())
            .bind(i64::from(p.position))
            .bind(p.alt.as_str())
            .bind(i64::from(p.width))
            .bind(i64::from(p.height))
            .bind(widest)
            .bind(p.source.as_str())
            .bind(DB::stamp(now))
            .execute(&mut *tx)
            .await?;
            for v in &p.variants {
                sqlx::query(
                    "INSERT INTO tenant_picture_variants \
                     (tenant_id, role, position, width, height, hash) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(tenant.as_uuid())
                .bind(p.role.as_str())
                .bind(i64::from(p.position))
                .bind(i64::from(v.width))
                .bind(i64::from(v.height))
                .bind(v.hash.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
        Journal::<DB>::append(
            &mut tx,
            &pictures_changed(tenant, &before, &after, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.announce();
        Ok(true)
    }

    async fn tenant_pictures(&self, tenant: TenantId) -> Result<TenantPictures, StoreError> {
        let mut conn = self.read(tenant).await?;
        Ok(TenantPictures::from_pictures(
            Pictures::<DB>::pictures_of(&mut conn, tenant).await?,
        ))
    }
}

/// The tenant picture queries, on the database `DB`.
pub(crate) struct Pictures<DB>(PhantomData<DB>);

#[each_database]
impl Pictures<DB> {
    async fn pictures_of(
        conn: &mut Conn<DB>,
        tenant: TenantId,
    ) -> Result<Vec<TenantPicture>, StoreError> {
        let rows = sqlx::query_as::<DB, PictureVariantRow>(sqlx::AssertSqlSafe(format!(
            "{PICTURE_SELECT} WHERE p.tenant_id = $1 {PICTURE_ORDER}"
        )))
        .bind(tenant.as_uuid())
        .fetch_all(&mut *conn)
        .await?;
        assemble(tenant, rows)
    }
}
