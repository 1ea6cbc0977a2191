//! The event-retention worker (`--event-retention-days`, off by default):
//! once an hour, for every tenant, deletes the events older than the period
//! that every webhook and the push queue have passed
//! (`berth_core::event_retention`).

use std::time::Duration;

use berth_core::Engine;
use berth_core::store::StoreError;
use tokio::sync::watch;

/// How often a pass runs.
const EVERY: Duration = Duration::from_secs(3600);

/// The worker.
#[derive(Debug)]
pub struct Worker {
    engine: Engine,
    keep: chrono::Duration,
}

impl Worker {
    /// A worker keeping `days` of events.
    pub fn new(engine: Engine, days: u32) -> Self {
        Self {
            engine,
            keep: chrono::Duration::days(i64::from(days)),
        }
    }

    /// One pass over every tenant: the events deleted. A tenant whose prune
    /// fails is logged and skipped.
    pub async fn run_once(&self) -> Result<u64, StoreError> {
        let mut pruned = 0;
        for tenant in self.engine.store().tenants().await? {
            match self.engine.prune_events(tenant.id, self.keep).await {
                Ok(n) => pruned += n,
                Err(e) => tracing::warn!(tenant = %tenant.id, error = ?e, "pruning events failed"),
            }
        }
        if pruned > 0 {
            metrics::counter!("berth_events_pruned_total").increment(pruned);
            tracing::info!(pruned, "deleted events past the retention period");
        }
        Ok(pruned)
    }
}

impl crate::passes::PassWorker for Worker {
    const NAME: &'static str = "event retention";
    /// Never ticks: events age by time.
    fn commits(&self) -> watch::Receiver<u64> {
        watch::channel(0).1
    }
    fn poll(&self) -> Duration {
        EVERY
    }
    fn grace(&self) -> Duration {
        Duration::from_secs(5)
    }
    async fn pass(&self) -> Result<bool, StoreError> {
        self.run_once().await.map(|_| false)
    }
}

/// Starts the worker for `berth serve`, unless retention is off (0 days).
pub fn start(engine: Engine, days: u32) -> Option<crate::passes::WorkerHandle> {
    (days > 0).then(|| crate::passes::spawn(Worker::new(engine, days)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use berth_core::store::Store;
    use berth_policy::registry::PolicyChange;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pass_deletes_every_tenants_events_past_the_period() {
        let store: Arc<dyn Store> =
            Arc::new(berth_core::testing::fresh_sqlite(&std::env::temp_dir()).await);
        let (registry, clock) = crate::tenants::demo_registry();
        for slug in ["alpine-cabins", "harbor-hotel"] {
            let change = PolicyChange::Activated {
                slug: slug.into(),
                version: 1,
            };
            crate::tenants::apply(&store, &registry, &change, false)
                .await
                .unwrap();
        }
        let engine = Engine::new(store.clone(), registry, clock.clone());
        let worker = Worker::new(engine, 30);
        let count = |store: Arc<dyn Store>| async move {
            let mut n = 0;
            for t in store.tenants().await.unwrap() {
                n += store.event_count(t.id).await.unwrap();
            }
            n
        };
        let before = count(store.clone()).await;
        assert!(before >= 2);
        let mut newest = None;
        for t in store.tenants().await.unwrap() {
            let events = store
                .events_after(t.id, berth_core::event::EventCursor::START, 100)
                .await
                .unwrap();
            newest = newest.max(events.iter().map(|e| e.at).max());
        }
        let newest = newest.unwrap();
        clock.set(newest + chrono::Duration::days(29));
        assert_eq!(worker.run_once().await.unwrap(), 0, "nothing old yet");
        clock.set(newest + chrono::Duration::days(31));
        assert_eq!(worker.run_once().await.unwrap(), before);
        assert_eq!(count(store).await, 0);
    }
}
