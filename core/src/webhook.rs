//! Webhooks: an integrator's HTTP endpoint that receives the tenant's events, signed
//! per the Standard Webhooks specification (<https://www.standardwebhooks.com>).
//!
//! The pure parts live here: the endpoint URL and event filter rules, the signing
//! secret and the signature, the message body, and the retry schedule. The store
//! queues one delivery per (webhook, matching event) from the webhook's own
//! position in the outbox; a worker (in the server) claims due deliveries, sends
//! them and reports each attempt back.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use crate::backoff::{Backoff, truncate};
use crate::event::{Event, EventCursor, EventKind};
use crate::ids::{DeliveryId, EventId, TenantId, WebhookId};

/// Attempts a delivery gets before it is marked failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// The schedule [`retry_delay`] follows: 10 s before the first retry, each
/// later wait four times longer, up to 12 h.
const SCHEDULE: Backoff = Backoff::new(MAX_ATTEMPTS, Duration::seconds(10), 4, Duration::hours(12));
/// Active webhooks one tenant may have.
pub const MAX_WEBHOOKS_PER_TENANT: usize = 32;
/// Longest accepted endpoint URL.
pub const MAX_URL_LEN: usize = 2048;
/// Most event filters one webhook may list.
pub const MAX_FILTERS: usize = 32;
/// Longest error text kept per attempt.
pub const MAX_ERROR_LEN: usize = 500;
/// How long delivered and failed deliveries (with their attempts) are kept for
/// `webhookDeliveries` before the worker prunes them.
pub const KEEP_FINISHED: Duration = Duration::days(30);

/// Why a webhook definition was refused (safe to show to the caller).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The endpoint URL is not an absolute http(s) URL berth may call.
    #[error("url: {0}")]
    Url(String),
    /// The event filter list is not valid.
    #[error("events: {0}")]
    Events(String),
    /// A signing secret that is not `whsec_` + base64 of 24 to 64 bytes.
    #[error("not a webhook signing secret")]
    Secret,
}

/// A webhook endpoint: an absolute `http` or `https` URL without credentials or
/// fragment, at most [`MAX_URL_LEN`] bytes. Stored in its normalized form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for WebhookUrl {
    type Err = WebhookError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| WebhookError::Url(why.to_owned());
        let s = s.trim();
        if s.len() > MAX_URL_LEN {
            return Err(bad(&format!("longer than {MAX_URL_LEN} characters")));
        }
        let url =
            url::Url::parse(s).map_err(|e| bad(&format!("`{s}` is not an absolute URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad(&format!(
                "scheme `{}` is not supported; use https (or http)",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("the URL has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "credentials in the URL are not accepted; verify the signature instead",
            ));
        }
        if url.fragment().is_some() {
            return Err(bad("a URL with a #fragment is not accepted"));
        }
        Ok(Self(url.to_string()))
    }
}

/// One entry of a webhook's event list: an event kind (`reservation.created`), all
/// kinds of a family (`reservation.*`), or every event (`*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventFilter {
    /// Every event.
    All,
    /// Every kind whose name starts with this family prefix (`reservation.`).
    Family(String),
    /// Exactly this kind.
    Kind(EventKind),
}

impl EventFilter {
    /// Whether an event of `kind` passes this filter.
    pub fn matches(&self, kind: EventKind) -> bool {
        match self {
            Self::All => true,
            Self::Family(prefix) => kind.as_str().starts_with(prefix.as_str()),
            Self::Kind(k) => *k == kind,
        }
    }
}

impl fmt::Display for EventFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("*"),
            Self::Family(prefix) => write!(f, "{prefix}*"),
            Self::Kind(k) => f.write_str(k.as_str()),
        }
    }
}

impl FromStr for EventFilter {
    type Err = WebhookError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "*" {
            return Ok(Self::All);
        }
        if let Some(family) = s.strip_suffix(".*") {
            let prefix = format!("{family}.");
            if !family.is_empty()
                && !family.contains('*')
                && EventKind::all()
                    .iter()
                    .any(|k| k.as_str().starts_with(&prefix))
            {
                return Ok(Self::Family(prefix));
            }
            return Err(unknown_kind(s));
        }
        s.parse::<EventKind>()
            .map(Self::Kind)
            .map_err(|_| unknown_kind(s))
    }
}

fn unknown_kind(s: &str) -> WebhookError {
    let known: Vec<&str> = EventKind::all().iter().map(EventKind::as_str).collect();
    WebhookError::Events(format!(
        "`{s}` names no event; use `*`, a family like `reservation.*`, or one of: {}",
        known.join(", ")
    ))
}

/// A webhook's event list: at least one filter, at most [`MAX_FILTERS`], without
/// repeats (in the order given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFilters(Vec<EventFilter>);

impl EventFilters {
    /// Parses a list of filter strings.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, WebhookError> {
        if items.is_empty() {
            return Err(WebhookError::Events(
                "list at least one event (`*` for every event)".into(),
            ));
        }
        if items.len() > MAX_FILTERS {
            return Err(WebhookError::Events(format!(
                "at most {MAX_FILTERS} entries"
            )));
        }
        let mut out: Vec<EventFilter> = Vec::with_capacity(items.len());
        for item in items {
            let filter: EventFilter = item.as_ref().parse()?;
            if !out.contains(&filter) {
                out.push(filter);
            }
        }
        Ok(Self(out))
    }

    /// Whether an event of `kind` passes any filter.
    pub fn matches(&self, kind: EventKind) -> bool {
        self.0.iter().any(|f| f.matches(kind))
    }

    /// The filters as their strings (`reservation.*`).
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }

    /// The filters.
    pub fn iter(&self) -> impl Iterator<Item = &EventFilter> {
        self.0.iter()
    }
}

impl Serialize for EventFilters {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_strings().serialize(serializer)
    }
}

/// A webhook's signing secret, `whsec_` + base64 of its bytes (Standard
/// Webhooks). It is shown once, at creation; the store keeps it to sign every
/// message, and it never appears in the audit log, events or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// A fresh secret of 32 bytes from the operating system's random source (two
    /// v4 UUIDs: 244 random bits).
    pub fn generate() -> Self {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(Uuid::new_v4().as_bytes());
        bytes.extend_from_slice(Uuid::new_v4().as_bytes());
        Self(bytes)
    }

    /// The secret as integrators configure it: `whsec_<base64>`.
    pub fn expose(&self) -> String {
        format!("whsec_{}", BASE64.encode(&self.0))
    }

    /// The `webhook-signature` header value for a message: `v1,` + base64 of
    /// HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed with the secret's bytes.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        // HMAC accepts keys of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl FromStr for WebhookSecret {
    type Err = WebhookError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let encoded = s.strip_prefix("whsec_").ok_or(WebhookError::Secret)?;
        let bytes = BASE64.decode(encoded).map_err(|_| WebhookError::Secret)?;
        if (24..=64).contains(&bytes.len()) {
            Ok(Self(bytes))
        } else {
            Err(WebhookError::Secret)
        }
    }
}

/// A webhook as stored (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// Its id.
    pub id: WebhookId,
    /// The tenant whose events it receives.
    pub tenant_id: TenantId,
    /// Where messages are POSTed.
    pub url: WebhookUrl,
    /// Which events it receives.
    pub events: EventFilters,
    /// When it was created: it receives the events written after this.
    pub created_at: DateTime<Utc>,
    /// When it was deleted; a deleted webhook receives nothing more, and its
    /// delivery log stays readable.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What is needed to create a webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhook {
    /// Where to send.
    pub url: WebhookUrl,
    /// What to send.
    pub events: EventFilters,
    /// The signing secret (see [`WebhookSecret::generate`]).
    pub secret: WebhookSecret,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt, or being attempted.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed (or the webhook was deleted first).
    Failed,
}

impl DeliveryStatus {
    /// The stored name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

impl FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Self::Pending),
            "delivered" => Ok(Self::Delivered),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown delivery status `{other}`")),
        }
    }
}

/// One attempt to deliver a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it was claimed and sent.
    pub started_at: DateTime<Utc>,
    /// When its outcome was recorded; `None` if the sender stopped before that.
    pub finished_at: Option<DateTime<Utc>>,
    /// The endpoint's HTTP status, when it answered.
    pub response_status: Option<u16>,
    /// Why the attempt failed (a non-2xx status, a timeout, a refused connection).
    pub error: Option<String>,
}

/// One event queued for one webhook, and its attempts so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Its id: the `webhook-id` of the message, the same on every attempt.
    pub id: DeliveryId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The webhook.
    pub webhook_id: WebhookId,
    /// The event delivered.
    pub event_id: EventId,
    /// Its kind.
    pub event_kind: EventKind,
    /// Its position in the tenant's stream.
    pub event_cursor: EventCursor,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// Attempts made (or started) so far.
    pub attempts: u32,
    /// When the next attempt is due (pending only; while an attempt is in
    /// flight, when its lease runs out).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Every attempt, first first.
    pub attempt_log: Vec<DeliveryAttempt>,
}

impl Delivery {
    /// The last attempt, if any.
    pub fn last_attempt(&self) -> Option<&DeliveryAttempt> {
        self.attempt_log.last()
    }
}

/// A page of a webhook's delivery log: newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryPage {
    /// Only deliveries older than this one (the page cursor).
    pub before: Option<DeliveryId>,
    /// At most this many (at most 1000).
    pub limit: u32,
}

/// What one enqueue pass did for a tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Enqueued {
    /// Deliveries queued.
    pub deliveries: u64,
    /// Events read from the outbox.
    pub events: u64,
    /// True when the pass stopped at its limit: more events may be waiting.
    pub more: bool,
}

/// A delivery claimed for one attempt: everything needed to send it. The claim
/// is a lease: until `lease_expires_at` no other worker takes it.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    /// The delivery.
    pub id: DeliveryId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The webhook.
    pub webhook_id: WebhookId,
    /// Proof of this claim, required to record its outcome.
    pub lease: Uuid,
    /// When the claim lapses and the delivery becomes due again.
    pub lease_expires_at: DateTime<Utc>,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// Whether it is the delivery's last allowed attempt (the
    /// [`MAX_ATTEMPTS`]th, or the one more of a retry asked for by an admin):
    /// a failure then fails the delivery.
    pub final_attempt: bool,
    /// Where to send.
    pub url: WebhookUrl,
    /// What to sign with.
    pub secret: WebhookSecret,
    /// The event to deliver.
    pub event: Event,
}

/// A message ready to POST: the body, and the three Standard Webhooks headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedMessage {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp` (seconds since the Unix epoch).
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: String,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The message body for an event: `{"type", "timestamp", "data"}` as Standard
/// Webhooks recommends; `data` holds the event's id, cursor, entity and payload
/// (for most kinds, the entity after the change).
pub fn message_body(event: &Event) -> serde_json::Value {
    json!({
        "type": event.kind.as_str(),
        "timestamp": event.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "data": {
            "event_id": event.id,
            "cursor": event.cursor.to_string(),
            "tenant_id": event.tenant_id,
            "entity_id": event.entity_id,
            "payload": event.payload,
        }
    })
}

impl ClaimedDelivery {
    /// The message for this attempt, signed at `now`.
    pub fn sign(&self, now: DateTime<Utc>) -> SignedMessage {
        let id = self.id.to_string();
        let body = message_body(&self.event).to_string().into_bytes();
        let timestamp = now.timestamp();
        SignedMessage {
            signature: self.secret.sign(&id, timestamp, &body),
            id,
            timestamp,
            body,
        }
    }
}

/// What the endpoint did with one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// It answered with this HTTP status.
    Response(u16),
    /// No answer: connection refused, timeout, TLS failure, a refused target…
    Error(String),
}

impl AttemptResult {
    /// The status to record (when there was an answer) and the error (when it
    /// failed: a status other than 2xx, or no answer, its text cut to
    /// `max_error_len` bytes).
    pub fn status_and_error(self, max_error_len: usize) -> (Option<u16>, Option<String>) {
        match self {
            Self::Response(status) if (200..300).contains(&status) => (Some(status), None),
            Self::Response(status) => (Some(status), Some(format!("HTTP {status}"))),
            Self::Error(e) => (None, Some(truncate(e, max_error_len))),
        }
    }
}

/// What happens to a delivery after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// Done: the endpoint accepted it.
    Delivered,
    /// Try again at this instant.
    RetryAt(DateTime<Utc>),
    /// Give up: the last allowed attempt failed.
    Failed,
}

/// The outcome of one attempt, as the store records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptReport {
    /// The delivery.
    pub delivery_id: DeliveryId,
    /// The claim it was made under.
    pub lease: Uuid,
    /// The attempt's number.
    pub attempt: u32,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// The endpoint's status, when it answered.
    pub response_status: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// What happens next.
    pub next: NextStep,
}

impl AttemptReport {
    /// The report for `claimed`'s attempt ending at `finished_at` with `result`:
    /// any 2xx status delivers; anything else is retried per [`retry_delay`]
    /// (with `jitter`, 0–1000, drawn by the caller) until the final attempt.
    pub fn new(
        claimed: &ClaimedDelivery,
        finished_at: DateTime<Utc>,
        result: AttemptResult,
        jitter: u16,
    ) -> Self {
        let (response_status, error) = result.status_and_error(MAX_ERROR_LEN);
        let next = if error.is_none() {
            NextStep::Delivered
        } else if claimed.final_attempt {
            NextStep::Failed
        } else {
            retry_delay(claimed.attempt, jitter).map_or(NextStep::Failed, |delay| {
                NextStep::RetryAt(finished_at + delay)
            })
        };
        Self {
            delivery_id: claimed.id,
            lease: claimed.lease,
            attempt: claimed.attempt,
            finished_at,
            response_status,
            error,
            next,
        }
    }
}

/// The wait after the `attempts_made`-th failed attempt, or `None` when that was
/// the last one ([`MAX_ATTEMPTS`]). Exponential:
/// the schedule's first wait times its factor to the power `attempts_made - 1`,
/// capped at its longest wait, then scaled by a jitter factor between 0.75 and 1.25
/// (`jitter` 0–1000 maps onto it linearly) so that endpoints recovering from an
/// outage are not hit by every queued message at once.
///
/// Without jitter the waits are 10 s, 40 s, 2 min 40 s, 10 min 40 s, 42 min 40 s,
/// 2 h 50 min 40 s and 11 h 22 min 40 s: eight attempts over about fifteen hours.
pub fn retry_delay(attempts_made: u32, jitter: u16) -> Option<Duration> {
    SCHEDULE.delay(attempts_made, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_absolute_http_without_credentials() {
        let ok: WebhookUrl = "https://hooks.example.org/berth?x=1".parse().unwrap();
        assert_eq!(ok.as_str(), "https://hooks.example.org/berth?x=1");
        assert_eq!(
            "http://127.0.0.1:9000"
                .parse::<WebhookUrl>()
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9000/"
        );
        for bad in [
            "",
            "swept",
            "/relative/path",
            "ftp://example.org/x",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://user:pw@example.org/",
            "https://example.org/#frag",
            "http://",
        ] {
            assert!(bad.parse::<WebhookUrl>().is_err(), "{bad}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert!(long.parse::<WebhookUrl>().is_err());
    }

    #[test]
    fn filters_name_known_kinds_or_families() {
        let f = EventFilters::parse(&["reservation.*", "unit.created", "unit.created"]).unwrap();
        assert_eq!(f.to_strings(), vec!["reservation.*", "unit.created"]);
        assert!(f.matches(EventKind::ReservationCanceled));
        assert!(f.matches(EventKind::UnitCreated));
        assert!(!f.matches(EventKind::UnitUpdated));
        assert!(!f.matches(EventKind::ClientCreated));
        let all = EventFilters::parse(&["*"]).unwrap();
        assert!(EventKind::all().iter().all(|k| all.matches(*k)));
        for bad in [
            vec!["reservation.exploded"],
            vec!["nothing.*"],
            vec![".*"],
            vec!["*.*"],
            vec!["reservation*"],
            vec![],
        ] {
            assert!(EventFilters::parse(&bad).is_err(), "{bad:?}");
        }
        // A family is matched on whole segments: `unit.*` is not `units.*`.
        assert!(!EventFilter::Family("unit.".into()).matches(EventKind::ClientCreated));
    }

    #[test]
    fn secrets_round_trip_and_never_show_in_debug() {
        let s = WebhookSecret::generate();
        let exposed = s.expose();
        assert!(exposed.starts_with("whsec_"));
        assert_eq!(exposed.parse::<WebhookSecret>().unwrap(), s);
        assert_eq!(format!("{s:?}"), "WebhookSecret(..)");
        assert_ne!(WebhookSecret::generate(), s);
        assert!("whsec_short".parse::<WebhookSecret>().is_err());
        assert!("nope".parse::<WebhookSecret>().is_err());
    }

    #[test]
    fn signature_matches_the_standard_webhooks_reference() {
        // The example of the Standard Webhooks reference libraries.
        let secret: WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse().unwrap();
        let sig = secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn the_retry_schedule_grows_exponentially_with_bounded_jitter() {
        let exact: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| retry_delay(n, 500).unwrap().num_seconds())
            .collect();
        assert_eq!(exact, vec![10, 40, 160, 640, 2560, 10240, 40960]);
        assert_eq!(retry_delay(MAX_ATTEMPTS, 500), None);
        assert_eq!(retry_delay(0, 500), None);
        for n in 1..MAX_ATTEMPTS {
            let mid = retry_delay(n, 500).unwrap();
            let low = retry_delay(n, 0).unwrap();
            let high = retry_delay(n, 1000).unwrap();
            assert_eq!(low, mid * 3 / 4, "attempt {n}");
            assert_eq!(high, mid * 5 / 4, "attempt {n}");
            assert!(high <= SCHEDULE.max * 5 / 4);
            // Even the longest jittered wait is shorter than the next one's shortest.
            if let Some(next) = retry_delay(n + 1, 0) {
                assert!(high < next, "attempt {n}");
            }
        }
        assert_eq!(retry_delay(1, u16::MAX), retry_delay(1, 1000));
    }

    fn claimed(attempt: u32) -> ClaimedDelivery {
        ClaimedDelivery {
            id: DeliveryId::new(),
            tenant_id: TenantId::new(),
            webhook_id: WebhookId::new(),
            lease: Uuid::new_v4(),
            lease_expires_at: Utc::now(),
            attempt,
            final_attempt: attempt >= MAX_ATTEMPTS,
            url: "https://example.org/hook".parse().unwrap(),
            secret: WebhookSecret::generate(),
            event: Event {
                cursor: EventCursor { txid: 0, seq: 7 },
                id: EventId::new(),
                tenant_id: TenantId::new(),
                kind: EventKind::ReservationCreated,
                entity_id: Uuid::now_v7(),
                payload: json!({ "state": "confirmed" }),
                at: "2026-11-02T09:00:00Z".parse().unwrap(),
            },
        }
    }

    #[test]
    fn attempts_deliver_on_2xx_and_retry_until_the_bound() {
        let now: DateTime<Utc> = "2026-11-02T10:00:00Z".parse().unwrap();
        let ok = AttemptReport::new(&claimed(1), now, AttemptResult::Response(204), 0);
        assert_eq!(ok.next, NextStep::Delivered);
        assert_eq!((ok.response_status, ok.error), (Some(204), None));
        let retry = AttemptReport::new(&claimed(1), now, AttemptResult::Response(500), 500);
        assert_eq!(retry.next, NextStep::RetryAt(now + Duration::seconds(10)));
        assert_eq!(retry.error.as_deref(), Some("HTTP 500"));
        let redirect = AttemptReport::new(&claimed(2), now, AttemptResult::Response(301), 500);
        assert_eq!(
            redirect.next,
            NextStep::RetryAt(now + Duration::seconds(40))
        );
        let last = AttemptReport::new(
            &claimed(MAX_ATTEMPTS),
            now,
            AttemptResult::Error("é".repeat(400)),
            0,
        );
        assert_eq!(last.next, NextStep::Failed);
        assert!(last.error.unwrap().len() <= MAX_ERROR_LEN);
        // The one more attempt of a retried delivery is final too.
        let retried = ClaimedDelivery {
            final_attempt: true,
            ..claimed(9)
        };
        let again = AttemptReport::new(&retried, now, AttemptResult::Response(503), 0);
        assert_eq!(again.next, NextStep::Failed);
        let ok = AttemptReport::new(&retried, now, AttemptResult::Response(200), 0);
        assert_eq!(ok.next, NextStep::Delivered);
    }

    #[test]
    fn messages_are_signed_over_id_timestamp_and_body() {
        let c = claimed(1);
        let now: DateTime<Utc> = "2026-11-02T10:00:00Z".parse().unwrap();
        let m = c.sign(now);
        assert_eq!(m.id, c.id.to_string());
        assert_eq!(m.timestamp, now.timestamp());
        assert_eq!(m.signature, c.secret.sign(&m.id, m.timestamp, &m.body));
        let body: serde_json::Value = serde_json::from_slice(&m.body).unwrap();
        assert_eq!(body["type"], "reservation.created");
        assert_eq!(body["timestamp"], "2026-11-02T09:00:00.000000Z");
        assert_eq!(body["data"]["cursor"], "0-7");
        assert_eq!(body["data"]["payload"]["state"], "confirmed");
        assert_eq!(body["data"]["event_id"], c.event.id.to_string());
        // The same delivery signs the same body on every attempt.
        assert_eq!(c.sign(now + Duration::seconds(30)).body, m.body);
    }
}
