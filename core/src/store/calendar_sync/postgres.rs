//! [`CalendarSyncStore`] for PostgreSQL, under row-level security like every
//! other method. A claim picks due rows `FOR UPDATE SKIP LOCKED` and leases them
//! in the same transaction, so concurrent workers on several instances never
//! claim the same sync.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{PostgresStore, append, append_audit, locked_unit};
use crate::audit::Actor;
use crate::ical::sync::{CalendarSync, NewCalendarSync, SyncReport};
use crate::ids::{CalendarSyncId, TenantId, UnitId};
use crate::secret_box::SecretBox;
use crate::store::StoreError;
use crate::store::calendar_sync::{
    CalendarSyncStore, SyncColumns, duplicate_sync, stored_url, succeeded, sync_added,
    sync_removed, sync_requested,
};

/// The columns a [`SyncRow`] reads, for `concat!`.
macro_rules! columns {
    () => {
        "id, tenant_id, unit_id, source, url, interval_minutes, created_at, next_fetch_at, \
         last_attempt_at, last_success_at, last_status, last_error, failures, etag, last_modified"
    };
}

#[derive(sqlx::FromRow)]
struct SyncRow {
    id: Uuid,
    tenant_id: Uuid,
    unit_id: Uuid,
    source: String,
    url: String,
    interval_minutes: i32,
    created_at: DateTime<Utc>,
    next_fetch_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_success_at: Option<DateTime<Utc>>,
    last_status: Option<String>,
    last_error: Option<String>,
    failures: i32,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl SyncRow {
    fn into_domain(self, secrets: Option<&SecretBox>) -> Result<CalendarSync, StoreError> {
        SyncColumns {
            id: self.id,
            tenant_id: self.tenant_id,
            unit_id: self.unit_id,
            source: self.source,
            url: self.url,
            interval_minutes: i64::from(self.interval_minutes),
            created_at: self.created_at,
            next_fetch_at: self.next_fetch_at,
            last_attempt_at: self.last_attempt_at,
            last_success_at: self.last_success_at,
            last_status: self.last_status,
            last_error: self.last_error,
            failures: i64::from(self.failures),
            etag: self.etag,
            last_modified: self.last_modified,
        }
        .into_domain(secrets)
    }
}

async fn fetch_sync(
    conn: &mut PgConnection,
    secrets: Option<&SecretBox>,
    tenant: TenantId,
    id: CalendarSyncId,
    lock: bool,
) -> Result<Option<CalendarSync>, StoreError> {
    let sql = if lock {
        concat!(
            "SELECT ",
            columns!(),
            " FROM calendar_syncs WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
        )
    } else {
        concat!(
            "SELECT ",
            columns!(),
            " FROM calendar_syncs WHERE tenant_id = $1 AND id = $2"
        )
    };
    sqlx::query_as::<_, SyncRow>(sql)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.into_domain(secrets))
        .transpose()
}

/// A count as PostgreSQL's `integer`.
fn int4(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl CalendarSyncStore for PostgresStore {
    async fn add_calendar_sync(
        &self,
        tenant: TenantId,
        new: NewCalendarSync,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // The tenant's mark first (every sync writer takes it before the unit
        // or sync rows, so they never deadlock): the new sync is due now.
        mark_due(&mut tx, tenant, now).await?;
        // The unit's row orders this against its archiving.
        if locked_unit(&mut tx, tenant, new.unit_id).await?.archived {
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
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(duplicate_sync(&new));
        }
        append(&mut tx, &sync_added(&sync, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(sync)
    }

    async fn calendar_syncs(
        &self,
        tenant: TenantId,
        unit: Option<UnitId>,
    ) -> Result<Vec<CalendarSync>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, SyncRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM calendar_syncs WHERE tenant_id = $1 \
               AND ($2::uuid IS NULL OR unit_id = $2) ORDER BY unit_id, source"
        ))
        .bind(tenant.as_uuid())
        .bind(unit.map(|u| u.as_uuid()))
        .fetch_all(&mut *tx)
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
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_sync(&mut tx, self.secrets(), tenant, id, false).await
    }

    async fn remove_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        clear_blocks: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let sync = fetch_sync(&mut tx, self.secrets(), tenant, id, false)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar sync", id))?;
        // The unit's row first, as an import takes it, then the sync's.
        locked_unit(&mut tx, tenant, sync.unit_id).await?;
        let sync = fetch_sync(&mut tx, self.secrets(), tenant, id, true)
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
            .rows_affected()
        } else {
            0
        };
        append(&mut tx, &sync_removed(&sync, blocks_removed, actor, now)).await?;
        tx.commit().await?;
        self.committed();
        Ok(sync)
    }

    async fn request_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        mark_due(&mut tx, tenant, now).await?;
        sqlx::query(
            "UPDATE calendar_syncs SET next_fetch_at = LEAST(next_fetch_at, $1) \
             WHERE tenant_id = $2 AND id = $3",
        )
        .bind(now)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        let sync = fetch_sync(&mut tx, self.secrets(), tenant, id, false)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar sync", id))?;
        append_audit(&mut tx, &sync_requested(&sync, actor, now)).await?;
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
        let mut tx = self.begin_tenant(tenant).await?;
        lock_mark(&mut tx, tenant, now).await?;
        let mut due = sqlx::query_as::<_, SyncRow>(concat!(
            "UPDATE calendar_syncs SET lease_until = $3 \
             WHERE tenant_id = $1 AND id IN ( \
               SELECT id FROM calendar_syncs WHERE tenant_id = $1 AND next_fetch_at <= $2 \
                 AND (lease_until IS NULL OR lease_until <= $2) \
               ORDER BY next_fetch_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING ",
            columns!()
        ))
        .bind(tenant.as_uuid())
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| row.into_domain(self.secrets()))
        .collect::<Result<Vec<_>, _>>()?;
        settle_mark(&mut tx, tenant).await?;
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
        let mut tx = self.begin_tenant(tenant).await?;
        lock_mark(&mut tx, tenant, report.at).await?;
        let updated = sqlx::query(
            "UPDATE calendar_syncs SET lease_until = NULL, last_attempt_at = $1, \
               last_success_at = CASE WHEN $2 THEN $1 ELSE last_success_at END, \
               last_status = $3, last_error = $4, failures = $5, etag = $6, last_modified = $7, \
               next_fetch_at = $8 \
             WHERE tenant_id = $9 AND id = $10",
        )
        .bind(report.at)
        .bind(succeeded(report))
        .bind(report.status.as_str())
        .bind(report.error.as_deref())
        .bind(int4(report.failures))
        .bind(report.etag.as_deref())
        .bind(report.last_modified.as_deref())
        .bind(report.next_fetch_at)
        .bind(tenant.as_uuid())
        .bind(report.id.as_uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        settle_mark(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(updated > 0)
    }

    async fn calendar_sync_tenants_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<TenantId>, StoreError> {
        // No tenant named: the table has no row-level security.
        Ok(sqlx::query_scalar::<_, Uuid>(
            "SELECT tenant_id FROM calendar_sync_tenants WHERE due_at <= $1 \
             ORDER BY due_at, tenant_id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(TenantId::from_uuid)
        .collect())
    }
}

/// Locks the tenant's mark (`calendar_sync_tenants`, created at `now` if
/// missing) until the transaction ends. Every writer of a tenant's syncs takes
/// it first: a claim or a fetch's record then reads the syncs only after every
/// earlier writer committed, so [`settle_mark`] sees them all, and a later
/// writer's [`mark_due`] applies on top of what it sets.
async fn lock_mark(
    conn: &mut PgConnection,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO calendar_sync_tenants (tenant_id, due_at) VALUES ($1, $2) \
         ON CONFLICT (tenant_id) DO UPDATE SET due_at = calendar_sync_tenants.due_at",
    )
    .bind(tenant.as_uuid())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the tenant's mark to its earliest due sync, leases included, or
/// drops it when the tenant has none (the mark is locked: [`lock_mark`]).
async fn settle_mark(conn: &mut PgConnection, tenant: TenantId) -> Result<(), StoreError> {
    let earliest: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT MIN(GREATEST(next_fetch_at, COALESCE(lease_until, next_fetch_at))) \
         FROM calendar_syncs WHERE tenant_id = $1",
    )
    .bind(tenant.as_uuid())
    .fetch_one(&mut *conn)
    .await?;
    let statement = match earliest {
        Some(_) => "UPDATE calendar_sync_tenants SET due_at = $2 WHERE tenant_id = $1",
        None => {
            "DELETE FROM calendar_sync_tenants WHERE tenant_id = $1 AND $2::timestamptz IS NULL"
        }
    };
    sqlx::query(statement)
        .bind(tenant.as_uuid())
        .bind(earliest)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the tenant's mark (`calendar_sync_tenants`) to `at` if that is
/// sooner — a sync of the tenant is due then — and locks it like
/// [`lock_mark`]. LEAST on the row as it stands when this statement gets its
/// lock, so concurrent marks all hold.
async fn mark_due(
    conn: &mut PgConnection,
    tenant: TenantId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO calendar_sync_tenants (tenant_id, due_at) VALUES ($1, $2) \
         ON CONFLICT (tenant_id) DO UPDATE \
         SET due_at = LEAST(calendar_sync_tenants.due_at, EXCLUDED.due_at)",
    )
    .bind(tenant.as_uuid())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
