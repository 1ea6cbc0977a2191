//! The engine's lock commands: take a lock on a unit's period (resolved by the
//! tenant's policy, so a nightly lock covers the same occupied interval a booking
//! would), on a whole unit, or on a reservation; renew, release, list, and expire.
//! Locks are held by the engine's session ([`Engine::for_session`]).

use chrono::Duration;

use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{LockId, ReservationId, TenantId, UnitId};
use crate::lock::{Lock, LockHolder, MAX_LEASE, NewLock, SessionId};
use crate::policy::PeriodRequest;
use crate::time_range::TimeRange;

/// What to lock.
#[derive(Clone, Debug, PartialEq)]
pub enum LockTarget {
    /// A unit over a period (as the tenant's model reads it), or the whole unit.
    Unit {
        /// The unit.
        unit_id: UnitId,
        /// The period; `None` locks the whole unit.
        period: Option<PeriodRequest>,
    },
    /// A reservation (and the unit's period it occupies).
    Reservation(ReservationId),
}

impl Engine {
    fn lock_session(&self) -> Result<&SessionId, EngineError> {
        self.session
            .as_ref()
            .ok_or_else(|| EngineError::InvalidInput {
                field: "session",
                message: "locks are held by a session; none is known for this request".into(),
            })
    }

    fn lease(lease: Duration) -> Result<Duration, EngineError> {
        if lease < Duration::seconds(1) || lease > MAX_LEASE {
            return Err(EngineError::InvalidInput {
                field: "ttlSeconds",
                message: format!("a lease lasts 1 to {} seconds", MAX_LEASE.num_seconds()),
            });
        }
        Ok(lease)
    }

    /// What a lock on `target` covers: the unit, its occupied range (`None`:
    /// the whole unit) and the reservation it is on, if any.
    async fn lock_scope(
        &self,
        tenant_id: TenantId,
        target: LockTarget,
    ) -> Result<(UnitId, Option<TimeRange>, Option<ReservationId>), EngineError> {
        match target {
            LockTarget::Unit {
                unit_id,
                period: None,
            } => Ok((unit_id, None, None)),
            LockTarget::Unit {
                unit_id,
                period: Some(period),
            } => {
                let (tenant, unit) = self.tenant_and_unit(tenant_id, unit_id).await?;
                let policy = self.policies.policy(&tenant)?;
                let resolved = policy.resolve_period(&self.ctx(&tenant, &unit), &period)?;
                Ok((unit_id, Some(resolved.occupied), None))
            }
            LockTarget::Reservation(id) => {
                let r = self.reservation(tenant_id, id).await?;
                Ok((r.unit_id, Some(r.occupied), Some(r.id)))
            }
        }
    }

    /// Takes a lock for this engine's session, held by `actor` shown as
    /// `display_name`, for `lease` unless renewed. Another session's overlapping
    /// live lock is LOCKED (naming its holder); that refusal is also recorded as
    /// a `lock.conflict` event.
    pub async fn acquire_lock(
        &self,
        tenant_id: TenantId,
        target: LockTarget,
        actor: &Actor,
        display_name: &str,
        lease: Duration,
    ) -> Result<Lock, EngineError> {
        let result: Result<Lock, EngineError> = async {
            let session = self.lock_session()?.clone();
            let lease = Self::lease(lease)?;
            let (unit_id, range, reservation_id) = self.lock_scope(tenant_id, target).await?;
            let now = self.clock.now();
            let new = NewLock {
                unit_id,
                range,
                reservation_id,
                holder: LockHolder {
                    actor: actor.clone(),
                    display_name: display_name.to_owned(),
                    session,
                },
                expires_at: now + lease,
                now,
            };
            Ok(self.store.acquire_lock(tenant_id, new, actor).await?)
        }
        .await;
        self.noting_conflict(tenant_id, actor, result).await
    }

    /// Extends a lock of this session by `lease` from now.
    pub async fn renew_lock(
        &self,
        tenant_id: TenantId,
        id: LockId,
        lease: Duration,
        actor: &Actor,
    ) -> Result<Lock, EngineError> {
        let session = self.lock_session()?;
        let lease = Self::lease(lease)?;
        let now = self.clock.now();
        Ok(self
            .store
            .renew_lock(tenant_id, id, session, now + lease, actor, now)
            .await?)
    }

    /// Releases a lock of this session.
    pub async fn release_lock(
        &self,
        tenant_id: TenantId,
        id: LockId,
        actor: &Actor,
    ) -> Result<Lock, EngineError> {
        let session = self.lock_session()?;
        Ok(self
            .store
            .release_lock(tenant_id, id, session, actor, self.clock.now())
            .await?)
    }

    /// Releases every lock of this session (its connection closed).
    pub async fn release_session_locks(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<Vec<Lock>, EngineError> {
        let session = self.lock_session()?;
        Ok(self
            .store
            .release_session_locks(tenant_id, session, actor, self.clock.now())
            .await?)
    }

    /// The tenant's live locks.
    pub async fn locks(&self, tenant_id: TenantId) -> Result<Vec<Lock>, EngineError> {
        Ok(self.store.locks(tenant_id, self.clock.now()).await?)
    }

    /// Ends the tenant's locks whose lease ran out (the expiry worker's step).
    pub async fn expire_locks(&self, tenant_id: TenantId) -> Result<Vec<Lock>, EngineError> {
        Ok(self.store.expire_locks(tenant_id, self.clock.now()).await?)
    }
}
