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
mod port;
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

pub use analytics::AnalyticsStore;
pub use board::BoardStore;
pub use calendar::CalendarStore;
pub use calendar_sync::CalendarSyncStore;
pub use erasure::ErasureStore;
pub use error::StoreError;
pub use event_retention::EventRetentionStore;
pub use login_throttle::LoginThrottleStore;
pub use mail::MailStore;
pub use media::MediaStore;
pub use open::{open, open_and_migrate, open_and_migrate_sealed};
pub use pictures::PictureStore;
pub use postgres::PostgresStore;
pub use profile::{ProfileStore, PutTenant};
pub use push::PushStore;
pub use records::{RequestFingerprint, replay};
pub use reservation_details::ReservationDetailsStore;
pub use sqlite::SqliteStore;
pub use webhooks::WebhookStore;

use crate::api_key::{ApiKey, NewApiKey};
use crate::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use crate::client::{Client, ClientFilter, ClientPatch, NewClient};
use crate::event::{Event, EventCursor};
use crate::ids::{ApiKeyId, ClientId, LockId, ReservationId, TenantId, UnitId};
use crate::lock::{Lock, NewLock, SessionId};
use crate::money::Price;
use crate::quantity::{Guests, Quantity};
use crate::reservation::{Channel, IdempotencyKey, Reservation};
use crate::state::{ReservationState, StateAction};
use crate::tenant::{NewTenant, Tenant, TenantSlug};
use crate::time_range::TimeRange;
use crate::unit::{NewUnit, Unit, UnitPatch};

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
    WebhookStore
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
    + Send
    + Sync
    + std::fmt::Debug
{
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Creates a tenant.
    async fn create_tenant(
        &self,
        new: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError>;
    /// Changes a tenant's identity (not its slug).
    async fn update_tenant(
        &self,
        id: TenantId,
        update: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError>;
    /// Appends an event and its audit entry.
    async fn record_event(
        &self,
        tenant: TenantId,
        event: NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError>;
    /// A tenant by id.
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// A tenant and one of its units, read with one statement: what every
    /// command about a unit needs first (a round trip fewer than `tenant` and
    /// `unit`). `None` when either is missing.
    async fn tenant_and_unit(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<(Tenant, Unit)>, StoreError>;
    /// A tenant by slug.
    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant, by slug.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    /// Creates a unit.
    async fn create_unit(
        &self,
        tenant: TenantId,
        new: NewUnit,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError>;
    /// A unit of the tenant.
    async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError>;
    /// The tenant's units in creation order.
    async fn units(
        &self,
        tenant: TenantId,
        include_archived: bool,
    ) -> Result<Vec<Unit>, StoreError>;

    /// Changes a unit (archiving is a change too). A lower inventory than the
    /// unit's active reservations need at their peak is CONFLICT.
    async fn update_unit(
        &self,
        tenant: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError>;
    /// The units of the tenant among `ids` (archived included), in any order;
    /// ids of other tenants are simply absent. One query, for batch loaders.
    async fn units_by_ids(&self, tenant: TenantId, ids: &[UnitId])
    -> Result<Vec<Unit>, StoreError>;

    /// Creates a client.
    async fn create_client(
        &self,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError>;
    /// A client of the tenant.
    async fn client(&self, tenant: TenantId, id: ClientId) -> Result<Option<Client>, StoreError>;

    /// Changes a client.
    async fn update_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError>;
    /// The tenant's clients matching the filter, in creation order.
    async fn clients(
        &self,
        tenant: TenantId,
        filter: &ClientFilter,
    ) -> Result<Vec<Client>, StoreError>;
    /// The clients of the tenant among `ids`, in any order. One query.
    async fn clients_by_ids(
        &self,
        tenant: TenantId,
        ids: &[ClientId],
    ) -> Result<Vec<Client>, StoreError>;

    /// Stores a new API key (only its hash).
    async fn create_api_key(
        &self,
        tenant: TenantId,
        new: NewApiKey,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError>;
    /// The tenant's API keys, revoked ones included, in creation order.
    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError>;
    /// A key and its secret's hash, to authenticate a request.
    async fn api_key_secret(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError>;
    /// Revokes a key; revoking a revoked key changes nothing.
    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError>;

    /// Creates a user; a taken e-mail address is CONFLICT.
    async fn create_user(
        &self,
        tenant: TenantId,
        new: crate::user::NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::user::User, StoreError>;
    /// A user and their password hash, by e-mail address.
    async fn user_credentials(
        &self,
        tenant: TenantId,
        email: &crate::user::Email,
    ) -> Result<Option<(crate::user::User, String)>, StoreError>;
    /// A user of the tenant.
    async fn user(
        &self,
        tenant: TenantId,
        id: crate::ids::UserId,
    ) -> Result<Option<crate::user::User>, StoreError>;
    /// The tenant's users in creation order, disabled ones included.
    async fn users(&self, tenant: TenantId) -> Result<Vec<crate::user::User>, StoreError>;
    /// Changes a user: role, disabled, password (see `UserPatch`); a change that
    /// ends sessions moves `session_epoch` on and releases the user's locks.
    /// NOT_FOUND for a user of no tenant's; CONFLICT when the tenant would be
    /// left without an active owner.
    async fn update_user(
        &self,
        tenant: TenantId,
        id: crate::ids::UserId,
        patch: crate::user::UserPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::user::User, StoreError>;

    /// Inserts a reservation if capacity allows, or returns the original one for
    /// a repeated idempotency key.
    async fn insert_reservation(
        &self,
        tenant: TenantId,
        new: NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError>;
    /// Moves or resizes a reservation if capacity (excluding itself) allows.
    async fn change_reservation(
        &self,
        tenant: TenantId,
        change: PeriodChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError>;
    /// Applies a state transition.
    async fn transition_reservation(
        &self,
        tenant: TenantId,
        transition: Transition,
        actor: &Actor,
    ) -> Result<Reservation, StoreError>;
    /// A reservation of the tenant.
    async fn reservation(
        &self,
        tenant: TenantId,
        id: ReservationId,
    ) -> Result<Option<Reservation>, StoreError>;
    /// The reservation created with this idempotency key.
    async fn reservation_by_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
    ) -> Result<Option<Reservation>, StoreError>;
    /// Reservations matching the filter, oldest first.
    async fn reservations(
        &self,
        tenant: TenantId,
        filter: &ReservationFilter,
    ) -> Result<Vec<Reservation>, StoreError>;
    /// Capacity-taking reservations of these units whose occupied interval
    /// overlaps `range`, and their calendar blocks overlapping it, each as
    /// taking the unit's whole inventory.
    async fn occupancy(
        &self,
        tenant: TenantId,
        units: &[UnitId],
        range: &TimeRange,
    ) -> Result<Vec<Occupancy>, StoreError>;

    /// Takes a lock, unless another session holds a live lock that overlaps it
    /// (LOCKED, naming that lock). On PostgreSQL the unit row is locked first, so
    /// a lock and a booking of the same unit never interleave.
    async fn acquire_lock(
        &self,
        tenant: TenantId,
        new: NewLock,
        actor: &Actor,
    ) -> Result<Lock, StoreError>;
    /// Extends a live lock of `session` to `expires_at`; NOT_FOUND when there is
    /// none (never taken, released, expired, or another session's).
    async fn renew_lock(
        &self,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        expires_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError>;
    /// Releases a live lock of `session`; NOT_FOUND as for `renew_lock`.
    async fn release_lock(
        &self,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError>;
    /// Releases every lock of `session` (its WebSocket closed).
    async fn release_session_locks(
        &self,
        tenant: TenantId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError>;
    /// The tenant's live locks at `now`, oldest first.
    async fn locks(&self, tenant: TenantId, now: DateTime<Utc>) -> Result<Vec<Lock>, StoreError>;
    /// Removes the tenant's locks whose lease ended by `now`, each with a
    /// `lock.expired` event; returns them.
    async fn expire_locks(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError>;

    /// Appends an audit entry that goes with no other write (a sign-in).
    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError>;
    /// The tenant's audit entries matching `filter`, newest first, after
    /// `after`; at most `limit`. One query.
    async fn audit_log(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// The audit entries about one entity, oldest first (its most recent
    /// [`AUDIT_HISTORY_LIMIT`]).
    async fn audit_entries(
        &self,
        tenant: TenantId,
        entity_id: Uuid,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let filter = AuditFilter {
            entity_id: Some(entity_id),
            ..AuditFilter::default()
        };
        let mut entries = self
            .audit_log(tenant, &filter, None, AUDIT_HISTORY_LIMIT)
            .await?;
        entries.reverse();
        Ok(entries)
    }
    /// The tenant's outbox events after `after`, in stream order; only events
    /// whose position can no longer be preceded by a later commit (see
    /// [`EventCursor`]).
    async fn events_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// Like [`Store::events_after`], only the events of `kinds`: a page of a
    /// filtered stream, read where the filter is (the store), so that a page
    /// is full whenever matching events exist.
    async fn events_of_kinds_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: &[crate::event::EventKind],
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
    /// How many events the tenant's outbox holds, including committed ones that
    /// `events_after` does not hand out yet (an older transaction is still open).
    async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError>;
    /// The position of the tenant's latest readable event ([`EventCursor::START`]
    /// when there is none): where a live-only subscriber starts.
    async fn latest_event_cursor(&self, tenant: TenantId) -> Result<EventCursor, StoreError>;
    /// Ticks after every commit this store instance made (every write appends an
    /// event): a wake-up for readers of the outbox in this process. Writes of
    /// other processes are not seen here; readers poll for those.
    fn commits(&self) -> tokio::sync::watch::Receiver<u64>;
}
