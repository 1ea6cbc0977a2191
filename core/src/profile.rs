//! A tenant's public profile: what its public site and any other frontend show
//! about the business (description, contact, address, map point, arrival and
//! departure information, links, theme colour, an optional map tile
//! server). It comes from the `profile:`
//! block of `tenant.yaml`, checked there (docs/decisions/0080), and is stored
//! with the tenant each time its policy goes live (`store::ProfileStore`).

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// A tenant's public profile. Every field is optional: a tenant shows what it
/// has.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TenantProfile {
    /// A short description of the business.
    #[serde(default)]
    pub description: Option<String>,
    /// The public contact e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// The public contact phone number, as the tenant writes it.
    #[serde(default)]
    pub phone: Option<String>,
    /// The postal address.
    #[serde(default)]
    pub address: Option<Address>,
    /// The point on the map.
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    /// Arrival: the model's check-in time (nightly tenants) and notes.
    #[serde(default)]
    pub check_in: Handover,
    /// Departure: the model's check-out time (nightly tenants) and notes.
    #[serde(default)]
    pub check_out: Handover,
    /// Links to other places (a booking page elsewhere, social media, a map).
    #[serde(default)]
    pub links: Vec<Link>,
    /// The brand colour, `#rrggbb` in lowercase.
    #[serde(default)]
    pub theme_color: Option<String>,
    /// The tile server of an interactive map, when the tenant configures one
    /// (none by default: a site then shows the address and a link instead).
    #[serde(default)]
    pub map: Option<MapTiles>,
}

/// A map tile server a tenant chose: where an interactive map's tiles come
/// from and the attribution its terms ask for (docs/decisions/0110).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapTiles {
    /// The tile URL template, `https://` with `{z}`, `{x}` and `{y}`
    /// (`https://tile.example.org/{z}/{x}/{y}.png`), checked by the profile.
    pub tiles: String,
    /// The attribution shown on the map (`© OpenStreetMap contributors`).
    pub attribution: String,
}

impl MapTiles {
    /// The origin the tiles come from (`https://tile.example.org`), for a
    /// Content-Security-Policy; `None` if the template is not an `https://`
    /// URL whose host is letters, digits, dots and dashes with an optional
    /// port (what the profile's check allows).
    pub fn origin(&self) -> Option<String> {
        let rest = self.tiles.strip_prefix("https://")?;
        let authority = rest.split('/').next().unwrap_or_default();
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        let port_ok = port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        (host_ok && port_ok).then(|| format!("https://{authority}"))
    }
}

/// A postal address in parts, so that each frontend lays it out (and marks it
/// up, e.g. schema.org `PostalAddress`) as it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street and number (`Lärchenweg 12`).
    pub street: String,
    /// Postal code (`3818`), when the country has them.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Town or city (`Grindelwald`).
    pub locality: String,
    /// Region, state or canton (`Bern`).
    #[serde(default)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code (`CH`).
    pub country: String,
}

impl Address {
    /// The address on one line: street, postal code and locality, region,
    /// country code (`Lärchenweg 12, 3818 Grindelwald, Bern, CH`).
    pub fn formatted(&self) -> String {
        let place = match &self.postal_code {
            Some(code) => format!("{code} {}", self.locality),
            None => self.locality.clone(),
        };
        let mut parts = vec![self.street.as_str(), place.as_str()];
        if let Some(region) = &self.region {
            parts.push(region);
        }
        parts.push(&self.country);
        parts.join(", ")
    }
}

/// A point on the map, in degrees (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lng: f64,
}

/// Arrival or departure information.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The tenant-local time of day, from the booking model (nightly:
    /// `check_in_time` / `check_out_time`); absent for models without one.
    #[serde(default)]
    pub time: Option<NaiveTime>,
    /// Free text: where the key is, how late arrivals work.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A labelled link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What the link is (`Winter timetable`).
    pub label: String,
    /// An `https://` URL.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_formats_on_one_line() {
        let mut a = Address {
            street: "Lärchenweg 12".into(),
            postal_code: Some("3818".into()),
            locality: "Grindelwald".into(),
            region: Some("Bern".into()),
            country: "CH".into(),
        };
        assert_eq!(a.formatted(), "Lärchenweg 12, 3818 Grindelwald, Bern, CH");
        a.postal_code = None;
        a.region = None;
        assert_eq!(a.formatted(), "Lärchenweg 12, Grindelwald, CH");
    }

    #[test]
    fn a_tile_server_has_an_origin_only_when_its_host_is_plain() {
        let tiles = |t: &str| MapTiles {
            tiles: t.into(),
            attribution: "© OpenStreetMap contributors".into(),
        };
        assert_eq!(
            tiles("https://tile.example.org/{z}/{x}/{y}.png").origin(),
            Some("https://tile.example.org".into())
        );
        assert_eq!(
            tiles("https://127.0.0.1:8443/{z}/{x}/{y}.png").origin(),
            Some("https://127.0.0.1:8443".into())
        );
        for bad in [
            "http://tile.example.org/{z}/{x}/{y}.png",
            "https://a.example.org;script-src */{z}/{x}/{y}",
            "https://{s}.example.org/{z}/{x}/{y}",
            "https://x.org:99999999/{z}/{x}/{y}",
            "https:///{z}",
        ] {
            assert_eq!(tiles(bad).origin(), None, "{bad}");
        }
    }
}
