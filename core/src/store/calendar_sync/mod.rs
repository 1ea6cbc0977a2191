//! The calendar-sync part of the storage port: the URLs a worker fetches on a
//! schedule (`crate::ical::sync`), and what both stores share for them: the
//! audit entries and events of adding and removing one, and reading a row back.
//!
//! A sync's URL often carries the other site's secret: with a secrets key it is
//! stored sealed like webhook signing secrets (`crate::secret_box`, bound to
//! the sync's tenant and id), and neither the audit log (its host only) nor
//! events carry it.
//!
//! A worker claims due syncs with a lease (`lease_until`), so several
//! instances never fetch the same calendar at once; a claim whose worker died
//! comes due again when its lease ends. Which tenants to claim for comes from
//! `calendar_sync_tenants` (migration 0023): per tenant, an instant never
//! later than its earliest due sync — moved earlier by every write that makes
//! a sync due sooner, set exactly by each claim — so a pass costs a query per
//! tenant with something due, not per tenant. The import a fetch leads to is the
//! ordinary [`super::CalendarStore::replace_calendar_blocks`] transaction;
//! the fetch's report is a second, small write (a crash between them leaves the
//! sync due again, and importing the same calendar twice changes nothing).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::StoreError;
use super::records::{ChangeRecord, to_json};
use crate::audit::{Actor, AuditEntry};
use crate::event::EventKind;
use crate::ical::sync::{CalendarSync, NewCalendarSync, SyncReport, SyncStatus};
use crate::ids::{CalendarSyncId, TenantId, UnitId};
use crate::secret_box::SecretBox;

/// Calendar syncs. Every [`super::Store`] is one.
#[async_trait]
pub trait CalendarSyncStore: Send + Sync {
    /// Adds a sync, due at once, with its audit entry and event. NOT_FOUND for
    /// a unit the tenant does not have (or has archived); CONFLICT when the
    /// unit already syncs that source.
    async fn add_calendar_sync(
        &self,
        tenant: TenantId,
        new: NewCalendarSync,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError>;
    /// The tenant's syncs (of one unit, when given), by unit and source.
    async fn calendar_syncs(
        &self,
        tenant: TenantId,
        unit: Option<UnitId>,
    ) -> Result<Vec<CalendarSync>, StoreError>;
    /// One sync.
    async fn calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
    ) -> Result<Option<CalendarSync>, StoreError>;
    /// Removes a sync (and, with `clear_blocks`, its source's blocks of the unit)
    /// in one transaction with its audit entry and event: the removed sync, or
    /// NOT_FOUND.
    async fn remove_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        clear_blocks: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError>;
    /// Makes a sync due at `now` (a fetch asked for by hand), with its audit
    /// entry: the sync, or NOT_FOUND.
    async fn request_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError>;
    /// Claims up to `limit` of the tenant's due syncs (next fetch at or before
    /// `now`, no live lease), soonest first, leasing them until `lease_until`.
    async fn claim_calendar_syncs(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CalendarSync>, StoreError>;
    /// Records a claimed fetch's report and ends its lease; false when the sync
    /// was removed meanwhile.
    async fn finish_calendar_sync(
        &self,
        tenant: TenantId,
        report: &SyncReport,
    ) -> Result<bool, StoreError>;
    /// Up to `limit` tenants that may have a sync due at `now`, the longest
    /// due first: the only tenants a worker's pass needs to claim for. Never
    /// misses one (a tenant's mark is never later than its earliest due sync);
    /// may name a tenant with nothing to claim, whose claim then corrects it.
    async fn calendar_sync_tenants_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<TenantId>, StoreError>;
}

/// The audit entry and event of an added sync. Neither carries the URL, which
/// often holds the other site's secret (and is sealed at rest): the audit entry
/// names its host.
pub(crate) fn sync_added(sync: &CalendarSync, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        sync.tenant_id,
        actor,
        ("calendar_sync", sync.id.as_uuid()),
        "add_calendar_sync",
        EventKind::CalendarSyncAdded,
        public_part(sync),
        json!({ "after": audited_part(sync) }),
        sync.created_at,
    )
}

/// What an event tells of a sync: everything but its URL.
fn public_part(sync: &CalendarSync) -> serde_json::Value {
    json!({
        "id": sync.id,
        "unit_id": sync.unit_id,
        "source": sync.source,
        "interval_minutes": sync.interval,
        "created_at": sync.created_at,
    })
}

/// What the audit log keeps of a sync: its URL's host only.
fn audited_part(sync: &CalendarSync) -> serde_json::Value {
    let mut json = to_json(sync);
    json["url"] = serde_json::Value::Null;
    json["url_host"] = json!(sync.url.host());
    json
}

/// What a sync's sealed URL is bound to: its tenant and id.
fn url_row(tenant: TenantId, id: CalendarSyncId) -> String {
    format!("calendar-sync-url:{tenant}:{id}")
}

/// A sync's URL as its row stores it: sealed when the store has a secrets key.
pub(crate) fn stored_url(secrets: Option<&SecretBox>, sync: &CalendarSync) -> String {
    SecretBox::store(
        secrets,
        sync.url.as_str(),
        &url_row(sync.tenant_id, sync.id),
    )
}

/// The audit entry and event of a removed sync.
pub(crate) fn sync_removed(
    sync: &CalendarSync,
    blocks_removed: u64,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let summary = json!({
        "id": sync.id,
        "unit_id": sync.unit_id,
        "source": sync.source,
        "blocks_removed": blocks_removed,
    });
    ChangeRecord::new(
        sync.tenant_id,
        actor,
        ("calendar_sync", sync.id.as_uuid()),
        "remove_calendar_sync",
        EventKind::CalendarSyncRemoved,
        summary.clone(),
        json!({ "before": audited_part(sync), "after": summary }),
        at,
    )
}

/// The audit entry of a fetch asked for by hand (no event: nothing changed
/// that subscribers follow).
pub(crate) fn sync_requested(sync: &CalendarSync, actor: &Actor, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry::new(
        sync.tenant_id,
        actor,
        ("calendar_sync", sync.id.as_uuid()),
        "request_calendar_sync",
        json!({ "unit_id": sync.unit_id, "source": sync.source, "next_fetch_at": sync.next_fetch_at }),
        at,
    )
}

/// The refusal of a second sync of one source for one unit.
pub(crate) fn duplicate_sync(new: &NewCalendarSync) -> StoreError {
    StoreError::Conflict(format!(
        "unit {} already syncs the source `{}`; remove that sync first",
        new.unit_id, new.source
    ))
}

/// Whether a report counts as a success (for `last_success_at`).
pub(crate) fn succeeded(report: &SyncReport) -> bool {
    report.status != SyncStatus::Failed
}

mod sql;
