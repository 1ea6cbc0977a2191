//! [`CalendarStore`] for both databases, written once. A write takes the unit
//! first ([`SqlStore::unit_for_change`]: SQLite's write lock, which leaves an
//! import alone with the unit's reservations and blocks; PostgreSQL's `FOR NO
//! KEY UPDATE` on the unit's row, the serialization point every booking of
//! the unit takes), so a booking either commits before the import reads the
//! unit's reservations (and is reported as a conflict) or waits and then sees
//! the new blocks in its capacity check. Reads name the tenant where
//! row-level security asks (PostgreSQL).

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    CalendarStore, block_created, block_removed, blocks_imported, conflicts, feed_disabled,
    feed_rotated, source_of, staff_block, stored_block, token_of, window,
};
use crate::audit::Actor;
use crate::ical::block::BlockSource;
use crate::ical::block::{
    BlockReplacement, BusyReservation, CalendarBlock, CalendarImport, IcalFeed,
};
use crate::ical::staff::{NewStaffBlock, ReservationOverlap};
use crate::ical::token::FeedToken;
use crate::ids::{CalendarBlockId, ReservationId, TenantId, UnitId};
use crate::store::StoreError;
use crate::store::locks::Locks;
use crate::store::sql::{Affected, Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::units::Units;
use crate::time_range::TimeRange;

/// The columns of a [`BlockRow`].
const BLOCK_COLUMNS: &str = "tenant_id, id, unit_id, source, uid, start_at, end_at, first_day, \
    end_day, imported_at, reason, created_by, created_by_name";

#[derive(sqlx::FromRow)]
struct BlockRow<T> {
    tenant_id: Uuid,
    id: Uuid,
    unit_id: Uuid,
    source: String,
    uid: String,
    start_at: T,
    end_at: T,
    first_day: Option<NaiveDate>,
    end_day: Option<NaiveDate>,
    imported_at: T,
    reason: Option<String>,
    created_by: Option<String>,
    created_by_name: Option<String>,
}

impl<T: StoredInstant> BlockRow<T> {
    fn into_domain(self) -> Result<CalendarBlock, StoreError> {
        Ok(CalendarBlock {
            id: CalendarBlockId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            unit_id: UnitId::from_uuid(self.unit_id),
            source: source_of(self.source)?,
            uid: self.uid,
            range: TimeRange::new(self.start_at.instant()?, self.end_at.instant()?)
                .map_err(StoreError::corrupt)?,
            first_day: self.first_day,
            end_day: self.end_day,
            imported_at: self.imported_at.instant()?,
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

/// The reservation a staff block is refused for, with its guest's name.
#[derive(sqlx::FromRow)]
struct OverlapRow<T> {
    id: Uuid,
    state: String,
    start_at: T,
    end_at: T,
    check_in: Option<NaiveDate>,
    check_out: Option<NaiveDate>,
    name: Option<String>,
}

impl<T: StoredInstant> OverlapRow<T> {
    /// The refusal of a staff block of `unit`.
    fn into_refusal(self, unit: UnitId) -> StoreError {
        let overlap = || {
            Ok::<_, StoreError>(ReservationOverlap {
                unit_id: unit,
                reservation_id: ReservationId::from_uuid(self.id),
                state: self.state.parse().map_err(StoreError::corrupt)?,
                period: TimeRange::new(self.start_at.instant()?, self.end_at.instant()?)
                    .map_err(StoreError::corrupt)?,
                check_in: self.check_in,
                check_out: self.check_out,
                client_name: self.name.clone(),
            })
        };
        match overlap() {
            Ok(overlap) => StoreError::Occupied(Box::new(overlap)),
            Err(e) => e,
        }
    }
}

/// A reservation's row as [`busy`] reads it.
type BusyRow<T> = (Uuid, T, T, Option<NaiveDate>, Option<NaiveDate>, i64);

/// Parameters per block in an INSERT of blocks.
const BINDS_PER_BLOCK: usize = 10;

#[each_database]
#[async_trait]
impl CalendarStore for DbStore {
    async fn set_ical_token(
        &self,
        tenant: TenantId,
        unit: UnitId,
        token: FeedToken,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<IcalFeed, StoreError> {
        let mut tx = self.write(tenant).await?;
        Units::<DB>::for_change(&mut tx, tenant, unit).await?;
        let before = Calendar::<DB>::fetch_feed(&mut tx, tenant, unit).await?;
        sqlx::query(
            "INSERT INTO ical_feeds (tenant_id, unit_id, token, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, unit_id) DO UPDATE SET token = excluded.token, \
               created_at = excluded.created_at",
        )
        .bind(tenant.as_uuid())
        .bind(unit.as_uuid())
        .bind(token.as_str())
        .bind(DB::stamp(now))
        .execute(&mut *tx)
        .await?;
        let feed = IcalFeed {
            tenant_id: tenant,
            unit_id: unit,
            token,
            created_at: now,
        };
        Journal::<DB>::append(&mut tx, &feed_rotated(&feed, before.is_none(), actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(feed)
    }

    async fn disable_ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write(tenant).await?;
        Units::<DB>::for_change(&mut tx, tenant, unit).await?;
        let deleted = sqlx::query("DELETE FROM ical_feeds WHERE tenant_id = $1 AND unit_id = $2")
            .bind(tenant.as_uuid())
            .bind(unit.as_uuid())
            .execute(&mut *tx)
            .await?
            .affected();
        if deleted == 0 {
            return Ok(false);
        }
        Journal::<DB>::append(&mut tx, &feed_disabled(tenant, unit, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(true)
    }

    async fn ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<IcalFeed>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Calendar::<DB>::fetch_feed(&mut conn, tenant, unit).await
    }

    async fn busy_reservations(
        &self,
        tenant: TenantId,
        unit: UnitId,
        window: &TimeRange,
    ) -> Result<Vec<BusyReservation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Calendar::<DB>::busy(&mut conn, tenant, unit, window).await
    }

    async fn replace_calendar_blocks(
        &self,
        tenant: TenantId,
        replacement: BlockReplacement,
        actor: &Actor,
    ) -> Result<CalendarImport, StoreError> {
        let mut tx = self.write(tenant).await?;
        Units::<DB>::for_change(&mut tx, tenant, replacement.unit_id).await?;
        let removed = sqlx::query(
            "DELETE FROM calendar_blocks WHERE tenant_id = $1 AND unit_id = $2 AND source = $3",
        )
        .bind(tenant.as_uuid())
        .bind(replacement.unit_id.as_uuid())
        .bind(replacement.source.as_str())
        .execute(&mut *tx)
        .await?
        .affected();
        let mut blocks: Vec<CalendarBlock> = replacement
            .blocks
            .iter()
            .map(|b| stored_block(tenant, &replacement, b))
            .collect();
        blocks.sort_by_key(|b| (b.range.start(), b.range.end()));
        for chunk in blocks.chunks(DB::MAX_BINDS / BINDS_PER_BLOCK) {
            let mut qb = QueryBuilder::<DB>::new(
                "INSERT INTO calendar_blocks (tenant_id, id, unit_id, source, uid, start_at, \
                   end_at, first_day, end_day, imported_at) ",
            );
            qb.push_values(chunk, |mut row, b| {
                row.push_bind(b.tenant_id.as_uuid())
                    .push_bind(b.id.as_uuid())
                    .push_bind(b.unit_id.as_uuid())
                    .push_bind(b.source.as_str().to_owned())
                    .push_bind(b.uid.clone())
                    .push_bind(DB::stamp(b.range.start()))
                    .push_bind(DB::stamp(b.range.end()))
                    .push_bind(b.first_day)
                    .push_bind(b.end_day)
                    .push_bind(DB::stamp(b.imported_at));
            });
            qb.build().execute(&mut *tx).await?;
        }
        let overlapping = match window(&blocks) {
            Some(w) => Calendar::<DB>::busy(&mut tx, tenant, replacement.unit_id, &w).await?,
            None => Vec::new(),
        };
        let import = CalendarImport {
            unit_id: replacement.unit_id,
            source: replacement.source.clone(),
            conflicts: conflicts(&blocks, &overlapping),
            blocks,
            removed: u32::try_from(removed).unwrap_or(u32::MAX),
            skipped: replacement.skipped,
        };
        Journal::<DB>::append(
            &mut tx,
            &blocks_imported(tenant, &import, actor, replacement.now),
        )
        .await?;
        tx.commit().await?;
        self.announce();
        Ok(import)
    }

    async fn calendar_blocks(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Vec<CalendarBlock>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Calendar::<DB>::blocks(&mut conn, tenant, Some(unit), None).await
    }

    async fn add_staff_block(
        &self,
        tenant: TenantId,
        new: NewStaffBlock,
        actor: &Actor,
    ) -> Result<CalendarBlock, StoreError> {
        let mut tx = self.write(tenant).await?;
        Units::<DB>::for_change(&mut tx, tenant, new.unit_id).await?;
        Locks::<DB>::ensure_unlocked(
            &mut tx,
            tenant,
            new.session.as_ref(),
            new.unit_id,
            &new.range,
            None,
            new.now,
        )
        .await?;
        let overlap: Option<OverlapRow<Instant<DB>>> = sqlx::query_as(
            "SELECT r.id, r.state, r.start_at, r.end_at, r.check_in, r.check_out, c.name \
             FROM reservations r \
             LEFT JOIN clients c ON c.tenant_id = r.tenant_id AND c.id = r.client_id \
             WHERE r.state IN ('held', 'confirmed', 'checked_in') AND r.tenant_id = $1 \
               AND r.unit_id = $2 AND r.occupied_start < $3 AND r.occupied_end > $4 \
             ORDER BY r.occupied_start, r.id LIMIT 1",
        )
        .bind(tenant.as_uuid())
        .bind(new.unit_id.as_uuid())
        .bind(DB::stamp(new.range.end()))
        .bind(DB::stamp(new.range.start()))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = overlap {
            return Err(r.into_refusal(new.unit_id));
        }
        let block = staff_block(tenant, &new, actor);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO calendar_blocks ({BLOCK_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(block.tenant_id.as_uuid())
        .bind(block.id.as_uuid())
        .bind(block.unit_id.as_uuid())
        .bind(block.source.as_str())
        .bind(&block.uid)
        .bind(DB::stamp(block.range.start()))
        .bind(DB::stamp(block.range.end()))
        .bind(block.first_day)
        .bind(block.end_day)
        .bind(DB::stamp(block.imported_at))
        .bind(block.reason.as_ref().map(|r| r.as_str().to_owned()))
        .bind(block.created_by.as_ref().map(ToString::to_string))
        .bind(&block.created_by_name)
        .execute(&mut *tx)
        .await?;
        Journal::<DB>::append(&mut tx, &block_created(&block, actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(block)
    }

    async fn calendar_block(
        &self,
        tenant: TenantId,
        id: CalendarBlockId,
    ) -> Result<Option<CalendarBlock>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, BlockRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT {BLOCK_COLUMNS} FROM calendar_blocks WHERE tenant_id = $1 AND id = $2"
        )))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(BlockRow::into_domain)
        .transpose()
    }

    async fn remove_staff_block(
        &self,
        tenant: TenantId,
        id: CalendarBlockId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarBlock, StoreError> {
        let mut tx = self.write(tenant).await?;
        let block = sqlx::query_as::<DB, BlockRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "DELETE FROM calendar_blocks WHERE tenant_id = $1 AND id = $2 AND source = $3 \
             RETURNING {BLOCK_COLUMNS}"
        )))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(BlockSource::staff().as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("block", id))?
        .into_domain()?;
        Journal::<DB>::append(&mut tx, &block_removed(&block, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(block)
    }

    async fn blocks_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<CalendarBlock>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Calendar::<DB>::blocks(&mut conn, tenant, None, Some(range)).await
    }
}

/// The calendar queries, on the database `DB`.
pub(crate) struct Calendar<DB>(PhantomData<DB>);

#[each_database]
impl Calendar<DB> {
    async fn busy(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        unit: UnitId,
        window: &TimeRange,
    ) -> Result<Vec<BusyReservation>, StoreError> {
        let rows: Vec<BusyRow<Instant<DB>>> = sqlx::query_as(
            "SELECT id, occupied_start, occupied_end, check_in, check_out, quantity FROM reservations \
             WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in') \
               AND occupied_start < $3 AND occupied_end > $4 ORDER BY id",
        )
        .bind(tenant.as_uuid())
        .bind(unit.as_uuid())
        .bind(DB::stamp(window.end()))
        .bind(DB::stamp(window.start()))
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|(id, start, end, check_in, check_out, quantity)| {
                Ok(BusyReservation {
                    id: ReservationId::from_uuid(id),
                    occupied: TimeRange::new(start.instant()?, end.instant()?)
                        .map_err(StoreError::corrupt)?,
                    check_in,
                    check_out,
                    quantity: u32::try_from(quantity).map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }

    /// The blocks of a tenant (`unit`: of one unit) overlapping `range` (none:
    /// every one), by start.
    async fn blocks(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        unit: Option<UnitId>,
        range: Option<&TimeRange>,
    ) -> Result<Vec<CalendarBlock>, StoreError> {
        let mut qb = QueryBuilder::<DB>::new(format!(
            "SELECT {BLOCK_COLUMNS} FROM calendar_blocks WHERE tenant_id = "
        ));
        qb.push_bind(tenant.as_uuid());
        if let Some(unit) = unit {
            qb.push(" AND unit_id = ").push_bind(unit.as_uuid());
        }
        if let Some(range) = range {
            qb.push(" AND end_at > ")
                .push_bind(DB::stamp(range.start()))
                .push(" AND start_at < ")
                .push_bind(DB::stamp(range.end()));
        }
        qb.push(" ORDER BY start_at, end_at, id");
        qb.build_query_as::<BlockRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(BlockRow::into_domain)
            .collect()
    }

    async fn fetch_feed(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<IcalFeed>, StoreError> {
        let row: Option<(String, Instant<DB>)> = sqlx::query_as(
            "SELECT token, created_at FROM ical_feeds WHERE tenant_id = $1 AND unit_id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(unit.as_uuid())
        .fetch_optional(&mut *conn)
        .await?;
        row.map(|(token, created_at)| {
            Ok(IcalFeed {
                tenant_id: tenant,
                unit_id: unit,
                token: token_of(&token)?,
                created_at: created_at.instant()?,
            })
        })
        .transpose()
    }
}
