//! `Tenant.profile`: a tenant's public profile as stored each time its policy
//! goes live (the `profile:` block of its `tenant.yaml`; docs/decisions/0080,
//! 0082), with the cover and gallery pictures it names (0083, 0102–0109).
//! Public like the rest of `Tenant`: no sign-in needed.

use async_graphql::SimpleObject;
use berth_core::profile as core;

use crate::types::Image;

/// What a tenant's public site shows about the business. Every field is
/// optional in the tenant's file; what it does not give is null (or an empty
/// list).
#[derive(SimpleObject, Debug, Default)]
pub struct TenantProfile {
    /// A short description of the business, plain text.
    pub description: Option<String>,
    /// The public contact e-mail address.
    pub email: Option<String>,
    /// The public contact phone number, international form as the tenant
    /// writes it (`+41 33 555 01 00`); strip all but `+` and digits for a
    /// `tel:` link.
    pub phone: Option<String>,
    /// The postal address, in parts and on one line.
    pub address: Option<PostalAddress>,
    /// The point on the map.
    pub coordinates: Option<GeoPoint>,
    /// Arrival: the check-in time of a nightly tenant and the tenant's notes.
    pub check_in: Handover,
    /// Departure: the check-out time of a nightly tenant and the tenant's
    /// notes.
    pub check_out: Handover,
    /// Labelled links, in the tenant's order.
    pub links: Vec<ProfileLink>,
    /// The brand colour, `#rrggbb` in lower case.
    pub theme_color: Option<String>,
    /// The picture at the top of the tenant's site (and its sharing image),
    /// stored in several widths like a unit's uploaded images; `id` is null
    /// and `position` 0. Null when the profile names none.
    pub cover: Option<Image>,
    /// More pictures of the place, in the profile's order (`position` from
    /// 0); `id` is null.
    pub gallery: Vec<Image>,
    /// The tile server of an interactive map, when the tenant configures one;
    /// null otherwise (show the address and a link to a map instead). No tile
    /// server is assumed: a frontend that draws a map uses this one, with its
    /// attribution.
    pub map: Option<MapTiles>,
}

/// A map tile server and the attribution its terms ask for.
#[derive(SimpleObject, Debug)]
pub struct MapTiles {
    /// The tile URL template: `https://`, with `{z}`, `{x}` and `{y}`
    /// (`https://tile.example.org/{z}/{x}/{y}.png`).
    pub tiles: String,
    /// The attribution to show on the map (`© OpenStreetMap contributors`).
    pub attribution: String,
}

/// A postal address.
#[derive(SimpleObject, Debug)]
pub struct PostalAddress {
    /// Street and number.
    pub street: String,
    /// Postal code, when the country has them.
    pub postal_code: Option<String>,
    /// Town or city.
    pub locality: String,
    /// Region, state or canton.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code (`CH`).
    pub country: String,
    /// The address on one line: street, postal code and locality, region,
    /// country code (`Lärchenweg 12, 3818 Grindelwald, Bern, CH`).
    pub formatted: String,
}

/// A point on the map, WGS 84 degrees.
#[derive(SimpleObject, Debug)]
pub struct GeoPoint {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lng: f64,
}

/// Arrival or departure information.
#[derive(SimpleObject, Debug, Default)]
pub struct Handover {
    /// The tenant-local time of day, `HH:MM`, from the booking model's rules
    /// (nightly: check-in from, check-out by); null for models without one.
    pub time: Option<String>,
    /// The tenant's notes for guests (key handover, late arrival), plain text.
    pub notes: Option<String>,
}

/// A labelled link.
#[derive(SimpleObject, Debug)]
pub struct ProfileLink {
    /// What the link is.
    pub label: String,
    /// An `https://` URL.
    pub url: String,
}

fn handover(h: core::Handover) -> Handover {
    Handover {
        time: h.time.map(|t| t.format("%H:%M").to_string()),
        notes: h.notes,
    }
}

impl From<core::TenantProfile> for TenantProfile {
    fn from(p: core::TenantProfile) -> Self {
        Self {
            description: p.description,
            email: p.email,
            phone: p.phone,
            address: p.address.map(|a| PostalAddress {
                formatted: a.formatted(),
                street: a.street,
                postal_code: a.postal_code,
                locality: a.locality,
                region: a.region,
                country: a.country,
            }),
            coordinates: p.coordinates.map(|c| GeoPoint {
                lat: c.lat,
                lng: c.lng,
            }),
            check_in: handover(p.check_in),
            check_out: handover(p.check_out),
            links: p
                .links
                .into_iter()
                .map(|l| ProfileLink {
                    label: l.label,
                    url: l.url,
                })
                .collect(),
            theme_color: p.theme_color,
            map: p.map.map(|m| MapTiles {
                tiles: m.tiles,
                attribution: m.attribution,
            }),
            cover: None,
            gallery: Vec::new(),
        }
    }
}

impl TenantProfile {
    /// The profile with the tenant's pictures.
    pub(crate) fn with_pictures(self, pictures: berth_core::media::TenantPictures) -> Self {
        Self {
            cover: pictures.cover.map(Into::into),
            gallery: pictures.gallery.into_iter().map(Into::into).collect(),
            ..self
        }
    }
}
