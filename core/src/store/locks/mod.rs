//! Locks: an editor's lease on a unit, one of its ranges or a reservation,
//! which keeps other sessions' writes off it until released or expired (see
//! `crate::lock`). The store takes, renews, releases and expires them, and
//! checks them in every write to a unit or reservation
//! ([`Locks::ensure_unlocked`]); written once for both databases (`sql.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::ids::{LockId, TenantId};
use crate::lock::{Lock, NewLock, SessionId};
use crate::store::StoreError;

mod sql;

pub(crate) use sql::Locks;

/// Soft locks on units, periods and reservations.
#[async_trait]
pub trait LockStore: Send + Sync {
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
}
