//! Locks for both databases, written once. Each write takes the unit first
//! ([`SqlStore::unit_for_change`]: SQLite's write lock, PostgreSQL's
//! `FOR NO KEY UPDATE` on the unit's row, as bookings do), so a lock and a
//! booking of one unit never interleave. PostgreSQL also keeps the lock rows a
//! write ends locked (`FOR UPDATE`; expiry skips rows another transaction
//! holds); SQLite's writers are serialized already.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::event::EventKind;
use crate::ids::{LockId, ReservationId, TenantId, UnitId};
use crate::lock::{Lock, NewLock, SessionId};
use crate::store::StoreError;
use crate::store::locks::LockStore;
use crate::store::records::{first_blocking, lock_changed};
use crate::store::rows::LockRow;
use crate::store::sql::{Affected, Conn, Dialect, Instant, Journal, SqlStore, locking};
use crate::store::units::Units;
use crate::time_range::TimeRange;

/// The lock queries, on the database `DB`.
pub(crate) struct Locks<DB>(PhantomData<DB>);

#[each_database]
impl Locks<DB> {
    /// The live locks on `unit` or on `reservation` at `now` (all of the
    /// tenant's when both are `None`).
    pub(crate) async fn live(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        unit: Option<UnitId>,
        reservation: Option<ReservationId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        let unit = unit.map(|u| u.as_uuid());
        let reservation = reservation.map(|r| r.as_uuid());
        Self::rows(
            sqlx::query_as(
                "SELECT * FROM locks WHERE tenant_id = $1 AND expires_at > $2 \
                   AND (unit_id = $3 OR reservation_id = $4 OR ($5 IS NULL AND $6 IS NULL)) \
                 ORDER BY id",
            )
            .bind(tenant.as_uuid())
            .bind(DB::stamp(now))
            .bind(unit)
            .bind(reservation)
            .bind(unit)
            .bind(reservation)
            .fetch_all(&mut *conn)
            .await?,
        )
    }

    fn rows(rows: Vec<LockRow<Instant<DB>>>) -> Result<Vec<Lock>, StoreError> {
        rows.into_iter().map(LockRow::into_domain).collect()
    }

    /// Refuses (LOCKED) a write by `session` to `unit` over `range` (or to
    /// `reservation`) while another session holds a live lock on it.
    pub(crate) async fn ensure_unlocked(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        session: Option<&SessionId>,
        unit: UnitId,
        range: &TimeRange,
        reservation: Option<ReservationId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let locks = Self::live(conn, tenant, Some(unit), reservation, now).await?;
        first_blocking(locks, session, unit, Some(range), reservation, now)
    }

    /// A live lock of `session` by id (its row locked on PostgreSQL), or
    /// NOT_FOUND.
    async fn own(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: LockId,
        session: &SessionId,
        now: DateTime<Utc>,
    ) -> Result<Lock, StoreError> {
        sqlx::query_as::<DB, LockRow<Instant<DB>>>(locking!(
            DB,
            "SELECT * FROM locks \
             WHERE tenant_id = $1 AND id = $2 AND session_id = $3 AND expires_at > $4",
            " FOR UPDATE"
        ))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(session.as_str())
        .bind(DB::stamp(now))
        .fetch_optional(&mut *conn)
        .await?
        .map(LockRow::into_domain)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("lock", id))
    }

    /// Deletes a lock and records why (`release`, or `expire` when `expired`).
    pub(crate) async fn end(
        conn: &mut Conn<DB>,
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
        if deleted.affected() == 0 {
            // Another transaction ended it first and recorded that.
            return Ok(());
        }
        let (action, kind) = if expired {
            ("expire", EventKind::LockExpired)
        } else {
            ("release", EventKind::LockReleased)
        };
        Journal::<DB>::append(conn, &lock_changed(lock, action, kind, actor, now)).await
    }

    /// Releases `session`'s lock `id` as part of a write (the write consumes it).
    pub(crate) async fn consume(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: Option<LockId>,
        session: Option<&SessionId>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (Some(id), Some(session)) = (id, session) else {
            return Ok(());
        };
        let lock = Self::own(conn, tenant, id, session, now).await?;
        Self::end(conn, &lock, false, actor, now).await
    }

    /// Releases every lock `user` holds (their sessions ended), each with its
    /// event, so that other administrators see it go.
    pub(crate) async fn release_user(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        user: crate::ids::UserId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let held = Self::rows(
            sqlx::query_as(
                "SELECT * FROM locks WHERE tenant_id = $1 AND holder_actor = $2 ORDER BY id",
            )
            .bind(tenant.as_uuid())
            .bind(Actor::User(user).to_string())
            .fetch_all(&mut *conn)
            .await?,
        )?;
        Self::end_each(conn, &held, actor, now).await
    }

    /// Ends each of `locks` ([`Self::end`]): expired when its lease ended by
    /// `now`, else released.
    async fn end_each(
        conn: &mut Conn<DB>,
        locks: &[Lock],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for lock in locks {
            Self::end(conn, lock, lock.expires_at <= now, actor, now).await?;
        }
        Ok(())
    }

    /// Ends `locks` in `tx` and commits it (nothing to commit when there are
    /// none); returns them.
    async fn end_all<S: SqlStore<Db = DB>>(
        store: &S,
        mut tx: sqlx::Transaction<'static, DB>,
        locks: Vec<Lock>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        if locks.is_empty() {
            return Ok(locks);
        }
        Self::end_each(&mut tx, &locks, actor, now).await?;
        tx.commit().await?;
        store.announce();
        Ok(locks)
    }
}

#[each_database]
#[async_trait]
impl LockStore for DbStore {
    async fn acquire_lock(
        &self,
        tenant: TenantId,
        new: NewLock,
        actor: &Actor,
    ) -> Result<Lock, StoreError> {
        let mut tx = self.write(tenant).await?;
        // The unit is the serialization point of locks and bookings alike.
        Units::<DB>::for_change(&mut tx, tenant, new.unit_id).await?;
        let held = Locks::<DB>::live(
            &mut tx,
            tenant,
            Some(new.unit_id),
            new.reservation_id,
            new.now,
        )
        .await?;
        first_blocking(
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
        .bind(lock.range.map(|r| DB::stamp(r.start())))
        .bind(lock.range.map(|r| DB::stamp(r.end())))
        .bind(lock.reservation_id.map(|r| r.as_uuid()))
        .bind(lock.holder.actor.to_string())
        .bind(&lock.holder.display_name)
        .bind(lock.holder.session.as_str())
        .bind(DB::stamp(lock.acquired_at))
        .bind(DB::stamp(lock.expires_at))
        .execute(&mut *tx)
        .await?;
        Journal::<DB>::append(
            &mut tx,
            &lock_changed(&lock, "acquire", EventKind::LockAcquired, actor, new.now),
        )
        .await?;
        tx.commit().await?;
        self.announce();
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
        let mut tx = self.write(tenant).await?;
        let mut lock = Locks::<DB>::own(&mut tx, tenant, id, session, now).await?;
        lock.expires_at = expires_at;
        sqlx::query("UPDATE locks SET expires_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(DB::stamp(expires_at))
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        Journal::<DB>::append(
            &mut tx,
            &lock_changed(&lock, "renew", EventKind::LockRenewed, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.announce();
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
        let mut tx = self.write(tenant).await?;
        let lock = Locks::<DB>::own(&mut tx, tenant, id, session, now).await?;
        Locks::<DB>::end(&mut tx, &lock, false, actor, now).await?;
        tx.commit().await?;
        self.announce();
        Ok(lock)
    }

    async fn release_session_locks(
        &self,
        tenant: TenantId,
        session: &SessionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        let mut tx = self.write(tenant).await?;
        let locks = Locks::<DB>::rows(
            sqlx::query_as(locking!(
                DB,
                "SELECT * FROM locks WHERE tenant_id = $1 AND session_id = $2 ORDER BY id",
                " FOR UPDATE"
            ))
            .bind(tenant.as_uuid())
            .bind(session.as_str())
            .fetch_all(&mut *tx)
            .await?,
        )?;
        Locks::<DB>::end_all(self, tx, locks, actor, now).await
    }

    async fn locks(&self, tenant: TenantId, now: DateTime<Utc>) -> Result<Vec<Lock>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Locks::<DB>::live(&mut conn, tenant, None, None, now).await
    }

    async fn expire_locks(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Lock>, StoreError> {
        let mut tx = self.write(tenant).await?;
        let locks = Locks::<DB>::rows(
            sqlx::query_as(locking!(
                DB,
                "SELECT * FROM locks WHERE tenant_id = $1 AND expires_at <= $2 ORDER BY id",
                " FOR UPDATE SKIP LOCKED"
            ))
            .bind(tenant.as_uuid())
            .bind(DB::stamp(now))
            .fetch_all(&mut *tx)
            .await?,
        )?;
        // Each was selected as ended by `now`: all are recorded as expired.
        Locks::<DB>::end_all(self, tx, locks, &Actor::System, now).await
    }
}
