//! The webhook delivery worker. Each pass, for every tenant with webhooks, it
//! queues deliveries for the new events (from each webhook's position in the
//! outbox), claims the due ones (a lease, so several instances never send the
//! same attempt) and sends them with bounded concurrency, signed per Standard
//! Webhooks; each outcome is recorded, and a failure is retried on the schedule
//! of `berth_core::webhook::retry_delay` until the attempts run out.
//!
//! Passes run when this instance commits (`Store::commits`), on an interval (other
//! instances write too, and retries come due), and at once again while a pass
//! found more work than one batch. Time comes from the injected clock, so tests
//! drive [`Worker::run_once`] and move the clock instead of sleeping.

mod send;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use berth_core::clock::Clock;
use berth_core::store::{Store, StoreError};
use berth_core::webhook::{AttemptReport, ClaimedDelivery, NextStep};
use futures_util::StreamExt;

use crate::workers::queue::{Pruner, enqueue_steps, jitter};
use crate::workers::{Trigger, Wake};

pub use send::Sender;

/// Webhook settings of `berth serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct WebhookArgs {
    /// Let webhooks call loopback, private-network and link-local addresses.
    /// Off by default: webhook URLs are tenant input, and must not reach the
    /// operator's own network (or a cloud metadata service).
    #[arg(long, env = "BERTH_WEBHOOK_ALLOW_PRIVATE_TARGETS")]
    pub webhook_allow_private_targets: bool,
    /// Webhook messages sent at the same time, at most.
    #[arg(
        long,
        value_name = "N",
        env = "BERTH_WEBHOOK_CONCURRENCY",
        default_value_t = 8,
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    pub webhook_concurrency: u16,
}

/// How the worker behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Messages in flight at once, at most.
    pub concurrency: usize,
    /// One attempt's time limit (resolve, connect, TLS, response head).
    pub timeout: Duration,
    /// How often a pass runs without a local commit.
    pub poll: Duration,
    /// How long a claim holds a delivery: well beyond `timeout`.
    pub lease: chrono::Duration,
    /// Deliveries claimed per tenant per pass.
    pub batch: u32,
    /// Events read per enqueue step.
    pub enqueue_batch: u32,
    /// Whether loopback and private addresses may be called.
    pub allow_private_targets: bool,
    /// How often finished deliveries older than `KEEP_FINISHED` are pruned.
    pub prune_every: chrono::Duration,
    /// Deliveries pruned per statement (a tenant gets up to ten per prune).
    pub prune_batch: u32,
}

impl Config {
    /// The defaults, with the command line's settings.
    pub fn from_args(args: &WebhookArgs) -> Self {
        Self {
            concurrency: usize::from(args.webhook_concurrency),
            allow_private_targets: args.webhook_allow_private_targets,
            ..Self::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency: 8,
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            lease: chrono::Duration::seconds(60),
            batch: 32,
            enqueue_batch: 500,
            allow_private_targets: false,
            prune_every: chrono::Duration::hours(1),
            prune_batch: 1000,
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Deliveries queued.
    pub queued: u64,
    /// Attempts made.
    pub attempted: u64,
    /// Attempts the endpoint accepted.
    pub delivered: u64,
    /// Attempts that failed and will be retried.
    pub retrying: u64,
    /// Attempts that failed for the last time.
    pub failed: u64,
    /// Finished deliveries pruned (their 30 days over).
    pub pruned: u64,
    /// True when there was more work than one pass takes.
    pub more: bool,
}

/// The worker.
#[derive(Debug)]
pub struct Worker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sender: Sender,
    config: Config,
    /// When the last prune ran.
    pruned_at: Pruner,
}

impl Worker {
    /// A worker over `store`, with time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self {
            sender: Sender::new(config.timeout, config.allow_private_targets),
            store,
            clock,
            config,
            pruned_at: Pruner::default(),
        }
    }

    /// One pass over every tenant with webhooks at the clock's current instant.
    /// A tenant whose queue fails is logged and skipped; only failing to list
    /// the tenants fails the pass.
    pub async fn run_once(&self) -> Result<Pass, StoreError> {
        let now = self.clock.now();
        let mut pass = Pass::default();
        let mut claimed = Vec::new();
        for tenant in self.store.webhook_tenants().await? {
            match self.prepare(tenant, now, &mut pass).await {
                Ok(batch) => claimed.extend(batch),
                Err(e) => tracing::warn!(%tenant, error = ?e, "webhook queue of a tenant failed"),
            }
        }
        let outcomes: Vec<Option<NextStep>> = futures_util::stream::iter(claimed)
            .map(|c| self.attempt(c))
            .buffer_unordered(self.config.concurrency)
            .collect()
            .await;
        for outcome in outcomes.into_iter().flatten() {
            pass.attempted += 1;
            match outcome {
                NextStep::Delivered => pass.delivered += 1,
                NextStep::RetryAt(_) => pass.retrying += 1,
                NextStep::Failed => pass.failed += 1,
            }
        }
        pass.pruned = self.prune_if_due(now).await?;
        Ok(pass)
    }

    /// Every `prune_every`: deletes each tenant's delivered and failed
    /// deliveries older than `KEEP_FINISHED` (all tenants: one whose last
    /// webhook is deleted keeps a log to prune).
    async fn prune_if_due(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64, StoreError> {
        let before = now - berth_core::webhook::KEEP_FINISHED;
        let batch = self.config.prune_batch;
        let pruned = self
            .pruned_at
            .run_if_due(
                now,
                self.config.prune_every,
                &*self.store,
                batch,
                |tenant| self.store.prune_webhook_deliveries(tenant, before, batch),
            )
            .await?;
        if pruned > 0 {
            metrics::counter!("berth_webhook_deliveries_pruned_total").increment(pruned);
            tracing::info!(pruned, "pruned finished webhook deliveries");
        }
        Ok(pruned)
    }

    /// Queues the tenant's new events and claims its due deliveries.
    async fn prepare(
        &self,
        tenant: berth_core::ids::TenantId,
        now: chrono::DateTime<chrono::Utc>,
        pass: &mut Pass,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        enqueue_steps(&mut pass.queued, &mut pass.more, || {
            self.store
                .enqueue_deliveries(tenant, now, self.config.enqueue_batch)
        })
        .await?;
        let claimed = self
            .store
            .claim_deliveries(tenant, now, self.config.lease, self.config.batch)
            .await?;
        pass.more |= claimed.len() >= self.config.batch as usize;
        Ok(claimed)
    }

    /// Sends one claimed delivery and records the outcome; `None` when the
    /// outcome could not be recorded (the lease then lapses and it is retried).
    async fn attempt(&self, claimed: ClaimedDelivery) -> Option<NextStep> {
        let message = claimed.sign(self.clock.now());
        let result = self.sender.post(&claimed.url, &message).await;
        let report = AttemptReport::new(&claimed, self.clock.now(), result, jitter());
        let outcome = match report.next {
            NextStep::Delivered => "delivered",
            NextStep::RetryAt(_) => "retrying",
            NextStep::Failed => "failed",
        };
        metrics::counter!("berth_webhook_attempts_total", "outcome" => outcome).increment(1);
        match self.store.finish_attempt(claimed.tenant_id, &report).await {
            Ok(true) => {
                tracing::debug!(
                    delivery = %claimed.id, webhook = %claimed.webhook_id,
                    attempt = claimed.attempt, outcome, error = ?report.error,
                    "webhook attempt"
                );
                Some(report.next)
            }
            Ok(false) => {
                tracing::warn!(delivery = %claimed.id, "webhook claim lapsed before its outcome was recorded");
                None
            }
            Err(e) => {
                tracing::warn!(delivery = %claimed.id, error = ?e, "recording a webhook attempt failed");
                None
            }
        }
    }
}

impl crate::workers::Worker for Worker {
    const NAME: &'static str = "webhook";
    fn trigger(&mut self) -> Trigger {
        Trigger::commits_or_every(self.store.commits(), self.config.poll)
    }
    /// In-flight attempts get their timeout to finish (and be recorded).
    fn grace(&self) -> Duration {
        self.config.timeout + Duration::from_secs(1)
    }
    async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
        self.run_once().await.map(|p| p.more)
    }
}
