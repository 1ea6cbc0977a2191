//! The shape both retention workers share (events, clients): once an hour,
//! for every tenant, delete or erase what is older than the operator's
//! period, count it in a Prometheus counter and log it. What each removes is
//! its [`Sweep`]; a tenant whose sweep fails is logged and skipped.

use std::future::Future;
use std::time::Duration;

use berth_core::ids::TenantId;
use berth_core::store::StoreError;
use berth_core::{Engine, EngineError};

use crate::workers::{Trigger, Wake};

/// How often a pass runs.
const EVERY: Duration = Duration::from_secs(3600);

/// What one retention worker removes, per tenant.
pub trait Sweep: Send + Sync + 'static {
    /// What logs call the worker (`event retention`).
    const NAME: &'static str;
    /// The counter of what was removed (`berth_events_pruned_total`).
    const COUNTER: &'static str;
    /// What a pass that removed something logs.
    const DONE: &'static str;
    /// Removes the tenant's items older than `keep`: how many.
    fn sweep(
        engine: &Engine,
        tenant: TenantId,
        keep: chrono::Duration,
    ) -> impl Future<Output = Result<u64, EngineError>> + Send;
}

/// A retention worker of `S`.
#[derive(Debug)]
pub struct Worker<S> {
    engine: Engine,
    keep: chrono::Duration,
    sweep: std::marker::PhantomData<S>,
}

impl<S: Sweep> Worker<S> {
    /// A worker keeping `days`.
    pub fn new(engine: Engine, days: u32) -> Self {
        Self {
            engine,
            keep: chrono::Duration::days(i64::from(days)),
            sweep: std::marker::PhantomData,
        }
    }

    /// One pass over every tenant: how many items went.
    pub async fn run_once(&self) -> Result<u64, StoreError> {
        let mut removed = 0;
        for tenant in self.engine.store().tenants().await? {
            match S::sweep(&self.engine, tenant.id, self.keep).await {
                Ok(n) => removed += n,
                Err(e) => {
                    tracing::warn!(tenant = %tenant.id, error = ?e, worker = S::NAME, "a retention pass failed for a tenant")
                }
            }
        }
        if removed > 0 {
            metrics::counter!(S::COUNTER).increment(removed);
            tracing::info!(removed, "{}", S::DONE);
        }
        Ok(removed)
    }
}

impl<S: Sweep> crate::workers::Worker for Worker<S> {
    const NAME: &'static str = S::NAME;
    /// Items age by time: passes run on the interval, not on commits.
    fn trigger(&mut self) -> Trigger {
        Trigger::every(EVERY)
    }
    fn grace(&self) -> Duration {
        Duration::from_secs(5)
    }
    async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
        self.run_once().await.map(|_| false)
    }
}

/// A retention worker of `S` for `berth serve`, unless it is off (0 days).
pub fn worker<S: Sweep>(engine: Engine, days: u32) -> Option<Worker<S>> {
    (days > 0).then(|| Worker::<S>::new(engine, days))
}
