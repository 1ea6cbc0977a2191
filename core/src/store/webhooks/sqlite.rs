//! [`WebhookStore`] for SQLite. Writers are serialized by `BEGIN IMMEDIATE`, so an
//! enqueue pass or a claim is alone with the queue: nothing else can queue the
//! same event or claim the same delivery meanwhile.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::{SqliteStore, append, append_audit, from_micros, micros, unknown_tenant};
use crate::audit::Actor;
use crate::event::{Event, EventCursor};
use crate::ids::{DeliveryId, EventId, TenantId, WebhookId};
use crate::store::StoreError;
use crate::store::webhooks::{
    QueueHead, QueuedEvent, WebhookStore, after_attempt, lowest_cursor, plan_enqueue,
    too_many_webhooks, webhook_created, webhook_deleted,
};
use crate::webhook::{
    AttemptReport, ClaimedDelivery, Delivery, DeliveryAttempt, DeliveryPage, DeliveryStatus,
    Enqueued, EventFilters, MAX_ATTEMPTS, MAX_WEBHOOKS_PER_TENANT, NewWebhook, Webhook,
};

#[derive(sqlx::FromRow)]
struct WebhookRow {
    tenant_id: Uuid,
    id: Uuid,
    url: String,
    events: Json<Vec<String>>,
    created_at: i64,
    deleted_at: Option<i64>,
}

const WEBHOOK_COLUMNS: &str = "tenant_id, id, url, events, created_at, deleted_at";

impl WebhookRow {
    fn into_domain(self) -> Result<Webhook, StoreError> {
        Ok(Webhook {
            id: WebhookId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            url: self.url.parse().map_err(StoreError::corrupt)?,
            events: EventFilters::parse(&self.events.0).map_err(StoreError::corrupt)?,
            created_at: from_micros(self.created_at)?,
            deleted_at: self.deleted_at.map(from_micros).transpose()?,
        })
    }
}

async fn fetch_webhook(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: WebhookId,
) -> Result<Option<Webhook>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = ? AND id = ?"
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
    event_seq: i64,
    status: String,
    attempts: i64,
    next_attempt_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
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
                txid: 0,
                seq: self.event_seq,
            },
            status: self.status.parse().map_err(StoreError::corrupt)?,
            attempts: u32::try_from(self.attempts).map_err(StoreError::corrupt)?,
            next_attempt_at: self.next_attempt_at.map(from_micros).transpose()?,
            created_at: from_micros(self.created_at)?,
            updated_at: from_micros(self.updated_at)?,
            attempt_log: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: Uuid,
    number: i64,
    started_at: i64,
    finished_at: Option<i64>,
    response_status: Option<i64>,
    error: Option<String>,
}

impl AttemptRow {
    fn into_domain(self) -> Result<DeliveryAttempt, StoreError> {
        Ok(DeliveryAttempt {
            number: u32::try_from(self.number).map_err(StoreError::corrupt)?,
            started_at: from_micros(self.started_at)?,
            finished_at: self.finished_at.map(from_micros).transpose()?,
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
    attempts: i64,
    final_attempt: bool,
    url: String,
    secret: String,
    event_seq: i64,
    event_id: Uuid,
    kind: String,
    entity_id: Uuid,
    payload: Json<serde_json::Value>,
    at: i64,
}

#[async_trait]
impl WebhookStore for SqliteStore {
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
        let mut tx = self.begin_write().await?;
        let active: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM webhooks WHERE tenant_id = ? AND deleted_at IS NULL",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        if usize::try_from(active).unwrap_or(usize::MAX) >= MAX_WEBHOOKS_PER_TENANT {
            return Err(too_many_webhooks());
        }
        // It receives the events after its own `webhook.created`.
        let record = webhook_created(&webhook, actor);
        append(&mut tx, &record)
            .await
            .map_err(|e| unknown_tenant(e, tenant))?;
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM events WHERE id = ?")
            .bind(record.event_id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO webhooks (tenant_id, id, url, events, secret, cursor_seq, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
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
        .bind(seq)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO webhook_tenants (tenant_id) VALUES (?) ON CONFLICT DO NOTHING")
            .bind(tenant.as_uuid())
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
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = ? \
             AND (? OR deleted_at IS NULL) ORDER BY id"
        ));
        sqlx::query_as::<_, WebhookRow>(sql)
            .bind(tenant.as_uuid())
            .bind(include_deleted)
            .fetch_all(&self.pool)
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
        let mut conn = self.pool.acquire().await?;
        fetch_webhook(&mut conn, tenant, id).await
    }

    async fn delete_webhook(
        &self,
        tenant: TenantId,
        id: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Webhook, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = fetch_webhook(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook", id))?;
        if before.deleted_at.is_some() {
            return Ok(before);
        }
        let after = Webhook {
            deleted_at: Some(now),
            ..before
        };
        sqlx::query("UPDATE webhooks SET deleted_at = ? WHERE tenant_id = ? AND id = ?")
            .bind(micros(now))
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let failed = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, updated_at = ? \
             WHERE tenant_id = ? AND webhook_id = ? AND status = 'pending'",
        )
        .bind(micros(now))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "DELETE FROM webhook_tenants WHERE tenant_id = ?1 AND NOT EXISTS \
               (SELECT 1 FROM webhooks WHERE tenant_id = ?1 AND deleted_at IS NULL)",
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
        let mut conn = self.pool.acquire().await?;
        if fetch_webhook(&mut conn, tenant, webhook).await?.is_none() {
            return Err(StoreError::not_found("webhook", webhook));
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT tenant_id, id, webhook_id, event_id, event_kind, event_seq, status, \
               attempts, next_attempt_at, created_at, updated_at \
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
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(DeliveryRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        if deliveries.is_empty() {
            return Ok(deliveries);
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT delivery_id, number, started_at, finished_at, response_status, error \
             FROM webhook_attempts WHERE tenant_id = ",
        );
        qb.push_bind(tenant.as_uuid());
        qb.push(" AND delivery_id IN (");
        let mut ids = qb.separated(", ");
        for d in &deliveries {
            ids.push_bind(d.id.as_uuid());
        }
        ids.push_unseparated(") ORDER BY delivery_id, number");
        let attempts = qb
            .build_query_as::<AttemptRow>()
            .fetch_all(&mut *conn)
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
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }

    async fn seal_webhook_secrets(&self) -> Result<u64, StoreError> {
        let Some(secrets) = self.secrets() else {
            return Ok(0);
        };
        let mut sealed = 0;
        for tenant in crate::store::Store::tenants(self).await? {
            let mut tx = self.begin_write().await?;
            let plain: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT id, secret FROM webhooks WHERE tenant_id = ? \
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
                sqlx::query("UPDATE webhooks SET secret = ? WHERE tenant_id = ? AND id = ?")
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
        // A read first: the write lock is taken only when there is work, so an
        // idle worker's polling never queues behind (or delays) bookings.
        let waiting: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = ?1 AND seq > \
               (SELECT min(cursor_seq) FROM webhooks WHERE tenant_id = ?1 AND deleted_at IS NULL))",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&self.pool)
        .await?;
        if !waiting {
            return Ok(Enqueued::default());
        }
        let mut tx = self.begin_write().await?;
        let heads: Vec<(Uuid, Json<Vec<String>>, i64)> = sqlx::query_as(
            "SELECT id, events, cursor_seq FROM webhooks \
             WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY id",
        )
        .bind(tenant.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        let heads = heads
            .into_iter()
            .map(|(id, events, seq)| {
                Ok(QueueHead {
                    id: WebhookId::from_uuid(id),
                    events: EventFilters::parse(&events.0).map_err(StoreError::corrupt)?,
                    cursor: EventCursor { txid: 0, seq },
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let Some(from) = lowest_cursor(&heads) else {
            return Ok(Enqueued::default());
        };
        // Writers are serialized, so sequence numbers commit in order.
        let events: Vec<(i64, Uuid, String)> = sqlx::query_as(
            "SELECT seq, id, kind FROM events WHERE tenant_id = ? AND seq > ? \
             ORDER BY seq LIMIT ?",
        )
        .bind(tenant.as_uuid())
        .bind(from.seq)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let events = events
            .into_iter()
            .map(|(seq, id, kind)| {
                Ok(QueuedEvent {
                    cursor: EventCursor { txid: 0, seq },
                    id: EventId::from_uuid(id),
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let (deliveries, moved) = plan_enqueue(&heads, &events);
        for d in &deliveries {
            sqlx::query(
                "INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_id, event_kind, \
                   event_seq, status, attempts, next_attempt_at, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(tenant.as_uuid())
            .bind(d.id.as_uuid())
            .bind(d.webhook_id.as_uuid())
            .bind(d.event_id.as_uuid())
            .bind(d.event_kind.as_str())
            .bind(d.cursor.seq)
            .bind(micros(now))
            .bind(micros(now))
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
        }
        for (id, cursor) in &moved {
            sqlx::query("UPDATE webhooks SET cursor_seq = ? WHERE tenant_id = ? AND id = ?")
                .bind(cursor.seq)
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
        }
        if !moved.is_empty() {
            tx.commit().await?;
        }
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
        let due: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM webhook_deliveries \
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
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
               lease_id = NULL, updated_at = ? \
             WHERE tenant_id = ? AND status = 'pending' AND attempts >= COALESCE(attempt_limit, ?) \
               AND next_attempt_at <= ?",
        )
        .bind(micros(now))
        .bind(tenant.as_uuid())
        .bind(i64::from(MAX_ATTEMPTS))
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_id = ?, \
               next_attempt_at = ?, updated_at = ? \
             WHERE tenant_id = ? AND id IN ( \
               SELECT d.id FROM webhook_deliveries d \
               JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id \
               WHERE d.tenant_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ? \
                 AND d.attempts < COALESCE(d.attempt_limit, ?) AND w.deleted_at IS NULL \
               ORDER BY d.next_attempt_at, d.id LIMIT ?)",
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
        sqlx::query(
            "INSERT INTO webhook_attempts (tenant_id, delivery_id, number, started_at) \
             SELECT tenant_id, id, attempts, ?3 FROM webhook_deliveries \
             WHERE tenant_id = ?1 AND lease_id = ?2 ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .bind(lease_id)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "SELECT d.id, d.webhook_id, d.attempts, \
               d.attempts >= COALESCE(d.attempt_limit, ?) AS final_attempt, w.url, w.secret, \
               e.seq AS event_seq, \
               e.id AS event_id, e.kind, e.entity_id, e.payload, e.at \
             FROM webhook_deliveries d \
             JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id \
             JOIN events e ON e.id = d.event_id AND e.tenant_id = d.tenant_id \
             WHERE d.tenant_id = ? AND d.lease_id = ? ORDER BY d.id",
        )
        .bind(i64::from(MAX_ATTEMPTS))
        .bind(tenant.as_uuid())
        .bind(lease_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let attempt = u32::try_from(row.attempts).map_err(StoreError::corrupt)?;
            out.push(ClaimedDelivery {
                id: DeliveryId::from_uuid(row.id),
                tenant_id: tenant,
                webhook_id: WebhookId::from_uuid(row.webhook_id),
                lease: lease_id,
                lease_expires_at: expires,
                attempt,
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
                        txid: 0,
                        seq: row.event_seq,
                    },
                    id: EventId::from_uuid(row.event_id),
                    tenant_id: tenant,
                    kind: row.kind.parse().map_err(StoreError::corrupt)?,
                    entity_id: row.entity_id,
                    payload: row.payload.0,
                    at: from_micros(row.at)?,
                },
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn retry_failed_webhook_deliveries(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let hook = fetch_webhook(&mut tx, tenant, webhook)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook", webhook))?;
        if hook.deleted_at.is_some() {
            return Err(crate::store::webhooks::retry_of_deleted(&hook));
        }
        // One more attempt each: the limit is one past the attempts made.
        let retried = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, \
               attempt_limit = attempts + 1, lease_id = NULL, updated_at = ? \
             WHERE tenant_id = ? AND webhook_id = ? AND status = 'failed' \
               AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = webhook_deliveries.tenant_id \
                 AND e.id = webhook_deliveries.event_id)",
        )
        .bind(micros(now))
        .bind(micros(now))
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
        let mut tx = self.begin_write().await?;
        let before = fetch_delivery(&mut tx, tenant, id)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook delivery", id))?;
        let (deleted, kept): (Option<bool>, bool) = sqlx::query_as("SELECT (SELECT deleted_at IS NOT NULL FROM webhooks WHERE tenant_id = ?1 AND id = ?2), \
               EXISTS (SELECT 1 FROM events WHERE tenant_id = ?1 AND id = ?3)")
            .bind(tenant.as_uuid())
            .bind(before.webhook_id.as_uuid())
            .bind(before.event_id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        if let Some(refusal) =
            crate::store::webhooks::resend_refusal(&before, deleted.unwrap_or(true), kept)
        {
            return Err(refusal);
        }
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?1, \
               attempt_limit = attempts + 1, lease_id = NULL, updated_at = ?1 \
             WHERE tenant_id = ?2 AND id = ?3",
        )
        .bind(micros(now))
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
        // Writers are serialized: both statements see the same oldest rows.
        let mut tx = self.begin_write().await?;
        let mut deleted = 0;
        for sql in [
            "DELETE FROM webhook_attempts WHERE tenant_id = ?1 AND delivery_id IN \
               (SELECT id FROM webhook_deliveries WHERE tenant_id = ?1 AND status <> 'pending' \
                  AND updated_at < ?2 ORDER BY updated_at, id LIMIT ?3)",
            "DELETE FROM webhook_deliveries WHERE tenant_id = ?1 AND id IN \
               (SELECT id FROM webhook_deliveries WHERE tenant_id = ?1 AND status <> 'pending' \
                  AND updated_at < ?2 ORDER BY updated_at, id LIMIT ?3)",
        ] {
            deleted = sqlx::query(sql)
                .bind(tenant.as_uuid())
                .bind(micros(before))
                .bind(i64::from(limit))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }

    async fn finish_attempt(
        &self,
        tenant: TenantId,
        report: &AttemptReport,
    ) -> Result<bool, StoreError> {
        let (status, next) = after_attempt(report);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_attempts SET finished_at = ?, response_status = ?, error = ? \
             WHERE tenant_id = ? AND delivery_id = ? AND number = ?",
        )
        .bind(micros(report.finished_at))
        .bind(report.response_status.map(i64::from))
        .bind(&report.error)
        .bind(tenant.as_uuid())
        .bind(report.delivery_id.as_uuid())
        .bind(i64::from(report.attempt))
        .execute(&mut *tx)
        .await?;
        let held = sqlx::query(
            "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, lease_id = NULL, \
               updated_at = ? \
             WHERE tenant_id = ? AND id = ? AND lease_id = ? AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(next.map(micros))
        .bind(micros(report.finished_at))
        .bind(tenant.as_uuid())
        .bind(report.delivery_id.as_uuid())
        .bind(report.lease)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        debug_assert!(status != DeliveryStatus::Pending || next.is_some());
        Ok(held)
    }
}

/// One delivery with its attempt log (on PostgreSQL its row locked).
async fn fetch_delivery(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: DeliveryId,
) -> Result<Option<Delivery>, StoreError> {
    let Some(row) = sqlx::query_as::<_, DeliveryRow>(
        "SELECT tenant_id, id, webhook_id, event_id, event_kind, event_seq, status, \
               attempts, next_attempt_at, created_at, updated_at \
             FROM webhook_deliveries WHERE tenant_id = ? AND id = ?",
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
             FROM webhook_attempts WHERE tenant_id = ? AND delivery_id = ? ORDER BY number",
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
