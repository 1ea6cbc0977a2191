//! Units: the bookable resources of a tenant (a cabin, a room type, a tour, a
//! fleet of kayaks). A unit has an `inventory` of identical items; reservations
//! take some `quantity` of them over an interval.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{TenantId, UnitId};
use crate::quantity::{Guests, Inventory};

/// A unit as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unit {
    /// Stable id.
    pub id: UnitId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Display name.
    pub name: String,
    /// Free-form kind shown to clients (`cabin`, `room-type`, `tour`, `kayak`).
    pub kind: Option<String>,
    /// How many identical items the unit has.
    pub inventory: Inventory,
    /// The most guests one item takes.
    pub max_guests: Guests,
    /// Longer description for the public site.
    pub description: Option<String>,
    /// Amenity tags (`sauna`, `wifi`).
    pub amenities: Vec<String>,
    /// Image URLs for the public site.
    pub images: Vec<String>,
    /// Free attributes that policies may read (`{"view": "lake"}`).
    pub attributes: serde_json::Value,
    /// Archived units keep their history but take no new bookings.
    pub archived: bool,
    /// When the unit was created.
    pub created_at: DateTime<Utc>,
}

/// What is needed to create a unit.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct NewUnit {
    /// Display name.
    pub name: String,
    /// Free-form kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// How many identical items.
    pub inventory: Inventory,
    /// The most guests one item takes.
    pub max_guests: Guests,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
    /// Amenity tags.
    #[serde(default)]
    pub amenities: Vec<String>,
    /// Image URLs.
    #[serde(default)]
    pub images: Vec<String>,
    /// Free attributes for policies; an object.
    #[serde(default = "empty_object")]
    pub attributes: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// A change to a unit: `None` leaves a field as it is; for optional fields
/// `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitPatch {
    /// New display name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<Option<String>>,
    /// New inventory; refused while active reservations need more.
    pub inventory: Option<Inventory>,
    /// New guest limit per item (applies to new bookings).
    pub max_guests: Option<Guests>,
    /// New description.
    pub description: Option<Option<String>>,
    /// New amenity tags.
    pub amenities: Option<Vec<String>>,
    /// New image URLs.
    pub images: Option<Vec<String>>,
    /// New attributes (an object).
    pub attributes: Option<serde_json::Value>,
    /// Archive (`true`) or bring back (`false`).
    pub archived: Option<bool>,
}

impl UnitPatch {
    /// The unit with the patch applied.
    pub fn apply(&self, unit: &Unit) -> Unit {
        let mut u = unit.clone();
        if let Some(v) = &self.name {
            u.name.clone_from(v);
        }
        if let Some(v) = &self.kind {
            u.kind.clone_from(v);
        }
        if let Some(v) = self.inventory {
            u.inventory = v;
        }
        if let Some(v) = self.max_guests {
            u.max_guests = v;
        }
        if let Some(v) = &self.description {
            u.description.clone_from(v);
        }
        if let Some(v) = &self.amenities {
            u.amenities.clone_from(v);
        }
        if let Some(v) = &self.images {
            u.images.clone_from(v);
        }
        if let Some(v) = &self.attributes {
            u.attributes.clone_from(v);
        }
        if let Some(v) = self.archived {
            u.archived = v;
        }
        u
    }
}
