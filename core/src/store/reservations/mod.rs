//! Reservations: the booking transaction (idempotency, the unit as its
//! serialization point, locks, the client, the capacity check, the insert, the
//! audit entry and the event), period changes and state transitions, and the
//! reads (one, by idempotency key, filtered lists, occupancy). Written once for
//! both databases (`sql.rs`). PostgreSQL adds a second wall for units of
//! inventory 1: an exclusion constraint (btree_gist) over the rows marked
//! `exclusive` refuses overlapping active reservations whatever the
//! application does; its violation is answered as UNAVAILABLE.

use async_trait::async_trait;

use crate::audit::Actor;
use crate::ids::{ReservationId, TenantId, UnitId};
use crate::reservation::{IdempotencyKey, Reservation};
use crate::store::{
    Inserted, NewReservation, Occupancy, PeriodChange, ReservationFilter, StoreError, Transition,
};
use crate::time_range::TimeRange;

mod sql;

pub(crate) use sql::{Reservations, loads};

/// Reservations: booking, transitions, period changes and the reads around them.
#[async_trait]
pub trait ReservationStore: Send + Sync {
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
}
