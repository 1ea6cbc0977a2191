//! [`WebhookStore`] for PostgreSQL, under row-level security like every other
//! method (each transaction names its tenant first). Several instances share the
//! queue:
//!
//! - An enqueue pass locks the tenant's active webhook rows (`FOR UPDATE`), so two
//!   passes take turns and the second starts from the positions the first
//!   stored: each event is queued once per webhook (the unique key on
//!   (webhook, event) would refuse a second copy anyway). Events are read as
//!   `events_after` reads them: only transactions older than every running one,
//!   so a position never passes an event that commits later.
//! - A claim picks due deliveries `FOR UPDATE SKIP LOCKED` and leases them in the
//!   same statement: a concurrent claimer skips rows being claimed and, once the
//!   claim commits, finds them no longer due.
//! - Creating and deleting webhooks of one tenant take turns on the tenant's row
//!   in `webhook_tenants`, so the last deletion cannot drop the tenant from the
//!   worker's list while a creation is committing.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{PostgresStore, append, append_audit, unknown_tenant};
use crate::audit::Actor;
use crate::event::{Event, EventCursor};
use crate::ids::{DeliveryId, EventId, TenantId, WebhookId};
use crate::store::StoreError;
use crate::store::webhooks::{
    QueueHead, QueuedEvent, WebhookStore, after_attempt, lowest_cursor, plan_enqueue,
    too_many_webhooks, webhook_created, webhook_deleted,
};
use crate::webhook::{
    AttemptReport, ClaimedDelivery, Delivery, DeliveryAttempt, DeliveryPage, Enqueued,
    EventFilters, MAX_ATTEMPTS, MAX_WEBHOOKS_PER_TENANT, NewWebhook, Webhook,
};

#[derive(sqlx::FromRow)]
struct WebhookRow {
    tenant_id: Uuid,
    id: Uuid,
    url: String,
    events: Json<Vec<String>>,
    created_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

const WEBHOOK_COLUMNS: &str = "tenant_id, id, url, events, created_at, deleted_at";

impl WebhookRow {
    fn into_domain(self) -> Result<Webhook, StoreError> {
        Ok(Webhook {
            id: WebhookId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            url: self.url.parse().map_err(StoreError::corrupt)?,
            events: EventFilters::parse(&self.events.0).map_err(StoreError::corrupt)?,
            created_at: self.created_at,
            deleted_at: self.deleted_at,
        })
    }
}

/// A webhook; with `for_update`, its row stays locked until the transaction ends.
async fn fetch_webhook(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: WebhookId,
    for_update: bool,
) -> Result<Option<Webhook>, StoreError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = $1 AND id = $2{lock}"
    ));
    sqlx::query_as::<_, WebhookRow>(sql)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(WebhookRow::into_domain)
        .transpose()
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    tenant_id: Uuid,
    id: Uuid,
    webhook_id: Uuid,
    event_id: Uuid,
    event_kind: String,
    event_txid: i64,
    event_seq: i64,
    status: String,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl DeliveryRow {
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
            next_attempt_at: self.next_attempt_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            attempt_log: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: Uuid,
    number: i32,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    response_status: Option<i32>,
    error: Option<String>,
}

impl AttemptRow {
    fn into_domain(self) -> Result<DeliveryAttempt, StoreError> {
        Ok(DeliveryAttempt {
            number: u32::try_from(self.number).map_err(StoreError::corrupt)?,
            started_at: self.started_at,
            finished_at: self.finished_at,
            response_status: self
                .response_status
                .map(u16::try_from)
                .transpose()
                .map_err(StoreError::corrupt)?,
            error: self.error,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
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
    at: DateTime<Utc>,
}

#[async_trait]
impl WebhookStore for PostgresStore {
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
        let mut tx = self.begin_tenant(tenant).await?;
        // Takes the tenant's directory row (see the module documentation).
        sqlx::query(
            "INSERT INTO webhook_tenants (tenant_id) VALUES ($1) \
             ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(|e| unknown_tenant(e.into(), tenant))?;
        let active: i64 = sqlx::query_scalar(
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
        append(&mut tx, &record).await?;
        let (txid, seq): (i64, i64) =
            sqlx::query_as("SELECT txid::text::bigint, seq FROM events WHERE id = $1")
                .bind(record.event_id.as_uuid())
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO webhooks (tenant_id, id, url, events, secret, cursor_txid, cursor_seq, \
               created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tenant.as_uuid())
        .bind(webhook.id.as_uuid())
        .bind(webhook.url.as_str())
        .bind(Json(webhook.events.to_strings()))
        .bind(crate::store::webhooks::stored_secret(
            self.secrets(),
            &new.secret,
            tenant,
            webhook.id,
        ))
        .bind(txid)
        .bind(seq)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.committed();
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
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query_as::<_, WebhookRow>(sql)
            .bind(tenant.as_uuid())
            .bind(include_deleted)
            .fetch_all(&mut *tx)
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
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_webhook(&mut tx, tenant, id, false).await
    }

    async fn delete_webhook(
        &self,
        tenant: TenantId,
        id: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Webhook, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query("SELECT 1 FROM webhook_tenants WHERE tenant_id = $1 FOR UPDATE")
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        let before = fetch_webhook(&mut tx, tenant, id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook", id))?;
        if before.deleted_at.is_some() {
            return Ok(before);
        }
        let after = Webhook {
            deleted_at: Some(now),
            ..before
        };
        sqlx::query("UPDATE webhooks SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(now)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let failed = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND webhook_id = $3 AND status = 'pending'",
        )
        .bind(now)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "DELETE FROM webhook_tenants WHERE tenant_id = $1 AND NOT EXISTS \
               (SELECT 1 FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL)",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &webhook_deleted(&after, actor, failed)).await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        page: DeliveryPage,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        if fetch_webhook(&mut tx, tenant, webhook, false)
            .await?
            .is_none()
        {
            return Err(StoreError::not_found("webhook", webhook));
        }
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT tenant_id, id, webhook_id, event_id, event_kind, event_txid, event_seq, \
               status, attempts, next_attempt_at, created_at, updated_at \
             FROM webhook_deliveries WHERE tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND webhook_id = ").push_bind(webhook.as_uuid());
        if let Some(before) = page.before {
            qb.push(" AND id < ").push_bind(before.as_uuid());
        }
        qb.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(page.limit.min(1000)));
        let mut deliveries = qb
            .build_query_as::<DeliveryRow>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(DeliveryRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        if deliveries.is_empty() {
            return Ok(deliveries);
        }
        let ids: Vec<Uuid> = deliveries.iter().map(|d| d.id.as_uuid()).collect();
        let attempts: Vec<AttemptRow> = sqlx::query_as(
            "SELECT delivery_id, number, started_at, finished_at, response_status, error \
             FROM webhook_attempts WHERE tenant_id = $1 AND delivery_id = ANY($2) \
             ORDER BY delivery_id, number",
        )
        .bind(tenant.as_uuid())
        .bind(ids)
        .fetch_all(&mut *tx)
        .await?;
        for row in attempts {
            let id = DeliveryId::from_uuid(row.delivery_id);
            if let Some(d) = deliveries.iter_mut().find(|d| d.id == id) {
                d.attempt_log.push(row.into_domain()?);
            }
        }
        Ok(deliveries)
    }

    async fn webhook_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let ids: Vec<Uuid> =
            sqlx::query_scalar("SELECT tenant_id FROM webhook_tenants ORDER BY tenant_id")
                .fetch_all(self.pool())
                .await?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }

    async fn seal_webhook_secrets(&self) -> Result<u64, StoreError> {
        let Some(secrets) = self.secrets() else {
            return Ok(0);
        };
        let mut sealed = 0;
        for tenant in crate::store::Store::tenants(self).await? {
            let mut tx = self.begin_tenant(tenant.id).await?;
            let plain: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT id, secret FROM webhooks WHERE tenant_id = $1 \
                 AND secret NOT LIKE 'v1:%' ORDER BY id",
            )
            .bind(tenant.id.as_uuid())
            .fetch_all(&mut *tx)
            .await?;
            for (id, text) in plain {
                let secret = text.parse().map_err(StoreError::corrupt)?;
                let stored = crate::store::webhooks::stored_secret(
                    Some(secrets),
                    &secret,
                    tenant.id,
                    WebhookId::from_uuid(id),
                );
                sqlx::query("UPDATE webhooks SET secret = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(stored)
                    .bind(tenant.id.as_uuid())
                    .bind(id)
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
        // A read first: the webhook rows are locked (a write) only when there is
        // something to queue, so idle polling costs no transaction id.
        {
            let mut tx = self.begin_tenant(tenant).await?;
            let waiting: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM events e, \
                   (SELECT cursor_txid, cursor_seq FROM webhooks \
                     WHERE tenant_id = $1 AND deleted_at IS NULL \
                     ORDER BY cursor_txid, cursor_seq LIMIT 1) w \
                   WHERE e.tenant_id = $1 \
                     AND (e.txid, e.seq) > (w.cursor_txid::text::xid8, w.cursor_seq) \
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
        let heads: Vec<(Uuid, Json<Vec<String>>, i64, i64)> = sqlx::query_as(
            "SELECT id, events, cursor_txid, cursor_seq FROM webhooks \
             WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        let heads = heads
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
        let events: Vec<(i64, i64, Uuid, String)> = sqlx::query_as(
            "SELECT txid::text::bigint, seq, id, kind FROM events \
             WHERE tenant_id = $1 AND (txid, seq) > ($2::text::xid8, $3) \
               AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
             ORDER BY txid, seq LIMIT $4",
        )
        .bind(tenant.as_uuid())
        .bind(from.txid.to_string())
        .bind(from.seq)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
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
        // In batches well under PostgreSQL's 65,535 bind parameters.
        for chunk in deliveries.chunks(1000) {
            let mut qb = QueryBuilder::<Postgres>::new(
                "INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_id, event_kind, \
                   event_txid, event_seq, status, attempts, next_attempt_at, created_at, \
                   updated_at) ",
            );
            qb.push_values(chunk, |mut row, d| {
                row.push_bind(tenant.as_uuid())
                    .push_bind(d.id.as_uuid())
                    .push_bind(d.webhook_id.as_uuid())
                    .push_bind(d.event_id.as_uuid())
                    .push_bind(d.event_kind.as_str())
                    .push_bind(d.cursor.txid)
                    .push_bind(d.cursor.seq)
                    .push_bind("pending")
                    .push_bind(0_i32)
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        for (id, cursor) in &moved {
            sqlx::query(
                "UPDATE webhooks SET cursor_txid = $1, cursor_seq = $2 \
                 WHERE tenant_id = $3 AND id = $4",
            )
            .bind(cursor.txid)
            .bind(cursor.seq)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Enqueued {
            deliveries: deliveries.len() as u64,
            events: events.len() as u64,
            more: events.len() as u64 >= u64::from(limit),
        })
    }

    async fn claim_deliveries(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let lease_id = Uuid::new_v4();
        let expires = now + lease;
        let max = i32::try_from(MAX_ATTEMPTS).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_tenant(tenant).await?;
        // The last allowed attempt was claimed and never reported (its worker
        // stopped): nothing more will be tried.
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND status = 'pending' AND attempts >= COALESCE(attempt_limit, $3) \
               AND next_attempt_at <= $1",
        )
        .bind(now)
        .bind(tenant.as_uuid())
        .bind(max)
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "WITH due AS ( \
               SELECT d.id FROM webhook_deliveries d \
               JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id \
               WHERE d.tenant_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 \
                 AND d.attempts < COALESCE(d.attempt_limit, $3) AND w.deleted_at IS NULL \
               ORDER BY d.next_attempt_at, d.id LIMIT $4 \
               FOR UPDATE OF d SKIP LOCKED) \
             UPDATE webhook_deliveries d SET attempts = d.attempts + 1, lease_id = $5, \
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
        sqlx::query(
            "INSERT INTO webhook_attempts (tenant_id, delivery_id, number, started_at) \
             SELECT tenant_id, id, attempts, $3 FROM webhook_deliveries \
             WHERE tenant_id = $1 AND lease_id = $2 ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .bind(lease_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "SELECT d.id, d.webhook_id, d.attempts, \
               d.attempts >= COALESCE(d.attempt_limit, $3) AS final_attempt, w.url, w.secret, \
               e.txid::text::bigint AS event_txid, e.seq AS event_seq, e.id AS event_id, \
               e.kind, e.entity_id, e.payload, e.at \
             FROM webhook_deliveries d \
             JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id \
             JOIN events e ON e.id = d.event_id AND e.tenant_id = d.tenant_id \
             WHERE d.tenant_id = $1 AND d.lease_id = $2 ORDER BY d.id",
        )
        .bind(tenant.as_uuid())
        .bind(lease_id)
        .bind(max)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                Ok(ClaimedDelivery {
                    id: DeliveryId::from_uuid(row.id),
                    tenant_id: tenant,
                    webhook_id: WebhookId::from_uuid(row.webhook_id),
                    lease: lease_id,
                    lease_expires_at: expires,
                    attempt: u32::try_from(row.attempts).map_err(StoreError::corrupt)?,
                    final_attempt: row.final_attempt,
                    url: row.url.parse().map_err(StoreError::corrupt)?,
                    secret: crate::store::webhooks::read_secret(
                        self.secrets(),
                        &row.secret,
                        tenant,
                        WebhookId::from_uuid(row.webhook_id),
                    )?,
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
                        at: row.at,
                    },
                })
            })
            .collect()
    }

    async fn retry_failed_webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // Locked, as a deletion locks it: a retry and a deletion do not cross.
        let hook = fetch_webhook(&mut tx, tenant, webhook, true)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook", webhook))?;
        if hook.deleted_at.is_some() {
            return Err(crate::store::webhooks::retry_of_deleted(&hook));
        }
        // One more attempt each: the limit is one past the attempts made.
        let retried = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, \
               attempt_limit = attempts + 1, lease_id = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND webhook_id = $3 AND status = 'failed' \
               AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = webhook_deliveries.tenant_id \
                 AND e.id = webhook_deliveries.event_id)",
        )
        .bind(now)
        .bind(tenant.as_uuid())
        .bind(webhook.as_uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        append_audit(
            &mut tx,
            &crate::store::webhooks::retried(&hook, retried, actor, now),
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(retried)
    }

    async fn resend_webhook_delivery(
        &self,
        tenant: TenantId,
        id: DeliveryId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        // The webhook's row first, as a deletion takes it (then the
        // deliveries): a resend and a deletion do not cross.
        let webhook: Uuid = sqlx::query_scalar(
            "SELECT webhook_id FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        let hook = fetch_webhook(&mut tx, tenant, WebhookId::from_uuid(webhook), true)
            .await?
            .ok_or_else(|| StoreError::corrupt(format!("delivery {id} without its webhook")))?;
        let before = fetch_delivery(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        let kept: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = $1 AND id = $2)",
        )
        .bind(tenant.as_uuid())
        .bind(before.event_id.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(refusal) =
            crate::store::webhooks::resend_refusal(&before, hook.deleted_at.is_some(), kept)
        {
            // Rolled back now, not when the connection next rejoins the pool:
            // until then the delivery's row stays locked, and a worker's claim
            // (SKIP LOCKED) would pass it over.
            tx.rollback().await?;
            return Err(refusal);
        }
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, \
               attempt_limit = attempts + 1, lease_id = NULL, updated_at = $1 \
             WHERE tenant_id = $2 AND id = $3",
        )
        .bind(now)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            &crate::store::webhooks::resent(&before, actor, now),
        )
        .await?;
        let after = fetch_delivery(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn prune_webhook_deliveries(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE tenant_id = $1 AND status <> 'pending' \
               AND updated_at < $2 ORDER BY updated_at, id LIMIT $3 FOR UPDATE SKIP LOCKED",
        )
        .bind(tenant.as_uuid())
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM webhook_attempts WHERE tenant_id = $1 AND delivery_id = ANY($2)")
            .bind(tenant.as_uuid())
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND id = ANY($2)")
            .bind(tenant.as_uuid())
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    async fn finish_attempt(
        &self,
        tenant: TenantId,
        report: &AttemptReport,
    ) -> Result<bool, StoreError> {
        let (status, next) = after_attempt(report);
        let attempt = i32::try_from(report.attempt).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query(
            "UPDATE webhook_attempts SET finished_at = $1, response_status = $2, error = $3 \
             WHERE tenant_id = $4 AND delivery_id = $5 AND number = $6",
        )
        .bind(report.finished_at)
        .bind(report.response_status.map(i32::from))
        .bind(&report.error)
        .bind(tenant.as_uuid())
        .bind(report.delivery_id.as_uuid())
        .bind(attempt)
        .execute(&mut *tx)
        .await?;
        let held = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, lease_id = NULL, \
               updated_at = $3 \
             WHERE tenant_id = $4 AND id = $5 AND lease_id = $6 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(next)
        .bind(report.finished_at)
        .bind(tenant.as_uuid())
        .bind(report.delivery_id.as_uuid())
        .bind(report.lease)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(held)
    }
}

/// One delivery with its attempt log (on PostgreSQL its row locked).
async fn fetch_delivery(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: DeliveryId,
) -> Result<Option<Delivery>, StoreError> {
    let Some(row) = sqlx::query_as::<_, DeliveryRow>(
        "SELECT tenant_id, id, webhook_id, event_id, event_kind, event_txid, event_seq, \
               status, attempts, next_attempt_at, created_at, updated_at \
             FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(tenant.as_uuid())
    .bind(id.as_uuid())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut delivery = row.into_domain()?;
    let attempts: Vec<AttemptRow> = sqlx::query_as(
        "SELECT delivery_id, number, started_at, finished_at, response_status, error \
             FROM webhook_attempts WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY number",
    )
    .bind(tenant.as_uuid())
    .bind(id.as_uuid())
    .fetch_all(&mut *conn)
    .await?;
    for row in attempts {
        delivery.attempt_log.push(row.into_domain()?);
    }
    Ok(Some(delivery))
}
