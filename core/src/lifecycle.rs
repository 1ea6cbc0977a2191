//! The reservation lifecycle that runs on its own: holds that pass their deadline
//! expire (and free their capacity), and confirmed reservations whose guest has
//! not checked in by the policy's `no_show_deadline` become `absent`. Each is a
//! normal transition by the system actor — one transaction with its audit entry
//! and event — made against the version the worker read, so two workers (or two
//! instances) never apply it twice: the second gets CONFLICT and moves on. A
//! reservation under another session's lock is left for a later round.

use std::collections::HashMap;

use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::TenantId;
use crate::reservation::Reservation;
use crate::state::{ReservationState, StateAction};
use crate::store::ReservationFilter;

/// How many reservations one round looks at per tenant and kind.
const ROUND: u32 = 500;

impl Engine {
    /// Applies `action` to `r` as the system, unless someone changed it first or
    /// holds a lock on it (then `None`).
    async fn system_transition(
        &self,
        tenant_id: TenantId,
        r: &Reservation,
        action: StateAction,
        reason: &str,
    ) -> Result<Option<Reservation>, EngineError> {
        let details = serde_json::json!({ "reason": reason });
        match self
            .try_transition(
                tenant_id,
                r.id,
                action,
                Some(r.version),
                details,
                &Actor::System,
            )
            .await
        {
            Ok(after) => Ok(Some(after)),
            Err(
                EngineError::Conflict(_) | EngineError::Locked(_) | EngineError::NotFound { .. },
            ) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Expires the tenant's holds whose deadline has passed; returns them.
    pub async fn expire_holds(&self, tenant_id: TenantId) -> Result<Vec<Reservation>, EngineError> {
        let due = self
            .store
            .reservations(
                tenant_id,
                &ReservationFilter {
                    states: vec![ReservationState::Held],
                    hold_expired_by: Some(self.clock.now()),
                    limit: Some(ROUND),
                    ..ReservationFilter::default()
                },
            )
            .await?;
        let mut expired = Vec::new();
        for r in &due {
            if let Some(after) = self
                .system_transition(tenant_id, r, StateAction::ExpireHold, "the hold expired")
                .await?
            {
                expired.push(after);
            }
        }
        Ok(expired)
    }

    /// Marks the tenant's confirmed reservations whose guest has not checked in
    /// by the policy's deadline as absent; returns them.
    pub async fn mark_no_shows(
        &self,
        tenant_id: TenantId,
    ) -> Result<Vec<Reservation>, EngineError> {
        let now = self.clock.now();
        let started = self
            .store
            .reservations(
                tenant_id,
                &ReservationFilter {
                    states: vec![ReservationState::Confirmed],
                    started_by: Some(now),
                    limit: Some(ROUND),
                    ..ReservationFilter::default()
                },
            )
            .await?;
        if started.is_empty() {
            return Ok(Vec::new());
        }
        let tenant = self.tenant(tenant_id).await?;
        let policy = self.policies.policy(&tenant)?;
        let mut units = HashMap::new();
        let mut absent = Vec::new();
        for r in &started {
            let unit = match units.entry(r.unit_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(self.unit(tenant_id, r.unit_id).await?)
                }
            };
            let unit = &*unit;
            let deadline = r.period.start() + policy.no_show_after(&self.ctx(&tenant, unit), r)?;
            if now < deadline {
                continue;
            }
            if let Some(after) = self
                .system_transition(
                    tenant_id,
                    r,
                    StateAction::MarkAbsent,
                    "no check-in by the deadline",
                )
                .await?
            {
                absent.push(after);
            }
        }
        Ok(absent)
    }
}
