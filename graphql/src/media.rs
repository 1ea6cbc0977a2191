//! Unit images: `updateUnitImage`, `reorderUnitImages`, `removeUnitImage`
//! (admin, as `updateUnit`). Uploading is not GraphQL: the server's
//! `POST /media/units/{unitId}` takes the file as multipart/form-data
//! (docs/decisions/0018) and answers with [`upload_answer`], an `Image` in
//! the shape this schema gives it.

use async_graphql::{Context, ID, Object, Result};
use berth_core::ids::ImageId;
use berth_core::media::UnitImage;
use berth_core::{Engine, ErrorCode};

use crate::access::{IMAGES_ROLE, require};
use crate::error::{OrGraphql, coded};
use crate::ids::parse;
use crate::types::{Image, Unit};

/// The upload endpoint's answer for a stored image: `{"data": Image}`, the
/// image with the fields and names `Image` has in the schema.
pub fn upload_answer(image: UnitImage) -> serde_json::Value {
    serde_json::json!({ "data": Image::from(image) })
}

/// Image mutations.
#[derive(Default, Debug)]
pub struct MediaMutation;

#[Object]
impl MediaMutation {
    /// Sets an uploaded image's alt text (trimmed, at most 500 characters);
    /// null or blank clears it.
    async fn update_unit_image(
        &self,
        ctx: &Context<'_>,
        id: ID,
        alt: Option<String>,
    ) -> Result<Image> {
        let viewer = require(ctx, IMAGES_ROLE).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let image = engine
            .update_unit_image(
                viewer.tenant_id,
                parse(&id, "id")?,
                alt.as_deref(),
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(image.into())
    }

    /// Puts a unit's uploaded images in the order given: every one of them,
    /// each once (INVALID_INPUT otherwise). Images given by URL keep following
    /// them.
    async fn reorder_unit_images(
        &self,
        ctx: &Context<'_>,
        unit_id: ID,
        image_ids: Vec<ID>,
    ) -> Result<Vec<Image>> {
        let viewer = require(ctx, IMAGES_ROLE).await?;
        let order = image_ids
            .iter()
            .map(|id| parse::<ImageId>(id, "imageIds"))
            .collect::<Result<Vec<_>>>()?;
        let engine = ctx.data_unchecked::<Engine>();
        let images = engine
            .reorder_unit_images(
                viewer.tenant_id,
                parse(&unit_id, "unitId")?,
                &order,
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(images.into_iter().map(Image::from).collect())
    }

    /// Removes an uploaded image; answers with its unit as it is now.
    async fn remove_unit_image(&self, ctx: &Context<'_>, id: ID) -> Result<Unit> {
        let viewer = require(ctx, IMAGES_ROLE).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let removed = engine
            .remove_unit_image(viewer.tenant_id, parse(&id, "id")?, &viewer.actor())
            .await
            .gql()?;
        let unit = engine
            .store()
            .unit(viewer.tenant_id, removed.unit_id)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?
            .ok_or_else(|| coded(ErrorCode::NotFound, "the image's unit is gone"))?;
        Ok(unit.into())
    }
}
