//! [`PushStore`] for both databases, written once (docs/decisions/0148),
//! over the shared queries of [`Sql`] and the queue statements of
//! [`On`] (store/outbox.rs): a registration and an enqueue pass read the
//! event stream's position as [`Outbox`] keeps it (SQLite sequence numbers,
//! PostgreSQL transaction ids), and a claim leases deliveries (PostgreSQL
//! `FOR UPDATE SKIP LOCKED`). Row locks that only PostgreSQL takes are
//! [`Dialect::FOR_UPDATE`] / [`Dialect::FOR_NO_KEY_UPDATE`], empty on SQLite,
//! whose writers are serialized already. On PostgreSQL, every write that can
//! change the tenant's set of devices, and every enqueue pass, first locks
//! the tenant's row in `push_tenants` (registering inserts it, or takes it):
//! they take turns per tenant, so an enqueue pass starts from the position
//! the previous one stored and each event is queued once per device (the
//! unique key on (device, event) would refuse a second copy anyway), and the
//! last unregistration cannot drop the tenant from the worker's list while a
//! registration commits. Lock order: `push_tenants` row, then subscription,
//! then deliveries; a claim locks only deliveries. No cycle.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Duration, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    CandidateEvent, PushStore, Recipient, Removal, SETTINGS_COLUMNS, SettingsRow,
    UPSERT_SETTINGS_SQL, after_attempt, plan_pushes, registered, settings_from, settings_updated,
    unregistered,
};
use crate::audit::Actor;
use crate::event::{Event, EventCursor};
use crate::ids::{EventId, PushDeliveryId, PushSubscriptionId, TenantId, UserId};
use crate::push::{
    ClaimedPush, Enqueued, KEEP_FINISHED, MAX_ATTEMPTS, MAX_SUBSCRIPTIONS_PER_USER,
    NewPushSubscription, NotificationSettings, NotificationSettingsPatch, PushDelivery,
    PushEndpoint, PushKeys, PushNext, PushReport, PushSubscription,
};
use crate::store::StoreError;
use crate::store::outbox::{
    Lease, On, Outbox, Queue, TenantCursor, enqueued, event_position, kept_position,
};
use crate::store::sql::{Affected, Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};

#[derive(sqlx::FromRow)]
pub(crate) struct SubscriptionRow<T> {
    tenant_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    endpoint: String,
    p256dh: String,
    auth: String,
    created_at: T,
    updated_at: T,
}

pub(crate) const SUBSCRIPTION_COLUMNS: &str =
    "tenant_id, id, user_id, endpoint, p256dh, auth, created_at, updated_at";

impl<T: StoredInstant> SubscriptionRow<T> {
    /// The subscription, and its keys as stored.
    pub(crate) fn into_domain(self) -> Result<(PushSubscription, String, String), StoreError> {
        Ok((
            PushSubscription {
                id: PushSubscriptionId::from_uuid(self.id),
                tenant_id: TenantId::from_uuid(self.tenant_id),
                user_id: UserId::from_uuid(self.user_id),
                endpoint: self.endpoint.parse().map_err(StoreError::corrupt)?,
                created_at: self.created_at.instant()?,
                updated_at: self.updated_at.instant()?,
            },
            self.p256dh,
            self.auth,
        ))
    }
}

/// A device and its keys as stored, if found.
pub(crate) type Found = Option<(PushSubscription, String, String)>;

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow<T> {
    id: Uuid,
    subscription_id: Uuid,
    event_id: Uuid,
    kind: String,
    status: String,
    attempts: i32,
    next_attempt_at: Option<T>,
    last_status: Option<i32>,
    last_error: Option<String>,
    created_at: T,
    updated_at: T,
}

impl<T: StoredInstant> DeliveryRow<T> {
    fn into_domain(self) -> Result<PushDelivery, StoreError> {
        Ok(PushDelivery {
            id: PushDeliveryId::from_uuid(self.id),
            subscription_id: PushSubscriptionId::from_uuid(self.subscription_id),
            event_id: EventId::from_uuid(self.event_id),
            kind: self.kind.parse().map_err(StoreError::corrupt)?,
            status: self.status.parse().map_err(StoreError::corrupt)?,
            attempts: u32::try_from(self.attempts).map_err(StoreError::corrupt)?,
            next_attempt_at: self.next_attempt_at.map(T::instant).transpose()?,
            last_status: self
                .last_status
                .map(u16::try_from)
                .transpose()
                .map_err(StoreError::corrupt)?,
            last_error: self.last_error,
            created_at: self.created_at.instant()?,
            updated_at: self.updated_at.instant()?,
        })
    }
}

/// The shared queries, on the database `DB`.
pub(crate) struct Sql<DB>(PhantomData<DB>);

#[each_database]
impl Sql<DB> {
    /// The tenant's device whose `column` is `value`; with `lock`,
    /// PostgreSQL keeps its row locked until the transaction ends (SQLite's
    /// writers are serialized already).
    async fn one<V>(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        (column, value): (&str, V),
        lock: bool,
    ) -> Result<Found, StoreError>
    where
        V: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send,
    {
        let lock = if lock { DB::FOR_UPDATE } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM push_subscriptions \
             WHERE tenant_id = $1 AND {column} = $2{lock}"
        ));
        sqlx::query_as::<DB, SubscriptionRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(value)
            .fetch_optional(&mut *conn)
            .await?
            .map(SubscriptionRow::into_domain)
            .transpose()
    }

    /// The tenant's device with this endpoint; with `for_update`, its row
    /// locked (PostgreSQL).
    pub(crate) async fn by_endpoint(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        endpoint: &PushEndpoint,
        for_update: bool,
    ) -> Result<Found, StoreError> {
        let endpoint = endpoint.as_str().to_owned();
        Self::one(conn, tenant, ("endpoint", endpoint), for_update).await
    }

    /// The tenant's device with this id, its row locked (PostgreSQL).
    pub(crate) async fn by_id(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: PushSubscriptionId,
    ) -> Result<Found, StoreError> {
        Self::one(conn, tenant, ("id", id.as_uuid()), true).await
    }

    /// The user's devices, oldest first.
    pub(crate) async fn subscriptions_of(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Vec<PushSubscription>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM push_subscriptions \
             WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, id"
        ));
        sqlx::query_as::<DB, SubscriptionRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|row| row.into_domain().map(|(s, _, _)| s))
            .collect()
    }

    /// Removes a device with its queue, records why, and drops the tenant from the
    /// worker's list when it was the last one (on PostgreSQL the caller holds the
    /// tenant's row).
    pub(crate) async fn remove(
        conn: &mut Conn<DB>,
        s: &PushSubscription,
        why: Removal,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM push_deliveries WHERE tenant_id = $1 AND subscription_id = $2")
            .bind(s.tenant_id.as_uuid())
            .bind(s.id.as_uuid())
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM push_subscriptions WHERE tenant_id = $1 AND id = $2")
            .bind(s.tenant_id.as_uuid())
            .bind(s.id.as_uuid())
            .execute(&mut *conn)
            .await?;
        Journal::<DB>::append(conn, &unregistered(s, why, actor, now)).await?;
        sqlx::query(
            "DELETE FROM push_tenants WHERE tenant_id = $1 AND NOT EXISTS \
               (SELECT 1 FROM push_subscriptions WHERE tenant_id = $1)",
        )
        .bind(s.tenant_id.as_uuid())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Keeps `user` under the per-user limit before one more device becomes theirs:
    /// their device registered longest ago (other than `except`) is replaced.
    pub(crate) async fn make_room(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        user: UserId,
        except: Option<PushSubscriptionId>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let lock = DB::FOR_UPDATE;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM push_subscriptions \
             WHERE tenant_id = $1 AND user_id = $2 AND id IS DISTINCT FROM $3 \
             ORDER BY updated_at, id{lock}"
        ));
        let theirs = sqlx::query_as::<DB, SubscriptionRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .bind(except.map(|id| id.as_uuid()))
            .fetch_all(&mut *conn)
            .await?;
        let excess = (theirs.len() + 1).saturating_sub(MAX_SUBSCRIPTIONS_PER_USER);
        for row in theirs.into_iter().take(excess) {
            let (old, _, _) = row.into_domain()?;
            Self::remove(conn, &old, Removal::Replaced, actor, now).await?;
        }
        Ok(())
    }

    /// The user's notification settings (the defaults until they change one).
    pub(crate) async fn read_settings(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        user: UserId,
    ) -> Result<NotificationSettings, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SETTINGS_COLUMNS} FROM notification_settings WHERE tenant_id = $1 AND user_id = $2"
        ));
        let row: Option<SettingsRow> = sqlx::query_as::<DB, SettingsRow>(sql)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map_or_else(NotificationSettings::default, SettingsRow::into_settings))
    }

    /// A device's latest deliveries, newest first.
    pub(crate) async fn deliveries_of(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        subscription: PushSubscriptionId,
    ) -> Result<Vec<PushDelivery>, StoreError> {
        sqlx::query_as::<DB, DeliveryRow<Instant<DB>>>(
            "SELECT id, subscription_id, event_id, kind, status, attempts, next_attempt_at, \
               last_status, last_error, created_at, updated_at \
             FROM push_deliveries WHERE tenant_id = $1 AND subscription_id = $2 \
             ORDER BY id DESC LIMIT 200",
        )
        .bind(tenant.as_uuid())
        .bind(subscription.as_uuid())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(DeliveryRow::into_domain)
        .collect()
    }

    /// NOT_FOUND unless the tenant has the user; with `lock`, PostgreSQL locks the
    /// user's row so that changes of their settings take turns.
    pub(crate) async fn ensure_user(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        user: UserId,
        lock: bool,
    ) -> Result<(), StoreError> {
        let lock = if lock { DB::FOR_NO_KEY_UPDATE } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2{lock}"
        ));
        let found: Option<i32> = sqlx::query_scalar::<DB, i32>(sql)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(&mut *conn)
            .await?;
        found
            .map(|_| ())
            .ok_or_else(|| StoreError::not_found("user", user))
    }

    /// Locks the tenant's row in the worker's list, if it has one (PostgreSQL;
    /// SQLite's writers are serialized already).
    pub(crate) async fn lock_tenant_row(
        conn: &mut Conn<DB>,
        tenant: TenantId,
    ) -> Result<(), StoreError> {
        let lock = DB::FOR_UPDATE;
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM push_tenants WHERE tenant_id = $1{lock}"
        )))
        .bind(tenant.as_uuid())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// A device as an enqueue pass reads it, with its user's push settings.
#[derive(sqlx::FromRow)]
pub(crate) struct RecipientRow {
    id: Uuid,
    since_txid: i64,
    since_seq: i64,
    role: String,
    reservation_created: Option<bool>,
    reservation_changed: Option<bool>,
    reservation_canceled: Option<bool>,
    no_show: Option<bool>,
    lock_conflict: Option<bool>,
}

impl RecipientRow {
    fn into_recipient(self) -> Result<Recipient, StoreError> {
        Ok(Recipient {
            subscription: PushSubscriptionId::from_uuid(self.id),
            since: EventCursor {
                txid: self.since_txid,
                seq: self.since_seq,
            },
            role: self.role.parse().map_err(StoreError::corrupt)?,
            settings: settings_from([
                self.reservation_created,
                self.reservation_changed,
                self.reservation_canceled,
                self.no_show,
                self.lock_conflict,
                None,
                None,
                None,
            ]),
        })
    }
}

/// A claimed notification's row.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow<T> {
    id: Uuid,
    subscription_id: Uuid,
    attempts: i32,
    kind: String,
    user_id: Uuid,
    endpoint: String,
    p256dh: String,
    auth: String,
    event_txid: i64,
    event_seq: i64,
    event_id: Uuid,
    event_kind: String,
    entity_id: Uuid,
    payload: Json<serde_json::Value>,
    at: T,
}

impl<T: StoredInstant> ClaimRow<T> {
    fn into_claimed(self, tenant: TenantId, lease: Lease) -> Result<ClaimedPush, StoreError> {
        Ok(ClaimedPush {
            id: PushDeliveryId::from_uuid(self.id),
            tenant_id: tenant,
            subscription_id: PushSubscriptionId::from_uuid(self.subscription_id),
            user_id: UserId::from_uuid(self.user_id),
            lease: lease.id,
            lease_expires_at: lease.expires,
            attempt: u32::try_from(self.attempts).map_err(StoreError::corrupt)?,
            endpoint: self.endpoint.parse().map_err(StoreError::corrupt)?,
            keys: PushKeys::parse(&self.p256dh, &self.auth).map_err(StoreError::corrupt)?,
            kind: self.kind.parse().map_err(StoreError::corrupt)?,
            event: Event {
                cursor: EventCursor {
                    txid: self.event_txid,
                    seq: self.event_seq,
                },
                id: EventId::from_uuid(self.event_id),
                tenant_id: tenant,
                kind: self.event_kind.parse().map_err(StoreError::corrupt)?,
                entity_id: self.entity_id,
                payload: self.payload.0,
                at: self.at.instant()?,
            },
        })
    }
}

/// The push queue (as [`On`] claims it).
const QUEUE: Queue = Queue {
    table: "push_deliveries",
    limit: "$3",
    claimable: "",
    on_lapse: ", last_error = coalesce(last_error, 'no outcome recorded')",
};

/// The tenant's position in its event stream.
const CURSOR: TenantCursor = TenantCursor {
    table: "push_tenants",
};

#[each_database]
#[async_trait]
impl PushStore for DbStore {
    async fn register_push_subscription(
        &self,
        tenant: TenantId,
        user: UserId,
        new: NewPushSubscription,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<PushSubscription, StoreError> {
        let unchanged = |found: &Found| {
            found.as_ref().is_some_and(|(s, p256dh, auth)| {
                s.user_id == user && *p256dh == new.keys.p256dh() && *auth == new.keys.auth()
            })
        };
        // A device registers again on every start of the app: a read, no write.
        {
            let mut conn = self.read(tenant).await?;
            let found = Sql::<DB>::by_endpoint(&mut conn, tenant, &new.endpoint, false).await?;
            if unchanged(&found)
                && let Some((s, _, _)) = found
            {
                return Ok(s);
            }
        }
        let mut tx = self.write(tenant).await?;
        Sql::<DB>::ensure_user(&mut tx, tenant, user, false).await?;
        // Takes the tenant's row in the worker's list (inserted with position
        // 0 for a first device, set below to this registration's).
        let start = DB::kept("cursor_txid", "cursor_seq");
        let zero = DB::kept("0", "0");
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO push_tenants (tenant_id, {start}) VALUES ($1, {zero}) \
             ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = excluded.tenant_id"
        )))
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        let found = Sql::<DB>::by_endpoint(&mut tx, tenant, &new.endpoint, true).await?;
        if unchanged(&found)
            && let Some((s, _, _)) = found
        {
            return Ok(s);
        }
        let (subscription, at) = match found {
            Some((before, _, _)) => {
                let moved = before.user_id != user;
                if moved {
                    Sql::<DB>::make_room(&mut tx, tenant, user, Some(before.id), actor, now)
                        .await?;
                    // What was queued for the previous user is not for this one.
                    sqlx::query::<DB>(
                        "DELETE FROM push_deliveries \
                         WHERE tenant_id = $1 AND subscription_id = $2",
                    )
                    .bind(tenant.as_uuid())
                    .bind(before.id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
                }
                let after = PushSubscription {
                    user_id: user,
                    updated_at: now,
                    ..before.clone()
                };
                let record = registered(&after, Some(&before), actor);
                Journal::<DB>::append(&mut tx, &record).await?;
                let at = On::<DB>::position_of(&mut tx, record.event_id).await?;
                let since = DB::kept(
                    "since_txid = CASE WHEN $5 THEN $9 ELSE since_txid END",
                    "since_seq = CASE WHEN $5 THEN $8 ELSE since_seq END",
                );
                sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
                    "UPDATE push_subscriptions SET user_id = $1, p256dh = $2, auth = $3, \
                       updated_at = $4, {since} WHERE tenant_id = $6 AND id = $7"
                )))
                .bind(user.as_uuid())
                .bind(new.keys.p256dh().to_owned())
                .bind(new.keys.auth().to_owned())
                .bind(DB::stamp(now))
                .bind(moved)
                .bind(tenant.as_uuid())
                .bind(after.id.as_uuid())
                .bind(at.seq)
                .bind(at.txid)
                .execute(&mut *tx)
                .await?;
                (after, at)
            }
            None => {
                Sql::<DB>::make_room(&mut tx, tenant, user, None, actor, now).await?;
                let s = PushSubscription {
                    id: PushSubscriptionId::new(),
                    tenant_id: tenant,
                    user_id: user,
                    endpoint: new.endpoint,
                    created_at: now,
                    updated_at: now,
                };
                let record = registered(&s, None, actor);
                Journal::<DB>::append(&mut tx, &record).await?;
                let at = On::<DB>::position_of(&mut tx, record.event_id).await?;
                let (since, position) = (DB::kept("since_txid", "since_seq"), DB::kept("$9", "$7"));
                sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO push_subscriptions (tenant_id, id, user_id, endpoint, p256dh, \
                       auth, {since}, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, {position}, $8, $8)"
                )))
                .bind(tenant.as_uuid())
                .bind(s.id.as_uuid())
                .bind(user.as_uuid())
                .bind(s.endpoint.as_str().to_owned())
                .bind(new.keys.p256dh().to_owned())
                .bind(new.keys.auth().to_owned())
                .bind(at.seq)
                .bind(DB::stamp(now))
                .bind(at.txid)
                .execute(&mut *tx)
                .await?;
                (s, at)
            }
        };
        // A first device (or one replacing the tenant's last): the tenant's
        // position starts at this registration — none of the events committed
        // before it, every one after.
        let (set, position) = (
            DB::kept(
                "cursor_txid = excluded.cursor_txid",
                "cursor_seq = excluded.cursor_seq",
            ),
            DB::kept("$3", "$2"),
        );
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO push_tenants (tenant_id, {start}) VALUES ($1, {position}) \
             ON CONFLICT (tenant_id) DO UPDATE SET {set} WHERE push_tenants.cursor_seq = 0"
        )))
        .bind(tenant.as_uuid())
        .bind(at.seq)
        .bind(at.txid)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.announce();
        Ok(subscription)
    }

    async fn unregister_push_subscription(
        &self,
        tenant: TenantId,
        user: UserId,
        endpoint: &PushEndpoint,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mine = |found: &Found| found.as_ref().is_some_and(|(s, _, _)| s.user_id == user);
        {
            let mut conn = self.read(tenant).await?;
            if !mine(&Sql::<DB>::by_endpoint(&mut conn, tenant, endpoint, false).await?) {
                return Ok(false);
            }
        }
        let mut tx = self.write(tenant).await?;
        Sql::<DB>::lock_tenant_row(&mut tx, tenant).await?;
        let found = Sql::<DB>::by_endpoint(&mut tx, tenant, endpoint, true).await?;
        if !mine(&found) {
            return Ok(false);
        }
        let Some((s, _, _)) = found else {
            return Ok(false);
        };
        Sql::<DB>::remove(&mut tx, &s, Removal::User, actor, now).await?;
        tx.commit().await?;
        self.announce();
        Ok(true)
    }

    async fn push_subscriptions(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Vec<PushSubscription>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Sql::<DB>::subscriptions_of(&mut conn, tenant, user).await
    }

    async fn notification_settings(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<NotificationSettings, StoreError> {
        let mut conn = self.read(tenant).await?;
        Sql::<DB>::read_settings(&mut conn, tenant, user).await
    }

    async fn update_notification_settings(
        &self,
        tenant: TenantId,
        user: UserId,
        patch: NotificationSettingsPatch,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<NotificationSettings, StoreError> {
        let mut tx = self.write(tenant).await?;
        Sql::<DB>::ensure_user(&mut tx, tenant, user, true).await?;
        let before = Sql::<DB>::read_settings(&mut tx, tenant, user).await?;
        let after = before.patched(&patch);
        if after == before {
            return Ok(before);
        }
        sqlx::query::<DB>(UPSERT_SETTINGS_SQL)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .bind(after.reservation_created)
            .bind(after.reservation_changed)
            .bind(after.reservation_canceled)
            .bind(after.no_show)
            .bind(after.lock_conflict)
            .bind(after.email_new_request)
            .bind(after.email_canceled)
            .bind(after.email_no_show)
            .bind(DB::stamp(now))
            .execute(&mut *tx)
            .await?;
        Journal::<DB>::append(
            &mut tx,
            &settings_updated(tenant, user, &before, &after, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn push_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let ids: Vec<Uuid> =
            sqlx::query_scalar::<DB, Uuid>("SELECT tenant_id FROM push_tenants ORDER BY tenant_id")
                .fetch_all(self.sql_pool())
                .await?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }

    async fn enqueue_pushes(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Enqueued, StoreError> {
        // A read first: the tenant's row is locked (a write) only when there
        // is something to queue.
        {
            let mut conn = self.read(tenant).await?;
            if On::<DB>::waiting(&mut conn, &CURSOR, tenant).await? != Some(true) {
                return Ok(Enqueued::default());
            }
        }
        let mut tx = self.write(tenant).await?;
        let Some(from) = On::<DB>::lock(&mut tx, &CURSOR, tenant).await? else {
            return Ok(Enqueued::default());
        };
        let events: Vec<(i64, i64, Uuid, String, Option<String>)> = On::<DB>::events_after(
            &mut tx,
            tenant,
            from,
            limit,
            "e.id, e.kind, \
                 CASE WHEN e.kind = 'reservation.state_changed' THEN e.payload ->> 'state' END",
        )
        .await?;
        let Some(last) = events.last().map(|e| EventCursor {
            txid: e.0,
            seq: e.1,
        }) else {
            return Ok(Enqueued::default());
        };
        let events = events
            .into_iter()
            .map(|(txid, seq, id, kind, state)| {
                Ok(CandidateEvent {
                    cursor: EventCursor { txid, seq },
                    id: EventId::from_uuid(id),
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                    state,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let since = kept_position::<DB>("s.since");
        let recipients = sqlx::query_as::<DB, RecipientRow>(sqlx::AssertSqlSafe(format!(
            "SELECT s.id, {since}, u.role, n.reservation_created, \
               n.reservation_changed, n.reservation_canceled, n.no_show, n.lock_conflict \
             FROM push_subscriptions s \
             JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
             LEFT JOIN notification_settings n \
               ON n.tenant_id = s.tenant_id AND n.user_id = s.user_id \
             WHERE s.tenant_id = $1 ORDER BY s.id"
        )))
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(RecipientRow::into_recipient)
        .collect::<Result<Vec<_>, StoreError>>()?;
        let planned = plan_pushes(&recipients, &events);
        // In batches well under the database's bind parameters.
        for chunk in planned.chunks(DB::MAX_BINDS / 10) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO push_deliveries (tenant_id, id, subscription_id, event_id, kind, \
                   status, attempts, next_attempt_at, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut row, p| {
                row.push_bind(tenant.as_uuid())
                    .push_bind(p.id.as_uuid())
                    .push_bind(p.subscription_id.as_uuid())
                    .push_bind(p.event_id.as_uuid())
                    .push_bind(p.kind.as_str())
                    .push_bind("pending")
                    .push_bind(0_i32)
                    .push_bind(DB::stamp(now))
                    .push_bind(DB::stamp(now))
                    .push_bind(DB::stamp(now));
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        On::<DB>::advance(&mut tx, &CURSOR, tenant, last).await?;
        sqlx::query::<DB>(
            "DELETE FROM push_deliveries WHERE tenant_id = $1 AND status <> 'pending' \
             AND updated_at < $2",
        )
        .bind(tenant.as_uuid())
        .bind(DB::stamp(now - KEEP_FINISHED))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(enqueued(planned.len() as u64, events.len(), limit))
    }

    async fn claim_pushes(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedPush>, StoreError> {
        let claimed = On::<DB>::lease(self, &QUEUE, tenant, now, lease, (MAX_ATTEMPTS, limit));
        let Some((mut tx, lease)) = claimed.await? else {
            return Ok(Vec::new());
        };
        let position = event_position::<DB>("e", "event");
        let rows = sqlx::query_as::<DB, ClaimRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.subscription_id, d.attempts, d.kind, s.user_id, s.endpoint, \
               s.p256dh, s.auth, {position}, e.id AS event_id, e.kind AS event_kind, \
               e.entity_id, e.payload, e.at \
             FROM push_deliveries d \
             JOIN push_subscriptions s ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id \
             JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id \
             WHERE d.tenant_id = $1 AND d.lease_id = $2 ORDER BY d.id"
        )))
        .bind(tenant.as_uuid())
        .bind(lease.id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| row.into_claimed(tenant, lease))
            .collect()
    }

    async fn finish_push(&self, tenant: TenantId, report: &PushReport) -> Result<bool, StoreError> {
        let mut tx = self.write(tenant).await?;
        if report.next == PushNext::Gone {
            Sql::<DB>::lock_tenant_row(&mut tx, tenant).await?;
            let lock = DB::FOR_UPDATE;
            let held: Option<Uuid> = sqlx::query_scalar::<DB, Uuid>(sqlx::AssertSqlSafe(format!(
                "SELECT subscription_id FROM push_deliveries \
                 WHERE tenant_id = $1 AND id = $2 AND lease_id = $3 AND status = 'pending'{lock}"
            )))
            .bind(tenant.as_uuid())
            .bind(report.delivery_id.as_uuid())
            .bind(report.lease)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(subscription) = held else {
                return Ok(false);
            };
            let Some((s, _, _)) =
                Sql::<DB>::by_id(&mut tx, tenant, PushSubscriptionId::from_uuid(subscription))
                    .await?
            else {
                return Ok(false);
            };
            let status = report.response_status.unwrap_or(410);
            Sql::<DB>::remove(
                &mut tx,
                &s,
                Removal::Gone(status),
                &Actor::System,
                report.finished_at,
            )
            .await?;
            tx.commit().await?;
            self.announce();
            return Ok(true);
        }
        let (status, next) = after_attempt(report);
        let held = sqlx::query::<DB>(
            "UPDATE push_deliveries SET status = $1, next_attempt_at = $2, lease_id = NULL, \
               last_status = $3, last_error = $4, updated_at = $5 \
             WHERE tenant_id = $6 AND id = $7 AND lease_id = $8 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(next.map(DB::stamp))
        .bind(report.response_status.map(i32::from))
        .bind(&report.error)
        .bind(DB::stamp(report.finished_at))
        .bind(tenant.as_uuid())
        .bind(report.delivery_id.as_uuid())
        .bind(report.lease)
        .execute(&mut *tx)
        .await?
        .affected()
            == 1;
        tx.commit().await?;
        Ok(held)
    }

    async fn push_deliveries(
        &self,
        tenant: TenantId,
        subscription: PushSubscriptionId,
    ) -> Result<Vec<PushDelivery>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Sql::<DB>::deliveries_of(&mut conn, tenant, subscription).await
    }
}
