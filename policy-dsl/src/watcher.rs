//! Hot reload: a file watcher (inotify on Linux, debounced by 100 ms) on the
//! tenants directory. Each batch of changes names the tenants whose
//! directories were touched: [`watch`] reloads them into the registry, which
//! decides whether each candidate goes live; [`watch_tenants`] hands them to
//! the caller (`berth serve` publishes them).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::registry::PolicyRegistry;

/// How long the watcher waits for a burst of writes (an editor's save) to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    _debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watcher")
    }
}

/// Starts watching the registry's root: each tenant whose directory changed
/// is reloaded from it (the registry decides whether it goes live).
pub fn watch(registry: Arc<PolicyRegistry>) -> Result<Watcher, notify::Error> {
    let root = registry.root().to_owned();
    watch_tenants(&root, move |slug| {
        registry.reload(&slug);
    })
}

/// Starts watching `root`: `changed` is called with the slug of each tenant
/// whose directory changed, once per batch of writes (`berth serve` publishes
/// it, docs/decisions/0162).
pub fn watch_tenants(
    root: &Path,
    changed: impl Fn(String) + Send + 'static,
) -> Result<Watcher, notify::Error> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let handler_root = root.clone();
    let mut debouncer =
        new_debouncer(
            DEBOUNCE,
            None,
            move |result: DebounceEventResult| match result {
                Ok(events) => {
                    // Only what changes a file: reading one (berth reads
                    // a tenant's pictures and templates) is no save.
                    let slugs: BTreeSet<String> = events
                        .iter()
                        .filter(|e| !e.kind.is_access() && !e.kind.is_other())
                        .flat_map(|e| e.paths.iter())
                        .filter_map(|p| tenant_of(&handler_root, p))
                        .collect();
                    for slug in slugs {
                        changed(slug);
                    }
                }
                Err(errors) => {
                    for e in errors {
                        tracing::warn!(error = %e, "watching the tenants directory");
                    }
                }
            },
        )?;
    debouncer.watch(&root, RecursiveMode::Recursive)?;
    tracing::info!(dir = %root.display(), "watching tenant policies");
    Ok(Watcher {
        _debouncer: debouncer,
    })
}

/// The tenant slug a changed path belongs to: its first component under the root.
fn tenant_of(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let first = relative.components().next()?;
    let name = first.as_os_str().to_string_lossy().into_owned();
    // Editors' temporary files and hidden directories are not tenants.
    (!name.starts_with('.') && name.parse::<berth_core::tenant::TenantSlug>().is_ok())
        .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_tenants() {
        let root = Path::new("/srv/tenants");
        assert_eq!(
            tenant_of(root, Path::new("/srv/tenants/alpine-cabins/tenant.yaml")).as_deref(),
            Some("alpine-cabins")
        );
        assert_eq!(
            tenant_of(root, Path::new("/srv/tenants/alpine-cabins/tests/a.yaml")).as_deref(),
            Some("alpine-cabins")
        );
        assert_eq!(
            tenant_of(root, Path::new("/srv/tenants/new-one")).as_deref(),
            Some("new-one")
        );
        assert_eq!(tenant_of(root, Path::new("/srv/tenants/.git/x")), None);
        assert_eq!(tenant_of(root, Path::new("/elsewhere/x")), None);
    }
}
