//! [`MailStore`] for PostgreSQL, with the SQL of `store::mail::sql`, under
//! row-level security like every other method (each transaction names its
//! tenant first). Several instances share the queue:
//!
//! - An enqueue pass locks the tenant's row in `mail_tenants` (`FOR UPDATE`),
//!   so two passes take turns and the second starts from the position the
//!   first stored: each event is queued once per recipient (the unique key on
//!   (event, recipient) would refuse a second copy anyway). Events are read as
//!   `events_after` reads them: only transactions older than every running
//!   one, so a position never passes an event that commits later.
//! - A claim picks due messages `FOR UPDATE SKIP LOCKED` and leases them in
//!   the same statement: a concurrent claimer skips rows being claimed and,
//!   once the claim commits, finds them no longer due.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::AssertSqlSafe;
use sqlx::types::Json;
use uuid::Uuid;

use super::{PostgresStore, append_audit};
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
impl MailStore for PostgresStore {
    async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
            .fetch_all(self.pool())
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
        // A read first: the tenant's row is locked (a write) only when there is
        // something to queue (or on the first visit), so idle polling costs no
        // transaction id.
        {
            let mut tx = self.begin_tenant(tenant).await?;
            let waiting: Option<bool> = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = $1 \
                   AND (e.txid, e.seq) > (m.cursor_txid::text::xid8, m.cursor_seq) \
                   AND e.txid < pg_snapshot_xmin(pg_current_snapshot())) \
                 FROM mail_tenants m WHERE m.tenant_id = $1",
            )
            .bind(tenant.as_uuid())
            .fetch_optional(&mut *tx)
            .await?;
            if waiting == Some(false) {
                return Ok(Enqueued::default());
            }
        }
        let mut tx = self.begin_tenant(tenant).await?;
        // The first visit: the position starts at the end of the stream (past
        // every transaction older than the running ones; a concurrent first
        // visit inserts nothing).
        let started = sqlx::query(
            "INSERT INTO mail_tenants (tenant_id, cursor_txid, cursor_seq) \
             SELECT $1, coalesce(max(txid::text::bigint), 0), coalesce(max(seq), 0) FROM ( \
               SELECT txid, seq FROM events WHERE tenant_id = $1 \
                 AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
               ORDER BY txid DESC, seq DESC LIMIT 1) last \
             ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(|e| super::unknown_tenant(e.into(), tenant))?
        .rows_affected();
        if started == 1 {
            tx.commit().await?;
            return Ok(Enqueued::default());
        }
        let (txid, seq): (i64, i64) = sqlx::query_as(
            "SELECT cursor_txid, cursor_seq FROM mail_tenants WHERE tenant_id = $1 FOR UPDATE",
        )
        .bind(tenant.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        let sql = format!(
            "SELECT txid::text::bigint, seq, id, kind, at, \
               CASE WHEN {MAIL_EVENT_CONDITION} THEN payload END \
             FROM events \
             WHERE tenant_id = $1 AND (txid, seq) > ($2::text::xid8, $3) \
               AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
             ORDER BY txid, seq LIMIT $4"
        );
        type EventRow = (
            i64,
            i64,
            Uuid,
            String,
            DateTime<Utc>,
            Option<Json<serde_json::Value>>,
        );
        let rows: Vec<EventRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant.as_uuid())
            .bind(txid.to_string())
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        let Some(last) = rows.last().map(|r| (r.0, r.1)) else {
            return Ok(Enqueued::default());
        };
        let events: Vec<MailEvent> = rows
            .into_iter()
            .map(|(_, _, id, kind, at, payload)| {
                Ok(MailEvent::new(
                    EventId::from_uuid(id),
                    kind.parse().map_err(StoreError::corrupt)?,
                    at,
                    payload.map(|p| p.0),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let found = look_up::<sqlx::Postgres>(&mut tx, tenant, &events).await?;
        let actions = plan_mail(
            &events,
            found.told,
            &found.guests,
            &found.staff,
            settings,
            now,
        );
        let queued =
            apply::<sqlx::Postgres, _>(&mut tx, tenant, &actions, now, std::convert::identity)
                .await?;
        sqlx::query(
            "UPDATE mail_tenants SET cursor_txid = $1, cursor_seq = $2 WHERE tenant_id = $3",
        )
        .bind(last.0)
        .bind(last.1)
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
        let mut tx = self.begin_tenant(tenant).await?;
        let claimed = claim::<sqlx::Postgres, _, DateTime<Utc>>(
            &mut tx,
            tenant,
            now,
            lease,
            limit,
            " FOR UPDATE SKIP LOCKED",
            std::convert::identity,
        )
        .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn finish_mail(&self, tenant: TenantId, report: &MailReport) -> Result<bool, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let held =
            finish::<sqlx::Postgres, _>(&mut tx, tenant, report, std::convert::identity).await?;
        tx.commit().await?;
        Ok(held)
    }

    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: MailPage,
    ) -> Result<Vec<MailMessage>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        read_page::<sqlx::Postgres, DateTime<Utc>>(&mut tx, tenant, &page).await
    }

    async fn mail_message(
        &self,
        tenant: TenantId,
        id: MailId,
    ) -> Result<Option<MailMessage>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        read_message::<sqlx::Postgres, DateTime<Utc>>(&mut tx, tenant, id, "").await
    }

    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MailMessage, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let (before, after) = match resend::<sqlx::Postgres, _, DateTime<Utc>>(
            &mut tx,
            tenant,
            id,
            now,
            " FOR UPDATE",
        )
        .await
        {
            Ok(done) => done,
            Err(refused) => {
                // Rolled back now, not when the connection next rejoins
                // the pool: until then the message's row stays locked, and
                // a worker's claim (SKIP LOCKED) would pass it over.
                tx.rollback().await?;
                return Err(refused);
            }
        };
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
        let mut tx = self.begin_tenant(tenant).await?;
        let deleted =
            prune::<sqlx::Postgres, _>(&mut tx, tenant, before, limit, " FOR UPDATE SKIP LOCKED")
                .await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
