//! The engine's image commands: upload (processed on the blocking pool, then
//! one store transaction), alt text, order, removal; and the reads the API and
//! the public `/media/` route make. Each write is audited on the unit and
//! announced as `unit.updated`, like `updateUnit`.

use super::process::{Refusal, process};
use super::{MediaBlob, MediaHash, NewUnitImage, UnitImage, Uploaded, parse_alt};
use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{ImageId, TenantId, UnitId};

fn bad_alt(message: String) -> EngineError {
    EngineError::InvalidInput {
        field: "alt",
        message,
    }
}

impl From<Refusal> for EngineError {
    fn from(refusal: Refusal) -> Self {
        Self::InvalidInput {
            field: "file",
            message: refusal.to_string(),
        }
    }
}

impl Engine {
    /// Adds an uploaded file as a unit's last image. The file's type is read
    /// from its content; a file that is not a JPEG, PNG or WebP image, is over
    /// 10 MB, has too many pixels or does not decode is INVALID_INPUT, and
    /// nothing is stored. The same picture uploaded again to the unit returns
    /// the image it already has (`created` false).
    pub async fn upload_unit_image(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        file: Vec<u8>,
        alt: Option<&str>,
        actor: &Actor,
    ) -> Result<Uploaded, EngineError> {
        let alt = parse_alt(alt).map_err(bad_alt)?;
        // The unit first: decoding is the expensive part, not worth doing for
        // a unit that is not there.
        self.unit(tenant_id, unit_id).await?;
        let processed = tokio::task::spawn_blocking(move || process(&file))
            .await
            .map_err(|e| EngineError::Crashed(format!("image processing: {e}")))??;
        let new = NewUnitImage {
            unit_id,
            alt,
            variants: processed.variants,
            now: self.clock.now(),
        };
        Ok(self.store.add_unit_image(tenant_id, new, actor).await?)
    }

    /// Sets or clears an image's alt text (trimmed; at most 500 characters).
    pub async fn update_unit_image(
        &self,
        tenant_id: TenantId,
        id: ImageId,
        alt: Option<&str>,
        actor: &Actor,
    ) -> Result<UnitImage, EngineError> {
        let alt = parse_alt(alt).map_err(bad_alt)?;
        Ok(self
            .store
            .update_unit_image(tenant_id, id, alt, actor, self.clock.now())
            .await?)
    }

    /// Puts a unit's uploaded images in the order given (each exactly once).
    pub async fn reorder_unit_images(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        order: &[ImageId],
        actor: &Actor,
    ) -> Result<Vec<UnitImage>, EngineError> {
        Ok(self
            .store
            .reorder_unit_images(tenant_id, unit_id, order, actor, self.clock.now())
            .await?)
    }

    /// Removes an image; returns it as it was.
    pub async fn remove_unit_image(
        &self,
        tenant_id: TenantId,
        id: ImageId,
        actor: &Actor,
    ) -> Result<UnitImage, EngineError> {
        Ok(self
            .store
            .remove_unit_image(tenant_id, id, actor, self.clock.now())
            .await?)
    }

    /// An image of the tenant; NOT_FOUND otherwise.
    pub async fn unit_image(
        &self,
        tenant_id: TenantId,
        id: ImageId,
    ) -> Result<UnitImage, EngineError> {
        self.store
            .unit_image(tenant_id, id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "image",
                id: id.to_string(),
            })
    }

    /// The uploaded images of the tenant's units among `units`, by unit and
    /// position.
    pub async fn unit_images(
        &self,
        tenant_id: TenantId,
        units: &[UnitId],
    ) -> Result<Vec<UnitImage>, EngineError> {
        Ok(self.store.unit_images(tenant_id, units).await?)
    }

    /// A stored blob by its hash (public: blobs are what `/media/` serves).
    pub async fn media_blob(&self, hash: &MediaHash) -> Result<Option<MediaBlob>, EngineError> {
        Ok(self.store.media_blob(hash).await?)
    }
}
