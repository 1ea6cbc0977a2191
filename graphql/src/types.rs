//! DTOs: the GraphQL shapes of core types. Core types never derive GraphQL; they
//! are mapped here, so the wire format can evolve without touching the domain.

use async_graphql::{ComplexObject, Context, ID, InputObject, SimpleObject};
use berth_core::engine::{Quote as CoreQuote, SlotAvailability};
use berth_core::money::{Money as CoreMoney, PriceLine as CorePriceLine};
use berth_core::policy::{OccupancyBasis, Party, PeriodRequest, Violation as CoreViolation};
use berth_core::quantity::{Guests, Quantity};
use berth_core::tenant::Tenant as CoreTenant;
use berth_core::unit::Unit as CoreUnit;
use berth_core::{EngineError, ErrorCode};
use chrono::{DateTime, Utc};

use crate::error::coded;
use crate::scalars::Date;

/// A business using berth.
#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct Tenant {
    /// URL-safe name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// IANA timezone of the tenant's dates.
    pub timezone: String,
    /// ISO 4217 currency of its prices.
    pub currency: String,
    /// BCP 47 locale.
    pub locale: String,
    /// The tenant as stored (for `model`).
    #[graphql(skip)]
    pub stored: CoreTenant,
}

#[ComplexObject]
impl Tenant {
    /// The booking model of its live policy: `nightly`, `timeslot` or
    /// `interval` (how its periods are asked for and drawn).
    async fn model(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let engine = ctx.data_unchecked::<berth_core::Engine>();
        let basis = engine
            .occupancy_basis(&self.stored)
            .map_err(crate::error::from_engine)?;
        Ok(match basis {
            OccupancyBasis::Nights => "nightly",
            OccupancyBasis::SeatHours => "timeslot",
            OccupancyBasis::ItemHours => "interval",
        }
        .to_owned())
    }

    /// Its public profile (description, contact, address, map point, arrival
    /// and departure, links, colour), as its live policy's `tenant.yaml` has
    /// it; empty before its policy first went live.
    async fn profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::profile::TenantProfile> {
        let engine = ctx.data_unchecked::<berth_core::Engine>();
        let stored = engine
            .store()
            .tenant_profile(self.stored.id)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?;
        let pictures = engine
            .tenant_pictures(self.stored.id)
            .await
            .map_err(crate::error::from_engine)?;
        let profile: crate::profile::TenantProfile = stored.map(Into::into).unwrap_or_default();
        Ok(profile.with_pictures(pictures))
    }
}

impl From<CoreTenant> for Tenant {
    fn from(t: CoreTenant) -> Self {
        Self {
            slug: t.slug.to_string(),
            name: t.name.clone(),
            timezone: t.timezone.name().to_owned(),
            currency: t.currency.to_string(),
            locale: t.locale.clone(),
            stored: t,
        }
    }
}

/// An image of a unit or of a tenant's profile: uploaded (stored by berth in
/// several widths, served at `/media/{hash}/{width}.{ext}`; a profile's
/// pictures are files of the tenant's directory, stored alike), or a URL set
/// with `images` on `createUnit`/`updateUnit` (then `id`, `width` and
/// `height` are null and `variants` is empty). Uploaded images come first, in
/// their order.
#[derive(SimpleObject, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The uploaded image's id; null for an image given by URL and for a
    /// tenant profile's pictures (known by their place, not an id).
    pub id: Option<ID>,
    /// Its URL: the widest stored width of an uploaded image (a path on this
    /// server), or the URL as given.
    pub url: String,
    /// Text for people who cannot see it.
    pub alt: Option<String>,
    /// The widest stored width's pixels across (null for a URL image).
    pub width: Option<i32>,
    /// Its pixels down (null for a URL image).
    pub height: Option<i32>,
    /// Its place in `Unit.images` (or in `TenantProfile.gallery`), from 0.
    pub position: i32,
    /// For `<img srcset>`: every stored width with its `w` descriptor
    /// (`/media/…/320.jpg 320w, /media/…/800.jpg 800w`); the URL alone for a
    /// URL image.
    pub srcset: String,
    /// The stored widths, narrowest first (empty for a URL image).
    pub variants: Vec<ImageVariant>,
    /// Whether berth stores it (uploaded, or a profile's picture file)
    /// rather than only linking to it by URL.
    pub uploaded: bool,
}

/// One stored width of an uploaded image.
#[derive(SimpleObject, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageVariant {
    /// Pixels across.
    pub width: i32,
    /// Pixels down.
    pub height: i32,
    /// Where it is served (content-addressed, immutable).
    pub url: String,
}

/// The stored widths of an image, as served.
fn variants(stored: &[berth_core::media::ImageVariant]) -> Vec<ImageVariant> {
    stored
        .iter()
        .map(|v| ImageVariant {
            width: int(v.width),
            height: int(v.height),
            url: v.path(),
        })
        .collect()
}

impl From<berth_core::media::UnitImage> for Image {
    fn from(image: berth_core::media::UnitImage) -> Self {
        Self {
            id: Some(ID(image.id.to_string())),
            url: image.largest().map(|v| v.path()).unwrap_or_default(),
            srcset: image.srcset(),
            alt: image.alt,
            width: Some(int(image.width)),
            height: Some(int(image.height)),
            position: int(image.position),
            variants: variants(&image.variants),
            uploaded: true,
        }
    }
}

impl From<berth_core::media::TenantPicture> for Image {
    fn from(picture: berth_core::media::TenantPicture) -> Self {
        Self {
            id: None,
            url: picture.largest().map(|v| v.path()).unwrap_or_default(),
            srcset: picture.srcset(),
            alt: Some(picture.alt),
            width: Some(int(picture.width)),
            height: Some(int(picture.height)),
            position: int(picture.position),
            variants: variants(&picture.variants),
            uploaded: true,
        }
    }
}

impl Image {
    /// An image given by URL, at `position`.
    fn linked(url: String, position: usize) -> Self {
        Self {
            id: None,
            srcset: url.clone(),
            url,
            alt: None,
            width: None,
            height: None,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            variants: Vec::new(),
            uploaded: false,
        }
    }
}

/// A bookable unit.
#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct Unit {
    /// Stable id.
    pub id: ID,
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
    pub amenities: Vec<String>,
    /// Archived units take no new bookings (only the signed-in tenant sees them).
    pub archived: bool,
    /// The owning tenant (for `images`).
    #[graphql(skip)]
    pub tenant_id: berth_core::ids::TenantId,
    /// The unit's id as stored.
    #[graphql(skip)]
    pub unit_id: berth_core::ids::UnitId,
    /// The images given by URL (`images` on `createUnit`/`updateUnit`).
    #[graphql(skip)]
    pub linked_images: Vec<String>,
}

#[ComplexObject]
impl Unit {
    /// Images: the uploaded ones in their order, then those given by URL.
    /// The uploaded images of a list of units are read in one batch.
    async fn images(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Image>> {
        let loader =
            ctx.data_unchecked::<async_graphql::dataloader::DataLoader<crate::loaders::UnitImagesLoader>>();
        let uploaded = loader
            .load_one((self.tenant_id, self.unit_id))
            .await
            .map_err(crate::error::internal)?
            .unwrap_or_default();
        let first_linked = uploaded.len();
        Ok(uploaded
            .into_iter()
            .map(Image::from)
            .chain(
                self.linked_images
                    .iter()
                    .enumerate()
                    .map(|(i, url)| Image::linked(url.clone(), first_linked + i)),
            )
            .collect())
    }
}

fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl From<CoreUnit> for Unit {
    fn from(u: CoreUnit) -> Self {
        Self {
            id: ID(u.id.to_string()),
            name: u.name,
            kind: u.kind,
            inventory: int(u.inventory.get()),
            max_guests: int(u.max_guests.get()),
            description: u.description,
            amenities: u.amenities,
            archived: u.archived,
            tenant_id: u.tenant_id,
            unit_id: u.id,
            linked_images: u.images,
        }
    }
}

/// An amount of money.
#[derive(SimpleObject, Debug)]
pub struct Money {
    /// In minor units (cents).
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl From<CoreMoney> for Money {
    fn from(m: CoreMoney) -> Self {
        Self {
            amount: m.amount_minor,
            currency: m.currency.to_string(),
        }
    }
}

/// One line of a price.
#[derive(SimpleObject, Debug)]
pub struct PriceLine {
    /// Machine-readable kind (`nights`, `fee`, `tax`, `discount`).
    pub kind: String,
    /// Label for people.
    pub label: String,
    /// Amount.
    pub amount: Money,
}

impl From<CorePriceLine> for PriceLine {
    fn from(l: CorePriceLine) -> Self {
        Self {
            kind: l.kind,
            label: l.label,
            amount: l.amount.into(),
        }
    }
}

/// A rule a request breaks.
#[derive(SimpleObject, Debug)]
pub struct Violation {
    /// Stable code (`min_nights`).
    pub code: String,
    /// Explanation.
    pub message: String,
}

impl From<CoreViolation> for Violation {
    fn from(v: CoreViolation) -> Self {
        Self {
            code: v.code,
            message: v.message,
        }
    }
}

/// Whether and for how much a unit can be booked.
#[derive(SimpleObject, Debug)]
pub struct Quote {
    /// The unit.
    pub unit_id: ID,
    /// True when the rules allow it and capacity is free.
    pub available: bool,
    /// The total, when the rules allow the request.
    pub total: Option<Money>,
    /// The price lines.
    pub lines: Vec<PriceLine>,
    /// The rules the request breaks.
    pub violations: Vec<Violation>,
    /// True when only the tenant's policy stands in the way (its rules are
    /// broken, none of the rules every unit has, and capacity is free): an
    /// admin may book it anyway with `overrideReason`.
    pub overridable: bool,
    /// The booked period's start.
    pub start: DateTime<Utc>,
    /// The booked period's end.
    pub end: DateTime<Utc>,
    /// Check-in date (nightly).
    pub check_in: Option<Date>,
    /// Check-out date (nightly).
    pub check_out: Option<Date>,
}

impl From<CoreQuote> for Quote {
    fn from(q: CoreQuote) -> Self {
        let (total, lines) = match q.price {
            Some(p) => (
                Some(p.total.into()),
                p.lines.into_iter().map(Into::into).collect(),
            ),
            None => (None, Vec::new()),
        };
        Self {
            unit_id: ID(q.unit_id.to_string()),
            available: q.available,
            total,
            lines,
            violations: q.violations.into_iter().map(Into::into).collect(),
            overridable: q.overridable,
            start: q.resolved.period.start(),
            end: q.resolved.period.end(),
            check_in: q.resolved.check_in.map(Date),
            check_out: q.resolved.check_out.map(Date),
        }
    }
}

/// A time slot and its free seats.
#[derive(SimpleObject, Debug)]
pub struct Slot {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Seats in total.
    pub capacity: i32,
    /// Seats still free.
    pub free: i32,
}

impl From<SlotAvailability> for Slot {
    fn from(s: SlotAvailability) -> Self {
        Self {
            start: s.period.start(),
            end: s.period.end(),
            capacity: int(s.capacity),
            free: int(s.free),
        }
    }
}

/// A period in the shape of the tenant's model: nightly `checkIn` + `checkOut`;
/// timeslot `start` (a slot's start); interval `start` + `end`.
#[derive(InputObject, Debug, Clone)]
pub struct PeriodInput {
    /// Nightly: arrival date.
    pub check_in: Option<Date>,
    /// Nightly: departure date.
    pub check_out: Option<Date>,
    /// Timeslot or interval: start.
    pub start: Option<DateTime<Utc>>,
    /// Interval: end.
    pub end: Option<DateTime<Utc>>,
}

impl PeriodInput {
    /// The period request, or INVALID_INPUT for an incomplete or mixed shape.
    pub fn parse(&self) -> async_graphql::Result<PeriodRequest> {
        match (self.check_in, self.check_out, self.start, self.end) {
            (Some(a), Some(b), None, None) => Ok(PeriodRequest::Nights {
                check_in: a.0,
                check_out: b.0,
            }),
            (None, None, Some(start), None) => Ok(PeriodRequest::Slot { start }),
            (None, None, Some(start), Some(end)) => Ok(PeriodRequest::Interval { start, end }),
            _ => Err(coded(
                ErrorCode::InvalidInput,
                "period: give checkIn and checkOut (nightly), start (a slot), or start and end (interval)",
            )),
        }
    }
}

/// The party of a request.
pub fn party(guests: i32, quantity: i32) -> async_graphql::Result<Party> {
    let parse = || -> Result<Party, EngineError> {
        Ok(Party {
            guests: Guests::new(i64::from(guests))?,
            quantity: Quantity::new(i64::from(quantity))?,
        })
    };
    parse().map_err(crate::error::from_engine)
}

/// A price-and-availability question about one unit.
#[derive(InputObject, Debug)]
pub struct QuoteInput {
    /// The unit.
    pub unit_id: ID,
    /// The period.
    pub period: PeriodInput,
    /// People.
    pub guests: i32,
    /// Items or seats.
    #[graphql(default = 1)]
    pub quantity: i32,
}

/// A search over all units for one period.
#[derive(InputObject, Debug)]
pub struct AvailabilityInput {
    /// The period.
    pub period: PeriodInput,
    /// People.
    pub guests: i32,
    /// Items or seats.
    #[graphql(default = 1)]
    pub quantity: i32,
}
