//! What the store code written once for both databases needs of each
//! (docs/decisions/0148): [`Dialect`], how a database keeps an instant, and
//! [`SqlStore`], how a store opens its transactions,
//! locks a unit and appends its audit entry and event. The SQL itself uses
//! numbered `$n` parameters, which SQLite reads as PostgreSQL does.

use std::marker::PhantomData;

use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::sqlite::SqliteArguments;
use sqlx::types::Json;
use sqlx::{Database, Pool, Postgres, Sqlite, Transaction};
use uuid::Uuid;

use super::StoreError;
use super::records::ChangeRecord;
use crate::audit::AuditEntry;
use crate::ids::TenantId;
use crate::secret_box::SecretBox;

/// An instant as a store keeps it: SQLite microseconds, PostgreSQL
/// `timestamptz`.
pub(crate) trait StoredInstant {
    /// The instant.
    fn instant(self) -> Result<DateTime<Utc>, StoreError>;
}

impl StoredInstant for i64 {
    fn instant(self) -> Result<DateTime<Utc>, StoreError> {
        DateTime::from_timestamp_micros(self)
            .ok_or_else(|| StoreError::corrupt(format!("instant {self}")))
    }
}

impl StoredInstant for DateTime<Utc> {
    fn instant(self) -> Result<DateTime<Utc>, StoreError> {
        Ok(self)
    }
}

/// How many rows a statement changed, on either database.
pub(crate) trait Affected {
    /// The count.
    fn affected(&self) -> u64;
}

impl Affected for sqlx::sqlite::SqliteQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl Affected for sqlx::postgres::PgQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// `Dialect::UNIT_WITH_TENANT` over `$units`, where the units are read from.
macro_rules! unit_with_tenant {
    ($units:literal) => {
        concat!(
            "SELECT u.*, t.slug AS t_slug, t.name AS t_name, t.timezone AS t_timezone, \
             t.currency AS t_currency, t.locale AS t_locale, t.created_at AS t_created_at \
             FROM ",
            $units,
            " u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 AND u.id = $2"
        )
    };
}

/// What differs in a database's SQL and encodings. Its supertrait bounds
/// (arguments a query can take, a statement's count of changed rows) hold for
/// every generic body without being repeated in its `where` clause.
pub(crate) trait Dialect:
    Database<Arguments: sqlx::IntoArguments<Self>, QueryResult: Affected>
{
    /// An instant as the database keeps it: SQLite microseconds, PostgreSQL
    /// `timestamptz`.
    type Instant: StoredInstant
        + for<'q> sqlx::Encode<'q, Self>
        + for<'r> sqlx::Decode<'r, Self>
        + sqlx::Type<Self>
        + Send
        + Sync
        + Unpin
        + 'static;
    /// The most parameters one statement is given (SQLite allows 32,766,
    /// PostgreSQL 65,535; both stay far under).
    const MAX_BINDS: usize;
    /// Whether concurrent writers serialize on row locks (PostgreSQL: a
    /// statement may wait for another transaction's lock and then see its
    /// commit); false where the database serializes writers itself (SQLite's
    /// `BEGIN IMMEDIATE`). See [`locking!`].
    const ROW_LOCKS: bool;
    /// Whether reservations carry the `exclusive` marker of PostgreSQL's
    /// exclusion constraint (units of inventory 1; SQLite has no such column).
    const EXCLUSION: bool;
    /// Whether a new reservation is first offered to the database's booking
    /// function (PostgreSQL's `berth_book`, migration 0031: the booking write
    /// in one round trip; docs/decisions/0178); SQLite runs the booking
    /// transaction's statements in-process, where a round trip costs little.
    const BOOKING_FUNCTION: bool;
    /// Selects a unit (`$2`) and its tenant (`$1`) as a
    /// [`UnitTenantRow`](super::rows::UnitTenantRow), outside any
    /// transaction: a plain join on SQLite; on PostgreSQL the unit comes from
    /// `berth_unit` (migration 0033), which names the tenant for row-level
    /// security in the same call (docs/decisions/0183).
    const UNIT_WITH_TENANT: &'static str;
    /// What ends a `SELECT` whose rows stay locked until the transaction
    /// ends: PostgreSQL's ` FOR UPDATE`; nothing on SQLite, whose writers are
    /// serialized already.
    const FOR_UPDATE: &'static str;
    /// The same with PostgreSQL's weaker ` FOR NO KEY UPDATE` (rows others
    /// may still reference meanwhile).
    const FOR_NO_KEY_UPDATE: &'static str;
    /// The same with PostgreSQL's ` FOR SHARE` (rows others may read and
    /// share-lock but not change meanwhile).
    const FOR_SHARE: &'static str;
    /// What ends a `SELECT` of queue rows a worker claims: PostgreSQL's
    /// ` FOR UPDATE SKIP LOCKED` (rows another worker is claiming are passed
    /// over, not waited for); nothing on SQLite.
    const SKIP_LOCKED: &'static str;
    /// An expression that is the JSON object in `column` with `key` set to
    /// the text parameter `param` (`$n`).
    fn json_set_text(column: &str, key: &str, param: &str) -> String;
    /// `instant` as the database keeps it.
    fn stamp(instant: DateTime<Utc>) -> Self::Instant;
    /// A `SELECT` of `tenant`'s rows among `ids`, in one statement: on
    /// PostgreSQL `any` (`… WHERE tenant_id = $1 AND id = ANY($2)`, the ids one
    /// array), on SQLite `list` (`… WHERE tenant_id = $1 AND id IN (`, one
    /// parameter per id).
    fn by_ids<R>(
        any: &'static str,
        list: &'static str,
        tenant: Uuid,
        ids: Vec<Uuid>,
    ) -> QueryAs<'static, Self, R, <Self as Database>::Arguments>
    where
        R: for<'r> sqlx::FromRow<'r, Self::Row>;
}

/// `tenant`'s rows among `ids`, read in one statement ([`Dialect::by_ids`]);
/// none asked, none read.
pub(crate) async fn rows_by_ids<S, R>(
    store: &S,
    any: &'static str,
    list: &'static str,
    tenant: TenantId,
    ids: Vec<Uuid>,
) -> Result<Vec<R>, StoreError>
where
    S: SqlStore,
    for<'c> &'c mut Conn<S::Db>: sqlx::Executor<'c, Database = S::Db>,
    R: for<'r> sqlx::FromRow<'r, <S::Db as Database>::Row> + Send + Unpin,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = store.read(tenant).await?;
    Ok(S::Db::by_ids::<R>(any, list, tenant.as_uuid(), ids)
        .fetch_all(&mut *conn)
        .await?)
}

impl Dialect for Sqlite {
    type Instant = i64;
    const MAX_BINDS: usize = 2_000;
    const ROW_LOCKS: bool = false;
    const EXCLUSION: bool = false;
    const BOOKING_FUNCTION: bool = false;
    const UNIT_WITH_TENANT: &'static str = unit_with_tenant!("units");
    const FOR_UPDATE: &'static str = "";
    const FOR_NO_KEY_UPDATE: &'static str = "";
    const FOR_SHARE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    fn json_set_text(column: &str, key: &str, param: &str) -> String {
        format!("json_set({column}, '$.{key}', {param})")
    }
    fn stamp(instant: DateTime<Utc>) -> i64 {
        instant.timestamp_micros()
    }
    fn by_ids<R>(
        _any: &'static str,
        list: &'static str,
        tenant: Uuid,
        ids: Vec<Uuid>,
    ) -> QueryAs<'static, Self, R, SqliteArguments>
    where
        R: for<'r> sqlx::FromRow<'r, Self::Row>,
    {
        let params = (2..ids.len() + 2)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>();
        let sql = format!("{list}{})", params.join(", "));
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(tenant);
        ids.into_iter().fold(query, |query, id| query.bind(id))
    }
}

impl Dialect for Postgres {
    type Instant = DateTime<Utc>;
    const MAX_BINDS: usize = 5_000;
    const ROW_LOCKS: bool = true;
    const EXCLUSION: bool = true;
    const BOOKING_FUNCTION: bool = true;
    const UNIT_WITH_TENANT: &'static str = unit_with_tenant!("berth_unit($1, $2)");
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const FOR_NO_KEY_UPDATE: &'static str = " FOR NO KEY UPDATE";
    const FOR_SHARE: &'static str = " FOR SHARE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    fn json_set_text(column: &str, key: &str, param: &str) -> String {
        format!("jsonb_set({column}, '{{{key}}}', to_jsonb({param}::text))")
    }
    fn stamp(instant: DateTime<Utc>) -> DateTime<Utc> {
        instant
    }
    fn by_ids<R>(
        any: &'static str,
        _list: &'static str,
        tenant: Uuid,
        ids: Vec<Uuid>,
    ) -> QueryAs<'static, Self, R, PgArguments>
    where
        R: for<'r> sqlx::FromRow<'r, Self::Row>,
    {
        sqlx::query_as(any).bind(tenant).bind(ids)
    }
}

/// The statement `$sql`, ending on a database with [`Dialect::ROW_LOCKS`] in
/// the row lock `$lock` (` FOR UPDATE`, …): both texts are `&'static str`,
/// chosen at compile time.
macro_rules! locking {
    ($db:ty, $sql:literal, $lock:literal) => {
        if <$db as $crate::store::sql::Dialect>::ROW_LOCKS {
            concat!($sql, $lock)
        } else {
            $sql
        }
    };
}
pub(crate) use locking;

/// A connection of the database `DB`.
pub(crate) type Conn<DB> = <DB as Database>::Connection;

/// An instant as the database `DB` keeps it.
pub(crate) type Instant<DB> = <DB as Dialect>::Instant;

/// How a store runs the code written once: its transactions and the few
/// statements whose locking differs.
pub(crate) trait SqlStore: Send + Sync {
    /// The database.
    type Db: Dialect;
    /// What a read of one tenant's data runs on: a pooled SQLite connection;
    /// a PostgreSQL transaction naming the tenant for row-level security.
    type Reader: std::ops::DerefMut<Target = Conn<Self::Db>> + Send;

    /// The pool, for reads of data no tenant owns.
    fn sql_pool(&self) -> &Pool<Self::Db>;
    /// The box secrets at rest are sealed with (webhook signing secrets,
    /// calendar-sync URLs), if the store has a key.
    fn secrets(&self) -> Option<&SecretBox>;
    /// A write transaction for `tenant`'s data: SQLite's `BEGIN IMMEDIATE`
    /// (the database write lock); on PostgreSQL one naming the tenant.
    /// (Not boxed, unlike this trait's `async fn`s: every write begins here.)
    fn write(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, StoreError>> + Send;
    /// A write transaction for data no tenant owns: SQLite's `BEGIN
    /// IMMEDIATE`; on PostgreSQL a plain one.
    fn write_global(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, StoreError>> + Send;
    /// A connection to read `tenant`'s data on.
    fn read(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<Self::Reader, StoreError>> + Send;
    /// Announces a commit to [`super::Store::commits`] readers.
    fn announce(&self);
    /// What [`super::Store::commits`] hands out.
    fn commit_ticks(&self) -> tokio::sync::watch::Receiver<u64>;
}

/// The audit log and the event stream, as every store body appends to them.
pub(crate) struct Journal<DB>(PhantomData<DB>);

#[each_database]
impl Journal<DB> {
    /// Appends a change's audit entry and its event on `conn`.
    pub(crate) async fn append(
        conn: &mut Conn<DB>,
        record: &ChangeRecord,
    ) -> Result<(), StoreError> {
        let a = &record.audit;
        Self::append_audit(conn, a).await?;
        sqlx::query(
            "INSERT INTO events (id, tenant_id, kind, entity_id, payload, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(record.event_id.as_uuid())
        .bind(a.tenant_id.as_uuid())
        .bind(record.event_kind.as_str())
        .bind(a.entity_id)
        .bind(Json(&record.event_payload))
        .bind(DB::stamp(a.at))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Appends an audit entry on `conn`.
    pub(crate) async fn append_audit(
        conn: &mut Conn<DB>,
        a: &AuditEntry,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log \
             (id, tenant_id, actor, entity_type, entity_id, action, at, request_id, metadata) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id.as_uuid())
        .bind(a.tenant_id.as_uuid())
        .bind(a.actor.to_string())
        .bind(&a.entity_type)
        .bind(a.entity_id)
        .bind(&a.action)
        .bind(DB::stamp(a.at))
        .bind(&a.request_id)
        .bind(Json(&a.metadata))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[each_database]
#[async_trait::async_trait]
impl super::Store for DbStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.sql_pool()).await?;
        Ok(())
    }

    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commit_ticks()
    }
}
