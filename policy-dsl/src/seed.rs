//! `seed.yaml`: a tenant's demo data (units, clients and sample reservations),
//! loaded by `berth serve --demo` for tenants the database does not have yet.
//! Reservations are placed relative to the day the demo is loaded, so the demo
//! always has current bookings, and go through the tenant's rules like any other.

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
    /// Sample reservations, booked through the tenant's rules.
    #[serde(default)]
    pub reservations: Vec<SeedReservation>,
}

/// What a demo reservation becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeedState {
    /// A booking (the default).
    #[default]
    Confirmed,
    /// A tentative hold.
    Held,
    /// Booked, then canceled.
    Canceled,
}

/// A demo reservation. Its first day is `in_days` after the day the demo is
/// loaded (tenant-local); when the tenant's rules or capacity refuse that day,
/// the following days are tried, up to a week later. The period's shape follows
/// the tenant's model: `nights` (nightly), `at` (timeslot: a slot's start), or
/// `at` and `minutes` (interval).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedReservation {
    /// The unit, by name.
    #[schemars(length(min = 1), example = &"Birch Cabin")]
    pub unit: String,
    /// The client, by e-mail or name (a seed client); none for a walk-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Days after loading the demo for the first day.
    pub in_days: u32,
    /// Nightly: nights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub nights: Option<u32>,
    /// Timeslot or interval: tenant-local start time, `HH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), example = &"09:00")]
    pub at: Option<String>,
    /// Interval: duration in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub minutes: Option<u32>,
    /// People.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub guests: u32,
    /// Items or seats.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub quantity: u32,
    /// What it becomes.
    #[serde(default)]
    pub state: SeedState,
}

fn one() -> u32 {
    1
}

/// A picture of a demo unit: a JPEG, PNG or WebP file in the tenant's
/// directory, with its alt text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedPhoto {
    /// The file, relative to the tenant's directory (`images/birch.png`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.(png|jpg|jpeg|webp)$"))]
    pub file: String,
    /// Text for people who cannot see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
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
    /// Pictures in the tenant's directory, uploaded as the unit's images (in
    /// this order) through the same processing as an upload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<SeedPhoto>,
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
