//! [`MailStore`] for PostgreSQL, with the SQL texts of `store::mail`, under
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

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

use super::{PostgresStore, append_audit};
use crate::audit::Actor;
use crate::ids::{ClientId, EventId, MailId, TenantId};
use crate::mail::{ClaimedMail, MAX_ATTEMPTS, MailMessage, MailPage, MailReport, MailSettings};
use crate::store::StoreError;
use crate::store::mail::{
    ATTEMPTS_OF_SQL, AttemptRow, CLAIM_SQL, CLAIMED_SQL, ClaimRow, FAIL_LAPSED_SQL, FINISH_SQL,
    GUEST_SQL, GuestRow, INSERT_SQL, LOG_ATTEMPT_SQL, MAIL_EVENT_CONDITION, MOVE_REMINDER_SQL,
    MailAction, MailEvent, MailStore, MessageRow, NewMail, PageParam, RESEND_SQL,
    SKIP_REMINDER_SQL, STAFF_SQL, StaffRow, TOLD_SQL, after_attempt, message_sql, page_sql,
    plan_mail, prune_sql, resend_refusal, resent, to_look_up, told_of, with_attempts,
};
use crate::webhook::Enqueued;

type Row = MessageRow<DateTime<Utc>>;

/// One message with its attempts; with `for_update`, its row stays locked
/// until the transaction ends.
async fn fetch_message(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: MailId,
    for_update: bool,
) -> Result<Option<MailMessage>, StoreError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let Some(row) = sqlx::query_as::<_, Row>(AssertSqlSafe(message_sql(lock)))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let attempts: Vec<AttemptRow<DateTime<Utc>>> = sqlx::query_as(ATTEMPTS_OF_SQL)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(&mut *conn)
        .await?;
    Ok(with_attempts(vec![row.into_domain()?], attempts)?.pop())
}

async fn insert(
    conn: &mut PgConnection,
    tenant: TenantId,
    m: &NewMail,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(INSERT_SQL)
        .bind(tenant.as_uuid())
        .bind(m.id.as_uuid())
        .bind(m.kind.as_str())
        .bind(m.recipient.as_str())
        .bind(&m.recipient_name)
        .bind(m.client_id.map(|c| c.as_uuid()))
        .bind(m.user_id.map(|u| u.as_uuid()))
        .bind(m.reservation_id.as_uuid())
        .bind(m.event_id.map(|e| e.as_uuid()))
        .bind(Json(&m.reservation))
        .bind(m.due)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Writes an enqueue pass's plan: how many messages it queued.
async fn apply(
    conn: &mut PgConnection,
    tenant: TenantId,
    actions: &[MailAction],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    for action in actions {
        match action {
            MailAction::Queue(m) => queued += insert(conn, tenant, m, now).await?,
            MailAction::Remind {
                reminder,
                insert: new,
            } => {
                let moved = sqlx::query(MOVE_REMINDER_SQL)
                    .bind(tenant.as_uuid())
                    .bind(reminder.reservation_id.as_uuid())
                    .bind(reminder.due)
                    .bind(Json(&reminder.reservation))
                    .bind(reminder.recipient.as_str())
                    .bind(&reminder.recipient_name)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if moved == 0 && *new {
                    queued += insert(conn, tenant, reminder, now).await?;
                }
            }
            MailAction::SkipReminder {
                reservation_id,
                why,
            } => {
                sqlx::query(SKIP_REMINDER_SQL)
                    .bind(tenant.as_uuid())
                    .bind(reservation_id.as_uuid())
                    .bind(*why)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(queued)
}

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
        let (reservations, clients) = to_look_up(&events);
        let mut told = HashMap::new();
        for r in reservations {
            let snapshot: Option<Json<serde_json::Value>> = sqlx::query_scalar(TOLD_SQL)
                .bind(tenant.as_uuid())
                .bind(r.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(stay) = snapshot.and_then(|s| told_of(s.0)) {
                told.insert(r, stay);
            }
        }
        let mut guests = HashMap::new();
        for c in clients {
            let row: Option<GuestRow> = sqlx::query_as(GUEST_SQL)
                .bind(tenant.as_uuid())
                .bind(c.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = row {
                guests.insert(c, row.into_guest());
            }
        }
        let staff = sqlx::query_as::<_, StaffRow>(STAFF_SQL)
            .bind(tenant.as_uuid())
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(StaffRow::into_member)
            .collect::<Result<Vec<_>, _>>()?;
        let actions = plan_mail(&events, told, &guests, &staff, settings, now);
        let queued = apply(&mut tx, tenant, &actions, now).await?;
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
        let lease_id = Uuid::new_v4();
        let expires = now + lease;
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query(FAIL_LAPSED_SQL)
            .bind(tenant.as_uuid())
            .bind(now)
            .bind(i64::from(MAX_ATTEMPTS))
            .execute(&mut *tx)
            .await?;
        let claimed = sqlx::query(AssertSqlSafe(
            CLAIM_SQL.replace("{lock}", " FOR UPDATE SKIP LOCKED"),
        ))
        .bind(tenant.as_uuid())
        .bind(now)
        .bind(i64::from(MAX_ATTEMPTS))
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
        let rows: Vec<ClaimRow<DateTime<Utc>>> = sqlx::query_as(CLAIMED_SQL)
            .bind(tenant.as_uuid())
            .bind(lease_id)
            .bind(i64::from(MAX_ATTEMPTS))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| row.into_claimed(tenant, lease_id, expires))
            .collect()
    }

    async fn finish_mail(&self, tenant: TenantId, report: &MailReport) -> Result<bool, StoreError> {
        let (status, next) = after_attempt(report);
        let mut tx = self.begin_tenant(tenant).await?;
        sqlx::query(LOG_ATTEMPT_SQL)
            .bind(tenant.as_uuid())
            .bind(report.id.as_uuid())
            .bind(i64::from(report.attempt))
            .bind(report.finished_at)
            .bind(report.smtp_code.map(i64::from))
            .bind(&report.error)
            .execute(&mut *tx)
            .await?;
        let held = sqlx::query(FINISH_SQL)
            .bind(tenant.as_uuid())
            .bind(report.id.as_uuid())
            .bind(report.lease)
            .bind(status.as_str())
            .bind(next)
            .bind(&report.subject)
            .bind(report.smtp_code.map(i64::from))
            .bind(&report.error)
            .bind(report.finished_at)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(held)
    }

    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: MailPage,
    ) -> Result<Vec<MailMessage>, StoreError> {
        let (messages_sql, attempts_sql, params) = page_sql(&page);
        let mut tx = self.begin_tenant(tenant).await?;
        let mut messages = sqlx::query_as::<_, Row>(AssertSqlSafe(messages_sql));
        let mut attempts =
            sqlx::query_as::<_, AttemptRow<DateTime<Utc>>>(AssertSqlSafe(attempts_sql));
        messages = messages.bind(tenant.as_uuid());
        attempts = attempts.bind(tenant.as_uuid());
        for p in params {
            (messages, attempts) = match p {
                PageParam::Before(id) => (messages.bind(id.as_uuid()), attempts.bind(id.as_uuid())),
                PageParam::Status(s) => (messages.bind(s.as_str()), attempts.bind(s.as_str())),
                PageParam::Reservation(r) => {
                    (messages.bind(r.as_uuid()), attempts.bind(r.as_uuid()))
                }
                PageParam::Limit(n) => (messages.bind(n), attempts.bind(n)),
            };
        }
        let rows = messages
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(Row::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let attempts = attempts.fetch_all(&mut *tx).await?;
        with_attempts(rows, attempts)
    }

    async fn mail_message(
        &self,
        tenant: TenantId,
        id: MailId,
    ) -> Result<Option<MailMessage>, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        fetch_message(&mut tx, tenant, id, false).await
    }

    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MailMessage, StoreError> {
        let mut tx = self.begin_tenant(tenant).await?;
        let before = fetch_message(&mut tx, tenant, id, true)
            .await?
            .ok_or_else(|| StoreError::not_found("e-mail", id))?;
        if let Some(refusal) = resend_refusal(&before) {
            // Rolled back now, not when the connection next rejoins the pool:
            // until then the message's row stays locked, and a worker's claim
            // (SKIP LOCKED) would pass it over.
            tx.rollback().await?;
            return Err(refusal);
        }
        sqlx::query(RESEND_SQL)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, &resent(&before, actor, now)).await?;
        let after = fetch_message(&mut tx, tenant, id, false)
            .await?
            .ok_or_else(|| StoreError::not_found("e-mail", id))?;
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
        let deleted = sqlx::query(AssertSqlSafe(prune_sql(" FOR UPDATE SKIP LOCKED")))
            .bind(tenant.as_uuid())
            .bind(before)
            .bind(i64::from(limit))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }
}

/// The e-mail part of a client's erasure, in its transaction: addresses
/// blanked, pending messages skipped, snapshots redacted.
pub(super) async fn erase_client_mail(
    conn: &mut PgConnection,
    tenant: TenantId,
    client: ClientId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rows: Vec<(Uuid, Json<serde_json::Value>)> =
        sqlx::query_as(crate::store::mail::ERASURE_SNAPSHOTS_SQL)
            .bind(tenant.as_uuid())
            .bind(client.as_uuid())
            .fetch_all(&mut *conn)
            .await?;
    let changed =
        crate::store::mail::redacted_snapshots(rows.into_iter().map(|(i, s)| (i, s.0)).collect());
    for (id, snapshot) in changed {
        sqlx::query(crate::store::mail::ERASURE_SNAPSHOT_SQL)
            .bind(tenant.as_uuid())
            .bind(id)
            .bind(Json(snapshot))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(crate::store::mail::ERASURE_SQL)
        .bind(tenant.as_uuid())
        .bind(client.as_uuid())
        .bind(crate::store::mail::ERASED_WHY)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
