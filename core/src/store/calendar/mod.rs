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

/// The columns of a block row, in the order both stores read them.
pub(crate) const BLOCK_COLUMNS: &str = "tenant_id, id, unit_id, source, uid, start_at, end_at, \
    first_day, end_day, imported_at, reason, created_by, created_by_name";

/// A block row with its instants decoded: what both stores' rows become.
pub(crate) struct BlockRecord {
    pub tenant_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub unit_id: uuid::Uuid,
    pub source: String,
    pub uid: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub first_day: Option<chrono::NaiveDate>,
    pub end_day: Option<chrono::NaiveDate>,
    pub imported_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
}

impl BlockRecord {
    pub(crate) fn into_domain(self) -> Result<CalendarBlock, StoreError> {
        Ok(CalendarBlock {
            id: CalendarBlockId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            unit_id: UnitId::from_uuid(self.unit_id),
            source: source_of(self.source)?,
            uid: self.uid,
            range: TimeRange::new(self.start_at, self.end_at).map_err(StoreError::corrupt)?,
            first_day: self.first_day,
            end_day: self.end_day,
            imported_at: self.imported_at,
            reason: self
                .reason
                .map(|r| r.parse())
                .transpose()
                .map_err(StoreError::corrupt)?,
            created_by: self
                .created_by
                .map(|a| a.parse())
                .transpose()
                .map_err(StoreError::corrupt)?,
            created_by_name: self.created_by_name,
        })
    }
}

/// The columns of the reservation a staff block is refused for.
pub(crate) struct OverlapRecord {
    pub id: uuid::Uuid,
    pub state: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub check_in: Option<chrono::NaiveDate>,
    pub check_out: Option<chrono::NaiveDate>,
    pub client_name: Option<String>,
}

impl OverlapRecord {
    /// The refusal.
    pub(crate) fn into_refusal(self, unit: UnitId) -> StoreError {
        let period = match TimeRange::new(self.start_at, self.end_at) {
            Ok(p) => p,
            Err(e) => return StoreError::corrupt(e),
        };
        let state = match self.state.parse() {
            Ok(s) => s,
            Err(e) => return StoreError::corrupt(e),
        };
        StoreError::Occupied(Box::new(crate::ical::staff::ReservationOverlap {
            unit_id: unit,
            reservation_id: crate::ids::ReservationId::from_uuid(self.id),
            state,
            period,
            check_in: self.check_in,
            check_out: self.check_out,
            client_name: self.client_name,
        }))
    }
}

/// The first active reservation of `unit` (by occupied start) whose occupied
/// interval overlaps `range`, with its guest's name: what a staff block is
/// refused for. `at` turns an instant into the database's column type.
pub(crate) fn first_overlap_query<DB, T>(
    tenant: TenantId,
    unit: UnitId,
    range: &TimeRange,
    at: impl Fn(DateTime<Utc>) -> T,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    uuid::Uuid: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = sqlx::QueryBuilder::<DB>::new(
        "SELECT r.id, r.state, r.start_at, r.end_at, r.check_in, r.check_out, c.name \
         FROM reservations r LEFT JOIN clients c \
           ON c.tenant_id = r.tenant_id AND c.id = r.client_id \
         WHERE r.state IN ('held', 'confirmed', 'checked_in') AND r.tenant_id = ",
    );
    qb.push_bind(tenant.as_uuid())
        .push(" AND r.unit_id = ")
        .push_bind(unit.as_uuid())
        .push(" AND r.occupied_start < ")
        .push_bind(at(range.end()))
        .push(" AND r.occupied_end > ")
        .push_bind(at(range.start()))
        .push(" ORDER BY r.occupied_start, r.id LIMIT 1");
    qb
}

/// The INSERT of one block (every column).
pub(crate) fn insert_block_query<DB, T>(
    block: &CalendarBlock,
    at: impl Fn(DateTime<Utc>) -> T,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    uuid::Uuid: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    Option<String>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    Option<chrono::NaiveDate>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
        "INSERT INTO calendar_blocks ({BLOCK_COLUMNS}) VALUES ("
    ));
    let mut values = qb.separated(", ");
    values
        .push_bind(block.tenant_id.as_uuid())
        .push_bind(block.id.as_uuid())
        .push_bind(block.unit_id.as_uuid())
        .push_bind(block.source.as_str().to_owned())
        .push_bind(block.uid.clone())
        .push_bind(at(block.range.start()))
        .push_bind(at(block.range.end()))
        .push_bind(block.first_day)
        .push_bind(block.end_day)
        .push_bind(at(block.imported_at))
        .push_bind(block.reason.as_ref().map(|r| r.as_str().to_owned()))
        .push_bind(block.created_by.as_ref().map(ToString::to_string))
        .push_bind(block.created_by_name.clone());
    values.push_unseparated(")");
    qb
}

/// The DELETE of a staff block, returning its row.
pub(crate) fn remove_staff_block_query<DB>(
    tenant: TenantId,
    id: CalendarBlockId,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    uuid::Uuid: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = sqlx::QueryBuilder::<DB>::new("DELETE FROM calendar_blocks WHERE tenant_id = ");
    qb.push_bind(tenant.as_uuid())
        .push(" AND id = ")
        .push_bind(id.as_uuid())
        .push(" AND source = ")
        .push_bind(crate::ical::block::BlockSource::staff().as_str().to_owned())
        .push(format!(" RETURNING {BLOCK_COLUMNS}"));
    qb
}

/// One block of the tenant by id, any source.
pub(crate) fn block_query<DB>(tenant: TenantId, id: CalendarBlockId) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    uuid::Uuid: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
        "SELECT {BLOCK_COLUMNS} FROM calendar_blocks WHERE tenant_id = "
    ));
    qb.push_bind(tenant.as_uuid())
        .push(" AND id = ")
        .push_bind(id.as_uuid());
    qb
}

/// The blocks of a tenant (`unit`: of one unit) overlapping `range` (none:
/// every one), by start.
pub(crate) fn blocks_query<DB, T>(
    tenant: TenantId,
    unit: Option<UnitId>,
    range: Option<&TimeRange>,
    at: impl Fn(DateTime<Utc>) -> T,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    uuid::Uuid: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
        "SELECT {BLOCK_COLUMNS} FROM calendar_blocks WHERE tenant_id = "
    ));
    qb.push_bind(tenant.as_uuid());
    if let Some(unit) = unit {
        qb.push(" AND unit_id = ").push_bind(unit.as_uuid());
    }
    if let Some(range) = range {
        qb.push(" AND end_at > ")
            .push_bind(at(range.start()))
            .push(" AND start_at < ")
            .push_bind(at(range.end()));
    }
    qb.push(" ORDER BY start_at, end_at, id");
    qb
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
