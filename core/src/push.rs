//! Web push notifications (RFC 8030 delivery, RFC 8291 encryption, RFC 8292
//! VAPID): the pure parts. A signed-in user registers each browser or device
//! (its push service endpoint and the subscription's `p256dh` and `auth` keys)
//! and chooses which kinds of notification they want. The tenant's owners,
//! admins and staff hear of new, changed and canceled reservations, no-shows
//! and lock conflicts on every device they registered.
//!
//! Here: the endpoint and key rules, the notification kinds and settings, the
//! message each event becomes, and the retry schedule. The store queues one
//! delivery per (notifiable event, recipient device) from the tenant's position
//! in the outbox; a worker (in the server) claims due deliveries, encrypts and
//! sends them, and reports each attempt back. A push service that answers 404
//! or 410 has forgotten the subscription: it is removed.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::backoff::{Backoff, truncate};
use crate::event::{Event, EventKind};
use crate::ids::{PushDeliveryId, PushSubscriptionId, TenantId, UserId};
use crate::lock::Lock;
use crate::reservation::Reservation;
use crate::tenant::Tenant;
use crate::user::Role;
use crate::webhook::AttemptResult;

pub use crate::webhook::{DeliveryStatus, Enqueued};

/// Attempts a notification gets before it is given up. Notifications are
/// timely or useless, so the schedule is short: 10 s, 40 s, 160 s and 640 s
/// between the five attempts (about fourteen minutes in all).
pub const MAX_ATTEMPTS: u32 = 5;
/// The schedule [`retry_delay`] follows: 10 s before the first retry, each
/// later wait four times longer, up to an hour.
const SCHEDULE: Backoff = Backoff::new(MAX_ATTEMPTS, Duration::seconds(10), 4, Duration::hours(1));
/// Devices one user may register; registering one more replaces the one
/// registered (or refreshed) longest ago.
pub const MAX_SUBSCRIPTIONS_PER_USER: usize = 20;
/// Longest accepted endpoint URL (push services use a few hundred bytes).
pub const MAX_ENDPOINT_LEN: usize = 2048;
/// Longest error text kept per delivery.
pub const MAX_ERROR_LEN: usize = 500;
/// Longest notification body text (the whole message stays far below the 4 KiB
/// every push service accepts).
pub const MAX_BODY_LEN: usize = 240;
/// How long delivered and failed deliveries are kept before they are pruned.
pub const KEEP_FINISHED: Duration = Duration::days(7);

/// Why a subscription was refused (safe to show to the caller).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The endpoint is not an https URL (or http, where allowed).
    #[error("endpoint: {0}")]
    Endpoint(String),
    /// A subscription key is not what browsers produce.
    #[error("keys.{0}")]
    Keys(String),
}

/// A push service endpoint: an absolute `https` URL (`http` only when the
/// operator allows private targets, for tests and local push services),
/// without credentials or fragment, at most [`MAX_ENDPOINT_LEN`] bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PushEndpoint(String);

impl PushEndpoint {
    /// Parses an endpoint as a browser's `PushSubscription.endpoint` gives it;
    /// `http` is accepted only with `allow_http`.
    pub fn parse(s: &str, allow_http: bool) -> Result<Self, PushError> {
        let bad = |why: String| PushError::Endpoint(why);
        let s = s.trim();
        if s.len() > MAX_ENDPOINT_LEN {
            return Err(bad(format!("longer than {MAX_ENDPOINT_LEN} characters")));
        }
        let url = url::Url::parse(s).map_err(|e| bad(format!("not an absolute URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_http => {}
            "http" => return Err(bad("push services are called over https only".into())),
            other => return Err(bad(format!("scheme `{other}` is not supported; use https"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("the URL has no host".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("credentials in the URL are not accepted".into()));
        }
        if url.fragment().is_some() {
            return Err(bad("a URL with a #fragment is not accepted".into()));
        }
        Ok(Self(url.to_string()))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The push service's origin (`https://fcm.googleapis.com`): the VAPID
    /// token's audience, and all that audit entries and events name of an
    /// endpoint (the whole URL is the subscription's address, kept out of logs).
    pub fn origin(&self) -> String {
        url::Url::parse(&self.0)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

impl fmt::Debug for PushEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PushEndpoint({}/…)", self.origin())
    }
}

impl FromStr for PushEndpoint {
    type Err = PushError;
    /// A stored endpoint (http was allowed when it was registered, or it would
    /// not be stored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s, true)
    }
}

/// A subscription's keys, as `PushSubscription.toJSON().keys` gives them
/// (base64url): `p256dh`, the browser's P-256 public key (an uncompressed
/// point, 65 bytes), and `auth`, its 16-byte authentication secret. Kept in
/// canonical unpadded base64url; never in audit entries, events or `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PushKeys {
    p256dh: Vec<u8>,
    auth: [u8; 16],
}

fn base64url(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    URL_SAFE_NO_PAD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .ok()
}

impl PushKeys {
    /// Checks and decodes a subscription's keys: `p256dh` must be a point on
    /// P-256 in uncompressed form, `auth` 16 bytes (base64url, padded or not).
    pub fn parse(p256dh: &str, auth: &str) -> Result<Self, PushError> {
        let key =
            base64url(p256dh).ok_or_else(|| PushError::Keys("p256dh: not base64url".into()))?;
        if key.len() != 65 || key[0] != 0x04 {
            return Err(PushError::Keys(
                "p256dh: not an uncompressed P-256 public key (65 bytes starting with 0x04)".into(),
            ));
        }
        if p256::PublicKey::from_sec1_bytes(&key).is_err() {
            return Err(PushError::Keys("p256dh: not a point on P-256".into()));
        }
        let auth = base64url(auth)
            .ok_or_else(|| PushError::Keys("auth: not base64url".into()))?
            .try_into()
            .map_err(|_| PushError::Keys("auth: not 16 bytes".into()))?;
        Ok(Self { p256dh: key, auth })
    }

    /// The public key's bytes (uncompressed SEC1 point).
    pub fn p256dh_bytes(&self) -> &[u8] {
        &self.p256dh
    }

    /// The authentication secret's bytes.
    pub fn auth_bytes(&self) -> &[u8; 16] {
        &self.auth
    }

    /// `p256dh` as stored: unpadded base64url.
    pub fn p256dh(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.p256dh)
    }

    /// `auth` as stored: unpadded base64url.
    pub fn auth(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.auth)
    }
}

impl fmt::Debug for PushKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PushKeys(..)")
    }
}

/// One device's subscription, as stored (without its keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushSubscription {
    /// Its id.
    pub id: PushSubscriptionId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The user whose device it is.
    pub user_id: UserId,
    /// Where messages for the device go.
    pub endpoint: PushEndpoint,
    /// When it was first registered.
    pub created_at: DateTime<Utc>,
    /// When it was last registered (registering it again refreshes it).
    pub updated_at: DateTime<Utc>,
}

impl PushSubscription {
    /// What audit entries and events say of it: never the keys, and of the
    /// endpoint only its push service's origin.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "user_id": self.user_id,
            "push_service": self.endpoint.origin(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// A device to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPushSubscription {
    /// Its endpoint.
    pub endpoint: PushEndpoint,
    /// Its keys.
    pub keys: PushKeys,
}

/// Whether a user with `role` is notified at all: owners, admins and staff.
/// (Viewers may register devices; they receive nothing until promoted.)
pub fn receives_notifications(role: Role) -> bool {
    role.includes(Role::Staff)
}

/// What a notification is about; each kind can be switched off per user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A reservation was created.
    ReservationCreated,
    /// A reservation's period, unit or price changed.
    ReservationChanged,
    /// A reservation was canceled.
    ReservationCanceled,
    /// A confirmed reservation was not checked in by its deadline (`absent`).
    NoShow,
    /// A write was refused because another session holds a lock.
    LockConflict,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 5] = [
        Self::ReservationCreated,
        Self::ReservationChanged,
        Self::ReservationCanceled,
        Self::NoShow,
        Self::LockConflict,
    ];

    /// The stored name (`reservation_created`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::ReservationCreated => "reservation_created",
            Self::ReservationChanged => "reservation_changed",
            Self::ReservationCanceled => "reservation_canceled",
            Self::NoShow => "no_show",
            Self::LockConflict => "lock_conflict",
        }
    }

    /// The notification an event of `kind` is, if any; `state` is the
    /// reservation's state after a `reservation.state_changed` (only a move to
    /// `absent`, a no-show, is notified).
    pub fn of(kind: EventKind, state: Option<&str>) -> Option<Self> {
        match kind {
            EventKind::ReservationCreated => Some(Self::ReservationCreated),
            EventKind::ReservationChanged => Some(Self::ReservationChanged),
            EventKind::ReservationCanceled => Some(Self::ReservationCanceled),
            EventKind::ReservationStateChanged if state == Some("absent") => Some(Self::NoShow),
            EventKind::LockConflict => Some(Self::LockConflict),
            _ => None,
        }
    }

    /// The event kinds that can become notifications (what an enqueue pass
    /// looks at).
    pub const EVENT_KINDS: [EventKind; 5] = [
        EventKind::ReservationCreated,
        EventKind::ReservationChanged,
        EventKind::ReservationCanceled,
        EventKind::ReservationStateChanged,
        EventKind::LockConflict,
    ];

    /// RFC 8030 `Urgency`: a no-show needs someone now; the rest can wait for
    /// the device's next wake-up.
    pub const fn urgency(&self) -> &'static str {
        match self {
            Self::NoShow => "high",
            _ => "normal",
        }
    }

    /// RFC 8030 `TTL`: how long the push service keeps the message for a device
    /// that is offline. A lock conflict is stale within minutes (leases last at
    /// most ten); the reservation news is worth a day.
    pub const fn ttl(&self) -> Duration {
        match self {
            Self::LockConflict => Duration::minutes(15),
            _ => Duration::hours(24),
        }
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotificationKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown notification kind `{s}`"))
    }
}

/// Which notifications a user wants: push (on every device), all on by
/// default, and e-mail (`crate::mail`), off until they opt in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NotificationSettings {
    /// New reservations.
    pub reservation_created: bool,
    /// Changed reservations.
    pub reservation_changed: bool,
    /// Canceled reservations.
    pub reservation_canceled: bool,
    /// No-shows.
    pub no_show: bool,
    /// Lock conflicts.
    pub lock_conflict: bool,
    /// An e-mail for each booking request from the public site.
    pub email_new_request: bool,
    /// An e-mail for each cancellation.
    pub email_canceled: bool,
    /// An e-mail for each no-show.
    pub email_no_show: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            reservation_created: true,
            reservation_changed: true,
            reservation_canceled: true,
            no_show: true,
            lock_conflict: true,
            email_new_request: false,
            email_canceled: false,
            email_no_show: false,
        }
    }
}

impl NotificationSettings {
    /// Whether notifications of `kind` are wanted.
    pub fn wants(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::ReservationCreated => self.reservation_created,
            NotificationKind::ReservationChanged => self.reservation_changed,
            NotificationKind::ReservationCanceled => self.reservation_canceled,
            NotificationKind::NoShow => self.no_show,
            NotificationKind::LockConflict => self.lock_conflict,
        }
    }

    /// These settings with `patch` applied.
    pub fn patched(self, patch: &NotificationSettingsPatch) -> Self {
        Self {
            reservation_created: patch
                .reservation_created
                .unwrap_or(self.reservation_created),
            reservation_changed: patch
                .reservation_changed
                .unwrap_or(self.reservation_changed),
            reservation_canceled: patch
                .reservation_canceled
                .unwrap_or(self.reservation_canceled),
            no_show: patch.no_show.unwrap_or(self.no_show),
            lock_conflict: patch.lock_conflict.unwrap_or(self.lock_conflict),
            email_new_request: patch.email_new_request.unwrap_or(self.email_new_request),
            email_canceled: patch.email_canceled.unwrap_or(self.email_canceled),
            email_no_show: patch.email_no_show.unwrap_or(self.email_no_show),
        }
    }

    /// Whether e-mails of `kind` (a staff kind) are wanted; guest kinds are
    /// not the user's to want.
    pub fn wants_email(&self, kind: crate::mail::MailKind) -> bool {
        use crate::mail::MailKind;
        match kind {
            MailKind::StaffNewRequest => self.email_new_request,
            MailKind::StaffCanceled => self.email_canceled,
            MailKind::StaffNoShow => self.email_no_show,
            _ => false,
        }
    }
}

/// A change of settings: the kinds named are switched; the rest stay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotificationSettingsPatch {
    /// New reservations.
    pub reservation_created: Option<bool>,
    /// Changed reservations.
    pub reservation_changed: Option<bool>,
    /// Canceled reservations.
    pub reservation_canceled: Option<bool>,
    /// No-shows.
    pub no_show: Option<bool>,
    /// Lock conflicts.
    pub lock_conflict: Option<bool>,
    /// E-mail for booking requests from the public site.
    pub email_new_request: Option<bool>,
    /// E-mail for cancellations.
    pub email_canceled: Option<bool>,
    /// E-mail for no-shows.
    pub email_no_show: Option<bool>,
}

/// One notification queued for one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushDelivery {
    /// Its id.
    pub id: PushDeliveryId,
    /// The device.
    pub subscription_id: PushSubscriptionId,
    /// The event it reports.
    pub event_id: crate::ids::EventId,
    /// What it is about.
    pub kind: NotificationKind,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made (or started).
    pub attempts: u32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The push service's status at the last attempt, when it answered.
    pub last_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A delivery claimed for one attempt: everything needed to send it. Until
/// `lease_expires_at` no other worker takes it.
#[derive(Clone, Debug)]
pub struct ClaimedPush {
    /// The delivery.
    pub id: PushDeliveryId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The device.
    pub subscription_id: PushSubscriptionId,
    /// Its user.
    pub user_id: UserId,
    /// Proof of this claim, required to record its outcome.
    pub lease: Uuid,
    /// When the claim lapses and the delivery becomes due again.
    pub lease_expires_at: DateTime<Utc>,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// Where to send.
    pub endpoint: PushEndpoint,
    /// What to encrypt for.
    pub keys: PushKeys,
    /// What it is about.
    pub kind: NotificationKind,
    /// The event it reports.
    pub event: Event,
}

/// The message a device receives (encrypted; the service worker shows it):
/// small JSON with what happened, in which tenant, text to show, the entity
/// and the path of the admin page to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// What it is about (`reservation_created`).
    pub kind: NotificationKind,
    /// The tenant's slug (a user may belong to several tenants).
    pub tenant: String,
    /// A short title.
    pub title: String,
    /// One line of detail.
    pub body: String,
    /// The reservation concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    /// The lock concerned (lock conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_id: Option<String>,
    /// The admin page to open, relative to the admin site's root.
    pub url: String,
    /// The event reported (for deduplication: the same on every attempt).
    pub event_id: String,
    /// When it happened (RFC 3339).
    pub at: String,
}

impl Notification {
    /// The notification `event` (of `kind`) becomes for `tenant`; `unit_name`
    /// is the name of the unit it concerns, when known. Dates and times are the
    /// tenant's local ones.
    pub fn render(
        kind: NotificationKind,
        event: &Event,
        tenant: &Tenant,
        unit_name: Option<&str>,
    ) -> Self {
        let unit = unit_name.unwrap_or("A unit");
        let (title, body, reservation_id, lock_id, url) = match kind {
            NotificationKind::LockConflict => {
                let lock: Option<Lock> = serde_json::from_value(event.payload["lock"].clone()).ok();
                let holder = lock
                    .as_ref()
                    .map_or("someone", |l| l.holder.display_name.as_str());
                let until = lock
                    .as_ref()
                    .map(|l| local(l.expires_at, tenant, "%H:%M"))
                    .unwrap_or_default();
                let reservation = lock.as_ref().and_then(|l| l.reservation_id);
                let url = match (&lock, reservation) {
                    (_, Some(r)) => format!("/reservations/{r}"),
                    (Some(l), None) => format!("/units/{}", l.unit_id),
                    (None, None) => "/locks".to_owned(),
                };
                (
                    "Lock conflict".to_owned(),
                    format!("{unit}: a change was refused, {holder} holds it until {until}"),
                    reservation.map(|r| r.to_string()),
                    Some(event.entity_id.to_string()),
                    url,
                )
            }
            _ => {
                let r: Option<Reservation> = serde_json::from_value(event.payload.clone()).ok();
                let when = r
                    .as_ref()
                    .map(|r| period_text(r, tenant))
                    .unwrap_or_default();
                let guests = r.as_ref().map_or(0, |r| r.guests.get());
                let request = kind == NotificationKind::ReservationCreated
                    && r.as_ref().is_some_and(|r| {
                        r.channel == crate::reservation::Channel::Public
                            && r.state == crate::state::ReservationState::Held
                    });
                let title = match kind {
                    NotificationKind::ReservationCreated if request => "New booking request",
                    NotificationKind::ReservationCreated => "New reservation",
                    NotificationKind::ReservationChanged => "Reservation changed",
                    NotificationKind::ReservationCanceled => "Reservation canceled",
                    _ => "No-show",
                };
                let body = if kind == NotificationKind::NoShow {
                    format!("{unit}, {when}: the guest did not check in")
                } else {
                    let people = if guests == 1 { "guest" } else { "guests" };
                    let ask = if request {
                        ": asked on the public site, held until confirmed"
                    } else {
                        ""
                    };
                    format!("{unit}, {when}, {guests} {people}{ask}")
                };
                let id = event.entity_id.to_string();
                (
                    title.to_owned(),
                    body,
                    Some(id.clone()),
                    None,
                    format!("/reservations/{id}"),
                )
            }
        };
        Self {
            kind,
            tenant: tenant.slug.as_str().to_owned(),
            title,
            body: truncate(body, MAX_BODY_LEN),
            reservation_id,
            lock_id,
            url,
            event_id: event.id.to_string(),
            at: event.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }

    /// The JSON the device receives.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

fn local(at: DateTime<Utc>, tenant: &Tenant, format: &str) -> String {
    at.with_timezone(&tenant.timezone)
        .format(format)
        .to_string()
}

/// "12 Dec – 14 Dec 2026" for nights, "12 Dec 2026 10:00–12:00" otherwise.
fn period_text(r: &Reservation, tenant: &Tenant) -> String {
    match (r.check_in, r.check_out) {
        (Some(a), Some(b)) => format!("{} – {}", a.format("%-d %b"), b.format("%-d %b %Y")),
        _ => format!(
            "{}–{}",
            local(r.period.start(), tenant, "%-d %b %Y %H:%M"),
            local(r.period.end(), tenant, "%H:%M")
        ),
    }
}

/// What happens to a delivery after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushNext {
    /// The push service accepted it (2xx).
    Delivered,
    /// The push service does not know the subscription any more (404, 410):
    /// the subscription is removed, with its queue.
    Gone,
    /// Try again at this instant.
    RetryAt(DateTime<Utc>),
    /// Give up: the last allowed attempt failed.
    Failed,
}

/// The outcome of one attempt, as the store records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushReport {
    /// The delivery.
    pub delivery_id: PushDeliveryId,
    /// The device.
    pub subscription_id: PushSubscriptionId,
    /// The claim it was made under.
    pub lease: Uuid,
    /// The attempt's number.
    pub attempt: u32,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// The push service's status, when it answered.
    pub response_status: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// What happens next.
    pub next: PushNext,
}

impl PushReport {
    /// The report for `claimed`'s attempt ending at `finished_at` with
    /// `result`: 2xx delivers, 404 and 410 remove the subscription, anything
    /// else is retried per [`retry_delay`] (with `jitter`, 0–1000, drawn by the
    /// caller) until [`MAX_ATTEMPTS`].
    pub fn new(
        claimed: &ClaimedPush,
        finished_at: DateTime<Utc>,
        result: AttemptResult,
        jitter: u16,
    ) -> Self {
        let (response_status, error) = result.status_and_error(MAX_ERROR_LEN);
        let next = match response_status {
            Some(200..=299) => PushNext::Delivered,
            Some(404 | 410) => PushNext::Gone,
            _ => retry_delay(claimed.attempt, jitter).map_or(PushNext::Failed, |delay| {
                PushNext::RetryAt(finished_at + delay)
            }),
        };
        Self {
            delivery_id: claimed.id,
            subscription_id: claimed.subscription_id,
            lease: claimed.lease,
            attempt: claimed.attempt,
            finished_at,
            response_status,
            error,
            next,
        }
    }
}

/// The wait after the `attempts_made`-th failed attempt, or `None` when that
/// was the last one ([`MAX_ATTEMPTS`]):
/// the schedule's first wait times its factor to the power `attempts_made - 1`,
/// capped at its longest wait, scaled by a jitter factor between 0.75 and 1.25
/// (`jitter` 0–1000 maps onto it linearly).
pub fn retry_delay(attempts_made: u32, jitter: u16) -> Option<Duration> {
    SCHEDULE.delay(attempts_made, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventCursor;
    use crate::ids::{EventId, LockId, ReservationId, UnitId};

    /// RFC 8291's example subscription keys (section 5).
    const P256DH: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    #[test]
    fn endpoints_are_https_unless_http_is_allowed() {
        let ok = PushEndpoint::parse("https://fcm.googleapis.com/fcm/send/abc:def", false).unwrap();
        assert_eq!(ok.origin(), "https://fcm.googleapis.com");
        assert_eq!(
            format!("{ok:?}"),
            "PushEndpoint(https://fcm.googleapis.com/…)"
        );
        assert!(PushEndpoint::parse("http://127.0.0.1:9000/push", false).is_err());
        let local = PushEndpoint::parse("http://127.0.0.1:9000/push", true).unwrap();
        assert_eq!(local.origin(), "http://127.0.0.1:9000");
        for bad in [
            "",
            "swept",
            "/push",
            "ftp://push.example.org/x",
            "https://user:pw@push.example.org/",
            "https://push.example.org/#x",
        ] {
            assert!(PushEndpoint::parse(bad, true).is_err(), "{bad}");
        }
        let long = format!("https://push.example.org/{}", "a".repeat(MAX_ENDPOINT_LEN));
        assert!(PushEndpoint::parse(&long, true).is_err());
    }

    #[test]
    fn keys_must_be_a_p256_point_and_a_16_byte_secret() {
        let keys = PushKeys::parse(P256DH, AUTH).unwrap();
        assert_eq!(keys.p256dh(), P256DH);
        assert_eq!(keys.auth(), AUTH);
        assert_eq!(keys.p256dh_bytes().len(), 65);
        assert_eq!(format!("{keys:?}"), "PushKeys(..)");
        // Padded base64url is accepted and stored unpadded.
        let padded = PushKeys::parse(P256DH, &format!("{AUTH}==")).unwrap();
        assert_eq!(padded, keys);
        let mut off_curve = URL_SAFE_NO_PAD.decode(P256DH).unwrap();
        off_curve[64] ^= 1;
        for (p, a) in [
            ("swept", AUTH),
            (&URL_SAFE_NO_PAD.encode(&off_curve)[..], AUTH),
            (&P256DH[..40], AUTH),
            (P256DH, "swept"),
            (P256DH, "BTBZMqHH6r4Tts7J_aSI"),
        ] {
            assert!(PushKeys::parse(p, a).is_err(), "{p} {a}");
        }
    }

    #[test]
    fn only_reservation_news_no_shows_and_lock_conflicts_are_notified() {
        use EventKind as E;
        use NotificationKind as N;
        assert_eq!(
            N::of(E::ReservationCreated, None),
            Some(N::ReservationCreated)
        );
        assert_eq!(
            N::of(E::ReservationChanged, None),
            Some(N::ReservationChanged)
        );
        assert_eq!(
            N::of(E::ReservationCanceled, None),
            Some(N::ReservationCanceled)
        );
        assert_eq!(
            N::of(E::ReservationStateChanged, Some("absent")),
            Some(N::NoShow)
        );
        assert_eq!(N::of(E::ReservationStateChanged, Some("checked_in")), None);
        assert_eq!(N::of(E::LockConflict, None), Some(N::LockConflict));
        assert_eq!(N::of(E::LockAcquired, None), None);
        assert_eq!(N::of(E::UnitCreated, None), None);
        for k in N::ALL {
            assert_eq!(k.as_str().parse::<N>().unwrap(), k);
        }
        assert_eq!(N::NoShow.urgency(), "high");
        assert_eq!(N::ReservationCreated.urgency(), "normal");
        assert!(receives_notifications(Role::Staff) && receives_notifications(Role::Owner));
        assert!(!receives_notifications(Role::Viewer));
    }

    #[test]
    fn settings_default_on_and_patch_only_what_is_named() {
        let all = NotificationSettings::default();
        assert!(NotificationKind::ALL.iter().all(|k| all.wants(*k)));
        let quiet = all.patched(&NotificationSettingsPatch {
            lock_conflict: Some(false),
            ..Default::default()
        });
        assert!(!quiet.wants(NotificationKind::LockConflict));
        assert!(quiet.wants(NotificationKind::NoShow));
        assert_eq!(quiet.patched(&NotificationSettingsPatch::default()), quiet);
    }

    #[test]
    fn the_schedule_is_short_and_grows_with_bounded_jitter() {
        let exact: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| retry_delay(n, 500).unwrap().num_seconds())
            .collect();
        assert_eq!(exact, vec![10, 40, 160, 640]);
        assert_eq!(retry_delay(MAX_ATTEMPTS, 500), None);
        assert_eq!(retry_delay(0, 500), None);
        for n in 1..MAX_ATTEMPTS {
            let mid = retry_delay(n, 500).unwrap();
            assert_eq!(retry_delay(n, 0).unwrap(), mid * 3 / 4);
            assert_eq!(retry_delay(n, 1000).unwrap(), mid * 5 / 4);
        }
    }

    fn tenant() -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: "alpine-cabins".parse().unwrap(),
            name: "Alpine Cabins".into(),
            timezone: chrono_tz::Europe::Zurich,
            currency: "CHF".parse().unwrap(),
            locale: "de-CH".into(),
            created_at: Utc::now(),
        }
    }

    fn event(kind: EventKind, entity_id: Uuid, payload: serde_json::Value) -> Event {
        Event {
            cursor: EventCursor { txid: 0, seq: 3 },
            id: EventId::new(),
            tenant_id: TenantId::new(),
            kind,
            entity_id,
            payload,
            at: "2026-12-01T08:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn notifications_name_the_tenant_the_unit_and_the_local_period() {
        let id = ReservationId::new();
        let payload = serde_json::json!({
            "id": id, "tenant_id": TenantId::new(), "unit_id": UnitId::new(), "client_id": null,
            "state": "absent",
            "period": { "start": "2026-12-10T14:00:00Z", "end": "2026-12-12T09:00:00Z" },
            "occupied": { "start": "2026-12-10T14:00:00Z", "end": "2026-12-12T09:00:00Z" },
            "check_in": "2026-12-10", "check_out": "2026-12-12", "quantity": 1, "guests": 2,
            "price": null, "channel": "admin", "idempotency_key": null, "notes": null,
            "hold_expires_at": null, "version": 2,
            "created_at": "2026-12-01T08:00:00Z", "updated_at": "2026-12-10T23:00:00Z",
        });
        let e = event(EventKind::ReservationStateChanged, id.as_uuid(), payload);
        let n = Notification::render(NotificationKind::NoShow, &e, &tenant(), Some("Birch"));
        assert_eq!(n.title, "No-show");
        assert_eq!(
            n.body,
            "Birch, 10 Dec – 12 Dec 2026: the guest did not check in"
        );
        assert_eq!(n.url, format!("/reservations/{id}"));
        let json: serde_json::Value = serde_json::from_slice(&n.to_json()).unwrap();
        assert_eq!(json["kind"], "no_show");
        assert_eq!(json["tenant"], "alpine-cabins");
        assert_eq!(json["reservation_id"], id.to_string());
        assert_eq!(json["event_id"], e.id.to_string());
        assert!(json.get("lock_id").is_none());
        assert!(n.to_json().len() < 1024);
    }

    #[test]
    fn a_guests_request_from_the_public_site_says_so() {
        let id = ReservationId::new();
        let payload = serde_json::json!({
            "id": id, "tenant_id": TenantId::new(), "unit_id": UnitId::new(), "client_id": null,
            "state": "held",
            "period": { "start": "2026-12-10T14:00:00Z", "end": "2026-12-12T09:00:00Z" },
            "occupied": { "start": "2026-12-10T14:00:00Z", "end": "2026-12-12T09:00:00Z" },
            "check_in": "2026-12-10", "check_out": "2026-12-12", "quantity": 1, "guests": 3,
            "price": null, "channel": "public", "idempotency_key": "public:k", "notes": null,
            "hold_expires_at": "2026-12-01T08:15:00Z", "version": 1,
            "created_at": "2026-12-01T08:00:00Z", "updated_at": "2026-12-01T08:00:00Z",
        });
        let e = event(EventKind::ReservationCreated, id.as_uuid(), payload);
        let n = Notification::render(
            NotificationKind::ReservationCreated,
            &e,
            &tenant(),
            Some("Birch"),
        );
        assert_eq!(n.title, "New booking request");
        assert_eq!(
            n.body,
            "Birch, 10 Dec – 12 Dec 2026, 3 guests: asked on the public site, held until confirmed"
        );
        assert_eq!(n.url, format!("/reservations/{id}"));
    }

    #[test]
    fn lock_conflicts_name_the_holder_and_the_local_expiry() {
        let lock_id = LockId::new();
        let unit = UnitId::new();
        let payload = serde_json::json!({
            "lock": {
                "id": lock_id, "tenant_id": TenantId::new(), "unit_id": unit, "range": null,
                "reservation_id": null,
                "holder": { "actor": "System", "display_name": "anna@example.org", "session": "ws:1" },
                "acquired_at": "2026-12-01T08:00:00Z", "expires_at": "2026-12-01T08:10:00Z",
            },
            "attempted_by": "system",
        });
        let e = event(EventKind::LockConflict, lock_id.as_uuid(), payload);
        let n = Notification::render(NotificationKind::LockConflict, &e, &tenant(), None);
        assert_eq!(
            n.body,
            "A unit: a change was refused, anna@example.org holds it until 09:10"
        );
        assert_eq!(n.url, format!("/units/{unit}"));
        assert_eq!(n.lock_id, Some(lock_id.to_string()));
        assert_eq!(n.reservation_id, None);
    }
}
