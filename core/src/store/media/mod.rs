//! The media part of the storage port (`crate::media`): a unit's uploaded
//! images and the content-addressed blobs of their widths. Every write is one
//! transaction with its audit entry (entity `unit`) and a `unit.updated`
//! event, as `updateUnit` writes; the blobs a write adds or releases change in
//! the same transaction (a reference count per blob, so the last image that
//! uses one deletes it).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::StoreError;
use super::records::{ChangeRecord, to_json};
use super::sql::StoredInstant;
use crate::audit::Actor;
use crate::event::EventKind;
use crate::ids::{ImageId, TenantId, UnitId};
use crate::media::{
    ImageVariant, MAX_IMAGES_PER_UNIT, MediaBlob, MediaFormat, MediaHash, NewUnitImage, UnitImage,
    Uploaded,
};
use crate::unit::Unit;

/// Images and blobs. Every [`super::Store`] is one.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Adds an image as the unit's last, storing the blobs it does not share
    /// with an image already stored. When the unit already has the same image
    /// (the same widest variant), nothing is written and that image is
    /// returned (`created` false). INVALID_INPUT past [`MAX_IMAGES_PER_UNIT`];
    /// NOT_FOUND for a unit the tenant does not have.
    async fn add_unit_image(
        &self,
        tenant: TenantId,
        new: NewUnitImage,
        actor: &Actor,
    ) -> Result<Uploaded, StoreError>;
    /// Sets (or clears) an image's alt text.
    async fn update_unit_image(
        &self,
        tenant: TenantId,
        id: ImageId,
        alt: Option<String>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<UnitImage, StoreError>;
    /// Puts a unit's images in the order given, which must name each of them
    /// exactly once (INVALID_INPUT otherwise). Returns them in that order.
    async fn reorder_unit_images(
        &self,
        tenant: TenantId,
        unit: UnitId,
        order: &[ImageId],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<UnitImage>, StoreError>;
    /// Removes an image (the ones after it move up), deleting the blobs no
    /// other image uses. Returns it as it was.
    async fn remove_unit_image(
        &self,
        tenant: TenantId,
        id: ImageId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<UnitImage, StoreError>;
    /// An image of the tenant.
    async fn unit_image(
        &self,
        tenant: TenantId,
        id: ImageId,
    ) -> Result<Option<UnitImage>, StoreError>;
    /// The images of the tenant's units among `units`, by unit and position.
    /// One query, for batch loaders.
    async fn unit_images(
        &self,
        tenant: TenantId,
        units: &[UnitId],
    ) -> Result<Vec<UnitImage>, StoreError>;
    /// A blob by its hash, whoever uses it (the public `/media/` route).
    async fn media_blob(&self, hash: &MediaHash) -> Result<Option<MediaBlob>, StoreError>;
    /// How many blobs are stored (for tests and metrics).
    async fn media_blob_count(&self) -> Result<u64, StoreError>;
}

/// One row of the images-with-variants join.
#[derive(sqlx::FromRow)]
pub(crate) struct ImageVariantRow<T> {
    id: uuid::Uuid,
    tenant_id: uuid::Uuid,
    unit_id: uuid::Uuid,
    position: i64,
    alt: Option<String>,
    width: i64,
    height: i64,
    created_at: T,
    variant_width: i64,
    variant_height: i64,
    hash: String,
    content_type: String,
}

/// A width, height or position as stored.
pub(crate) fn dimension(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(StoreError::corrupt)
}

/// A variant as the joins of unit images and tenant pictures read it.
pub(crate) fn stored_variant(
    width: i64,
    height: i64,
    hash: &str,
    content_type: &str,
) -> Result<ImageVariant, StoreError> {
    Ok(ImageVariant {
        width: dimension(width)?,
        height: dimension(height)?,
        hash: hash.parse().map_err(StoreError::corrupt)?,
        format: MediaFormat::from_content_type(content_type)
            .ok_or_else(|| StoreError::corrupt(format!("media type {content_type}")))?,
    })
}

/// The images of rows ordered by image (unit, position) then variant width.
pub(crate) fn assemble<T: StoredInstant>(
    rows: Vec<ImageVariantRow<T>>,
) -> Result<Vec<UnitImage>, StoreError> {
    let mut images: Vec<UnitImage> = Vec::new();
    for row in rows {
        let variant = stored_variant(
            row.variant_width,
            row.variant_height,
            &row.hash,
            &row.content_type,
        )?;
        match images.last_mut() {
            Some(last) if last.id.as_uuid() == row.id => last.variants.push(variant),
            _ => images.push(UnitImage {
                id: ImageId::from_uuid(row.id),
                tenant_id: TenantId::from_uuid(row.tenant_id),
                unit_id: UnitId::from_uuid(row.unit_id),
                position: dimension(row.position)?,
                alt: row.alt,
                width: dimension(row.width)?,
                height: dimension(row.height)?,
                variants: vec![variant],
                created_at: row.created_at.instant()?,
            }),
        }
    }
    Ok(images)
}

/// The refusal of one image too many.
pub(crate) fn too_many_images() -> StoreError {
    StoreError::InvalidInput {
        field: "file",
        message: format!("a unit keeps at most {MAX_IMAGES_PER_UNIT} images; remove one first"),
    }
}

/// Checks that `order` names each of `current` exactly once.
pub(crate) fn check_order(current: &[ImageId], order: &[ImageId]) -> Result<(), StoreError> {
    let mut given = order.to_vec();
    given.sort_unstable();
    let before = given.len();
    given.dedup();
    if given.len() != before {
        return Err(StoreError::InvalidInput {
            field: "imageIds",
            message: "an image is listed twice".into(),
        });
    }
    let mut have = current.to_vec();
    have.sort_unstable();
    if given != have {
        return Err(StoreError::InvalidInput {
            field: "imageIds",
            message: format!(
                "list every image of the unit exactly once ({} now)",
                current.len()
            ),
        });
    }
    Ok(())
}

/// The audit entry (on the unit) and the `unit.updated` event of an image
/// change.
pub(crate) fn image_change(
    unit: &Unit,
    action: &str,
    metadata: serde_json::Value,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        unit.tenant_id,
        actor,
        ("unit", unit.id.as_uuid()),
        action,
        EventKind::UnitUpdated,
        to_json(unit),
        metadata,
        at,
    )
}

/// What the audit log keeps of an image: no bytes, the hashes and sizes.
pub(crate) fn image_json(image: &UnitImage) -> serde_json::Value {
    json!({
        "id": image.id,
        "position": image.position,
        "alt": image.alt,
        "width": image.width,
        "height": image.height,
        "variants": image.variants.iter().map(|v| json!({
            "width": v.width, "height": v.height, "hash": v.hash,
        })).collect::<Vec<_>>(),
    })
}

/// The image a new upload becomes.
pub(crate) fn new_image(tenant: TenantId, new: &NewUnitImage, position: u32) -> UnitImage {
    let variants: Vec<ImageVariant> = new
        .variants
        .iter()
        .map(|b| ImageVariant {
            width: b.width,
            height: b.height,
            hash: b.hash.clone(),
            format: b.format,
        })
        .collect();
    let (width, height) = variants
        .iter()
        .max_by_key(|v| v.width)
        .map_or((0, 0), |v| (v.width, v.height));
    UnitImage {
        id: ImageId::new(),
        tenant_id: tenant,
        unit_id: new.unit_id,
        position,
        alt: new.alt.clone(),
        width,
        height,
        variants,
        created_at: new.now,
    }
}

/// The hash an image is known by within its unit: its widest variant's.
pub(crate) fn identity(new: &NewUnitImage) -> Result<&MediaHash, StoreError> {
    new.variants
        .iter()
        .max_by_key(|b| b.width)
        .map(|b| &b.hash)
        .ok_or_else(|| StoreError::InvalidInput {
            field: "file",
            message: "the image has no stored width".into(),
        })
}

pub(crate) mod sql;
