//! Transactional e-mail: `emailSettings` (whether this server sends e-mail, and
//! what a tenant's messages go out as — any signed-in user, so staff can tell
//! why they get none), `emailMessages` (the tenant's message log, newest first,
//! each message with its attempts; admins) and `resendEmail` (one more attempt
//! of a sent or failed message; admins, audited).
//!
//! The log shows recipients' addresses in full: it is for the tenant's admins,
//! who see the clients' records anyway, and an operator chasing a bounce needs
//! the address the server refused. An erased client's messages show none.
//! The e-mail opt-ins of staff are part of the notification settings (`push`).

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use berth_core::ids::{MailId, ReservationId};
use berth_core::mail::{
    EmailAddress, MailAttempt as CoreAttempt, MailKind, MailMessage as CoreMessage, MailPage,
    MailStatus,
};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded};
use crate::ids::parse;
use crate::page::{Page, page_of, page_size};

/// How this server sends e-mail: set by the server when it builds the schema
/// (see [`crate::schema_with`]).
#[derive(Clone, Debug, Default)]
pub struct MailConfig {
    /// The deployment's default sender address (`From`); `None` when SMTP is
    /// not configured and nothing is sent.
    pub sender: Option<String>,
}

/// Whether and how the tenant's e-mail goes out.
#[derive(SimpleObject, Debug)]
pub struct EmailSettings {
    /// Whether this server sends e-mail at all (its operator set
    /// `BERTH_SMTP_URL`); without it guests and staff receive none.
    pub configured: bool,
    /// The address messages are sent from (the server's, for every tenant);
    /// null when e-mail is not configured.
    pub sender: Option<String>,
    /// The name they are sent as: the tenant's.
    pub sender_name: String,
    /// Where guests' replies go: the e-mail address of the tenant's public
    /// profile; null when the profile has none (replies then go to the
    /// sender address).
    pub reply_to: Option<String>,
    /// Days before arrival the guest's reminder goes out (the live policy's
    /// `reminder_days`); 0 when reminders are off.
    pub reminder_days: i32,
}

/// What a message is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailKind {
    /// To the guest: their booking request arrived.
    RequestReceived,
    /// To the guest: their stay is confirmed (with an `.ics` attachment).
    Confirmed,
    /// To the guest: their stay's period or unit changed (with an `.ics`).
    PeriodChanged,
    /// To the guest: their reservation was canceled.
    Canceled,
    /// To the guest: their arrival is near.
    Reminder,
    /// To staff who opted in: a guest asked to book on the public site.
    StaffNewRequest,
    /// To staff who opted in: a reservation was canceled.
    StaffCanceled,
    /// To staff who opted in: a guest did not arrive.
    StaffNoShow,
}

impl From<MailKind> for EmailKind {
    fn from(k: MailKind) -> Self {
        match k {
            MailKind::RequestReceived => Self::RequestReceived,
            MailKind::Confirmed => Self::Confirmed,
            MailKind::PeriodChanged => Self::PeriodChanged,
            MailKind::Canceled => Self::Canceled,
            MailKind::Reminder => Self::Reminder,
            MailKind::StaffNewRequest => Self::StaffNewRequest,
            MailKind::StaffCanceled => Self::StaffCanceled,
            MailKind::StaffNoShow => Self::StaffNoShow,
        }
    }
}

/// Where a message stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailStatus {
    /// Waiting for its (next) attempt or its day, or being attempted.
    Pending,
    /// The SMTP server accepted it.
    Sent,
    /// Refused for good, or every attempt failed.
    Failed,
    /// Not sent, on purpose (a reminder of a canceled stay, an erased guest).
    Skipped,
}

impl From<MailStatus> for EmailStatus {
    fn from(s: MailStatus) -> Self {
        match s {
            MailStatus::Pending => Self::Pending,
            MailStatus::Sent => Self::Sent,
            MailStatus::Failed => Self::Failed,
            MailStatus::Skipped => Self::Skipped,
        }
    }
}

impl From<EmailStatus> for MailStatus {
    fn from(s: EmailStatus) -> Self {
        match s {
            EmailStatus::Pending => Self::Pending,
            EmailStatus::Sent => Self::Sent,
            EmailStatus::Failed => Self::Failed,
            EmailStatus::Skipped => Self::Skipped,
        }
    }
}

/// One attempt to send a message.
#[derive(SimpleObject, Debug)]
pub struct EmailAttempt {
    /// 1 for the first.
    pub number: i32,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// The SMTP server's reply code, when it answered.
    pub smtp_code: Option<i32>,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

impl From<CoreAttempt> for EmailAttempt {
    fn from(a: CoreAttempt) -> Self {
        Self {
            number: i32::try_from(a.attempt).unwrap_or(i32::MAX),
            at: a.at,
            smtp_code: a.smtp_code.map(i32::from),
            error: a.error,
        }
    }
}

/// One message to one recipient about one reservation.
#[derive(SimpleObject, Debug)]
pub struct EmailMessage {
    /// Stable id (the message's `Message-ID` is made from it).
    pub id: ID,
    /// What it is about.
    pub kind: EmailKind,
    /// Whether it is for staff (a user who opted in) rather than the guest.
    pub to_staff: bool,
    /// Where it stands.
    pub status: EmailStatus,
    /// The recipient's address; null once the guest's data was erased.
    pub recipient: Option<String>,
    /// The reservation it is about.
    pub reservation_id: ID,
    /// The subject it was sent with (null before the first attempt).
    pub subject: Option<String>,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending only; a reminder's day).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, or why it was skipped.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Every attempt, first first.
    pub attempt_log: Vec<EmailAttempt>,
}

impl From<CoreMessage> for EmailMessage {
    fn from(m: CoreMessage) -> Self {
        Self {
            id: ID(m.id.to_string()),
            kind: m.kind.into(),
            to_staff: m.kind.audience() == berth_core::mail::Audience::Staff,
            status: m.status.into(),
            recipient: m.recipient,
            reservation_id: ID(m.reservation_id.to_string()),
            subject: m.subject,
            attempts: i32::try_from(m.attempts).unwrap_or(i32::MAX),
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            updated_at: m.updated_at,
            attempt_log: m.attempt_log.into_iter().map(Into::into).collect(),
        }
    }
}

fn config(ctx: &Context<'_>) -> MailConfig {
    ctx.data_opt::<MailConfig>().cloned().unwrap_or_default()
}

/// E-mail queries.
#[derive(Default, Debug)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// Whether this server sends e-mail, and what the tenant's messages go out
    /// as: sender, name, reply-to address and the reminder's lead time.
    async fn email_settings(&self, ctx: &Context<'_>) -> Result<EmailSettings> {
        let viewer = require(ctx, Role::Viewer).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let tenant = engine
            .store()
            .tenant(viewer.tenant_id)
            .await
            .gql()?
            .ok_or_else(|| coded(ErrorCode::NotFound, "tenant not found"))?;
        let profile = engine
            .store()
            .tenant_profile(viewer.tenant_id)
            .await
            .gql()?;
        // Only an address a message can carry is offered as the reply-to.
        let reply_to = profile
            .and_then(|p| p.email)
            .and_then(|e| EmailAddress::parse(&e).ok())
            .map(|a| a.as_str().to_owned());
        let settings = engine.mail_settings(&tenant).gql()?;
        let sender = config(ctx).sender;
        Ok(EmailSettings {
            configured: sender.is_some(),
            sender,
            sender_name: tenant.name,
            reply_to,
            reminder_days: i32::try_from(settings.reminder_days).unwrap_or(i32::MAX),
        })
    }

    /// The tenant's e-mail log, newest first, optionally only messages in one
    /// state or about one reservation; `after` is the last message id of the
    /// previous page. Messages are kept 30 days after they are finished.
    /// NOT_FOUND for a reservation the tenant does not have.
    #[graphql(complexity = "crate::cost::page(first, child_complexity)")]
    async fn email_messages(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
        status: Option<EmailStatus>,
        reservation_id: Option<ID>,
    ) -> Result<Page<EmailMessage>> {
        let viewer = require(ctx, Role::Admin).await?;
        let limit = page_size(first)?;
        let before = after
            .map(|c| parse::<MailId>(&ID(c), "after"))
            .transpose()?;
        let reservation = reservation_id
            .map(|id| parse::<ReservationId>(&id, "reservationId"))
            .transpose()?;
        let engine = ctx.data_unchecked::<Engine>();
        if let Some(id) = reservation {
            // Another tenant's reservation is not found, rather than an empty log.
            engine.reservation(viewer.tenant_id, id).await.gql()?;
        }
        let found = engine
            .store()
            .mail_messages(
                viewer.tenant_id,
                MailPage {
                    before,
                    limit: limit + 1,
                    status: status.map(Into::into),
                    reservation,
                },
            )
            .await
            .gql()?;
        Ok(page_of(found, limit, before.is_some(), |m| {
            (m.id.to_string(), EmailMessage::from(m))
        }))
    }
}

/// E-mail mutations.
#[derive(Default, Debug)]
pub struct MailMutation;

#[Object]
impl MailMutation {
    /// Sends a sent or failed message again (a guest who lost it, a mailbox
    /// that was full): one more attempt, due now; its attempt log goes on.
    /// NOT_FOUND for a message the tenant does not have; CONFLICT when it is
    /// pending already, was skipped (not to be sent), or its recipient's data
    /// was erased.
    async fn resend_email(&self, ctx: &Context<'_>, id: ID) -> Result<EmailMessage> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let message = engine
            .resend_mail(
                viewer.tenant_id,
                parse::<MailId>(&id, "id")?,
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(message.into())
    }
}
