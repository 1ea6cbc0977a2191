//! [`PictureStore`] for SQLite: the SQL only (what both databases share is in
//! `pictures.rs`). The write takes the database write lock first
//! (`BEGIN IMMEDIATE`), so blob counts never race.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::{SqliteStore, append, fetch_tenant, micros};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::media::{NewTenantPicture, TenantPicture, TenantPictures};
use crate::store::StoreError;
use crate::store::pictures::{
    PICTURE_ORDER, PICTURE_SELECT, PictureStore, PictureVariantRow, assemble, pictures_changed,
    planned,
};

async fn pictures_of(
    conn: &mut SqliteConnection,
    tenant: TenantId,
) -> Result<Vec<TenantPicture>, StoreError> {
    let rows = sqlx::query_as::<_, PictureVariantRow>(sqlx::AssertSqlSafe(format!(
        "{PICTURE_SELECT} WHERE p.tenant_id = ? {PICTURE_ORDER}"
    )))
    .bind(tenant.as_uuid())
    .fetch_all(&mut *conn)
    .await?;
    assemble(tenant, rows)
}

#[async_trait]
impl PictureStore for SqliteStore {
    async fn replace_tenant_pictures(
        &self,
        tenant: TenantId,
        pictures: &[NewTenantPicture],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let after = planned(tenant, pictures)?;
        let mut tx = self.begin_write().await?;
        if fetch_tenant(&mut tx, tenant).await?.is_none() {
            return Err(StoreError::not_found("tenant", tenant));
        }
        let before = pictures_of(&mut tx, tenant).await?;
        if before == after {
            return Ok(false);
        }
        // The new set's blobs are counted before the old set's are released,
        // so a blob both use is never deleted on the way.
        for blob in pictures.iter().flat_map(|p| &p.variants) {
            sqlx::query(
                "INSERT INTO media_blobs (hash, content_type, width, height, bytes, refs, created_at) \
                 VALUES (?, ?, ?, ?, ?, 1, ?) \
                 ON CONFLICT (hash) DO UPDATE SET refs = refs + 1",
            )
            .bind(blob.hash.as_str())
            .bind(blob.format.content_type())
            .bind(i64::from(blob.width))
            .bind(i64::from(blob.height))
            .bind(&blob.bytes)
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM tenant_picture_variants WHERE tenant_id = ?")
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tenant_pictures WHERE tenant_id = ?")
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        for v in before.iter().flat_map(|p| &p.variants) {
            sqlx::query("UPDATE media_blobs SET refs = refs - 1 WHERE hash = ?")
                .bind(v.hash.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM media_blobs WHERE hash = ? AND refs = 0")
                .bind(v.hash.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for p in &after {
            let widest = p.largest().map(|v| v.hash.as_str()).unwrap_or_default();
            sqlx::query(
                "INSERT INTO tenant_pictures \
                 (tenant_id, role, position, alt, width, height, hash, source, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(tenant.as_uuid())
            .bind(p.role.as_str())
            .bind(i64::from(p.position))
            .bind(&p.alt)
            .bind(i64::from(p.width))
            .bind(i64::from(p.height))
            .bind(widest)
            .bind(p.source.as_str())
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
            for v in &p.variants {
                sqlx::query(
                    "INSERT INTO tenant_picture_variants \
                     (tenant_id, role, position, width, height, hash) VALUES (?, ?, ?, ?, ?, ?)",
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
        append(
            &mut tx,
            &pictures_changed(tenant, &before, &after, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(true)
    }

    async fn tenant_pictures(&self, tenant: TenantId) -> Result<TenantPictures, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(TenantPictures::from_pictures(
            pictures_of(&mut conn, tenant).await?,
        ))
    }
}
