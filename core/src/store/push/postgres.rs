//! [`PushStore`] for PostgreSQL, under row-level security like every other
//! method (each transaction names its tenant first). Several instances share the
//! queue:
//!
//! - Every write that can change the tenant's set of devices, and every enqueue
//!   pass, first locks the tenant's row in `push_tenants` (registering inserts
//!   it, or takes it): they take turns per tenant, so an enqueue pass starts
//!   from the position the previous one stored and each event is queued once per
//!   device (the unique key on (device, event) would refuse a second copy
//!   anyway), and the last unregistration cannot drop the tenant from the
//!   worker's list while a registration commits. Events are read as
//!   `events_after` reads them: only transactions older than every running one.
//! - A claim picks due deliveries `FOR UPDATE SKIP LOCKED` and leases them in the
//!   same statement: a concurrent claimer skips rows being claimed and, once the
//!   claim commits, finds them no longer due.
//!
//! Lock order: `push_tenants` row, then subscription, then deliveries; a claim
//! locks only deliveries. No cycle.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{PostgresStore, append};
use crate::audit::Actor;
use crate::event::{Event, EventCursor};
use crate::ids::{EventId, PushDeliveryId, PushSubscriptionId, TenantId, UserId};
use crate::push::{
    ClaimedPush, Enqueued, KEEP_FINISHED, MAX_ATTEMPTS, NewPushSubscription, PushKeys,
    PushSubscription,
};
use crate::store::StoreError;
use crate::store::push::sql::{Found, PushCursor, Sql};
use crate::store::push::{CandidateEvent, Recipient, plan_pushes, registered, settings_from};

async fn event_position(conn: &mut PgConnection, id: EventId) -> Result<(i64, i64), StoreError> {
    Ok(
        sqlx::query_as("SELECT txid::text::bigint, seq FROM events WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_one(&mut *conn)
            .await?,
    )
}

#[derive(sqlx::FromRow)]
struct RecipientRow {
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

#[derive(sqlx::FromRow)]
struct ClaimRow {
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
    at: DateTime<Utc>,
}

#[async_trait]
impl PushCursor for PostgresStore {
    async fn register(
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
            let mut tx = self.begin_tenant(tenant).await?;
            let found = Sql::<Postgres>::by_endpoint(&mut tx, tenant, &new.endpoint, false).await?;
            if unchanged(&found)
                && let Some((s, _, _)) = found
            {
                return Ok(s);
            }
        }
        let mut tx = self.begin_tenant(tenant).await?;
        Sql::<Postgres>::ensure_user(&mut tx, tenant, user, false).await?;
        // Takes the tenant's row in the worker's list (inserted with position
        // 0-0 for a first device, set below to this registration's).
        sqlx::query(
            "INSERT INTO push_tenants (tenant_id, cursor_txid, cursor_seq) VALUES ($1, 0, 0) \
             ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        let found = Sql::<Postgres>::by_endpoint(&mut tx, tenant, &new.endpoint, true).await?;
        if unchanged(&found)
            && let Some((s, _, _)) = found
        {
            return Ok(s);
        }
        let (subscription, position) = match found {
            Some((before, _, _)) => {
                let moved = before.user_id != user;
                if moved {
                    Sql::<Postgres>::make_room(&mut tx, tenant, user, Some(before.id), actor, now)
                        .await?;
                    // What was queued for the previous user is not for this one.
                    sqlx::query(
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
                append(&mut tx, &record).await?;
                let (txid, seq) = event_position(&mut tx, record.event_id).await?;
                sqlx::query(
                    "UPDATE push_subscriptions SET user_id = $1, p256dh = $2, auth = $3, \
                       updated_at = $4, \
                       since_txid = CASE WHEN $5 THEN $6 ELSE since_txid END, \
                       since_seq = CASE WHEN $5 THEN $7 ELSE since_seq END \
                     WHERE tenant_id = $8 AND id = $9",
                )
                .bind(user.as_uuid())
                .bind(new.keys.p256dh())
                .bind(new.keys.auth())
                .bind(now)
                .bind(moved)
                .bind(txid)
                .bind(seq)
                .bind(tenant.as_uuid())
                .bind(after.id.as_uuid())
                .execute(&mut *tx)
                .await?;
                (after, (txid, seq))
            }
            None => {
                Sql::<Postgres>::make_room(&mut tx, tenant, user, None, actor, now).await?;
                let s = PushSubscription {
                    id: PushSubscriptionId::new(),
                    tenant_id: tenant,
                    user_id: user,
                    endpoint: new.endpoint,
                    created_at: now,
                    updated_at: now,
                };
                let record = registered(&s, None, actor);
                append(&mut tx, &record).await?;
                let (txid, seq) = event_position(&mut tx, record.event_id).await?;
                sqlx::query(
                    "INSERT INTO push_subscriptions (tenant_id, id, user_id, endpoint, p256dh, \
                       auth, since_txid, since_seq, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                )
                .bind(tenant.as_uuid())
                .bind(s.id.as_uuid())
                .bind(user.as_uuid())
                .bind(s.endpoint.as_str())
                .bind(new.keys.p256dh())
                .bind(new.keys.auth())
                .bind(txid)
                .bind(seq)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (s, (txid, seq))
            }
        };
        // A first device (or one replacing the tenant's last): the tenant's
        // position starts at this registration — none of the events committed
        // before it, every one after.
        sqlx::query(
            "INSERT INTO push_tenants (tenant_id, cursor_txid, cursor_seq) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE \
               SET cursor_txid = EXCLUDED.cursor_txid, cursor_seq = EXCLUDED.cursor_seq \
               WHERE push_tenants.cursor_txid = 0",
        )
        .bind(tenant.as_uuid())
        .bind(position.0)
        .bind(position.1)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(subscription)
    }

    async fn enqueue(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Enqueued, StoreError> {
        // A read first: the tenant's row is locked (a write) only when there is
        // something to queue, so idle polling costs no transaction id.
        {
            let mut tx = self.begin_tenant(tenant).await?;
            let waiting: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM events e, push_tenants p \
                   WHERE p.tenant_id = $1 AND e.tenant_id = $1 \
                     AND (e.txid, e.seq) > (p.cursor_txid::text::xid8, p.cursor_seq) \
                     AND e.txid < pg_snapshot_xmin(pg_current_snapshot()))",
            )
            .bind(tenant.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
            if !waiting {
                return Ok(Enqueued::default());
            }
        }
        let mut tx = self.begin_tenant(tenant).await?;
        let cursor: Option<(i64, i64)> = sqlx::query_as(
            "SELECT cursor_txid, cursor_seq FROM push_tenants WHERE tenant_id = $1 FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((txid, seq)) = cursor else {
            return Ok(Enqueued::default());
        };
        let events: Vec<(i64, i64, Uuid, String, Option<String>)> = sqlx::query_as(
            "SELECT txid::text::bigint, seq, id, kind, \
               CASE WHEN kind = 'reservation.state_changed' THEN payload->>'state' END \
             FROM events \
             WHERE tenant_id = $1 AND (txid, seq) > ($2::text::xid8, $3) \
               AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
             ORDER BY txid, seq LIMIT $4",
        )
        .bind(tenant.as_uuid())
        .bind(txid.to_string())
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = events.last().map(|e| (e.0, e.1)) else {
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
        let recipients: Vec<RecipientRow> = sqlx::query_as(
            "SELECT s.id, s.since_txid, s.since_seq, u.role, n.reservation_created, \
               n.reservation_changed, n.reservation_canceled, n.no_show, n.lock_conflict \
             FROM push_subscriptions s \
             JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
             LEFT JOIN notification_settings n \
               ON n.tenant_id = s.tenant_id AND n.user_id = s.user_id \
             WHERE s.tenant_id = $1 ORDER BY s.id",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        let recipients = recipients
            .into_iter()
            .map(|r| {
                Ok(Recipient {
                    subscription: PushSubscriptionId::from_uuid(r.id),
                    since: EventCursor {
                        txid: r.since_txid,
                        seq: r.since_seq,
                    },
                    role: r.role.parse().map_err(StoreError::corrupt)?,
                    settings: settings_from([
                        r.reservation_created,
                        r.reservation_changed,
                        r.reservation_canceled,
                        r.no_show,
                        r.lock_conflict,
                        None,
                        None,
                        None,
                    ]),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let planned = plan_pushes(&recipients, &events);
        // In batches well under PostgreSQL's 65,535 bind parameters.
        for chunk in planned.chunks(1000) {
            let mut qb = QueryBuilder::<Postgres>::new(
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
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE push_tenants SET cursor_txid = $1, cursor_seq = $2 WHERE tenant_id = $3",
        )
        .bind(last.0)
        .bind(last.1)
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM push_deliveries WHERE tenant_id = $1 AND status <> 'pending' \
             AND updated_at < $2",
        )
        .bind(tenant.as_uuid())
        .bind(now - KEEP_FINISHED)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Enqueued {
            deliveries: planned.len() as u64,
            events: events.len() as u64,
            more: events.len() as u64 >= u64::from(limit),
        })
    }

    async fn claim(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedPush>, StoreError> {
        {
            let mut tx = self.begin_tenant(tenant).await?;
            let due: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM push_deliveries \
                   WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2)",
            )
            .bind(tenant.as_uuid())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if !due {
                return Ok(Vec::new());
            }
        }
        let lease_id = Uuid::new_v4();
        let expires = now + lease;
        let max = i32::try_from(MAX_ATTEMPTS).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_tenant(tenant).await?;
        // The last allowed attempt was claimed and never reported (its worker
        // stopped): nothing more will be tried.
        sqlx::query(
            "UPDATE push_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, last_error = coalesce(last_error, 'no outcome recorded'), \
               updated_at = $1 \
             WHERE tenant_id = $2 AND status = 'pending' AND attempts >= $3 \
               AND next_attempt_at <= $1",
        )
        .bind(now)
        .bind(tenant.as_uuid())
        .bind(max)
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "WITH due AS ( \
               SELECT id FROM push_deliveries \
               WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2 \
                 AND attempts < $3 \
               ORDER BY next_attempt_at, id LIMIT $4 \
               FOR UPDATE SKIP LOCKED) \
             UPDATE push_deliveries d SET attempts = d.attempts + 1, lease_id = $5, \
               next_attempt_at = $6, updated_at = $2 \
             FROM due WHERE d.tenant_id = $1 AND d.id = due.id",
        )
        .bind(tenant.as_uuid())
        .bind(now)
        .bind(max)
        .bind(i64::from(limit))
        .bind(lease_id)
        .bind(expires)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "SELECT d.id, d.subscription_id, d.attempts, d.kind, s.user_id, s.endpoint, \
               s.p256dh, s.auth, e.txid::text::bigint AS event_txid, e.seq AS event_seq, \
               e.id AS event_id, e.kind AS event_kind, e.entity_id, e.payload, e.at \
             FROM push_deliveries d \
             JOIN push_subscriptions s ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id \
             JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id \
             WHERE d.tenant_id = $1 AND d.lease_id = $2 ORDER BY d.id",
        )
        .bind(tenant.as_uuid())
        .bind(lease_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                Ok(ClaimedPush {
                    id: PushDeliveryId::from_uuid(row.id),
                    tenant_id: tenant,
                    subscription_id: PushSubscriptionId::from_uuid(row.subscription_id),
                    user_id: UserId::from_uuid(row.user_id),
                    lease: lease_id,
                    lease_expires_at: expires,
                    attempt: u32::try_from(row.attempts).map_err(StoreError::corrupt)?,
                    endpoint: row.endpoint.parse().map_err(StoreError::corrupt)?,
                    keys: PushKeys::parse(&row.p256dh, &row.auth).map_err(StoreError::corrupt)?,
                    kind: row.kind.parse().map_err(StoreError::corrupt)?,
                    event: Event {
                        cursor: EventCursor {
                            txid: row.event_txid,
                            seq: row.event_seq,
                        },
                        id: EventId::from_uuid(row.event_id),
                        tenant_id: tenant,
                        kind: row.event_kind.parse().map_err(StoreError::corrupt)?,
                        entity_id: row.entity_id,
                        payload: row.payload.0,
                        at: row.at,
                    },
                })
            })
            .collect()
    }
}
