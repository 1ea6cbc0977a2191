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
//!
//! [`Outbox`] says how each database keeps and reads positions; [`On`] has
//! the statements the queues share, for a [`Queue`] (its table and what its
//! claims look at) or a [`TenantCursor`] (a tenant's position in a table of
//! its own): a lease claim, one more attempt, pruning, the events after a
//! position, and reading, locking and moving that position
//! (docs/decisions/0151).

use std::marker::PhantomData;

use berth_core_macros::each_database;
use chrono::{DateTime, Duration, Utc};
use sqlx::{Postgres, Sqlite, Transaction};
use uuid::Uuid;

use super::StoreError;
use super::sql::{Affected, Conn, Dialect, SqlStore};
use crate::event::EventCursor;
use crate::ids::{EventId, TenantId};
use crate::webhook::Enqueued;

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

    /// The condition that the events row `e` may be read now: on PostgreSQL
    /// only events of transactions older than every running one.
    fn visible(e: &str) -> String;
}

impl Outbox for Sqlite {
    const TXIDS: bool = false;
    fn after(e: &str, _txid: &str, seq: &str) -> String {
        format!("{e}.seq > {seq}")
    }
    fn visible(_e: &str) -> String {
        "true".to_owned()
    }
}

impl Outbox for Postgres {
    const TXIDS: bool = true;
    fn after(e: &str, txid: &str, seq: &str) -> String {
        let visible = Self::visible(e);
        format!("({e}.txid, {e}.seq) > ({txid}::text::xid8, {seq}) AND {visible}")
    }
    fn visible(e: &str) -> String {
        format!("{e}.txid < pg_snapshot_xmin(pg_current_snapshot())")
    }
}

/// An events row `e`'s position as (transaction id, sequence number), two
/// `bigint` columns named `{name}_txid`, `{name}_seq`.
pub(crate) fn event_position<DB: Outbox>(e: &str, name: &str) -> String {
    let txid = DB::txid(&format!("{e}.txid::text::bigint"));
    format!("{txid} AS {name}_txid, {e}.seq AS {name}_seq")
}

/// A kept position's columns `{prefix}_txid, {prefix}_seq` as a query reads
/// them (two `bigint` columns, named without the prefix's table).
pub(crate) fn kept_position<DB: Outbox>(prefix: &str) -> String {
    let txid = DB::txid(&format!("{prefix}_txid"));
    let name = prefix.rsplit('.').next().unwrap_or(prefix);
    format!("{txid} AS {name}_txid, {prefix}_seq AS {name}_seq")
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

/// A lease queue: the table of its items (`webhook_deliveries`,
/// `push_deliveries`, `mail_messages`) and what its claims look at. A claim
/// is a lease: it sets the item's `next_attempt_at` to the lease's end and
/// records a lease id that the outcome must present, so each attempt is
/// claimed once across instances and a worker that dies mid-attempt only
/// delays the item until its lease lapses.
pub(crate) struct Queue {
    /// The items' table.
    pub table: &'static str,
    /// An item's attempt limit, given the usual one as `$3`.
    pub limit: &'static str,
    /// What else an item must be to be claimed (` AND …` on the item `d`).
    pub claimable: &'static str,
    /// What else a lapsed last attempt sets when it fails the item (`, …`).
    pub on_lapse: &'static str,
}

/// What an enqueue pass reports: `queued` items, from `events` events read
/// of at most `limit` (more may wait when it read as many).
pub(crate) fn enqueued(queued: u64, events: usize, limit: u32) -> Enqueued {
    Enqueued {
        deliveries: queued,
        events: events as u64,
        more: events as u64 >= u64::from(limit),
    }
}

/// A claim's lease.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lease {
    /// The id the outcome presents.
    pub id: Uuid,
    /// When it lapses.
    pub expires: DateTime<Utc>,
}

/// A tenant's position in a queue's own table of tenants (`push_tenants`,
/// `mail_tenants`: `tenant_id` and the position `cursor_…`).
pub(crate) struct TenantCursor {
    /// The table.
    pub table: &'static str,
}

/// The queue statements, on the database `DB`.
pub(crate) struct On<DB>(PhantomData<DB>);

#[each_database]
impl On<DB> {
    /// A claim of up to `limits.1` due items of `q` for one attempt each
    /// (of `limits.0` allowed), leased for `lease`: a read first, so an idle
    /// worker takes no write lock, then [`Self::claim`] in a write
    /// transaction — returned still open, to read the claimed items in, with
    /// the lease; `None` when nothing was claimed.
    pub(crate) async fn lease<S: SqlStore<Db = DB>>(
        store: &S,
        q: &Queue,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limits: (u32, u32),
    ) -> Result<Option<(Transaction<'static, DB>, Lease)>, StoreError> {
        {
            let mut conn = store.read(tenant).await?;
            if !Self::due(&mut conn, q, tenant, now).await? {
                return Ok(None);
            }
        }
        let mut tx = store.write(tenant).await?;
        match Self::claim(&mut tx, q, tenant, now, lease, limits).await? {
            Some(lease) => Ok(Some((tx, lease))),
            None => {
                tx.commit().await?;
                Ok(None)
            }
        }
    }

    /// Gives the item `id` of `q` one more attempt, due at `now` (its limit
    /// one past the attempts made, its log going on).
    pub(crate) async fn once_more(
        conn: &mut Conn<DB>,
        q: &Queue,
        tenant: TenantId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let table = q.table;
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET status = 'pending', next_attempt_at = $3, \
               attempt_limit = attempts + 1, lease_id = NULL, updated_at = $3 \
             WHERE tenant_id = $1 AND id = $2"
        )))
        .bind(tenant.as_uuid())
        .bind(id)
        .bind(DB::stamp(now))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Whether any of the tenant's items is due at `now`.
    async fn due(
        conn: &mut Conn<DB>,
        q: &Queue,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let table = q.table;
        Ok(sqlx::query_scalar::<DB, bool>(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM {table} \
               WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2)"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(now))
        .fetch_one(&mut *conn)
        .await?)
    }

    /// Fails the items whose last allowed attempt (of `max`) was claimed and
    /// never reported once its lease lapsed, then leases up to `limit` due
    /// items (oldest due first; PostgreSQL skips rows another claim is
    /// taking) for one attempt each: the lease, when it took any.
    async fn claim(
        conn: &mut Conn<DB>,
        q: &Queue,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        (max, limit): (u32, u32),
    ) -> Result<Option<Lease>, StoreError> {
        let lease = Lease {
            id: Uuid::new_v4(),
            expires: now + lease,
        };
        let Queue {
            table,
            limit: most,
            claimable,
            on_lapse,
        } = q;
        // The last allowed attempt was claimed and never reported (its worker
        // stopped): nothing more will be tried.
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL{on_lapse}, updated_at = $2 \
             WHERE tenant_id = $1 AND status = 'pending' AND attempts >= {most} \
               AND next_attempt_at <= $2"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(now))
        .bind(i64::from(max))
        .execute(&mut *conn)
        .await?;
        let lock = DB::SKIP_LOCKED;
        let claimed = sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "WITH due AS ( \
               SELECT d.id FROM {table} d \
               WHERE d.tenant_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 \
                 AND d.attempts < {most}{claimable} \
               ORDER BY d.next_attempt_at, d.id LIMIT $4{lock}) \
             UPDATE {table} SET attempts = attempts + 1, lease_id = $5, next_attempt_at = $6, \
               updated_at = $2 \
             WHERE tenant_id = $1 AND id IN (SELECT id FROM due)"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(now))
        .bind(i64::from(max))
        .bind(i64::from(limit))
        .bind(lease.id)
        .bind(DB::stamp(lease.expires))
        .execute(&mut *conn)
        .await?
        .affected();
        Ok((claimed > 0).then_some(lease))
    }

    /// Deletes up to `limit` of the tenant's finished items last updated
    /// before `before`, oldest first (first from `with`, each table of
    /// theirs and its column naming the item): how many went. PostgreSQL
    /// passes over rows another transaction holds.
    pub(crate) async fn prune(
        conn: &mut Conn<DB>,
        q: &Queue,
        with: &[(&str, &str)],
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let (table, lock) = (q.table, DB::SKIP_LOCKED);
        let ids: Vec<Uuid> = sqlx::query_scalar::<DB, Uuid>(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE tenant_id = $1 AND status <> 'pending' \
               AND updated_at < $2 ORDER BY updated_at, id LIMIT $3{lock}"
        )))
        .bind(tenant.as_uuid())
        .bind(DB::stamp(before))
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        for chunk in ids.chunks(DB::MAX_BINDS - 1) {
            for (table, column) in with.iter().chain([&(table, "id")]) {
                let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
                    "DELETE FROM {table} WHERE tenant_id = "
                ));
                qb.push_bind(tenant.as_uuid());
                qb.push(format!(" AND {column} IN ("));
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                qb.build().execute(&mut *conn).await?;
            }
        }
        Ok(ids.len() as u64)
    }

    /// The tenant's events after `from` that may be read now, at most
    /// `limit`, in stream order: each row its position (two columns) and
    /// `columns` of the events row `e`.
    pub(crate) async fn events_after<R>(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        from: EventCursor,
        limit: u32,
        columns: &str,
    ) -> Result<Vec<R>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, <DB as sqlx::Database>::Row> + Send + Unpin,
    {
        let (position, after) = (
            event_position::<DB>("e", "event"),
            DB::after("e", "$4", "$2"),
        );
        let order = DB::kept("e.txid", "e.seq");
        Ok(sqlx::query_as::<DB, R>(sqlx::AssertSqlSafe(format!(
            "SELECT {position}, {columns} FROM events e \
             WHERE e.tenant_id = $1 AND {after} ORDER BY {order} LIMIT $3"
        )))
        .bind(tenant.as_uuid())
        .bind(from.seq)
        .bind(i64::from(limit))
        .bind(from.txid)
        .fetch_all(&mut *conn)
        .await?)
    }

    /// Whether events wait after the tenant's position in `c` (`None`: it
    /// has none yet). A read before an enqueue pass, so an idle worker
    /// takes no write lock.
    pub(crate) async fn waiting(
        conn: &mut Conn<DB>,
        c: &TenantCursor,
        tenant: TenantId,
    ) -> Result<Option<bool>, StoreError> {
        let (table, after) = (c.table, DB::after("e", "p.cursor_txid", "p.cursor_seq"));
        Ok(sqlx::query_scalar::<DB, bool>(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND {after}) \
             FROM {table} p WHERE p.tenant_id = $1"
        )))
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *conn)
        .await?)
    }

    /// The tenant's position in `c`, its row locked until the transaction
    /// ends (PostgreSQL), if it has one.
    pub(crate) async fn lock(
        conn: &mut Conn<DB>,
        c: &TenantCursor,
        tenant: TenantId,
    ) -> Result<Option<EventCursor>, StoreError> {
        let (table, cursor, lock) = (c.table, kept_position::<DB>("cursor"), DB::FOR_UPDATE);
        Ok(
            sqlx::query_as::<DB, (i64, i64)>(sqlx::AssertSqlSafe(format!(
                "SELECT {cursor} FROM {table} WHERE tenant_id = $1{lock}"
            )))
            .bind(tenant.as_uuid())
            .fetch_optional(&mut *conn)
            .await?
            .map(|(txid, seq)| EventCursor { txid, seq }),
        )
    }

    /// The position of the event `id` (one this transaction wrote, or one
    /// committed).
    pub(crate) async fn position_of(
        conn: &mut Conn<DB>,
        id: EventId,
    ) -> Result<EventCursor, StoreError> {
        let position = event_position::<DB>("e", "event");
        let (txid, seq) = sqlx::query_as::<DB, (i64, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT {position} FROM events e WHERE e.id = $1"
        )))
        .bind(id.as_uuid())
        .fetch_one(&mut *conn)
        .await?;
        Ok(EventCursor { txid, seq })
    }

    /// Moves the tenant's position in `c` to `to`.
    pub(crate) async fn advance(
        conn: &mut Conn<DB>,
        c: &TenantCursor,
        tenant: TenantId,
        to: EventCursor,
    ) -> Result<(), StoreError> {
        let (table, set) = (c.table, DB::kept("cursor_txid = $3", "cursor_seq = $2"));
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET {set} WHERE tenant_id = $1"
        )))
        .bind(tenant.as_uuid())
        .bind(to.seq)
        .bind(to.txid)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
