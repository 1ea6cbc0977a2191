//! [`WebhookStore`] for both databases, written once (docs/decisions/0148).
//! What differs is said by `Dialect` and [`Outbox`]: the event-stream
//! position (SQLite sequence numbers, PostgreSQL transaction ids) and the row
//! locks only PostgreSQL takes, empty on SQLite, whose writers are serialized
//! by `BEGIN IMMEDIATE` (an enqueue pass or a claim is alone with the queue
//! there). On PostgreSQL several instances share the queue:
//!
//! - An enqueue pass locks the tenant's active webhook rows (`FOR UPDATE`),
//!   so two passes take turns and the second starts from the positions the
//!   first stored: each event is queued once per webhook (the unique key on
//!   (webhook, event) would refuse a second copy anyway).
//! - A claim picks due deliveries `FOR UPDATE SKIP LOCKED` and leases them in
//!   the same statement: a concurrent claimer skips rows being claimed and,
//!   once the claim commits, finds them no longer due.
//! - Creating and deleting webhooks of one tenant take turns on the tenant's
//!   row in `webhook_tenants`, so the last deletion cannot drop the tenant
//!   from the worker's list while a creation is committing. Retries, resends
//!   and deletions take the webhook's row first, then its deliveries.

use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Duration, Utc};
use sqlx::QueryBuilder;
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    QueueHead, QueuedEvent, WebhookStore, after_attempt, lowest_cursor, plan_enqueue, read_secret,
    resend_refusal, resent, retried, retry_of_deleted, stored_secret, too_many_webhooks,
    webhook_created, webhook_deleted,
};
use crate::audit::Actor;
use crate::event::{Event, EventCursor};
use crate::ids::{DeliveryId, EventId, TenantId, WebhookId};
use crate::store::StoreError;
use crate::store::outbox::{
    On, Outbox, Queue, enqueued, event_position, kept_position, unknown_tenant,
};
use crate::store::sql::{Affected, Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::tenants::Tenants;
use crate::webhook::{
    AttemptReport, ClaimedDelivery, Delivery, DeliveryAttempt, DeliveryPage, Enqueued,
    EventFilters, MAX_ATTEMPTS, MAX_WEBHOOKS_PER_TENANT, NewWebhook, Webhook,
};

#[derive(sqlx::FromRow)]
pub(crate) struct WebhookRow<T> {
    tenant_id: Uuid,
    id: Uuid,
    url: String,
    events: Json<Vec<String>>,
    created_at: T,
    deleted_at: Option<T>,
}

const WEBHOOK_COLUMNS: &str = "tenant_id, id, url, events, created_at, deleted_at";

impl<T: StoredInstant> WebhookRow<T> {
    fn into_domain(self) -> Result<Webhook, StoreError> {
        Ok(Webhook {
            id: WebhookId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            url: self.url.parse().map_err(StoreError::corrupt)?,
            events: EventFilters::parse(&self.events.0).map_err(StoreError::corrupt)?,
            created_at: self.created_at.instant()?,
            deleted_at: self.deleted_at.map(T::instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow<T> {
    tenant_id: Uuid,
    id: Uuid,
    webhook_id: Uuid,
    event_id: Uuid,
    event_kind: String,
    event_txid: i64,
    event_seq: i64,
    status: String,
    attempts: i32,
    next_attempt_at: Option<T>,
    created_at: T,
    updated_at: T,
}

/// [`DeliveryRow`]'s columns.
fn delivery_columns<DB: Outbox>() -> String {
    format!(
        "tenant_id, id, webhook_id, event_id, event_kind, {}, status, attempts, \
         next_attempt_at, created_at, updated_at",
        kept_position::<DB>("event")
    )
}

impl<T: StoredInstant> DeliveryRow<T> {
    fn into_domain(self) -> Result<Delivery, StoreError> {
        Ok(Delivery {
            id: DeliveryId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            webhook_id: WebhookId::from_uuid(self.webhook_id),
            event_id: EventId::from_uuid(self.event_id),
            event_kind: self.event_kind.parse().map_err(StoreError::corrupt)?,
            event_cursor: EventCursor {
                txid: self.event_txid,
                seq: self.event_seq,
            },
            status: self.status.parse().map_err(StoreError::corrupt)?,
            attempts: u32::try_from(self.attempts).map_err(StoreError::corrupt)?,
            next_attempt_at: self.next_attempt_at.map(T::instant).transpose()?,
            created_at: self.created_at.instant()?,
            updated_at: self.updated_at.instant()?,
            attempt_log: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow<T> {
    delivery_id: Uuid,
    number: i32,
    started_at: T,
    finished_at: Option<T>,
    response_status: Option<i32>,
    error: Option<String>,
}

const ATTEMPT_COLUMNS: &str =
    "delivery_id, number, started_at, finished_at, response_status, error";

impl<T: StoredInstant> AttemptRow<T> {
    fn into_domain(self) -> Result<DeliveryAttempt, StoreError> {
        Ok(DeliveryAttempt {
            number: u32::try_from(self.number).map_err(StoreError::corrupt)?,
            started_at: self.started_at.instant()?,
            finished_at: self.finished_at.map(T::instant).transpose()?,
            response_status: self
                .response_status
                .map(u16::try_from)
                .transpose()
                .map_err(StoreError::corrupt)?,
            error: self.error,
        })
    }
}

/// `deliveries` with their attempts from `attempts` (in delivery, then number
/// order).
fn with_attempts<T: StoredInstant>(
    mut deliveries: Vec<Delivery>,
    attempts: Vec<AttemptRow<T>>,
) -> Result<Vec<Delivery>, StoreError> {
    for row in attempts {
        let id = DeliveryId::from_uuid(row.delivery_id);
        if let Some(d) = deliveries.iter_mut().find(|d| d.id == id) {
            d.attempt_log.push(row.into_domain()?);
        }
    }
    Ok(deliveries)
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow<T> {
    id: Uuid,
    webhook_id: Uuid,
    attempts: i32,
    final_attempt: bool,
    url: String,
    secret: String,
    event_txid: i64,
    event_seq: i64,
    event_id: Uuid,
    kind: String,
    entity_id: Uuid,
    payload: Json<serde_json::Value>,
    at: T,
}

/// The delivery queue (as [`On`] claims it): a delivery of a deleted
/// webhook is never claimed.
const QUEUE: Queue = Queue {
    table: "webhook_deliveries",
    limit: "coalesce(attempt_limit, $3)",
    claimable: " AND EXISTS (SELECT 1 FROM webhooks w WHERE w.tenant_id = d.tenant_id \
        AND w.id = d.webhook_id AND w.deleted_at IS NULL)",
    on_lapse: "",
};

/// The usual attempt limit, as the queries bind it.
fn max_attempts() -> Result<i32, StoreError> {
    i32::try_from(MAX_ATTEMPTS).map_err(StoreError::corrupt)
}

/// The reads the webhook store repeats, on the database `DB`.
struct Rows<DB>(PhantomData<DB>);

#[each_database]
impl Rows<DB> {
    /// A webhook; with `lock`, PostgreSQL keeps its row locked until the
    /// transaction ends.
    async fn webhook(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: WebhookId,
        lock: bool,
    ) -> Result<Option<Webhook>, StoreError> {
        let lock = if lock { DB::FOR_UPDATE } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = $1 AND id = $2{lock}"
        ));
        sqlx::query_as::<DB, WebhookRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?
            .map(WebhookRow::into_domain)
            .transpose()
    }

    /// One delivery with its attempt log, its row locked (PostgreSQL).
    async fn delivery(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: DeliveryId,
    ) -> Result<Option<Delivery>, StoreError> {
        let (columns, lock) = (delivery_columns::<DB>(), DB::FOR_UPDATE);
        let sql = format!(
            "SELECT {columns} FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2{lock}"
        );
        let Some(row) = sqlx::query_as::<DB, DeliveryRow<Instant<DB>>>(sqlx::AssertSqlSafe(sql))
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts \
             WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY number"
        );
        let attempts = sqlx::query_as::<DB, AttemptRow<Instant<DB>>>(sqlx::AssertSqlSafe(sql))
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(&mut *conn)
            .await?;
        Ok(with_attempts(vec![row.into_domain()?], attempts)?.pop())
    }
}

#[each_database]
#[async_trait]
impl WebhookStore for DbStore {
    async fn create_webhook(
        &self,
        tenant: TenantId,
        new: NewWebhook,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Webhook, StoreError> {
        let webhook = Webhook {
            id: WebhookId::new(),
            tenant_id: tenant,
            url: new.url,
            events: new.events,
            created_at: now,
            deleted_at: None,
        };
        let mut tx = self.write(tenant).await?;
        // Takes the tenant's directory row (see the module documentation).
        sqlx::query::<DB>(
            "INSERT INTO webhook_tenants (tenant_id) VALUES ($1) \
             ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = excluded.tenant_id",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(|e| unknown_tenant(e, tenant))?;
        let active: i64 = sqlx::query_scalar::<DB, i64>(
            "SELECT count(*) FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        if usize::try_from(active).unwrap_or(usize::MAX) >= MAX_WEBHOOKS_PER_TENANT {
            return Err(too_many_webhooks());
        }
        // It receives the events after its own `webhook.created`: none committed
        // before it (whatever other transactions still run), every one after.
        let record = webhook_created(&webhook, actor);
        Journal::<DB>::append(&mut tx, &record).await?;
        let at = On::<DB>::position_of(&mut tx, record.event_id).await?;
        let cursor = DB::kept("$8", "$6");
        let columns = DB::kept("cursor_txid", "cursor_seq");
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO webhooks (tenant_id, id, url, events, secret, {columns}, created_at) \
             VALUES ($1, $2, $3, $4, $5, {cursor}, $7)"
        )))
        .bind(tenant.as_uuid())
        .bind(webhook.id.as_uuid())
        .bind(webhook.url.as_str().to_owned())
        .bind(Json(webhook.events.to_strings()))
        .bind(stored_secret(
            self.secrets(),
            &new.secret,
            tenant,
            webhook.id,
        ))
        .bind(at.seq)
        .bind(DB::stamp(now))
        .bind(at.txid)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.announce();
        Ok(webhook)
    }

    async fn webhooks(
        &self,
        tenant: TenantId,
        include_deleted: bool,
    ) -> Result<Vec<Webhook>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = $1 \
             AND ($2 OR deleted_at IS NULL) ORDER BY id"
        ));
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, WebhookRow<Instant<DB>>>(sql)
            .bind(tenant.as_uuid())
            .bind(include_deleted)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(WebhookRow::into_domain)
            .collect()
    }

    async fn webhook(
        &self,
        tenant: TenantId,
        id: WebhookId,
    ) -> Result<Option<Webhook>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Rows::<DB>::webhook(&mut conn, tenant, id, false).await
    }

    async fn delete_webhook(
        &self,
        tenant: TenantId,
        id: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Webhook, StoreError> {
        let mut tx = self.write(tenant).await?;
        let lock = DB::FOR_UPDATE;
        sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM webhook_tenants WHERE tenant_id = $1{lock}"
        )))
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        let before = Rows::<DB>::webhook(&mut tx, tenant, id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook", id))?;
        if before.deleted_at.is_some() {
            return Ok(before);
        }
        let after = Webhook {
            deleted_at: Some(now),
            ..before
        };
        sqlx::query::<DB>("UPDATE webhooks SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(DB::stamp(now))
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let failed = sqlx::query::<DB>(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND webhook_id = $3 AND status = 'pending'",
        )
        .bind(DB::stamp(now))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?
        .affected();
        sqlx::query::<DB>(
            "DELETE FROM webhook_tenants WHERE tenant_id = $1 AND NOT EXISTS \
               (SELECT 1 FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL)",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        Journal::<DB>::append(&mut tx, &webhook_deleted(&after, actor, failed)).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        page: DeliveryPage,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut conn = self.read(tenant).await?;
        if Rows::<DB>::webhook(&mut conn, tenant, webhook, false)
            .await?
            .is_none()
        {
            return Err(StoreError::not_found("webhook", webhook));
        }
        let mut qb = QueryBuilder::<DB>::new(format!(
            "SELECT {} FROM webhook_deliveries WHERE tenant_id = ",
            delivery_columns::<DB>()
        ));
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND webhook_id = ").push_bind(webhook.as_uuid());
        if let Some(before) = page.before {
            qb.push(" AND id < ").push_bind(before.as_uuid());
        }
        qb.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(page.limit.min(1000)));
        let deliveries = qb
            .build_query_as::<DeliveryRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(DeliveryRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        if deliveries.is_empty() {
            return Ok(deliveries);
        }
        let mut qb = QueryBuilder::<DB>::new(format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE tenant_id = "
        ));
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND delivery_id IN (");
        let mut ids = qb.separated(", ");
        for d in &deliveries {
            ids.push_bind(d.id.as_uuid());
        }
        ids.push_unseparated(") ORDER BY delivery_id, number");
        let attempts = qb
            .build_query_as::<AttemptRow<Instant<DB>>>()
            .fetch_all(&mut *conn)
            .await?;
        with_attempts(deliveries, attempts)
    }

    async fn webhook_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar::<DB, Uuid>(
            "SELECT tenant_id FROM webhook_tenants ORDER BY tenant_id",
        )
        .fetch_all(self.sql_pool())
        .await?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }

    async fn seal_webhook_secrets(&self) -> Result<u64, StoreError> {
        let Some(secrets) = self.secrets() else {
            return Ok(0);
        };
        let mut sealed = 0;
        for tenant in Tenants::<DB>::ids(self.sql_pool()).await? {
            let mut tx = self.write(tenant).await?;
            let plain: Vec<(Uuid, String)> = sqlx::query_as::<DB, (Uuid, String)>(
                "SELECT id, secret FROM webhooks WHERE tenant_id = $1 \
                 AND secret NOT LIKE 'v1:%' ORDER BY id",
            )
            .bind(tenant.as_uuid())
            .fetch_all(&mut *tx)
            .await?;
            for (id, text) in plain {
                let secret = text.parse().map_err(StoreError::corrupt)?;
                let id = WebhookId::from_uuid(id);
                sqlx::query::<DB>(
                    "UPDATE webhooks SET secret = $1 WHERE tenant_id = $2 AND id = $3",
                )
                .bind(stored_secret(Some(secrets), &secret, tenant, id))
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
                sealed += 1;
            }
            tx.commit().await?;
        }
        Ok(sealed)
    }

    async fn enqueue_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Enqueued, StoreError> {
        // A read first: the webhook rows are locked (a write) only when there
        // is something to queue, so idle polling never queues behind (or
        // delays) bookings and costs PostgreSQL no transaction id.
        {
            let after = DB::after("e", "w.cursor_txid", "w.cursor_seq");
            let (cursor, order) = (
                kept_position::<DB>("cursor"),
                DB::kept("cursor_txid", "cursor_seq"),
            );
            let mut conn = self.read(tenant).await?;
            let waiting: bool = sqlx::query_scalar::<DB, bool>(sqlx::AssertSqlSafe(format!(
                "SELECT EXISTS (SELECT 1 FROM events e, \
                   (SELECT {cursor} FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL \
                     ORDER BY {order} LIMIT 1) w \
                   WHERE e.tenant_id = $1 AND {after})"
            )))
            .bind(tenant.as_uuid())
            .fetch_one(&mut *conn)
            .await?;
            if !waiting {
                return Ok(Enqueued::default());
            }
        }
        let mut tx = self.write(tenant).await?;
        let (cursor, lock) = (kept_position::<DB>("cursor"), DB::FOR_UPDATE);
        let heads = sqlx::query_as::<DB, (Uuid, Json<Vec<String>>, i64, i64)>(sqlx::AssertSqlSafe(
            format!(
                "SELECT id, events, {cursor} FROM webhooks \
                 WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id{lock}"
            ),
        ))
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(id, events, txid, seq)| {
            Ok(QueueHead {
                id: WebhookId::from_uuid(id),
                events: EventFilters::parse(&events.0).map_err(StoreError::corrupt)?,
                cursor: EventCursor { txid, seq },
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let Some(from) = lowest_cursor(&heads) else {
            return Ok(Enqueued::default());
        };
        let events: Vec<(i64, i64, Uuid, String)> =
            On::<DB>::events_after(&mut tx, tenant, from, limit, "e.id, e.kind").await?;
        let events = events
            .into_iter()
            .map(|(txid, seq, id, kind)| {
                Ok(QueuedEvent {
                    cursor: EventCursor { txid, seq },
                    id: EventId::from_uuid(id),
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let (deliveries, moved) = plan_enqueue(&heads, &events);
        // In batches well under the database's bind parameters.
        let columns = DB::kept("event_txid", "event_seq");
        for chunk in deliveries.chunks(DB::MAX_BINDS / 12) {
            let mut qb = QueryBuilder::<DB>::new(format!(
                "INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_id, \
                   event_kind, {columns}, status, attempts, next_attempt_at, created_at, \
                   updated_at) "
            ));
            qb.push_values(chunk, |mut row, d| {
                row.push_bind(tenant.as_uuid())
                    .push_bind(d.id.as_uuid())
                    .push_bind(d.webhook_id.as_uuid())
                    .push_bind(d.event_id.as_uuid())
                    .push_bind(d.event_kind.as_str());
                if DB::TXIDS {
                    row.push_bind(d.cursor.txid);
                }
                row.push_bind(d.cursor.seq)
                    .push_bind("pending")
                    .push_bind(0_i32)
                    .push_bind(DB::stamp(now))
                    .push_bind(DB::stamp(now))
                    .push_bind(DB::stamp(now));
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        let set = DB::kept("cursor_txid = $4", "cursor_seq = $1");
        for (id, cursor) in &moved {
            sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
                "UPDATE webhooks SET {set} WHERE tenant_id = $2 AND id = $3"
            )))
            .bind(cursor.seq)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(cursor.txid)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(enqueued(deliveries.len() as u64, events.len(), limit))
    }

    async fn claim_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let claimed = On::<DB>::lease(self, &QUEUE, tenant, now, lease, (MAX_ATTEMPTS, limit));
        let Some((mut tx, lease)) = claimed.await? else {
            return Ok(Vec::new());
        };
        sqlx::query::<DB>(
            "INSERT INTO webhook_attempts (tenant_id, delivery_id, number, started_at) \
             SELECT tenant_id, id, attempts, $3 FROM webhook_deliveries \
             WHERE tenant_id = $1 AND lease_id = $2 ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .bind(lease.id)
        .bind(DB::stamp(now))
        .execute(&mut *tx)
        .await?;
        let position = event_position::<DB>("e", "event");
        let rows = sqlx::query_as::<DB, ClaimRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.webhook_id, d.attempts, \
               d.attempts >= COALESCE(d.attempt_limit, $3) AS final_attempt, w.url, w.secret, \
               {position}, e.id AS event_id, e.kind, e.entity_id, e.payload, e.at \
             FROM webhook_deliveries d \
             JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id \
             JOIN events e ON e.id = d.event_id AND e.tenant_id = d.tenant_id \
             WHERE d.tenant_id = $1 AND d.lease_id = $2 ORDER BY d.id"
        )))
        .bind(tenant.as_uuid())
        .bind(lease.id)
        .bind(max_attempts()?)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                let webhook_id = WebhookId::from_uuid(row.webhook_id);
                Ok(ClaimedDelivery {
                    id: DeliveryId::from_uuid(row.id),
                    tenant_id: tenant,
                    webhook_id,
                    lease: lease.id,
                    lease_expires_at: lease.expires,
                    attempt: u32::try_from(row.attempts).map_err(StoreError::corrupt)?,
                    final_attempt: row.final_attempt,
                    url: row.url.parse().map_err(StoreError::corrupt)?,
                    secret: read_secret(self.secrets(), &row.secret, tenant, webhook_id)?,
                    event: Event {
                        cursor: EventCursor {
                            txid: row.event_txid,
                            seq: row.event_seq,
                        },
                        id: EventId::from_uuid(row.event_id),
                        tenant_id: tenant,
                        kind: row.kind.parse().map_err(StoreError::corrupt)?,
                        entity_id: row.entity_id,
                        payload: row.payload.0,
                        at: row.at.instant()?,
                    },
                })
            })
            .collect()
    }

    async fn finish_attempt(
        &self,
        tenant: TenantId,
        report: &AttemptReport,
    ) -> Result<bool, StoreError> {
        let (status, next) = after_attempt(report);
        let attempt = i32::try_from(report.attempt).map_err(StoreError::corrupt)?;
        let mut tx = self.write(tenant).await?;
        sqlx::query::<DB>(
            "UPDATE webhook_attempts SET finished_at = $1, response_status = $2, error = $3 \
             WHERE tenant_id = $4 AND delivery_id = $5 AND number = $6",
        )
        .bind(DB::stamp(report.finished_at))
        .bind(report.response_status.map(i32::from))
        .bind(report.error.clone())
        .bind(tenant.as_uuid())
        .bind(report.delivery_id.as_uuid())
        .bind(attempt)
        .execute(&mut *tx)
        .await?;
        let held = sqlx::query::<DB>(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, lease_id = NULL, \
               updated_at = $3 \
             WHERE tenant_id = $4 AND id = $5 AND lease_id = $6 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(next.map(DB::stamp))
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

    async fn retry_failed_webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write(tenant).await?;
        // Locked, as a deletion locks it: a retry and a deletion do not cross.
        let hook = Rows::<DB>::webhook(&mut tx, tenant, webhook, true)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook", webhook))?;
        if hook.deleted_at.is_some() {
            return Err(retry_of_deleted(&hook));
        }
        // One more attempt each: the limit is one past the attempts made.
        let retried_now = sqlx::query::<DB>(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, \
               attempt_limit = attempts + 1, lease_id = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND webhook_id = $3 AND status = 'failed' \
               AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = webhook_deliveries.tenant_id \
                 AND e.id = webhook_deliveries.event_id)",
        )
        .bind(DB::stamp(now))
        .bind(tenant.as_uuid())
        .bind(webhook.as_uuid())
        .execute(&mut *tx)
        .await?
        .affected();
        Journal::<DB>::append_audit(&mut tx, &retried(&hook, retried_now, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(retried_now)
    }

    async fn resend_webhook_delivery(
        &self,
        tenant: TenantId,
        id: DeliveryId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let mut tx = self.write(tenant).await?;
        // The webhook's row first, as a deletion takes it (then the
        // deliveries): a resend and a deletion do not cross.
        let webhook: Uuid = sqlx::query_scalar::<DB, Uuid>(
            "SELECT webhook_id FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        let hook = Rows::<DB>::webhook(&mut tx, tenant, WebhookId::from_uuid(webhook), true)
            .await?
            .ok_or_else(|| StoreError::corrupt(format!("delivery {id} without its webhook")))?;
        let before = Rows::<DB>::delivery(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        let kept: bool = sqlx::query_scalar::<DB, bool>(
            "SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = $1 AND id = $2)",
        )
        .bind(tenant.as_uuid())
        .bind(before.event_id.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(refusal) = resend_refusal(&before, hook.deleted_at.is_some(), kept) {
            // Rolled back now, not when the connection next rejoins the pool:
            // until then the delivery's row stays locked, and a worker's claim
            // (SKIP LOCKED) would pass it over.
            tx.rollback().await?;
            return Err(refusal);
        }
        On::<DB>::once_more(&mut tx, &QUEUE, tenant, id.as_uuid(), now).await?;
        Journal::<DB>::append_audit(&mut tx, &resent(&before, actor, now)).await?;
        let after = Rows::<DB>::delivery(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn prune_webhook_deliveries(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write(tenant).await?;
        let with = [("webhook_attempts", "delivery_id")];
        let pruned = On::<DB>::prune(&mut tx, &QUEUE, &with, tenant, before, limit).await?;
        tx.commit().await?;
        Ok(pruned)
    }
}
