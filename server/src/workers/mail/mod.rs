//! Transactional e-mail (issue 21): the worker that turns queued messages into
//! e-mail, and its parts — the SMTP settings (`settings.rs`), the templates
//! (`templates.rs`, defaults in `server/emails/`), what they read
//! (`context.rs`), the stay's `.ics` (`ics.rs`), a message composed
//! (`compose.rs`) and sent (`send.rs`).
//!
//! Each pass, for every tenant, the worker queues the messages of the new
//! events (`MailStore::enqueue_mail`, with the tenant's reminder lead time
//! from its policy, `Engine::mail_settings`), claims the due ones (a lease, so several instances never
//! send the same attempt), renders and sends them with bounded concurrency,
//! and records each attempt (`MailReport`: a temporary failure is retried on
//! `berth_core::mail::retry_delay`'s schedule, a permanent one fails the
//! message). A reminder is checked against the reservation as it is now: one
//! whose stay is no longer confirmed, moved, or already begun is skipped.
//! Finished messages older than `KEEP_FINISHED` are pruned hourly.
//!
//! Passes run when this instance commits (`Store::commits`), on an interval
//! (other instances write too, and retries and reminders come due), and at
//! once again while a pass found more work than one batch. Time comes from
//! the injected clock, so tests drive [`Worker::run_once`] and move the clock
//! instead of sleeping. A crash between the SMTP server's acceptance and the
//! record sends the message again once its lease lapses: a message may arrive
//! twice, never not at all (docs/decisions/0126).

pub mod compose;
pub mod context;
pub mod ics;
pub mod send;
pub mod settings;
pub mod templates;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod worker_tests;

use std::sync::Arc;
use std::time::Duration;

use berth_core::Engine;
use berth_core::clock::Clock;
use berth_core::ids::TenantId;
use berth_core::mail::{ClaimedMail, MailKind, MailNext, MailReport, MailResult, MailSettings};
use berth_core::policy::OccupancyBasis;
use berth_core::profile::TenantProfile;
use berth_core::state::ReservationState;
use berth_core::store::StoreError;
use berth_core::tenant::Tenant;
use berth_policy::registry::{PolicyChange, PolicyRegistry};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

pub use send::SmtpSender;
pub use settings::{MailArgs, SmtpConfig};
pub use templates::Templates;

use crate::locale::Lang;
use crate::workers::queue::{Pruner, enqueue_steps, jitter};
use crate::workers::{Trigger, Wake};

/// How the worker behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Messages in flight at once, at most.
    pub concurrency: usize,
    /// One attempt's time limit (the sender's).
    pub timeout: Duration,
    /// How often a pass runs without a local commit.
    pub poll: Duration,
    /// How long a claim holds a message: well beyond `timeout`.
    pub lease: chrono::Duration,
    /// Messages claimed per tenant per pass.
    pub batch: u32,
    /// Events read per enqueue step.
    pub enqueue_batch: u32,
    /// How often finished messages older than `KEEP_FINISHED` are pruned.
    pub prune_every: chrono::Duration,
    /// Messages pruned per statement (a tenant gets up to ten per prune).
    pub prune_batch: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency: 4,
            timeout: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            lease: chrono::Duration::minutes(5),
            batch: 32,
            enqueue_batch: 500,
            prune_every: chrono::Duration::hours(1),
            prune_batch: 1000,
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Messages queued.
    pub queued: u64,
    /// Attempts made.
    pub attempted: u64,
    /// Attempts the SMTP server accepted.
    pub sent: u64,
    /// Attempts that failed and will be retried.
    pub retrying: u64,
    /// Messages that failed for good.
    pub failed: u64,
    /// Messages skipped (a reminder whose stay changed).
    pub skipped: u64,
    /// Finished messages pruned (their 30 days over).
    pub pruned: u64,
    /// True when there was more work than one pass takes.
    pub more: bool,
}

/// What a tenant's claimed messages are rendered with.
struct TenantView {
    tenant: Tenant,
    profile: TenantProfile,
    basis: Option<OccupancyBasis>,
    /// The tenant's mail settings (the reminder's lead time).
    settings: MailSettings,
}

/// The worker.
pub struct Worker {
    engine: Engine,
    templates: Arc<Templates>,
    sender: SmtpSender,
    config: Config,
    /// When the last prune ran.
    pruned_at: Pruner,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("sender", &self.sender)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker over `engine` (its store, clock and the tenants' reminder
    /// lead times), rendering with `templates` and sending through `sender`.
    pub fn new(
        engine: Engine,
        templates: Arc<Templates>,
        sender: SmtpSender,
        config: Config,
    ) -> Self {
        Self {
            engine,
            templates,
            sender,
            config,
            pruned_at: Pruner::default(),
        }
    }

    fn clock(&self) -> &Arc<dyn Clock> {
        self.engine.clock()
    }

    /// One pass over every tenant at the clock's current instant. A tenant
    /// whose queue fails is logged and skipped; only failing to list the
    /// tenants fails the pass.
    pub async fn run_once(&self) -> Result<Pass, StoreError> {
        let now = self.clock().now();
        let mut pass = Pass::default();
        let mut jobs: Vec<(Arc<TenantView>, ClaimedMail)> = Vec::new();
        for tenant in self.engine.store().mail_tenants().await? {
            match self.prepare(tenant, now, &mut pass).await {
                Ok(Some((view, messages))) => {
                    let view = Arc::new(view);
                    jobs.extend(messages.into_iter().map(|m| (view.clone(), m)));
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(%tenant, error = ?e, "mail queue of a tenant failed"),
            }
        }
        let outcomes: Vec<Option<MailNext>> = futures_util::stream::iter(jobs)
            .map(|(view, m)| self.attempt(view, m))
            .buffer_unordered(self.config.concurrency)
            .collect()
            .await;
        for outcome in outcomes.into_iter().flatten() {
            pass.attempted += 1;
            match outcome {
                MailNext::Sent => pass.sent += 1,
                MailNext::RetryAt(_) => pass.retrying += 1,
                MailNext::Failed => pass.failed += 1,
                MailNext::Skipped => pass.skipped += 1,
            }
        }
        pass.pruned = self.prune_if_due(now).await?;
        Ok(pass)
    }

    /// Queues the tenant's new events and claims its due messages, with what
    /// they are rendered with; `None` when nothing is due.
    async fn prepare(
        &self,
        tenant_id: TenantId,
        now: DateTime<Utc>,
        pass: &mut Pass,
    ) -> Result<Option<(TenantView, Vec<ClaimedMail>)>, StoreError> {
        let store = self.engine.store();
        let Some(tenant) = store.tenant(tenant_id).await? else {
            return Ok(None);
        };
        // A tenant without a live policy keeps the default lead time.
        let settings = self.engine.mail_settings(&tenant).unwrap_or_default();
        enqueue_steps(&mut pass.queued, &mut pass.more, || {
            store.enqueue_mail(tenant_id, now, settings, self.config.enqueue_batch)
        })
        .await?;
        let claimed = store
            .claim_mail(tenant_id, now, self.config.lease, self.config.batch)
            .await?;
        pass.more |= claimed.len() >= self.config.batch as usize;
        if claimed.is_empty() {
            return Ok(None);
        }
        let profile = store.tenant_profile(tenant_id).await?.unwrap_or_default();
        let basis = self.engine.occupancy_basis(&tenant).ok();
        Ok(Some((
            TenantView {
                tenant,
                profile,
                basis,
                settings,
            },
            claimed,
        )))
    }

    /// Renders and sends one claimed message and records the outcome; `None`
    /// when the outcome could not be recorded (the lease then lapses and it
    /// is tried again).
    async fn attempt(&self, view: Arc<TenantView>, claimed: ClaimedMail) -> Option<MailNext> {
        let claimed = &claimed;
        let (subject, result) = match self.render(&view, claimed).await {
            Ok(outgoing) => {
                let result = self.sender.send(&outgoing).await;
                (Some(outgoing.subject), result)
            }
            Err(result) => (None, result),
        };
        let report = MailReport::new(claimed, self.clock().now(), subject, result, jitter());
        let outcome = match report.next {
            MailNext::Sent => "sent",
            MailNext::RetryAt(_) => "retrying",
            MailNext::Failed => "failed",
            MailNext::Skipped => "skipped",
        };
        metrics::counter!("berth_mail_attempts_total", "outcome" => outcome).increment(1);
        match self
            .engine
            .store()
            .finish_mail(claimed.tenant_id, &report)
            .await
        {
            Ok(true) => {
                tracing::debug!(
                    message = %claimed.id, kind = %claimed.kind, attempt = claimed.attempt,
                    outcome, code = ?report.smtp_code, error = ?report.error, "mail attempt"
                );
                if matches!(report.next, MailNext::Failed) {
                    tracing::warn!(
                        message = %claimed.id, kind = %claimed.kind, to = ?claimed.recipient,
                        code = ?report.smtp_code, error = ?report.error, "a message failed"
                    );
                }
                Some(report.next)
            }
            Ok(false) => {
                tracing::warn!(message = %claimed.id, "mail claim lapsed before its outcome was recorded");
                None
            }
            Err(e) => {
                tracing::warn!(message = %claimed.id, error = ?e, "recording a mail attempt failed");
                None
            }
        }
    }

    /// The message to send, or why none is sent now (a reminder no longer
    /// due is skipped; a store that cannot be read is a temporary failure).
    async fn render(
        &self,
        view: &TenantView,
        claimed: &ClaimedMail,
    ) -> Result<send::Outgoing, MailResult> {
        let store = self.engine.store();
        let tenant_id = claimed.tenant_id;
        let unavailable = |e: StoreError| MailResult::Temporary {
            code: None,
            error: format!("reading the message's reservation failed: {e:?}"),
        };
        let now = self.clock().now();
        let current;
        let reservation = if claimed.kind == MailKind::Reminder {
            current = store
                .reservation(tenant_id, claimed.reservation_id)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| MailResult::Skipped("the reservation is gone".to_owned()))?;
            if let Some(why) = reminder_not_due(&claimed.reservation, &current, now) {
                return Err(MailResult::Skipped(why));
            }
            &current
        } else {
            &claimed.reservation
        };
        let unit = store
            .unit(tenant_id, reservation.unit_id)
            .await
            .map_err(unavailable)?;
        let client = match reservation.client_id {
            Some(id) => store.client(tenant_id, id).await.map_err(unavailable)?,
            None => None,
        };
        let basis = view.basis.unwrap_or(if reservation.check_in.is_some() {
            OccupancyBasis::Nights
        } else {
            OccupancyBasis::ItemHours
        });
        let facts = context::Facts {
            kind: claimed.kind,
            tenant: &view.tenant,
            profile: &view.profile,
            basis,
            unit_name: unit.as_ref().map_or("", |u| u.name.as_str()),
            reservation,
            recipient: &claimed.recipient,
            recipient_name: claimed.recipient_name.as_deref(),
            client: client.as_ref(),
            // The reminder is queued with the message that announces it.
            reminder_coming: claimed.kind != MailKind::Reminder
                && view
                    .settings
                    .reminder_due(reservation.period.start(), claimed.created_at)
                    .is_some(),
        };
        compose::compose(&self.templates, &facts, claimed.id, self.sender.from(), now)
            .map_err(|e| MailResult::Skipped(format!("the message cannot be rendered: {e}")))
    }

    /// Every `prune_every`: deletes each tenant's sent, failed and skipped
    /// messages older than `KEEP_FINISHED`.
    async fn prune_if_due(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let before = now - berth_core::mail::KEEP_FINISHED;
        let store = self.engine.store();
        let batch = self.config.prune_batch;
        let pruned = self
            .pruned_at
            .run_if_due(now, self.config.prune_every, &**store, batch, |tenant| {
                store.prune_mail(tenant, before, batch)
            })
            .await?;
        if pruned > 0 {
            metrics::counter!("berth_mail_messages_pruned_total").increment(pruned);
            tracing::info!(pruned, "pruned finished e-mail messages");
        }
        Ok(pruned)
    }
}

/// Why a reminder scheduled for `scheduled` is not sent for the reservation
/// as it is `now` (`current`), if it is not.
fn reminder_not_due(
    scheduled: &berth_core::reservation::Reservation,
    current: &berth_core::reservation::Reservation,
    now: DateTime<Utc>,
) -> Option<String> {
    if current.state != ReservationState::Confirmed {
        return Some(format!(
            "the stay is no longer confirmed (it is {})",
            current.state
        ));
    }
    if current.period != scheduled.period || current.unit_id != scheduled.unit_id {
        return Some("the stay moved since the reminder was scheduled".to_owned());
    }
    if current.period.start() <= now {
        return Some("the stay has begun".to_owned());
    }
    None
}

impl crate::workers::Worker for Worker {
    const NAME: &'static str = "mail";
    fn trigger(&mut self) -> Trigger {
        Trigger::commits_or_every(self.engine.store().commits(), self.config.poll)
    }
    /// In-flight attempts get their timeout to finish (and be recorded).
    fn grace(&self) -> Duration {
        self.config.timeout + Duration::from_secs(1)
    }
    async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
        self.run_once().await.map(|p| p.more)
    }
}

/// The e-mail of `berth serve`: every tenant's templates from its live
/// policy version, and the worker that takes them again whenever a version
/// goes live; when SMTP is configured, the worker that sends.
pub fn workers(
    engine: Engine,
    registry: Arc<PolicyRegistry>,
    config: Option<SmtpConfig>,
) -> anyhow::Result<(TemplateSync, Option<Worker>)> {
    let templates = Arc::new(Templates::new());
    for status in registry.status() {
        take_live(&registry, &templates, &status.slug);
    }
    let sync = TemplateSync::new(registry.clone(), templates.clone());
    let Some(config) = config else {
        tracing::info!("no --smtp-url (BERTH_SMTP_URL): no e-mail is sent");
        return Ok((sync, None));
    };
    let sender = SmtpSender::new(&config)?;
    tracing::info!(server = %config.server, from = %config.from.as_str(), "sending e-mail");
    let worker = Worker::new(
        engine,
        templates,
        sender,
        Config {
            timeout: config.timeout,
            ..Config::default()
        },
    );
    Ok((sync, Some(worker)))
}

/// Makes the templates of `slug`'s live policy version its templates (the
/// defaults without overrides; forgotten without a live policy).
fn take_live(registry: &PolicyRegistry, templates: &Templates, slug: &str) {
    match registry.get(slug) {
        Some(policy) => {
            let lang = Lang::of_locale(&policy.config().locale);
            templates.set(slug, lang, policy.email_templates());
        }
        None => templates.remove(slug),
    }
}

/// Takes a tenant's templates from its live policy after each change of it.
pub struct TemplateSync {
    registry: Arc<PolicyRegistry>,
    templates: Arc<Templates>,
    /// Subscribed when built, so that no change is missed before it runs.
    changes: Trigger,
}

impl TemplateSync {
    fn new(registry: Arc<PolicyRegistry>, templates: Arc<Templates>) -> Self {
        Self {
            changes: Trigger::policy_changes(registry.subscribe()),
            registry,
            templates,
        }
    }
}

impl crate::workers::Worker for TemplateSync {
    const NAME: &'static str = "mail templates";
    fn trigger(&mut self) -> Trigger {
        std::mem::take(&mut self.changes)
    }
    /// Reading a tenant's templates is quick.
    fn grace(&self) -> Duration {
        Duration::from_secs(5)
    }
    async fn pass(&self, wake: Wake) -> Result<bool, StoreError> {
        let (registry, templates) = (&self.registry, &self.templates);
        match wake {
            Wake::Policy(
                PolicyChange::Activated { slug, .. }
                | PolicyChange::Unchanged { slug }
                | PolicyChange::Rejected { slug, .. }
                | PolicyChange::Deactivated { slug },
            ) => take_live(registry, templates, &slug),
            Wake::PoliciesMissed(_) => {
                for status in registry.status() {
                    take_live(registry, templates, &status.slug);
                }
            }
            // Loaded when built.
            Wake::Start | Wake::More | Wake::Tick | Wake::Commit | Wake::Saved(_) => {}
        }
        Ok(false)
    }
}
