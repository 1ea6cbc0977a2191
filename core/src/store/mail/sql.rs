//! [`MailStore`] for both databases, written once (docs/decisions/0121,
//! 0148): the statements both databases run (numbered `$n` parameters, which
//! SQLite reads too; `lock` where PostgreSQL locks rows and SQLite, whose
//! writers are serialized, needs nothing), the rows they read (generic over
//! the stored instant), the reads and writes themselves, and the store over
//! them. The event stream's position (SQLite sequence numbers, PostgreSQL
//! transaction ids), the lease claim and pruning are the queues' shared
//! [`On`] (store/outbox.rs). On PostgreSQL an enqueue pass locks the
//! tenant's row in `mail_tenants` (`FOR UPDATE`), so two passes take turns
//! and the second starts from the position the first stored: each event is
//! queued once per recipient (the unique key on (event, recipient) would
//! refuse a second copy anyway); a claim picks due messages `FOR UPDATE SKIP
//! LOCKED` and leases them in the same statement.

use std::collections::HashMap;
use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::{
    Guest, MailAction, MailEvent, MailStore, NewMail, StaffMember, after_attempt, plan_mail,
    resend_refusal, resent, to_look_up, told_of,
};
use crate::audit::Actor;
use crate::event::EventCursor;
use crate::ids::{ClientId, EventId, MailId, ReservationId, TenantId, UserId};
use crate::mail::{
    ClaimedMail, EmailAddress, MailAttempt, MailMessage, MailPage, MailReport, MailSettings,
    MailStatus, ToldStay,
};
use crate::store::StoreError;
use crate::store::outbox::{
    On, Outbox, Queue, TenantCursor, enqueued, event_position, unknown_tenant,
};
use crate::store::sql::{Affected, Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::tenants::Tenants;
use crate::webhook::Enqueued;

fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(StoreError::corrupt)
}

fn code(n: Option<i64>) -> Result<Option<u16>, StoreError> {
    n.map(u16::try_from)
        .transpose()
        .map_err(StoreError::corrupt)
}

// ---------------------------------------------------------------------------
// The SQL both databases run. `{lock}` marks where PostgreSQL locks rows
// (`FOR UPDATE …`) and SQLite, whose writers are serialized, needs nothing.

/// The columns of [`MessageRow`].
const MESSAGE_COLUMNS: &str = "tenant_id, id, kind, status, recipient, client_id, \
    user_id, reservation_id, event_id, subject, attempts, next_attempt_at, last_error, \
    created_at, updated_at";

/// The latest snapshot the guest was told of a reservation by ($1 tenant,
/// $2 reservation): its request-received, confirmed or changed message.
const TOLD_SQL: &str = "SELECT reservation FROM mail_messages \
    WHERE tenant_id = $1 AND reservation_id = $2 \
      AND kind IN ('request_received', 'confirmed', 'period_changed') \
    ORDER BY created_at DESC, id DESC LIMIT 1";

/// A client as a guest recipient ($1 tenant, $2 client).
const GUEST_SQL: &str = "SELECT name, email, erased_at IS NOT NULL AS erased \
    FROM clients WHERE tenant_id = $1 AND id = $2";

/// Every user of the tenant ($1) with their e-mail opt-ins.
const STAFF_SQL: &str = "SELECT u.id, u.email, u.role, \
      u.disabled_at IS NULL AS active, n.email_new_request, n.email_canceled, n.email_no_show \
    FROM users u LEFT JOIN notification_settings n \
      ON n.tenant_id = u.tenant_id AND n.user_id = u.id \
    WHERE u.tenant_id = $1 ORDER BY u.id";

/// Queues one message: $1 tenant, $2 id, $3 kind, $4 recipient, $5 name,
/// $6 client, $7 user, $8 reservation id, $9 event, $10 snapshot, $11 due,
/// $12 now. A second copy of (event, recipient) is not inserted.
const INSERT_SQL: &str = "INSERT INTO mail_messages (tenant_id, id, kind, status, \
      recipient, recipient_name, client_id, user_id, reservation_id, event_id, reservation, \
      attempts, next_attempt_at, created_at, updated_at) \
    VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $12) \
    ON CONFLICT DO NOTHING";

/// Moves the reservation's pending reminder: $1 tenant, $2 reservation,
/// $3 due, $4 snapshot, $5 recipient, $6 name, $7 now.
const MOVE_REMINDER_SQL: &str = "UPDATE mail_messages SET next_attempt_at = $3, \
      reservation = $4, recipient = $5, recipient_name = $6, updated_at = $7 \
    WHERE tenant_id = $1 AND reservation_id = $2 AND kind = 'reminder' AND status = 'pending'";

/// Skips the reservation's pending reminder: $1 tenant, $2 reservation,
/// $3 why, $4 now.
const SKIP_REMINDER_SQL: &str = "UPDATE mail_messages SET status = 'skipped', \
      next_attempt_at = NULL, lease_id = NULL, last_error = $3, updated_at = $4 \
    WHERE tenant_id = $1 AND reservation_id = $2 AND kind = 'reminder' AND status = 'pending'";

/// The messages of a claim ($1 tenant, $2 lease id, $3 the usual limit).
const CLAIMED_SQL: &str = "SELECT id, kind, recipient, recipient_name, \
      reservation_id, reservation, attempts, \
      attempts >= coalesce(attempt_limit, $3) AS final_attempt, created_at \
    FROM mail_messages WHERE tenant_id = $1 AND lease_id = $2 \
    ORDER BY next_attempt_at, id";

/// Logs an attempt: $1 tenant, $2 message, $3 number, $4 at, $5 code,
/// $6 error (once: a second report of it changes nothing; nor does a report
/// of a message the tenant no longer has).
const LOG_ATTEMPT_SQL: &str = "INSERT INTO mail_attempts (tenant_id, message_id, \
      attempt, at, smtp_code, error) \
    SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
      (SELECT 1 FROM mail_messages WHERE tenant_id = $1 AND id = $2) \
    ON CONFLICT DO NOTHING";

/// Applies an outcome under a held claim: $1 tenant, $2 message, $3 lease,
/// $4 status, $5 next attempt, $6 subject, $7 code, $8 error, $9 at.
const FINISH_SQL: &str = "UPDATE mail_messages SET status = $4, \
      next_attempt_at = $5, lease_id = NULL, subject = coalesce($6, subject), last_code = $7, \
      last_error = $8, updated_at = $9 \
    WHERE tenant_id = $1 AND id = $2 AND lease_id = $3 AND status = 'pending'";

/// One message ($1 tenant, $2 id), its row locked where `{lock}` says.
fn message_sql(lock: &str) -> String {
    format!("SELECT {MESSAGE_COLUMNS} FROM mail_messages WHERE tenant_id = $1 AND id = $2{lock}")
}

/// One message's attempts ($1 tenant, $2 message), first first.
const ATTEMPTS_OF_SQL: &str = "SELECT message_id, attempt, at, smtp_code, error \
    FROM mail_attempts WHERE tenant_id = $1 AND message_id = $2 ORDER BY attempt";

/// The parameters of a log page's query, in order after $1 (the tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PageParam {
    /// The cursor's message id.
    Before(MailId),
    /// The status.
    Status(MailStatus),
    /// The reservation.
    Reservation(ReservationId),
    /// How many.
    Limit(i64),
}

/// The most a page holds.
const MAX_PAGE: u32 = 500;

/// A log page's query: the ids of its messages, newest first, and the
/// parameters to bind after the tenant.
fn page_ids(page: &MailPage) -> (String, Vec<PageParam>) {
    let mut sql = String::from("SELECT id FROM mail_messages WHERE tenant_id = $1");
    let mut params = Vec::new();
    let mut next = |sql: &mut String, cond: &str, p: PageParam| {
        params.push(p);
        sql.push_str(&format!(" AND {cond} ${}", params.len() + 1));
    };
    if let Some(before) = page.before {
        next(&mut sql, "id <", PageParam::Before(before));
    }
    if let Some(status) = page.status {
        next(&mut sql, "status =", PageParam::Status(status));
    }
    if let Some(r) = page.reservation {
        next(&mut sql, "reservation_id =", PageParam::Reservation(r));
    }
    params.push(PageParam::Limit(i64::from(page.limit.min(MAX_PAGE))));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", params.len() + 1));
    (sql, params)
}

/// A log page: the messages' query, their attempts' query (both bind the
/// same parameters), and the parameters after the tenant.
fn page_sql(page: &MailPage) -> (String, String, Vec<PageParam>) {
    let (ids, params) = page_ids(page);
    (
        format!(
            "SELECT {MESSAGE_COLUMNS} FROM mail_messages WHERE tenant_id = $1 \
             AND id IN ({ids}) ORDER BY id DESC"
        ),
        format!(
            "SELECT message_id, attempt, at, smtp_code, error FROM mail_attempts \
             WHERE tenant_id = $1 AND message_id IN ({ids}) ORDER BY message_id, attempt"
        ),
        params,
    )
}

/// The messages an erasure of the client ($2) touches: its own, and staff's
/// about its reservations (their snapshots hold the reservations' notes).
const ERASURE_SNAPSHOTS_SQL: &str = "SELECT id, reservation FROM mail_messages \
    WHERE tenant_id = $1 AND (client_id = $2 OR reservation_id IN \
      (SELECT id FROM reservations WHERE tenant_id = $1 AND client_id = $2))";

/// A message's snapshot after redaction: $1 tenant, $2 message, $3 snapshot.
const ERASURE_SNAPSHOT_SQL: &str =
    "UPDATE mail_messages SET reservation = $3 WHERE tenant_id = $1 AND id = $2";

/// Blanks the client's addresses and skips its pending messages: $1 tenant,
/// $2 client, $3 why, $4 now.
const ERASURE_SQL: &str = "UPDATE mail_messages SET recipient = NULL, \
      recipient_name = NULL, \
      last_error = CASE WHEN status = 'pending' THEN $3 ELSE last_error END, \
      next_attempt_at = CASE WHEN status = 'pending' THEN NULL ELSE next_attempt_at END, \
      lease_id = NULL, \
      status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END, updated_at = $4 \
    WHERE tenant_id = $1 AND client_id = $2";

/// Why an erased guest's pending message is not sent.
const ERASED_WHY: &str = "the guest's data was erased";

/// The SQL condition selecting [`super::mail::MAIL_EVENT_KINDS`] (`kind IN (…)`).
pub(crate) const MAIL_EVENT_CONDITION: &str = "kind IN ('reservation.created', \
    'reservation.changed', 'reservation.state_changed', 'reservation.canceled')";

// ---------------------------------------------------------------------------
// Rows.

/// A message row ([`MESSAGE_COLUMNS`]); `T` is the store's instant.
#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow<T> {
    tenant_id: Uuid,
    id: Uuid,
    kind: String,
    status: String,
    recipient: Option<String>,
    client_id: Option<Uuid>,
    user_id: Option<Uuid>,
    reservation_id: Uuid,
    event_id: Option<Uuid>,
    subject: Option<String>,
    attempts: i64,
    next_attempt_at: Option<T>,
    last_error: Option<String>,
    created_at: T,
    updated_at: T,
}

impl<T: StoredInstant> MessageRow<T> {
    /// The message, without its attempts.
    pub(crate) fn into_domain(self) -> Result<MailMessage, StoreError> {
        Ok(MailMessage {
            id: MailId::from_uuid(self.id),
            tenant_id: TenantId::from_uuid(self.tenant_id),
            kind: self.kind.parse().map_err(StoreError::corrupt)?,
            status: self.status.parse().map_err(StoreError::corrupt)?,
            recipient: self.recipient,
            client_id: self.client_id.map(ClientId::from_uuid),
            user_id: self.user_id.map(UserId::from_uuid),
            reservation_id: ReservationId::from_uuid(self.reservation_id),
            event_id: self.event_id.map(EventId::from_uuid),
            subject: self.subject,
            attempts: count(self.attempts)?,
            next_attempt_at: self.next_attempt_at.map(T::instant).transpose()?,
            last_error: self.last_error,
            created_at: self.created_at.instant()?,
            updated_at: self.updated_at.instant()?,
            attempt_log: Vec::new(),
        })
    }
}

/// An attempt row.
#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow<T> {
    message_id: Uuid,
    attempt: i64,
    at: T,
    smtp_code: Option<i64>,
    error: Option<String>,
}

/// `messages` with their attempts from `attempts` (in message, then number
/// order).
fn with_attempts<T: StoredInstant>(
    mut messages: Vec<MailMessage>,
    attempts: Vec<AttemptRow<T>>,
) -> Result<Vec<MailMessage>, StoreError> {
    for row in attempts {
        let id = MailId::from_uuid(row.message_id);
        if let Some(m) = messages.iter_mut().find(|m| m.id == id) {
            m.attempt_log.push(MailAttempt {
                attempt: count(row.attempt)?,
                at: row.at.instant()?,
                smtp_code: code(row.smtp_code)?,
                error: row.error,
            });
        }
    }
    Ok(messages)
}

/// A claimed message's row ([`CLAIMED_SQL`]).
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow<T> {
    id: Uuid,
    kind: String,
    recipient: Option<String>,
    recipient_name: Option<String>,
    reservation_id: Uuid,
    reservation: sqlx::types::Json<Value>,
    attempts: i64,
    final_attempt: bool,
    created_at: T,
}

impl<T: StoredInstant> ClaimRow<T> {
    /// The claimed message, under `lease` until `expires`.
    pub(crate) fn into_claimed(
        self,
        tenant: TenantId,
        lease: Uuid,
        expires: DateTime<Utc>,
    ) -> Result<ClaimedMail, StoreError> {
        let recipient = self.recipient.ok_or_else(|| {
            StoreError::corrupt(format!("message {} claimed unaddressed", self.id))
        })?;
        Ok(ClaimedMail {
            id: MailId::from_uuid(self.id),
            tenant_id: tenant,
            kind: self.kind.parse().map_err(StoreError::corrupt)?,
            recipient: EmailAddress::parse(&recipient).map_err(StoreError::corrupt)?,
            recipient_name: self.recipient_name,
            reservation_id: ReservationId::from_uuid(self.reservation_id),
            reservation: serde_json::from_value(self.reservation.0).map_err(StoreError::corrupt)?,
            lease,
            lease_expires_at: expires,
            attempt: count(self.attempts)?,
            final_attempt: self.final_attempt,
            created_at: self.created_at.instant()?,
        })
    }
}

/// A user as [`STAFF_SQL`] reads them.
#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: Uuid,
    email: String,
    role: String,
    active: bool,
    email_new_request: Option<bool>,
    email_canceled: Option<bool>,
    email_no_show: Option<bool>,
}

impl StaffRow {
    /// The user as a possible recipient.
    pub(crate) fn into_member(self) -> Result<StaffMember, StoreError> {
        Ok(StaffMember {
            user_id: UserId::from_uuid(self.id),
            address: EmailAddress::parse(&self.email).ok(),
            role: self.role.parse().map_err(StoreError::corrupt)?,
            active: self.active,
            settings: crate::store::push::settings_from([
                None,
                None,
                None,
                None,
                None,
                self.email_new_request,
                self.email_canceled,
                self.email_no_show,
            ]),
        })
    }
}

/// A client as [`GUEST_SQL`] reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct GuestRow {
    name: String,
    email: Option<String>,
    erased: bool,
}

impl GuestRow {
    /// The client as a recipient: no address when it has none berth can send
    /// to, or was erased.
    pub(crate) fn into_guest(self) -> Guest {
        let address = if self.erased {
            None
        } else {
            self.email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok())
        };
        Guest {
            name: self.name,
            address,
        }
    }
}

// ---------------------------------------------------------------------------
// Reads and writes, generic over the database (`T` is its stored instant,
// `I` what an instant is bound as).

/// What [`Sql::<DB>::look_up`] read.
pub(crate) struct LookedUp {
    /// What each guest was last told of each reservation.
    pub told: HashMap<ReservationId, ToldStay>,
    /// The events' clients.
    pub guests: HashMap<ClientId, Guest>,
    /// The tenant's users.
    pub staff: Vec<StaffMember>,
}

/// The e-mail store's reads and writes, on the database `DB`.
pub(crate) struct Sql<DB>(PhantomData<DB>);

#[each_database]
impl Sql<DB> {
    /// What an enqueue pass over `events` needs to know, read on `conn`: what
    /// each guest was last told of each reservation, the clients, the users.
    pub(crate) async fn look_up(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        events: &[MailEvent],
    ) -> Result<LookedUp, StoreError> {
        let (reservations, clients) = to_look_up(events);
        let mut told = HashMap::new();
        for r in reservations {
            let snapshot: Option<sqlx::types::Json<Value>> = sqlx::query_scalar(TOLD_SQL)
                .bind(tenant.as_uuid())
                .bind(r.as_uuid())
                .fetch_optional(&mut *conn)
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
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                guests.insert(c, row.into_guest());
            }
        }
        let staff = sqlx::query_as::<DB, StaffRow>(STAFF_SQL)
            .bind(tenant.as_uuid())
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(StaffRow::into_member)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LookedUp {
            told,
            guests,
            staff,
        })
    }

    /// A page of the tenant's messages with their attempts, read on `conn`.
    pub(crate) async fn read_page(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        page: &MailPage,
    ) -> Result<Vec<MailMessage>, StoreError> {
        let (messages_sql, attempts_sql, params) = page_sql(page);
        let mut messages =
            sqlx::query_as::<DB, MessageRow<Instant<DB>>>(sqlx::AssertSqlSafe(messages_sql));
        let mut attempts =
            sqlx::query_as::<DB, AttemptRow<Instant<DB>>>(sqlx::AssertSqlSafe(attempts_sql));
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
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(MessageRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let attempts = attempts.fetch_all(&mut *conn).await?;
        with_attempts(rows, attempts)
    }

    /// One message of the tenant with its attempts, read on `conn`; `lock` as
    /// [`message_sql`] takes it.
    pub(crate) async fn read_message(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        id: MailId,
        lock: &str,
    ) -> Result<Option<MailMessage>, StoreError> {
        let Some(row) =
            sqlx::query_as::<DB, MessageRow<Instant<DB>>>(sqlx::AssertSqlSafe(message_sql(lock)))
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(&mut *conn)
                .await?
        else {
            return Ok(None);
        };
        let attempts = sqlx::query_as::<DB, AttemptRow<Instant<DB>>>(ATTEMPTS_OF_SQL)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(&mut *conn)
            .await?;
        Ok(with_attempts(vec![row.into_domain()?], attempts)?.pop())
    }

    /// Writes an enqueue pass's plan on `conn`, instants stored as `stamp` makes
    /// them: how many messages it queued.
    pub(crate) async fn apply(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        actions: &[MailAction],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let insert = |m: &NewMail| {
            sqlx::query::<DB>(INSERT_SQL)
                .bind(tenant.as_uuid())
                .bind(m.id.as_uuid())
                .bind(m.kind.as_str())
                .bind(m.recipient.as_str().to_owned())
                .bind(m.recipient_name.clone())
                .bind(m.client_id.map(|c| c.as_uuid()))
                .bind(m.user_id.map(|u| u.as_uuid()))
                .bind(m.reservation_id.as_uuid())
                .bind(m.event_id.map(|e| e.as_uuid()))
                .bind(sqlx::types::Json(m.reservation.clone()))
                .bind(DB::stamp(m.due))
                .bind(DB::stamp(now))
        };
        let mut queued = 0;
        for action in actions {
            match action {
                MailAction::Queue(m) => {
                    queued += insert(m).execute(&mut *conn).await?.affected();
                }
                MailAction::Remind {
                    reminder,
                    insert: new,
                } => {
                    let moved = sqlx::query::<DB>(MOVE_REMINDER_SQL)
                        .bind(tenant.as_uuid())
                        .bind(reminder.reservation_id.as_uuid())
                        .bind(DB::stamp(reminder.due))
                        .bind(sqlx::types::Json(reminder.reservation.clone()))
                        .bind(reminder.recipient.as_str().to_owned())
                        .bind(reminder.recipient_name.clone())
                        .bind(DB::stamp(now))
                        .execute(&mut *conn)
                        .await?
                        .affected();
                    if moved == 0 && *new {
                        queued += insert(reminder).execute(&mut *conn).await?.affected();
                    }
                }
                MailAction::SkipReminder {
                    reservation_id,
                    why,
                } => {
                    sqlx::query::<DB>(SKIP_REMINDER_SQL)
                        .bind(tenant.as_uuid())
                        .bind(reservation_id.as_uuid())
                        .bind(*why)
                        .bind(DB::stamp(now))
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
        Ok(queued)
    }

    /// Records an attempt's outcome on `conn` (see [`MailStore::finish_mail`]):
    /// whether the claim was still held.
    pub(crate) async fn finish(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        report: &MailReport,
    ) -> Result<bool, StoreError> {
        let (status, next) = after_attempt(report);
        sqlx::query::<DB>(LOG_ATTEMPT_SQL)
            .bind(tenant.as_uuid())
            .bind(report.id.as_uuid())
            .bind(i64::from(report.attempt))
            .bind(DB::stamp(report.finished_at))
            .bind(report.smtp_code.map(i64::from))
            .bind(report.error.clone())
            .execute(&mut *conn)
            .await?;
        let held = sqlx::query::<DB>(FINISH_SQL)
            .bind(tenant.as_uuid())
            .bind(report.id.as_uuid())
            .bind(report.lease)
            .bind(status.as_str())
            .bind(next.map(DB::stamp))
            .bind(report.subject.clone())
            .bind(report.smtp_code.map(i64::from))
            .bind(report.error.clone())
            .bind(DB::stamp(report.finished_at))
            .execute(&mut *conn)
            .await?
            .affected();
        Ok(held == 1)
    }
}

/// The e-mail part of a client's erasure, on the database `DB`.
pub(crate) struct ClientMail<DB>(PhantomData<DB>);

#[each_database]
impl ClientMail<DB> {
    /// The e-mail part of a client's erasure, in its transaction on `conn`:
    /// addresses blanked, pending messages skipped, snapshots redacted.
    pub(crate) async fn erase(
        conn: &mut Conn<DB>,
        tenant: TenantId,
        client: ClientId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let rows: Vec<(Uuid, sqlx::types::Json<Value>)> = sqlx::query_as(ERASURE_SNAPSHOTS_SQL)
            .bind(tenant.as_uuid())
            .bind(client.as_uuid())
            .fetch_all(&mut *conn)
            .await?;
        let changed = redacted_snapshots(rows.into_iter().map(|(i, s)| (i, s.0)).collect());
        for (id, snapshot) in changed {
            sqlx::query::<DB>(ERASURE_SNAPSHOT_SQL)
                .bind(tenant.as_uuid())
                .bind(id)
                .bind(sqlx::types::Json(snapshot))
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query::<DB>(ERASURE_SQL)
            .bind(tenant.as_uuid())
            .bind(client.as_uuid())
            .bind(ERASED_WHY)
            .bind(DB::stamp(now))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// The snapshots of an erased client's messages, redacted: the ones that
/// changed.
fn redacted_snapshots(rows: Vec<(Uuid, Value)>) -> Vec<(Uuid, Value)> {
    crate::erasure::redacted(crate::erasure::ErasedEntity::Reservation, rows)
}

/// The message queue (as [`On`] claims it): a message whose recipient was
/// erased is never claimed.
const QUEUE: Queue = Queue {
    table: "mail_messages",
    limit: "coalesce(attempt_limit, $3)",
    claimable: " AND d.recipient IS NOT NULL",
    on_lapse: ", last_error = coalesce(last_error, 'no outcome recorded')",
};

/// The tenant's position in its event stream.
const CURSOR: TenantCursor = TenantCursor {
    table: "mail_tenants",
};

/// An event as an enqueue pass reads it: position, id, kind, when, and the
/// payload of the kinds that can make mail.
type EventRow<T> = (i64, i64, Uuid, String, T, Option<sqlx::types::Json<Value>>);

#[each_database]
#[async_trait]
impl MailStore for DbStore {
    async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        Tenants::<DB>::ids(self.sql_pool()).await
    }

    async fn enqueue_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        settings: MailSettings,
        limit: u32,
    ) -> Result<Enqueued, StoreError> {
        // A read first: the tenant's row is locked (a write) only when there
        // is something to queue (or on the first visit).
        {
            let mut conn = self.read(tenant).await?;
            if On::<DB>::waiting(&mut conn, &CURSOR, tenant).await? == Some(false) {
                return Ok(Enqueued::default());
            }
        }
        let mut tx = self.write(tenant).await?;
        // The first visit: the position starts at the end of the stream (past
        // every transaction older than the running ones; a concurrent first
        // visit inserts nothing).
        let (start, last) = (
            DB::kept("cursor_txid", "cursor_seq"),
            DB::kept(
                "coalesce(max(event_txid), 0)",
                "coalesce(max(event_seq), 0)",
            ),
        );
        let (position, visible, order) = (
            event_position::<DB>("e", "event"),
            DB::visible("e"),
            DB::kept("e.txid DESC", "e.seq DESC"),
        );
        let started = sqlx::query::<DB>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO mail_tenants (tenant_id, {start}) \
             SELECT $1, {last} FROM ( \
               SELECT {position} FROM events e WHERE e.tenant_id = $1 AND {visible} \
               ORDER BY {order} LIMIT 1) last WHERE true \
             ON CONFLICT (tenant_id) DO NOTHING"
        )))
        .bind(tenant.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(|e| unknown_tenant(e, tenant))?
        .affected();
        if started == 1 {
            tx.commit().await?;
            return Ok(Enqueued::default());
        }
        let Some(from) = On::<DB>::lock(&mut tx, &CURSOR, tenant).await? else {
            return Ok(Enqueued::default());
        };
        let columns =
            format!("e.id, e.kind, e.at, CASE WHEN {MAIL_EVENT_CONDITION} THEN e.payload END");
        let rows: Vec<EventRow<Instant<DB>>> =
            On::<DB>::events_after(&mut tx, tenant, from, limit, &columns).await?;
        let Some(last) = rows.last().map(|r| EventCursor {
            txid: r.0,
            seq: r.1,
        }) else {
            return Ok(Enqueued::default());
        };
        let events = rows
            .into_iter()
            .map(|(_, _, id, kind, at, payload)| {
                Ok(MailEvent::new(
                    EventId::from_uuid(id),
                    kind.parse().map_err(StoreError::corrupt)?,
                    at.instant()?,
                    payload.map(|p| p.0),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let found = Sql::<DB>::look_up(&mut tx, tenant, &events).await?;
        let actions = plan_mail(
            &events,
            found.told,
            &found.guests,
            &found.staff,
            settings,
            now,
        );
        let queued = Sql::<DB>::apply(&mut tx, tenant, &actions, now).await?;
        On::<DB>::advance(&mut tx, &CURSOR, tenant, last).await?;
        tx.commit().await?;
        Ok(enqueued(queued, events.len(), limit))
    }

    async fn claim_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, StoreError> {
        let max = crate::mail::MAX_ATTEMPTS;
        let claimed = On::<DB>::lease(self, &QUEUE, tenant, now, lease, (max, limit));
        let Some((mut tx, lease)) = claimed.await? else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query_as::<DB, ClaimRow<Instant<DB>>>(CLAIMED_SQL)
            .bind(tenant.as_uuid())
            .bind(lease.id)
            .bind(i64::from(max))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| row.into_claimed(tenant, lease.id, lease.expires))
            .collect()
    }

    async fn finish_mail(&self, tenant: TenantId, report: &MailReport) -> Result<bool, StoreError> {
        let mut tx = self.write(tenant).await?;
        let held = Sql::<DB>::finish(&mut tx, tenant, report).await?;
        tx.commit().await?;
        Ok(held)
    }

    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: MailPage,
    ) -> Result<Vec<MailMessage>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Sql::<DB>::read_page(&mut conn, tenant, &page).await
    }

    async fn mail_message(
        &self,
        tenant: TenantId,
        id: MailId,
    ) -> Result<Option<MailMessage>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Sql::<DB>::read_message(&mut conn, tenant, id, "").await
    }

    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MailMessage, StoreError> {
        let mut tx = self.write(tenant).await?;
        let before = Sql::<DB>::read_message(&mut tx, tenant, id, DB::FOR_UPDATE)
            .await?
            .ok_or_else(|| StoreError::not_found("e-mail", id))?;
        if let Some(refusal) = resend_refusal(&before) {
            // Rolled back now, not when the connection next rejoins the pool:
            // until then the message's row stays locked, and a worker's claim
            // (SKIP LOCKED) would pass it over.
            tx.rollback().await?;
            return Err(refusal);
        }
        On::<DB>::once_more(&mut tx, &QUEUE, tenant, id.as_uuid(), now).await?;
        let after = Sql::<DB>::read_message(&mut tx, tenant, id, "")
            .await?
            .ok_or_else(|| StoreError::not_found("e-mail", id))?;
        Journal::<DB>::append_audit(&mut tx, &resent(&before, actor, now)).await?;
        tx.commit().await?;
        self.announce();
        Ok(after)
    }

    async fn prune_mail(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // The attempts go with their messages (`ON DELETE CASCADE`).
        let mut tx = self.write(tenant).await?;
        let pruned = On::<DB>::prune(&mut tx, &QUEUE, &[], tenant, before, limit).await?;
        tx.commit().await?;
        Ok(pruned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MailKind;
    use crate::store::mail::MAIL_EVENT_KINDS;

    #[test]
    fn page_queries_number_their_parameters_in_order() {
        let page = MailPage {
            before: Some(MailId::new()),
            limit: 10_000,
            status: None,
            reservation: Some(ReservationId::new()),
        };
        let (messages, attempts, params) = page_sql(&page);
        assert!(messages.contains("id < $2 AND reservation_id = $3 ORDER BY id DESC LIMIT $4"));
        assert!(attempts.contains("LIMIT $4"));
        assert_eq!(params.last(), Some(&PageParam::Limit(i64::from(MAX_PAGE))));
    }

    #[test]
    fn the_told_kinds_in_sql_are_those_that_tell() {
        for k in MailKind::ALL {
            assert_eq!(
                TOLD_SQL.contains(&format!("'{}'", k.as_str())),
                k.tells_of_stay(),
                "{k}"
            );
        }
        for k in MAIL_EVENT_KINDS {
            assert!(MAIL_EVENT_CONDITION.contains(&format!("'{}'", k.as_str())));
        }
    }
}
