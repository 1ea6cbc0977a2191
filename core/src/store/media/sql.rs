//! [`MediaStore`] for both databases, written once. A write first takes the
//! unit as its serialization point ([`SqlStore::unit_for_change`]: SQLite's
//! write lock, PostgreSQL's `FOR NO KEY UPDATE` on the unit's row, as bookings
//! do), so a unit's positions never race; a blob's count changes under the
//! write lock or its own row lock (`INSERT … ON CONFLICT DO UPDATE`,
//! `UPDATE`), and `media_blobs` has no row-level security, so counts of blobs
//! that other tenants share stay right.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    ImageVariantRow, MediaStore, assemble, check_order, identity, image_change, image_json,
    new_image, too_many_images,
};
use crate::audit::Actor;
use crate::ids::{ImageId, TenantId, UnitId};
use crate::media::{
    MAX_IMAGES_PER_UNIT, MediaBlob, MediaFormat, MediaHash, NewUnitImage, UnitImage, Uploaded,
};
use crate::store::StoreError;
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore};
use crate::store::units::Units;

const IMAGE_SELECT: &str = "SELECT i.id, i.tenant_id, i.unit_id, i.position, i.alt, i.width, \
    i.height, i.created_at, v.width AS variant_width, v.height AS variant_height, v.hash, \
    b.content_type \
    FROM unit_images i \
    JOIN unit_image_variants v ON v.tenant_id = i.tenant_id AND v.image_id = i.id \
    JOIN media_blobs b ON b.hash = v.hash ";
const IMAGE_ORDER: &str = " ORDER BY i.unit_id, i.position, i.id, v.width";

#[each_database]
#[async_trait]
impl MediaStore for DbStore {
    async fn add_unit_image(
        &self,
        tenant: TenantId,
        new: NewUnitImage,
        actor: &Actor,
    ) -> Result<Uploaded, StoreError> {
        let mut tx = self.write(tenant).await?;
        let unit = Units::<DB>::for_change(&mut tx, tenant, new.unit_id).await?;
        let hash = identity(&new)?;
        let existing: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM unit_images WHERE tenant_id = $1 AND unit_id = $2 AND hash = $3",
        )
        .bind(tenant.as_uuid())
        .bind(unit.id.as_uuid())
        .bind(hash.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = existing {
            let image = Media::<DB>::image_of_tenant(&mut tx, tenant, ImageId::from_uuid(id))
                .await?
                .ok_or_else(|| StoreError::not_found("image", id))?;
            return Ok(Uploaded {
                image,
                created: false,
            });
        }
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM unit_images WHERE tenant_id = $1 AND unit_id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(unit.id.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        let count = usize::try_from(count).map_err(StoreError::corrupt)?;
        if count >= MAX_IMAGES_PER_UNIT {
            return Err(too_many_images());
        }
        let image = new_image(
            tenant,
            &new,
            u32::try_from(count).map_err(StoreError::corrupt)?,
        );
        for blob in &new.variants {
            Media::<DB>::add_blob(&mut tx, blob, new.now).await?;
        }
        sqlx::query(
            "INSERT INTO unit_images (tenant_id, id, unit_id, position, alt, width, height, hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(tenant.as_uuid())
        .bind(image.id.as_uuid())
        .bind(unit.id.as_uuid())
        .bind(i64::from(image.position))
        .bind(&image.alt)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .bind(hash.as_str())
        .bind(DB::stamp(new.now))
        .execute(&mut *tx)
        .await?;
        for v in &image.variants {
            sqlx::query(
                "INSERT INTO unit_image_variants (tenant_id, image_id, width, height, hash) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(tenant.as_uuid())
            .bind(image.id.as_uuid())
            .bind(i64::from(v.width))
            .bind(i64::from(v.height))
            .bind(v.hash.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let record = image_change(
            &unit,
            "add_image",
            json!({ "image": image_json(&image) }),
            actor,
            new.now,
        );
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(Uploaded {
            image,
            created: true,
        })
    }

    async fn update_unit_image(
        &self,
        tenant: TenantId,
        id: ImageId,
        alt: Option<String>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<UnitImage, StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Media::<DB>::image_of_tenant(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("image", id))?;
        if before.alt == alt {
            return Ok(before);
        }
        let unit = Units::<DB>::for_change(&mut tx, tenant, before.unit_id).await?;
        sqlx::query("UPDATE unit_images SET alt = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(&alt)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let record = image_change(
            &unit,
            "update_image",
            json!({ "image": id, "before": { "alt": before.alt }, "after": { "alt": alt } }),
            actor,
            now,
        );
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(UnitImage { alt, ..before })
    }

    async fn reorder_unit_images(
        &self,
        tenant: TenantId,
        unit: UnitId,
        order: &[ImageId],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<UnitImage>, StoreError> {
        let mut tx = self.write(tenant).await?;
        let unit = Units::<DB>::for_change(&mut tx, tenant, unit).await?;
        let images =
            Media::<DB>::images_where(&mut tx, tenant, "i.unit_id", unit.id.as_uuid()).await?;
        let current: Vec<ImageId> = images.iter().map(|i| i.id).collect();
        check_order(&current, order)?;
        if current == order {
            return Ok(images);
        }
        for (position, id) in order.iter().enumerate() {
            sqlx::query("UPDATE unit_images SET position = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(i64::try_from(position).map_err(StoreError::corrupt)?)
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
        }
        let record = image_change(
            &unit,
            "reorder_images",
            json!({ "before": current, "after": order }),
            actor,
            now,
        );
        Journal::<DB>::append(&mut tx, &record).await?;
        let reordered =
            Media::<DB>::images_where(&mut tx, tenant, "i.unit_id", unit.id.as_uuid()).await?;
        tx.commit().await?;
        self.announce();
        Ok(reordered)
    }

    async fn remove_unit_image(
        &self,
        tenant: TenantId,
        id: ImageId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<UnitImage, StoreError> {
        let mut tx = self.write(tenant).await?;
        let image = Media::<DB>::image_of_tenant(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("image", id))?;
        let unit = Units::<DB>::for_change(&mut tx, tenant, image.unit_id).await?;
        sqlx::query("DELETE FROM unit_images WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE unit_images SET position = position - 1 \
             WHERE tenant_id = $1 AND unit_id = $2 AND position > $3",
        )
        .bind(tenant.as_uuid())
        .bind(unit.id.as_uuid())
        .bind(i64::from(image.position))
        .execute(&mut *tx)
        .await?;
        for v in &image.variants {
            Media::<DB>::release_blob(&mut tx, &v.hash).await?;
        }
        let record = image_change(
            &unit,
            "remove_image",
            json!({ "image": image_json(&image) }),
            actor,
            now,
        );
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(image)
    }

    async fn unit_image(
        &self,
        tenant: TenantId,
        id: ImageId,
    ) -> Result<Option<UnitImage>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Media::<DB>::image_of_tenant(&mut conn, tenant, id).await
    }

    async fn unit_images(
        &self,
        tenant: TenantId,
        units: &[UnitId],
    ) -> Result<Vec<UnitImage>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<DB>::new(IMAGE_SELECT);
        qb.push(" WHERE i.tenant_id = ")
            .push_bind(tenant.as_uuid())
            .push(" AND i.unit_id IN (");
        let mut list = qb.separated(", ");
        for unit in units {
            list.push_bind(unit.as_uuid());
        }
        list.push_unseparated(")");
        qb.push(IMAGE_ORDER);
        let mut conn = self.read(tenant).await?;
        let rows = qb
            .build_query_as::<ImageVariantRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
            .await?;
        assemble(rows)
    }

    async fn media_blob(&self, hash: &MediaHash) -> Result<Option<MediaBlob>, StoreError> {
        let row: Option<(String, i64, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT content_type, width, height, bytes FROM media_blobs WHERE hash = $1",
        )
        .bind(hash.as_str())
        .fetch_optional(self.sql_pool())
        .await?;
        row.map(|(content_type, width, height, bytes)| {
            Ok(MediaBlob {
                hash: hash.clone(),
                format: MediaFormat::from_content_type(&content_type)
                    .ok_or_else(|| StoreError::corrupt(format!("media type {content_type}")))?,
                width: u32::try_from(width).map_err(StoreError::corrupt)?,
                height: u32::try_from(height).map_err(StoreError::corrupt)?,
                bytes,
            })
        })
        .transpose()
    }

    async fn media_blob_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM media_blobs")
            .fetch_one(self.sql_pool())
            .await?;
        u64::try_from(n).map_err(StoreError::corrupt)
    }
}

/// The image and blob queries, on the database `DB`.
pub(crate) struct Media<DB>(PhantomData<DB>);

#[each_database]
impl Media<DB> {
    /// The images whose `column` (of `unit_images i`) is `id`, with their
    /// variants.
    async fn images_where(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        column: &str,
        id: Uuid,
    ) -> Result<Vec<UnitImage>, StoreError> {
        let rows = sqlx::query_as::<DB, ImageVariantRow<Instant<DB>>>(sqlx::AssertSqlSafe(
            format!("{IMAGE_SELECT} WHERE i.tenant_id = $1 AND {column} = $2 {IMAGE_ORDER}"),
        ))
        .bind(tenant.as_uuid())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        assemble(rows)
    }

    async fn image_of_tenant(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: ImageId,
    ) -> Result<Option<UnitImage>, StoreError> {
        Ok(
            Media::<DB>::images_where(conn, tenant, "i.id", id.as_uuid())
                .await?
                .pop(),
        )
    }

    /// Counts one more use of `blob`, storing it on its first.
    pub(crate) async fn add_blob(
        conn: &mut Conn<DB>,
        blob: &MediaBlob,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO media_blobs (hash, content_type, width, height, bytes, refs, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) \
             ON CONFLICT (hash) DO UPDATE SET refs = media_blobs.refs + 1",
        )
        .bind(blob.hash.as_str())
        .bind(blob.format.content_type())
        .bind(i64::from(blob.width))
        .bind(i64::from(blob.height))
        .bind(&blob.bytes)
        .bind(DB::stamp(now))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Counts one use fewer of the blob `hash`, deleting it after its last.
    pub(crate) async fn release_blob(
        conn: &mut Conn<DB>,
        hash: &MediaHash,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE media_blobs SET refs = refs - 1 WHERE hash = $1")
            .bind(hash.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM media_blobs WHERE hash = $1 AND refs = 0")
            .bind(hash.as_str())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}
