//! [`CalendarSyncStore`] for SQLite. Writers are serialized by `BEGIN
//! IMMEDIATE`, so a claim's read and lease are one step for other claimers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{SqliteStore, append, append_audit, fetch_unit, from_micros, micros};
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
    interval_minutes: i64,
    created_at: i64,
    next_fetch_at: i64,
    last_attempt_at: Option<i64>,
    last_success_at: Option<i64>,
    last_status: Option<String>,
    last_error: Option<String>,
    failures: i64,
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
            interval_minutes: self.interval_minutes,
            created_at: from_micros(self.created_at)?,
            next_fetch_at: from_micros(self.next_fetch_at)?,
            last_attempt_at: self.last_attempt_at.map(from_micros).transpose()?,
            last_success_at: self.last_success_at.map(from_micros).transpose()?,
            last_status: self.last_status,
            last_error: self.last_error,
            failures: self.failures,
            etag: self.etag,
            last_modified: self.last_modified,
        }
        .into_domain(secrets)
    }
}

async fn fetch_sync(
    conn: &mut SqliteConnection,
    secrets: Option<&SecretBox>,
    tenant: TenantId,
    id: CalendarSyncId,
) -> Result<Option<CalendarSync>, StoreError> {
    sqlx::query_as::<_, SyncRow>(concat!(
        "SELECT ",
        columns!(),
        " FROM calendar_syncs WHERE tenant_id = ? AND id = ?"
    ))
    .bind(tenant.as_uuid())
    .bind(id.as_uuid())
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| row.into_domain(secrets))
    .transpose()
}

#[async_trait]
impl CalendarSyncStore for SqliteStore {
    async fn add_calendar_sync(
        &self,
        tenant: TenantId,
        new: NewCalendarSync,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.begin_write().await?;
        mark_due(&mut tx, tenant, now).await?;
        match fetch_unit(&mut tx, tenant, new.unit_id).await? {
            Some(unit) if !unit.archived => {}
            _ => return Err(StoreError::not_found("unit", new.unit_id)),
        }
        let sync = CalendarSync::added(tenant, &new, now);
        let inserted = sqlx::query(
            "INSERT INTO calendar_syncs (tenant_id, id, unit_id, source, url, interval_minutes, \
               created_at, next_fetch_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, unit_id, source) DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .bind(sync.id.as_uuid())
        .bind(sync.unit_id.as_uuid())
        .bind(sync.source.as_str())
        .bind(stored_url(self.secrets(), &sync))
        .bind(i64::from(sync.interval.minutes()))
        .bind(micros(now))
        .bind(micros(now))
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
        sqlx::query_as::<_, SyncRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM calendar_syncs WHERE tenant_id = ? \
               AND (? IS NULL OR unit_id = ?) ORDER BY unit_id, source"
        ))
        .bind(tenant.as_uuid())
        .bind(unit.map(|u| u.as_uuid()))
        .bind(unit.map(|u| u.as_uuid()))
        .fetch_all(&self.pool)
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
        let mut conn = self.pool.acquire().await?;
        fetch_sync(&mut conn, self.secrets(), tenant, id).await
    }

    async fn remove_calendar_sync(
        &self,
        tenant: TenantId,
        id: CalendarSyncId,
        clear_blocks: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CalendarSync, StoreError> {
        let mut tx = self.begin_write().await?;
        let sync = fetch_sync(&mut tx, self.secrets(), tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("calendar sync", id))?;
        sqlx::query("DELETE FROM calendar_syncs WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let blocks_removed = if clear_blocks {
            sqlx::query(
                "DELETE FROM calendar_blocks WHERE tenant_id = ? AND unit_id = ? AND source = ?",
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
        let mut tx = self.begin_write().await?;
        mark_due(&mut tx, tenant, now).await?;
        sqlx::query(
            "UPDATE calendar_syncs SET next_fetch_at = MIN(next_fetch_at, ?) \
             WHERE tenant_id = ? AND id = ?",
        )
        .bind(micros(now))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        let sync = fetch_sync(&mut tx, self.secrets(), tenant, id)
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
        // One statement: the due rows leased as they are picked.
        let mut tx = self.begin_write().await?;
        let mut due = sqlx::query_as::<_, SyncRow>(concat!(
            "UPDATE calendar_syncs SET lease_until = ?3 \
             WHERE tenant_id = ?1 AND id IN ( \
               SELECT id FROM calendar_syncs WHERE tenant_id = ?1 AND next_fetch_at <= ?2 \
                 AND (lease_until IS NULL OR lease_until <= ?2) \
               ORDER BY next_fetch_at, id LIMIT ?4) \
             RETURNING ",
            columns!()
        ))
        .bind(tenant.as_uuid())
        .bind(micros(now))
        .bind(micros(lease_until))
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
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE calendar_syncs SET lease_until = NULL, last_attempt_at = ?, \
               last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END, \
               last_status = ?, last_error = ?, failures = ?, etag = ?, last_modified = ?, \
               next_fetch_at = ? \
             WHERE tenant_id = ? AND id = ?",
        )
        .bind(micros(report.at))
        .bind(succeeded(report))
        .bind(micros(report.at))
        .bind(report.status.as_str())
        .bind(report.error.as_deref())
        .bind(i64::from(report.failures))
        .bind(report.etag.as_deref())
        .bind(report.last_modified.as_deref())
        .bind(micros(report.next_fetch_at))
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
        Ok(sqlx::query_scalar::<_, Uuid>(
            "SELECT tenant_id FROM calendar_sync_tenants WHERE due_at <= ? \
             ORDER BY due_at, tenant_id LIMIT ?",
        )
        .bind(micros(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(TenantId::from_uuid)
        .collect())
    }
}

/// Sets the tenant's mark to its earliest due sync, leases included, or
/// drops it when the tenant has none (writers are serialized: nothing
/// changes the syncs meanwhile).
async fn settle_mark(conn: &mut SqliteConnection, tenant: TenantId) -> Result<(), StoreError> {
    let earliest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(MAX(next_fetch_at, COALESCE(lease_until, next_fetch_at))) \
         FROM calendar_syncs WHERE tenant_id = ?",
    )
    .bind(tenant.as_uuid())
    .fetch_one(&mut *conn)
    .await?;
    let statement = match earliest {
        Some(_) => {
            "INSERT INTO calendar_sync_tenants (tenant_id, due_at) VALUES (?1, ?2) \
             ON CONFLICT (tenant_id) DO UPDATE SET due_at = ?2"
        }
        None => "DELETE FROM calendar_sync_tenants WHERE tenant_id = ?1 AND ?2 IS NULL",
    };
    sqlx::query(statement)
        .bind(tenant.as_uuid())
        .bind(earliest)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the tenant's mark (`calendar_sync_tenants`) to `at` if that is
/// sooner: a sync of the tenant is due then.
async fn mark_due(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO calendar_sync_tenants (tenant_id, due_at) VALUES (?1, ?2) \
         ON CONFLICT (tenant_id) DO UPDATE SET due_at = MIN(due_at, ?2)",
    )
    .bind(tenant.as_uuid())
    .bind(micros(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
