//! The policy-versions part of the storage port
//! (`crate::policy_versions`): a tenant's published policy directories,
//! numbered 1, 2, 3… and never changed once written. The live version is
//! the highest number. A publication takes the tenant's row first (the
//! serialization point of its publishers, so two instances publishing at
//! once number their versions one after the other), stores nothing when its
//! files are the live version's, and otherwise writes the version with an
//! audit entry (entity `policy`, the tenant's id; action `publish`, or
//! `rollback` for an older version's files published again) and a
//! `policy.published` event in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::StoreError;
use super::records::ChangeRecord;
use crate::audit::Actor;
use crate::event::EventKind;
use crate::ids::TenantId;
use crate::policy_versions::{NewPolicyVersion, PolicyVersion, PolicyVersionSummary, Published};

/// Published policy versions. Every [`super::Store`] is one.
#[async_trait]
pub trait PolicyVersionStore: Send + Sync {
    /// Stores `new` as the tenant's next version, with its audit entry and
    /// `policy.published` event; when its files are the live version's,
    /// nothing is written and the live version is answered (`created`
    /// false). NOT_FOUND for an unknown tenant; [`StoreError::StalePolicyBase`]
    /// when `new.base` is given and another version is live (checked after
    /// the tenant's row is locked, before anything else).
    async fn publish_policy_version(
        &self,
        tenant: TenantId,
        new: &NewPolicyVersion,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Published, StoreError>;
    /// The tenant's versions without their files, newest first, at most
    /// `limit`.
    async fn policy_versions(
        &self,
        tenant: TenantId,
        limit: u32,
    ) -> Result<Vec<PolicyVersionSummary>, StoreError>;
    /// One version of the tenant, with its files.
    async fn policy_version(
        &self,
        tenant: TenantId,
        number: u64,
    ) -> Result<Option<PolicyVersion>, StoreError>;
    /// The tenant's live version (its highest number), with its files.
    async fn live_policy_version(
        &self,
        tenant: TenantId,
    ) -> Result<Option<PolicyVersion>, StoreError>;
}

/// The audit entry and event of a stored version.
pub(crate) fn published(
    version: &PolicyVersionSummary,
    before: Option<&PolicyVersionSummary>,
    paths: Vec<&str>,
    actor: &Actor,
) -> ChangeRecord {
    let action = if version.restored_from.is_some() {
        "rollback"
    } else {
        "publish"
    };
    let brief = |v: &PolicyVersionSummary| json!({ "number": v.number, "hash": v.hash });
    ChangeRecord::new(
        version.tenant_id,
        actor,
        ("policy", version.tenant_id.as_uuid()),
        action,
        EventKind::PolicyPublished,
        json!({
            "number": version.number,
            "hash": version.hash,
            "restored_from": version.restored_from,
        }),
        json!({
            "before": before.map(brief),
            "after": brief(version),
            "restored_from": version.restored_from,
            "files": paths,
        }),
        version.published_at,
    )
}

pub(crate) mod sql;
