//! The per-tenant policy registry: one live version per tenant, swapped atomically.
//! A reload loads the tenant directory as a candidate, and the candidate goes live
//! only if it parses, validates, compiles and passes its own test cases; otherwise
//! the previous version keeps serving and the rejection is kept for `status`.
//! Readers (`policy`) never wait for a reload: they load a snapshot of the map.
//! Every outcome is announced on a broadcast channel, from which the server writes
//! `policy.activated` / `policy.rejected` events.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use berth_core::clock::Clock;
use berth_core::policy::{CandidateError, Policy, PolicyError, PolicyFile, PolicyProvider};
use berth_core::tenant::Tenant;
use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::check::tenant_dirs;
use crate::diagnostic::Diagnostic;
use crate::loader;
use crate::models::Runtime;
use crate::tenant_policy::TenantPolicy;
use crate::testcase;

/// What a reload did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PolicyChange {
    /// A new version is live.
    Activated {
        /// The tenant.
        slug: String,
        /// The new version.
        version: u64,
    },
    /// The candidate was refused; the previous version (if any) keeps serving.
    Rejected {
        /// The tenant.
        slug: String,
        /// Why, with file:line:col.
        diagnostics: Vec<Diagnostic>,
    },
    /// The tenant directory is gone; the tenant no longer has a live policy.
    /// Its data is kept.
    Deactivated {
        /// The tenant.
        slug: String,
    },
    /// The candidate is identical to the live version; nothing changed.
    Unchanged {
        /// The tenant.
        slug: String,
    },
}

/// A tenant's policy state, for `policyStatus`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TenantStatus {
    /// The tenant.
    pub slug: String,
    /// The live version, if any.
    pub active_version: Option<u64>,
    /// When the live version went live.
    pub activated_at: Option<DateTime<Utc>>,
    /// The last refused candidate, if it was refused after the live version went live.
    pub last_rejection: Option<Rejection>,
}

/// A refused candidate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub diagnostics: Vec<Diagnostic>,
}

/// The registry. Share it in an `Arc`.
#[derive(Debug)]
pub struct PolicyRegistry {
    runtime: Runtime,
    root: PathBuf,
    clock: Arc<dyn Clock>,
    live: ArcSwap<HashMap<String, Arc<TenantPolicy>>>,
    status: Mutex<BTreeMap<String, TenantStatus>>,
    /// Fingerprints (file contents) of the live versions, to skip no-op reloads.
    fingerprints: Mutex<HashMap<String, Vec<u8>>>,
    next_version: AtomicU64,
    /// Serializes reloads; readers never take it.
    reloading: Mutex<()>,
    changes: broadcast::Sender<PolicyChange>,
}

impl PolicyRegistry {
    /// An empty registry over the tenant directories under `root`.
    pub fn new(runtime: Runtime, root: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Self {
        Self {
            runtime,
            root: root.into(),
            clock,
            live: ArcSwap::from_pointee(HashMap::new()),
            status: Mutex::new(BTreeMap::new()),
            fingerprints: Mutex::new(HashMap::new()),
            next_version: AtomicU64::new(1),
            reloading: Mutex::new(()),
            changes: broadcast::channel(256).0,
        }
    }

    /// The clock the registry stamps its changes with: the server's.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// The directory holding the tenant directories.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Announcements of every reload outcome.
    pub fn subscribe(&self) -> broadcast::Receiver<PolicyChange> {
        self.changes.subscribe()
    }

    /// The live policy of `slug`.
    pub fn get(&self, slug: &str) -> Option<Arc<TenantPolicy>> {
        self.live.load().get(slug).cloned()
    }

    /// Every tenant's state, by slug.
    pub fn status(&self) -> Vec<TenantStatus> {
        lock(&self.status).values().cloned().collect()
    }

    /// Loads every tenant directory under the root, and deactivates tenants whose
    /// directory is gone.
    pub fn load_all(&self) -> Vec<PolicyChange> {
        let present: Vec<String> = tenant_dirs(&self.root)
            .iter()
            .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let mut changes: Vec<PolicyChange> = present.iter().map(|slug| self.reload(slug)).collect();
        let gone: Vec<String> = self
            .live
            .load()
            .keys()
            .filter(|slug| !present.contains(slug))
            .cloned()
            .collect();
        changes.extend(gone.iter().map(|slug| self.reload(slug)));
        changes
    }

    /// Reloads one tenant from its directory and announces the outcome.
    pub fn reload(&self, slug: &str) -> PolicyChange {
        let _one_at_a_time = lock(&self.reloading);
        let dir = self.root.join(slug);
        let change = if !dir.join(loader::TENANT_FILE).is_file() {
            self.deactivate(slug)
        } else {
            let fingerprint = fingerprint(&dir);
            if self.get(slug).is_some() && lock(&self.fingerprints).get(slug) == Some(&fingerprint)
            {
                PolicyChange::Unchanged {
                    slug: slug.to_owned(),
                }
            } else {
                match self.candidate(&dir) {
                    Ok(policy) => {
                        let version = policy.version();
                        self.activate(slug, policy);
                        lock(&self.fingerprints).insert(slug.to_owned(), fingerprint);
                        PolicyChange::Activated {
                            slug: slug.to_owned(),
                            version,
                        }
                    }
                    Err(diagnostics) => {
                        self.reject(slug, &diagnostics);
                        PolicyChange::Rejected {
                            slug: slug.to_owned(),
                            diagnostics,
                        }
                    }
                }
            }
        };
        self.announce(slug, change.clone());
        change
    }

    /// Checks tenant `slug`'s directory for publication (docs/decisions/0162):
    /// its policy files are read, loaded and tested exactly as a reload does,
    /// and nothing goes live here — a publication goes live through
    /// [`Self::activate_version`]. `Ok(None)` when the directory has no
    /// `tenant.yaml`. A refusal is kept for `status` and announced, as a
    /// refused reload is; the live version keeps serving.
    pub fn check_directory(
        &self,
        slug: &str,
    ) -> Result<Option<(TenantPolicy, Vec<PolicyFile>)>, Vec<Diagnostic>> {
        let dir = self.root.join(slug);
        if !dir.join(loader::TENANT_FILE).is_file() {
            return Ok(None);
        }
        let checked = directory_files(&dir)
            .map_err(|e| {
                vec![Diagnostic::file(
                    &dir,
                    format!("cannot read the directory: {e}"),
                )]
            })
            .and_then(|files| {
                crate::candidate::load_and_test(&self.runtime, &dir, 0).map(|p| (p, files))
            });
        match checked {
            Ok(ready) => Ok(Some(ready)),
            Err(diagnostics) => {
                let _one_at_a_time = lock(&self.reloading);
                self.reject(slug, &diagnostics);
                let change = PolicyChange::Rejected {
                    slug: slug.to_owned(),
                    diagnostics: diagnostics.clone(),
                };
                self.announce(slug, change);
                Err(diagnostics)
            }
        }
    }

    /// Makes published version `number` of tenant `slug` (its `files`) live,
    /// once it loads and passes its tests with this binary — the pictures its
    /// profile names need not be on this instance's disk (docs/decisions/0168)
    /// —; otherwise the live version keeps serving and the refusal is kept
    /// and announced. `Unchanged` when that number is live already.
    pub fn activate_version(&self, slug: &str, number: u64, files: &[PolicyFile]) -> PolicyChange {
        let _one_at_a_time = lock(&self.reloading);
        let live = self.get(slug).map(|p| p.version());
        let change = if live == Some(number) {
            PolicyChange::Unchanged {
                slug: slug.to_owned(),
            }
        } else {
            let dir = self.root.join(slug);
            match crate::candidate::from_files_as(&self.runtime, Some(&dir), slug, files, number) {
                Ok(policy) => {
                    self.activate(slug, policy);
                    // A reload from the directory compares against it anew.
                    lock(&self.fingerprints).remove(slug);
                    PolicyChange::Activated {
                        slug: slug.to_owned(),
                        version: number,
                    }
                }
                Err(diagnostics) => {
                    self.reject(slug, &diagnostics);
                    PolicyChange::Rejected {
                        slug: slug.to_owned(),
                        diagnostics,
                    }
                }
            }
        };
        self.announce(slug, change.clone());
        change
    }

    /// Logs an outcome and tells the subscribers.
    fn announce(&self, slug: &str, change: PolicyChange) {
        match &change {
            PolicyChange::Activated { version, .. } => {
                tracing::info!(tenant = slug, version, "policy activated")
            }
            PolicyChange::Rejected { diagnostics, .. } => {
                for d in diagnostics {
                    tracing::warn!(tenant = slug, "policy rejected: {d}");
                }
            }
            PolicyChange::Deactivated { .. } => tracing::warn!(
                tenant = slug,
                "tenant directory removed; policy deactivated"
            ),
            PolicyChange::Unchanged { .. } => {}
        }
        // Nobody listening is fine.
        let _ = self.changes.send(change);
    }

    /// Loads, compiles and tests a candidate version.
    fn candidate(&self, dir: &Path) -> Result<TenantPolicy, Vec<Diagnostic>> {
        let version = self.next_version.fetch_add(1, Ordering::Relaxed);
        crate::candidate::load_and_test(&self.runtime, dir, version)
    }

    fn activate(&self, slug: &str, policy: TenantPolicy) {
        let version = policy.version();
        let policy = Arc::new(policy);
        self.live.rcu(|live| {
            let mut next = HashMap::clone(live);
            next.insert(slug.to_owned(), Arc::clone(&policy));
            next
        });
        lock(&self.status).insert(
            slug.to_owned(),
            TenantStatus {
                slug: slug.to_owned(),
                active_version: Some(version),
                activated_at: Some(self.clock.now()),
                last_rejection: None,
            },
        );
    }

    fn reject(&self, slug: &str, diagnostics: &[Diagnostic]) {
        let mut status = lock(&self.status);
        let entry = status
            .entry(slug.to_owned())
            .or_insert_with(|| TenantStatus {
                slug: slug.to_owned(),
                active_version: None,
                activated_at: None,
                last_rejection: None,
            });
        entry.last_rejection = Some(Rejection {
            at: self.clock.now(),
            diagnostics: diagnostics.to_vec(),
        });
    }

    fn deactivate(&self, slug: &str) -> PolicyChange {
        self.live.rcu(|live| {
            let mut next = HashMap::clone(live);
            next.remove(slug);
            next
        });
        lock(&self.fingerprints).remove(slug);
        if let Some(s) = lock(&self.status).get_mut(slug) {
            s.active_version = None;
            s.activated_at = None;
        }
        PolicyChange::Deactivated {
            slug: slug.to_owned(),
        }
    }
}

impl PolicyRegistry {
    /// The tenant's slug and its live directory (where a candidate's other
    /// files, such as pictures, are taken from).
    fn directory_of<'t>(&self, tenant: &'t Tenant) -> (&'t str, std::path::PathBuf) {
        let slug = tenant.slug.as_str();
        (slug, self.root.join(slug))
    }
}

impl PolicyProvider for PolicyRegistry {
    fn policy(&self, tenant: &Tenant) -> Result<Arc<dyn Policy>, PolicyError> {
        self.get(tenant.slug.as_str())
            .map(|p| p as Arc<dyn Policy>)
            .ok_or_else(|| PolicyError::NotLoaded(tenant.slug.to_string()))
    }

    /// Loads `files` as the tenant's directory (with the live directory's
    /// pictures), checked and tested as a reload is; nothing goes live.
    fn candidate(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<Arc<dyn Policy>, CandidateError> {
        let (slug, live_dir) = self.directory_of(tenant);
        crate::candidate::from_files(&self.runtime, Some(&live_dir), slug, files)
            .map(|p| Arc::new(p) as Arc<dyn Policy>)
            .map_err(|d| CandidateError::Rejected(d.iter().map(ToString::to_string).collect()))
    }

    fn test_candidate(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<berth_core::policy_candidate::CandidateReport, CandidateError> {
        let (slug, live_dir) = self.directory_of(tenant);
        Ok(crate::candidate::report_from_files(
            &self.runtime,
            Some(&live_dir),
            slug,
            files,
        ))
    }

    fn accept_figures(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<berth_core::policy_candidate::FigureAcceptance, CandidateError> {
        let (slug, live_dir) = self.directory_of(tenant);
        crate::candidate::accept_from_files(&self.runtime, Some(&live_dir), slug, files)
            .map_err(|d| CandidateError::Rejected(d.iter().map(ToString::to_string).collect()))
    }

    fn status(&self, tenant: &Tenant) -> Option<berth_core::policy::PolicyStatus> {
        let status = lock(&self.status).get(tenant.slug.as_str()).cloned()?;
        Some(berth_core::policy::PolicyStatus {
            active_version: status.active_version,
            activated_at: status.activated_at,
            rejected_at: status.last_rejection.as_ref().map(|r| r.at),
            rejection: status
                .last_rejection
                .map(|r| r.diagnostics.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
        })
    }
}

/// The policy files of the tenant directory `dir` — `tenant.yaml`, its
/// `*.rhai` hooks, `tests/*.yaml`, the e-mail templates `emails/*.txt` and
/// `emails/*.html` — as a version keeps them: paths inside the
/// directory with `/` separators, and their text.
pub fn directory_files(dir: &Path) -> std::io::Result<Vec<PolicyFile>> {
    let mut paths = vec![dir.join(loader::TENANT_FILE)];
    paths.extend(loader::hook_files(dir));
    paths.extend(testcase::test_files(dir));
    paths.extend(loader::email_files(dir));
    paths
        .into_iter()
        .map(|path| {
            let inside = path.strip_prefix(dir).unwrap_or(&path);
            let parts: Vec<String> = inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Ok(PolicyFile {
                path: parts.join("/"),
                text: std::fs::read_to_string(&path)?,
            })
        })
        .collect()
}

/// The contents of every file that makes up a tenant's policy, in a fixed order.
fn fingerprint(dir: &Path) -> Vec<u8> {
    let mut files = vec![dir.join(loader::TENANT_FILE)];
    files.extend(loader::hook_files(dir));
    files.extend(testcase::test_files(dir));
    files.extend(loader::email_files(dir));
    let mut out = Vec::new();
    for f in files {
        out.extend_from_slice(f.to_string_lossy().as_bytes());
        out.push(0);
        out.extend(std::fs::read(&f).unwrap_or_default());
        out.push(0);
    }
    // The profile's pictures by their hash (a changed cover alone is a new
    // version to store; their bytes need not stay in memory).
    for f in loader::picture_files(dir) {
        out.extend_from_slice(f.to_string_lossy().as_bytes());
        out.push(0);
        if let Ok(bytes) = std::fs::read(&f) {
            out.extend_from_slice(berth_core::media::MediaHash::of(&bytes).as_str().as_bytes());
        }
        out.push(0);
    }
    out
}

/// Locks a mutex, recovering from poisoning (a panicking reader cannot leave the
/// maps half-written: every write replaces whole values).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
