//! graphql-transport-ws subscriptions to a shared field (`lockEvents`,
//! `policyEvents`) served by berth itself rather than by async-graphql's
//! connection (docs/decisions/0184). A signed-in connection's `subscribe` to
//! one of them hands the group rendering it (`berth_graphql::fan_out`) the
//! connection's outbox: every event's response is serialised once for the
//! group and written to each subscriber's socket as it is, where
//! async-graphql's connection would copy it, serialise it again and pass it
//! through two more tasks per subscriber. The client's `complete` for such an
//! operation is answered here; every other message, and every operation this
//! does not take, goes to async-graphql as before. An id is never served by
//! both: a `subscribe` reusing the id of an operation of this module's
//! replaces it (as async-graphql does with its own), and one reusing an id
//! async-graphql still runs is left to async-graphql.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::Message;
use berth_graphql::fan_out::{DirectSubscription, FanOut, complete_message};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::{SocketExecutor, Verified};

/// The operations of one connection served here, and the ids async-graphql
/// runs.
#[derive(Debug, Default)]
pub(super) struct Direct {
    ids: Mutex<Ids>,
}

#[derive(Debug, Default)]
struct Ids {
    ours: HashMap<String, DirectSubscription>,
    theirs: HashSet<String>,
}

/// The parts of a client's message that decide who serves it.
#[derive(Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    payload: Option<serde_json::Value>,
}

impl Direct {
    /// Serves `message` from the client when it is a `subscribe` this module
    /// takes or a `complete` of one of its operations (`None`); otherwise
    /// hands it back for async-graphql. `out` is the connection's outbox.
    pub(super) async fn intercept(
        &self,
        message: Message,
        executor: &SocketExecutor,
        out: &mpsc::Sender<Message>,
    ) -> Option<Message> {
        let Message::Text(text) = &message else {
            return Some(message);
        };
        let Ok(Incoming {
            kind,
            id: Some(id),
            payload,
        }) = serde_json::from_str::<Incoming>(text)
        else {
            return Some(message);
        };
        match kind.as_str() {
            "complete" => {
                let ours = self.lock().ours.remove(&id);
                if ours.is_none() {
                    self.lock().theirs.remove(&id);
                    return Some(message);
                }
                // Deliveries stop as it drops; answered as async-graphql
                // answers the end of its own.
                drop(ours);
                let id = serde_json::to_string(&id).unwrap_or_default();
                let _ = out.send(Message::Text(complete_message(&id).into())).await;
                None
            }
            "subscribe" => {
                drop(self.lock().ours.remove(&id));
                if self.take(&id, payload, executor, out).await {
                    return None;
                }
                self.lock().theirs.insert(id);
                Some(message)
            }
            _ => Some(message),
        }
    }

    /// Subscribes operation `id` directly when it asks for a shared field
    /// alone on a signed-in connection and a group takes it.
    async fn take(
        &self,
        id: &str,
        payload: Option<serde_json::Value>,
        executor: &SocketExecutor,
        out: &mpsc::Sender<Message>,
    ) -> bool {
        let Some(token) = executor.token.get() else {
            return false;
        };
        if self.lock().theirs.contains(id) {
            return false;
        }
        let Some(request) =
            payload.and_then(|p| serde_json::from_value::<async_graphql::Request>(p).ok())
        else {
            return false;
        };
        if !FanOut::shares(&request) {
            return false;
        }
        // A token that no longer verifies is public now: async-graphql's
        // execution answers it.
        let Ok((verified, None)) = executor.refused_for().await else {
            return false;
        };
        let checked = verified.map(|Verified(viewer)| viewer);
        let Some(subscription) = executor
            .state
            .fan_out
            .subscribe_direct(&request, token, checked, id, Arc::new(out.clone()))
            .await
        else {
            return false;
        };
        // Operations are numbered for their request ids whoever serves them.
        executor.next_request_id();
        self.lock().ours.insert(id.to_owned(), subscription);
        true
    }

    /// Notes a message async-graphql sends: a `complete` frees its id.
    pub(super) fn observe(&self, message: &Message) {
        if let Message::Text(text) = message
            && text.starts_with(r#"{"type":"complete""#)
            && let Ok(Incoming { id: Some(id), .. }) = serde_json::from_str::<Incoming>(text)
        {
            self.lock().theirs.remove(&id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ids> {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The client's messages without those `direct` serves (all of them pass
/// when it is `None`: not a graphql-transport-ws connection). `out` is the
/// connection's outbox.
pub(super) fn intercepted<S>(
    stream: S,
    direct: Option<Arc<Direct>>,
    executor: SocketExecutor,
    out: mpsc::Sender<Message>,
) -> impl Stream<Item = Result<Message, axum::Error>> + Send + 'static
where
    S: Stream<Item = Result<Message, axum::Error>> + Send + 'static,
{
    let state = (Box::pin(stream), direct, executor, out);
    futures_util::stream::unfold(state, |(mut stream, direct, executor, out)| async move {
        loop {
            let passed = match (stream.next().await?, &direct) {
                // Boxed: subscribing takes a large future, and this one keeps
                // the room of its largest state in every connection's task.
                (Ok(message), Some(direct)) => Box::pin(direct.intercept(message, &executor, &out))
                    .await
                    .map(Ok),
                (item, _) => Some(item),
            };
            if let Some(item) = passed {
                return Some((item, (stream, direct, executor, out)));
            }
        }
    })
}

/// Whether the upgrade asked for graphql-transport-ws: the first protocol of
/// `Sec-WebSocket-Protocol` berth speaks, as async-graphql picks it.
pub(super) fn transport_ws(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|protocols| {
            protocols.split(',').map(str::trim).find(|p| {
                p.eq_ignore_ascii_case("graphql-ws")
                    || p.eq_ignore_ascii_case("graphql-transport-ws")
            })
        })
        .is_some_and(|p| p.eq_ignore_ascii_case("graphql-transport-ws"))
}
