//! Keeping the database's tenants in step with the tenant directories. When a
//! tenant's policy goes live, its identity (`tenant.yaml`: name, timezone,
//! currency, locale) is written to the database — creating the tenant the first
//! time, so a new directory appears as a new tenant — with its public profile
//! (`profile:`, replaced when it changed, audited) in the same transaction,
//! then the pictures the profile names (processed only when their files
//! changed; docs/decisions/0102–0109), and a `policy.activated`
//! event is recorded; a refused candidate records `policy.rejected`. With `--demo`,
//! a tenant without its demo admin (`admin@<slug>.example.org`, created last)
//! gets its `seed.yaml` units, clients and sample reservations (booked through its
//! rules, relative to the day of loading), then that admin. Each step skips what
//! is already there, so a seed cut short by a crash is completed on the next
//! start, never duplicated.
//! A removed directory deactivates the policy; the tenant's data is kept.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use berth_core::accounts::{Accounts, Caller};
use berth_core::audit::Actor;
use berth_core::client::{Client, ClientFilter, NewClient};
use berth_core::clock::Clock;
use berth_core::engine::CreateReservation;
use berth_core::event::EventKind;
use berth_core::local_time::{local_date, local_instant};
use berth_core::media::PictureFile;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::Quantity;
use berth_core::quantity::{Guests, Inventory};
use berth_core::reservation::{Channel, IdempotencyKey};
use berth_core::state::ReservationState;
use berth_core::store::ClientRef;
use berth_core::store::{NewEvent, Store, StoreError};
use berth_core::tenant::{NewTenant, Tenant};
use berth_core::unit::NewUnit;
use berth_core::unit::Unit;
use berth_core::{Engine, EngineError};
use berth_policy::TenantPolicy;
use berth_policy::loader::{SEED_FILE, read_checked};
use berth_policy::registry::{PolicyChange, PolicyRegistry};
use berth_policy::seed::{SeedFile, SeedReservation, SeedState, seed_schema};
use chrono::{Days, NaiveTime, Utc};

use crate::workers::{Trigger, Wake};

/// Applies one registry outcome to the database.
pub async fn apply(
    store: &Arc<dyn Store>,
    registry: &Arc<PolicyRegistry>,
    change: &PolicyChange,
    demo: bool,
) -> anyhow::Result<()> {
    let store_ref: &dyn Store = &**store;
    match change {
        PolicyChange::Activated { slug, version } => {
            let Some(policy) = registry.get(slug) else {
                return Ok(());
            };
            let now = registry.clock().now();
            let (tenant, _created) = sync(store_ref, &policy, now).await?;
            // The pictures are stored after the identity and profile: a file
            // that went missing since the check leaves the stored pictures
            // (and is logged), not the policy's activation unrecorded.
            if let Err(e) = sync_pictures(store, registry, &tenant, &policy).await {
                tracing::error!(tenant = %slug, error = ?e, "storing the profile's pictures");
            }
            if demo && !has_demo_admin(store_ref, &tenant).await? {
                let dir = registry.root().join(slug);
                seed(store, registry, &tenant, &dir, registry.clock()).await?;
            }
            record(
                store_ref,
                &tenant,
                now,
                EventKind::PolicyActivated,
                "activate",
                serde_json::json!({ "version": version }),
            )
            .await
        }
        PolicyChange::Rejected { slug, diagnostics } => {
            let Some(tenant) = store.tenant_by_slug(&slug.parse()?).await? else {
                return Ok(());
            };
            let errors: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            record(
                store_ref,
                &tenant,
                registry.clock().now(),
                EventKind::PolicyRejected,
                "reject",
                serde_json::json!({ "errors": errors }),
            )
            .await
        }
        PolicyChange::Deactivated { .. } | PolicyChange::Unchanged { .. } => Ok(()),
    }
}

/// The tenant sync worker: applies every later registry outcome (after
/// `serve` applied the first load), in order, until stopped. An outcome that
/// fails because the database did (away, a connection lost) waits, with those
/// after it, and is tried again every [`RETRY`]: the database coming back
/// brings the tenants in step without a restart (docs/decisions/0173).
pub struct TenantSync {
    store: Arc<dyn Store>,
    registry: Arc<PolicyRegistry>,
    demo: bool,
    /// Subscribed when built, so that no change is missed before it runs.
    changes: Trigger,
    /// Outcomes not yet recorded, oldest first.
    waiting: std::sync::Mutex<std::collections::VecDeque<PolicyChange>>,
}

/// How often outcomes kept back by a database failure are tried again.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

impl TenantSync {
    /// Follows `registry`'s outcomes from now on.
    pub fn new(store: Arc<dyn Store>, registry: Arc<PolicyRegistry>, demo: bool) -> Self {
        Self {
            changes: Trigger::policy_changes_or_every(registry.subscribe(), RETRY),
            store,
            registry,
            demo,
            waiting: std::sync::Mutex::default(),
        }
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<PolicyChange>> {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies the waiting outcomes in order, up to one the database fails
    /// (kept, with those after it, for the next try); an outcome that fails
    /// otherwise is logged and dropped, as before.
    async fn apply_waiting(&self) {
        loop {
            let Some(change) = self.waiting().front().cloned() else {
                return;
            };
            match apply(&self.store, &self.registry, &change, self.demo).await {
                Ok(()) => {}
                Err(e) if crate::workers::database_failed(&e) => {
                    tracing::warn!(error = ?e, "recording a policy change: the database failed; trying again");
                    return;
                }
                Err(e) => tracing::error!(error = ?e, "recording a policy change"),
            }
            self.waiting().pop_front();
        }
    }
}

impl crate::workers::Worker for TenantSync {
    const NAME: &'static str = "tenant sync";
    fn trigger(&mut self) -> Trigger {
        std::mem::take(&mut self.changes)
    }
    /// A demo seed cut short is completed on the next start.
    fn grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(5)
    }
    async fn pass(&self, wake: Wake) -> Result<bool, StoreError> {
        match wake {
            Wake::Policy(change) => self.waiting().push_back(change),
            Wake::PoliciesMissed(n) => {
                tracing::warn!(
                    missed = n,
                    "policy changes were missed; recording every live policy again"
                );
                for status in self.registry.status() {
                    let Some(version) = status.active_version else {
                        continue;
                    };
                    self.waiting().push_back(PolicyChange::Activated {
                        slug: status.slug,
                        version,
                    });
                }
            }
            // `serve` applied the first load; a tick retries what waits.
            Wake::Start | Wake::More | Wake::Tick | Wake::Commit | Wake::Saved(_) => {}
        }
        self.apply_waiting().await;
        Ok(false)
    }
}

async fn record(
    store: &dyn Store,
    tenant: &Tenant,
    at: chrono::DateTime<Utc>,
    kind: EventKind,
    action: &str,
    payload: serde_json::Value,
) -> anyhow::Result<()> {
    let event = NewEvent {
        kind,
        entity_type: "policy".into(),
        entity_id: tenant.id.as_uuid(),
        action: action.into(),
        payload,
        at,
    };
    store.record_event(tenant.id, event, &Actor::System).await?;
    Ok(())
}

/// Creates or updates the tenant (identity and profile, one transaction)
/// from its live policy; true when created.
async fn sync(
    store: &dyn Store,
    policy: &TenantPolicy,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<(Tenant, bool)> {
    let config = policy.config();
    let wanted = NewTenant {
        slug: config.slug.parse()?,
        name: config.name.clone(),
        timezone: config
            .timezone
            .parse()
            .map_err(|e| anyhow::anyhow!("timezone: {e}"))?,
        currency: config.currency.parse()?,
        locale: config.locale.clone(),
    };
    let put = store
        .put_tenant(wanted, &config.public_profile(), &Actor::System, now)
        .await
        .context("storing the tenant and its profile")?;
    Ok((put.tenant, put.created))
}

/// Stores the pictures the live policy's profile names (its cover and
/// gallery, files of the tenant directory) in place of those stored. Files
/// are read on the blocking pool; the engine processes only those whose bytes
/// are not stored already, and an unchanged set writes nothing. True when the
/// stored pictures changed. When a file is not on this instance's disk, the
/// stored pictures stay: a version published elsewhere had its pictures
/// stored by the publisher (docs/decisions/0168).
async fn sync_pictures(
    store: &Arc<dyn Store>,
    registry: &Arc<PolicyRegistry>,
    tenant: &Tenant,
    policy: &TenantPolicy,
) -> anyhow::Result<bool> {
    let dir = registry.root().join(&policy.config().slug);
    let named = policy.config().profile_pictures();
    let files = tokio::task::spawn_blocking(move || {
        named
            .into_iter()
            .map(|p| {
                let bytes = match std::fs::read(dir.join(&p.file)) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => {
                        return Err(anyhow::Error::new(e)
                            .context(format!("reading the picture `{}`", p.file)));
                    }
                };
                Ok(Some(PictureFile {
                    role: p.role,
                    alt: p.alt,
                    bytes,
                }))
            })
            .collect::<anyhow::Result<Option<Vec<_>>>>()
    })
    .await??;
    let Some(files) = files else {
        tracing::info!(
            tenant = %tenant.slug,
            "a picture the profile names is not on this instance's disk; the stored pictures stay"
        );
        return Ok(false);
    };
    let engine = Engine::new(store.clone(), registry.clone(), registry.clock());
    Ok(engine
        .put_tenant_pictures(tenant.id, files, &Actor::System)
        .await?)
}

/// The demo admin's e-mail address: `admin@<slug>.example.org`.
fn demo_admin_email(tenant: &Tenant) -> anyhow::Result<berth_core::user::Email> {
    Ok(format!("admin@{}.example.org", tenant.slug).parse()?)
}

/// Whether the tenant has its demo admin: the seed's last step, so its
/// presence means the seed is complete.
async fn has_demo_admin(store: &dyn Store, tenant: &Tenant) -> anyhow::Result<bool> {
    let email = demo_admin_email(tenant)?;
    Ok(store.user_credentials(tenant.id, &email).await?.is_some())
}

/// Loads `seed.yaml` units, clients and reservations into a tenant, placed
/// relative to `clock`'s day (the wall clock when serving), then creates the demo
/// admin. What exists already (from a seed cut short) is kept, not repeated: units
/// by name, clients by e-mail or name, reservations by their idempotency key
/// (`seed-<index>`).
pub(crate) async fn seed(
    store: &Arc<dyn Store>,
    registry: &Arc<PolicyRegistry>,
    tenant: &Tenant,
    dir: &Path,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    seed_data(store, registry, tenant, dir, clock.clone()).await?;
    create_demo_admin(&Accounts::new(store.clone(), clock), tenant).await
}

/// The seed without its admin: units, clients, reservations.
async fn seed_data(
    store: &Arc<dyn Store>,
    registry: &Arc<PolicyRegistry>,
    tenant: &Tenant,
    dir: &Path,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let path = dir.join(SEED_FILE);
    if !path.is_file() {
        return Ok(());
    }
    let (seed, _) = read_checked::<SeedFile>(&path, &seed_schema()).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("{}", lines.join("\n"))
    })?;
    let engine = Engine::new(store.clone(), registry.clone(), clock);
    let mut units = store.units(tenant.id, true).await?;
    for unit in &seed.units {
        if units.iter().any(|u| u.name == unit.name) {
            continue;
        }
        let new = NewUnit {
            name: unit.name.clone(),
            kind: unit.kind.clone(),
            inventory: Inventory::new(i64::from(unit.inventory))?,
            max_guests: Guests::new(i64::from(unit.max_guests))?,
            description: unit.description.clone(),
            amenities: unit.amenities.clone(),
            images: unit.images.clone(),
            attributes: serde_json::Value::Object(unit.attributes.clone()),
        };
        let created = engine
            .create_unit(tenant.id, new, &Actor::System)
            .await
            .with_context(|| format!("unit {}", unit.name))?;
        units.push(created);
    }
    for unit in &seed.units {
        if let Some(stored) = units.iter().find(|u| u.name == unit.name) {
            seed_photos(&engine, tenant, dir, stored, unit).await?;
        }
    }
    let mut clients = store
        .clients(
            tenant.id,
            &ClientFilter {
                include_archived: true,
                limit: Some(1000),
                ..ClientFilter::default()
            },
        )
        .await?;
    for client in &seed.clients {
        let known = clients
            .iter()
            .any(|c| c.name == client.name || (client.email.is_some() && c.email == client.email));
        if known {
            continue;
        }
        let new = NewClient {
            name: client.name.clone(),
            email: client.email.clone(),
            phone: client.phone.clone(),
            notes: None,
            blocked: false,
        };
        clients.push(engine.create_client(tenant.id, new, &Actor::System).await?);
    }
    let mut booked = 0;
    for (i, r) in seed.reservations.iter().enumerate() {
        let what = format!("{}: reservations[{i}]", path.display());
        if book_seed_reservation(&engine, tenant, &units, &clients, i, r)
            .await
            .with_context(|| what.clone())?
        {
            booked += 1;
        } else {
            tracing::warn!(reservation = %what, "the rules or capacity refused every day tried; skipped");
        }
    }
    println!(
        "demo tenant {} loaded: {} units, {} clients, {booked} reservations",
        tenant.slug,
        seed.units.len(),
        seed.clients.len()
    );
    Ok(())
}

/// Uploads a seed unit's photos through the engine, as an upload would be
/// (processed into widths, audited, announced). Uploading a picture the unit
/// already has changes nothing, so a seed cut short is completed, never
/// duplicated.
async fn seed_photos(
    engine: &Engine,
    tenant: &Tenant,
    dir: &Path,
    unit: &Unit,
    seed: &berth_policy::seed::SeedUnit,
) -> anyhow::Result<()> {
    for photo in &seed.photos {
        let path = dir.join(&photo.file);
        let bytes = std::fs::read(&path).with_context(|| format!("photo {}", path.display()))?;
        engine
            .upload_unit_image(
                tenant.id,
                unit.id,
                bytes,
                photo.alt.as_deref(),
                &Actor::System,
            )
            .await
            .with_context(|| format!("photo {}", path.display()))?;
    }
    Ok(())
}

/// Creates the tenant's demo admin with a fresh password, printed once: the
/// seed's last step, which marks it complete.
async fn create_demo_admin(accounts: &Accounts, tenant: &Tenant) -> anyhow::Result<()> {
    let password = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let email = demo_admin_email(tenant)?;
    let admin = accounts
        .create_user(
            tenant.id,
            &Caller::operator(),
            email.as_str(),
            password.clone(),
            berth_core::user::Role::Admin,
        )
        .await?;
    println!(
        "demo login: tenant={} email={} password={password}",
        tenant.slug,
        admin.email.as_str()
    );
    Ok(())
}

/// Books seed reservation `index` on the first day from `in_days` (up to a week
/// later) that the tenant's rules and capacity accept; false when none does. One
/// booked before (its key `seed-<index>` is taken) is kept, and canceled if the
/// seed wants it canceled and it is not yet.
async fn book_seed_reservation(
    engine: &Engine,
    tenant: &Tenant,
    units: &[Unit],
    clients: &[Client],
    index: usize,
    r: &SeedReservation,
) -> anyhow::Result<bool> {
    let key: IdempotencyKey = format!("seed-{index}").parse()?;
    if let Some(existing) = engine
        .store()
        .reservation_by_idempotency_key(tenant.id, &key)
        .await?
    {
        if r.state == SeedState::Canceled && existing.state != ReservationState::Canceled {
            cancel_seeded(engine, tenant, existing.id).await?;
        }
        return Ok(true);
    }
    let unit = units
        .iter()
        .find(|u| u.name == r.unit)
        .with_context(|| format!("unit: no seed unit is called `{}`", r.unit))?;
    let client = match &r.client {
        None => ClientRef::None,
        Some(c) => ClientRef::Existing(
            clients
                .iter()
                .find(|x| x.email.as_deref() == Some(c.as_str()) || x.name == *c)
                .with_context(|| format!("client: no seed client has the e-mail or name `{c}`"))?
                .id,
        ),
    };
    let at =
        r.at.as_deref()
            .map(|t| NaiveTime::parse_from_str(t, "%H:%M"))
            .transpose()
            .context("at: a time HH:MM")?;
    let today = local_date(tenant.timezone, engine.clock().now());
    for shift in 0..7 {
        let day = today + Days::new(u64::from(r.in_days + shift));
        let period = match (r.nights, at, r.minutes) {
            (Some(n), None, None) => PeriodRequest::Nights {
                check_in: day,
                check_out: day + Days::new(u64::from(n)),
            },
            (None, Some(at), None) => PeriodRequest::Slot {
                start: local_instant(tenant.timezone, day, at),
            },
            (None, Some(at), Some(minutes)) => {
                let start = local_instant(tenant.timezone, day, at);
                PeriodRequest::Interval {
                    start,
                    end: start + chrono::Duration::minutes(i64::from(minutes)),
                }
            }
            _ => anyhow::bail!(
                "give `nights` (nightly), `at` (timeslot) or `at` and `minutes` (interval)"
            ),
        };
        let cmd = CreateReservation {
            unit_id: unit.id,
            period,
            party: Party {
                guests: Guests::new(i64::from(r.guests))?,
                quantity: Quantity::new(i64::from(r.quantity))?,
            },
            client: client.clone(),
            idempotency_key: Some(key.clone()),
            notes: None,
            hold: r.state == SeedState::Held,
            channel: Channel::Admin,
            consume_lock: None,
            policy_override: None,
        };
        match engine
            .create_reservation(tenant.id, cmd, &Actor::System)
            .await
        {
            Ok(booked) => {
                if r.state == SeedState::Canceled {
                    cancel_seeded(engine, tenant, booked.id).await?;
                }
                return Ok(true);
            }
            Err(EngineError::Validation(_) | EngineError::Unavailable { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(false)
}

async fn cancel_seeded(
    engine: &Engine,
    tenant: &Tenant,
    id: berth_core::ids::ReservationId,
) -> anyhow::Result<()> {
    engine
        .cancel(tenant.id, id, Some("demo".into()), None, &Actor::System)
        .await?;
    Ok(())
}

/// For the demo tests: the example tenants' live policies, on a manual clock
/// at Monday 2027-03-22 08:00 UTC (before 05:00 in every demo time zone).
#[cfg(test)]
pub(crate) fn demo_registry() -> (Arc<PolicyRegistry>, Arc<berth_core::clock::ManualClock>) {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let clock = Arc::new(berth_core::clock::ManualClock::new(
        "2027-03-22T08:00:00Z"
            .parse()
            .unwrap_or_else(|_| unreachable!("a fixed instant")),
    ));
    let registry = Arc::new(PolicyRegistry::new(
        berth_policy::Runtime::new(berth_policy::sandbox::Limits::default())
            .unwrap_or_else(|e| panic!("the built-in models: {e}")),
        repo.join("tenants"),
        clock.clone(),
    ));
    registry.load_all();
    (registry, clock)
}

// The demo data's analytics against hand-computed figures, seeded on a fixed day.
#[cfg(test)]
mod demo_analytics;

// A demo seed cut short is completed on the next start, never duplicated.
#[cfg(test)]
mod demo_resume;

// Each policy load stores the tenant's profile; reloads replace it.
#[cfg(test)]
mod profile;

// The demo tenants' pictures are what the code draws.
#[cfg(test)]
mod demo_pictures;

pub mod versions;
