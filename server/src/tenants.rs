//! Keeping the database's tenants in step with the tenant directories. When a
//! tenant's policy goes live, its identity (`tenant.yaml`: name, timezone,
//! currency, locale) is written to the database — creating the tenant the first
//! time, so a new directory appears as a new tenant — and a `policy.activated`
//! event is recorded; a refused candidate records `policy.rejected`. With `--demo`,
//! a tenant created this way also gets its `seed.yaml` units, clients and sample
//! reservations (booked through its rules, relative to the day of loading).
//! A removed directory deactivates the policy; the tenant's data is kept.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use berth_core::audit::Actor;
use berth_core::client::{Client, NewClient};
use berth_core::clock::{Clock, SystemClock};
use berth_core::engine::CreateReservation;
use berth_core::event::EventKind;
use berth_core::local_time::{local_date, local_instant};
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::Quantity;
use berth_core::quantity::{Guests, Inventory};
use berth_core::reservation::Channel;
use berth_core::store::ClientRef;
use berth_core::store::{NewEvent, Store};
use berth_core::tenant::{NewTenant, Tenant};
use berth_core::unit::NewUnit;
use berth_core::unit::Unit;
use berth_core::{Engine, EngineError};
use berth_policy::TenantPolicy;
use berth_policy::loader::{SEED_FILE, read_checked};
use berth_policy::registry::{PolicyChange, PolicyRegistry};
use berth_policy::seed::{SeedFile, SeedReservation, SeedState, seed_schema};
use chrono::{Days, NaiveTime, Utc};

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
            let (tenant, created) = sync(store_ref, &policy).await?;
            if created && demo {
                let dir = registry.root().join(slug);
                seed(store, registry, &tenant, &dir, Arc::new(SystemClock)).await?;
            }
            record(
                store_ref,
                &tenant,
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
                EventKind::PolicyRejected,
                "reject",
                serde_json::json!({ "errors": errors }),
            )
            .await
        }
        PolicyChange::Deactivated { .. } | PolicyChange::Unchanged { .. } => Ok(()),
    }
}

/// Applies every later registry outcome until the registry is dropped.
pub fn follow(store: Arc<dyn Store>, registry: Arc<PolicyRegistry>, demo: bool) {
    let mut changes = registry.subscribe();
    tokio::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) => {
                    if let Err(e) = apply(&store, &registry, &change, demo).await {
                        tracing::error!(error = ?e, "recording a policy change");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(
                        missed = n,
                        "policy changes were missed; reloading everything"
                    );
                    registry.load_all();
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

async fn record(
    store: &dyn Store,
    tenant: &Tenant,
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
        at: Utc::now(),
    };
    store.record_event(tenant.id, event, &Actor::System).await?;
    Ok(())
}

/// Creates or updates the tenant from its live policy; true when created.
async fn sync(store: &dyn Store, policy: &TenantPolicy) -> anyhow::Result<(Tenant, bool)> {
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
    match store.tenant_by_slug(&wanted.slug).await? {
        None => Ok((
            store
                .create_tenant(wanted, &Actor::System, Utc::now())
                .await?,
            true,
        )),
        Some(t)
            if t.name == wanted.name
                && t.timezone == wanted.timezone
                && t.currency == wanted.currency
                && t.locale == wanted.locale =>
        {
            Ok((t, false))
        }
        Some(t) => Ok((
            store
                .update_tenant(t.id, wanted, &Actor::System, Utc::now())
                .await?,
            false,
        )),
    }
}

/// Loads `seed.yaml` units, clients and reservations into a newly created
/// tenant, placed relative to `clock`'s day (the wall clock when serving).
pub(crate) async fn seed(
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
    let now = clock.now();
    let mut units = Vec::new();
    for unit in &seed.units {
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
        let created = store
            .create_unit(tenant.id, new, &Actor::System, now)
            .await
            .with_context(|| format!("unit {}", unit.name))?;
        units.push(created);
    }
    let mut clients = Vec::new();
    for client in &seed.clients {
        let new = NewClient {
            name: client.name.clone(),
            email: client.email.clone(),
            phone: client.phone.clone(),
            notes: None,
            blocked: false,
        };
        clients.push(
            store
                .create_client(tenant.id, new, &Actor::System, now)
                .await?,
        );
    }
    let engine = Engine::new(store.clone(), registry.clone(), clock);
    let mut booked = 0;
    for (i, r) in seed.reservations.iter().enumerate() {
        let what = format!("{}: reservations[{i}]", path.display());
        if book_seed_reservation(&engine, tenant, &units, &clients, r)
            .await
            .with_context(|| what.clone())?
        {
            booked += 1;
        } else {
            tracing::warn!(reservation = %what, "the rules or capacity refused every day tried; skipped");
        }
    }
    // One admin per demo tenant, with a fresh password printed once.
    let password = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let admin = berth_core::user::NewUser {
        email: format!("admin@{}.example.org", tenant.slug).parse()?,
        role: berth_core::user::Role::Admin,
        password_hash: berth_graphql::auth::hash_password(&password)?,
    };
    let admin = store
        .create_user(tenant.id, admin, &Actor::System, now)
        .await?;
    println!(
        "demo login: tenant={} email={} password={password}",
        tenant.slug,
        admin.email.as_str()
    );
    println!(
        "demo tenant {} loaded: {} units, {} clients, {booked} reservations",
        tenant.slug,
        seed.units.len(),
        seed.clients.len()
    );
    Ok(())
}

/// Books one seed reservation on the first day from `in_days` (up to a week
/// later) that the tenant's rules and capacity accept; false when none does.
async fn book_seed_reservation(
    engine: &Engine,
    tenant: &Tenant,
    units: &[Unit],
    clients: &[Client],
    r: &SeedReservation,
) -> anyhow::Result<bool> {
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
            idempotency_key: None,
            notes: None,
            hold: r.state == SeedState::Held,
            channel: Channel::Admin,
            consume_lock: None,
        };
        match engine
            .create_reservation(tenant.id, cmd, &Actor::System)
            .await
        {
            Ok(booked) => {
                if r.state == SeedState::Canceled {
                    engine
                        .cancel(
                            tenant.id,
                            booked.id,
                            Some("demo".into()),
                            None,
                            &Actor::System,
                        )
                        .await?;
                }
                return Ok(true);
            }
            Err(EngineError::Validation(_) | EngineError::Unavailable { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(false)
}

// The demo data's analytics against hand-computed figures, seeded on a fixed day.
#[cfg(test)]
#[path = "tenants_demo_analytics.rs"]
mod demo_analytics;
