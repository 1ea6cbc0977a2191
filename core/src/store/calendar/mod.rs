//! The iCalendar part of the storage port (feed tokens, imported blocks), and
//! what both stores share for it: the audit entries and events of its writes
//! (never with a token) and the conflicts of an import.
//!
//! Blocks take part in every capacity decision: each store's booking and period
//! change refuse a period that overlaps a block of the unit (under the unit's
//! serialization point, like the capacity check), and `Store::occupancy`
//! reports each block as taking the unit's whole inventory. An import takes the
//! same serialization point, so it and a booking of the unit never interleave.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::StoreError;
use super::records::{ChangeRecord, to_json};
use crate::audit::Actor;
use crate::event::EventKind;
use crate::ical::block::{
    BlockReplacement, BusyReservation, CalendarBlock, CalendarImport, IcalFeed, ImportConflict,
};
use crate::ical::staff::NewStaffBlock;
use crate::ical::token::FeedToken;
use crate::ids::{CalendarBlockId, TenantId, UnitId};
use crate::time_range::TimeRange;

/// Feed tokens and calendar blocks. Every [`super::Store`] is one.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Turns the unit's feed on with `token`, or replaces its token (the old URL
    /// stops working at once). NOT_FOUND for a unit the tenant does not have.
    async fn set_ical_token(
        &self,
        tenant: TenantId,
        unit: UnitId,
        token: FeedToken,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<IcalFeed, StoreError>;
    /// Turns the unit's feed off; false (and nothing written) when it was off.
    /// NOT_FOUND for a unit the tenant does not have.
    async fn disable_ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The unit's feed, when it is on.
    async fn ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<IcalFeed>, StoreError>;
    /// The unit's capacity-taking reservations whose occupied interval overlaps
    /// `window`, oldest first: what its feed shows.
    async fn busy_reservations(
        &self,
        tenant: TenantId,
        unit: UnitId,
        window: &TimeRange,
    ) -> Result<Vec<BusyReservation>, StoreError>;
    /// Replaces the unit's blocks of one source with new ones, in one
    /// transaction with its audit entry and event, under the unit's
    /// serialization point; reports the capacity-taking reservations the new
    /// blocks overlap (they are kept). NOT_FOUND for an unknown unit.
    async fn replace_calendar_blocks(
        &self,
        tenant: TenantId,
        replacement: BlockReplacement,
        actor: &Actor,
    ) -> Result<CalendarImport, StoreError>;
    /// The unit's blocks of every source, in time order.
    async fn calendar_blocks(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Vec<CalendarBlock>, StoreError>;
    /// Stores a staff block, in one transaction with its audit entry
    /// (`block`, `create`) and `block.created` event, under the unit's
    /// serialization point. NOT_FOUND for an unknown unit; LOCKED when another
    /// session holds a live lock over the range; [`StoreError::Occupied`]
    /// naming the first active reservation (by occupied start) whose occupied
    /// interval overlaps the range.
    async fn add_staff_block(
        &self,
        tenant: TenantId,
        new: NewStaffBlock,
        actor: &Actor,
    ) -> Result<CalendarBlock, StoreError>;
    /// A block of the tenant (any source), if any.
    async fn calendar_block(
        &self,
        tenant: TenantId,
        id: CalendarBlockId,
    ) -> Result<Option<CalendarBlock>, StoreError>;
    /// Removes a staff block, in one transaction with its audit entry
    /// (`block`, `remove`) and `block.removed` event; returns it. NOT_FOUND
    /// when the tenant has no staff block `id` (imported blocks are never
    /// removed here: their source's import or sync owns them).
    async fn remove_staff_block(
        &self,
        tenant: TenantId,
        id: CalendarBlockId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarBlock, StoreError>;
    /// The tenant's blocks of every unit and source overlapping `range`, by
    /// start. One query.
    async fn blocks_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<CalendarBlock>, StoreError>;
}

/// A new staff block as stored.
pub(crate) fn staff_block(tenant: TenantId, new: &NewStaffBlock, actor: &Actor) -> CalendarBlock {
    let id = CalendarBlockId::new();
    CalendarBlock {
        id,
        tenant_id: tenant,
        unit_id: new.unit_id,
        source: crate::ical::block::BlockSource::staff(),
        uid: format!("{id}@staff.berth"),
        range: new.range,
        first_day: new.first_day,
        end_day: new.end_day,
        imported_at: new.now,
        reason: Some(new.reason.clone()),
        created_by: Some(actor.clone()),
        created_by_name: Some(new.created_by_name.clone()),
    }
}

/// The audit entry (`block`, `create`) and `block.created` event of a staff
/// block.
pub(crate) fn block_created(block: &CalendarBlock, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        block.tenant_id,
        actor,
        ("block", block.id.as_uuid()),
        "create",
        EventKind::BlockCreated,
        to_json(block),
        json!({ "after": to_json(block) }),
        block.imported_at,
    )
}

/// The audit entry (`block`, `remove`) and `block.removed` event of a lifted
/// staff block: the block as it was.
pub(crate) fn block_removed(
    block: &CalendarBlock,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        block.tenant_id,
        actor,
        ("block", block.id.as_uuid()),
        "remove",
        EventKind::BlockRemoved,
        to_json(block),
        json!({ "before": to_json(block) }),
        at,
    )
}

/// The audit entry and event of a new feed token (`enabled`: the feed was off).
/// Neither carries the token.
pub(crate) fn feed_rotated(feed: &IcalFeed, enabled: bool, actor: &Actor) -> ChangeRecord {
    let after = json!({ "ical_feed": "on", "token_created_at": feed.created_at });
    ChangeRecord::new(
        feed.tenant_id,
        actor,
        ("unit", feed.unit_id.as_uuid()),
        "rotate_ical_token",
        EventKind::IcalFeedRotated,
        json!({ "unit_id": feed.unit_id, "token_created_at": feed.created_at, "enabled": enabled }),
        json!({
            "before": { "ical_feed": if enabled { "off" } else { "on" } },
            "after": after,
        }),
        feed.created_at,
    )
}

/// The audit entry and event of a feed turned off.
pub(crate) fn feed_disabled(
    tenant: TenantId,
    unit: UnitId,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        tenant,
        actor,
        ("unit", unit.as_uuid()),
        "disable_ical_feed",
        EventKind::IcalFeedDisabled,
        json!({ "unit_id": unit }),
        json!({ "before": { "ical_feed": "on" }, "after": { "ical_feed": "off" } }),
        at,
    )
}

/// The audit entry and event of an import: counts, the period the new blocks
/// span and the conflicting reservations (not every block: a file holds up to
/// thousands).
pub(crate) fn blocks_imported(
    tenant: TenantId,
    import: &CalendarImport,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let conflicts: Vec<_> = import.conflicts.iter().map(|c| c.reservation_id).collect();
    let span = match (
        import.blocks.iter().map(|b| b.range.start()).min(),
        import.blocks.iter().map(|b| b.range.end()).max(),
    ) {
        (Some(from), Some(to)) => json!({ "from": from, "to": to }),
        _ => serde_json::Value::Null,
    };
    let summary = json!({
        "unit_id": import.unit_id,
        "source": import.source,
        "blocks": import.blocks.len(),
        "removed": import.removed,
        "skipped": import.skipped,
        "span": span,
        "conflicts": to_json(&conflicts),
    });
    ChangeRecord::new(
        tenant,
        actor,
        ("unit", import.unit_id.as_uuid()),
        "import_calendar",
        EventKind::CalendarImported,
        summary.clone(),
        summary,
        at,
    )
}

/// Each (reservation, block) pair that overlaps, with where.
pub(crate) fn conflicts(
    blocks: &[CalendarBlock],
    reservations: &[BusyReservation],
) -> Vec<ImportConflict> {
    let mut out = Vec::new();
    for r in reservations {
        for b in blocks {
            if b.range.overlaps(&r.occupied)
                && let Ok(overlap) = TimeRange::new(
                    b.range.start().max(r.occupied.start()),
                    b.range.end().min(r.occupied.end()),
                )
            {
                out.push(ImportConflict {
                    reservation_id: r.id,
                    block_uid: b.uid.clone(),
                    overlap,
                });
            }
        }
    }
    out
}

/// The window a set of blocks spans, for the conflict query.
pub(crate) fn window(blocks: &[CalendarBlock]) -> Option<TimeRange> {
    let start = blocks.iter().map(|b| b.range.start()).min()?;
    let end = blocks.iter().map(|b| b.range.end()).max()?;
    TimeRange::new(start, end).ok()
}

/// The stored form of a new block.
pub(crate) fn stored_block(
    tenant: TenantId,
    replacement: &BlockReplacement,
    new: &crate::ical::block::NewBlock,
) -> CalendarBlock {
    CalendarBlock {
        id: crate::ids::CalendarBlockId::new(),
        tenant_id: tenant,
        unit_id: replacement.unit_id,
        source: replacement.source.clone(),
        uid: new.uid.clone(),
        range: new.range,
        first_day: new.first_day,
        end_day: new.end_day,
        imported_at: replacement.now,
        reason: None,
        created_by: None,
        created_by_name: None,
    }
}

/// A stored block row's source, read back.
pub(crate) fn source_of(text: String) -> Result<crate::ical::block::BlockSource, StoreError> {
    crate::ical::block::BlockSource::from_stored(text).map_err(StoreError::corrupt)
}

/// A stored token, read back.
pub(crate) fn token_of(text: &str) -> Result<FeedToken, StoreError> {
    text.parse()
        .map_err(|_| StoreError::corrupt("an ical_feeds token"))
}

mod sql;
