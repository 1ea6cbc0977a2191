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

/// An image of a unit.
#[derive(SimpleObject, Debug)]
pub struct Image {
    /// Its URL.
    pub url: String,
}

/// A bookable unit.
#[derive(SimpleObject, Debug)]
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
    /// Images.
    pub images: Vec<Image>,
    /// Archived units take no new bookings (only the signed-in tenant sees them).
    pub archived: bool,
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
            images: u.images.into_iter().map(|url| Image { url }).collect(),
            archived: u.archived,
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
