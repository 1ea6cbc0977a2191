//! `seed.yaml`: a tenant's demo data (units and clients), loaded by
//! `berth serve --demo` for tenants the database does not have yet.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A tenant's `seed.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "berth tenant seed data")]
pub struct SeedFile {
    /// Units to create.
    #[serde(default)]
    pub units: Vec<SeedUnit>,
    /// Clients to create.
    #[serde(default)]
    pub clients: Vec<SeedClient>,
}

/// A demo unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedUnit {
    /// Display name.
    #[schemars(length(min = 1, max = 200), example = &"Birch Cabin")]
    pub name: String,
    /// Free-form kind (`cabin`, `room-type`, `tour`, `kayak`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Identical items: a cabin is 1, a tour slot 20 seats, a kayak fleet 8.
    #[schemars(range(min = 1))]
    pub inventory: u32,
    /// Most guests per item.
    #[schemars(range(min = 1))]
    pub max_guests: u32,
    /// Description for the public site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Amenity tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amenities: Vec<String>,
    /// Image URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Free attributes policies can read (`base_rate` overrides the tenant's rate).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A demo client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    /// Full name.
    #[schemars(length(min = 1))]
    pub name: String,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The JSON Schema of `seed.yaml`.
pub fn seed_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(SeedFile)).unwrap_or_default()
}
