//! Published policy versions (docs/decisions/0162): a tenant's whole policy
//! directory — `tenant.yaml`, its `*.rhai` hooks, `tests/*.yaml` — stored in
//! the database as one numbered version (1, 2, 3… per tenant) with its author,
//! time and content hash, so that every instance serves the same rules.
//! History is append-only: the live version is the tenant's highest number,
//! and a rollback publishes an older version's files again as a new number.
//!
//! Every write goes through [`PolicyVersions`] (reached as
//! [`Engine::policy_versions`](crate::Engine::policy_versions)): the files
//! are checked and tested by the policy port first
//! ([`PolicyProvider::candidate`]) — a version that does not load or fails
//! its own tests is never stored — then stored in one transaction with its
//! audit entry and a `policy.published` event, which every instance follows.
//! Files identical to the live version's store nothing and answer the live
//! version. An explicit publication keeps the summary of its plan against
//! the policy that was live (`crate::plan`); a tenant whose live rules
//! protect its reservations refuses files that would refuse some, unless the
//! publisher accepts them. A directory saved while serving is planned only
//! for such a tenant ([`Planning`], docs/decisions/0168).

use std::collections::BTreeMap;
use std::path::{Component, Path};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::Actor;
use crate::clock::Clock;
use crate::error::EngineError;
use crate::ids::TenantId;
use crate::policy::{PolicyFile, PolicyProvider};
use crate::store::{Store, StoreError};

/// The most files one version may have.
pub const MAX_FILES: usize = 200;
/// The most bytes of text one version may have, all files together.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// How many versions a history lists at most by default.
pub const HISTORY_LIMIT: u32 = 100;

/// The files of a version: path inside the tenant directory → text, sorted by
/// path. Only the files the policy loader reads ([`is_loaded`]):
/// `tenant.yaml`, Rhai hooks beside it, test files in `tests/`, e-mail
/// templates in `emails/`; `tenant.yaml` among them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PolicyFiles(BTreeMap<String, String>);

/// Why files cannot be a version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFiles {
    /// A path that is not a relative path of plain components.
    #[error(
        "`{0}` must be a relative path inside the tenant directory (no `..`, no leading `/`, \
         no `\\`, no control characters)"
    )]
    Path(String),
    /// A file that is neither YAML nor Rhai.
    #[error(
        "`{0}` is not a policy file (only .yaml, .yml and .rhai files are, and the e-mail \
         templates emails/*.txt and emails/*.html)"
    )]
    Kind(String),
    /// A YAML or Rhai file where the loader never reads one.
    #[error(
        "`{0}` is not read by berth: a tenant directory holds `tenant.yaml`, Rhai hooks beside \
         it (`NAME.rhai`), test files in `tests/` (`tests/NAME.yaml`) and e-mail templates in \
         `emails/` (`emails/NAME.txt`, `emails/NAME.html`)"
    )]
    Place(String),
    /// The same path twice.
    #[error("`{0}` is given twice")]
    Duplicate(String),
    /// No `tenant.yaml`.
    #[error("a tenant directory needs a `tenant.yaml`")]
    NoTenantFile,
    /// Too many files or too much text.
    #[error("a version holds at most {MAX_FILES} files and {MAX_BYTES} bytes of text")]
    TooLarge,
}

impl PolicyFiles {
    /// The version's files from a list, checked.
    pub fn new(files: Vec<PolicyFile>) -> Result<Self, InvalidFiles> {
        if files.len() > MAX_FILES || files.iter().map(|f| f.text.len()).sum::<usize>() > MAX_BYTES
        {
            return Err(InvalidFiles::TooLarge);
        }
        let mut map = BTreeMap::new();
        for f in files {
            let plain = !f.path.is_empty()
                && !f.path.contains('\\')
                && !f.path.chars().any(char::is_control)
                && Path::new(&f.path)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
            if !plain {
                return Err(InvalidFiles::Path(f.path));
            }
            if !is_version_file(&f.path) {
                return Err(InvalidFiles::Kind(f.path));
            }
            if !is_loaded(&f.path) {
                return Err(InvalidFiles::Place(f.path));
            }
            if map.contains_key(&f.path) {
                return Err(InvalidFiles::Duplicate(f.path));
            }
            map.insert(f.path, f.text);
        }
        if !map.contains_key("tenant.yaml") {
            return Err(InvalidFiles::NoTenantFile);
        }
        Ok(Self(map))
    }

    /// Files read back from the database (checked when they were stored).
    pub(crate) fn stored(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }

    /// The files as a list, by path.
    pub fn to_list(&self) -> Vec<PolicyFile> {
        self.0
            .iter()
            .map(|(path, text)| PolicyFile {
                path: path.clone(),
                text: text.clone(),
            })
            .collect()
    }

    /// Path → text.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The content hash: SHA-256 (hex) over each file's path and text, by
    /// path, each length-prefixed so that no two sets of files share one.
    pub fn hash(&self) -> String {
        let mut digest = Sha256::new();
        for (path, text) in &self.0 {
            digest.update(format!("{}:", path.len()));
            digest.update(path.as_bytes());
            digest.update(format!("{}:", text.len()));
            digest.update(text.as_bytes());
        }
        hex(&digest.finalize())
    }
}

/// Whether `path` (a relative path of plain components) is a file a version
/// holds: YAML or Rhai, or an e-mail template of `emails/` (`.txt`, `.html`,
/// directly in it; docs/decisions/0168).
fn is_version_file(path: &str) -> bool {
    if let Some(name) = path.strip_prefix(EMAILS_DIR) {
        return is_email_template(name);
    }
    [".yaml", ".yml", ".rhai"].iter().any(|x| path.ends_with(x))
}

/// Whether `name` (a path inside `emails/`) names an e-mail template:
/// `NAME.txt` or `NAME.html` directly in `emails/`, `NAME` not empty and not
/// hidden (not starting with `.`).
fn is_email_template(name: &str) -> bool {
    let stem = name
        .strip_suffix(".txt")
        .or_else(|| name.strip_suffix(".html"));
    stem.is_some_and(|stem| !stem.is_empty() && !stem.starts_with('.')) && !name.contains('/')
}

/// Where a version's e-mail templates are, inside the tenant directory.
pub const EMAILS_DIR: &str = "emails/";

/// Whether berth reads the file at `path` (a relative path with `/`
/// separators) of a tenant directory: `tenant.yaml`; `NAME.rhai` beside it
/// (every hook is compiled, merged in name order); `tests/NAME.yaml` or
/// `tests/NAME.yml` (every test file is run); the e-mail templates
/// `emails/NAME.txt` and `emails/NAME.html` (the mail renders with them,
/// docs/decisions/0168; `NAME` not starting with `.`). `NAME` is not empty,
/// and the extensions are lower case, as the loader matches them. Any other
/// file would be stored and never read, so a version refuses it.
pub fn is_loaded(path: &str) -> bool {
    let named = |name: &str, extensions: &[&str]| {
        extensions.iter().any(|x| {
            name.strip_suffix(x)
                .and_then(|stem| stem.strip_suffix('.'))
                .is_some_and(|stem| !stem.is_empty())
        })
    };
    match path.split('/').collect::<Vec<_>>().as_slice() {
        ["tenant.yaml"] => true,
        [name] => named(name, &["rhai"]),
        ["tests", name] => named(name, &["yaml", "yml"]),
        ["emails", name] => is_email_template(name),
        _ => false,
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A published version without its files (a history's line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyVersionSummary {
    /// The tenant.
    pub tenant_id: TenantId,
    /// 1, 2, 3… per tenant.
    pub number: u64,
    /// The SHA-256 of its files ([`PolicyFiles::hash`]).
    pub hash: String,
    /// Who published it.
    pub author: Actor,
    /// When.
    pub published_at: DateTime<Utc>,
    /// The version whose files a rollback published again.
    pub restored_from: Option<u64>,
    /// The summary of the plan it was published with, if one was kept.
    pub plan: Option<serde_json::Value>,
}

/// A published version with its files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyVersion {
    /// Number, author, time, hash.
    #[serde(flatten)]
    pub summary: PolicyVersionSummary,
    /// The files.
    pub files: PolicyFiles,
}

/// A version to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPolicyVersion {
    /// Its files.
    pub files: PolicyFiles,
    /// For a rollback: the version whose files these are.
    pub restored_from: Option<u64>,
    /// The summary of the plan it is published with (kept with the version).
    pub plan: Option<serde_json::Value>,
    /// The live version's number the publisher started from (0: none was
    /// live), when they said: a store refuses the version when another is
    /// live by then ([`StaleBase`]), checked in the publication's own
    /// transaction.
    pub base: Option<u64>,
}

impl NewPolicyVersion {
    /// Files sent for publication (not a rollback, no plan yet) from `base`;
    /// INVALID_INPUT for files that cannot be a version.
    fn published(files: Vec<PolicyFile>, base: Option<u64>) -> Result<Self, EngineError> {
        let files = PolicyFiles::new(files).map_err(|e| EngineError::InvalidInput {
            field: "files",
            message: e.to_string(),
        })?;
        Ok(Self {
            files,
            restored_from: None,
            plan: None,
            base,
        })
    }
}

/// A publication refused because the live version is no longer the one its
/// publisher started from: someone else published in between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleBase {
    /// The number the publisher started from (0: none).
    pub base: u64,
    /// The version live now.
    pub live: PolicyVersionSummary,
}

impl StaleBase {
    /// The refusal when `base` is given and `live` (none: no version yet) is
    /// not it.
    pub fn check(
        base: Option<u64>,
        live: Option<&PolicyVersionSummary>,
    ) -> Result<(), Box<StaleBase>> {
        match (base, live) {
            (Some(base), Some(live)) if live.number != base => Err(Box::new(StaleBase {
                base,
                live: live.clone(),
            })),
            // A version was named and none is live: nothing can have been
            // published over it.
            _ => Ok(()),
        }
    }

    /// The refusal in words, naming who published the live version (see
    /// [`crate::actor_names`]).
    pub fn describe(&self, author: &dyn std::fmt::Display) -> String {
        format!(
            "version {} was published by {author} at {} while you were editing version {}: \
             reload it, or publish over it knowingly with baseVersion {}",
            self.live.number,
            self.live.published_at.format("%Y-%m-%d %H:%M UTC"),
            self.base,
            self.live.number,
        )
    }
}

/// What a publication did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The live version after it: the new one, or the live one when the files
    /// were the live version's already.
    pub version: PolicyVersion,
    /// Whether a version was stored (false: identical to the live one).
    pub created: bool,
}

/// When a publication plans its files against the live policy
/// (docs/decisions/0168).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Planning {
    /// Always, keeping the plan's summary with the version: an explicit
    /// publication (`berth policy publish`, `publishPolicy`, a rollback).
    Always,
    /// Only when the live policy protects its reservations, where the plan
    /// decides whether the files may go live; otherwise they are published
    /// without a plan (and the version keeps none). A directory saved while
    /// serving (hot reload: write → live within 500 ms, which replaying ten
    /// thousand reservations does not fit) and the directories published at
    /// start.
    WhenProtected,
}

/// The service that publishes and rolls back policy versions. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PolicyVersions {
    store: Arc<dyn Store>,
    policies: Arc<dyn PolicyProvider>,
    clock: Arc<dyn Clock>,
}

impl PolicyVersions {
    /// The service over `store`, checking candidates with `policies`, at
    /// `clock`'s time.
    pub fn new(
        store: Arc<dyn Store>,
        policies: Arc<dyn PolicyProvider>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            policies,
            clock,
        }
    }

    /// Publishes `files` as the tenant's next version, once the policy port
    /// has loaded them and they passed their own tests; the live version
    /// unchanged when they are its files already. The plan of the files
    /// against the live policy is kept with the version; when the live
    /// policy protects reservations ([`crate::policy::Policy::protects_reservations`])
    /// and the plan finds existing reservations the files would refuse,
    /// they are refused (CONFLICT) unless `accept_refusals`. With `base`
    /// (the live number the publisher started from, 0 for none), the files
    /// are refused (CONFLICT, naming the version live now and who published
    /// it) when another version is live by then — checked first and again in
    /// the publication's transaction. INVALID_INPUT for files that cannot be
    /// a version or are refused (`file:line:col: message` lines); NOT_FOUND
    /// for an unknown tenant.
    pub async fn publish(
        &self,
        tenant: TenantId,
        files: Vec<PolicyFile>,
        base: Option<u64>,
        accept_refusals: bool,
        actor: &Actor,
    ) -> Result<Published, EngineError> {
        let new = NewPolicyVersion::published(files, base)?;
        self.publish_checked(tenant, new, accept_refusals, Planning::Always, actor)
            .await
    }

    /// [`Self::publish`] without a base, planned as `planning` says: with
    /// [`Planning::WhenProtected`] the files of a tenant whose live policy
    /// does not protect its reservations are published without a plan.
    pub async fn publish_with_planning(
        &self,
        tenant: TenantId,
        files: Vec<PolicyFile>,
        accept_refusals: bool,
        planning: Planning,
        actor: &Actor,
    ) -> Result<Published, EngineError> {
        let new = NewPolicyVersion::published(files, None)?;
        self.publish_checked(tenant, new, accept_refusals, planning, actor)
            .await
    }

    /// Publishes version `to`'s files again as the tenant's next version
    /// (checked, tested and planned again, as a publication: the rules must
    /// still load); the live version unchanged when its files are `to`'s.
    /// `base` as for [`Self::publish`]. NOT_FOUND for a version the tenant
    /// does not have.
    pub async fn rollback(
        &self,
        tenant: TenantId,
        to: u64,
        base: Option<u64>,
        accept_refusals: bool,
        actor: &Actor,
    ) -> Result<Published, EngineError> {
        let version = self
            .store
            .policy_version(tenant, to)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "policy version",
                id: to.to_string(),
            })?;
        let new = NewPolicyVersion {
            files: version.files,
            restored_from: Some(to),
            plan: None,
            base,
        };
        self.publish_checked(tenant, new, accept_refusals, Planning::Always, actor)
            .await
    }

    /// Checks `new`'s files with the policy port, plans them against the
    /// live policy as `planning` says (refusing them as [`Self::publish`]
    /// says), then stores them with the plan's summary, if any.
    async fn publish_checked(
        &self,
        tenant: TenantId,
        mut new: NewPolicyVersion,
        accept_refusals: bool,
        planning: Planning,
        actor: &Actor,
    ) -> Result<Published, EngineError> {
        let stored = self
            .store
            .tenant(tenant)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "tenant",
                id: tenant.to_string(),
            })?;
        // Published over since the publisher started: refused before the
        // candidate is compiled and planned (the store checks again).
        let live = self.store.live_policy_version(tenant).await?;
        if let Err(stale) = StaleBase::check(new.base, live.as_ref().map(|l| &l.summary)) {
            return Err(self.stale(tenant, &stale).await);
        }
        // The live version's files again: nothing to check, plan or store.
        if let Some(live) = live.filter(|l| l.summary.hash == new.files.hash()) {
            return Ok(Published {
                version: live,
                created: false,
            });
        }
        let provider = Arc::clone(&self.policies);
        let (candidate_tenant, list) = (stored.clone(), new.files.to_list());
        let candidate =
            tokio::task::spawn_blocking(move || provider.candidate(&candidate_tenant, &list))
                .await
                .map_err(|e| {
                    EngineError::Crashed(format!("compiling a candidate policy: {e}"))
                })??;
        // A tenant without a live policy (its first publication) has nothing
        // to plan against; a live policy that does not protect its
        // reservations needs no plan to decide.
        let live = self
            .policies
            .policy(&stored)
            .ok()
            .filter(|live| planning == Planning::Always || live.protects_reservations());
        let plan = match live {
            Some(live) => {
                let engine = crate::Engine::new(
                    Arc::clone(&self.store),
                    Arc::clone(&self.policies),
                    Arc::clone(&self.clock),
                );
                let plan = engine
                    .plan_policy(tenant, Arc::clone(&live), candidate)
                    .await?;
                let refused = plan.summary.reservations_newly_refused;
                if refused > 0 && live.protects_reservations() && !accept_refusals {
                    return Err(EngineError::Conflict(format!(
                        "the new rules would refuse {refused} existing reservation(s), and the \
                         tenant protects its reservations: plan the change, then accept the \
                         refusals to publish it"
                    )));
                }
                Some(serde_json::to_value(&plan.summary).map_err(|e| {
                    EngineError::Crashed(format!("the plan's summary as JSON: {e}"))
                })?)
            }
            None => None,
        };
        new.plan = plan;
        match self
            .store
            .publish_policy_version(tenant, &new, actor, self.clock.now())
            .await
        {
            Err(StoreError::StalePolicyBase(stale)) => Err(self.stale(tenant, &stale).await),
            other => Ok(other?),
        }
    }

    /// The CONFLICT of a publication whose base is stale, naming who
    /// published the live version (by id when the name cannot be read).
    async fn stale(&self, tenant: TenantId, stale: &StaleBase) -> EngineError {
        match crate::actor_names::name(&*self.store, tenant, &stale.live.author).await {
            Ok(name) => EngineError::Conflict(stale.describe(&name)),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read who published a policy version");
                EngineError::Conflict(stale.describe(&stale.live.author))
            }
        }
    }

    /// The tenant's versions, newest first, at most `limit`.
    pub async fn history(
        &self,
        tenant: TenantId,
        limit: u32,
    ) -> Result<Vec<PolicyVersionSummary>, EngineError> {
        Ok(self.store.policy_versions(tenant, limit).await?)
    }

    /// One version of the tenant, with its files.
    pub async fn version(
        &self,
        tenant: TenantId,
        number: u64,
    ) -> Result<Option<PolicyVersion>, EngineError> {
        Ok(self.store.policy_version(tenant, number).await?)
    }

    /// The tenant's live version (its highest number); none before its first
    /// publication.
    pub async fn live(&self, tenant: TenantId) -> Result<Option<PolicyVersion>, EngineError> {
        Ok(self.store.live_policy_version(tenant).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> PolicyFile {
        PolicyFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn files_are_checked_and_hashed_by_path() {
        let a =
            PolicyFiles::new(vec![file("tests/a.yaml", "x"), file("tenant.yaml", "y")]).unwrap();
        let b =
            PolicyFiles::new(vec![file("tenant.yaml", "y"), file("tests/a.yaml", "x")]).unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.hash().len(), 64);
        // Moving text from one file to the next is another version.
        let c =
            PolicyFiles::new(vec![file("tenant.yaml", "yx"), file("tests/a.yaml", "")]).unwrap();
        assert_ne!(a.hash(), c.hash());
        for (bad, why) in [
            ("../x.yaml", InvalidFiles::Path("../x.yaml".into())),
            ("/etc/x.yaml", InvalidFiles::Path("/etc/x.yaml".into())),
            ("./tenant.yaml", InvalidFiles::Path("./tenant.yaml".into())),
            ("cover.jpg", InvalidFiles::Kind("cover.jpg".into())),
            ("notes.txt", InvalidFiles::Kind("notes.txt".into())),
            (
                "emails/a/b.txt",
                InvalidFiles::Kind("emails/a/b.txt".into()),
            ),
            (
                "emails/logo.png",
                InvalidFiles::Kind("emails/logo.png".into()),
            ),
            ("emails/.txt", InvalidFiles::Kind("emails/.txt".into())),
        ] {
            assert_eq!(
                PolicyFiles::new(vec![file("tenant.yaml", ""), file(bad, "")]),
                Err(why)
            );
        }
        let with_template = PolicyFiles::new(vec![
            file("tenant.yaml", ""),
            file("emails/reminder.txt", "Subject: x"),
            file("emails/layout.html", ""),
        ])
        .unwrap();
        assert_eq!(with_template.as_map().len(), 3);
        assert_eq!(
            PolicyFiles::new(vec![file("tenant.yaml", ""), file("tenant.yaml", "")]),
            Err(InvalidFiles::Duplicate("tenant.yaml".into()))
        );
        assert_eq!(
            PolicyFiles::new(vec![file("hooks.rhai", "")]),
            Err(InvalidFiles::NoTenantFile)
        );
    }

    #[test]
    fn only_files_the_loader_reads_are_part_of_a_version() {
        for read in [
            "tenant.yaml",
            "saturday_arrivals.rhai",
            "a.b.rhai",
            "tests/pricing.yaml",
            "tests/rules.yml",
            "emails/reminder.txt",
            "emails/booking_confirmed.html",
            "emails/a.b.txt",
        ] {
            assert!(is_loaded(read), "{read}");
        }
        for ignored in [
            "seed.yaml",
            "other.yml",
            "hooks/a.rhai",
            "tests/a.rhai",
            "tests/sub/a.yaml",
            "tests/.yaml",
            ".rhai",
            "A.RHAI",
            "tests/a.YAML",
            "tenant.yml",
            "emails/.txt",
            "emails/.hidden.html",
            "emails/a/b.txt",
            "emails/logo.png",
            "emails/a.yaml",
            "emails/a.TXT",
            "emails/",
            "emails",
            "reminder.txt",
            "tests/reminder.html",
            "hooks/emails/a.txt",
        ] {
            assert!(!is_loaded(ignored), "{ignored}");
        }
        assert_eq!(
            PolicyFiles::new(vec![file("tenant.yaml", ""), file("hooks/a.rhai", "")]),
            Err(InvalidFiles::Place("hooks/a.rhai".into()))
        );
    }
}
