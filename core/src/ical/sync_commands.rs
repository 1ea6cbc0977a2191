//! The engine's calendar-sync commands: add a sync to a unit, list, remove and
//! hurry one, and the two steps of the server's sync worker around its HTTP
//! fetch: claim the due syncs, then record what a fetch found (importing the
//! calendar first when it brought one).

use chrono::Duration;

use super::block::BlockSource;
use super::sync::{CalendarSync, NewCalendarSync, SyncInterval, SyncOutcome, SyncReport, SyncUrl};
use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{CalendarSyncId, TenantId, UnitId};

/// What a sync's fetch brought back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// A calendar (HTTP 200), with the response's validators.
    Calendar {
        /// The body, as text.
        ics: String,
        /// `ETag`.
        etag: Option<String>,
        /// `Last-Modified`.
        last_modified: Option<String>,
    },
    /// HTTP 304.
    NotModified,
    /// No calendar: why (a status, a refused address, a timeout, a body too
    /// large or not text).
    Failed(String),
}

impl Engine {
    /// Adds a sync of `url` to the unit as `source`, due at once. NOT_FOUND for
    /// a unit the tenant does not have (or archived), CONFLICT when the unit
    /// already syncs that source.
    pub async fn add_calendar_sync(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        url: SyncUrl,
        source: BlockSource,
        interval: SyncInterval,
        actor: &Actor,
    ) -> Result<CalendarSync, EngineError> {
        let new = NewCalendarSync {
            unit_id,
            source,
            url,
            interval,
        };
        Ok(self
            .store
            .add_calendar_sync(tenant_id, new, actor, self.clock.now())
            .await?)
    }

    /// The tenant's syncs, or one unit's (NOT_FOUND for a unit the tenant does
    /// not have).
    pub async fn calendar_syncs(
        &self,
        tenant_id: TenantId,
        unit_id: Option<UnitId>,
    ) -> Result<Vec<CalendarSync>, EngineError> {
        if let Some(unit) = unit_id {
            self.unit(tenant_id, unit).await?;
        }
        Ok(self.store.calendar_syncs(tenant_id, unit_id).await?)
    }

    /// Removes a sync; with `clear_blocks`, the blocks it imported go too (in
    /// the same transaction). Otherwise they stay until another import of
    /// that source replaces them.
    pub async fn remove_calendar_sync(
        &self,
        tenant_id: TenantId,
        id: CalendarSyncId,
        clear_blocks: bool,
        actor: &Actor,
    ) -> Result<CalendarSync, EngineError> {
        Ok(self
            .store
            .remove_calendar_sync(tenant_id, id, clear_blocks, actor, self.clock.now())
            .await?)
    }

    /// Makes a sync due now: the worker fetches it on its next pass.
    pub async fn request_calendar_sync(
        &self,
        tenant_id: TenantId,
        id: CalendarSyncId,
        actor: &Actor,
    ) -> Result<CalendarSync, EngineError> {
        Ok(self
            .store
            .request_calendar_sync(tenant_id, id, actor, self.clock.now())
            .await?)
    }

    /// Claims up to `limit` of the tenant's due syncs for `lease` (another
    /// worker claims them again only once the lease has run out).
    pub async fn claim_calendar_syncs(
        &self,
        tenant_id: TenantId,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<CalendarSync>, EngineError> {
        let now = self.clock.now();
        Ok(self
            .store
            .claim_calendar_syncs(tenant_id, now, now + lease, limit)
            .await?)
    }

    /// Records what the fetch of a claimed sync brought: a calendar is
    /// imported as the sync's source (audited as `system`; a calendar that
    /// cannot be read or imported counts as a failed fetch and changes no
    /// block), then the sync's status and next fetch are written. False when
    /// the sync was removed meanwhile.
    pub async fn finish_calendar_sync(
        &self,
        sync: &CalendarSync,
        fetched: Fetched,
    ) -> Result<(bool, SyncOutcome), EngineError> {
        let outcome = match fetched {
            Fetched::Calendar {
                ics,
                etag,
                last_modified,
            } => match self
                .import_calendar(
                    sync.tenant_id,
                    sync.unit_id,
                    &ics,
                    sync.source.clone(),
                    &Actor::System,
                )
                .await
            {
                Ok(import) => SyncOutcome::Imported {
                    blocks: u32::try_from(import.blocks.len()).unwrap_or(u32::MAX),
                    removed: import.removed,
                    conflicts: u32::try_from(import.conflicts.len()).unwrap_or(u32::MAX),
                    etag,
                    last_modified,
                },
                Err(
                    e @ (EngineError::InvalidInput { .. }
                    | EngineError::NotFound { .. }
                    | EngineError::Policy(_)),
                ) => SyncOutcome::Failed(format!("the calendar was not imported: {e}")),
                Err(e) => return Err(e),
            },
            Fetched::NotModified => SyncOutcome::NotModified,
            Fetched::Failed(why) => SyncOutcome::Failed(why),
        };
        let report = SyncReport::new(sync, outcome.clone(), self.clock.now());
        let kept = self
            .store
            .finish_calendar_sync(sync.tenant_id, &report)
            .await?;
        Ok((kept, outcome))
    }
}
