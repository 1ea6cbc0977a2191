//! The lifecycle worker: every few seconds, for every tenant, expires holds past
//! their deadline and marks confirmed stays without a check-in past the policy's
//! `no_show_deadline` as absent (see `berth_core::lifecycle`). Each transition is
//! made against the version read, so several instances never apply one twice;
//! a reservation under someone's lock waits for a later round. Stops with the
//! server.

use std::time::Duration;

use berth_core::Engine;
use berth_core::store::StoreError;

use super::{Trigger, Wake};

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

/// The worker, for `berth serve`.
pub struct Worker {
    engine: Engine,
}

impl Worker {
    /// Rounds through `engine`.
    pub fn new(engine: Engine) -> Self {
        Self { engine }
    }
}

impl super::Worker for Worker {
    const NAME: &'static str = "lifecycle";
    fn trigger(&mut self) -> Trigger {
        Trigger::every(INTERVAL)
    }
    /// A round is a few transitions per tenant.
    fn grace(&self) -> Duration {
        Duration::from_secs(5)
    }
    async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
        run_once(&self.engine).await;
        Ok(false)
    }
}
