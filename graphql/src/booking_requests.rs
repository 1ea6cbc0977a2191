//! A guest's booking request, the public site's one write: `requestBooking`
//! (tenant by slug, no login) records a `held` reservation on the public channel
//! with a new client, and answers a receipt — never the reservation itself, whose
//! staff-side fields a visitor must not read. A lock in the way is LOCKED without
//! its holder; another guest's stay is plain UNAVAILABLE.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use berth_core::booking_request::BookingRequest;
use berth_core::client::NewClient;
use berth_core::reservation::Reservation;
use berth_core::{Engine, EngineError, ErrorCode};
use chrono::{DateTime, Utc};

use crate::error::{coded, from_engine};
use crate::public::{tenant_id, unit_id};
use crate::reservations::ReservationState;
use crate::scalars::Date;
use crate::types::{Money, PeriodInput, PriceLine, party};

/// What a guest asks to book.
#[derive(InputObject, Debug, Clone)]
pub struct BookingRequestInput {
    /// The unit.
    pub unit_id: ID,
    /// The period in the shape of the tenant's model.
    pub period: PeriodInput,
    /// How many people.
    pub guests: i32,
    /// How many of the unit's items.
    #[graphql(default = 1)]
    pub quantity: i32,
    /// Who asks.
    pub guest: GuestInput,
    /// A message to the business.
    pub message: Option<String>,
    /// A key the client makes once per request form (1–128 printable ASCII
    /// characters): sending it again answers the same request.
    pub request_key: String,
}

/// Who asks to book: how the business answers them.
#[derive(InputObject, Debug, Clone)]
pub struct GuestInput {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number.
    pub phone: Option<String>,
}

impl From<GuestInput> for NewClient {
    fn from(g: GuestInput) -> Self {
        Self {
            name: g.name,
            email: Some(g.email),
            phone: g.phone,
            notes: None,
            blocked: false,
        }
    }
}

/// What a guest learns of a request it made.
#[derive(SimpleObject, Debug)]
pub struct BookingRequestReceipt {
    /// The reference to quote to the business.
    pub reference: ID,
    /// `HELD` until staff confirm it (or it expires).
    pub state: ReservationState,
    /// The unit.
    pub unit_id: ID,
    /// Start of the booked period.
    pub start: DateTime<Utc>,
    /// End of the booked period.
    pub end: DateTime<Utc>,
    /// Nightly: arrival date.
    pub check_in: Option<Date>,
    /// Nightly: departure date.
    pub check_out: Option<Date>,
    /// How many people.
    pub guests: i32,
    /// How many items.
    pub quantity: i32,
    /// The price quoted, kept with the request.
    pub price: Option<Money>,
    /// Its breakdown.
    pub lines: Vec<PriceLine>,
    /// When the hold lapses unless staff confirm it.
    pub hold_expires_at: Option<DateTime<Utc>>,
}

impl From<Reservation> for BookingRequestReceipt {
    fn from(r: Reservation) -> Self {
        let (price, lines) = match r.price {
            Some(p) => (
                Some(p.total.into()),
                p.lines.into_iter().map(Into::into).collect(),
            ),
            None => (None, Vec::new()),
        };
        Self {
            reference: ID(r.id.to_string()),
            state: r.state.into(),
            unit_id: ID(r.unit_id.to_string()),
            start: r.period.start(),
            end: r.period.end(),
            check_in: r.check_in.map(Date),
            check_out: r.check_out.map(Date),
            guests: i32::try_from(r.guests.get()).unwrap_or(i32::MAX),
            quantity: i32::try_from(r.quantity.get()).unwrap_or(i32::MAX),
            price,
            lines,
            hold_expires_at: r.hold_expires_at,
        }
    }
}

/// The public write.
#[derive(Default, Debug)]
pub struct BookingRequestsMutation;

#[Object]
impl BookingRequestsMutation {
    /// A guest asks to book: a held reservation (channel public) with a new
    /// client. Idempotent by `requestKey`.
    async fn request_booking(
        &self,
        ctx: &Context<'_>,
        tenant: String,
        input: BookingRequestInput,
    ) -> Result<BookingRequestReceipt> {
        let tenant = tenant_id(ctx, &tenant).await?;
        let request = BookingRequest {
            unit_id: unit_id(&input.unit_id)?,
            period: input.period.parse()?,
            party: party(input.guests, input.quantity)?,
            guest: input.guest.into(),
            message: input.message,
            request_key: input.request_key,
        };
        match ctx
            .data_unchecked::<Engine>()
            .request_booking(tenant, request)
            .await
        {
            Ok(r) => Ok(r.into()),
            Err(EngineError::Locked(_)) => Err(coded(
                ErrorCode::Locked,
                "someone is changing these dates right now; please try again in a few minutes",
            )),
            Err(e) => Err(from_engine(e)),
        }
    }
}
