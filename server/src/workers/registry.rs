//! Every worker of `berth serve`, built from its settings and started in one
//! place ([`start`]), and stopped together ([`Running::stop`]). A new worker is
//! one more line here.

use std::sync::Arc;

use berth_core::Engine;
use berth_policy::registry::PolicyRegistry;

use super::{WorkerHandle, spawn};
use crate::cli::ServeArgs;
use crate::workers::mail::SmtpConfig;
use crate::workers::push::VapidKey;
use crate::workers::retention;
use crate::workers::{
    calendar_sync, client_retention, event_retention, lifecycle, lock_expiry, mail, push, webhooks,
};

/// The running workers.
#[derive(Debug)]
pub struct Running {
    workers: Vec<WorkerHandle>,
}

impl Running {
    /// Stops every worker, together: each gives a pass in flight its grace (the
    /// longest, a calendar fetch's, 21 s), well within compose's 30 s
    /// stop_grace_period.
    pub async fn stop(self) {
        futures_util::future::join_all(self.workers.into_iter().map(WorkerHandle::stop)).await;
    }
}

/// Builds and starts every worker `args` turns on: policy versions (saved
/// tenant directories published, publications followed), lock expiry, lifecycle,
/// webhook and push deliveries, calendar sync, tenant sync (the registry's
/// changes written to the database, after `serve` applied the first load),
/// the e-mail templates and, with SMTP, the e-mail; event and client retention
/// unless off. Fails only on e-mail settings the SMTP client refuses.
pub fn start(
    args: &ServeArgs,
    engine: &Engine,
    registry: &Arc<PolicyRegistry>,
    vapid: Arc<VapidKey>,
    smtp: Option<SmtpConfig>,
    versions: crate::tenants::versions::Follower,
) -> anyhow::Result<Running> {
    let store = engine.store();
    let clock = engine.clock();
    let mut workers = vec![
        spawn(versions),
        spawn(crate::tenants::TenantSync::new(
            store.clone(),
            registry.clone(),
            args.demo,
        )),
        spawn(lock_expiry::Worker::new(store.clone(), clock.clone())),
        spawn(lifecycle::Worker::new(engine.clone())),
        spawn(webhooks::Worker::new(
            store.clone(),
            clock.clone(),
            webhooks::Config::from_args(&args.webhooks),
        )),
        spawn(push::worker(
            store.clone(),
            clock.clone(),
            vapid,
            &args.push,
        )),
        spawn(calendar_sync::Worker::new(
            engine.clone(),
            calendar_sync::Config::from_args(&args.calendar_sync),
        )),
    ];
    let (templates, mail) = mail::workers(engine.clone(), registry.clone(), smtp)?;
    workers.push(spawn(templates));
    workers.extend(mail.map(spawn));
    workers.extend(
        retention::worker::<event_retention::Events>(engine.clone(), args.event_retention_days)
            .map(spawn),
    );
    workers.extend(
        retention::worker::<client_retention::Clients>(engine.clone(), args.client_retention_days)
            .map(spawn),
    );
    Ok(Running { workers })
}
