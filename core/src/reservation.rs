//! Reservations: a quantity of a unit's items taken by a client over a period.
//! The `period` is what the guest booked; the `occupied` range is the period plus
//! any buffers or turnover time, and is what capacity is checked against.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, ReservationId, TenantId, UnitId};
use crate::money::Price;
use crate::quantity::{Guests, Quantity};
use crate::state::ReservationState;
use crate::time_range::TimeRange;

/// How a reservation came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Entered by staff in the admin dashboard.
    Admin,
    /// Booked by a client on the public site.
    Public,
    /// Created by an integrator through an API key.
    Api,
}

impl Channel {
    /// The stored name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Public => "public",
            Self::Api => "api",
        }
    }
}

/// A stored channel name that is not a channel.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel `{0}`")]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Admin, Self::Public, Self::Api]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownChannel(s.to_owned()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client-chosen key that makes `create` safe to retry: 1–200 printable ASCII
/// characters, unique per tenant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

/// A string that is not a valid idempotency key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key is 1-200 printable ASCII characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for IdempotencyKey {
    type Err = InvalidIdempotencyKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let printable = s.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if (1..=200).contains(&s.len()) && printable {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidIdempotencyKey;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> Self {
        k.0
    }
}

/// A reservation as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    /// Stable id.
    pub id: ReservationId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The unit booked.
    pub unit_id: UnitId,
    /// The client booked for, when known.
    pub client_id: Option<ClientId>,
    /// Where the reservation is in its life.
    pub state: ReservationState,
    /// The booked period `[start, end)`.
    pub period: TimeRange,
    /// The period plus buffers: what capacity is checked against.
    pub occupied: TimeRange,
    /// Tenant-local check-in date (nightly model).
    pub check_in: Option<NaiveDate>,
    /// Tenant-local check-out date (nightly model).
    pub check_out: Option<NaiveDate>,
    /// How many of the unit's items it takes.
    pub quantity: Quantity,
    /// How many people.
    pub guests: Guests,
    /// Price snapshot taken when booked or last changed.
    pub price: Option<Price>,
    /// How it came in.
    pub channel: Channel,
    /// The creator's retry key, if any.
    pub idempotency_key: Option<IdempotencyKey>,
    /// Free notes.
    pub notes: Option<String>,
    /// When a `held` reservation stops taking capacity.
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// The refund due, recorded when it was canceled (the policy's `refund`).
    #[serde(default)]
    pub refund: Option<crate::money::Money>,
    /// The policy refusal an admin set aside to book (or change) it as it
    /// stands, and why; none when it meets the tenant's rules.
    #[serde(default)]
    pub policy_override: Option<crate::policy_override::PolicyOverride>,
    /// Incremented by every change; used for optimistic concurrency.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}
