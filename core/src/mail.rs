//! Transactional e-mail: the pure parts. Guests hear that their request
//! arrived, that their stay was confirmed, changed or canceled, and a few days
//! before arrival what to know; staff who opted in hear of new public requests,
//! cancellations and no-shows.
//!
//! Messages are queued from the outbox, as webhooks and push are: the tenant has
//! one position in its event stream, and one enqueue transaction reads the
//! events after it and inserts one message per (recipient, event) — decided
//! then by [`plan_event`] — and advances it, so several instances queue each
//! message once. A reminder is a message queued when a stay is confirmed, due
//! [`MailSettings::reminder_days`] before arrival, moved when the stay moves and
//! skipped when it is canceled. A worker (in the server) claims due messages with
//! a lease, renders and sends them over SMTP, and reports each attempt: a
//! temporary refusal (4xx, or no answer) is retried on [`retry_delay`]'s
//! schedule, a permanent one (5xx) fails the message at once. A crash between
//! the SMTP server's acceptance and the report sends the message again once the
//! lease lapses: a message may arrive twice, it is never lost.
//!
//! What the guest is told follows one rule: berth writes to a guest about a
//! reservation only once it has told them of it (a request received, or a
//! confirmation). A change or cancellation of a stay they were never told of
//! (a hold staff took, a reservation from before e-mail was set up) sends them
//! nothing.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::backoff::{Backoff, truncate};
use crate::event::EventKind;
use crate::ids::{ClientId, EventId, MailId, ReservationId, TenantId, UnitId, UserId};
use crate::reservation::{Channel, Reservation};
use crate::state::ReservationState;
use crate::time_range::TimeRange;

/// Attempts a message gets before it fails.
pub const MAX_ATTEMPTS: u32 = 8;
/// The schedule [`retry_delay`] follows: a minute before the first retry, each
/// later wait three times longer, up to 4 h.
const SCHEDULE: Backoff = Backoff::new(MAX_ATTEMPTS, Duration::minutes(1), 3, Duration::hours(4));
/// How long sent, failed and skipped messages are kept (with their attempts).
pub const KEEP_FINISHED: Duration = Duration::days(30);
/// Events older than this when they are queued make no message: an instance
/// that gets SMTP after weeks without it does not mail last month's news.
pub const STALE_AFTER: Duration = Duration::hours(24);
/// Longest error text kept per attempt.
pub const MAX_ERROR_LEN: usize = 500;
/// Longest address accepted (RFC 5321's path limit).
pub const MAX_ADDRESS_LEN: usize = 254;
/// The reminder's default lead time, in days before arrival.
pub const DEFAULT_REMINDER_DAYS: u32 = 2;

/// What a message is about, and so which template renders it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// To the guest: their booking request on the public site arrived and is
    /// held until staff confirm it.
    RequestReceived,
    /// To the guest: their stay is confirmed (carries the stay as `.ics`).
    Confirmed,
    /// To the guest: their stay's period or unit changed (carries the `.ics`).
    PeriodChanged,
    /// To the guest: their reservation was canceled, with the refund the
    /// policy gave.
    Canceled,
    /// To the guest: their arrival is near (check-in time, address, map).
    Reminder,
    /// To staff who opted in: a guest asked to book on the public site.
    StaffNewRequest,
    /// To staff who opted in: a reservation was canceled.
    StaffCanceled,
    /// To staff who opted in: a guest did not arrive.
    StaffNoShow,
}

impl MailKind {
    /// Every kind.
    pub const ALL: [MailKind; 8] = [
        Self::RequestReceived,
        Self::Confirmed,
        Self::PeriodChanged,
        Self::Canceled,
        Self::Reminder,
        Self::StaffNewRequest,
        Self::StaffCanceled,
        Self::StaffNoShow,
    ];

    /// The stored name, which is also the template's file name
    /// (`request_received`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::RequestReceived => "request_received",
            Self::Confirmed => "confirmed",
            Self::PeriodChanged => "period_changed",
            Self::Canceled => "canceled",
            Self::Reminder => "reminder",
            Self::StaffNewRequest => "staff_new_request",
            Self::StaffCanceled => "staff_canceled",
            Self::StaffNoShow => "staff_no_show",
        }
    }

    /// Who receives messages of this kind.
    pub const fn audience(&self) -> Audience {
        match self {
            Self::StaffNewRequest | Self::StaffCanceled | Self::StaffNoShow => Audience::Staff,
            _ => Audience::Guest,
        }
    }

    /// Whether the message carries the stay as an iCalendar attachment.
    pub const fn carries_stay(&self) -> bool {
        matches!(self, Self::Confirmed | Self::PeriodChanged)
    }

    /// Whether the message tells the guest of a stay (so a later change or
    /// cancellation is theirs to hear of).
    pub const fn tells_of_stay(&self) -> bool {
        matches!(
            self,
            Self::RequestReceived | Self::Confirmed | Self::PeriodChanged
        )
    }
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MailKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown e-mail kind `{s}`"))
    }
}

/// Who a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The reservation's client.
    Guest,
    /// A user of the tenant (owner, admin or staff) who opted in.
    Staff,
}

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for its (next) attempt, being attempted, or (a reminder) for
    /// its day.
    Pending,
    /// The SMTP server accepted it.
    Sent,
    /// A permanent refusal, or every attempt failed.
    Failed,
    /// Not sent, and never will be: the reminder's stay was canceled or moved
    /// into the past, or the recipient's data was erased first.
    Skipped,
}

impl MailStatus {
    /// The stored name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

impl FromStr for MailStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Sent, Self::Failed, Self::Skipped]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown e-mail status `{s}`"))
    }
}

/// Why an address was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an e-mail address berth can send to")]
pub struct InvalidAddress(pub String);

/// An address a message can be sent to: `local@domain`, at most
/// [`MAX_ADDRESS_LEN`] bytes, with no spaces, control characters, angle
/// brackets or commas (so it can never smuggle a header or a second recipient).
/// Clients' addresses are free text; one that does not parse gets no e-mail.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address, trimmed.
    pub fn parse(s: &str) -> Result<Self, InvalidAddress> {
        let t = s.trim();
        let bad = || InvalidAddress(t.chars().take(80).collect());
        if t.is_empty() || t.len() > MAX_ADDRESS_LEN {
            return Err(bad());
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;:\"()[]\\".contains(c))
        {
            return Err(bad());
        }
        let (local, domain) = t.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.contains('@')
            || domain.is_empty()
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(bad());
        }
        Ok(Self(t.to_owned()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Debug for EmailAddress {
    /// Addresses are personal data: logs see only the domain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress(…@{})", self.domain())
    }
}

/// Per-tenant settings the enqueue pass needs (from the tenant's policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailSettings {
    /// Days before arrival the reminder goes out; 0 turns reminders off.
    pub reminder_days: u32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            reminder_days: DEFAULT_REMINDER_DAYS,
        }
    }
}

impl MailSettings {
    /// When the reminder of a stay starting at `arrival` is due, if it is
    /// wanted and still ahead of `now`.
    pub fn reminder_due(
        &self,
        arrival: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if self.reminder_days == 0 {
            return None;
        }
        let due = arrival - Duration::days(i64::from(self.reminder_days));
        (due > now).then_some(due)
    }
}

/// The stay a guest was last told of: which unit, when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToldStay {
    /// The unit.
    pub unit_id: UnitId,
    /// The booked period.
    pub period: TimeRange,
}

impl ToldStay {
    /// The stay of `r`.
    pub fn of(r: &Reservation) -> Self {
        Self {
            unit_id: r.unit_id,
            period: r.period,
        }
    }
}

/// What one reservation event means for the guest's mail, before recipients
/// are looked up: computed by [`plan_event`] from the event, the reservation
/// after it, and the stay the guest was last told of (if any).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventPlan {
    /// The message to the guest, if any (sent when the client has an address).
    pub guest: Option<MailKind>,
    /// The message to staff who opted in for it, if any.
    pub staff: Option<MailKind>,
    /// What happens to the stay's reminder.
    pub reminder: ReminderChange,
}

/// What an event does to a stay's pending reminder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReminderChange {
    /// Nothing.
    #[default]
    Keep,
    /// Schedule it (or move it) for the stay as it now stands.
    Schedule,
    /// The stay will not happen as told: a pending reminder is skipped.
    Skip,
}

/// What `kind` (a reservation event, with `after` the reservation after it)
/// means for mail. `told` is the stay the guest was last told of (by a
/// request-received, confirmed or changed message), `None` when they were
/// never written to about this reservation.
pub fn plan_event(kind: EventKind, after: &Reservation, told: Option<ToldStay>) -> EventPlan {
    use ReservationState as S;
    let mut plan = EventPlan::default();
    match kind {
        EventKind::ReservationCreated => match after.state {
            S::Held if after.channel == Channel::Public => {
                plan.guest = Some(MailKind::RequestReceived);
                plan.staff = Some(MailKind::StaffNewRequest);
            }
            S::Confirmed => {
                plan.guest = Some(MailKind::Confirmed);
                plan.reminder = ReminderChange::Schedule;
            }
            _ => {}
        },
        EventKind::ReservationStateChanged => match after.state {
            S::Confirmed => {
                plan.guest = Some(MailKind::Confirmed);
                plan.reminder = ReminderChange::Schedule;
            }
            S::Absent => {
                plan.staff = Some(MailKind::StaffNoShow);
                plan.reminder = ReminderChange::Skip;
            }
            _ => plan.reminder = ReminderChange::Skip,
        },
        EventKind::ReservationChanged => {
            let moved = told.is_some_and(|t| t != ToldStay::of(after));
            if moved && matches!(after.state, S::Held | S::Confirmed) {
                plan.guest = Some(MailKind::PeriodChanged);
                if after.state == S::Confirmed {
                    plan.reminder = ReminderChange::Schedule;
                }
            }
        }
        EventKind::ReservationCanceled => {
            if told.is_some() {
                plan.guest = Some(MailKind::Canceled);
            }
            plan.staff = Some(MailKind::StaffCanceled);
            plan.reminder = ReminderChange::Skip;
        }
        _ => {}
    }
    plan
}

/// One attempt to send a message, as logged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MailAttempt {
    /// Its number (1 for the first).
    pub attempt: u32,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// The SMTP server's reply code, when it answered.
    pub smtp_code: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

/// A message as the log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MailMessage {
    /// Its id (and so its `Message-ID`).
    pub id: MailId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// What it is.
    pub kind: MailKind,
    /// Where it stands.
    pub status: MailStatus,
    /// The recipient's address; `None` once the client's data was erased.
    pub recipient: Option<String>,
    /// The guest the message is for (guest messages).
    pub client_id: Option<ClientId>,
    /// The user it is for (staff messages).
    pub user_id: Option<UserId>,
    /// The reservation it is about.
    pub reservation_id: ReservationId,
    /// The event it was queued for (none for a reminder).
    pub event_id: Option<EventId>,
    /// The subject of the last attempt (none before the first).
    pub subject: Option<String>,
    /// Attempts made (or started).
    pub attempts: u32,
    /// When the next attempt is due (pending only; a reminder's day).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure or why it was skipped.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Every attempt, first first.
    pub attempt_log: Vec<MailAttempt>,
}

/// Which messages a log page shows: newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MailPage {
    /// Only messages older than this one (the page cursor).
    pub before: Option<MailId>,
    /// At most this many (at most 500).
    pub limit: u32,
    /// Only messages in this state.
    pub status: Option<MailStatus>,
    /// Only messages about this reservation.
    pub reservation: Option<ReservationId>,
}

/// A message claimed for one attempt: everything the worker needs to render and
/// send it. The claim is a lease: until `lease_expires_at` no other worker
/// takes it.
#[derive(Clone, Debug)]
pub struct ClaimedMail {
    /// The message.
    pub id: MailId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// What it is.
    pub kind: MailKind,
    /// Where to send it.
    pub recipient: EmailAddress,
    /// The recipient's name (the client's, or the user's e-mail for staff).
    pub recipient_name: Option<String>,
    /// The reservation it is about.
    pub reservation_id: ReservationId,
    /// The reservation as the event left it (the message tells that moment;
    /// a reminder carries the stay as scheduled, and the worker reads the
    /// reservation as it is now).
    pub reservation: Reservation,
    /// Proof of this claim, required to record its outcome.
    pub lease: Uuid,
    /// When the claim lapses and the message becomes due again.
    pub lease_expires_at: DateTime<Utc>,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// Whether a failure of this attempt fails the message.
    pub final_attempt: bool,
    /// When it was queued (its `Date` header is the attempt's time).
    pub created_at: DateTime<Utc>,
}

/// What an attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailResult {
    /// The SMTP server accepted the message with this code.
    Sent(u16),
    /// A temporary refusal (4xx) or no answer at all: retried.
    Temporary {
        /// The reply code, when the server answered.
        code: Option<u16>,
        /// What went wrong, in words.
        error: String,
    },
    /// A permanent refusal (5xx): the message fails at once.
    Permanent {
        /// The reply code.
        code: Option<u16>,
        /// What went wrong, in words.
        error: String,
    },
    /// Not sent, on purpose: why (a reminder whose stay is no longer
    /// confirmed, a template that no longer renders…).
    Skipped(String),
}

/// What happens to a message after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailNext {
    /// Done: the server accepted it.
    Sent,
    /// Try again at this instant.
    RetryAt(DateTime<Utc>),
    /// Give up.
    Failed,
    /// Not to be sent.
    Skipped,
}

/// The outcome of one attempt, as the store records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailReport {
    /// The message.
    pub id: MailId,
    /// The claim it was made under.
    pub lease: Uuid,
    /// The attempt's number.
    pub attempt: u32,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// The subject rendered for it (kept for the log).
    pub subject: Option<String>,
    /// The server's reply code, when it answered.
    pub smtp_code: Option<u16>,
    /// Why it failed or was skipped.
    pub error: Option<String>,
    /// What happens next.
    pub next: MailNext,
}

impl MailReport {
    /// The report for `claimed`'s attempt ending at `finished_at` with
    /// `result`; temporary failures are retried per [`retry_delay`] (with
    /// `jitter`, 0–1000, drawn by the caller) until the final attempt.
    pub fn new(
        claimed: &ClaimedMail,
        finished_at: DateTime<Utc>,
        subject: Option<String>,
        result: MailResult,
        jitter: u16,
    ) -> Self {
        let (smtp_code, error, next) = match result {
            MailResult::Sent(code) => (Some(code), None, MailNext::Sent),
            MailResult::Permanent { code, error } => (code, Some(error), MailNext::Failed),
            MailResult::Skipped(why) => (None, Some(why), MailNext::Skipped),
            MailResult::Temporary { code, error } => {
                let next = if claimed.final_attempt {
                    MailNext::Failed
                } else {
                    retry_delay(claimed.attempt, jitter).map_or(MailNext::Failed, |delay| {
                        MailNext::RetryAt(finished_at + delay)
                    })
                };
                (code, Some(error), next)
            }
        };
        Self {
            id: claimed.id,
            lease: claimed.lease,
            attempt: claimed.attempt,
            finished_at,
            subject,
            smtp_code,
            error: error.map(|e| truncate(e, MAX_ERROR_LEN)),
            next,
        }
    }
}

/// The wait after the `attempts_made`-th failed attempt, or `None` when that
/// was the last one ([`MAX_ATTEMPTS`]):
/// the schedule's first wait times its factor to the power `attempts_made - 1`,
/// capped at its longest wait, scaled by a jitter factor between 0.75 and 1.25.
/// Without jitter: 1, 3, 9, 27 and 81 minutes, then 4 h twice — eight attempts
/// over about ten hours, within the day a mail server's own queue would try.
pub fn retry_delay(attempts_made: u32, jitter: u16) -> Option<Duration> {
    SCHEDULE.delay(attempts_made, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_could_smuggle_headers_are_refused() {
        assert!(EmailAddress::parse(" ana@example.com ").is_ok());
        assert_eq!(
            EmailAddress::parse("ana@example.com").map(|a| a.domain().to_owned()),
            Ok("example.com".to_owned())
        );
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@",
            "ana@.com",
            "ana@example..com",
            "ana@example.com\r\nBcc: x@y.z",
            "ana@example.com, eve@example.com",
            "Ana <ana@example.com>",
            "a b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(format!("{:?}", EmailAddress::parse("ana@example.com")).contains("…@example.com"));
    }

    #[test]
    fn the_retry_schedule_grows_then_stops() {
        let mins = |n| retry_delay(n, 500).map(|d| d.num_minutes());
        assert_eq!(
            (1..=MAX_ATTEMPTS).map(mins).collect::<Vec<_>>(),
            vec![
                Some(1),
                Some(3),
                Some(9),
                Some(27),
                Some(81),
                Some(240),
                Some(240),
                None
            ]
        );
        assert_eq!(retry_delay(0, 0), None);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in MailKind::ALL {
            assert_eq!(k.as_str().parse::<MailKind>(), Ok(k));
        }
        assert!("nope".parse::<MailKind>().is_err());
    }

    #[test]
    fn reminders_are_due_ahead_of_arrival_and_never_in_the_past() {
        let arrival = DateTime::parse_from_rfc3339("2026-12-20T15:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .ok();
        let Some(arrival) = arrival else {
            panic!("a fixed instant parses");
        };
        let s = MailSettings { reminder_days: 2 };
        let early = arrival - Duration::days(10);
        assert_eq!(
            s.reminder_due(arrival, early),
            Some(arrival - Duration::days(2))
        );
        assert_eq!(s.reminder_due(arrival, arrival - Duration::days(1)), None);
        assert_eq!(
            MailSettings { reminder_days: 0 }.reminder_due(arrival, early),
            None
        );
    }
}
