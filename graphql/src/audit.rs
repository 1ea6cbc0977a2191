//! The audit log: `auditLog(filter, first, after)`, newest first, keyset-paged.
//! Every mutation and every automatic transition writes its entry in the same
//! transaction as the change; entries keep only the fields that changed and never
//! a secret. Reading it needs admin: entries hold client data.

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use berth_core::audit::{Actor, AuditCursor, AuditEntry as CoreEntry, AuditFilter};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded};
use crate::page::{Page, page_of, page_size};

/// One entry of the audit log: who did what to which entity, when.
#[derive(SimpleObject, Debug)]
pub struct AuditEntry {
    /// Stable id.
    pub id: ID,
    /// Who: `user:<id>`, `api_key:<key id>`, `public` or `system` (the same
    /// form `AuditLogFilter.actor` takes).
    pub actor: String,
    /// The kind of entity (`reservation`, `unit`, `client`, `lock`, `user`…).
    pub entity_type: String,
    /// The entity's id.
    pub entity_id: ID,
    /// What was done (`create`, `update`, `cancel`, `mark_absent`, `sign_in`…).
    pub action: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The request that did it (its `x-request-id` response header); null for
    /// automatic transitions.
    pub request_id: Option<String>,
    /// Details: `before` and `after` hold only the fields that changed (a created
    /// entity has only `after`); state changes have `from`, `to` and `details`.
    pub metadata: Json<serde_json::Value>,
}

impl From<CoreEntry> for AuditEntry {
    fn from(e: CoreEntry) -> Self {
        Self {
            id: ID(e.id.to_string()),
            actor: e.actor.to_string(),
            entity_type: e.entity_type,
            entity_id: ID(e.entity_id.to_string()),
            action: e.action,
            at: e.at,
            request_id: e.request_id,
            metadata: Json(e.metadata),
        }
    }
}

/// Which audit entries to list; every given field must match.
#[derive(InputObject, Debug, Default)]
pub struct AuditLogFilter {
    /// `user:<id>`, `api_key:<key id>`, `public` or `system`.
    pub actor: Option<String>,
    /// `reservation`, `unit`, `client`, `lock`, `user`, `api_key`, `webhook`…
    pub entity_type: Option<String>,
    /// One entity's history (NOT_FOUND when no entry of the tenant names it).
    pub entity_id: Option<ID>,
    /// One action (`cancel`).
    pub action: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl TryFrom<AuditLogFilter> for AuditFilter {
    type Error = async_graphql::Error;
    fn try_from(f: AuditLogFilter) -> Result<Self> {
        let invalid = |message: String| coded(ErrorCode::InvalidInput, message);
        let actor = f
            .actor
            .map(|a| a.parse::<Actor>())
            .transpose()
            .map_err(|e| invalid(format!("filter.actor: {e}")))?;
        let entity_id = f
            .entity_id
            .map(|id| {
                id.parse::<uuid::Uuid>()
                    .map_err(|_| invalid(format!("filter.entityId: `{}` is not an id", id.0)))
            })
            .transpose()?;
        if let (Some(from), Some(to)) = (f.from, f.to)
            && to < from
        {
            return Err(invalid("filter: `to` is before `from`".into()));
        }
        Ok(Self {
            actor,
            entity_type: f.entity_type,
            entity_id,
            action: f.action,
            from: f.from,
            to: f.to,
        })
    }
}

/// Audit log queries.
#[derive(Default, Debug)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The tenant's audit log, newest first; page on with `after` (a previous
    /// page's `endCursor`).
    #[graphql(complexity = "crate::cost::page(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Page<AuditEntry>> {
        let viewer = require(ctx, Role::Admin).await?;
        let limit = page_size(first)?;
        let filter = AuditFilter::try_from(filter.unwrap_or_default())?;
        let after = after
            .map(|c| {
                c.parse::<AuditCursor>()
                    .map_err(|e| coded(ErrorCode::InvalidInput, format!("after: {e}")))
            })
            .transpose()?;
        let engine = ctx.data_unchecked::<Engine>();
        let found = engine
            .store()
            .audit_log(viewer.tenant_id, &filter, after, limit + 1)
            .await
            .gql()?;
        // An id that names nothing of the tenant's is NOT_FOUND, as everywhere
        // else in the API (rather than an empty history).
        if found.is_empty()
            && let Some(entity_id) = filter.entity_id
        {
            let any = AuditFilter {
                entity_id: Some(entity_id),
                ..AuditFilter::default()
            };
            let known = engine
                .store()
                .audit_log(viewer.tenant_id, &any, None, 1)
                .await
                .gql()?;
            if known.is_empty() {
                return Err(coded(
                    ErrorCode::NotFound,
                    format!("filter.entityId: nothing with id {entity_id} has an audit entry"),
                ));
            }
        }
        Ok(page_of(found, limit, after.is_some(), |e| {
            (AuditCursor::of(&e).to_string(), AuditEntry::from(e))
        }))
    }
}
