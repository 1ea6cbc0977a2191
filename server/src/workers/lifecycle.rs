//! The lifecycle worker: every few seconds, for every tenant, expires holds past
//! their deadline and marks confirmed stays without a check-in past the policy's
//! `no_show_deadline` as absent (see `berth_core::lifecycle`). Each transition is
//! made against the version read, so several instances never apply one twice;
//! a reservation under someone's lock waits for a later round. Stops with the
//! server.

use std::time::Duration;

use berth_core::Engine;
use tokio::sync::watch;

/// How often the worker looks.
pub const INTERVAL: Duration = Duration::from_secs(2);

/// One round over every tenant; returns (holds expired, stays marked absent).
pub async fn run_once(engine: &Engine) -> (usize, usize) {
    let tenants = match engine.store().tenants().await {
        Ok(tenants) => tenants,
        Err(e) => {
            tracing::warn!(error = ?e, "lifecycle: listing tenants");
            return (0, 0);
        }
    };
    let (mut expired, mut absent) = (0, 0);
    for tenant in tenants {
        match engine.expire_holds(tenant.id).await {
            Ok(done) => expired += done.len(),
            Err(e) => tracing::warn!(tenant = %tenant.slug, error = ?e, "expiring holds"),
        }
        match engine.mark_no_shows(tenant.id).await {
            Ok(done) => absent += done.len(),
            Err(e) => tracing::warn!(tenant = %tenant.slug, error = ?e, "marking no-shows"),
        }
    }
    if expired + absent > 0 {
        tracing::info!(expired, absent, "lifecycle round");
    }
    (expired, absent)
}

/// Runs the worker until `stop` turns true.
pub fn spawn(engine: Engine, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|stopping| *stopping) => break,
            }
            run_once(&engine).await;
        }
    })
}
