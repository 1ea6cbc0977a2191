//! The webhook receiver the harness runs on loopback: it records every message's
//! `webhook-id` with the event it carries, and refuses a seeded tenth of them with
//! 503, so that retries happen without a kill too. It lives outside the killed
//! processes, so what it recorded survives every fault.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;

use super::rng::Rng;

/// What the receiver saw.
#[derive(Default)]
pub(crate) struct Inbox {
    /// Per event id, the `webhook-id` of each message that carried it.
    pub(crate) by_event: HashMap<String, Vec<String>>,
    /// Messages accepted (204).
    pub(crate) accepted: u64,
    /// Messages refused (503), to be retried.
    pub(crate) refused: u64,
    rng: Option<Rng>,
}

type Shared = Arc<Mutex<Inbox>>;

async fn receive(State(inbox): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let message: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let event = message["data"]["event_id"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let mut inbox = inbox.lock().unwrap();
    inbox.by_event.entry(event).or_default().push(id);
    if inbox.rng.as_mut().is_some_and(|r| r.chance(10)) {
        inbox.refused += 1;
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        inbox.accepted += 1;
        StatusCode::NO_CONTENT
    }
}

/// Starts the receiver; returns its URL and what it records.
pub(crate) async fn start(seed: u64) -> (String, Shared) {
    let inbox = Arc::new(Mutex::new(Inbox {
        rng: Some(Rng::new(seed, 0x5eb_400c)),
        ..Inbox::default()
    }));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, inbox)
}
