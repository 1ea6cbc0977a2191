//! The PostgreSQL store: the production database, and what several berth
//! instances share. The booking transaction serializes per unit by locking the
//! unit's row (`SELECT … FOR NO KEY UPDATE`), so bookings of different units proceed
//! in parallel while two bookings of one unit queue. Units of inventory 1 get a
//! second, independent wall: an exclusion constraint (btree_gist) that refuses
//! overlapping active reservations whatever the application does; its violation is
//! reported as UNAVAILABLE.
//!
//! Tenancy has a second wall too: row-level security on every tenant-owned table
//! (migration 0005) lets a transaction see and write only the rows of the tenant
//! its first statement names. Every method that touches tenant-owned rows, reads
//! included, runs in such a transaction (`begin_tenant`); only the
//! `tenants` directory is read without one.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::records::{self, ChangeRecord};
use super::{
    ClientRef, Inserted, NewReservation, Occupancy, PeriodChange, ReservationFilter, Store,
    StoreError, Transition,
};
use crate::api_key::{ApiKey, NewApiKey};
use crate::audit::{Actor, AuditCursor, AuditEntry, AuditFilter};
use crate::capacity;
use crate::client::{Client, ClientFilter, ClientPatch, NewClient};
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::{ApiKeyId, ClientId, EventId, LockId, ReservationId, TenantId, UnitId};
use crate::lock::{Lock, NewLock, SessionId};
use crate::reservation::{IdempotencyKey, Reservation};
use crate::tenant::{NewTenant, Tenant, TenantSlug};
use crate::time_range::TimeRange;
use crate::unit::{NewUnit, Unit, UnitPatch};
use crate::unit_history::UnitVersion;

// Old events (`EventRetentionStore`), in their own file.
#[path = "event_retention/postgres.rs"]
mod event_retention;

/// The exclusion constraint guarding units of inventory 1 (see the migration).
const EXCLUSIVE_CONSTRAINT: &str = "reservations_exclusive_no_overlap";
/// The unique index behind idempotency keys.
const IDEMPOTENCY_INDEX: &str = "reservations_idempotency_key";
/// The unique constraint on tenant slugs.
const SLUG_CONSTRAINT: &str = "tenants_slug_key";

/// The PostgreSQL implementation of [`Store`].
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    commits: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// Seals webhook signing secrets at rest (`None`: stored as they are).
    secrets: Option<std::sync::Arc<crate::secret_box::SecretBox>>,
}

impl PostgresStore {
    /// Announces a commit to [`Store::commits`] readers.
    fn committed(&self) {
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Connects to the database at `url` with the default pool size (16).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_pool_size(url, 16).await
    }

    /// Connects with at most `max_connections` pooled connections.
    pub async fn connect_with_pool_size(
        url: &str,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("berth");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .idle_timeout(Some(Duration::from_secs(600)))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            commits: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
            secrets: None,
        })
    }

    /// This store, sealing the webhook signing secrets it writes with
    /// `secrets` (and opening those it reads).
    #[must_use]
    pub fn with_secrets(mut self, secrets: crate::secret_box::SecretBox) -> Self {
        self.secrets = Some(std::sync::Arc::new(secrets));
        self
    }

    /// Applies the migrations in `migrations/postgres`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// The underlying pool, for benchmarks and maintenance tools.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction scoped to `tenant` by row-level security. Its first statement
    /// is `SELECT set_config('berth.tenant_id', …, true)`: transaction-local, so the
    /// setting ends with the transaction and a pooled connection never carries a
    /// tenant into its next use. It is sent with the BEGIN as one simple-query
    /// message, so naming the tenant costs no round trip of its own (the id is a
    /// UUID, which is why formatting it into the SQL is safe).
    ///
    /// Writes commit the transaction; reads just drop it, which rolls it back:
    /// sqlx sends the ROLLBACK with the check it makes before the connection
    /// rejoins the pool, so the caller does not wait for it either.
    async fn begin_tenant(
        &self,
        tenant: TenantId,
    ) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let begin = format!("BEGIN; SELECT set_config('berth.tenant_id', '{tenant}', true)");
        Ok(self.pool.begin_with(sqlx::AssertSqlSafe(begin)).await?)
    }

    /// The booking transaction: idempotency lookup, the unit lock, the client,
    /// the capacity check, the insert, the audit entry and the event.
    async fn try_insert(
        &self,
        tenant: TenantId,
        new: &NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        if let Some(key) = &new.idempotency_key
            && let Some(existing) = fetch_by_key(&mut tx, tenant, key).await?
        {
            return Ok(Inserted {
                reservation: records::replay(existing, records::fingerprint(new))?,
                created: false,
            });
        }
        let unit = bookable_unit(&mut tx, tenant, new.unit_id).await?;
        // A request with the same key may have committed while this one waited
        // for the unit: its capacity would refuse this one, which must be
        // answered as a retry instead (read committed: this read sees it).
        if let Some(key) = &new.idempotency_key
            && let Some(existing) = fetch_by_key(&mut tx, tenant, key).await?
        {
            return Ok(Inserted {
                reservation: records::replay(existing, records::fingerprint(new))?,
                created: false,
            });
        }
        let session = new.session.as_ref();
        ensure_unlocked(
            &mut tx,
            tenant,
            session,
            unit.id,
            &new.occupied,
            None,
            new.now,
        )
        .await?;
        let client_id = match &new.client {
            ClientRef::None => None,
            ClientRef::Existing(id) => {
                let client = fetch_client(&mut tx, tenant, *id, ClientLock::Share)
                    .await?
                    .ok_or_else(|| StoreError::not_found("client", id))?;
                records::bookable_client(&client)?;
                Some(client.id)
            }
            ClientRef::New(new_client) => Some(
                insert_client(&mut tx, tenant, new_client.clone(), actor, new.now)
                    .await?
                    .id,
            ),
        };
        ensure_capacity(
            &mut tx,
            tenant,
            &unit,
            &new.occupied,
            new.quantity.get(),
            None,
        )
        .await?;
        let reservation = records::new_reservation(tenant, client_id, new);
        let exclusive = unit.inventory.get() == 1;
        write_reservation(&mut tx, &reservation, true, Some(exclusive)).await?;
        consume_lock(&mut tx, tenant, new.consume_lock, session, actor, new.now).await?;
        append(&mut tx, &records::reservation_created(&reservation, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(Inserted {
            reservation,
            created: true,
        })
    }
}

/// The name of the constraint a database error violated, if any.
fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}

use super::rows::{RESERVATION_COLUMNS, UNIT_WITH_TENANT};
type AuditRow = super::rows::AuditRow<DateTime<Utc>>;
type ReservationRow = super::rows::ReservationRow<DateTime<Utc>>;
type UnitRow = super::rows::UnitRow<DateTime<Utc>>;
type TenantRow = super::rows::TenantRow<DateTime<Utc>>;
type UnitTenantRow = super::rows::UnitTenantRow<DateTime<Utc>>;
type UserRow = super::rows::UserRow<DateTime<Utc>>;
type ClientRow = super::rows::ClientRow<DateTime<Utc>>;
type ApiKeyRow = super::rows::ApiKeyRow<DateTime<Utc>>;
type LockRow = super::rows::LockRow<DateTime<Utc>>;

async fn append(conn: &mut PgConnection, record: &ChangeRecord) -> Result<(), StoreError> {
    super::sql::append::<Postgres>(conn, record).await
}

async fn append_audit(conn: &mut PgConnection, a: &AuditEntry) -> Result<(), StoreError> {
    super::sql::append_audit::<Postgres>(conn, a).await
}

/// A reservation; with `for_update`, its row stays locked until the transaction ends.
async fn fetch_reservation(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: ReservationId,
    for_update: bool,
) -> Result<Option<Reservation>, StoreError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE tenant_id = $1 AND id = $2{lock}"
    ));
    sqlx::query_as::<_, ReservationRow>(sql)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(ReservationRow::into_domain)
        .transpose()
}

async fn fetch_by_key(
    conn: &mut PgConnection,
    tenant: TenantId,
    key: &IdempotencyKey,
) -> Result<Option<Reservation>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE tenant_id = $1 AND idempotency_key = $2"
    ));
    sqlx::query_as::<_, ReservationRow>(sql)
        .bind(tenant.as_uuid())
        .bind(key.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(ReservationRow::into_domain)
        .transpose()
}

/// Records what a unit offers from `v.from` on; a second change in the same
/// microsecond replaces the first.
async fn write_unit_version(
    conn: &mut PgConnection,
    tenant: TenantId,
    v: &UnitVersion,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, unit_id, valid_from) \
         DO UPDATE SET inventory = EXCLUDED.inventory, archived = EXCLUDED.archived",
    )
    .bind(tenant.as_uuid())
    .bind(v.unit_id.as_uuid())
    .bind(v.from)
    .bind(i64::from(v.inventory))
    .bind(v.archived)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn fetch_unit(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: UnitId,
) -> Result<Option<Unit>, StoreError> {
    sqlx::query_as::<_, UnitRow>("SELECT * FROM units WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(UnitRow::into_domain)
        .transpose()
}

/// How [`fetch_client`] locks the row it reads, until the transaction ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientLock {
    /// Not at all (a read).
    Read,
    /// Against changes (a booking for the client: an erasure or an archiving
    /// waits for it, and it sees theirs).
    Share,
    /// For a change of the client (an update, an erasure).
    Update,
}

async fn fetch_client(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: ClientId,
    lock: ClientLock,
) -> Result<Option<Client>, StoreError> {
    let sql = match lock {
        ClientLock::Read => "SELECT * FROM clients WHERE tenant_id = $1 AND id = $2",
        ClientLock::Share => "SELECT * FROM clients WHERE tenant_id = $1 AND id = $2 FOR SHARE",
        ClientLock::Update => "SELECT * FROM clients WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
    };
    sqlx::query_as::<_, ClientRow>(sql)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(ClientRow::into_domain)
        .transpose()
}

/// Writes every changeable column of a stored client (a change, an erasure).
async fn write_client(conn: &mut PgConnection, c: &Client) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE clients SET name = $1, email = $2, phone = $3, notes = $4, blocked = $5, \
         archived = $6, erased_at = $7 WHERE tenant_id = $8 AND id = $9",
    )
    .bind(&c.name)
    .bind(&c.email)
    .bind(&c.phone)
    .bind(&c.notes)
    .bind(c.blocked)
    .bind(c.archived)
    .bind(c.erased_at)
    .bind(c.tenant_id.as_uuid())
    .bind(c.id.as_uuid())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_client(
    conn: &mut PgConnection,
    tenant: TenantId,
    new: NewClient,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Client, StoreError> {
    let client = Client {
        id: ClientId::new(),
        tenant_id: tenant,
        name: new.name,
        email: new.email,
        phone: new.phone,
        notes: new.notes,
        blocked: new.blocked,
        archived: false,
        created_at: now,
        erased_at: None,
    };
    sqlx::query(
        "INSERT INTO clients (tenant_id, id, name, email, phone, notes, blocked, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant.as_uuid())
    .bind(client.id.as_uuid())
    .bind(&client.name)
    .bind(&client.email)
    .bind(&client.phone)
    .bind(&client.notes)
    .bind(client.blocked)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    append(conn, &records::client_created(&client, actor)).await?;
    Ok(client)
}

/// Refuses the write unless `quantity` fits on the unit during `occupied`,
/// ignoring the reservation `except` (the one being changed).
async fn ensure_capacity(
    conn: &mut PgConnection,
    tenant: TenantId,
    unit: &Unit,
    occupied: &TimeRange,
    quantity: u32,
    except: Option<ReservationId>,
) -> Result<(), StoreError> {
    // A calendar block takes the whole unit; one round trip reads both.
    let taken: Vec<(DateTime<Utc>, DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT occupied_start, occupied_end, quantity FROM reservations \
         WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in') \
           AND occupied_start < $3 AND occupied_end > $4 AND id IS DISTINCT FROM $5 \
         UNION ALL \
         SELECT start_at, end_at, $6 FROM calendar_blocks \
         WHERE tenant_id = $1 AND unit_id = $2 AND start_at < $3 AND end_at > $4",
    )
    .bind(tenant.as_uuid())
    .bind(unit.id.as_uuid())
    .bind(occupied.end())
    .bind(occupied.start())
    .bind(except.map(|id| id.as_uuid()))
    .bind(i64::from(unit.inventory.get()))
    .fetch_all(&mut *conn)
    .await?;
    let taken = taken
        .into_iter()
        .map(|(s, e, q)| {
            let range = TimeRange::new(s, e).map_err(StoreError::corrupt)?;
            Ok((range, u32::try_from(q).map_err(StoreError::corrupt)?))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    if capacity::fits(taken, occupied, quantity, unit.inventory.get()) {
        Ok(())
    } else {
        Err(StoreError::Unavailable { unit_id: unit.id })
    }
}

/// The unit, locked for the rest of the transaction: this row lock is the unit's
/// serialization point, so two bookings of one unit run their capacity checks one
/// after the other. Refused when missing or archived.
async fn bookable_unit(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: UnitId,
) -> Result<Unit, StoreError> {
    let unit = locked_unit(conn, tenant, id).await?;
    if unit.archived {
        return Err(records::unit_archived(id));
    }
    Ok(unit)
}

/// The unit with its row locked for the rest of the transaction (the unit's
/// serialization point), or NOT_FOUND.
async fn locked_unit(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: UnitId,
) -> Result<Unit, StoreError> {
    sqlx::query_as::<_, UnitRow>(
        "SELECT * FROM units WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE",
    )
    .bind(tenant.as_uuid())
    .bind(id.as_uuid())
    .fetch_optional(&mut *conn)
    .await?
    .map(UnitRow::into_domain)
    .transpose()?
    .ok_or_else(|| StoreError::not_found("unit", id))
}

/// Inserts or updates a reservation row. `exclusive` marks rows of inventory-1 units
/// for the exclusion constraint; `None` on an update keeps the stored flag.
async fn write_reservation(
    conn: &mut PgConnection,
    r: &Reservation,
    insert: bool,
    exclusive: Option<bool>,
) -> Result<(), StoreError> {
    let sql = if insert {
        "INSERT INTO reservations (unit_id, client_id, state, start_at, end_at, occupied_start, \
           occupied_end, check_in, check_out, quantity, guests, price, price_total_minor, currency, \
           channel, idempotency_key, notes, hold_expires_at, version, created_at, updated_at, \
           tenant_id, id, exclusive, refund, policy_override) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
           $19, $20, $21, $22, $23, COALESCE($24, false), $25, $26)"
    } else {
        "UPDATE reservations SET unit_id = $1, client_id = $2, state = $3, start_at = $4, end_at = $5, \
           occupied_start = $6, occupied_end = $7, check_in = $8, check_out = $9, quantity = $10, \
           guests = $11, price = $12, price_total_minor = $13, currency = $14, channel = $15, \
           idempotency_key = $16, notes = $17, hold_expires_at = $18, version = $19, created_at = $20, \
           updated_at = $21, exclusive = COALESCE($24, exclusive), refund = $25, \
           policy_override = $26 \
         WHERE tenant_id = $22 AND id = $23"
    };
    sqlx::query(sql)
        .bind(r.unit_id.as_uuid())
        .bind(r.client_id.map(|c| c.as_uuid()))
        .bind(r.state.as_str())
        .bind(r.period.start())
        .bind(r.period.end())
        .bind(r.occupied.start())
        .bind(r.occupied.end())
        .bind(r.check_in)
        .bind(r.check_out)
        .bind(i64::from(r.quantity))
        .bind(i64::from(r.guests))
        .bind(r.price.as_ref().map(Json))
        .bind(r.price.as_ref().map(|p| p.total.amount_minor))
        .bind(r.price.as_ref().map(|p| p.total.currency.to_string()))
        .bind(r.channel.as_str())
        .bind(r.idempotency_key.as_ref().map(IdempotencyKey::as_str))
        .bind(&r.notes)
        .bind(r.hold_expires_at)
        .bind(r.version)
        .bind(r.created_at)
        .bind(r.updated_at)
        .bind(r.tenant_id.as_uuid())
        .bind(r.id.as_uuid())
        .bind(exclusive)
        .bind(r.refund.as_ref().map(Json))
        .bind(r.policy_override.as_ref().map(Json))
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            if violated_constraint(&e) == Some(EXCLUSIVE_CONSTRAINT) {
                StoreError::Unavailable { unit_id: r.unit_id }
            } else {
                StoreError::Database(e)
            }
        })?;
    Ok(())
}

async fn fetch_api_key(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: ApiKeyId,
) -> Result<Option<(ApiKey, String)>, StoreError> {
    sqlx::query_as::<_, ApiKeyRow>("SELECT * FROM api_keys WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(ApiKeyRow::into_domain)
        .transpose()
}

/// Every active reservation's occupied interval and quantity on a unit.
async fn active_load(
    conn: &mut PgConnection,
    tenant: TenantId,
    unit: UnitId,
) -> Result<Vec<(TimeRange, u32)>, StoreError> {
    let rows: Vec<(DateTime<Utc>, DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT occupied_start, occupied_end, quantity FROM reservations \
         WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in')",
    )
    .bind(tenant.as_uuid())
    .bind(unit.as_uuid())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(s, e, q)| {
            let range = TimeRange::new(s, e).map_err(StoreError::corrupt)?;
            Ok((range, u32::try_from(q).map_err(StoreError::corrupt)?))
        })
        .collect()
}

/// The live locks on `unit` or on `reservation` at `now`.
async fn live_locks(
    conn: &mut PgConnection,
    tenant: TenantId,
    unit: Option<UnitId>,
    reservation: Option<ReservationId>,
    now: DateTime<Utc>,
) -> Result<Vec<Lock>, StoreError> {
    sqlx::query_as::<_, LockRow>(
        "SELECT * FROM locks WHERE tenant_id = $1 AND expires_at > $2 \
           AND (unit_id = $3 OR reservation_id = $4 OR ($5 IS NULL AND $6 IS NULL)) \
         ORDER BY id",
    )
    .bind(tenant.as_uuid())
    .bind(now)
    .bind(unit.map(|u| u.as_uuid()))
    .bind(reservation.map(|r| r.as_uuid()))
    .bind(unit.map(|u| u.as_uuid()))
    .bind(reservation.map(|r| r.as_uuid()))
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(LockRow::into_domain)
    .collect()
}

/// Refuses a write by `session` to `unit` over `range` (or to `reservation`)
/// while another session holds a live lock on it.
async fn ensure_unlocked(
    conn: &mut PgConnection,
    tenant: TenantId,
    session: Option<&SessionId>,
    unit: UnitId,
    range: &TimeRange,
    reservation: Option<ReservationId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let locks = live_locks(conn, tenant, Some(unit), reservation, now).await?;
    records::first_blocking(locks, session, unit, Some(range), reservation, now)
}

/// A live lock of `session` by id, or NOT_FOUND.
async fn own_lock(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: LockId,
    session: &SessionId,
    now: DateTime<Utc>,
) -> Result<Lock, StoreError> {
    sqlx::query_as::<_, LockRow>(
        "SELECT * FROM locks WHERE tenant_id = $1 AND id = $2 AND session_id = $3 AND expires_at > $4 \
         FOR UPDATE",
    )
    .bind(tenant.as_uuid())
    .bind(id.as_uuid())
    .bind(session.as_str())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?
    .map(LockRow::into_domain)
    .transpose()?
    .ok_or_else(|| StoreError::not_found("lock", id))
}

/// Deletes a lock and records why (`release` or `expire`).
async fn end_lock(
    conn: &mut PgConnection,
    lock: &Lock,
    expired: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let deleted = sqlx::query("DELETE FROM locks WHERE tenant_id = $1 AND id = $2")
        .bind(lock.tenant_id.as_uuid())
        .bind(lock.id.as_uuid())
        .execute(&mut *conn)
        .await?;
    if deleted.rows_affected() == 0 {
        // Another transaction ended it first and recorded that.
        return Ok(());
    }
    let (action, kind) = if expired {
        ("expire", EventKind::LockExpired)
    } else {
        ("release", EventKind::LockReleased)
    };
    append(conn, &records::lock_changed(lock, action, kind, actor, now)).await
}

/// Releases `session`'s lock `id` as part of a write (the write consumes it).
async fn consume_lock(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Option<LockId>,
    session: Option<&SessionId>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (Some(id), Some(session)) = (id, session) else {
        return Ok(());
    };
    let lock = own_lock(conn, tenant, id, session, now).await?;
    end_lock(conn, &lock, false, actor, now).await
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_tenant(
        &self,
        new: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        let tenant = Tenant {
            id: TenantId::new(),
            slug: new.slug,
            name: new.name,
            timezone: new.timezone,
            currency: new.currency,
            locale: new.locale,
            created_at: now,
        };
        let mut tx = self.begin_tenant(tenant.id).await?;
        sqlx::query(
            "INSERT INTO tenants (id, slug, name, timezone, currency, locale, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(tenant.id.as_uuid())
        .bind(tenant.slug.as_str())
        .bind(&tenant.name)
        .bind(tenant.timezone.name())
        .bind(tenant.currency.as_str())
        .bind(&tenant.locale)
        .bind(tenant.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if violated_constraint(&e) == Some(SLUG_CONSTRAINT) {
                StoreError::Conflict(format!(
                    "a tenant with slug `{}` already exists",
                    tenant.slug
                ))
            } else {
                StoreError::Database(e)
            }
        })?;
        append(&mut tx, &records::tenant_created(&tenant, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(tenant)
    }

    async fn update_tenant(
        &self,
        id: TenantId,
        update: NewTenant,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Tenant, StoreError> {
        let mut tx = self.begin_tenant(id).await?;
        let before = fetch_tenant(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", id))?;
        let after = Tenant {
            name: update.name,
            timezone: update.timezone,
            currency: update.currency,
            locale: update.locale,
            ..before.clone()
        };
        sqlx::query(
            "UPDATE tenants SET name = $1, timezone = $2, currency = $3, locale = $4 WHERE id = $5",
        )
        .bind(&after.name)
        .bind(after.timezone.name())
        .bind(after.currency.as_str())
        .bind(&after.locale)
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &records::tenant_updated(&before, &after, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn record_event(
        &self,
        tenant: TenantId,
        event: super::NewEvent,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        append(&mut tx, &records::standalone(tenant, event, actor))
            .await
            .map_err(|e| unknown_tenant(e, tenant))?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        fetch_tenant(&mut conn, id).await
    }

    async fn tenant_and_unit(
        &self,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Option<(Tenant, Unit)>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, UnitTenantRow>(UNIT_WITH_TENANT)
            .bind(tenant.as_uuid())
            .bind(unit.as_uuid())
            .fetch_optional(&mut *tx)
            .await?
            .map(UnitTenantRow::into_domain)
            .transpose()
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        sqlx::query_as::<_, TenantRow>("SELECT * FROM tenants WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?
            .map(TenantRow::into_domain)
            .transpose()
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        sqlx::query_as::<_, TenantRow>("SELECT * FROM tenants ORDER BY slug")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(TenantRow::into_domain)
            .collect()
    }

    async fn create_unit(
        &self,
        tenant: TenantId,
        new: NewUnit,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        let unit = Unit {
            id: UnitId::new(),
            tenant_id: tenant,
            name: new.name,
            kind: new.kind,
            inventory: new.inventory,
            max_guests: new.max_guests,
            description: new.description,
            amenities: new.amenities,
            images: new.images,
            attributes: new.attributes,
            archived: false,
            created_at: now,
        };
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query(
            "INSERT INTO units (tenant_id, id, name, kind, inventory, max_guests, description, \
               amenities, attributes, archived, created_at, images) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(tenant.as_uuid())
        .bind(unit.id.as_uuid())
        .bind(&unit.name)
        .bind(&unit.kind)
        .bind(i64::from(unit.inventory))
        .bind(i64::from(unit.max_guests))
        .bind(&unit.description)
        .bind(Json(&unit.amenities))
        .bind(Json(&unit.attributes))
        .bind(unit.archived)
        .bind(now)
        .bind(Json(&unit.images))
        .execute(&mut *tx)
        .await
        .map_err(|e| tenant_fk(e, tenant))?;
        write_unit_version(&mut tx, tenant, &UnitVersion::of(&unit, now)).await?;
        append(&mut tx, &records::unit_created(&unit, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(unit)
    }

    async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<Unit>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_unit(&mut tx, tenant, id).await
    }

    async fn units(
        &self,
        tenant: TenantId,
        include_archived: bool,
    ) -> Result<Vec<Unit>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, UnitRow>(
            "SELECT * FROM units WHERE tenant_id = $1 AND (NOT archived OR $2) ORDER BY id",
        )
        .bind(tenant.as_uuid())
        .bind(include_archived)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(UnitRow::into_domain)
        .collect()
    }

    async fn update_unit(
        &self,
        tenant: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Unit, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let before = locked_unit(&mut tx, tenant, id).await?;
        let after = patch.apply(&before);
        if after == before {
            return Ok(before);
        }
        if after.inventory < before.inventory {
            records::check_inventory(&after, active_load(&mut tx, tenant, id).await?)?;
        }
        sqlx::query(
            "UPDATE units SET name = $1, kind = $2, inventory = $3, max_guests = $4, description = $5, \
               amenities = $6, attributes = $7, archived = $8, images = $9 \
             WHERE tenant_id = $10 AND id = $11",
        )
        .bind(&after.name)
        .bind(&after.kind)
        .bind(i64::from(after.inventory))
        .bind(i64::from(after.max_guests))
        .bind(&after.description)
        .bind(Json(&after.amenities))
        .bind(Json(&after.attributes))
        .bind(after.archived)
        .bind(Json(&after.images))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        if (after.inventory.get() == 1) != (before.inventory.get() == 1) {
            // Keep the exclusion constraint's marker in step with the inventory:
            // the check above guarantees no active overlap when it becomes 1.
            sqlx::query(
                "UPDATE reservations SET exclusive = $1 WHERE tenant_id = $2 AND unit_id = $3",
            )
            .bind(after.inventory.get() == 1)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        }
        if UnitVersion::changes(&before, &after) {
            write_unit_version(&mut tx, tenant, &UnitVersion::of(&after, now)).await?;
        }
        append(&mut tx, &records::unit_updated(&before, &after, actor, now)).await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn units_by_ids(
        &self,
        tenant: TenantId,
        ids: &[UnitId],
    ) -> Result<Vec<Unit>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, UnitRow>("SELECT * FROM units WHERE tenant_id = $1 AND id = ANY($2)")
            .bind(tenant.as_uuid())
            .bind(ids)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(UnitRow::into_domain)
            .collect()
    }

    async fn update_client(
        &self,
        tenant: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let before = fetch_client(&mut tx, tenant, id, ClientLock::Update)
            .await?
            .ok_or_else(|| StoreError::not_found("client", id))?;
        let after = patch.apply(&before);
        if after == before {
            return Ok(before);
        }
        if before.erased_at.is_some() {
            return Err(records::client_erased_refusal(&before));
        }
        write_client(&mut tx, &after).await?;
        append(
            &mut tx,
            &records::client_updated(&before, &after, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn clients(
        &self,
        tenant: TenantId,
        filter: &ClientFilter,
    ) -> Result<Vec<Client>, StoreError> {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT * FROM clients WHERE tenant_id = ");
        qb.push_bind(tenant.as_uuid());
        if let Some(after) = filter.after {
            qb.push(" AND id > ").push_bind(after.as_uuid());
        }
        if !filter.include_archived {
            qb.push(" AND NOT archived");
        }
        if let Some(pattern) = records::contains_pattern(filter.search.as_deref()) {
            qb.push(" AND (lower(name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        qb.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(filter.limit.unwrap_or(100).min(1000)));
        let mut tx = self.begin_tenant(tenant).await?;
        qb.build_query_as::<ClientRow>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(ClientRow::into_domain)
            .collect()
    }

    async fn clients_by_ids(
        &self,
        tenant: TenantId,
        ids: &[ClientId],
    ) -> Result<Vec<Client>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, ClientRow>(
            "SELECT * FROM clients WHERE tenant_id = $1 AND id = ANY($2)",
        )
        .bind(tenant.as_uuid())
        .bind(ids)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(ClientRow::into_domain)
        .collect()
    }

    async fn create_api_key(
        &self,
        tenant: TenantId,
        new: NewApiKey,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        let key = ApiKey {
            id: new.id,
            tenant_id: tenant,
            name: new.name,
            role: new.role,
            created_at: now,
            revoked_at: None,
        };
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query(
            "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.as_uuid())
        .bind(key.id.as_uuid())
        .bind(&key.name)
        .bind(key.role.as_str())
        .bind(&new.secret_hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| tenant_fk(e, tenant))?;
        append(&mut tx, &records::api_key_created(&key, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(key)
    }

    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, ApiKeyRow>("SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY id")
            .bind(tenant.as_uuid())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|row| row.into_domain().map(|(key, _)| key))
            .collect()
    }

    async fn api_key_secret(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
    ) -> Result<Option<(ApiKey, String)>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_api_key(&mut tx, tenant, id).await
    }

    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let (mut key, _) = fetch_api_key(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("api key", id))?;
        if key.revoked_at.is_some() {
            return Ok(key);
        }
        key.revoked_at = Some(now);
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(now)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &records::api_key_revoked(&key, actor, now)).await?;
        tx.commit().await?;
        self.committed();
        Ok(key)
    }

    async fn create_client(
        &self,
        tenant: TenantId,
        new: NewClient,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Client, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let client = insert_client(&mut tx, tenant, new, actor, now)
            .await
            .map_err(|e| unknown_tenant(e, tenant))?;
        tx.commit().await?;
        self.committed();
        Ok(client)
    }

    async fn client(&self, tenant: TenantId, id: ClientId) -> Result<Option<Client>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_client(&mut tx, tenant, id, ClientLock::Read).await
    }

    async fn create_user(
        &self,
        tenant: TenantId,
        new: crate::user::NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::user::User, StoreError> {
        let user = crate::user::User {
            id: crate::ids::UserId::new(),
            tenant_id: tenant,
            email: new.email,
            role: new.role,
            created_at: now,
            disabled_at: None,
            session_epoch: 0,
        };
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query(
            "INSERT INTO users (tenant_id, id, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.as_uuid())
        .bind(user.id.as_uuid())
        .bind(user.email.as_str())
        .bind(&new.password_hash)
        .bind(user.role.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
                "a user with e-mail {} already exists",
                user.email.as_str()
            )),
            _ => tenant_fk(e, tenant),
        })?;
        append(&mut tx, &records::user_created(&user, actor)).await?;
        tx.commit().await?;
        self.committed();
        Ok(user)
    }

    async fn user_credentials(
        &self,
        tenant: TenantId,
        email: &crate::user::Email,
    ) -> Result<Option<(crate::user::User, String)>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE tenant_id = $1 AND email = $2")
            .bind(tenant.as_uuid())
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(UserRow::into_domain)
            .transpose()
    }

    async fn user(
        &self,
        tenant: TenantId,
        id: crate::ids::UserId,
    ) -> Result<Option<crate::user::User>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let found =
            sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(&mut *tx)
                .await?
                .map(UserRow::into_domain)
                .transpose()?;
        Ok(found.map(|(user, _)| user))
    }

    async fn users(&self, tenant: TenantId) -> Result<Vec<crate::user::User>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, UserRow>(
            "SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| row.into_domain().map(|(user, _)| user))
        .collect()
    }

    async fn update_user(
        &self,
        tenant: TenantId,
        id: crate::ids::UserId,
        patch: crate::user::UserPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::user::User, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // The tenant's active owners are locked first (in id order, so two
        // changes cannot deadlock), then the user: two concurrent changes
        // cannot each count the other as the owner that remains.
        sqlx::query(
            "SELECT id FROM users WHERE tenant_id = $1 AND role = 'owner' \
             AND disabled_at IS NULL ORDER BY id FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        let (before, _) = sqlx::query_as::<_, UserRow>(
            "SELECT * FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await?
        .map(UserRow::into_domain)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("user", id))?;
        let Some(after) = records::user_change(&before, &patch, now) else {
            return Ok(before);
        };
        if records::removes_an_owner(&before, &after) {
            let (others,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM users WHERE tenant_id = $1 AND id <> $2 \
                 AND role = 'owner' AND disabled_at IS NULL",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
            records::keeps_an_owner(others)?;
        }
        sqlx::query(
            "UPDATE users SET role = $1, disabled_at = $2, session_epoch = $3, \
             password_hash = coalesce($4, password_hash) WHERE tenant_id = $5 AND id = $6",
        )
        .bind(after.role.as_str())
        .bind(after.disabled_at)
        .bind(after.session_epoch)
        .bind(patch.password_hash.as_deref())
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &records::user_updated(&before, &after, &patch, actor, now),
        )
        .await?;
        // Ended sessions hold no locks: each is released (with its event, so
        // that other administrators see it go), in the same transaction.
        if after.session_epoch != before.session_epoch {
            let held = sqlx::query_as::<_, LockRow>(
                "SELECT * FROM locks WHERE tenant_id = $1 AND holder_actor = $2 ORDER BY id",
            )
            .bind(tenant.as_uuid())
            .bind(Actor::User(id).to_string())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(LockRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
            for lock in &held {
                end_lock(&mut tx, lock, lock.expires_at <= now, actor, now).await?;
            }
        }
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn insert_reservation(
        &self,
        tenant: TenantId,
        new: NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError> {
        match self.try_insert(tenant, &new, actor).await {
            // A concurrent request with the same key committed first: answer as
            // its retry would be answered.
            Err(StoreError::Database(e)) if violated_constraint(&e) == Some(IDEMPOTENCY_INDEX) => {
                let key = new
                    .idempotency_key
                    .as_ref()
                    .ok_or(StoreError::Database(e))?;
                let mut tx = self.begin_tenant(tenant).await?;
                let existing = fetch_by_key(&mut tx, tenant, key)
                    .await?
                    .ok_or_else(|| StoreError::not_found("reservation", key.as_str()))?;
                Ok(Inserted {
                    reservation: records::replay(existing, records::fingerprint(&new))?,
                    created: false,
                })
            }
            other => other,
        }
    }

    async fn change_reservation(
        &self,
        tenant: TenantId,
        change: PeriodChange,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let before = fetch_reservation(&mut tx, tenant, change.id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("reservation", change.id))?;
        let (after, record) = records::apply_change(&before, &change, actor)?;
        let unit = bookable_unit(&mut tx, tenant, after.unit_id).await?;
        let session = change.session.as_ref();
        ensure_unlocked(
            &mut tx,
            tenant,
            session,
            before.unit_id,
            &before.occupied,
            Some(before.id),
            change.now,
        )
        .await?;
        ensure_unlocked(
            &mut tx,
            tenant,
            session,
            after.unit_id,
            &after.occupied,
            Some(after.id),
            change.now,
        )
        .await?;
        ensure_capacity(
            &mut tx,
            tenant,
            &unit,
            &after.occupied,
            after.quantity.get(),
            Some(after.id),
        )
        .await?;
        write_reservation(&mut tx, &after, false, Some(unit.inventory.get() == 1)).await?;
        consume_lock(
            &mut tx,
            tenant,
            change.consume_lock,
            session,
            actor,
            change.now,
        )
        .await?;
        append(&mut tx, &record).await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn transition_reservation(
        &self,
        tenant: TenantId,
        transition: Transition,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let before = fetch_reservation(&mut tx, tenant, transition.id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("reservation", transition.id))?;
        let (after, record) = records::apply_transition(&before, &transition, actor)?;
        ensure_unlocked(
            &mut tx,
            tenant,
            transition.session.as_ref(),
            before.unit_id,
            &before.occupied,
            Some(before.id),
            transition.now,
        )
        .await?;
        write_reservation(&mut tx, &after, false, None).await?;
        append(&mut tx, &record).await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn reservation(
        &self,
        tenant: TenantId,
        id: ReservationId,
    ) -> Result<Option<Reservation>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_reservation(&mut tx, tenant, id, false).await
    }

    async fn reservation_by_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
    ) -> Result<Option<Reservation>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_by_key(&mut tx, tenant, key).await
    }

    async fn reservations(
        &self,
        tenant: TenantId,
        filter: &ReservationFilter,
    ) -> Result<Vec<Reservation>, StoreError> {
        let mut qb = QueryBuilder::<Postgres>::new(format!(
            "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE tenant_id = "
        ));
        qb.push_bind(tenant.as_uuid());
        if let Some(unit) = filter.unit_id {
            qb.push(" AND unit_id = ").push_bind(unit.as_uuid());
        }
        if let Some(client) = filter.client_id {
            qb.push(" AND client_id = ").push_bind(client.as_uuid());
        }
        if let Some(pattern) = records::contains_pattern(filter.client_search.as_deref()) {
            qb.push(" AND client_id IN (SELECT id FROM clients WHERE tenant_id = ")
                .push_bind(tenant.as_uuid())
                .push(" AND (lower(name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(coalesce(phone, '')) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\'))");
        }
        if !filter.states.is_empty() {
            qb.push(" AND state IN (");
            let mut states = qb.separated(", ");
            for state in &filter.states {
                states.push_bind(state.as_str());
            }
            states.push_unseparated(")");
        }
        if let Some(at) = filter.hold_expired_by {
            qb.push(" AND hold_expires_at <= ").push_bind(at);
        }
        if let Some(at) = filter.started_by {
            qb.push(" AND start_at <= ").push_bind(at);
        }
        if let Some(after) = filter.after {
            qb.push(" AND id > ").push_bind(after.as_uuid());
        }
        if let Some(range) = &filter.overlapping {
            qb.push(" AND start_at < ").push_bind(range.end());
            qb.push(" AND end_at > ").push_bind(range.start());
        }
        qb.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(filter.limit.unwrap_or(100).min(1000)));
        let mut tx = self.begin_tenant(tenant).await?;
        qb.build_query_as::<ReservationRow>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(ReservationRow::into_domain)
            .collect()
    }

    async fn occupancy(
        &self,
        tenant: TenantId,
        units: &[UnitId],
        range: &TimeRange,
    ) -> Result<Vec<Occupancy>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT unit_id, occupied_start, occupied_end, quantity, id FROM reservations \
             WHERE state IN ('held', 'confirmed', 'checked_in') AND tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND occupied_start < ").push_bind(range.end());
        qb.push(" AND occupied_end > ").push_bind(range.start());
        qb.push(" AND unit_id IN (");
        let mut ids = qb.separated(", ");
        for unit in units {
            ids.push_bind(unit.as_uuid());
        }
        ids.push_unseparated(")");
        // Calendar blocks, each taking its unit's whole inventory.
        qb.push(
            " UNION ALL SELECT b.unit_id, b.start_at, b.end_at, u.inventory, NULL \
             FROM calendar_blocks b JOIN units u ON u.tenant_id = b.tenant_id AND u.id = b.unit_id \
             WHERE b.tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND b.start_at < ").push_bind(range.end());
        qb.push(" AND b.end_at > ").push_bind(range.start());
        qb.push(" AND b.unit_id IN (");
        let mut ids = qb.separated(", ");
        for unit in units {
            ids.push_bind(unit.as_uuid());
        }
        ids.push_unseparated(")");
        let mut tx = self.begin_tenant(tenant).await?;
        qb.build_query_as::<(Uuid, DateTime<Utc>, DateTime<Utc>, i64, Option<Uuid>)>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(unit, start, end, quantity, reservation)| {
                Ok(Occupancy {
                    unit_id: UnitId::from_uuid(unit),
                    occupied: TimeRange::new(start, end).map_err(StoreError::corrupt)?,
                    quantity: u32::try_from(quantity).map_err(StoreError::corrupt)?,
                    reservation: reservation.map(ReservationId::from_uuid),
                })
            })
            .collect()
    }

    async fn acquire_lock(
        &self,
        tenant: TenantId,
        new: NewLock,
        actor: &Actor,
    ) -> Result<Lock, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // The unit row is the serialization point of locks and bookings alike.
        locked_unit(&mut tx, tenant, new.unit_id).await?;
        let held = live_locks(
            &mut tx,
            tenant,
            Some(new.unit_id),
            new.reservation_id,
            new.now,
        )
        .await?;
        records::first_blocking(
            held,
            Some(&new.holder.session),
            new.unit_id,
            new.range.as_ref(),
            new.reservation_id,
            new.now,
        )?;
        let lock = Lock {
            id: LockId::new(),
            tenant_id: tenant,
            unit_id: new.unit_id,
            range: new.range,
            reservation_id: new.reservation_id,
            holder: new.holder,
            acquired_at: new.now,
            expires_at: new.expires_at,
        };
        sqlx::query(
            "INSERT INTO locks (tenant_id, id, unit_id, range_start, range_end, reservation_id, \
               holder_actor, holder_name, session_id, acquired_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(tenant.as_uuid())
        .bind(lock.id.as_uuid())
        .bind(lock.unit_id.as_uuid())
        .bind(lock.range.map(|r| r.start()))
        .bind(lock.range.map(|r| r.end()))
        .bind(lock.reservation_id.map(|r| r.as_uuid()))
        .bind(lock.holder.actor.to_string())
        .bind(&lock.holder.display_name)
        .bind(lock.holder.session.as_str())
        .bind(lock.acquired_at)
        .bind(lock.expires_at)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &records::lock_changed(&lock, "acquire", EventKind::LockAcquired, actor, new.now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(lock)
    }

    async fn renew_lock(
        &self,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        expires_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let mut lock = own_lock(&mut tx, tenant, id, session, now).await?;
        lock.expires_at = expires_at;
        sqlx::query("UPDATE locks SET expires_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(expires_at)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &records::lock_changed(&lock, "renew", EventKind::LockRenewed, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(lock)
    }

    async fn release_lock(
        &self,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let lock = own_lock(&mut tx, tenant, id, session, now).await?;
        end_lock(&mut tx, &lock, false, actor, now).await?;
        tx.commit().await?;
        self.committed();
        Ok(lock)
    }

    async fn release_session_locks(
        &self,
        tenant: TenantId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let locks = sqlx::query_as::<_, LockRow>(
            "SELECT * FROM locks WHERE tenant_id = $1 AND session_id = $2 ORDER BY id FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .bind(session.as_str())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(LockRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
        if locks.is_empty() {
            return Ok(locks);
        }
        for lock in &locks {
            end_lock(&mut tx, lock, lock.expires_at <= now, actor, now).await?;
        }
        tx.commit().await?;
        self.committed();
        Ok(locks)
    }

    async fn locks(&self, tenant: TenantId, now: DateTime<Utc>) -> Result<Vec<Lock>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        live_locks(&mut tx, tenant, None, None, now).await
    }

    async fn expire_locks(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let locks = sqlx::query_as::<_, LockRow>(
            "SELECT * FROM locks WHERE tenant_id = $1 AND expires_at <= $2 ORDER BY id \
             FOR UPDATE SKIP LOCKED",
        )
        .bind(tenant.as_uuid())
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(LockRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
        if locks.is_empty() {
            return Ok(locks);
        }
        for lock in &locks {
            end_lock(&mut tx, lock, true, &Actor::System, now).await?;
        }
        tx.commit().await?;
        self.committed();
        Ok(locks)
    }

    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        let mut tx = self.begin_tenant(entry.tenant_id).await?;
        append_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut qb = records::audit_log_query(tenant, filter, after, limit, |t| t);
        let mut tx = self.begin_tenant(tenant).await?;
        let rows: Vec<AuditRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| row.into_domain(tenant))
            .collect()
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        self.select_events(tenant, after, None, limit).await
    }

    async fn events_of_kinds_after(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: &[crate::event::EventKind],
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        self.select_events(tenant, after, Some(kinds), limit).await
    }

    async fn event_count(&self, tenant: TenantId) -> Result<u64, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE tenant_id = $1")
            .bind(tenant.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        u64::try_from(n).map_err(StoreError::corrupt)
    }

    async fn latest_event_cursor(&self, tenant: TenantId) -> Result<EventCursor, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT txid::text::bigint, seq FROM events \
             WHERE tenant_id = $1 AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
             ORDER BY txid DESC, seq DESC LIMIT 1",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.map_or(EventCursor::START, |(txid, seq)| EventCursor { txid, seq }))
    }

    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }
}

/// A foreign-key failure on a tenant-scoped insert means the tenant is unknown.
fn tenant_fk(e: sqlx::Error, tenant: TenantId) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found("tenant", tenant)
        }
        _ => StoreError::Database(e),
    }
}

/// A tenant by id, on any connection (the pool's, or a transaction's).
async fn fetch_tenant(conn: &mut PgConnection, id: TenantId) -> Result<Option<Tenant>, StoreError> {
    sqlx::query_as::<_, TenantRow>("SELECT * FROM tenants WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(TenantRow::into_domain)
        .transpose()
}

/// [`tenant_fk`] for errors already wrapped as store errors.
fn unknown_tenant(e: StoreError, tenant: TenantId) -> StoreError {
    match e {
        StoreError::Database(db) => tenant_fk(db, tenant),
        other => other,
    }
}

/// An event as `select_events` reads it: txid, seq, id, kind, entity, payload, at.
type EventRow = (
    i64,
    i64,
    Uuid,
    String,
    Uuid,
    Json<serde_json::Value>,
    DateTime<Utc>,
);

impl PostgresStore {
    /// The tenant's events after `after` (of `kinds` only, when given), in
    /// stream order: only transactions older than every running one, none of
    /// which can still add an event below a position read here (see
    /// `EventCursor`).
    async fn select_events(
        &self,
        tenant: TenantId,
        after: EventCursor,
        kinds: Option<&[crate::event::EventKind]>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError> {
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT txid::text::bigint, seq, id, kind, entity_id, payload, at FROM events \
             WHERE tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid())
            .push(" AND (txid, seq) > (")
            .push_bind(after.txid.to_string())
            .push("::text::xid8, ")
            .push_bind(after.seq)
            .push(") AND txid < pg_snapshot_xmin(pg_current_snapshot())");
        if let Some(kinds) = kinds {
            qb.push(" AND kind IN (");
            let mut list = qb.separated(", ");
            for kind in kinds {
                list.push_bind(kind.as_str());
            }
            list.push_unseparated(")");
        }
        qb.push(" ORDER BY txid, seq LIMIT ")
            .push_bind(i64::from(limit));
        let mut tx = self.begin_tenant(tenant).await?;
        let rows: Vec<EventRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
        rows.into_iter()
            .map(|(txid, seq, id, kind, entity_id, payload, at)| {
                Ok(Event {
                    cursor: EventCursor { txid, seq },
                    id: EventId::from_uuid(id),
                    tenant_id: tenant,
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                    entity_id,
                    payload: payload.0,
                    at,
                })
            })
            .collect()
    }
}

#[async_trait]
impl super::sql::SqlStore for PostgresStore {
    type Db = Postgres;
    type Reader = sqlx::Transaction<'static, Postgres>;

    fn sql_pool(&self) -> &PgPool {
        &self.pool
    }

    fn secrets(&self) -> Option<&crate::secret_box::SecretBox> {
        self.secrets.as_deref()
    }

    async fn write(
        &self,
        tenant: TenantId,
    ) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        self.begin_tenant(tenant).await
    }

    async fn write_global(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    async fn read(&self, tenant: TenantId) -> Result<Self::Reader, StoreError> {
        self.begin_tenant(tenant).await
    }

    fn announce(&self) {
        self.committed();
    }

    async fn unit_for_change(
        conn: &mut PgConnection,
        tenant: TenantId,
        unit: UnitId,
    ) -> Result<Unit, StoreError> {
        locked_unit(conn, tenant, unit).await
    }

    async fn tenant_for_change(
        conn: &mut PgConnection,
        tenant: TenantId,
    ) -> Result<(), StoreError> {
        let locked: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM tenants WHERE id = $1 FOR UPDATE")
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *conn)
                .await?;
        match locked {
            Some(_) => Ok(()),
            None => Err(StoreError::not_found("tenant", tenant)),
        }
    }

    async fn client_for_change(
        conn: &mut PgConnection,
        tenant: TenantId,
        client: ClientId,
    ) -> Result<Option<Client>, StoreError> {
        fetch_client(conn, tenant, client, ClientLock::Update).await
    }

    async fn client_for_booking(
        conn: &mut PgConnection,
        tenant: TenantId,
        client: ClientId,
    ) -> Result<Option<Client>, StoreError> {
        fetch_client(conn, tenant, client, ClientLock::Share).await
    }

    async fn reservation_for_change(
        conn: &mut PgConnection,
        tenant: TenantId,
        reservation: ReservationId,
    ) -> Result<Option<Reservation>, StoreError> {
        fetch_reservation(conn, tenant, reservation, true).await
    }

    async fn update_reservation(
        conn: &mut PgConnection,
        reservation: &Reservation,
    ) -> Result<(), StoreError> {
        write_reservation(conn, reservation, false, None).await
    }

    async fn write_client(conn: &mut PgConnection, client: &Client) -> Result<(), StoreError> {
        write_client(conn, client).await
    }

    async fn ensure_unlocked(
        conn: &mut PgConnection,
        tenant: TenantId,
        session: Option<&SessionId>,
        unit: UnitId,
        range: &TimeRange,
        reservation: Option<ReservationId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        ensure_unlocked(conn, tenant, session, unit, range, reservation, now).await
    }

    async fn append(conn: &mut PgConnection, record: &ChangeRecord) -> Result<(), StoreError> {
        append(conn, record).await
    }
}
