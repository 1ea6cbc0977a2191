//! The event-retention worker (`--event-retention-days`, off by default):
//! once an hour, for every tenant, deletes the events older than the period
//! that every webhook and the push queue have passed
//! (`berth_core::event_retention`).

use berth_core::ids::TenantId;
use berth_core::{Engine, EngineError};

use crate::workers::retention::Sweep;

/// What this worker removes.
#[derive(Debug)]
pub struct Events;

impl Sweep for Events {
    const NAME: &'static str = "event retention";
    const COUNTER: &'static str = "berth_events_pruned_total";
    const DONE: &'static str = "deleted events past the retention period";
    async fn sweep(
        engine: &Engine,
        tenant: TenantId,
        keep: chrono::Duration,
    ) -> Result<u64, EngineError> {
        engine.prune_events(tenant, keep).await
    }
}

/// The worker (its tests drive it directly).
#[cfg(test)]
pub type Worker = crate::workers::retention::Worker<Events>;

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
