//! The tenant-picture part of the storage port (`crate::media::TenantPicture`):
//! a tenant's cover and gallery, replaced as a whole each time its policy goes
//! live. What both databases do alike lives here — the pictures a new set
//! becomes, the comparison that makes an unchanged set write nothing, the
//! audit entry (entity `tenant`, action `update_pictures`, before and after)
//! and its `tenant.updated` event, reading rows back — and each database's
//! file holds only its SQL. The blobs are `media_blobs`, shared with unit
//! images and counted the same way: one reference per variant row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::StoreError;
use super::media::{dimension, stored_variant};
use super::records::ChangeRecord;
use crate::audit::Actor;
use crate::event::EventKind;
use crate::ids::TenantId;
use crate::media::{
    ImageVariant, MAX_GALLERY_PICTURES, NewTenantPicture, PictureRole, TenantPicture,
    TenantPictures,
};

/// Tenant pictures. Every [`super::Store`] is one.
#[async_trait]
pub trait PictureStore: Send + Sync {
    /// Replaces the tenant's pictures with `pictures` (at most one cover, at
    /// most [`MAX_GALLERY_PICTURES`] gallery pictures, each role in the order
    /// given), in one transaction: the blobs the new set uses are stored or
    /// counted, the old rows go and the blobs nobody uses any more with
    /// them, audited as `update_pictures` on the tenant and announced as
    /// `tenant.updated`. The set already stored writes nothing and answers
    /// false. NOT_FOUND for an unknown tenant; INVALID_INPUT for a set past
    /// the limits.
    async fn replace_tenant_pictures(
        &self,
        tenant: TenantId,
        pictures: &[NewTenantPicture],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The tenant's pictures (none before its policy first named any).
    async fn tenant_pictures(&self, tenant: TenantId) -> Result<TenantPictures, StoreError>;
}

/// One row of the pictures-with-variants join, as both stores read it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PictureVariantRow {
    pub role: String,
    pub position: i64,
    pub alt: String,
    pub width: i64,
    pub height: i64,
    pub source: String,
    pub variant_width: i64,
    pub variant_height: i64,
    pub hash: String,
    pub content_type: String,
}

/// The columns and joins both stores read pictures with; the caller adds the
/// tenant condition (its placeholder) and [`PICTURE_ORDER`].
pub(crate) const PICTURE_SELECT: &str = "SELECT p.role, p.position, p.alt, p.width, p.height, \
    p.source, v.width AS variant_width, v.height AS variant_height, v.hash, b.content_type \
    FROM tenant_pictures p \
    JOIN tenant_picture_variants v ON v.tenant_id = p.tenant_id AND v.role = p.role \
        AND v.position = p.position \
    JOIN media_blobs b ON b.hash = v.hash ";
/// The order [`assemble`] needs.
pub(crate) const PICTURE_ORDER: &str = " ORDER BY p.role, p.position, v.width";

/// The pictures of rows ordered by [`PICTURE_ORDER`].
pub(crate) fn assemble(
    tenant: TenantId,
    rows: Vec<PictureVariantRow>,
) -> Result<Vec<TenantPicture>, StoreError> {
    let mut pictures: Vec<TenantPicture> = Vec::new();
    for row in rows {
        let role = PictureRole::from_stored(&row.role)
            .ok_or_else(|| StoreError::corrupt(format!("picture role {}", row.role)))?;
        let position = dimension(row.position)?;
        let variant = stored_variant(
            row.variant_width,
            row.variant_height,
            &row.hash,
            &row.content_type,
        )?;
        match pictures.last_mut() {
            Some(last) if last.role == role && last.position == position => {
                last.variants.push(variant);
            }
            _ => pictures.push(TenantPicture {
                tenant_id: tenant,
                role,
                position,
                alt: row.alt,
                width: dimension(row.width)?,
                height: dimension(row.height)?,
                source: row.source.parse().map_err(StoreError::corrupt)?,
                variants: vec![variant],
            }),
        }
    }
    Ok(pictures)
}

/// The pictures `new` becomes (each role numbered from 0 in the order given),
/// or why it cannot be stored.
pub(crate) fn planned(
    tenant: TenantId,
    new: &[NewTenantPicture],
) -> Result<Vec<TenantPicture>, StoreError> {
    let invalid = |message: String| StoreError::InvalidInput {
        field: "pictures",
        message,
    };
    let mut covers = 0u32;
    let mut gallery = 0u32;
    let mut out = Vec::with_capacity(new.len());
    for picture in new {
        let counter = match picture.role {
            PictureRole::Cover => &mut covers,
            PictureRole::Gallery => &mut gallery,
        };
        let position = *counter;
        *counter += 1;
        let mut variants: Vec<ImageVariant> = picture
            .variants
            .iter()
            .map(|b| ImageVariant {
                width: b.width,
                height: b.height,
                hash: b.hash.clone(),
                format: b.format,
            })
            .collect();
        variants.sort_by_key(|v| v.width);
        let Some(widest) = variants.last() else {
            return Err(invalid("a picture has no stored width".into()));
        };
        out.push(TenantPicture {
            tenant_id: tenant,
            role: picture.role,
            position,
            alt: picture.alt.clone(),
            width: widest.width,
            height: widest.height,
            source: picture.source.clone(),
            variants,
        });
    }
    if covers > 1 {
        return Err(invalid("a tenant has one cover picture".into()));
    }
    if gallery as usize > MAX_GALLERY_PICTURES {
        return Err(invalid(format!(
            "a gallery holds at most {MAX_GALLERY_PICTURES} pictures"
        )));
    }
    out.sort_by_key(|p| (p.role, p.position));
    Ok(out)
}

/// What the audit log keeps of a picture: no bytes, the hashes and sizes.
fn picture_json(picture: &TenantPicture) -> serde_json::Value {
    json!({
        "role": picture.role,
        "position": picture.position,
        "alt": picture.alt,
        "width": picture.width,
        "height": picture.height,
        "source": picture.source,
        "variants": picture.variants.iter().map(|v| json!({
            "width": v.width, "height": v.height, "hash": v.hash,
        })).collect::<Vec<_>>(),
    })
}

/// The audit entry and event of a changed set of pictures.
pub(crate) fn pictures_changed(
    tenant: TenantId,
    before: &[TenantPicture],
    after: &[TenantPicture],
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let list = |pictures: &[TenantPicture]| pictures.iter().map(picture_json).collect::<Vec<_>>();
    ChangeRecord::new(
        tenant,
        actor,
        ("tenant", tenant.as_uuid()),
        "update_pictures",
        EventKind::TenantUpdated,
        json!({ "pictures": list(after) }),
        json!({ "before": list(before), "after": list(after) }),
        at,
    )
}

mod sql;
