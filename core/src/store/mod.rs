//! The storage port and its two implementations. A `Store` owns transactions: each
//! write method is one transaction that also appends the audit entry and the outbox
//! event, and the reservation writes run the capacity rule under the unit's
//! serialization point (SQLite: the database write lock taken by `BEGIN IMMEDIATE`;
//! PostgreSQL: the unit row locked `FOR UPDATE`, plus an exclusion constraint for
//! units of inventory 1). Every method takes the `TenantId` whose data it touches.

mod accounts;
mod analytics;
mod board;
mod calendar;
mod calendar_sync;
mod clients;
mod erasure;
mod error;
mod event_retention;
mod events;
mod locks;
mod login_throttle;
mod mail;
mod media;
mod open;
mod outbox;
mod pictures;
mod policy_versions;
mod postgres;
mod profile;
mod push;
mod records;
mod reservation_details;
mod reservations;
mod rows;
mod sql;
mod sqlite;
mod tenants;
mod units;
mod webhooks;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

pub use accounts::AccountStore;
pub use analytics::AnalyticsStore;
pub use board::BoardStore;
pub use calendar::CalendarStore;
pub use calendar_sync::CalendarSyncStore;
pub use clients::ClientStore;
pub use erasure::ErasureStore;
pub use error::StoreError;
pub use event_retention::EventRetentionStore;
pub use events::EventStore;
pub use locks::LockStore;
pub use login_throttle::LoginThrottleStore;
pub use mail::MailStore;
pub use media::MediaStore;
pub use open::{open, open_and_migrate, open_and_migrate_sealed};
pub use pictures::PictureStore;
pub use policy_versions::PolicyVersionStore;
pub use postgres::PostgresStore;
pub use profile::{ProfileStore, PutTenant};
pub use push::PushStore;
pub use records::{RequestFingerprint, replay};
pub use reservation_details::ReservationDetailsStore;
pub use reservations::ReservationStore;
pub use sqlite::SqliteStore;
pub use tenants::TenantStore;
pub use units::UnitStore;
pub use webhooks::WebhookStore;

use crate::client::NewClient;
use crate::ids::{ClientId, LockId, ReservationId, UnitId};
use crate::lock::SessionId;
use crate::money::Price;
use crate::quantity::{Guests, Quantity};
use crate::reservation::{Channel, IdempotencyKey, Reservation};
use crate::state::{ReservationState, StateAction};
use crate::time_range::TimeRange;

/// The client a new reservation is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientRef {
    /// No client recorded (walk-in, block-out).
    None,
    /// An existing client of the tenant.
    Existing(ClientId),
    /// A client created in the same transaction as the reservation.
    New(NewClient),
}

/// A reservation the engine has resolved, validated and priced, ready to insert.
#[derive(Clone, Debug, PartialEq)]
pub struct NewReservation {
    /// The unit to book.
    pub unit_id: UnitId,
    /// The client to book for.
    pub client: ClientRef,
    /// The initial state: `held` or `confirmed`.
    pub state: ReservationState,
    /// The booked period.
    pub period: TimeRange,
    /// The period plus buffers.
    pub occupied: TimeRange,
    /// Tenant-local check-in date (nightly).
    pub check_in: Option<NaiveDate>,
    /// Tenant-local check-out date (nightly).
    pub check_out: Option<NaiveDate>,
    /// Items taken.
    pub quantity: Quantity,
    /// People.
    pub guests: Guests,
    /// The price snapshot.
    pub price: Option<Price>,
    /// The policy refusal an admin set aside for it, if any.
    pub policy_override: Option<crate::policy_override::PolicyOverride>,
    /// How it came in.
    pub channel: Channel,
    /// Retry key.
    pub idempotency_key: Option<IdempotencyKey>,
    /// Free notes.
    pub notes: Option<String>,
    /// When a hold expires.
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// The writing session: locks it holds do not block it.
    pub session: Option<SessionId>,
    /// A lock of that session to release in the same transaction.
    pub consume_lock: Option<LockId>,
    /// The instant of the write (from the engine's clock).
    pub now: DateTime<Utc>,
}

/// What `insert_reservation` did.
#[derive(Clone, Debug, PartialEq)]
pub struct Inserted {
    /// The reservation: new, or the original one for a retried idempotency key.
    pub reservation: Reservation,
    /// False when the idempotency key matched an earlier reservation.
    pub created: bool,
}

/// A new period (and possibly unit, quantity, guests, price) for a reservation.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodChange {
    /// The reservation to change.
    pub id: ReservationId,
    /// The version the engine evaluated the change against; a different stored
    /// version means someone else changed it meanwhile (CONFLICT).
    pub expected_version: i64,
    /// The unit after the change.
    pub unit_id: UnitId,
    /// The booked period after the change.
    pub period: TimeRange,
    /// The occupied interval after the change.
    pub occupied: TimeRange,
    /// Check-in date after the change.
    pub check_in: Option<NaiveDate>,
    /// Check-out date after the change.
    pub check_out: Option<NaiveDate>,
    /// Items after the change.
    pub quantity: Quantity,
    /// People after the change.
    pub guests: Guests,
    /// Re-computed price.
    pub price: Option<Price>,
    /// The policy refusal an admin set aside for the change, if any (none
    /// clears an earlier override: the reservation now meets the rules).
    pub policy_override: Option<crate::policy_override::PolicyOverride>,
    /// The writing session: locks it holds do not block it.
    pub session: Option<SessionId>,
    /// A lock of that session to release in the same transaction.
    pub consume_lock: Option<LockId>,
    /// The instant of the write.
    pub now: DateTime<Utc>,
}

/// A state transition to apply.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    /// The reservation.
    pub id: ReservationId,
    /// What to do.
    pub action: StateAction,
    /// When given, the stored version must equal it (optimistic concurrency).
    pub expected_version: Option<i64>,
    /// Extra audit details (a cancellation reason).
    pub details: serde_json::Value,
    /// The refund due, for a cancellation.
    pub refund: Option<crate::money::Money>,
    /// The writing session: locks it holds do not block it.
    pub session: Option<SessionId>,
    /// The instant of the write.
    pub now: DateTime<Utc>,
}

/// One active reservation's hold on a unit, as capacity checks need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occupancy {
    /// The unit.
    pub unit_id: UnitId,
    /// The occupied interval.
    pub occupied: TimeRange,
    /// Items taken.
    pub quantity: u32,
    /// The reservation taking it; none for a calendar block.
    pub reservation: Option<ReservationId>,
}

/// An event (with its audit entry) that is not a side effect of another write:
/// policy activations and rejections.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// What happened.
    pub kind: crate::event::EventKind,
    /// The kind of entity it concerns (`policy`).
    pub entity_type: String,
    /// The entity's id.
    pub entity_id: Uuid,
    /// The audit action (`activate`, `reject`).
    pub action: String,
    /// The event payload.
    pub payload: serde_json::Value,
    /// When.
    pub at: DateTime<Utc>,
}

/// Which reservations to list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReservationFilter {
    /// Only this unit.
    pub unit_id: Option<UnitId>,
    /// Only this client.
    pub client_id: Option<ClientId>,
    /// Only reservations of clients whose name, e-mail or phone contains
    /// this (case-insensitive; blank: no condition).
    pub client_search: Option<String>,
    /// Only these states (all when empty).
    pub states: Vec<ReservationState>,
    /// Only reservations whose booked period overlaps this range.
    pub overlapping: Option<TimeRange>,
    /// Only holds whose deadline is at or before this instant.
    pub hold_expired_by: Option<DateTime<Utc>>,
    /// Only reservations whose period starts at or before this instant.
    pub started_by: Option<DateTime<Utc>>,
    /// Only reservations created after this one (the page cursor).
    pub after: Option<ReservationId>,
    /// At most this many, oldest first (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// How many entries [`Store::audit_entries`] returns at most.
pub const AUDIT_HISTORY_LIMIT: u32 = 1_000;

/// The storage port. Implementations: [`SqliteStore`] and [`PostgresStore`].
#[async_trait]
pub trait Store:
    TenantStore
    + UnitStore
    + ClientStore
    + AccountStore
    + ReservationStore
    + LockStore
    + EventStore
    + WebhookStore
    + PushStore
    + MailStore
    + CalendarStore
    + CalendarSyncStore
    + LoginThrottleStore
    + EventRetentionStore
    + ErasureStore
    + ReservationDetailsStore
    + AnalyticsStore
    + BoardStore
    + MediaStore
    + PictureStore
    + ProfileStore
    + PolicyVersionStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Ticks after every commit this store instance made (every write appends an
    /// event): a wake-up for readers of the outbox in this process. Writes of
    /// other processes are not seen here; readers poll for those.
    fn commits(&self) -> tokio::sync::watch::Receiver<u64>;
}
