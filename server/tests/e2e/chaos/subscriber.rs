//! The subscriber: `reservationEvents(after:)` over graphql-transport-ws, on
//! whichever instance is up. When its socket breaks (a kill, PostgreSQL gone) it
//! connects again and resumes from the last cursor it received. What it received
//! is kept in order, duplicates and all, for the checks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SUBSCRIPTION: &str = "subscription($after: String) {
    reservationEvents(after: $after) { cursor id kind } }";

/// What the subscriber received.
#[derive(Default)]
pub(crate) struct Received {
    /// Event ids in the order received.
    pub(crate) ids: Vec<String>,
    /// The cursor it resumes from.
    pub(crate) cursor: String,
    /// Times it connected (the first included).
    pub(crate) connections: u64,
}

/// Follows the events after `cursor` until `stop`.
pub(crate) async fn follow(
    instances: Vec<Arc<RwLock<String>>>,
    token: String,
    cursor: String,
    received: Arc<Mutex<Received>>,
    stop: Arc<AtomicBool>,
) {
    received.lock().unwrap().cursor = cursor;
    let mut attempt = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let addr = instances[attempt % instances.len()].read().unwrap().clone();
        attempt += 1;
        if !addr.is_empty() {
            // Any error ends this connection; the loop makes the next one.
            let _ = session(&addr, &token, &received, &stop).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn session(
    addr: &str,
    token: &str,
    received: &Mutex<Received>,
    stop: &AtomicBool,
) -> Result<(), String> {
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    let text = |v: Value| Message::text(v.to_string());
    socket
        .send(text(json!({ "type": "connection_init",
            "payload": { "authorization": format!("Bearer {token}") } })))
        .await
        .map_err(|e| e.to_string())?;
    let after = {
        let mut received = received.lock().unwrap();
        received.connections += 1;
        received.cursor.clone()
    };
    socket
        .send(text(json!({ "id": "1", "type": "subscribe",
            "payload": { "query": SUBSCRIPTION, "variables": { "after": after } } })))
        .await
        .map_err(|e| e.to_string())?;
    while !stop.load(Ordering::Relaxed) {
        let frame = match tokio::time::timeout(Duration::from_millis(500), socket.next()).await {
            Err(_) => continue,
            Ok(None) => return Err("closed".into()),
            Ok(Some(frame)) => frame.map_err(|e| e.to_string())?,
        };
        let Message::Text(body) = frame else { continue };
        let message: Value = serde_json::from_str(body.as_str()).map_err(|e| e.to_string())?;
        match message["type"].as_str() {
            Some("next") => {
                let event = &message["payload"]["data"]["reservationEvents"];
                let (Some(id), Some(cursor)) = (event["id"].as_str(), event["cursor"].as_str())
                else {
                    return Err(format!("not an event: {message}"));
                };
                let mut received = received.lock().unwrap();
                received.ids.push(id.to_owned());
                received.cursor = cursor.to_owned();
            }
            Some("error" | "complete") => return Err(message.to_string()),
            _ => {}
        }
    }
    Ok(())
}
