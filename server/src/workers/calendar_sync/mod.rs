//! The calendar sync worker: every pass, for each tenant that may have a sync
//! due (the store's per-tenant mark, so an idle tenant costs nothing), it
//! claims the due calendar syncs (a lease, so several instances never fetch
//! one calendar at once), GETs each calendar (conditional on the last import's `ETag` /
//! `Last-Modified`, bounded in size and time, private addresses refused like
//! webhooks'), and hands what came back to the engine, which imports it as the
//! sync's source and schedules the next fetch (`berth_core::ical::sync`).
//!
//! Passes run on an interval only (a sync comes due by time, or by
//! `requestCalendarSync`, which the next pass picks up). Time comes from the
//! engine's clock, so tests drive [`Worker::run_once`] and move the clock.

use std::time::Duration;

use berth_core::Engine;
use berth_core::ical::sync::{CalendarSync, SyncOutcome};
use berth_core::ical::sync_commands::Fetched;
use berth_core::store::StoreError;
use futures_util::StreamExt;
use hyper::StatusCode;
use hyper::header::{
    ACCEPT, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    USER_AGENT,
};

use crate::workers::outbound::Outbound;
use crate::workers::{Trigger, Wake};

/// Calendar sync settings of `berth serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct CalendarSyncArgs {
    /// Let calendar syncs fetch from loopback, private-network and link-local
    /// addresses. Off by default: sync URLs are tenant input, and must not
    /// reach the operator's own network (or a cloud metadata service).
    #[arg(long, env = "BERTH_CALENDAR_SYNC_ALLOW_PRIVATE_TARGETS")]
    pub calendar_sync_allow_private_targets: bool,
    /// Seconds between the calendar sync worker's passes (a sync asked for
    /// with `requestCalendarSync` waits at most this long).
    #[arg(
        long,
        value_name = "SECONDS",
        env = "BERTH_CALENDAR_SYNC_POLL",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub calendar_sync_poll: u64,
}

/// How the worker behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Fetches in flight at once, at most.
    pub concurrency: usize,
    /// One fetch's time limit (resolve, connect, TLS, redirects, body).
    pub timeout: Duration,
    /// How often a pass runs.
    pub poll: Duration,
    /// How long a claim holds a sync: well beyond `timeout`.
    pub lease: chrono::Duration,
    /// Syncs claimed per tenant per pass.
    pub batch: u32,
    /// Tenants visited per pass, at most (the longest due first).
    pub tenants_per_pass: u32,
    /// The largest calendar accepted, in bytes.
    pub max_body: usize,
    /// Whether loopback and private addresses may be fetched.
    pub allow_private_targets: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency: 4,
            timeout: Duration::from_secs(20),
            poll: Duration::from_secs(30),
            lease: chrono::Duration::minutes(5),
            batch: 16,
            tenants_per_pass: 1_000,
            max_body: 4 * 1024 * 1024,
            allow_private_targets: false,
        }
    }
}

impl Config {
    /// The defaults, with the command line's settings.
    pub fn from_args(args: &CalendarSyncArgs) -> Self {
        Self {
            poll: Duration::from_secs(args.calendar_sync_poll),
            allow_private_targets: args.calendar_sync_allow_private_targets,
            ..Self::default()
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Calendars fetched and imported.
    pub imported: u64,
    /// Calendars unchanged since their last import.
    pub unchanged: u64,
    /// Fetches or imports that failed (retried on the back-off).
    pub failed: u64,
    /// Tenants visited (those that may have had a sync due).
    pub tenants: u64,
    /// True when a tenant had more due syncs, or more tenants were due, than
    /// one pass takes.
    pub more: bool,
}

/// The worker.
#[derive(Debug)]
pub struct Worker {
    engine: Engine,
    http: Outbound,
    config: Config,
}

impl Worker {
    /// A worker importing through `engine`.
    pub fn new(engine: Engine, config: Config) -> Self {
        Self {
            http: Outbound::new(config.timeout, config.allow_private_targets),
            engine,
            config,
        }
    }

    /// One pass over the tenants that may have a sync due. A tenant whose
    /// claim fails is logged and skipped; only failing to list the tenants
    /// fails the pass.
    pub async fn run_once(&self) -> Result<Pass, StoreError> {
        let mut pass = Pass::default();
        let mut claimed = Vec::new();
        let now = self.engine.clock().now();
        let tenants = self
            .engine
            .store()
            .calendar_sync_tenants_due(now, self.config.tenants_per_pass)
            .await?;
        pass.tenants = tenants.len() as u64;
        pass.more = tenants.len() >= self.config.tenants_per_pass as usize;
        for tenant in tenants {
            match self
                .engine
                .claim_calendar_syncs(tenant, self.config.batch, self.config.lease)
                .await
            {
                Ok(syncs) => {
                    pass.more |= syncs.len() >= self.config.batch as usize;
                    claimed.extend(syncs);
                }
                Err(e) => {
                    tracing::warn!(tenant = %tenant, error = ?e, "claiming calendar syncs failed");
                }
            }
        }
        let outcomes: Vec<Option<SyncOutcome>> = futures_util::stream::iter(claimed)
            .map(|sync| self.sync(sync))
            .buffer_unordered(self.config.concurrency)
            .collect()
            .await;
        for outcome in outcomes.into_iter().flatten() {
            match outcome {
                SyncOutcome::Imported { .. } => pass.imported += 1,
                SyncOutcome::NotModified => pass.unchanged += 1,
                SyncOutcome::Failed(_) => pass.failed += 1,
            }
        }
        Ok(pass)
    }

    /// Fetches one claimed sync and records the outcome; `None` when it could
    /// not be recorded (the lease then lapses and the sync is fetched again).
    async fn sync(&self, sync: CalendarSync) -> Option<SyncOutcome> {
        let fetched = self.fetch(&sync).await;
        match self.engine.finish_calendar_sync(&sync, fetched).await {
            Ok((kept, outcome)) => {
                let label = match &outcome {
                    SyncOutcome::Imported { .. } => "imported",
                    SyncOutcome::NotModified => "not_modified",
                    SyncOutcome::Failed(_) => "failed",
                };
                metrics::counter!("berth_calendar_sync_fetches_total", "outcome" => label)
                    .increment(1);
                if let SyncOutcome::Failed(why) = &outcome {
                    tracing::info!(sync = %sync.id, tenant = %sync.tenant_id, error = %why, "a calendar sync failed");
                }
                if !kept {
                    tracing::info!(sync = %sync.id, "a calendar sync was removed while it was fetched");
                }
                Some(outcome)
            }
            Err(e) => {
                tracing::warn!(sync = %sync.id, error = ?e, "recording a calendar sync failed");
                None
            }
        }
    }

    /// GETs the sync's calendar, conditionally on its last import.
    async fn fetch(&self, sync: &CalendarSync) -> Fetched {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("text/calendar, text/plain;q=0.5, */*;q=0.1"),
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!(
                "berth/",
                env!("CARGO_PKG_VERSION"),
                " (calendar sync)"
            )),
        );
        let validators = [
            (IF_NONE_MATCH, sync.etag.as_deref()),
            (IF_MODIFIED_SINCE, sync.last_modified.as_deref()),
        ];
        for (name, value) in validators {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
        let response = match self
            .http
            .get(sync.url.as_str(), headers, self.config.max_body)
            .await
        {
            Ok(response) => response,
            Err(why) => return Fetched::Failed(why),
        };
        match response.status {
            StatusCode::OK => {}
            StatusCode::NOT_MODIFIED => return Fetched::NotModified,
            status => {
                return Fetched::Failed(format!(
                    "HTTP {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or_default()
                ));
            }
        }
        let header = |name| {
            response
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        match String::from_utf8(response.body.to_vec()) {
            Ok(ics) => Fetched::Calendar {
                ics,
                etag: header(ETAG),
                last_modified: header(LAST_MODIFIED),
            },
            Err(_) => Fetched::Failed("the response is not UTF-8 text".to_owned()),
        }
    }
}

impl crate::workers::Worker for Worker {
    const NAME: &'static str = "calendar sync";
    /// Syncs come due by time: passes run on the interval, not on commits.
    fn trigger(&mut self) -> Trigger {
        Trigger::every(self.config.poll)
    }
    /// Fetches in flight get their timeout to finish (and be recorded).
    fn grace(&self) -> Duration {
        self.config.timeout + Duration::from_secs(1)
    }
    async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
        self.run_once().await.map(|p| p.more)
    }
}

#[cfg(test)]
mod tests;
