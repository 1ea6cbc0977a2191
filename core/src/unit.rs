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
