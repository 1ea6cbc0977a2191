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
use tokio::sync::watch;

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

/// Runs the worker until `stop` turns true.
pub fn spawn(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|stopping| *stopping) => break,
            }
            run_once(&*store, &*clock).await;
        }
    })
}
