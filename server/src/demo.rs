//! Demo tenants: `berth serve --demo` reads every `tenants/<slug>/tenant.yaml`
//! (identity: name, timezone, currency, locale) and its `seed.yaml` (units and
//! clients) and creates the tenants that the database does not have yet. A tenant
//! that exists is left alone, so restarting with `--demo` never duplicates data.
//! Only the identity and seed fields are read here; rules and pricing are the
//! policy runtime's business.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use berth_core::audit::Actor;
use berth_core::client::NewClient;
use berth_core::store::Store;
use berth_core::tenant::NewTenant;
use berth_core::unit::NewUnit;
use chrono::Utc;
use serde::Deserialize;

/// The identity part of `tenant.yaml`.
#[derive(Debug, Deserialize)]
struct TenantFile {
    slug: String,
    name: String,
    timezone: String,
    currency: String,
    #[serde(default = "default_locale")]
    locale: String,
}

fn default_locale() -> String {
    "en-US".into()
}

/// `seed.yaml`: demo units and clients.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    units: Vec<NewUnit>,
    #[serde(default)]
    clients: Vec<NewClient>,
}

/// Loads every tenant directory under `dir` that the store does not know yet.
pub async fn load(store: &dyn Store, dir: &Path) -> anyhow::Result<()> {
    let mut tenant_dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("tenant.yaml").is_file())
        .collect();
    tenant_dirs.sort();
    if tenant_dirs.is_empty() {
        bail!(
            "no tenant directories (with a tenant.yaml) under {}",
            dir.display()
        );
    }
    for tenant_dir in tenant_dirs {
        load_one(store, &tenant_dir)
            .await
            .with_context(|| format!("loading {}", tenant_dir.display()))?;
    }
    Ok(())
}

fn read_yaml<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_saphyr::from_str(&text).with_context(|| format!("{}: invalid YAML", path.display()))
}

async fn load_one(store: &dyn Store, dir: &Path) -> anyhow::Result<()> {
    let file: TenantFile = read_yaml(&dir.join("tenant.yaml"))?;
    let slug = file.slug.parse()?;
    if let Some(existing) = store.tenant_by_slug(&slug).await? {
        println!("demo tenant {} already present", existing.slug);
        return Ok(());
    }
    let seed_path = dir.join("seed.yaml");
    let seed: SeedFile = if seed_path.is_file() {
        read_yaml(&seed_path)?
    } else {
        SeedFile::default()
    };
    let now = Utc::now();
    let new = NewTenant {
        slug,
        name: file.name,
        timezone: file
            .timezone
            .parse()
            .map_err(|e| anyhow::anyhow!("timezone `{}`: {e}", file.timezone))?,
        currency: file.currency.parse()?,
        locale: file.locale,
    };
    let tenant = store.create_tenant(new, &Actor::System, now).await?;
    let units = seed.units.len();
    for unit in seed.units {
        store
            .create_unit(tenant.id, unit, &Actor::System, now)
            .await?;
    }
    let clients = seed.clients.len();
    for client in seed.clients {
        store
            .create_client(tenant.id, client, &Actor::System, now)
            .await?;
    }
    println!(
        "demo tenant {} loaded: {units} units, {clients} clients",
        tenant.slug
    );
    Ok(())
}
