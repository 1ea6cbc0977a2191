//! What the outbound queue workers (webhooks, web push, e-mail) share around
//! their stores' queues: the bounded enqueue steps of a pass, the periodic
//! pruning of finished items, and the jitter draw for the retry schedules.

use std::future::Future;
use std::sync::Mutex;

use berth_core::ids::TenantId;
use berth_core::store::{Store, StoreError};
use berth_core::webhook::Enqueued;
use chrono::{DateTime, Utc};

/// Queues a tenant's new events with `enqueue`, in at most four steps — a
/// bounded number per pass, so one busy tenant cannot starve the others —
/// adding what each step queued to `queued`, and to `more` whether work is left
/// (which brings the next pass at once).
pub async fn enqueue_steps<F>(
    queued: &mut u64,
    more: &mut bool,
    enqueue: impl Fn() -> F,
) -> Result<(), StoreError>
where
    F: Future<Output = Result<Enqueued, StoreError>>,
{
    for _ in 0..4 {
        let step = enqueue().await?;
        *queued += step.deliveries;
        *more |= step.more;
        if !step.more {
            break;
        }
    }
    Ok(())
}

/// When the finished items of a queue were last pruned.
#[derive(Debug, Default)]
pub struct Pruner {
    last: Mutex<Option<DateTime<Utc>>>,
}

impl Pruner {
    /// When `every` has passed since the last prune (or none ran yet): for
    /// every tenant, `prune` deletes up to `batch` finished items at a time, up
    /// to ten times (a batch short of `batch` ends the tenant's turn); how many
    /// were deleted. Otherwise nothing, 0.
    pub async fn run_if_due<F>(
        &self,
        now: DateTime<Utc>,
        every: chrono::Duration,
        store: &dyn Store,
        batch: u32,
        prune: impl Fn(TenantId) -> F,
    ) -> Result<u64, StoreError>
    where
        F: Future<Output = Result<u64, StoreError>>,
    {
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|at| now - at < every) {
                return Ok(0);
            }
            *last = Some(now);
        }
        let mut pruned = 0;
        for tenant in store.tenants().await? {
            for _ in 0..10 {
                let deleted = prune(tenant.id).await?;
                pruned += deleted;
                if deleted < u64::from(batch) {
                    break;
                }
            }
        }
        Ok(pruned)
    }
}

/// A jitter draw (0–1000) for the retry schedule, from the OS random source.
pub fn jitter() -> u16 {
    u16::try_from(uuid::Uuid::new_v4().as_u128() % 1001).unwrap_or(500)
}
