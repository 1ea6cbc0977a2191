//! The e-mail store's SQL, written once for SQLite and PostgreSQL
//! (docs/decisions/0121): the statements both databases run (numbered `$n`
//! parameters, which SQLite reads too; `{lock}` where PostgreSQL locks rows —
//! `FOR UPDATE`, `SKIP LOCKED` — and SQLite, whose writers are serialized,
//! needs nothing), the rows they read (generic over the stored instant), and
//! the reads and writes themselves, generic over the database. The stores'
//! own files (`mail/{sqlite,postgres}.rs`) keep the transactions and what
//! truly differs: reading the event stream and the first position.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::{
    Guest, MailAction, MailEvent, NewMail, StaffMember, after_attempt, resend_refusal, to_look_up,
    told_of,
};
use crate::ids::{ClientId, EventId, MailId, ReservationId, TenantId, UserId};
use crate::mail::{
    ClaimedMail, EmailAddress, MailAttempt, MailMessage, MailPage, MailReport, MailStatus, ToldStay,
};
use crate::store::StoreError;
use crate::store::sql::{Affected, StoredInstant};

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

/// Fails the messages whose last allowed attempt was claimed and never
/// reported ($1 tenant, $2 now, $3 the usual attempt limit).
const FAIL_LAPSED_SQL: &str = "UPDATE mail_messages SET status = 'failed', \
      next_attempt_at = NULL, lease_id = NULL, \
      last_error = coalesce(last_error, 'no outcome recorded'), updated_at = $2 \
    WHERE tenant_id = $1 AND status = 'pending' AND attempts >= coalesce(attempt_limit, $3) \
      AND next_attempt_at <= $2";

/// Leases due messages: $1 tenant, $2 now, $3 the usual attempt limit,
/// $4 how many, $5 lease id, $6 lease end. `{lock}`: PostgreSQL skips rows
/// another claim is taking.
const CLAIM_SQL: &str = "WITH due AS ( \
      SELECT id FROM mail_messages \
      WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2 \
        AND attempts < coalesce(attempt_limit, $3) AND recipient IS NOT NULL \
      ORDER BY next_attempt_at, id LIMIT $4{lock}) \
    UPDATE mail_messages SET attempts = attempts + 1, lease_id = $5, next_attempt_at = $6, \
      updated_at = $2 \
    WHERE tenant_id = $1 AND id IN (SELECT id FROM due)";

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

/// Gives a message one more attempt due now: $1 tenant, $2 message, $3 now.
const RESEND_SQL: &str = "UPDATE mail_messages SET status = 'pending', \
      next_attempt_at = $3, attempt_limit = attempts + 1, lease_id = NULL, updated_at = $3 \
    WHERE tenant_id = $1 AND id = $2";

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

/// A prune: up to $3 of the tenant's ($1) finished messages last updated
/// before $2, oldest first, with their attempts (which go with them); rows
/// are taken where `{lock}` says.
fn prune_sql(lock: &str) -> String {
    format!(
        "DELETE FROM mail_messages WHERE tenant_id = $1 AND id IN ( \
           SELECT id FROM mail_messages WHERE tenant_id = $1 AND status <> 'pending' \
             AND updated_at < $2 ORDER BY updated_at, id LIMIT $3{lock})"
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

/// What an enqueue pass over `events` needs to know, read on `conn`: what
/// each guest was last told of each reservation, the clients, the users.
pub(crate) async fn look_up<DB>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    events: &[MailEvent],
) -> Result<LookedUp, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (sqlx::types::Json<Value>,): for<'r> sqlx::FromRow<'r, DB::Row>,
    GuestRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    StaffRow: for<'r> sqlx::FromRow<'r, DB::Row>,
{
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

/// What [`look_up`] read.
pub(crate) struct LookedUp {
    /// What each guest was last told of each reservation.
    pub told: HashMap<ReservationId, ToldStay>,
    /// The events' clients.
    pub guests: HashMap<ClientId, Guest>,
    /// The tenant's users.
    pub staff: Vec<StaffMember>,
}

/// A page of the tenant's messages with their attempts, read on `conn`.
pub(crate) async fn read_page<DB, T>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    page: &MailPage,
) -> Result<Vec<MailMessage>, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    T: StoredInstant + Send + Unpin,
    MessageRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
    AttemptRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let (messages_sql, attempts_sql, params) = page_sql(page);
    let mut messages = sqlx::query_as::<DB, MessageRow<T>>(sqlx::AssertSqlSafe(messages_sql));
    let mut attempts = sqlx::query_as::<DB, AttemptRow<T>>(sqlx::AssertSqlSafe(attempts_sql));
    messages = messages.bind(tenant.as_uuid());
    attempts = attempts.bind(tenant.as_uuid());
    for p in params {
        (messages, attempts) = match p {
            PageParam::Before(id) => (messages.bind(id.as_uuid()), attempts.bind(id.as_uuid())),
            PageParam::Status(s) => (messages.bind(s.as_str()), attempts.bind(s.as_str())),
            PageParam::Reservation(r) => (messages.bind(r.as_uuid()), attempts.bind(r.as_uuid())),
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
pub(crate) async fn read_message<DB, T>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    id: MailId,
    lock: &str,
) -> Result<Option<MailMessage>, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    T: StoredInstant + Send + Unpin,
    MessageRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
    AttemptRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let Some(row) = sqlx::query_as::<DB, MessageRow<T>>(sqlx::AssertSqlSafe(message_sql(lock)))
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let attempts = sqlx::query_as::<DB, AttemptRow<T>>(ATTEMPTS_OF_SQL)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(&mut *conn)
        .await?;
    Ok(with_attempts(vec![row.into_domain()?], attempts)?.pop())
}

/// Writes an enqueue pass's plan on `conn`, instants stored as `stamp` makes
/// them: how many messages it queued.
pub(crate) async fn apply<DB, I>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    actions: &[MailAction],
    now: DateTime<Utc>,
    stamp: fn(DateTime<Utc>) -> I,
) -> Result<u64, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Uuid>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    sqlx::types::Json<Value>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    I: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'static,
    DB::QueryResult: Affected,
{
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
            .bind(stamp(m.due))
            .bind(stamp(now))
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
                    .bind(stamp(reminder.due))
                    .bind(sqlx::types::Json(reminder.reservation.clone()))
                    .bind(reminder.recipient.as_str().to_owned())
                    .bind(reminder.recipient_name.clone())
                    .bind(stamp(now))
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
                    .bind(stamp(now))
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(queued)
}

/// Claims due messages on `conn` (see [`MailStore::claim_mail`]); `lock` as
/// [`CLAIM_SQL`] takes it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn claim<DB, I, T>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u32,
    lock: &str,
    stamp: fn(DateTime<Utc>) -> I,
) -> Result<Vec<ClaimedMail>, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    I: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'static,
    T: StoredInstant + Send + Unpin,
    ClaimRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
    DB::QueryResult: Affected,
{
    let lease_id = Uuid::new_v4();
    let expires = now + lease;
    let max = i64::from(crate::mail::MAX_ATTEMPTS);
    sqlx::query::<DB>(FAIL_LAPSED_SQL)
        .bind(tenant.as_uuid())
        .bind(stamp(now))
        .bind(max)
        .execute(&mut *conn)
        .await?;
    let claimed = sqlx::query::<DB>(sqlx::AssertSqlSafe(CLAIM_SQL.replace("{lock}", lock)))
        .bind(tenant.as_uuid())
        .bind(stamp(now))
        .bind(max)
        .bind(i64::from(limit))
        .bind(lease_id)
        .bind(stamp(expires))
        .execute(&mut *conn)
        .await?
        .affected();
    if claimed == 0 {
        return Ok(Vec::new());
    }
    sqlx::query_as::<DB, ClaimRow<T>>(CLAIMED_SQL)
        .bind(tenant.as_uuid())
        .bind(lease_id)
        .bind(max)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| row.into_claimed(tenant, lease_id, expires))
        .collect()
}

/// Records an attempt's outcome on `conn` (see [`MailStore::finish_mail`]):
/// whether the claim was still held.
pub(crate) async fn finish<DB, I>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    report: &MailReport,
    stamp: fn(DateTime<Utc>) -> I,
) -> Result<bool, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    I: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'static,
    Option<I>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    DB::QueryResult: Affected,
{
    let (status, next) = after_attempt(report);
    sqlx::query::<DB>(LOG_ATTEMPT_SQL)
        .bind(tenant.as_uuid())
        .bind(report.id.as_uuid())
        .bind(i64::from(report.attempt))
        .bind(stamp(report.finished_at))
        .bind(report.smtp_code.map(i64::from))
        .bind(report.error.clone())
        .execute(&mut *conn)
        .await?;
    let held = sqlx::query::<DB>(FINISH_SQL)
        .bind(tenant.as_uuid())
        .bind(report.id.as_uuid())
        .bind(report.lease)
        .bind(status.as_str())
        .bind(next.map(stamp))
        .bind(report.subject.clone())
        .bind(report.smtp_code.map(i64::from))
        .bind(report.error.clone())
        .bind(stamp(report.finished_at))
        .execute(&mut *conn)
        .await?
        .affected();
    Ok(held == 1)
}

/// Gives a message one more attempt on `conn` (see
/// [`MailStore::resend_mail`]), its row taken as `lock` says: the message
/// before and after. The caller writes [`resent`]'s audit entry.
pub(crate) async fn resend<DB, I, T>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    id: MailId,
    now: I,
    lock: &str,
) -> Result<(MailMessage, MailMessage), StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    I: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'static,
    T: StoredInstant + Send + Unpin,
    MessageRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
    AttemptRow<T>: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let before = read_message::<DB, T>(conn, tenant, id, lock)
        .await?
        .ok_or_else(|| StoreError::not_found("e-mail", id))?;
    if let Some(refusal) = resend_refusal(&before) {
        return Err(refusal);
    }
    sqlx::query::<DB>(RESEND_SQL)
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let after = read_message::<DB, T>(conn, tenant, id, "")
        .await?
        .ok_or_else(|| StoreError::not_found("e-mail", id))?;
    Ok((before, after))
}

/// Prunes finished messages on `conn` (see [`MailStore::prune_mail`]); `lock`
/// as [`prune_sql`] takes it.
pub(crate) async fn prune<DB, I>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    before: I,
    limit: u32,
    lock: &str,
) -> Result<u64, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    I: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'static,
    DB::QueryResult: Affected,
{
    Ok(sqlx::query::<DB>(sqlx::AssertSqlSafe(prune_sql(lock)))
        .bind(tenant.as_uuid())
        .bind(before)
        .bind(i64::from(limit))
        .execute(&mut *conn)
        .await?
        .affected())
}

/// The e-mail part of a client's erasure, in its transaction on `conn`:
/// addresses blanked, pending messages skipped, snapshots redacted.
pub(crate) async fn erase_client_mail<DB, I>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    client: ClientId,
    now: I,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    sqlx::types::Json<Value>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (Uuid, sqlx::types::Json<Value>): for<'r> sqlx::FromRow<'r, DB::Row>,
    I: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + 'static,
{
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
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The snapshots of an erased client's messages, redacted: the ones that
/// changed.
fn redacted_snapshots(rows: Vec<(Uuid, Value)>) -> Vec<(Uuid, Value)> {
    crate::erasure::redacted(crate::erasure::ErasedEntity::Reservation, rows)
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
