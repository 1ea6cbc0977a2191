//! Sending one notification (RFC 8030): the payload encrypted for the device
//! (RFC 8291, `aes128gcm`, by web-push-native), `TTL` and `Urgency` by kind, the
//! VAPID `Authorization` (RFC 8292), POSTed through the delivery workers' shared
//! HTTP client (`crate::workers::outbound`).

use std::sync::Arc;
use std::time::Duration;

use berth_core::push::ClaimedPush;
use berth_core::webhook::AttemptResult;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use hyper::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use web_push_native::{Auth, WebPushBuilder};

use super::vapid::VapidKey;
use crate::workers::outbound::Outbound;

/// What berth calls itself in the `user-agent` header.
const AGENT: &str = concat!("berth-push/", env!("CARGO_PKG_VERSION"));

/// Sends notifications.
#[derive(Clone, Debug)]
pub struct PushSender {
    http: Outbound,
    vapid: Arc<VapidKey>,
    subject: Option<String>,
}

impl PushSender {
    /// A sender signing with `vapid` (and `subject`, the operator's contact),
    /// giving each attempt `timeout`; with `allow_private`, loopback and
    /// private network addresses may be called too.
    pub fn new(
        vapid: Arc<VapidKey>,
        subject: Option<String>,
        timeout: Duration,
        allow_private: bool,
    ) -> Self {
        Self {
            http: Outbound::new(timeout, allow_private),
            vapid,
            subject,
        }
    }

    /// Encrypts `payload` for the claimed device and POSTs it: the push
    /// service's status, or why there was none.
    pub async fn send(
        &self,
        claimed: &ClaimedPush,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> AttemptResult {
        match self.request(claimed, payload, now) {
            Ok((headers, body)) => {
                self.http
                    .post(claimed.endpoint.as_str(), headers, body)
                    .await
            }
            Err(why) => AttemptResult::Error(why),
        }
    }

    /// The headers and encrypted body of one message.
    fn request(
        &self,
        claimed: &ClaimedPush,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(HeaderMap, Bytes), String> {
        let endpoint: hyper::Uri = claimed
            .endpoint
            .as_str()
            .parse()
            .map_err(|e| format!("unusable endpoint: {e}"))?;
        let device = web_push_native::p256::PublicKey::from_sec1_bytes(claimed.keys.p256dh_bytes())
            .map_err(|_| "the subscription's p256dh is not a P-256 key".to_owned())?;
        let auth = Auth::from(*claimed.keys.auth_bytes());
        let ttl = claimed.kind.ttl().to_std().unwrap_or(Duration::ZERO);
        // Content-Encoding, Content-Type, Content-Length and TTL come with it.
        let request = WebPushBuilder::new(endpoint, device, auth)
            .with_valid_duration(ttl)
            .build(payload.to_vec())
            .map_err(|e| format!("encrypting the notification failed: {e}"))?;
        let (parts, body) = request.into_parts();
        let mut headers = parts.headers;
        headers.insert(USER_AGENT, HeaderValue::from_static(AGENT));
        headers.insert(
            HeaderName::from_static("urgency"),
            HeaderValue::from_static(claimed.kind.urgency()),
        );
        let authorization =
            self.vapid
                .authorization(&claimed.endpoint.origin(), self.subject.as_deref(), now)?;
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&authorization)
                .map_err(|_| "the VAPID subject is not a valid header value".to_owned())?,
        );
        Ok((headers, Bytes::from(body)))
    }
}
