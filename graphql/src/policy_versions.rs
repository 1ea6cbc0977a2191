//! Published policy versions of the signed-in tenant (core's
//! `Engine::policy_versions`; docs/decisions/0162): `policyVersions` (the
//! history, newest first: number, author, time, hash — a version's files only
//! when asked), `policyVersion(number)`, and, for admins and owners,
//! `publishPolicy(files)` and `rollbackPolicy(to)`, audited, each announced
//! as a `policy.published` event that every instance follows. Files are
//! checked and tested first, as a reload is: a refusal is INVALID_INPUT with
//! `extensions.rejection`, its `file:line:col: message` lines (the shape of
//! `policyStatus.rejection`). Files identical to the live version's publish
//! nothing and answer the live version (`created: false`). `baseVersion`
//! (the live number an editor started from) makes a publication or rollback
//! CONFLICT when someone published since (docs/decisions/0169).
//! `PolicyVersion.publisher` names who published (a user's e-mail, an API
//! key's name — for admins and owners, batched by a DataLoader).

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::actor_names::ActorName;
use berth_core::audit::Actor;
use berth_core::ids::TenantId;
use berth_core::policy::PolicyFile;
use berth_core::policy_versions::{
    HISTORY_LIMIT, PolicyFiles, PolicyVersion as CoreVersion, PolicyVersionSummary, Published,
};
use berth_core::user::Role;
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded, internal};
use crate::loaders::ActorNameLoader;
use crate::policy_plan::PolicyFileInput;

/// One file of a published version.
#[derive(SimpleObject, Debug)]
pub struct PolicyVersionFile {
    /// Its path inside the tenant directory.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// A published version of the tenant's policy: its whole directory
/// (`tenant.yaml`, `*.rhai`, `tests/*.yaml` and the e-mail templates
/// `emails/NAME.txt`, `emails/NAME.html`), numbered 1, 2, 3…; the highest
/// number is live.
#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct PolicyVersion {
    /// 1, 2, 3… per tenant.
    pub number: i64,
    /// Who published it: `user:<id>`, `api_key:<id>` or `system` (the
    /// watcher, the command line, the start of a server).
    pub author: String,
    /// When.
    pub published_at: DateTime<Utc>,
    /// The SHA-256 (hex) of its files: equal hashes, equal files.
    pub hash: String,
    /// For a rollback: the version whose files it published again.
    pub restored_from: Option<i64>,
    /// The summary of its plan against the version live before it (none for
    /// a tenant's first version).
    pub plan: Option<crate::policy_plan::PlanSummary>,
    #[graphql(skip)]
    tenant: TenantId,
    #[graphql(skip)]
    actor: Actor,
    #[graphql(skip)]
    files: Option<PolicyFiles>,
}

/// What kind of actor published a version.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PolicyPublisherKind {
    /// A signed-in user (the admin app, the API).
    User,
    /// An integrator's API key.
    ApiKey,
    /// berth itself: `berth policy publish`, the watcher, a server's start.
    System,
    /// An anonymous visitor (never publishes; listed for completeness).
    Public,
}

/// Who published a version, in words: the kind, and for a user or an API key
/// its name.
#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct PolicyPublisher {
    /// The kind of actor.
    pub kind: PolicyPublisherKind,
    /// The user's id, when a user published (compare with `me.id`).
    pub user_id: Option<async_graphql::ID>,
    #[graphql(skip)]
    tenant: TenantId,
    #[graphql(skip)]
    actor: Actor,
}

#[ComplexObject]
impl PolicyPublisher {
    /// The user's e-mail address or the API key's name (admins and owners,
    /// who manage users and keys; FORBIDDEN for others); null for berth
    /// itself, and for a user or key the tenant does not have.
    async fn name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let viewer = require(ctx, Role::Admin).await?;
        if viewer.tenant_id != self.tenant {
            return Ok(None);
        }
        let loader = ctx.data_unchecked::<DataLoader<ActorNameLoader>>();
        let name = loader
            .load_one((self.tenant, self.actor.clone()))
            .await
            .map_err(|e| internal(&*e))?;
        Ok(name.as_ref().and_then(ActorName::name).map(str::to_owned))
    }
}

impl PolicyVersion {
    fn of(summary: PolicyVersionSummary, files: Option<PolicyFiles>) -> Self {
        let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Self {
            number: number(summary.number),
            author: summary.author.to_string(),
            actor: summary.author.clone(),
            published_at: summary.published_at,
            hash: summary.hash,
            restored_from: summary.restored_from.map(number),
            plan: summary
                .plan
                .and_then(|p| serde_json::from_value::<berth_core::plan::PlanSummary>(p).ok())
                .map(Into::into),
            tenant: summary.tenant_id,
            files,
        }
    }
}

impl From<CoreVersion> for PolicyVersion {
    fn from(v: CoreVersion) -> Self {
        Self::of(v.summary, Some(v.files))
    }
}

#[ComplexObject]
impl PolicyVersion {
    /// Who published it, in words (see `author` for the raw actor).
    async fn publisher(&self) -> PolicyPublisher {
        let (kind, user_id) = match &self.actor {
            Actor::User(id) => (
                PolicyPublisherKind::User,
                Some(async_graphql::ID(id.to_string())),
            ),
            Actor::ApiKey(_) => (PolicyPublisherKind::ApiKey, None),
            Actor::System => (PolicyPublisherKind::System, None),
            Actor::Public => (PolicyPublisherKind::Public, None),
        };
        PolicyPublisher {
            kind,
            user_id,
            tenant: self.tenant,
            actor: self.actor.clone(),
        }
    }

    /// Its files, by path (read when asked: a history's lines carry none).
    async fn files(&self, ctx: &Context<'_>) -> Result<Vec<PolicyVersionFile>> {
        let files = match &self.files {
            Some(files) => files.clone(),
            None => {
                let engine = ctx.data_unchecked::<Engine>();
                let number = u64::try_from(self.number).unwrap_or_default();
                engine
                    .policy_versions()
                    .version(self.tenant, number)
                    .await
                    .gql()?
                    .map(|v| v.files)
                    .ok_or_else(|| coded(berth_core::ErrorCode::NotFound, "no such version"))?
            }
        };
        Ok(files
            .to_list()
            .into_iter()
            .map(|f| PolicyVersionFile {
                path: f.path,
                text: f.text,
            })
            .collect())
    }
}

/// What a publication or rollback did.
#[derive(SimpleObject, Debug)]
pub struct PolicyPublication {
    /// The live version after it.
    pub version: PolicyVersion,
    /// Whether a new version was stored (false: the files were live already).
    pub created: bool,
}

impl From<Published> for PolicyPublication {
    fn from(p: Published) -> Self {
        Self {
            version: p.version.into(),
            created: p.created,
        }
    }
}

/// `policyVersions`: the tenant's published versions, newest first (the
/// first is live), at most `first` (default and most 100). A field of the
/// session's query object (`session.rs`, beside `policyStatus`): another
/// member of the merged query root would deepen its futures past the
/// compiler's recursion limit.
pub(crate) async fn history(ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<PolicyVersion>> {
    let viewer = require(ctx, Role::Viewer).await?;
    let limit = first
        .map_or(HISTORY_LIMIT, |n| u32::try_from(n).unwrap_or(0))
        .min(HISTORY_LIMIT);
    let engine = ctx.data_unchecked::<Engine>();
    Ok(engine
        .policy_versions()
        .history(viewer.tenant_id, limit)
        .await
        .gql()?
        .into_iter()
        .map(|s| PolicyVersion::of(s, None))
        .collect())
}

/// `policyVersion(number)`: one published version of the tenant, with its
/// files; null for a number it does not have.
pub(crate) async fn version(ctx: &Context<'_>, number: i64) -> Result<Option<PolicyVersion>> {
    let viewer = require(ctx, Role::Viewer).await?;
    let Ok(number) = u64::try_from(number) else {
        return Ok(None);
    };
    let engine = ctx.data_unchecked::<Engine>();
    Ok(engine
        .policy_versions()
        .version(viewer.tenant_id, number)
        .await
        .gql()?
        .map(PolicyVersion::from))
}

/// Policy version mutations.
#[derive(Default, Debug)]
pub struct PolicyVersionsMutation;

#[Object]
impl PolicyVersionsMutation {
    /// Publishes the tenant's whole directory (admins and owners): checked
    /// and tested first; it goes live on every instance within a second.
    /// `files` is the whole directory: a file left out is not in the new
    /// version.
    async fn publish_policy(
        &self,
        ctx: &Context<'_>,
        files: Vec<PolicyFileInput>,
        #[graphql(
            desc = "The live version's number the files were edited from (0: none was live). When another version is live by then — someone published meanwhile — the publication is refused with CONFLICT naming that version and who published it."
        )]
        base_version: Option<i64>,
        #[graphql(
            default = false,
            desc = "Publish although the new rules would refuse existing reservations (a tenant whose rules protect its reservations refuses them otherwise, CONFLICT; see `planPolicy`)."
        )]
        accept_refusals: bool,
    ) -> Result<PolicyPublication> {
        let viewer = require(ctx, Role::Admin).await?;
        let files = files
            .into_iter()
            .map(|f| PolicyFile {
                path: f.path,
                text: f.text,
            })
            .collect();
        let engine = ctx.data_unchecked::<Engine>();
        Ok(engine
            .policy_versions()
            .publish(
                viewer.tenant_id,
                files,
                base(base_version)?,
                accept_refusals,
                &viewer.actor(),
            )
            .await
            .gql()?
            .into())
    }

    /// Publishes version `to`'s files again as a new version (admins and
    /// owners); NOT_FOUND for a version the tenant does not have.
    async fn rollback_policy(
        &self,
        ctx: &Context<'_>,
        to: i64,
        #[graphql(
            desc = "The live version's number the caller saw; CONFLICT when another is live by then (as for `publishPolicy`)."
        )]
        base_version: Option<i64>,
        #[graphql(
            default = false,
            desc = "Roll back although the rules would refuse existing reservations."
        )]
        accept_refusals: bool,
    ) -> Result<PolicyPublication> {
        let viewer = require(ctx, Role::Admin).await?;
        let to = u64::try_from(to).map_err(|_| {
            coded(
                berth_core::ErrorCode::NotFound,
                format!("policy version {to} not found"),
            )
        })?;
        let engine = ctx.data_unchecked::<Engine>();
        Ok(engine
            .policy_versions()
            .rollback(
                viewer.tenant_id,
                to,
                base(base_version)?,
                accept_refusals,
                &viewer.actor(),
            )
            .await
            .gql()?
            .into())
    }
}

/// `baseVersion` as core takes it; a negative number is INVALID_INPUT.
fn base(base_version: Option<i64>) -> Result<Option<u64>> {
    base_version
        .map(|n| {
            u64::try_from(n).map_err(|_| {
                coded(
                    berth_core::ErrorCode::InvalidInput,
                    format!("baseVersion: {n} is not a version number"),
                )
            })
        })
        .transpose()
}
