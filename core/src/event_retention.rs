//! Event retention: a tenant's events (the outbox behind subscriptions,
//! `events`, webhooks and push) are deleted once they are older than the
//! operator's retention period *and* every queue that reads them (each active
//! webhook, the push queue) has passed them — a webhook that keeps failing
//! keeps its events. Off unless the operator sets a period (`berth serve
//! --event-retention-days`); the audit log is never pruned. The e-mail queue
//! does not hold events back: it mails nothing older than
//! [`crate::mail::STALE_AFTER`], a day, and the period is at least one
//! (docs/decisions/0116).
//!
//! The store remembers how far deletion went (a position). A client resuming
//! from a cursor before it is refused with INVALID_INPUT naming `after`, since
//! events after its cursor may be gone: it must catch up another way (read
//! the reservations) and follow on from a newer cursor, or from none.

use chrono::Duration;

use crate::engine::Engine;
use crate::error::EngineError;
use crate::event::EventCursor;
use crate::ids::TenantId;

/// Events deleted per statement.
pub const PRUNE_BATCH: u32 = 1_000;
/// Statements per tenant per prune (the next prune goes on).
pub const PRUNE_BATCHES: u32 = 10;

impl Engine {
    /// Deletes the tenant's events older than `keep` that every reader has
    /// passed: how many.
    pub async fn prune_events(&self, tenant: TenantId, keep: Duration) -> Result<u64, EngineError> {
        let before = self.clock.now() - keep;
        let mut pruned = 0;
        for _ in 0..PRUNE_BATCHES {
            let batch = self.store.prune_events(tenant, before, PRUNE_BATCH).await?;
            pruned += batch;
            if batch < u64::from(PRUNE_BATCH) {
                break;
            }
        }
        Ok(pruned)
    }

    /// Refuses a resume from `after` when events after it may have been
    /// deleted (INVALID_INPUT on `after`).
    pub async fn check_resumable(
        &self,
        tenant: TenantId,
        after: EventCursor,
    ) -> Result<(), EngineError> {
        match self.store.events_pruned_through(tenant).await? {
            Some(mark) if after < mark => Err(EngineError::InvalidInput {
                field: "after",
                message: format!(
                    "events up to {mark} were deleted (older than the retention period), so \
                     some after `{after}` may be missing; resume from a newer cursor, or from none"
                ),
            }),
            _ => Ok(()),
        }
    }
}
