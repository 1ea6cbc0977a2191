//! What every page of a tenant's site is rendered from: the tenant, its
//! profile and booking model, the language and formats of its locale, where
//! the page was reached (for links and canonical URLs), and the views of the
//! business and its units that templates read.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use berth_core::ids::{TenantId, UnitId};
use berth_core::media::{TenantPicture, UnitImage};
use berth_core::policy::OccupancyBasis;
use berth_core::profile::TenantProfile;
use berth_core::tenant::{Tenant, TenantSlug};
use berth_core::unit::Unit;
use minijinja::Value;
use serde::Serialize;

use super::hosts::{OwnHost, RESERVED_SEGMENTS};
use super::i18n::{Lang, fill};
use super::{PageError, assets};
use crate::http::AppState;
use crate::locale::LocaleFormat;

/// The tenant's booking model, as its site asks for periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Arrival date and nights.
    Nightly,
    /// Date and slot.
    Timeslot,
    /// Start and duration.
    Interval,
}

impl From<OccupancyBasis> for Model {
    fn from(basis: OccupancyBasis) -> Self {
        match basis {
            OccupancyBasis::Nights => Self::Nightly,
            OccupancyBasis::SeatHours => Self::Timeslot,
            OccupancyBasis::ItemHours => Self::Interval,
        }
    }
}

/// Where a page was reached: its own domain or the platform's path form.
#[derive(Clone, Debug)]
pub struct Place {
    /// `http` or `https` (see `hosts::origin_parts`).
    pub scheme: &'static str,
    /// The `Host` the request named.
    pub host: Option<String>,
    /// The tenant's own domain served it (links leave the slug out).
    pub own_host: bool,
}

impl FromRequestParts<AppState> for Place {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let own_host = parts.extensions.get::<OwnHost>().is_some();
        let (scheme, host) = super::hosts::origin_parts(
            &parts.headers,
            &parts.extensions,
            &parts.uri,
            &state.trusted_proxies,
        );
        Ok(Self {
            scheme,
            host,
            own_host,
        })
    }
}

/// A tenant's site as one request sees it.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The tenant.
    pub tenant: Tenant,
    /// Its public profile (empty before its policy first loaded).
    pub profile: TenantProfile,
    /// Its booking model.
    pub model: Model,
    /// The message language.
    pub lang: Lang,
    /// Money and dates.
    pub fmt: LocaleFormat,
    /// Links within the site: `""` on its own domain, `/{slug}` otherwise.
    pub base: String,
    /// Where canonical URLs point: the tenant's domain when it has one,
    /// else the request's origin and `/{slug}`.
    pub canonical_root: String,
}

impl Ctx {
    /// Loads the tenant of the path's first segment; NOT_FOUND for a reserved
    /// segment, a malformed slug or an unknown tenant.
    pub async fn load(state: &AppState, slug: &str, place: &Place) -> Result<Self, PageError> {
        if RESERVED_SEGMENTS.contains(&slug) {
            return Err(PageError::NotFound);
        }
        let slug: TenantSlug = slug.parse().map_err(|_| PageError::NotFound)?;
        let tenant = state
            .store
            .tenant_by_slug(&slug)
            .await?
            .ok_or(PageError::NotFound)?;
        let profile = state
            .store
            .tenant_profile(tenant.id)
            .await?
            .unwrap_or_default();
        let model = Model::from(state.engine.occupancy_basis(&tenant)?);
        let lang = Lang::of_locale(&tenant.locale);
        let fmt = LocaleFormat::new(&tenant.locale, lang);
        let base = if place.own_host {
            String::new()
        } else {
            format!("/{slug}")
        };
        let canonical_root = match state.site.hosts.host_of(slug.as_str()) {
            Some(domain) => format!("{}://{domain}", place.scheme),
            None => format!(
                "{}://{}/{slug}",
                place.scheme,
                place.host.as_deref().unwrap_or("localhost")
            ),
        };
        Ok(Self {
            tenant,
            profile,
            model,
            lang,
            fmt,
            base,
            canonical_root,
        })
    }

    /// The tenant's id.
    pub fn id(&self) -> TenantId {
        self.tenant.id
    }

    /// The message `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.lang.t(key)
    }

    /// The canonical URL of the site's `path` (`/`, `/units`, …).
    pub fn canonical(&self, path: &str) -> String {
        format!("{}{path}", self.canonical_root)
    }

    /// The layout's context: language, messages, business, theme, assets and
    /// this page's title, description, canonical URL, image and JSON-LD.
    pub fn layout(&self, page: PageMeta) -> Value {
        let theme = self
            .profile
            .theme_color
            .as_deref()
            .and_then(assets::theme_path);
        minijinja::context! {
            lang => self.html_lang(),
            t => self.lang.catalog().value(),
            business => self.business(),
            base => self.base,
            css => assets::CSS.path(),
            js => assets::JS.path(),
            theme_css => theme,
            theme_color => self.profile.theme_color,
            title => page.title,
            description => page.description,
            canonical => page.canonical,
            og_image => page.image,
            json_ld => page.json_ld,
            nav => page.nav,
            noindex => page.noindex,
        }
    }

    /// `<html lang>`: the language the page's words are in — the tenant's
    /// own tag when its language is the messages' (`es-MX`, `en-US`), else
    /// the messages' language alone (a `de-CH` tenant's page is English:
    /// `en`), so a screen reader reads it in the right voice.
    pub fn html_lang(&self) -> String {
        let tag = self.fmt.tag();
        let language = tag.split(['-', '_']).next().unwrap_or_default();
        if language.eq_ignore_ascii_case(self.lang.code()) {
            tag.replace('_', "-")
        } else {
            self.lang.code().to_owned()
        }
    }

    /// The business as templates read it.
    pub fn business(&self) -> BusinessView {
        let p = &self.profile;
        let tel = p.phone.as_deref().map(|phone| {
            let digits: String = phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("tel:{digits}")
        });
        let coordinates = p.coordinates.map(|c| CoordinatesView {
            text: format!("{:.5}, {:.5}", c.lat, c.lng),
            osm: format!(
                "https://www.openstreetmap.org/?mlat={:.5}&mlon={:.5}#map=15/{:.5}/{:.5}",
                c.lat, c.lng, c.lat, c.lng
            ),
        });
        BusinessView {
            name: self.tenant.name.clone(),
            slug: self.tenant.slug.to_string(),
            description: p.description.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            tel,
            address: p.address.as_ref().map(|a| AddressView {
                street: a.street.clone(),
                locality_line: match &a.postal_code {
                    Some(code) => format!("{code} {}", a.locality),
                    None => a.locality.clone(),
                },
                region: a.region.clone(),
                country: a.country.clone(),
                formatted: a.formatted(),
            }),
            coordinates,
            check_in: HandoverView::of(&p.check_in, &self.fmt),
            check_out: HandoverView::of(&p.check_out, &self.fmt),
            links: p
                .links
                .iter()
                .map(|l| LinkView {
                    label: l.label.clone(),
                    url: l.url.clone(),
                })
                .collect(),
        }
    }

    /// A unit as a card or page shows it.
    pub fn unit(&self, unit: &Unit, photos: &[UnitImage]) -> UnitView {
        let max_guests = unit.max_guests.get();
        let inventory = unit.inventory.get();
        let n = max_guests.to_string();
        let each = inventory > 1 && self.model != Model::Timeslot;
        let guests_key = match (max_guests, each) {
            (1, true) => "capacity_guest_each",
            (1, false) => "capacity_guest",
            (_, true) => "capacity_guests_each",
            (_, false) => "capacity_guests",
        };
        let mut capacity = Vec::new();
        if self.model != Model::Timeslot || max_guests > 1 {
            capacity.push(fill(self.t(guests_key), &[("n", &n)]));
        }
        if inventory > 1 || self.model == Model::Timeslot {
            let key = match self.model {
                Model::Nightly => "inventory_nightly",
                Model::Timeslot => "inventory_timeslot",
                Model::Interval => "inventory_interval",
            };
            capacity.push(fill(self.t(key), &[("n", &inventory.to_string())]));
        }
        let mut photo_views: Vec<PhotoView> = photos
            .iter()
            .filter_map(|image| {
                let largest = image.largest()?;
                let fallback = image
                    .variants
                    .iter()
                    .find(|v| v.width >= 800)
                    .unwrap_or(largest);
                Some(PhotoView {
                    src: fallback.path(),
                    srcset: image.srcset(),
                    alt: image.alt.clone().unwrap_or_default(),
                    width: image.width,
                    height: image.height,
                    large: largest.path(),
                })
            })
            .collect();
        photo_views.extend(unit.images.iter().map(|url| PhotoView {
            src: url.clone(),
            srcset: String::new(),
            alt: String::new(),
            width: 0,
            height: 0,
            large: url.clone(),
        }));
        UnitView {
            id: unit.id.to_string(),
            name: unit.name.clone(),
            kind: unit.kind.as_deref().map(humanize),
            description: unit.description.clone(),
            amenities: unit.amenities.iter().map(|a| humanize(a)).collect(),
            max_guests,
            inventory,
            capacity,
            photos: photo_views,
            url: format!("{}/units/{}", self.base, unit.id),
            from: None,
        }
    }
}

/// Photos by unit, in their order.
pub fn photos_by_unit(images: Vec<UnitImage>) -> HashMap<UnitId, Vec<UnitImage>> {
    let mut by_unit: HashMap<UnitId, Vec<UnitImage>> = HashMap::new();
    for image in images {
        by_unit.entry(image.unit_id).or_default().push(image);
    }
    for list in by_unit.values_mut() {
        list.sort_by_key(|i| i.position);
    }
    by_unit
}

/// `hot-tub` → `Hot tub`, `room-type` → `Room type`.
fn humanize(word: &str) -> String {
    let spaced = word.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

/// What the layout needs of a page.
#[derive(Debug, Default)]
pub struct PageMeta {
    /// `<title>`.
    pub title: String,
    /// `<meta name="description">`.
    pub description: String,
    /// The canonical URL.
    pub canonical: String,
    /// An absolute image URL for OpenGraph.
    pub image: Option<String>,
    /// The JSON-LD block (already safe).
    pub json_ld: Value,
    /// Which navigation entry is current (`home`, `units`).
    pub nav: &'static str,
    /// Ask search engines not to index it (errors, confirmations).
    pub noindex: bool,
}

/// The business.
#[derive(Clone, Debug, Serialize)]
pub struct BusinessView {
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `tel:+41335550100`.
    pub tel: Option<String>,
    pub address: Option<AddressView>,
    pub coordinates: Option<CoordinatesView>,
    pub check_in: HandoverView,
    pub check_out: HandoverView,
    pub links: Vec<LinkView>,
}

/// An address laid out in lines.
#[derive(Clone, Debug, Serialize)]
pub struct AddressView {
    pub street: String,
    pub locality_line: String,
    pub region: Option<String>,
    pub country: String,
    pub formatted: String,
}

/// Coordinates as text and a map link.
#[derive(Clone, Debug, Serialize)]
pub struct CoordinatesView {
    pub text: String,
    pub osm: String,
}

/// Arrival or departure.
#[derive(Clone, Debug, Serialize)]
pub struct HandoverView {
    pub time: Option<String>,
    pub notes: Option<String>,
}

impl HandoverView {
    fn of(h: &berth_core::profile::Handover, fmt: &LocaleFormat) -> Self {
        Self {
            time: h.time.map(|t| fmt.time(t)),
            notes: h.notes.clone(),
        }
    }
}

/// A link.
#[derive(Clone, Debug, Serialize)]
pub struct LinkView {
    pub label: String,
    pub url: String,
}

/// A unit.
#[derive(Clone, Debug, Serialize)]
pub struct UnitView {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub amenities: Vec<String>,
    pub max_guests: u32,
    pub inventory: u32,
    /// The capacity in words (`Up to 4 guests`, `3 of this kind`).
    pub capacity: Vec<String>,
    pub photos: Vec<PhotoView>,
    /// Its page, relative to the host.
    pub url: String,
    /// The "from" price, when one was found.
    pub from: Option<super::prices::FromPrice>,
}

/// A photo with its widths.
#[derive(Clone, Debug, Serialize)]
pub struct PhotoView {
    /// The `src`: a middle width (800 px) when stored.
    pub src: String,
    /// Every stored width (`srcset`); empty for URL images.
    pub srcset: String,
    pub alt: String,
    /// 0 when unknown.
    pub width: u32,
    pub height: u32,
    /// The widest.
    pub large: String,
}

impl PhotoView {
    /// One of the tenant's own pictures (its cover or a gallery picture);
    /// `None` when it has no stored width.
    pub fn of_picture(picture: &TenantPicture) -> Option<Self> {
        let largest = picture.largest()?;
        let fallback = picture
            .variants
            .iter()
            .find(|v| v.width >= 800)
            .unwrap_or(largest);
        Some(Self {
            src: fallback.path(),
            srcset: picture.srcset(),
            alt: picture.alt.clone(),
            width: picture.width,
            height: picture.height,
            large: largest.path(),
        })
    }
}

/// An interactive map, for a tenant that names a tile server and has
/// coordinates: what the home page's map container carries for the script.
#[derive(Clone, Debug, Serialize)]
pub struct MapView {
    /// The tile URL template.
    pub tiles: String,
    /// The tile server's attribution (plain text; the script escapes it).
    pub attribution: String,
    /// Latitude and longitude, as text with five decimals.
    pub lat: String,
    pub lng: String,
    /// The marker's label: the business's name.
    pub label: String,
    /// Leaflet's embedded files.
    pub leaflet_js: String,
    pub leaflet_css: String,
    pub marker: String,
    pub marker_2x: String,
    pub marker_shadow: String,
}

impl MapView {
    /// The map of the tenant, when it has one (tiles, a plain tile origin
    /// and coordinates), with the tile origin its pages' policy must allow.
    pub fn of(ctx: &Ctx) -> Option<(Self, String)> {
        let map = ctx.profile.map.as_ref()?;
        let at = ctx.profile.coordinates?;
        let origin = map.origin()?;
        let leaflet = &*assets::LEAFLET;
        Some((
            Self {
                tiles: map.tiles.clone(),
                attribution: map.attribution.clone(),
                lat: format!("{:.5}", at.lat),
                lng: format!("{:.5}", at.lng),
                label: ctx.tenant.name.clone(),
                leaflet_js: leaflet.js.path(),
                leaflet_css: leaflet.css.path(),
                marker: leaflet.marker.path(),
                marker_2x: leaflet.marker_2x.path(),
                marker_shadow: leaflet.shadow.path(),
            },
            origin,
        ))
    }
}
