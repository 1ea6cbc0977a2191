//! Managing the signed-in tenant's units: `createUnit`, `updateUnit`,
//! `archiveUnit` (admin). Reading them is `units` / `unit` without a slug (public.rs).

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result};
use berth_core::quantity::{Guests, Inventory};
use berth_core::unit::{NewUnit, UnitPatch};
use berth_core::user::Role;
use berth_core::{Engine, EngineError};

use crate::access::require;
use crate::auth::Viewer;
use crate::clients::patch_field;
use crate::error::{OrGraphql, from_engine};
use crate::ids::parse;
use crate::types::Unit;

/// A new unit.
#[derive(InputObject, Debug)]
pub struct CreateUnitInput {
    /// Display name.
    pub name: String,
    /// Free-form kind (`cabin`, `tour`).
    pub kind: Option<String>,
    /// Identical items (rooms, seats, boats).
    pub inventory: i32,
    /// Most guests per item.
    pub max_guests: i32,
    /// Description.
    pub description: Option<String>,
    /// Amenity tags.
    #[graphql(default)]
    pub amenities: Vec<String>,
    /// Image URLs.
    #[graphql(default)]
    pub images: Vec<String>,
    /// Free attributes that policies read (an object).
    pub attributes: Option<Json<serde_json::Value>>,
}

/// Changes to a unit: omitted fields stay; `null` clears an optional field.
#[derive(InputObject, Debug)]
pub struct UpdateUnitInput {
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: MaybeUndefined<String>,
    /// New inventory; CONFLICT while active reservations need more.
    pub inventory: Option<i32>,
    /// New guest limit per item.
    pub max_guests: Option<i32>,
    /// New description.
    pub description: MaybeUndefined<String>,
    /// New amenity tags.
    pub amenities: Option<Vec<String>>,
    /// New image URLs.
    pub images: Option<Vec<String>>,
    /// New attributes (an object).
    pub attributes: Option<Json<serde_json::Value>>,
}

/// Applies `patch` to the unit `id` (through the engine, which checks it).
async fn update(ctx: &Context<'_>, viewer: &Viewer, id: &ID, patch: UnitPatch) -> Result<Unit> {
    let engine = ctx.data_unchecked::<Engine>();
    let unit = engine
        .update_unit(viewer.tenant_id, parse(id, "id")?, patch, &viewer.actor())
        .await
        .gql()?;
    Ok(unit.into())
}

fn inventory(n: i32) -> Result<Inventory> {
    Inventory::new(i64::from(n)).map_err(|e| from_engine(EngineError::from(e)))
}

fn guests(n: i32) -> Result<Guests> {
    Guests::new(i64::from(n)).map_err(|e| from_engine(EngineError::from(e)))
}

/// Unit mutations.
#[derive(Default, Debug)]
pub struct UnitsMutation;

#[Object]
impl UnitsMutation {
    /// Creates a unit.
    async fn create_unit(&self, ctx: &Context<'_>, input: CreateUnitInput) -> Result<Unit> {
        let viewer = require(ctx, Role::Admin).await?;
        let new = NewUnit {
            name: input.name,
            kind: input.kind,
            inventory: inventory(input.inventory)?,
            max_guests: guests(input.max_guests)?,
            description: input.description,
            amenities: input.amenities,
            images: input.images,
            attributes: input
                .attributes
                .map_or_else(|| serde_json::json!({}), |j| j.0),
        };
        let engine = ctx.data_unchecked::<Engine>();
        let unit = engine
            .create_unit(viewer.tenant_id, new, &viewer.actor())
            .await
            .gql()?;
        Ok(unit.into())
    }

    /// Changes a unit.
    async fn update_unit(&self, ctx: &Context<'_>, id: ID, input: UpdateUnitInput) -> Result<Unit> {
        let viewer = require(ctx, Role::Admin).await?;
        let patch = UnitPatch {
            name: input.name,
            kind: patch_field(input.kind),
            inventory: input.inventory.map(inventory).transpose()?,
            max_guests: input.max_guests.map(guests).transpose()?,
            description: patch_field(input.description),
            amenities: input.amenities,
            images: input.images,
            attributes: input.attributes.map(|j| j.0),
            archived: None,
        };
        update(ctx, &viewer, &id, patch).await
    }

    /// Archives a unit: it keeps its reservations and history but takes no new
    /// bookings and leaves the public catalog.
    async fn archive_unit(&self, ctx: &Context<'_>, id: ID) -> Result<Unit> {
        let viewer = require(ctx, Role::Admin).await?;
        let patch = UnitPatch {
            archived: Some(true),
            ..UnitPatch::default()
        };
        update(ctx, &viewer, &id, patch).await
    }
}
