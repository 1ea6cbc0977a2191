//! Sending one webhook message: the Standard Webhooks headers on a JSON POST,
//! through the delivery workers' shared HTTP client (`crate::workers::outbound`: private
//! addresses refused unless allowed, TLS, no redirects, one timeout).

use std::time::Duration;

use berth_core::webhook::{AttemptResult, SignedMessage, WebhookUrl};
use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::workers::outbound::Outbound;

/// What berth calls itself in the `user-agent` header.
const AGENT: &str = concat!("berth-webhooks/", env!("CARGO_PKG_VERSION"));

/// Sends signed messages.
#[derive(Clone, Debug)]
pub struct Sender {
    http: Outbound,
}

impl Sender {
    /// A sender that gives each attempt `timeout` (resolving, connecting, TLS,
    /// request and response head); with `allow_private`, loopback and private
    /// network addresses may be called too.
    pub fn new(timeout: Duration, allow_private: bool) -> Self {
        Self {
            http: Outbound::new(timeout, allow_private),
        }
    }

    /// POSTs `message` to `url`: the endpoint's status, or why there was none.
    pub async fn post(&self, url: &WebhookUrl, message: &SignedMessage) -> AttemptResult {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(AGENT));
        for (name, value) in [
            ("webhook-id", message.id.clone()),
            ("webhook-timestamp", message.timestamp.to_string()),
            ("webhook-signature", message.signature.clone()),
        ] {
            match HeaderValue::from_str(&value) {
                Ok(v) => {
                    headers.insert(HeaderName::from_static(name), v);
                }
                Err(e) => return AttemptResult::Error(format!("cannot build the request: {e}")),
            }
        }
        self.http
            .post(url.as_str(), headers, Bytes::from(message.body.clone()))
            .await
    }
}
