//! [`PushStore`] for SQLite. Writers are serialized by `BEGIN IMMEDIATE`, so an
//! enqueue pass or a claim is alone with the queue: nothing else can queue the
//! same event or claim the same delivery meanwhile.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::types::Json;
use sqlx::{Sqlite, SqliteConnection};
use uuid::Uuid;

use super::{SqliteStore, append, from_micros, micros};
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

async fn event_seq(conn: &mut SqliteConnection, id: EventId) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT seq FROM events WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_one(&mut *conn)
        .await?)
}

#[derive(sqlx::FromRow)]
struct RecipientRow {
    id: Uuid,
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
    attempts: i64,
    kind: String,
    user_id: Uuid,
    endpoint: String,
    p256dh: String,
    auth: String,
    event_seq: i64,
    event_id: Uuid,
    event_kind: String,
    entity_id: Uuid,
    payload: Json<serde_json::Value>,
    at: i64,
}

#[async_trait]
impl PushCursor for SqliteStore {
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
            let mut conn = self.pool.acquire().await?;
            let found = Sql::<Sqlite>::by_endpoint(&mut conn, tenant, &new.endpoint, false).await?;
            if unchanged(&found)
                && let Some((s, _, _)) = found
            {
                return Ok(s);
            }
        }
        let mut tx = self.begin_write().await?;
        Sql::<Sqlite>::ensure_user(&mut tx, tenant, user, false).await?;
        let found = Sql::<Sqlite>::by_endpoint(&mut tx, tenant, &new.endpoint, true).await?;
        if unchanged(&found)
            && let Some((s, _, _)) = found
        {
            return Ok(s);
        }
        let subscription = match found {
            Some((before, _, _)) => {
                let moved = before.user_id != user;
                if moved {
                    Sql::<Sqlite>::make_room(&mut tx, tenant, user, Some(before.id), actor, now)
                        .await?;
                    // What was queued for the previous user is not for this one.
                    sqlx::query(
                        "DELETE FROM push_deliveries WHERE tenant_id = ? AND subscription_id = ?",
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
                let seq = event_seq(&mut tx, record.event_id).await?;
                sqlx::query(
                    "UPDATE push_subscriptions SET user_id = ?, p256dh = ?, auth = ?, \
                       updated_at = ?, since_seq = CASE WHEN ? THEN ? ELSE since_seq END \
                     WHERE tenant_id = ? AND id = ?",
                )
                .bind(user.as_uuid())
                .bind(new.keys.p256dh())
                .bind(new.keys.auth())
                .bind(micros(now))
                .bind(moved)
                .bind(seq)
                .bind(tenant.as_uuid())
                .bind(after.id.as_uuid())
                .execute(&mut *tx)
                .await?;
                after
            }
            None => {
                Sql::<Sqlite>::make_room(&mut tx, tenant, user, None, actor, now).await?;
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
                let seq = event_seq(&mut tx, record.event_id).await?;
                sqlx::query(
                    "INSERT INTO push_subscriptions (tenant_id, id, user_id, endpoint, p256dh, \
                       auth, since_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(tenant.as_uuid())
                .bind(s.id.as_uuid())
                .bind(user.as_uuid())
                .bind(s.endpoint.as_str())
                .bind(new.keys.p256dh())
                .bind(new.keys.auth())
                .bind(seq)
                .bind(micros(now))
                .bind(micros(now))
                .execute(&mut *tx)
                .await?;
                // The tenant's first device: its position starts here.
                sqlx::query(
                    "INSERT INTO push_tenants (tenant_id, cursor_seq) VALUES (?, ?) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(tenant.as_uuid())
                .bind(seq)
                .execute(&mut *tx)
                .await?;
                s
            }
        };
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
        // A read first: the write lock is taken only when there is work, so an
        // idle worker's polling never queues behind (or delays) bookings.
        let waiting: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = ?1 AND seq > \
               (SELECT cursor_seq FROM push_tenants WHERE tenant_id = ?1))",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&self.pool)
        .await?;
        if !waiting {
            return Ok(Enqueued::default());
        }
        let mut tx = self.begin_write().await?;
        let cursor: Option<i64> =
            sqlx::query_scalar("SELECT cursor_seq FROM push_tenants WHERE tenant_id = ?")
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(cursor) = cursor else {
            return Ok(Enqueued::default());
        };
        // Writers are serialized, so sequence numbers commit in order.
        let events: Vec<(i64, Uuid, String, Option<String>)> = sqlx::query_as(
            "SELECT seq, id, kind, CASE WHEN kind = 'reservation.state_changed' \
               THEN json_extract(payload, '$.state') END \
             FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(tenant.as_uuid())
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = events.last().map(|e| e.0) else {
            return Ok(Enqueued::default());
        };
        let events = events
            .into_iter()
            .map(|(seq, id, kind, state)| {
                Ok(CandidateEvent {
                    cursor: EventCursor { txid: 0, seq },
                    id: EventId::from_uuid(id),
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                    state,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let recipients: Vec<RecipientRow> = sqlx::query_as(
            "SELECT s.id, s.since_seq, u.role, n.reservation_created, n.reservation_changed, \
               n.reservation_canceled, n.no_show, n.lock_conflict \
             FROM push_subscriptions s \
             JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
             LEFT JOIN notification_settings n \
               ON n.tenant_id = s.tenant_id AND n.user_id = s.user_id \
             WHERE s.tenant_id = ? ORDER BY s.id",
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
                        txid: 0,
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
        for p in &planned {
            sqlx::query(
                "INSERT INTO push_deliveries (tenant_id, id, subscription_id, event_id, kind, \
                   status, attempts, next_attempt_at, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(tenant.as_uuid())
            .bind(p.id.as_uuid())
            .bind(p.subscription_id.as_uuid())
            .bind(p.event_id.as_uuid())
            .bind(p.kind.as_str())
            .bind(micros(now))
            .bind(micros(now))
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE push_tenants SET cursor_seq = ? WHERE tenant_id = ?")
            .bind(last)
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM push_deliveries WHERE tenant_id = ? AND status <> 'pending' \
             AND updated_at < ?",
        )
        .bind(tenant.as_uuid())
        .bind(micros(now - KEEP_FINISHED))
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
        let due: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM push_deliveries \
               WHERE tenant_id = ? AND status = 'pending' AND next_attempt_at <= ?)",
        )
        .bind(tenant.as_uuid())
        .bind(micros(now))
        .fetch_one(&self.pool)
        .await?;
        if !due {
            return Ok(Vec::new());
        }
        let lease_id = Uuid::new_v4();
        let expires = now + lease;
        let mut tx = self.begin_write().await?;
        // The last allowed attempt was claimed and never reported (its worker
        // stopped): nothing more will be tried.
        sqlx::query(
            "UPDATE push_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, last_error = coalesce(last_error, 'no outcome recorded'), \
               updated_at = ? \
             WHERE tenant_id = ? AND status = 'pending' AND attempts >= ? \
               AND next_attempt_at <= ?",
        )
        .bind(micros(now))
        .bind(tenant.as_uuid())
        .bind(i64::from(MAX_ATTEMPTS))
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "UPDATE push_deliveries SET attempts = attempts + 1, lease_id = ?, \
               next_attempt_at = ?, updated_at = ? \
             WHERE tenant_id = ? AND id IN ( \
               SELECT id FROM push_deliveries \
               WHERE tenant_id = ? AND status = 'pending' AND next_attempt_at <= ? \
                 AND attempts < ? \
               ORDER BY next_attempt_at, id LIMIT ?)",
        )
        .bind(lease_id)
        .bind(micros(expires))
        .bind(micros(now))
        .bind(tenant.as_uuid())
        .bind(tenant.as_uuid())
        .bind(micros(now))
        .bind(i64::from(MAX_ATTEMPTS))
        .bind(i64::from(limit))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "SELECT d.id, d.subscription_id, d.attempts, d.kind, s.user_id, s.endpoint, \
               s.p256dh, s.auth, e.seq AS event_seq, e.id AS event_id, e.kind AS event_kind, \
               e.entity_id, e.payload, e.at \
             FROM push_deliveries d \
             JOIN push_subscriptions s ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id \
             JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id \
             WHERE d.tenant_id = ? AND d.lease_id = ? ORDER BY d.next_attempt_at, d.id",
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
                            txid: 0,
                            seq: row.event_seq,
                        },
                        id: EventId::from_uuid(row.event_id),
                        tenant_id: tenant,
                        kind: row.event_kind.parse().map_err(StoreError::corrupt)?,
                        entity_id: row.entity_id,
                        payload: row.payload.0,
                        at: from_micros(row.at)?,
                    },
                })
            })
            .collect()
    }
}
