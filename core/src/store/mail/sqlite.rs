//! [`MailStore`] for SQLite, with the SQL of `store::mail::sql`. Writers are
//! serialized by `BEGIN IMMEDIATE`, so an enqueue pass or a claim is alone
//! with the queue: nothing else can queue the same event or claim the same
//! message meanwhile.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::AssertSqlSafe;
use sqlx::types::Json;
use uuid::Uuid;

use super::{SqliteStore, append_audit, micros};
use crate::audit::Actor;
use crate::ids::{EventId, MailId, TenantId};
use crate::mail::{ClaimedMail, MailMessage, MailPage, MailReport, MailSettings};
use crate::store::StoreError;
use crate::store::mail::sql::{
    MAIL_EVENT_CONDITION, apply, claim, finish, look_up, prune, read_message, read_page, resend,
};
use crate::store::mail::{MailEvent, MailStore, plan_mail, resent};
use crate::webhook::Enqueued;

#[async_trait]
impl MailStore for SqliteStore {
    async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }

    async fn enqueue_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        settings: MailSettings,
        limit: u32,
    ) -> Result<Enqueued, StoreError> {
        // A read first: the write lock is taken only when there is work (or
        // the tenant's first visit), so an idle worker never delays bookings.
        let waiting: Option<bool> = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 AND e.seq > m.cursor_seq) \
             FROM mail_tenants m WHERE m.tenant_id = $1",
        )
        .bind(tenant.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        if waiting == Some(false) {
            return Ok(Enqueued::default());
        }
        let mut tx = self.begin_write().await?;
        let cursor: Option<i64> =
            sqlx::query_scalar("SELECT cursor_seq FROM mail_tenants WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(cursor) = cursor else {
            // The first visit: the position starts at the end of the stream.
            sqlx::query(
                "INSERT INTO mail_tenants (tenant_id, cursor_seq) \
                 SELECT $1, coalesce(max(seq), 0) FROM events WHERE tenant_id = $1",
            )
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(|e| super::unknown_tenant(e.into(), tenant))?;
            tx.commit().await?;
            return Ok(Enqueued::default());
        };
        // Writers are serialized, so sequence numbers commit in order.
        let sql = format!(
            "SELECT seq, id, kind, at, CASE WHEN {MAIL_EVENT_CONDITION} THEN payload END \
             FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        );
        type EventRow = (i64, Uuid, String, i64, Option<Json<serde_json::Value>>);
        let rows: Vec<EventRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant.as_uuid())
            .bind(cursor)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            return Ok(Enqueued::default());
        };
        let events = rows
            .into_iter()
            .map(|(_, id, kind, at, payload)| {
                Ok(MailEvent::new(
                    EventId::from_uuid(id),
                    kind.parse().map_err(StoreError::corrupt)?,
                    super::from_micros(at)?,
                    payload.map(|p| p.0),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let found = look_up::<sqlx::Sqlite>(&mut tx, tenant, &events).await?;
        let actions = plan_mail(
            &events,
            found.told,
            &found.guests,
            &found.staff,
            settings,
            now,
        );
        let queued = apply::<sqlx::Sqlite, _>(&mut tx, tenant, &actions, now, micros).await?;
        sqlx::query("UPDATE mail_tenants SET cursor_seq = $1 WHERE tenant_id = $2")
            .bind(last)
            .bind(tenant.as_uuid())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Enqueued {
            deliveries: queued,
            events: events.len() as u64,
            more: events.len() as u64 >= u64::from(limit),
        })
    }

    async fn claim_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, StoreError> {
        let due: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM mail_messages \
               WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2)",
        )
        .bind(tenant.as_uuid())
        .bind(micros(now))
        .fetch_one(&self.pool)
        .await?;
        if !due {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let claimed =
            claim::<sqlx::Sqlite, _, i64>(&mut tx, tenant, now, lease, limit, "", micros).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn finish_mail(&self, tenant: TenantId, report: &MailReport) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let held = finish::<sqlx::Sqlite, _>(&mut tx, tenant, report, micros).await?;
        tx.commit().await?;
        Ok(held)
    }

    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: MailPage,
    ) -> Result<Vec<MailMessage>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_page::<sqlx::Sqlite, i64>(&mut conn, tenant, &page).await
    }

    async fn mail_message(
        &self,
        tenant: TenantId,
        id: MailId,
    ) -> Result<Option<MailMessage>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_message::<sqlx::Sqlite, i64>(&mut conn, tenant, id, "").await
    }

    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MailMessage, StoreError> {
        let mut tx = self.begin_write().await?;
        let (before, after) =
            resend::<sqlx::Sqlite, _, i64>(&mut tx, tenant, id, micros(now), "").await?;
        append_audit(&mut tx, &resent(&before, actor, now)).await?;
        tx.commit().await?;
        self.committed();
        Ok(after)
    }

    async fn prune_mail(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let deleted = prune::<sqlx::Sqlite, _>(&mut tx, tenant, micros(before), limit, "").await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
