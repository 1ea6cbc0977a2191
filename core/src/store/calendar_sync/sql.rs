//! [`CalendarSyncStore`] for both databases, written once. Every writer of a
//! tenant's syncs takes the tenant's mark (`calendar_sync_tenants`) first, then
//! the unit's row, then the sync's (PostgreSQL row locks; SQLite's writers are
//! serialized already), so they never deadlock; a claim picks due rows
//! [`Dialect::SKIP_LOCKED`] and leases them in the same transaction, so
//! workers on several instances never claim the same sync.

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    CalendarSyncStore, duplicate_sync, stored_url, succeeded, sync_added, sync_removed,
    sync_requested, url_row,
};
use crate::audit::Actor;
use crate::ical::sync::{CalendarSync, NewCalendarSync, SyncInterval, SyncReport, SyncStatus};
use crate::ids::{CalendarSyncId, TenantId, UnitId};
use crate::secret_box::SecretBox;
use crate::store::StoreError;
use crate::store::sql::{Affected, Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::units::Units;

/// The columns a [`SyncRow`] reads.
const COLUMNS: &str = "id, tenant_id, unit_id, source, url, interval_minutes, created_at, \
    next_fetch_at, last_attempt_at, last_success_at, last_status, last_error, failures, etag, \
    last_modified";

#[derive(sqlx::FromRow)]
struct SyncRow<T> {
    id: Uuid,
    tenant_id: Uuid,
    unit_id: Uuid,
    source: String,
    url: String,
    interval_minutes: i32,
    created_at: T,
    next_fetch_at: T,
    last_attempt_at: Option<T>,
    last_success_at: Option<T>,
    last_status: Option<String>,
    last_error: Option<String>,
    failures: i32,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl<T: StoredInstant> SyncRow<T> {
    /// The sync (its URL opened with `secrets`), or CORRUPT naming what did
    /// not read back.
    fn into_domain(self, secrets: Option<&SecretBox>) -> Result<CalendarSync, StoreError> {
        let (tenant, id) = (
            TenantId::from_uuid(self.tenant_id),
            CalendarSyncId::from_uuid(self.id),
        );
        let url = SecretBox::open(secrets, &self.url, &url_row(tenant, id))
            .map_err(StoreError::corrupt)?;
        Ok(CalendarSync {
            id,
            tenant_id: tenant,
            unit_id: UnitId::from_uuid(self.unit_id),
            source: self.source.parse().map_err(StoreError::corrupt)?,
            url: url.parse().map_err(StoreError::corrupt)?,
            interval: SyncInterval::from_minutes(i64::from(self.interval_minutes))
                .map_err(StoreError::corrupt)?,
            created_at: self.created_at.instant()?,
            next_fetch_at: self.next_fetch_at.instant()?,
            last_attempt_at: self.last_attempt_at.map(T::instant).transpose()?,
            last_success_at: self.last_success_at.map(T::instant).transpose()?,
            last_status: self
                .last_status
                .map(|s| {
                    SyncStatus::parse(&s)
                        .ok_or_else(|| StoreError::corrupt(format!("sync status `{s}`")))
                })
                .transpose()?,
            last_error: self.last_error,
            failures: u32::try_from(self.failures).map_err(StoreError::corrupt)?,
            etag: self.etag,
            last_modified: self.last_modified,
        })
    }
}

/// A count as the `integer` columns keep it.
fn int4(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The queries of [`CalendarSyncStore`], under one `where` clause.
struct Sql<DB>(std::marker::PhantomData<DB>);

#[each_database]
impl Sql<DB> {
    /// One sync, its row locked [`Dialect::FOR_UPDATE`] with `lock`.
    async fn sync(
        conn: &mut Conn<DB>,
        secrets: Option<&SecretBox>,
        tenant: TenantId,
        id: CalendarSyncId,
        lock: bool,
    ) -> Result<Option<CalendarSync>, StoreError> {
        let lock = if lock { DB::FOR_UPDATE } else { "" };
        sqlx::query_as::<DB, SyncRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM calendar_syncs WHERE tenant_id = $1 AND id = $2{lock}"
        )))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.into_domain(secrets))
        .transpose()
    }

    /// Moves the tenant's mark to `at` if that is sooner — a sync of the
    /// tenant is due then — and locks it like [`Self::lock_mark`]: on the row
    /// as it stands when this statement gets its lock, so concurrent marks all
    /// hold.
    async fn mark_due(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO calendar_sync_tenants (tenant_id, due_at) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET due_at = CASE \
               WHEN excluded.due_at < calendar_sync_tenants.due_at THEN excluded.due_at \
               ELSE calendar_sync_tenants.due_at END",
        )
        .bind(tenant.as_uuid())
        .bind(DB::stamp(at))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Locks the tenant's mark (created at `now` if missing) until the
    /// transaction ends. A claim or a fetch's record then reads the syncs only
    /// after every earlier writer committed, so [`Self::settle_mark`] sees
    /// them all, and a later writer's [`Self::mark_due`] applies on top of
    /// what it sets.
    async fn lock_mark(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO calendar_sync_tenants (tenant_id, due_at) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET due_at = calendar_sync_tenants.due_at",
        )
        .bind(tenant.as_uuid())
        .bind(DB::stamp(now))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Sets the tenant's (locked) mark to its earliest due sync, leases
    /// included, or drops it when the tenant has none.
    async fn settle_mark(conn: &mut Conn<DB>, tenant: TenantId) -> Result<(), StoreError> {
        let earliest: Option<Instant<DB>> = sqlx::query_scalar(
            "SELECT MIN(CASE WHEN lease_until > next_fetch_at THEN lease_until \
               ELSE next_fetch_at END) FROM calendar_syncs WHERE tenant_id = $1",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&mut *conn)
        .await?;
        match earliest {
            Some(at) => {
                sqlx::query("UPDATE calendar_sync_tenants SET due_at = $2 WHERE tenant_id = $1")
                    .bind(tenant.as_uuid())
                    .bind(at)
                    .execute(&mut *conn)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM calendar_sync_tenants WHERE tenant_id = $1")
                    .bind(tenant.as_uuid())
                    .execute(&mut *conn)
                    .await?
            }
        };
        Ok(())
    }
}

#[each_database]
#[async_trait]
impl CalendarSyncStore for DbStore {
    async fn add_calendar_sync(
        &self,
        tenant: TenantId,
        new: NewCalendarSync,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.write(tenant).await?;
        // The new sync is due now.
        Sql::<DB>::mark_due(&mut tx, tenant, now).await?;
        // The unit's row orders this against its archiving.
        if Units::<DB>::for_change(&mut tx, tenant, new.unit_id)
            .await?
            .archived
        {
            return Err(StoreError::not_found("unit", new.unit_id));
        }
        let sync = CalendarSync::added(tenant, &new, now);
        let inserted = sqlx::query(
            "INSERT INTO calendar_syncs (tenant_id, id, unit_id, source, url, interval_minutes, \
               created_at, next_fetch_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (tenant_id, unit_id, source) DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .bind(sync.id.as_uuid())
        .bind(sync.unit_id.as_uuid())
        .bind(sync.source.as_str())
        .bind(stored_url(self.secrets(), &sync))
        .bind(int4(sync.interval.minutes()))
        .bind(DB::stamp(now))
        .execute(&mut *tx)
        .await?
        .affected();
        if inserted == 0 {
            return Err(duplicate_sync(&new));
        }
        Journal::<DB>::append(&mut tx, &sync_added(&sync, actor)).await?;
        tx.commit().await?;
        self.announce();
        Ok(sync)
    }

    async fn calendar_syncs(
        &self,
        tenant: TenantId,
        unit: Option<UnitId>,
    ) -> Result<Vec<CalendarSync>, StoreError> {
        let mut qb = QueryBuilder::<DB>::new(format!("SELECT {COLUMNS} FROM calendar_syncs"));
        qb.push(" WHERE tenant_id = ").push_bind(tenant.as_uuid());
        if let Some(unit) = unit {
            qb.push(" AND unit_id = ").push_bind(unit.as_uuid());
        }
        qb.push(" ORDER BY unit_id, source");
        let mut conn = self.read(tenant).await?;
        qb.build_query_as::<SyncRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|row| row.into_domain(self.secrets()))
            .collect()
    }

    async fn calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
    ) -> Result<Option<CalendarSync>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Sql::<DB>::sync(&mut conn, self.secrets(), tenant, id, false).await
    }

    async fn remove_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        clear_blocks: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.write(tenant).await?;
        let sync = Sql::<DB>::sync(&mut tx, self.secrets(), tenant, id, false)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar sync", id))?;
        // The unit's row first, as an import takes it, then the sync's.
        Units::<DB>::for_change(&mut tx, tenant, sync.unit_id).await?;
        let sync = Sql::<DB>::sync(&mut tx, self.secrets(), tenant, id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar sync", id))?;
        sqlx::query("DELETE FROM calendar_syncs WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let blocks_removed = if clear_blocks {
            sqlx::query(
                "DELETE FROM calendar_blocks WHERE tenant_id = $1 AND unit_id = $2 AND source = $3",
            )
            .bind(tenant.as_uuid())
            .bind(sync.unit_id.as_uuid())
            .bind(sync.source.as_str())
            .execute(&mut *tx)
            .await?
            .affected()
        } else {
            0
        };
        Journal::<DB>::append(&mut tx, &sync_removed(&sync, blocks_removed, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(sync)
    }

    async fn request_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.write(tenant).await?;
        Sql::<DB>::mark_due(&mut tx, tenant, now).await?;
        sqlx::query(
            "UPDATE calendar_syncs \
             SET next_fetch_at = CASE WHEN $1 < next_fetch_at THEN $1 ELSE next_fetch_at END \
             WHERE tenant_id = $2 AND id = $3",
        )
        .bind(DB::stamp(now))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        let sync = Sql::<DB>::sync(&mut tx, self.secrets(), tenant, id, false)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar sync", id))?;
        Journal::<DB>::append_audit(&mut tx, &sync_requested(&sync, actor, now)).await?;
        tx.commit().await?;
        Ok(sync)
    }

    async fn claim_calendar_syncs(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CalendarSync>, StoreError> {
        let mut tx = self.write(tenant).await?;
        Sql::<DB>::lock_mark(&mut tx, tenant, now).await?;
        // One statement: the due rows leased as they are picked.
        let skip_locked = DB::SKIP_LOCKED;
        let mut due = sqlx::query_as::<DB, SyncRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "UPDATE calendar_syncs SET lease_until = $3 \
             WHERE tenant_id = $1 AND id IN ( \
               SELECT id FROM calendar_syncs WHERE tenant_id = $1 AND next_fetch_at <= $2 \
                 AND (lease_until IS NULL OR lease_until <= $2) \
               ORDER BY next_fetch_at, id LIMIT $4{skip_locked}) \
             RETURNING {COLUMNS}"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(now))
        .bind(DB::stamp(lease_until))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| row.into_domain(self.secrets()))
        .collect::<Result<Vec<_>, _>>()?;
        Sql::<DB>::settle_mark(&mut tx, tenant).await?;
        tx.commit().await?;
        // RETURNING keeps no order.
        due.sort_by_key(|s| (s.next_fetch_at, s.id.as_uuid()));
        Ok(due)
    }

    async fn finish_calendar_sync(
        &self,
        tenant: TenantId,
        report: &SyncReport,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write(tenant).await?;
        Sql::<DB>::lock_mark(&mut tx, tenant, report.at).await?;
        let updated = sqlx::query(
            "UPDATE calendar_syncs SET lease_until = NULL, last_attempt_at = $1, \
               last_success_at = CASE WHEN $2 THEN $1 ELSE last_success_at END, \
               last_status = $3, last_error = $4, failures = $5, etag = $6, last_modified = $7, \
               next_fetch_at = $8 \
             WHERE tenant_id = $9 AND id = $10",
        )
        .bind(DB::stamp(report.at))
        .bind(succeeded(report))
        .bind(report.status.as_str())
        .bind(report.error.as_deref())
        .bind(int4(report.failures))
        .bind(report.etag.as_deref())
        .bind(report.last_modified.as_deref())
        .bind(DB::stamp(report.next_fetch_at))
        .bind(tenant.as_uuid())
        .bind(report.id.as_uuid())
        .execute(&mut *tx)
        .await?
        .affected();
        Sql::<DB>::settle_mark(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(updated > 0)
    }

    async fn calendar_sync_tenants_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<TenantId>, StoreError> {
        // No tenant named: the table has no row-level security.
        Ok(sqlx::query_scalar::<DB, Uuid>(
            "SELECT tenant_id FROM calendar_sync_tenants WHERE due_at <= $1 \
             ORDER BY due_at, tenant_id LIMIT $2",
        )
        .bind(DB::stamp(now))
        .bind(i64::from(limit))
        .fetch_all(self.sql_pool())
        .await?
        .into_iter()
        .map(TenantId::from_uuid)
        .collect())
    }
}
