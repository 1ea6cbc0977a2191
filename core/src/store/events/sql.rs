//! The outbox and the audit log for both databases, written once: appending
//! a standalone event or audit entry, the audit log's pages and the event
//! count. Reading the stream itself is [`super::EventStream`]'s, per database.

use std::marker::PhantomData;

use sqlx::types::Json;
use uuid::Uuid;

use crate::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use crate::ids::TenantId;
use crate::store::records::{audit_log_query, standalone};
use crate::store::rows::AuditRow;
use crate::store::sql::{Conn, Dialect, SqlStore, append, append_audit};
use crate::store::tenants::unknown_tenant;
use crate::store::{NewEvent, StoreError};

/// The outbox and audit queries, on the database `DB`.
pub(crate) struct Events<DB>(PhantomData<DB>);

impl<DB> Events<DB>
where
    DB: Dialect,
    for<'c> &'c mut Conn<DB>: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'a> &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> &'a String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> &'a Option<String>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> Json<&'a serde_json::Value>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    AuditRow<DB::Instant>: for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    /// Appends an event and its audit entry (NOT_FOUND for an unknown tenant).
    pub(crate) async fn record<S: SqlStore<Db = DB>>(
        store: &S,
        tenant: TenantId,
        event: NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = store.write(tenant).await?;
        append::<DB>(&mut tx, &standalone(tenant, event, actor))
            .await
            .map_err(|e| unknown_tenant(e, tenant))?;
        tx.commit().await?;
        store.announce();
        Ok(())
    }

    /// Appends an audit entry that goes with no other write.
    pub(crate) async fn record_audit<S: SqlStore<Db = DB>>(
        store: &S,
        entry: AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = store.write(entry.tenant_id).await?;
        append_audit::<DB>(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the tenant's audit log, newest first.
    pub(crate) async fn audit_log<S: SqlStore<Db = DB>>(
        store: &S,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut qb = audit_log_query::<DB, _>(tenant, filter, after, limit, DB::stamp);
        let mut conn = store.read(tenant).await?;
        let rows: Vec<AuditRow<DB::Instant>> = qb.build_query_as().fetch_all(&mut *conn).await?;
        rows.into_iter()
            .map(|row| row.into_domain(tenant))
            .collect()
    }

    /// How many events the tenant's outbox holds.
    pub(crate) async fn count<S: SqlStore<Db = DB>>(
        store: &S,
        tenant: TenantId,
    ) -> Result<u64, StoreError> {
        let mut conn = store.read(tenant).await?;
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM events WHERE tenant_id = $1")
            .bind(tenant.as_uuid())
            .fetch_one(&mut *conn)
            .await?;
        u64::try_from(n).map_err(StoreError::corrupt)
    }
}
