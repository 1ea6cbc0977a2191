//! The e-mail part of the storage port (`crate::mail`), and what both stores
//! share for it: the plan of an enqueue pass, the SQL texts both databases run
//! unchanged (numbered `$n` parameters, which SQLite reads too), the rows they
//! read, and the refusals and audit entries.
//!
//! Messages are queued from the outbox, as push notifications are: the tenant
//! has one position in its event stream (`mail_tenants`, written on the
//! worker's first visit at the end of the stream, so no backlog is mailed),
//! and one enqueue transaction locks that row, reads the events after it,
//! inserts one message per (event, recipient) and advances it — so several
//! instances queue each message once (a unique key on (event, recipient)
//! backs this up). Recipients, addresses and the reminder are decided then,
//! by [`plan_mail`]. A claim is a lease, as for webhooks and push: each
//! attempt is claimed once across instances, and a worker that dies
//! mid-attempt only delays the message until its lease lapses.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::StoreError;
use crate::audit::{Actor, AuditEntry};
use crate::event::EventKind;
use crate::ids::{ClientId, EventId, MailId, ReservationId, TenantId, UserId};
use crate::mail::{
    ClaimedMail, EmailAddress, MailAttempt, MailKind, MailMessage, MailNext, MailPage, MailReport,
    MailSettings, MailStatus, ReminderChange, STALE_AFTER, ToldStay, plan_event,
};
use crate::push::NotificationSettings;
use crate::reservation::Reservation;
use crate::user::Role;
use crate::webhook::Enqueued;

/// The e-mail queue and its log. Every [`super::Store`] is one.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// The tenants a mail worker visits: every tenant (a new one is picked up
    /// on the next round; its first visit starts its position).
    async fn mail_tenants(&self) -> Result<Vec<TenantId>, StoreError>;
    /// Queues the messages of the events after the tenant's position, reading
    /// at most `limit` events, in one transaction, and advances it. The first
    /// visit of a tenant only sets its position to the end of its stream
    /// (nothing older is mailed). Events older than [`crate::mail::STALE_AFTER`]
    /// at `now` make no message (they still move or skip a pending reminder).
    /// Guest messages go to the reservation's client when it has an address
    /// [`EmailAddress::parse`] accepts and was not erased; staff messages to
    /// every active owner, admin and staff user who opted in to the kind.
    /// `settings` place the reminder.
    async fn enqueue_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        settings: MailSettings,
        limit: u32,
    ) -> Result<Enqueued, StoreError>;
    /// Claims up to `limit` due messages (oldest due first) for one attempt
    /// each, leased for `lease`; marks failed those whose last allowed attempt
    /// was claimed but never reported once its lease lapsed. A message whose
    /// recipient was erased is never claimed.
    async fn claim_mail(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, StoreError>;
    /// Records an attempt's outcome: the attempt is logged either way; the
    /// message moves on as [`MailReport::next`] says only while the claim is
    /// held. False (and the message left as it is) when it is not: its lease
    /// lapsed and another worker took it, or it was skipped meanwhile.
    async fn finish_mail(&self, tenant: TenantId, report: &MailReport) -> Result<bool, StoreError>;
    /// A page of the tenant's messages, newest first, each with its attempts.
    async fn mail_messages(
        &self,
        tenant: TenantId,
        page: MailPage,
    ) -> Result<Vec<MailMessage>, StoreError>;
    /// One message of the tenant, with its attempts.
    async fn mail_message(
        &self,
        tenant: TenantId,
        id: MailId,
    ) -> Result<Option<MailMessage>, StoreError>;
    /// Sends a sent or failed message again: one more attempt, due at `now`
    /// (its attempt log goes on), with an audit entry; the message as it
    /// stands then. NOT_FOUND for a message the tenant does not have;
    /// CONFLICT when it is pending or skipped, or its recipient was erased.
    async fn resend_mail(
        &self,
        tenant: TenantId,
        id: MailId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MailMessage, StoreError>;
    /// Deletes up to `limit` of the tenant's sent, failed and skipped messages
    /// last updated before `before`, with their attempts, oldest first, in one
    /// transaction: how many went. Pending messages are never touched.
    async fn prune_mail(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}

/// An instant as a store keeps it: SQLite microseconds, PostgreSQL
/// `timestamptz`.
pub(crate) trait StoredInstant {
    /// The instant.
    fn instant(self) -> Result<DateTime<Utc>, StoreError>;
}

impl StoredInstant for i64 {
    fn instant(self) -> Result<DateTime<Utc>, StoreError> {
        DateTime::from_timestamp_micros(self)
            .ok_or_else(|| StoreError::corrupt(format!("instant {self}")))
    }
}

impl StoredInstant for DateTime<Utc> {
    fn instant(self) -> Result<DateTime<Utc>, StoreError> {
        Ok(self)
    }
}

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
pub(crate) const MESSAGE_COLUMNS: &str = "tenant_id, id, kind, status, recipient, client_id, \
    user_id, reservation_id, event_id, subject, attempts, next_attempt_at, last_error, \
    created_at, updated_at";

/// The latest snapshot the guest was told of a reservation by ($1 tenant,
/// $2 reservation): its request-received, confirmed or changed message.
pub(crate) const TOLD_SQL: &str = "SELECT reservation FROM mail_messages \
    WHERE tenant_id = $1 AND reservation_id = $2 \
      AND kind IN ('request_received', 'confirmed', 'period_changed') \
    ORDER BY created_at DESC, id DESC LIMIT 1";

/// A client as a guest recipient ($1 tenant, $2 client).
pub(crate) const GUEST_SQL: &str = "SELECT name, email, erased_at IS NOT NULL AS erased \
    FROM clients WHERE tenant_id = $1 AND id = $2";

/// Every user of the tenant ($1) with their e-mail opt-ins.
pub(crate) const STAFF_SQL: &str = "SELECT u.id, u.email, u.role, \
      u.disabled_at IS NULL AS active, n.email_new_request, n.email_canceled, n.email_no_show \
    FROM users u LEFT JOIN notification_settings n \
      ON n.tenant_id = u.tenant_id AND n.user_id = u.id \
    WHERE u.tenant_id = $1 ORDER BY u.id";

/// Queues one message: $1 tenant, $2 id, $3 kind, $4 recipient, $5 name,
/// $6 client, $7 user, $8 reservation id, $9 event, $10 snapshot, $11 due,
/// $12 now. A second copy of (event, recipient) is not inserted.
pub(crate) const INSERT_SQL: &str = "INSERT INTO mail_messages (tenant_id, id, kind, status, \
      recipient, recipient_name, client_id, user_id, reservation_id, event_id, reservation, \
      attempts, next_attempt_at, created_at, updated_at) \
    VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $12) \
    ON CONFLICT DO NOTHING";

/// Moves the reservation's pending reminder: $1 tenant, $2 reservation,
/// $3 due, $4 snapshot, $5 recipient, $6 name, $7 now.
pub(crate) const MOVE_REMINDER_SQL: &str = "UPDATE mail_messages SET next_attempt_at = $3, \
      reservation = $4, recipient = $5, recipient_name = $6, updated_at = $7 \
    WHERE tenant_id = $1 AND reservation_id = $2 AND kind = 'reminder' AND status = 'pending'";

/// Skips the reservation's pending reminder: $1 tenant, $2 reservation,
/// $3 why, $4 now.
pub(crate) const SKIP_REMINDER_SQL: &str = "UPDATE mail_messages SET status = 'skipped', \
      next_attempt_at = NULL, lease_id = NULL, last_error = $3, updated_at = $4 \
    WHERE tenant_id = $1 AND reservation_id = $2 AND kind = 'reminder' AND status = 'pending'";

/// Fails the messages whose last allowed attempt was claimed and never
/// reported ($1 tenant, $2 now, $3 the usual attempt limit).
pub(crate) const FAIL_LAPSED_SQL: &str = "UPDATE mail_messages SET status = 'failed', \
      next_attempt_at = NULL, lease_id = NULL, \
      last_error = coalesce(last_error, 'no outcome recorded'), updated_at = $2 \
    WHERE tenant_id = $1 AND status = 'pending' AND attempts >= coalesce(attempt_limit, $3) \
      AND next_attempt_at <= $2";

/// Leases due messages: $1 tenant, $2 now, $3 the usual attempt limit,
/// $4 how many, $5 lease id, $6 lease end. `{lock}`: PostgreSQL skips rows
/// another claim is taking.
pub(crate) const CLAIM_SQL: &str = "WITH due AS ( \
      SELECT id FROM mail_messages \
      WHERE tenant_id = $1 AND status = 'pending' AND next_attempt_at <= $2 \
        AND attempts < coalesce(attempt_limit, $3) AND recipient IS NOT NULL \
      ORDER BY next_attempt_at, id LIMIT $4{lock}) \
    UPDATE mail_messages SET attempts = attempts + 1, lease_id = $5, next_attempt_at = $6, \
      updated_at = $2 \
    WHERE tenant_id = $1 AND id IN (SELECT id FROM due)";

/// The messages of a claim ($1 tenant, $2 lease id, $3 the usual limit).
pub(crate) const CLAIMED_SQL: &str = "SELECT id, kind, recipient, recipient_name, \
      reservation_id, reservation, attempts, \
      attempts >= coalesce(attempt_limit, $3) AS final_attempt, created_at \
    FROM mail_messages WHERE tenant_id = $1 AND lease_id = $2 \
    ORDER BY next_attempt_at, id";

/// Logs an attempt: $1 tenant, $2 message, $3 number, $4 at, $5 code,
/// $6 error (once: a second report of it changes nothing; nor does a report
/// of a message the tenant no longer has).
pub(crate) const LOG_ATTEMPT_SQL: &str = "INSERT INTO mail_attempts (tenant_id, message_id, \
      attempt, at, smtp_code, error) \
    SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
      (SELECT 1 FROM mail_messages WHERE tenant_id = $1 AND id = $2) \
    ON CONFLICT DO NOTHING";

/// Applies an outcome under a held claim: $1 tenant, $2 message, $3 lease,
/// $4 status, $5 next attempt, $6 subject, $7 code, $8 error, $9 at.
pub(crate) const FINISH_SQL: &str = "UPDATE mail_messages SET status = $4, \
      next_attempt_at = $5, lease_id = NULL, subject = coalesce($6, subject), last_code = $7, \
      last_error = $8, updated_at = $9 \
    WHERE tenant_id = $1 AND id = $2 AND lease_id = $3 AND status = 'pending'";

/// Gives a message one more attempt due now: $1 tenant, $2 message, $3 now.
pub(crate) const RESEND_SQL: &str = "UPDATE mail_messages SET status = 'pending', \
      next_attempt_at = $3, attempt_limit = attempts + 1, lease_id = NULL, updated_at = $3 \
    WHERE tenant_id = $1 AND id = $2";

/// One message ($1 tenant, $2 id), its row locked where `{lock}` says.
pub(crate) fn message_sql(lock: &str) -> String {
    format!("SELECT {MESSAGE_COLUMNS} FROM mail_messages WHERE tenant_id = $1 AND id = $2{lock}")
}

/// One message's attempts ($1 tenant, $2 message), first first.
pub(crate) const ATTEMPTS_OF_SQL: &str = "SELECT message_id, attempt, at, smtp_code, error \
    FROM mail_attempts WHERE tenant_id = $1 AND message_id = $2 ORDER BY attempt";

/// The parameters of a log page's query, in order after $1 (the tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PageParam {
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
pub(crate) const MAX_PAGE: u32 = 500;

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
pub(crate) fn page_sql(page: &MailPage) -> (String, String, Vec<PageParam>) {
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
pub(crate) fn prune_sql(lock: &str) -> String {
    format!(
        "DELETE FROM mail_messages WHERE tenant_id = $1 AND id IN ( \
           SELECT id FROM mail_messages WHERE tenant_id = $1 AND status <> 'pending' \
             AND updated_at < $2 ORDER BY updated_at, id LIMIT $3{lock})"
    )
}

/// The messages an erasure of the client ($2) touches: its own, and staff's
/// about its reservations (their snapshots hold the reservations' notes).
pub(crate) const ERASURE_SNAPSHOTS_SQL: &str = "SELECT id, reservation FROM mail_messages \
    WHERE tenant_id = $1 AND (client_id = $2 OR reservation_id IN \
      (SELECT id FROM reservations WHERE tenant_id = $1 AND client_id = $2))";

/// A message's snapshot after redaction: $1 tenant, $2 message, $3 snapshot.
pub(crate) const ERASURE_SNAPSHOT_SQL: &str =
    "UPDATE mail_messages SET reservation = $3 WHERE tenant_id = $1 AND id = $2";

/// Blanks the client's addresses and skips its pending messages: $1 tenant,
/// $2 client, $3 why, $4 now.
pub(crate) const ERASURE_SQL: &str = "UPDATE mail_messages SET recipient = NULL, \
      recipient_name = NULL, \
      last_error = CASE WHEN status = 'pending' THEN $3 ELSE last_error END, \
      next_attempt_at = CASE WHEN status = 'pending' THEN NULL ELSE next_attempt_at END, \
      lease_id = NULL, \
      status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END, updated_at = $4 \
    WHERE tenant_id = $1 AND client_id = $2";

/// Why an erased guest's pending message is not sent.
pub(crate) const ERASED_WHY: &str = "the guest's data was erased";

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
pub(crate) fn with_attempts<T: StoredInstant>(
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
            settings: super::push::settings_from([
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
// The plan of an enqueue pass.

/// An outbox event as an enqueue pass reads it.
#[derive(Debug)]
pub(crate) struct MailEvent {
    /// Its id.
    pub id: EventId,
    /// Its kind.
    pub kind: EventKind,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The reservation after it (reservation events whose payload reads as
    /// one), with the payload itself (the messages' snapshot).
    pub reservation: Option<(Reservation, Value)>,
}

impl MailEvent {
    /// The event, read from its kind and payload (`None` for the kinds that
    /// never make mail, whose payload need not be read).
    pub(crate) fn new(
        id: EventId,
        kind: EventKind,
        at: DateTime<Utc>,
        payload: Option<Value>,
    ) -> Self {
        let reservation = payload
            .filter(|_| MAIL_EVENT_KINDS.contains(&kind))
            .and_then(|p| {
                serde_json::from_value::<Reservation>(p.clone())
                    .ok()
                    .map(|r| (r, p))
            });
        Self {
            id,
            kind,
            at,
            reservation,
        }
    }
}

/// The event kinds that can make mail (the payload an enqueue pass reads).
pub(crate) const MAIL_EVENT_KINDS: [EventKind; 4] = [
    EventKind::ReservationCreated,
    EventKind::ReservationChanged,
    EventKind::ReservationStateChanged,
    EventKind::ReservationCanceled,
];

/// The SQL condition selecting [`MAIL_EVENT_KINDS`] (`kind IN (…)`).
pub(crate) const MAIL_EVENT_CONDITION: &str = "kind IN ('reservation.created', \
    'reservation.changed', 'reservation.state_changed', 'reservation.canceled')";

/// A client as a recipient.
#[derive(Clone, Debug)]
pub(crate) struct Guest {
    /// Its name.
    pub name: String,
    /// Where to write, if anywhere.
    pub address: Option<EmailAddress>,
}

/// A user as a recipient.
#[derive(Clone, Debug)]
pub(crate) struct StaffMember {
    /// The user.
    pub user_id: UserId,
    /// Their sign-in address, if it is one berth can send to.
    pub address: Option<EmailAddress>,
    /// Their role.
    pub role: Role,
    /// Not disabled.
    pub active: bool,
    /// Their opt-ins.
    pub settings: NotificationSettings,
}

impl StaffMember {
    fn wants(&self, kind: MailKind) -> bool {
        self.active && self.role.includes(Role::Staff) && self.settings.wants_email(kind)
    }
}

/// A message an enqueue pass queues.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NewMail {
    pub id: MailId,
    pub kind: MailKind,
    pub recipient: EmailAddress,
    pub recipient_name: Option<String>,
    pub client_id: Option<ClientId>,
    pub user_id: Option<UserId>,
    pub reservation_id: ReservationId,
    pub event_id: Option<EventId>,
    pub reservation: Value,
    pub due: DateTime<Utc>,
}

/// What an enqueue pass writes, in order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MailAction {
    /// Queue a message.
    Queue(NewMail),
    /// Move the reservation's pending reminder to `reminder` (its due time,
    /// snapshot and address); when there is none, queue `reminder` if
    /// `insert`.
    Remind { reminder: NewMail, insert: bool },
    /// Skip the reservation's pending reminder.
    SkipReminder {
        reservation_id: ReservationId,
        why: &'static str,
    },
}

/// The stay a stored snapshot tells of.
pub(crate) fn told_of(snapshot: Value) -> Option<ToldStay> {
    serde_json::from_value::<Reservation>(snapshot)
        .ok()
        .map(|r| ToldStay::of(&r))
}

/// What the events need looked up: their reservations and clients, each once.
pub(crate) fn to_look_up(events: &[MailEvent]) -> (Vec<ReservationId>, Vec<ClientId>) {
    let (mut reservations, mut clients) = (Vec::new(), Vec::new());
    for (r, _) in events.iter().filter_map(|e| e.reservation.as_ref()) {
        if !reservations.contains(&r.id) {
            reservations.push(r.id);
        }
        if let Some(c) = r.client_id
            && !clients.contains(&c)
        {
            clients.push(c);
        }
    }
    (reservations, clients)
}

/// The writes of an enqueue pass over `events` (in stream order) at `now`:
/// `told` is what each guest was last told of each reservation before them
/// (updated as messages that tell are queued), `guests` the clients, `staff`
/// the users.
pub(crate) fn plan_mail(
    events: &[MailEvent],
    mut told: HashMap<ReservationId, ToldStay>,
    guests: &HashMap<ClientId, Guest>,
    staff: &[StaffMember],
    settings: MailSettings,
    now: DateTime<Utc>,
) -> Vec<MailAction> {
    let mut out = Vec::new();
    for event in events {
        let Some((r, snapshot)) = &event.reservation else {
            continue;
        };
        let fresh = event.at >= now - STALE_AFTER;
        let plan = plan_event(event.kind, r, told.get(&r.id).copied());
        let guest = r
            .client_id
            .and_then(|c| guests.get(&c).map(|g| (c, g)))
            .and_then(|(c, g)| g.address.clone().map(|a| (c, g, a)));
        let message = |kind, recipient, name, client_id, user_id, event_id, due| NewMail {
            id: MailId::new(),
            kind,
            recipient,
            recipient_name: name,
            client_id,
            user_id,
            reservation_id: r.id,
            event_id,
            reservation: snapshot.clone(),
            due,
        };
        if fresh
            && let Some(kind) = plan.guest
            && let Some((client, g, address)) = &guest
        {
            out.push(MailAction::Queue(message(
                kind,
                address.clone(),
                Some(g.name.clone()),
                Some(*client),
                None,
                Some(event.id),
                now,
            )));
            if kind.tells_of_stay() {
                told.insert(r.id, ToldStay::of(r));
            }
        }
        if fresh && let Some(kind) = plan.staff {
            for s in staff.iter().filter(|s| s.wants(kind)) {
                if let Some(address) = &s.address {
                    out.push(MailAction::Queue(message(
                        kind,
                        address.clone(),
                        None,
                        None,
                        Some(s.user_id),
                        Some(event.id),
                        now,
                    )));
                }
            }
        }
        match plan.reminder {
            ReminderChange::Keep => {}
            ReminderChange::Skip => out.push(MailAction::SkipReminder {
                reservation_id: r.id,
                why: if event.kind == EventKind::ReservationCanceled {
                    "the stay was canceled"
                } else {
                    "the stay is no longer confirmed"
                },
            }),
            ReminderChange::Schedule => {
                let due = settings.reminder_due(r.period.start(), now);
                match (due, &guest) {
                    (Some(due), Some((client, g, address))) => out.push(MailAction::Remind {
                        reminder: message(
                            MailKind::Reminder,
                            address.clone(),
                            Some(g.name.clone()),
                            Some(*client),
                            None,
                            None,
                            due,
                        ),
                        insert: fresh,
                    }),
                    (None, _) => out.push(MailAction::SkipReminder {
                        reservation_id: r.id,
                        why: if settings.reminder_days == 0 {
                            "reminders are off"
                        } else {
                            "the stay starts too soon for a reminder"
                        },
                    }),
                    (Some(_), None) => out.push(MailAction::SkipReminder {
                        reservation_id: r.id,
                        why: "the guest has no e-mail address",
                    }),
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Outcomes, resends.

/// The stored status and next attempt of a message after `report`.
pub(crate) fn after_attempt(report: &MailReport) -> (MailStatus, Option<DateTime<Utc>>) {
    match report.next {
        MailNext::Sent => (MailStatus::Sent, None),
        MailNext::RetryAt(at) => (MailStatus::Pending, Some(at)),
        MailNext::Failed => (MailStatus::Failed, None),
        MailNext::Skipped => (MailStatus::Skipped, None),
    }
}

/// Why a message cannot be sent again, if it cannot.
pub(crate) fn resend_refusal(m: &MailMessage) -> Option<StoreError> {
    let why = match m.status {
        MailStatus::Pending => "is pending already",
        MailStatus::Skipped => "was skipped",
        _ if m.recipient.is_none() => "has no recipient any more (erased)",
        _ => return None,
    };
    Some(StoreError::Conflict(format!(
        "e-mail {} {why}; it is not sent again",
        m.id
    )))
}

/// The audit entry of a message sent again (no event: integrators are not
/// told of e-mail, as they are not of webhook resends).
pub(crate) fn resent(m: &MailMessage, actor: &Actor, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry::new(
        m.tenant_id,
        actor,
        ("email", m.id.as_uuid()),
        "resend",
        json!({
            "kind": m.kind,
            "status": m.status,
            "reservation_id": m.reservation_id,
            "attempts": m.attempts,
        }),
        at,
    )
}

/// The snapshots of an erased client's messages, redacted: the ones that
/// changed.
pub(crate) fn redacted_snapshots(rows: Vec<(Uuid, Value)>) -> Vec<(Uuid, Value)> {
    crate::erasure::redacted(crate::erasure::ErasedEntity::Reservation, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MailKind as K;
    use crate::reservation::Channel;
    use crate::state::ReservationState as S;
    use crate::time_range::TimeRange;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn reservation(
        state: S,
        channel: Channel,
        client: Option<ClientId>,
        from: &str,
    ) -> Reservation {
        let start = at(from);
        let period = TimeRange::new(start, start + Duration::days(2))
            .unwrap_or_else(|_| unreachable!("two days are a period"));
        Reservation {
            id: ReservationId::new(),
            tenant_id: TenantId::new(),
            unit_id: crate::ids::UnitId::new(),
            client_id: client,
            state,
            period,
            occupied: period,
            check_in: None,
            check_out: None,
            quantity: crate::quantity::Quantity::ONE,
            guests: crate::quantity::Guests::new(2).unwrap_or_else(|_| unreachable!()),
            price: None,
            channel,
            idempotency_key: None,
            notes: None,
            hold_expires_at: None,
            refund: None,
            policy_override: None,
            version: 1,
            created_at: at(from),
            updated_at: at(from),
        }
    }

    fn event(kind: EventKind, r: &Reservation, when: DateTime<Utc>) -> MailEvent {
        MailEvent::new(EventId::new(), kind, when, serde_json::to_value(r).ok())
    }

    fn staff(role: Role, active: bool, new_request: bool) -> StaffMember {
        StaffMember {
            user_id: UserId::new(),
            address: EmailAddress::parse("staff@example.org").ok(),
            role,
            active,
            settings: NotificationSettings {
                email_new_request: new_request,
                email_canceled: true,
                ..NotificationSettings::default()
            },
        }
    }

    fn kinds(actions: &[MailAction]) -> Vec<(MailKind, Option<UserId>)> {
        actions
            .iter()
            .filter_map(|a| match a {
                MailAction::Queue(m) => Some((m.kind, m.user_id)),
                MailAction::Remind { reminder, .. } => Some((reminder.kind, None)),
                MailAction::SkipReminder { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_request_tells_the_guest_and_opted_in_staff_then_a_change_follows_it() {
        let now = at("2026-12-01T10:00:00Z");
        let client = ClientId::new();
        let guests = HashMap::from([(
            client,
            Guest {
                name: "Ana".into(),
                address: EmailAddress::parse("ana@example.org").ok(),
            },
        )]);
        let wanted = staff(Role::Staff, true, true);
        let members = [
            wanted.clone(),
            staff(Role::Admin, true, false),
            staff(Role::Viewer, true, true),
            staff(Role::Owner, false, true),
        ];
        let held = reservation(
            S::Held,
            Channel::Public,
            Some(client),
            "2026-12-20T15:00:00Z",
        );
        let moved = Reservation {
            period: TimeRange::new(at("2026-12-22T15:00:00Z"), at("2026-12-24T10:00:00Z"))
                .unwrap_or(held.period),
            ..held.clone()
        };
        let confirmed = Reservation {
            state: S::Confirmed,
            ..moved.clone()
        };
        let events = [
            event(EventKind::ReservationCreated, &held, now),
            event(EventKind::ReservationChanged, &moved, now),
            event(EventKind::ReservationStateChanged, &confirmed, now),
        ];
        let settings = MailSettings { reminder_days: 2 };
        let plan = plan_mail(&events, HashMap::new(), &guests, &members, settings, now);
        assert_eq!(
            kinds(&plan),
            vec![
                (K::RequestReceived, None),
                (K::StaffNewRequest, Some(wanted.user_id)),
                (K::PeriodChanged, None),
                (K::Confirmed, None),
                (K::Reminder, None),
            ]
        );
        let Some(MailAction::Remind { reminder, insert }) = plan.last() else {
            panic!("a reminder is planned");
        };
        assert!(insert);
        assert_eq!(reminder.due, at("2026-12-20T15:00:00Z"));
        assert_eq!(reminder.event_id, None);
    }

    #[test]
    fn untold_guests_and_stale_events_get_nothing() {
        let now = at("2026-12-01T10:00:00Z");
        let client = ClientId::new();
        let no_address = HashMap::from([(
            client,
            Guest {
                name: "Ana".into(),
                address: None,
            },
        )]);
        let hold = reservation(
            S::Held,
            Channel::Admin,
            Some(client),
            "2026-12-20T15:00:00Z",
        );
        let canceled = Reservation {
            state: S::Canceled,
            ..hold.clone()
        };
        let members = [staff(Role::Staff, true, true)];
        let settings = MailSettings::default();
        // A staff hold canceled: staff hear of it, the guest was never told.
        let plan = plan_mail(
            &[event(EventKind::ReservationCanceled, &canceled, now)],
            HashMap::new(),
            &no_address,
            &members,
            settings,
            now,
        );
        assert_eq!(
            kinds(&plan),
            vec![(K::StaffCanceled, Some(members[0].user_id))]
        );
        assert!(matches!(
            plan.last(),
            Some(MailAction::SkipReminder {
                why: "the stay was canceled",
                ..
            })
        ));
        // A day and more old: nothing queued, the reminder still skipped.
        let old = now - STALE_AFTER - Duration::minutes(1);
        let plan = plan_mail(
            &[event(EventKind::ReservationCanceled, &canceled, old)],
            HashMap::from([(hold.id, ToldStay::of(&hold))]),
            &no_address,
            &members,
            settings,
            now,
        );
        assert_eq!(kinds(&plan), vec![]);
        assert_eq!(plan.len(), 1);
    }

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
