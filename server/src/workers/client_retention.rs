//! The client-retention worker (`--client-retention-days`, off by default):
//! once an hour, for every tenant, erases the personal data of clients with
//! no activity for the period — no change to them and no stay of theirs
//! ending or still active in that time — as `eraseClient` would, as the
//! system (`berth_core::erasure`).

use berth_core::ids::TenantId;
use berth_core::{Engine, EngineError};

use crate::workers::retention::Sweep;

/// What this worker removes.
#[derive(Debug)]
pub struct Clients;

impl Sweep for Clients {
    const NAME: &'static str = "client retention";
    const COUNTER: &'static str = "berth_clients_erased_total";
    const DONE: &'static str = "erased clients inactive for the retention period";
    async fn sweep(
        engine: &Engine,
        tenant: TenantId,
        keep: chrono::Duration,
    ) -> Result<u64, EngineError> {
        engine.erase_inactive_clients(tenant, keep).await
    }
}

/// The worker (its tests drive it directly).
#[cfg(test)]
pub type Worker = crate::workers::retention::Worker<Clients>;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use berth_core::client::ClientFilter;
    use berth_core::store::Store;
    use berth_policy::registry::PolicyChange;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pass_erases_the_clients_inactive_for_the_period() {
        let store: Arc<dyn Store> =
            Arc::new(berth_core::testing::fresh_sqlite(&std::env::temp_dir()).await);
        let (registry, clock) = crate::tenants::demo_registry();
        let change = PolicyChange::Activated {
            slug: "alpine-cabins".into(),
            version: 1,
        };
        crate::tenants::apply(&store, &registry, &change, true)
            .await
            .unwrap();
        let tenant = store.tenants().await.unwrap().remove(0);
        let all = ClientFilter {
            include_archived: true,
            ..ClientFilter::default()
        };
        let clients = store.clients(tenant.id, &all).await.unwrap();
        assert!(!clients.is_empty(), "the demo seeds clients");
        let engine = Engine::new(store.clone(), registry, clock.clone());
        let worker = Worker::new(engine.clone(), 365);
        assert_eq!(worker.run_once().await.unwrap(), 0, "all are recent");
        // The demo's stays are confirmed (no one checked in): they end, but an
        // active reservation keeps its client. Cancel them, then wait a year.
        for r in store
            .reservations(tenant.id, &Default::default())
            .await
            .unwrap()
        {
            if !r.state.is_final() {
                engine
                    .cancel(
                        tenant.id,
                        r.id,
                        None,
                        None,
                        &berth_core::audit::Actor::System,
                    )
                    .await
                    .unwrap();
            }
        }
        clock.advance(chrono::Duration::days(400));
        let erased = worker.run_once().await.unwrap();
        assert_eq!(erased, clients.len() as u64);
        let left = store.clients(tenant.id, &all).await.unwrap();
        assert!(left.iter().all(|c| c.erased_at.is_some()));
        assert_eq!(worker.run_once().await.unwrap(), 0);
    }
}
