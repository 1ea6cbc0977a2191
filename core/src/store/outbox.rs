//! What the three outbound queues (webhooks, push, e-mail) share in the
//! store: reading the tenant's event stream after a kept position — the
//! outbox each queue fills itself from — written once for both databases.
//!
//! A position is an [`crate::event::EventCursor`]: on PostgreSQL a
//! transaction id and a sequence number (events commit out of sequence
//! order, so a reader only passes transactions older than every running one);
//! on SQLite only the sequence number (writers are serialized, so sequence
//! numbers commit in order; the cursor's transaction id is 0). The queues'
//! tables keep one in `…_txid, …_seq` columns, SQLite's without the first.

use sqlx::{Postgres, Sqlite};
use uuid::Uuid;

use super::StoreError;
use super::sql::Dialect;
use crate::ids::TenantId;

/// How a database keeps and reads event-stream positions.
pub(crate) trait Outbox: Dialect {
    /// Whether positions keep a transaction id (PostgreSQL).
    const TXIDS: bool;

    /// `txid`, an expression of a position's transaction id, as a query
    /// reads it: itself on PostgreSQL, `0` on SQLite.
    fn txid(txid: &str) -> String {
        if Self::TXIDS { txid } else { "0" }.to_owned()
    }

    /// A position's parts as the database keeps them (column lists, value
    /// lists, assignments): `txid, seq` on PostgreSQL, `seq` on SQLite.
    fn kept(txid: &str, seq: &str) -> String {
        if Self::TXIDS {
            format!("{txid}, {seq}")
        } else {
            seq.to_owned()
        }
    }

    /// The condition that the events row `e` comes after the position
    /// (`txid`, `seq`: columns, or parameters with the transaction id's
    /// last, as SQLite ignores it) and may be read now: on PostgreSQL only
    /// events of transactions older than every running one, so a position
    /// never passes an event that commits later.
    fn after(e: &str, txid: &str, seq: &str) -> String;
}

impl Outbox for Sqlite {
    const TXIDS: bool = false;
    fn after(e: &str, _txid: &str, seq: &str) -> String {
        format!("{e}.seq > {seq}")
    }
}

impl Outbox for Postgres {
    const TXIDS: bool = true;
    fn after(e: &str, txid: &str, seq: &str) -> String {
        format!(
            "({e}.txid, {e}.seq) > ({txid}::text::xid8, {seq}) \
             AND {e}.txid < pg_snapshot_xmin(pg_current_snapshot())"
        )
    }
}

/// An events row `e`'s position as (transaction id, sequence number), two
/// `bigint` columns named `{name}_txid`, `{name}_seq`.
pub(crate) fn event_position<DB: Outbox>(e: &str, name: &str) -> String {
    let txid = DB::txid(&format!("{e}.txid::text::bigint"));
    format!("{txid} AS {name}_txid, {e}.seq AS {name}_seq")
}

/// A kept position's columns `{prefix}_txid, {prefix}_seq` as a query reads
/// them (two `bigint` columns).
pub(crate) fn kept_position<DB: Outbox>(prefix: &str) -> String {
    let txid = DB::txid(&format!("{prefix}_txid"));
    format!("{txid} AS {prefix}_txid, {prefix}_seq")
}

/// Every tenant's id: the tenants a worker visits when any may have work.
pub(crate) async fn tenant_ids<DB>(pool: &sqlx::Pool<DB>) -> Result<Vec<TenantId>, StoreError>
where
    DB: Dialect,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    (Uuid,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let ids: Vec<Uuid> = sqlx::query_scalar::<DB, Uuid>("SELECT id FROM tenants ORDER BY id")
        .fetch_all(pool)
        .await?;
    Ok(ids.into_iter().map(TenantId::from_uuid).collect())
}

/// A foreign-key violation as NOT_FOUND for the tenant (a write for a tenant
/// that does not exist).
pub(crate) fn unknown_tenant(e: sqlx::Error, tenant: TenantId) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found("tenant", tenant)
        }
        _ => StoreError::Database(e),
    }
}
