//! Reservations for both databases, written once. Every statement of the
//! booking path is a `&'static str`; what differs is chosen at compile time
//! ([`Dialect::ROW_LOCKS`], [`Dialect::EXCLUSION`],
//! [`Dialect::BOOKING_FUNCTION`]: on PostgreSQL a booking is first offered to
//! the `berth_book` function of migration 0031 (as replaced by 0032), one
//! round trip, and runs the statements below only when that function leaves
//! it to them). Both check capacity the same way: the sum of what overlaps
//! first, the sweep only when that sum leaves no room (docs/decisions/0181).

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use sqlx::QueryBuilder;
use sqlx::types::Json;
use uuid::Uuid;

use crate::audit::Actor;
use crate::capacity;
use crate::ids::{ReservationId, TenantId, UnitId};
use crate::reservation::{IdempotencyKey, Reservation};
use crate::store::clients::{ClientLock, Clients};
use crate::store::locks::Locks;
use crate::store::records::{
    apply_change, apply_transition, bookable_client, contains_pattern, fingerprint,
    new_reservation, replay, reservation_created,
};
use crate::store::reservations::ReservationStore;
use crate::store::rows::ReservationRow;
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::units::Units;
use crate::store::{
    ClientRef, Inserted, NewReservation, Occupancy, PeriodChange, ReservationFilter, StoreError,
    Transition,
};
use crate::time_range::TimeRange;
use crate::unit::Unit;

/// The exclusion constraint guarding units of inventory 1 (PostgreSQL; see
/// the migration).
const EXCLUSIVE_CONSTRAINT: &str = "reservations_exclusive_no_overlap";
/// The unique index behind idempotency keys.
const IDEMPOTENCY_INDEX: &str = "reservations_idempotency_key";

/// The name of the constraint a database error violated, if any (PostgreSQL
/// names it; SQLite does not).
fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}

/// Occupied intervals and quantities as stored, decoded.
pub(crate) fn loads<T: StoredInstant>(
    rows: Vec<(T, T, i64)>,
) -> Result<Vec<(TimeRange, u32)>, StoreError> {
    rows.into_iter()
        .map(|(s, e, q)| {
            let range = TimeRange::new(s.instant()?, e.instant()?).map_err(StoreError::corrupt)?;
            Ok((range, u32::try_from(q).map_err(StoreError::corrupt)?))
        })
        .collect()
}

/// `SELECT` of a [`ReservationRow`] `WHERE $where`.
macro_rules! select_reservation {
    ($where:literal) => {
        concat!(
            "SELECT ",
            crate::store::rows::reservation_columns!(),
            " FROM reservations WHERE ",
            $where
        )
    };
}

/// What takes capacity on unit `$2` of tenant `$1` during `[$4, $3)`: the
/// active reservations other than `$5`, and the calendar blocks, each taking
/// the whole inventory (`$6`) — `(occupied_start, occupied_end, quantity)`.
macro_rules! taken_sql {
    () => {
        "SELECT occupied_start, occupied_end, quantity FROM reservations \
         WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('held', 'confirmed', 'checked_in') \
           AND occupied_start < $3 AND occupied_end > $4 AND id IS DISTINCT FROM $5 \
         UNION ALL \
         SELECT start_at, end_at, $6 FROM calendar_blocks \
         WHERE tenant_id = $1 AND unit_id = $2 AND start_at < $3 AND end_at > $4"
    };
}

/// `taken_sql!`'s parameters bound in its order (`$1`–`$6`).
macro_rules! bind_taken {
    ($db:ty, $query:expr, $tenant:expr, $unit:expr, $occupied:expr, $except:expr, $inventory:expr) => {{
        let occupied: &TimeRange = $occupied;
        $query
            .bind($tenant.as_uuid())
            .bind($unit.id.as_uuid())
            .bind(<$db>::stamp(occupied.end()))
            .bind(<$db>::stamp(occupied.start()))
            .bind($except.map(|id| id.as_uuid()))
            .bind(i64::from($inventory))
    }};
}

/// A reservation's row written: the columns both databases have (`$1`–`$25`),
/// then PostgreSQL's `exclusive` marker (`$26`; on an update, none keeps it).
macro_rules! write_sql {
    (insert $columns:literal, $values:literal) => {
        concat!(
            "INSERT INTO reservations (unit_id, client_id, state, start_at, end_at, \
               occupied_start, occupied_end, check_in, check_out, quantity, guests, price, \
               price_total_minor, currency, channel, idempotency_key, notes, hold_expires_at, \
               version, created_at, updated_at, tenant_id, id, refund, policy_override",
            $columns,
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
               $17, $18, $19, $20, $21, $22, $23, $24, $25",
            $values,
            ")"
        )
    };
    (update $set:literal) => {
        concat!(
            "UPDATE reservations SET unit_id = $1, client_id = $2, state = $3, start_at = $4, \
               end_at = $5, occupied_start = $6, occupied_end = $7, check_in = $8, \
               check_out = $9, quantity = $10, guests = $11, price = $12, \
               price_total_minor = $13, currency = $14, channel = $15, idempotency_key = $16, \
               notes = $17, hold_expires_at = $18, version = $19, created_at = $20, \
               updated_at = $21, refund = $24, policy_override = $25",
            $set,
            " WHERE tenant_id = $22 AND id = $23"
        )
    };
}

/// A reservation's columns bound in `write_sql!`'s order (`$1`–`$25`).
macro_rules! bind_row {
    ($db:ty, $query:expr, $r:expr) => {{
        let r: &Reservation = $r;
        $query
            .bind(r.unit_id.as_uuid())
            .bind(r.client_id.map(|c| c.as_uuid()))
            .bind(r.state.as_str())
            .bind(<$db>::stamp(r.period.start()))
            .bind(<$db>::stamp(r.period.end()))
            .bind(<$db>::stamp(r.occupied.start()))
            .bind(<$db>::stamp(r.occupied.end()))
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
            .bind(r.hold_expires_at.map(<$db>::stamp))
            .bind(r.version)
            .bind(<$db>::stamp(r.created_at))
            .bind(<$db>::stamp(r.updated_at))
            .bind(r.tenant_id.as_uuid())
            .bind(r.id.as_uuid())
            .bind(r.refund.as_ref().map(Json))
            .bind(r.policy_override.as_ref().map(Json))
    }};
}

/// The call of PostgreSQL's booking function (migrations 0031, 0032): the
/// reservation's columns as `write_sql!` binds them (`$1`–`$25`, the tenant
/// moved first), then the instant the locks are checked at, the audit entry
/// and the event.
const BOOK_CALL: &str = "SELECT berth_book($22, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $23, $24, $25, $26, $27, $28, $29, $30, \
     $31, $32, $33, $34, $35, $36)";

/// What the booking function answered.
const BOOK_CREATED: &str = "created";
const BOOK_UNAVAILABLE: &str = "unavailable";
const BOOK_STATEMENTS: &str = "statements";

/// The reservation queries, on the database `DB`.
pub(crate) struct Reservations<DB>(PhantomData<DB>);

#[each_database]
impl Reservations<DB> {
    /// A reservation; with `for_update`, PostgreSQL keeps its row locked until
    /// the transaction ends.
    pub(crate) async fn fetch(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: ReservationId,
        for_update: bool,
    ) -> Result<Option<Reservation>, StoreError> {
        let sql = if for_update && DB::ROW_LOCKS {
            select_reservation!("tenant_id = $1 AND id = $2 FOR UPDATE")
        } else {
            select_reservation!("tenant_id = $1 AND id = $2")
        };
        sqlx::query_as::<DB, ReservationRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?
            .map(ReservationRow::into_domain)
            .transpose()
    }

    /// The reservation created with this idempotency key.
    async fn by_key(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        key: &IdempotencyKey,
    ) -> Result<Option<Reservation>, StoreError> {
        sqlx::query_as::<DB, ReservationRow<Instant<DB>>>(select_reservation!(
            "tenant_id = $1 AND idempotency_key = $2"
        ))
        .bind(tenant.as_uuid())
        .bind(key.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(ReservationRow::into_domain)
        .transpose()
    }

    /// Inserts (`exclusive` given) or updates a reservation's row. `exclusive`
    /// marks rows of inventory-1 units for PostgreSQL's exclusion constraint
    /// (whose violation is UNAVAILABLE); `None` on an update keeps the stored
    /// flag.
    pub(crate) async fn write(
        conn: &mut Conn<DB>,
        r: &Reservation,
        insert: bool,
        exclusive: Option<bool>,
    ) -> Result<(), StoreError> {
        let sql = match (insert, DB::EXCLUSION) {
            (true, true) => write_sql!(insert ", exclusive", ", COALESCE($26, false)"),
            (true, false) => write_sql!(insert "", ""),
            (false, true) => write_sql!(update ", exclusive = COALESCE($26, exclusive)"),
            (false, false) => write_sql!(update ""),
        };
        let query = bind_row!(DB, sqlx::query(sql), r);
        let query = if DB::EXCLUSION {
            query.bind(exclusive)
        } else {
            query
        };
        query.execute(&mut *conn).await.map_err(|e| {
            if violated_constraint(&e) == Some(EXCLUSIVE_CONSTRAINT) {
                StoreError::Unavailable { unit_id: r.unit_id }
            } else {
                StoreError::Database(e)
            }
        })?;
        Ok(())
    }

    /// Refuses the write unless `quantity` fits on the unit during `occupied`,
    /// ignoring the reservation `except` (the one being changed). First the
    /// sum of every quantity overlapping `occupied` (one aggregate row): it
    /// bounds the peak load from above, so when it leaves room the write fits.
    /// Only when it does not — near capacity, or where the overlapping
    /// reservations do not all overlap one another — are their intervals read
    /// and swept ([`capacity::fits`]), which decides exactly.
    async fn ensure_capacity(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        unit: &Unit,
        occupied: &TimeRange,
        quantity: u32,
        except: Option<ReservationId>,
    ) -> Result<(), StoreError> {
        let inventory = unit.inventory.get();
        let sum = sqlx::query_scalar(concat!(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM (",
            taken_sql!(),
            ") AS taken"
        ));
        let bound: i64 = bind_taken!(DB, sum, tenant, unit, occupied, except, inventory)
            .fetch_one(&mut *conn)
            .await?;
        if bound.saturating_add(i64::from(quantity)) <= i64::from(inventory) {
            return Ok(());
        }
        let rows = sqlx::query_as(taken_sql!());
        let taken: Vec<(Instant<DB>, Instant<DB>, i64)> =
            bind_taken!(DB, rows, tenant, unit, occupied, except, inventory)
                .fetch_all(&mut *conn)
                .await?;
        if capacity::fits(loads(taken)?, occupied, quantity, inventory) {
            Ok(())
        } else {
            Err(StoreError::Unavailable { unit_id: unit.id })
        }
    }

    /// The original reservation of a retried idempotency key, if it is one.
    async fn retried(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        new: &NewReservation,
    ) -> Result<Option<Inserted>, StoreError> {
        let Some(key) = &new.idempotency_key else {
            return Ok(None);
        };
        match Self::by_key(conn, tenant, key).await? {
            Some(existing) => Ok(Some(Inserted {
                reservation: replay(existing, fingerprint(new))?,
                created: false,
            })),
            None => Ok(None),
        }
    }

    /// The booking as one call of the database's booking function
    /// ([`Dialect::BOOKING_FUNCTION`]; migration 0031 has what it does), when
    /// the database has one and the booking is one it can take: no new client
    /// to create, no lock to consume. `None` when the booking is left to the
    /// statements of [`Self::try_insert`] (nothing was written then): the
    /// function leaves them every case that is not a plain booking (a
    /// repeated idempotency key, a missing or archived unit, a live lock on
    /// the unit, a missing, blocked or archived client), so those are
    /// answered exactly as before. Its capacity refusal and a violated
    /// exclusion constraint are UNAVAILABLE, as from the statements.
    async fn in_one_call<S: SqlStore<Db = DB>>(
        store: &S,
        tenant: TenantId,
        new: &NewReservation,
        actor: &Actor,
    ) -> Result<Option<Inserted>, StoreError> {
        let client_id = match &new.client {
            _ if !DB::BOOKING_FUNCTION => return Ok(None),
            _ if new.consume_lock.is_some() && new.session.is_some() => return Ok(None),
            ClientRef::New(_) => return Ok(None),
            ClientRef::None => None,
            ClientRef::Existing(id) => Some(*id),
        };
        let reservation = new_reservation(tenant, client_id, new);
        let record = reservation_created(&reservation, actor);
        let a = &record.audit;
        let answer: String = bind_row!(DB, sqlx::query_scalar(BOOK_CALL), &reservation)
            .bind(DB::stamp(new.now))
            .bind(a.id.as_uuid())
            .bind(a.actor.to_string())
            .bind(&a.entity_type)
            .bind(&a.action)
            .bind(DB::stamp(a.at))
            .bind(&a.request_id)
            .bind(Json(&a.metadata))
            .bind(record.event_id.as_uuid())
            .bind(record.event_kind.as_str())
            .bind(Json(&record.event_payload))
            .fetch_one(store.sql_pool())
            .await
            .map_err(|e| {
                if violated_constraint(&e) == Some(EXCLUSIVE_CONSTRAINT) {
                    StoreError::Unavailable {
                        unit_id: new.unit_id,
                    }
                } else {
                    StoreError::Database(e)
                }
            })?;
        match answer.as_str() {
            BOOK_CREATED => {
                store.announce();
                Ok(Some(Inserted {
                    reservation,
                    created: true,
                }))
            }
            BOOK_UNAVAILABLE => Err(StoreError::Unavailable {
                unit_id: new.unit_id,
            }),
            BOOK_STATEMENTS => Ok(None),
            other => Err(StoreError::corrupt(format!(
                "the booking function answered `{other}`"
            ))),
        }
    }

    /// The booking transaction: idempotency lookup, the unit as the
    /// serialization point, locks, the client, the capacity check, the insert,
    /// the audit entry and the event — first offered to the database's booking
    /// function, in one round trip ([`Self::in_one_call`]).
    async fn try_insert<S: SqlStore<Db = DB>>(
        store: &S,
        tenant: TenantId,
        new: &NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError> {
        if let Some(inserted) = Self::in_one_call(store, tenant, new, actor).await? {
            return Ok(inserted);
        }
        let mut tx = store.write(tenant).await?;
        if let Some(retry) = Self::retried(&mut tx, tenant, new).await? {
            return Ok(retry);
        }
        let unit = Units::<DB>::bookable(&mut tx, tenant, new.unit_id).await?;
        // A request with the same key may have committed while this one waited
        // for the unit's row (PostgreSQL): its capacity would refuse this one,
        // which must be answered as a retry instead (read committed: this read
        // sees it). SQLite's writers are serialized: nothing committed meanwhile.
        if DB::ROW_LOCKS
            && let Some(retry) = Self::retried(&mut tx, tenant, new).await?
        {
            return Ok(retry);
        }
        let session = new.session.as_ref();
        Locks::<DB>::ensure_unlocked(
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
                let client = Clients::<DB>::fetch(&mut tx, tenant, *id, ClientLock::Share)
                    .await?
                    .ok_or_else(|| StoreError::not_found("client", id))?;
                bookable_client(&client)?;
                Some(client.id)
            }
            ClientRef::New(new_client) => Some(
                Clients::<DB>::insert(&mut tx, tenant, new_client.clone(), actor, new.now)
                    .await?
                    .id,
            ),
        };
        Self::ensure_capacity(
            &mut tx,
            tenant,
            &unit,
            &new.occupied,
            new.quantity.get(),
            None,
        )
        .await?;
        let reservation = new_reservation(tenant, client_id, new);
        let exclusive = unit.inventory.get() == 1;
        Self::write(&mut tx, &reservation, true, Some(exclusive)).await?;
        Locks::<DB>::consume(&mut tx, tenant, new.consume_lock, session, actor, new.now).await?;
        Journal::<DB>::append(&mut tx, &reservation_created(&reservation, actor)).await?;
        tx.commit().await?;
        store.announce();
        Ok(Inserted {
            reservation,
            created: true,
        })
    }
}

#[each_database]
#[async_trait]
impl ReservationStore for DbStore {
    async fn insert_reservation(
        &self,
        tenant: TenantId,
        new: NewReservation,
        actor: &Actor,
    ) -> Result<Inserted, StoreError> {
        match Reservations::<DB>::try_insert(self, tenant, &new, actor).await {
            // A concurrent request with the same key committed first (PostgreSQL):
            // answer as its retry would be answered.
            Err(StoreError::Database(e)) if violated_constraint(&e) == Some(IDEMPOTENCY_INDEX) => {
                let key = new
                    .idempotency_key
                    .as_ref()
                    .ok_or(StoreError::Database(e))?;
                let mut conn = self.read(tenant).await?;
                Reservations::<DB>::retried(&mut conn, tenant, &new)
                    .await?
                    .ok_or_else(|| StoreError::not_found("reservation", key.as_str()))
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
        let mut tx = self.write(tenant).await?;
        let before = Reservations::<DB>::fetch(&mut tx, tenant, change.id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("reservation", change.id))?;
        let (after, record) = apply_change(&before, &change, actor)?;
        let unit = Units::<DB>::bookable(&mut tx, tenant, after.unit_id).await?;
        let session = change.session.as_ref();
        Locks::<DB>::ensure_unlocked(
            &mut tx,
            tenant,
            session,
            before.unit_id,
            &before.occupied,
            Some(before.id),
            change.now,
        )
        .await?;
        Locks::<DB>::ensure_unlocked(
            &mut tx,
            tenant,
            session,
            after.unit_id,
            &after.occupied,
            Some(after.id),
            change.now,
        )
        .await?;
        Reservations::<DB>::ensure_capacity(
            &mut tx,
            tenant,
            &unit,
            &after.occupied,
            after.quantity.get(),
            Some(after.id),
        )
        .await?;
        Reservations::<DB>::write(&mut tx, &after, false, Some(unit.inventory.get() == 1)).await?;
        Locks::<DB>::consume(
            &mut tx,
            tenant,
            change.consume_lock,
            session,
            actor,
            change.now,
        )
        .await?;
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn transition_reservation(
        &self,
        tenant: TenantId,
        transition: Transition,
        actor: &Actor,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Reservations::<DB>::fetch(&mut tx, tenant, transition.id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("reservation", transition.id))?;
        let (after, record) = apply_transition(&before, &transition, actor)?;
        Locks::<DB>::ensure_unlocked(
            &mut tx,
            tenant,
            transition.session.as_ref(),
            before.unit_id,
            &before.occupied,
            Some(before.id),
            transition.now,
        )
        .await?;
        Reservations::<DB>::write(&mut tx, &after, false, None).await?;
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn reservation(
        &self,
        tenant: TenantId,
        id: ReservationId,
    ) -> Result<Option<Reservation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Reservations::<DB>::fetch(&mut conn, tenant, id, false).await
    }

    async fn reservation_by_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
    ) -> Result<Option<Reservation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Reservations::<DB>::by_key(&mut conn, tenant, key).await
    }

    async fn reservations(
        &self,
        tenant: TenantId,
        filter: &ReservationFilter,
    ) -> Result<Vec<Reservation>, StoreError> {
        let mut qb = QueryBuilder::<DB>::new(concat!(
            "SELECT ",
            crate::store::rows::reservation_columns!(),
            " FROM reservations WHERE tenant_id = "
        ));
        qb.push_bind(tenant.as_uuid());
        if let Some(unit) = filter.unit_id {
            qb.push(" AND unit_id = ").push_bind(unit.as_uuid());
        }
        if let Some(client) = filter.client_id {
            qb.push(" AND client_id = ").push_bind(client.as_uuid());
        }
        if let Some(pattern) = contains_pattern(filter.client_search.as_deref()) {
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
            qb.push(" AND hold_expires_at <= ").push_bind(DB::stamp(at));
        }
        if let Some(at) = filter.started_by {
            qb.push(" AND start_at <= ").push_bind(DB::stamp(at));
        }
        if let Some(after) = filter.after {
            qb.push(" AND id > ").push_bind(after.as_uuid());
        }
        if let Some(range) = &filter.overlapping {
            qb.push(" AND start_at < ")
                .push_bind(DB::stamp(range.end()));
            qb.push(" AND end_at > ")
                .push_bind(DB::stamp(range.start()));
        }
        qb.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(filter.limit.unwrap_or(100).min(1000)));
        let mut conn = self.read(tenant).await?;
        qb.build_query_as::<ReservationRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
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
        let mut qb = QueryBuilder::<DB>::new(
            "SELECT unit_id, occupied_start, occupied_end, quantity, id FROM reservations \
             WHERE state IN ('held', 'confirmed', 'checked_in') AND tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND occupied_start < ")
            .push_bind(DB::stamp(range.end()));
        qb.push(" AND occupied_end > ")
            .push_bind(DB::stamp(range.start()));
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
        qb.push(" AND b.start_at < ")
            .push_bind(DB::stamp(range.end()));
        qb.push(" AND b.end_at > ")
            .push_bind(DB::stamp(range.start()));
        qb.push(" AND b.unit_id IN (");
        let mut ids = qb.separated(", ");
        for unit in units {
            ids.push_bind(unit.as_uuid());
        }
        ids.push_unseparated(")");
        let mut conn = self.read(tenant).await?;
        qb.build_query_as::<(Uuid, Instant<DB>, Instant<DB>, i64, Option<Uuid>)>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(unit, start, end, quantity, reservation)| {
                Ok(Occupancy {
                    unit_id: UnitId::from_uuid(unit),
                    occupied: TimeRange::new(start.instant()?, end.instant()?)
                        .map_err(StoreError::corrupt)?,
                    quantity: u32::try_from(quantity).map_err(StoreError::corrupt)?,
                    reservation: reservation.map(ReservationId::from_uuid),
                })
            })
            .collect()
    }
}
