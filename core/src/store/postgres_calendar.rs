//! [`CalendarStore`] for PostgreSQL, under row-level security like every other
//! method. An import locks the unit's row first (`FOR NO KEY UPDATE`, the
//! serialization point every booking of the unit takes), so a booking either
//! commits before the import reads the unit's reservations (and is reported as a
//! conflict) or waits and then sees the new blocks in its capacity check.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{PostgresStore, append, ensure_unlocked, locked_unit};
use crate::audit::Actor;
use crate::ical::block::{
    BlockReplacement, BusyReservation, CalendarBlock, CalendarImport, IcalFeed,
};
use crate::ical::staff::NewStaffBlock;
use crate::ical::token::FeedToken;
use crate::ids::{CalendarBlockId, ReservationId, TenantId, UnitId};
use crate::store::StoreError;
use crate::store::calendar::{
    BlockRecord, CalendarStore, OverlapRecord, block_created, block_query, block_removed,
    blocks_imported, blocks_query, conflicts, feed_disabled, feed_rotated, first_overlap_query,
    insert_block_query, remove_staff_block_query, staff_block, stored_block, token_of, window,
};
use crate::time_range::TimeRange;

#[derive(sqlx::FromRow)]
struct BlockRow {
    tenant_id: Uuid,
    id: Uuid,
    unit_id: Uuid,
    source: String,
    uid: String,
    start_at: DateTime<Utc>,
    end_at: DateTime<Utc>,
    first_day: Option<NaiveDate>,
    end_day: Option<NaiveDate>,
    imported_at: DateTime<Utc>,
    reason: Option<String>,
    created_by: Option<String>,
    created_by_name: Option<String>,
}

impl BlockRow {
    fn into_domain(self) -> Result<CalendarBlock, StoreError> {
        BlockRecord {
            tenant_id: self.tenant_id,
            id: self.id,
            unit_id: self.unit_id,
            source: self.source,
            uid: self.uid,
            start_at: self.start_at,
            end_at: self.end_at,
            first_day: self.first_day,
            end_day: self.end_day,
            imported_at: self.imported_at,
            reason: self.reason,
            created_by: self.created_by,
            created_by_name: self.created_by_name,
        }
        .into_domain()
    }
}

#[derive(sqlx::FromRow)]
struct OverlapRow {
    id: Uuid,
    state: String,
    start_at: DateTime<Utc>,
    end_at: DateTime<Utc>,
    check_in: Option<NaiveDate>,
    check_out: Option<NaiveDate>,
    name: Option<String>,
}

fn at(t: DateTime<Utc>) -> DateTime<Utc> {
    t
}

async fn busy(
    conn: &mut PgConnection,
    tenant: TenantId,
    unit: UnitId,
    window: &TimeRange,
) -> Result<Vec<BusyReservation>, StoreError> {
    type Row = (
        Uuid,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, occupied_start, occupied_end, check_in, check_out, quantity FROM reservations \
         WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in') \
           AND occupied_start < $3 AND occupied_end > $4 ORDER BY id",
    )
    .bind(tenant.as_uuid())
    .bind(unit.as_uuid())
    .bind(window.end())
    .bind(window.start())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, start, end, check_in, check_out, quantity)| {
            Ok(BusyReservation {
                id: ReservationId::from_uuid(id),
                occupied: TimeRange::new(start, end).map_err(StoreError::corrupt)?,
                check_in,
                check_out,
                quantity: u32::try_from(quantity).map_err(StoreError::corrupt)?,
            })
        })
        .collect()
}

async fn fetch_feed(
    conn: &mut PgConnection,
    tenant: TenantId,
    unit: UnitId,
) -> Result<Option<IcalFeed>, StoreError> {
    let row: Option<(String, DateTime<Utc>)> = sqlx::query_as(
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
            created_at,
        })
    })
    .transpose()
}

/// Rows per INSERT of blocks (10 parameters each, far under the 65,535 limit).
const BLOCKS_PER_INSERT: usize = 500;

#[async_trait]
impl CalendarStore for PostgresStore {
    async fn set_ical_token(
        &self,
        tenant: TenantId,
        unit: UnitId,
        token: FeedToken,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<IcalFeed, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // The unit's row orders concurrent rotations of one feed.
        locked_unit(&mut tx, tenant, unit).await?;
        let before = fetch_feed(&mut tx, tenant, unit).await?;
        sqlx::query(
            "INSERT INTO ical_feeds (tenant_id, unit_id, token, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, unit_id) DO UPDATE SET token = EXCLUDED.token, \
               created_at = EXCLUDED.created_at",
        )
        .bind(tenant.as_uuid())
        .bind(unit.as_uuid())
        .bind(token.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let feed = IcalFeed {
            tenant_id: tenant,
            unit_id: unit,
            token,
            created_at: now,
        };
        append(&mut tx, &feed_rotated(&feed, before.is_none(), actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(feed)
    }

    async fn disable_ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        locked_unit(&mut tx, tenant, unit).await?;
        let deleted = sqlx::query("DELETE FROM ical_feeds WHERE tenant_id = $1 AND unit_id = $2")
            .bind(tenant.as_uuid())
            .bind(unit.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        append(&mut tx, &feed_disabled(tenant, unit, actor, now)).await?;
        tx.commit().await?;
        self.committed();
        Ok(true)
    }

    async fn ical_feed(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<IcalFeed>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_feed(&mut tx, tenant, unit).await
    }

    async fn busy_reservations(
        &self,
        tenant: TenantId,
        unit: UnitId,
        window: &TimeRange,
    ) -> Result<Vec<BusyReservation>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        busy(&mut tx, tenant, unit, window).await
    }

    async fn replace_calendar_blocks(
        &self,
        tenant: TenantId,
        replacement: BlockReplacement,
        actor: &Actor,
    ) -> Result<CalendarImport, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        locked_unit(&mut tx, tenant, replacement.unit_id).await?;
        let removed = sqlx::query(
            "DELETE FROM calendar_blocks WHERE tenant_id = $1 AND unit_id = $2 AND source = $3",
        )
        .bind(tenant.as_uuid())
        .bind(replacement.unit_id.as_uuid())
        .bind(replacement.source.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let mut blocks: Vec<CalendarBlock> = replacement
            .blocks
            .iter()
            .map(|b| stored_block(tenant, &replacement, b))
            .collect();
        blocks.sort_by_key(|b| (b.range.start(), b.range.end()));
        for chunk in blocks.chunks(BLOCKS_PER_INSERT) {
            let mut qb = QueryBuilder::<Postgres>::new(
                "INSERT INTO calendar_blocks (tenant_id, id, unit_id, source, uid, start_at, \
                   end_at, first_day, end_day, imported_at) ",
            );
            qb.push_values(chunk, |mut row, b| {
                row.push_bind(b.tenant_id.as_uuid())
                    .push_bind(b.id.as_uuid())
                    .push_bind(b.unit_id.as_uuid())
                    .push_bind(b.source.as_str().to_owned())
                    .push_bind(b.uid.clone())
                    .push_bind(b.range.start())
                    .push_bind(b.range.end())
                    .push_bind(b.first_day)
                    .push_bind(b.end_day)
                    .push_bind(b.imported_at);
            });
            qb.build().execute(&mut *tx).await?;
        }
        let overlapping = match window(&blocks) {
            Some(w) => busy(&mut tx, tenant, replacement.unit_id, &w).await?,
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
        append(
            &mut tx,
            &blocks_imported(tenant, &import, actor, replacement.now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(import)
    }

    async fn calendar_blocks(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Vec<CalendarBlock>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        blocks_query::<Postgres, _>(tenant, Some(unit), None, at)
            .build_query_as::<BlockRow>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(BlockRow::into_domain)
            .collect()
    }

    async fn add_staff_block(
        &self,
        tenant: TenantId,
        new: NewStaffBlock,
        actor: &Actor,
    ) -> Result<CalendarBlock, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // The unit's row: the serialization point every booking of it takes.
        locked_unit(&mut tx, tenant, new.unit_id).await?;
        ensure_unlocked(
            &mut tx,
            tenant,
            new.session.as_ref(),
            new.unit_id,
            &new.range,
            None,
            new.now,
        )
        .await?;
        let overlap = first_overlap_query::<Postgres, _>(tenant, new.unit_id, &new.range, at)
            .build_query_as::<OverlapRow>()
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = overlap {
            return Err(OverlapRecord {
                id: r.id,
                state: r.state,
                start_at: r.start_at,
                end_at: r.end_at,
                check_in: r.check_in,
                check_out: r.check_out,
                client_name: r.name,
            }
            .into_refusal(new.unit_id));
        }
        let block = staff_block(tenant, &new, actor);
        insert_block_query::<Postgres, _>(&block, at)
            .build()
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &block_created(&block, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(block)
    }

    async fn calendar_block(
        &self,
        tenant: TenantId,
        id: CalendarBlockId,
    ) -> Result<Option<CalendarBlock>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        block_query::<Postgres>(tenant, id)
            .build_query_as::<BlockRow>()
            .fetch_optional(&mut *tx)
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
        let mut tx = self.begin_tenant(tenant).await?;
        let block = remove_staff_block_query::<Postgres>(tenant, id)
            .build_query_as::<BlockRow>()
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("block", id))?
            .into_domain()?;
        append(&mut tx, &block_removed(&block, actor, now)).await?;
        tx.commit().await?;
        self.committed();
        Ok(block)
    }

    async fn blocks_overlapping(
        &self,
        tenant: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<CalendarBlock>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        blocks_query::<Postgres, _>(tenant, None, Some(range), at)
            .build_query_as::<BlockRow>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(BlockRow::into_domain)
            .collect()
    }
}
