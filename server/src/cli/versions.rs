//! `berth policy publish|history|rollback` (docs/decisions/0162): a tenant
//! directory published as the tenant's next version — checked and tested
//! first exactly as a reload is, refused with the same `file:line:col`
//! errors — the versions listed newest first, and an older version published
//! again. Every instance on the database follows within a second. Each
//! writes through core's `Engine::policy_versions`, as the operator (the
//! system actor).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::clock::SystemClock;
use berth_core::policy_versions::{HISTORY_LIMIT, Planning, PolicyVersionSummary, Published};
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;

use crate::cli::{DatabaseArgs, redact};
use crate::tenants::versions::{Publication, publish_directory};

/// An engine over the database at `database`, checking candidates with a
/// registry over `root` (where the pictures the profile names are read).
async fn engine(
    database: &DatabaseArgs,
    root: &Path,
) -> anyhow::Result<(Engine, Arc<PolicyRegistry>)> {
    let store = berth_core::store::open_and_migrate(&database.database_url)
        .await
        .with_context(|| format!("opening {}", redact(&database.database_url)))?;
    let runtime = berth_policy::Runtime::new(Limits::default())
        .context("compiling the built-in models")?
        .with_directory_check(crate::workers::mail::templates::directory_check());
    let registry = Arc::new(PolicyRegistry::new(runtime, root, Arc::new(SystemClock)));
    let engine = Engine::new(store, registry.clone(), Arc::new(SystemClock));
    Ok((engine, registry))
}

/// The tenant `slug` of the database, or why not.
async fn tenant(engine: &Engine, slug: &str) -> anyhow::Result<berth_core::tenant::Tenant> {
    let parsed = slug
        .parse()
        .with_context(|| format!("`{slug}` is not a tenant slug"))?;
    engine
        .store()
        .tenant_by_slug(&parsed)
        .await?
        .with_context(|| format!("no tenant `{slug}` (publish its directory first)"))
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn line(v: &PolicyVersionSummary, live: bool) -> String {
    let restored = v
        .restored_from
        .map(|n| format!("  (rollback to {n})"))
        .unwrap_or_default();
    format!(
        "{} {:>4}  {}  {}  {}{restored}",
        if live { "*" } else { " " },
        v.number,
        v.published_at.format("%Y-%m-%d %H:%M:%S UTC"),
        short(&v.hash),
        v.author,
    )
}

fn report(slug: &str, published: &Published) {
    let v = &published.version.summary;
    if published.created {
        println!(
            "{slug}: published version {} ({}); every instance follows",
            v.number,
            short(&v.hash)
        );
    } else {
        println!(
            "{slug}: unchanged; version {} ({}) has these files and is live",
            v.number,
            short(&v.hash)
        );
    }
}

/// `berth policy publish DIR`: false (exit 1) when the directory is refused.
pub async fn publish(
    dir: PathBuf,
    accept_refusals: bool,
    database: DatabaseArgs,
) -> anyhow::Result<bool> {
    let dir = if dir.file_name().is_some() {
        dir
    } else {
        dir.canonicalize()
            .with_context(|| format!("reading {}", dir.display()))?
    };
    let slug = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .with_context(|| format!("{} is not a tenant directory", dir.display()))?;
    let root = dir
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let (engine, registry) = engine(&database, &root).await?;
    let published = publish_directory(
        &engine,
        &registry,
        &slug,
        accept_refusals,
        Planning::Always,
        &Actor::System,
    )
    .await?;
    match published {
        Publication::Missing => {
            anyhow::bail!("{} has no tenant.yaml", dir.display())
        }
        Publication::Refused(diagnostics) => {
            for d in &diagnostics {
                println!("{d}");
            }
            println!(
                "{slug}: refused ({} problem(s)); nothing published",
                diagnostics.len()
            );
            Ok(false)
        }
        Publication::Published(published) => {
            report(&slug, &published);
            Ok(true)
        }
    }
}

/// `berth policy history SLUG`: the versions, newest first; `*` marks the
/// live one.
pub async fn history(slug: &str, database: DatabaseArgs) -> anyhow::Result<()> {
    let (engine, _) = engine(&database, Path::new(".")).await?;
    let tenant = tenant(&engine, slug).await?;
    let versions = engine
        .policy_versions()
        .history(tenant.id, HISTORY_LIMIT)
        .await?;
    if versions.is_empty() {
        println!("{slug}: no published version");
    }
    for (i, v) in versions.iter().enumerate() {
        println!("{}", line(v, i == 0));
    }
    Ok(())
}

/// `berth policy rollback SLUG --to N`: version N's files published again
/// (checked again; the pictures they name read under `tenants`).
pub async fn rollback(
    slug: &str,
    to: u64,
    accept_refusals: bool,
    tenants: &Path,
    database: DatabaseArgs,
) -> anyhow::Result<bool> {
    let (engine, _) = engine(&database, tenants).await?;
    let tenant = tenant(&engine, slug).await?;
    match engine
        .policy_versions()
        .rollback(tenant.id, to, None, accept_refusals, &Actor::System)
        .await
    {
        Ok(published) => {
            report(slug, &published);
            Ok(true)
        }
        Err(berth_core::EngineError::CandidateRejected(lines)) => {
            for l in &lines {
                println!("{l}");
            }
            println!("{slug}: version {to} no longer loads; nothing published");
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}
