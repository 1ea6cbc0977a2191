//! Published policy versions in `berth serve` (docs/decisions/0162). The
//! database is where a tenant's live rules come from: at start every
//! tenant's live version goes live in the registry, whatever this instance's
//! disk holds; a tenant directory without a published version (an existing
//! deployment's first start with versions, a new tenant) is published first,
//! and with `--demo` every directory is (identical files publish nothing).
//! While serving, a saved tenant directory is checked and tested as a reload
//! is and published ([`Follower`], fed by the watcher), and every instance
//! follows the tenants' `policy.published` events — its own at once, other
//! instances' within a poll — making each new live version live in its
//! registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::event::{EventCursor, EventKind};
use berth_core::ids::TenantId;
use berth_core::policy_versions::{Planning, Published};
use berth_core::store::StoreError;
use berth_core::tenant::Tenant;
use berth_policy::Diagnostic;
use berth_policy::check::tenant_dirs;
use berth_policy::registry::{PolicyChange, PolicyRegistry};
use tokio::sync::mpsc;

use crate::workers::{Trigger, Wake};

/// How often an instance looks for other instances' publications.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// What publishing a tenant directory did.
#[derive(Debug)]
pub enum Publication {
    /// The directory has no `tenant.yaml`: nothing to publish.
    Missing,
    /// It does not load or fails its tests (kept in `policyStatus` and
    /// announced, as a refused reload is); nothing was stored.
    Refused(Vec<Diagnostic>),
    /// Stored as a new version, or its files were the live version's.
    Published(Box<Published>),
}

/// Checks and tests tenant `slug`'s directory under the registry's root as a
/// reload does, creates the tenant when the database does not know it yet
/// (from its `tenant.yaml`), and publishes the files through core's service
/// as `actor`, planned as `planning` says (accepting the reservations they
/// would refuse when `accept_refusals`; otherwise a tenant that protects its
/// reservations refuses them, CONFLICT). Then the pictures its profile names
/// are stored from the directory (content-addressed, processed only when
/// their bytes are new), so that every instance serves them whatever its own
/// disk holds (docs/decisions/0168).
pub async fn publish_directory(
    engine: &Engine,
    registry: &Arc<PolicyRegistry>,
    slug: &str,
    accept_refusals: bool,
    planning: Planning,
    actor: &Actor,
) -> anyhow::Result<Publication> {
    let checking = registry.clone();
    let name = slug.to_owned();
    let checked = tokio::task::spawn_blocking(move || checking.check_directory(&name)).await?;
    let (policy, files) = match checked {
        Ok(None) => return Ok(Publication::Missing),
        Err(diagnostics) => return Ok(Publication::Refused(diagnostics)),
        Ok(Some(ready)) => ready,
    };
    let store = engine.store();
    let tenant = match store.tenant_by_slug(&slug.parse()?).await? {
        Some(tenant) => tenant,
        None => {
            super::sync(&**store, &policy, engine.clock().now())
                .await?
                .0
        }
    };
    let published = engine
        .policy_versions()
        .publish_with_planning(tenant.id, files, accept_refusals, planning, actor)
        .await
        .with_context(|| format!("publishing {slug}"))?;
    // The pictures the directory's profile names, also when only a picture
    // changed (its bytes are not part of a version's text).
    if let Err(e) = super::sync_pictures(store, registry, &tenant, &policy).await {
        tracing::error!(tenant = %slug, error = ?e, "storing the profile's pictures");
    }
    Ok(Publication::Published(Box::new(published)))
}

/// Makes the tenant's live version live in the registry; `None` when it has
/// none.
pub async fn activate_live(
    engine: &Engine,
    registry: &Arc<PolicyRegistry>,
    tenant: &Tenant,
) -> anyhow::Result<Option<PolicyChange>> {
    let Some(live) = engine.policy_versions().live(tenant.id).await? else {
        return Ok(None);
    };
    let registry = registry.clone();
    let slug = tenant.slug.to_string();
    let change = tokio::task::spawn_blocking(move || {
        registry.activate_version(&slug, live.summary.number, &live.files.to_list())
    })
    .await?;
    Ok(Some(change))
}

/// What `berth serve` loads before it serves: each tenant directory without a
/// published version is published (every directory with `demo`), then every
/// tenant's live version goes live. The outcomes, for the tenant sync.
pub async fn load_at_start(
    engine: &Engine,
    registry: &Arc<PolicyRegistry>,
    demo: bool,
) -> anyhow::Result<Vec<PolicyChange>> {
    let store = engine.store();
    let mut changes = Vec::new();
    for dir in tenant_dirs(registry.root()) {
        let Some(slug) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let Ok(parsed) = slug.parse() else {
            tracing::warn!(dir = %dir.display(), "not a tenant slug; skipped");
            continue;
        };
        let published = match store.tenant_by_slug(&parsed).await? {
            Some(tenant) => store.live_policy_version(tenant.id).await?.is_some(),
            None => false,
        };
        if published && !demo {
            continue;
        }
        match publish_directory(
            engine,
            registry,
            &slug,
            false,
            Planning::WhenProtected,
            &Actor::System,
        )
        .await?
        {
            Publication::Refused(diagnostics) => {
                changes.push(PolicyChange::Rejected { slug, diagnostics });
            }
            Publication::Published(p) if p.created => tracing::info!(
                tenant = %slug,
                version = p.version.summary.number,
                "published the tenant directory"
            ),
            Publication::Missing | Publication::Published(_) => {}
        }
    }
    for tenant in store.tenants().await? {
        changes.extend(activate_live(engine, registry, &tenant).await?);
    }
    Ok(changes)
}

/// The policy versions worker: publishes saved tenant directories and makes
/// each tenant's newly published version live in this instance's registry.
pub struct Follower {
    engine: Engine,
    registry: Arc<PolicyRegistry>,
    /// Each tenant's position in its event stream; a tenant not here (new
    /// since the start) is read from its beginning.
    cursors: Mutex<HashMap<TenantId, EventCursor>>,
    /// Saved tenant directories not published because the database failed,
    /// tried again at every pass (docs/decisions/0173).
    unpublished: Mutex<std::collections::BTreeSet<String>>,
    trigger: Trigger,
}

impl Follower {
    /// A follower from the tenants' current positions (taken before the
    /// start's load, so no publication in between is missed), and where the
    /// watcher sends saved tenants' slugs.
    pub async fn new(
        engine: Engine,
        registry: Arc<PolicyRegistry>,
    ) -> Result<(Self, mpsc::UnboundedSender<String>), StoreError> {
        let store = engine.store();
        let mut cursors = HashMap::new();
        for tenant in store.tenants().await? {
            cursors.insert(tenant.id, store.latest_event_cursor(tenant.id).await?);
        }
        let (saves, saved) = mpsc::unbounded_channel();
        Ok((
            Self {
                engine,
                registry,
                cursors: Mutex::new(cursors),
                unpublished: Mutex::default(),
                trigger: Trigger::saves_or_every(saved, FOLLOW_EVERY),
            },
            saves,
        ))
    }

    /// Publishes a saved directory (a refusal is the registry's to report),
    /// planned only when the tenant protects its reservations: hot reload's
    /// budget is 500 ms from the write (docs/decisions/0168). False when the
    /// database failed, to be tried again.
    async fn publish(&self, slug: &str) -> bool {
        let published = publish_directory(
            &self.engine,
            &self.registry,
            slug,
            false,
            Planning::WhenProtected,
            &Actor::System,
        )
        .await;
        match published {
            Ok(Publication::Published(p)) if p.created => {
                tracing::info!(
                    tenant = slug,
                    version = p.version.summary.number,
                    "published the saved tenant directory"
                );
            }
            Ok(_) => {}
            Err(e) if crate::workers::database_failed(&e) => {
                tracing::warn!(tenant = slug, error = ?e, "publishing a saved tenant: the database failed; trying again");
                return false;
            }
            Err(e) => tracing::error!(tenant = slug, error = ?e, "publishing a saved tenant"),
        }
        true
    }

    /// Publishes the saved directories waiting (the files as they are now).
    async fn publish_waiting(&self) {
        let waiting: Vec<String> = lock(&self.unpublished).iter().cloned().collect();
        for slug in waiting {
            if self.publish(&slug).await {
                lock(&self.unpublished).remove(&slug);
            }
        }
    }

    /// Makes live every tenant's version published since the last look.
    async fn follow(&self) -> Result<(), StoreError> {
        let store = self.engine.store();
        for tenant in store.tenants().await? {
            let after = self.cursor(tenant.id).unwrap_or(EventCursor::START);
            let events = store
                .events_of_kinds_after(tenant.id, after, &[EventKind::PolicyPublished], 1000)
                .await?;
            let Some(last) = events.last() else {
                continue;
            };
            if let Err(e) = activate_live(&self.engine, &self.registry, &tenant).await {
                tracing::error!(tenant = %tenant.slug, error = ?e, "following a publication");
                continue;
            }
            lock(&self.cursors).insert(tenant.id, last.cursor);
        }
        Ok(())
    }

    fn cursor(&self, tenant: TenantId) -> Option<EventCursor> {
        lock(&self.cursors).get(&tenant).copied()
    }
}

impl crate::workers::Worker for Follower {
    const NAME: &'static str = "policy versions";
    fn trigger(&mut self) -> Trigger {
        std::mem::take(&mut self.trigger)
    }
    fn grace(&self) -> Duration {
        Duration::from_secs(5)
    }
    async fn pass(&self, wake: Wake) -> Result<bool, StoreError> {
        if let Wake::Saved(slug) = wake {
            lock(&self.unpublished).insert(slug);
        }
        self.publish_waiting().await;
        self.follow().await?;
        Ok(false)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
