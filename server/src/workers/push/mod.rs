//! The web push worker. Each pass, for every tenant with registered devices, it
//! queues notifications for the new events (from the tenant's position in the
//! outbox: reservations created, changed and canceled, no-shows and lock
//! conflicts, to the owners, admins and staff who want them), claims the due
//! ones (a lease, so several instances never send the same attempt), renders
//! each into its small JSON message, encrypts it for the device and sends it
//! with VAPID, with bounded concurrency. A push service answering 404 or 410
//! has dropped the subscription: the device is removed. Other failures are
//! retried on the schedule of `berth_core::push::retry_delay` until the
//! attempts run out.
//!
//! Passes run when this instance commits (`Store::commits`), on an interval
//! (other instances write too, and retries come due), and at once again while a
//! pass found more work than one batch. Time comes from the injected clock, so
//! tests drive [`Worker::run_once`] and move the clock instead of sleeping.

mod send;
#[cfg(test)]
mod tests;
pub mod vapid;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use berth_core::clock::Clock;
use berth_core::ids::{TenantId, UnitId};
use berth_core::push::{ClaimedPush, Notification, NotificationKind, PushNext, PushReport};
use berth_core::store::{Store, StoreError};
use berth_core::tenant::Tenant;
use futures_util::StreamExt;

use crate::workers::queue::{enqueue_steps, jitter};
use crate::workers::{Trigger, Wake};

pub use send::PushSender;
pub use vapid::VapidKey;

/// Web push settings of `berth serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct PushArgs {
    /// File holding the VAPID private key that signs web push messages (created
    /// on first start when absent, unless BERTH_VAPID_PRIVATE_KEY gives the key
    /// itself). Default: `vapid-key` beside the token-signing secret's file.
    /// Every instance must share it: browsers subscribe with its public key.
    #[arg(long, value_name = "FILE", env = "BERTH_VAPID_KEY_FILE")]
    pub vapid_key_file: Option<PathBuf>,
    /// The contact push services may use about this server's messages (the
    /// VAPID `sub`): a `mailto:` or `https:` URL. Optional in RFC 8292, but some
    /// push services (Apple's) refuse messages without it.
    #[arg(
        long,
        value_name = "URL",
        env = "BERTH_VAPID_SUBJECT",
        value_parser = parse_subject
    )]
    pub vapid_subject: Option<String>,
    /// Let web push call loopback, private-network and link-local addresses,
    /// and accept `http` endpoints (for local and test push services). Off by
    /// default: endpoints come from browsers, that is from users.
    #[arg(long, env = "BERTH_PUSH_ALLOW_PRIVATE_TARGETS")]
    pub push_allow_private_targets: bool,
}

fn parse_subject(value: &str) -> Result<String, String> {
    let value = value.trim();
    let ok = value
        .strip_prefix("mailto:")
        .is_some_and(|a| a.contains('@'))
        || value.starts_with("https://");
    let printable = value.bytes().all(|b| b.is_ascii_graphic());
    if ok && printable {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "`{value}` is not a mailto: or https: URL (e.g. mailto:ops@example.org)"
        ))
    }
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
    /// The VAPID `sub`, when the operator gave one.
    pub subject: Option<String>,
}

impl Config {
    /// The defaults, with the command line's settings.
    pub fn from_args(args: &PushArgs) -> Self {
        Self {
            allow_private_targets: args.push_allow_private_targets,
            subject: args.vapid_subject.clone(),
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
            subject: None,
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Notifications queued.
    pub queued: u64,
    /// Attempts made.
    pub attempted: u64,
    /// Attempts the push service accepted.
    pub delivered: u64,
    /// Attempts answered 404/410: their devices were removed.
    pub gone: u64,
    /// Attempts that failed and will be retried.
    pub retrying: u64,
    /// Attempts that failed for the last time.
    pub failed: u64,
    /// True when there was more work than one pass takes.
    pub more: bool,
}

/// The worker.
#[derive(Debug)]
pub struct Worker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sender: PushSender,
    config: Config,
}

/// One claimed notification and the message it becomes.
struct Prepared {
    claimed: ClaimedPush,
    message: Notification,
}

impl Worker {
    /// A worker over `store`, signing with `vapid`, with time from `clock`.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        vapid: Arc<VapidKey>,
        config: Config,
    ) -> Self {
        Self {
            sender: PushSender::new(
                vapid,
                config.subject.clone(),
                config.timeout,
                config.allow_private_targets,
            ),
            store,
            clock,
            config,
        }
    }

    /// One pass over every tenant with devices at the clock's current instant.
    /// A tenant whose queue fails is logged and skipped; only failing to list
    /// the tenants fails the pass.
    pub async fn run_once(&self) -> Result<Pass, StoreError> {
        let now = self.clock.now();
        let mut pass = Pass::default();
        let mut prepared = Vec::new();
        for tenant in self.store.push_tenants().await? {
            match self.prepare(tenant, now, &mut pass).await {
                Ok(batch) => prepared.extend(batch),
                Err(e) => tracing::warn!(%tenant, error = ?e, "push queue of a tenant failed"),
            }
        }
        let outcomes: Vec<Option<PushNext>> = futures_util::stream::iter(prepared)
            .map(|p| self.attempt(p))
            .buffer_unordered(self.config.concurrency)
            .collect()
            .await;
        for outcome in outcomes.into_iter().flatten() {
            pass.attempted += 1;
            match outcome {
                PushNext::Delivered => pass.delivered += 1,
                PushNext::Gone => pass.gone += 1,
                PushNext::RetryAt(_) => pass.retrying += 1,
                PushNext::Failed => pass.failed += 1,
            }
        }
        Ok(pass)
    }

    /// Queues the tenant's new events, claims its due notifications and
    /// renders them.
    async fn prepare(
        &self,
        tenant: TenantId,
        now: chrono::DateTime<chrono::Utc>,
        pass: &mut Pass,
    ) -> Result<Vec<Prepared>, StoreError> {
        enqueue_steps(&mut pass.queued, &mut pass.more, || {
            self.store
                .enqueue_pushes(tenant, now, self.config.enqueue_batch)
        })
        .await?;
        let claimed = self
            .store
            .claim_pushes(tenant, now, self.config.lease, self.config.batch)
            .await?;
        pass.more |= claimed.len() >= self.config.batch as usize;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let Some(info) = self.store.tenant(tenant).await? else {
            return Err(StoreError::NotFound {
                entity: "tenant",
                id: tenant.to_string(),
            });
        };
        let names = self.unit_names(&info, &claimed).await?;
        Ok(claimed
            .into_iter()
            .map(|c| {
                let unit = unit_of(&c).and_then(|u| names.get(&u)).map(String::as_str);
                let message = Notification::render(c.kind, &c.event, &info, unit);
                Prepared {
                    claimed: c,
                    message,
                }
            })
            .collect())
    }

    /// The names of the units the claimed notifications are about (one query).
    async fn unit_names(
        &self,
        tenant: &Tenant,
        claimed: &[ClaimedPush],
    ) -> Result<HashMap<UnitId, String>, StoreError> {
        let mut ids: Vec<UnitId> = claimed.iter().filter_map(unit_of).collect();
        ids.sort();
        ids.dedup();
        Ok(self
            .store
            .units_by_ids(tenant.id, &ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    /// Sends one notification and records the outcome; `None` when the outcome
    /// could not be recorded (the lease then lapses and it is retried).
    async fn attempt(&self, p: Prepared) -> Option<PushNext> {
        let Prepared { claimed, message } = p;
        let result = self
            .sender
            .send(&claimed, &message.to_json(), self.clock.now())
            .await;
        let report = PushReport::new(&claimed, self.clock.now(), result, jitter());
        let outcome = match report.next {
            PushNext::Delivered => "delivered",
            PushNext::Gone => "gone",
            PushNext::RetryAt(_) => "retrying",
            PushNext::Failed => "failed",
        };
        metrics::counter!("berth_push_attempts_total", "outcome" => outcome).increment(1);
        match self.store.finish_push(claimed.tenant_id, &report).await {
            Ok(true) => {
                tracing::debug!(
                    delivery = %claimed.id, subscription = %claimed.subscription_id,
                    kind = %claimed.kind, attempt = claimed.attempt, outcome,
                    error = ?report.error, "push attempt"
                );
                Some(report.next)
            }
            Ok(false) => {
                tracing::warn!(delivery = %claimed.id, "push claim lapsed before its outcome was recorded");
                None
            }
            Err(e) => {
                tracing::warn!(delivery = %claimed.id, error = ?e, "recording a push attempt failed");
                None
            }
        }
    }
}

/// The unit a notification is about: the reservation's, or the lock's.
fn unit_of(c: &ClaimedPush) -> Option<UnitId> {
    let id = match c.kind {
        NotificationKind::LockConflict => &c.event.payload["lock"]["unit_id"],
        _ => &c.event.payload["unit_id"],
    };
    id.as_str().and_then(|s| s.parse().ok())
}

/// The VAPID key for `berth serve`: from the environment, the configured file,
/// or `vapid-key` beside the token-signing secret (created on first start).
pub fn key(args: &PushArgs, secret_file: &std::path::Path) -> anyhow::Result<Arc<VapidKey>> {
    let file = vapid::key_file(args.vapid_key_file.as_deref(), secret_file);
    Ok(Arc::new(vapid::load(&file)?))
}

/// What the GraphQL schema needs to know about push.
pub fn graphql_config(key: &VapidKey, args: &PushArgs) -> berth_graphql::push::PushConfig {
    berth_graphql::push::PushConfig {
        vapid_public_key: Some(key.public_key().to_owned()),
        allow_http_endpoints: args.push_allow_private_targets,
    }
}

impl crate::workers::Worker for Worker {
    const NAME: &'static str = "push";
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

/// The worker for `berth serve`.
pub fn worker(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: Arc<VapidKey>,
    args: &PushArgs,
) -> Worker {
    if args.vapid_subject.is_none() {
        tracing::warn!(
            "web push signs without a VAPID subject; set --vapid-subject (BERTH_VAPID_SUBJECT) \
             to a contact address: some push services refuse messages without one"
        );
    }
    Worker::new(store, clock, key, Config::from_args(args))
}
