//! Published policy versions of the signed-in tenant (core's
//! `Engine::policy_versions`; docs/decisions/0162): `policyVersions` (the
//! history, newest first: number, author, time, hash — a version's files only
//! when asked), `policyVersion(number)`, and, for admins and owners,
//! `publishPolicy(files)` and `rollbackPolicy(to)`, audited, each announced
//! as a `policy.published` event that every instance follows. Files are
//! checked and tested first, as a reload is: a refusal is INVALID_INPUT with
//! `extensions.rejection`, its `file:line:col: message` lines (the shape of
//! `policyStatus.rejection`). Files identical to the live version's publish
//! nothing and answer the live version (`created: false`).

use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::ids::TenantId;
use berth_core::policy::PolicyFile;
use berth_core::policy_versions::{
    HISTORY_LIMIT, PolicyFiles, PolicyVersion as CoreVersion, PolicyVersionSummary, Published,
};
use berth_core::user::Role;
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded};
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
    files: Option<PolicyFiles>,
}

impl PolicyVersion {
    fn of(summary: PolicyVersionSummary, files: Option<PolicyFiles>) -> Self {
        let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Self {
            number: number(summary.number),
            author: summary.author.to_string(),
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
    async fn publish_policy(
        &self,
        ctx: &Context<'_>,
        files: Vec<PolicyFileInput>,
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
            .publish(viewer.tenant_id, files, accept_refusals, &viewer.actor())
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
            .rollback(viewer.tenant_id, to, accept_refusals, &viewer.actor())
            .await
            .gql()?
            .into())
    }
}
