//! The lock expiry worker: every second, ends the locks whose lease ran out (each
//! with a `lock.expired` event, which subscribers of `lockEvents` see). Expired
//! locks already stop blocking anyone the moment their lease ends; this only
//! clears them and tells the others. Safe with several instances: on PostgreSQL
//! each expired lock is claimed by one of them (`FOR UPDATE SKIP LOCKED`), and an
//! already ended lock is not reported twice.

use std::sync::Arc;
use std::time::Duration;

use berth_core::clock::Clock;
use berth_core::store::Store;
use berth_core::store::StoreError;

use super::{Trigger, Wake};

/// How often the worker looks.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// Ends every tenant's expired locks as of `clock`'s now; returns how many.
pub async fn run_once(store: &dyn Store, clock: &dyn Clock) -> usize {
    let tenants = match store.tenants().await {
        Ok(tenants) => tenants,
        Err(e) => {
            tracing::warn!(error = ?e, "lock expiry: listing tenants");
            return 0;
        }
    };
    let mut ended = 0;
    for tenant in tenants {
        match store.expire_locks(tenant.id, clock.now()).await {
            Ok(locks) => ended += locks.len(),
            Err(e) => tracing::warn!(tenant = %tenant.slug, error = ?e, "lock expiry"),
        }
    }
    ended
}

/// The worker, for `berth serve`.
pub struct Worker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Worker {
    /// Ends the locks of `store` as of `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }
}

impl super::Worker for Worker {
    const NAME: &'static str = "lock expiry";
    fn trigger(&mut self) -> Trigger {
        Trigger::every(INTERVAL)
    }
    /// A round is a few quick writes per tenant.
    fn grace(&self) -> Duration {
        Duration::from_secs(5)
    }
    async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
        run_once(&*self.store, &*self.clock).await;
        Ok(false)
    }
}
