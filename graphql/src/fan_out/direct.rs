//! A group's direct subscribers: graphql-transport-ws subscriptions whose
//! transport handed the group the connection's outbox instead of asking for a
//! stream (docs/decisions/0184). The group serialises each response once and
//! pushes one `next` message per subscriber straight into its connection's
//! outbox: no per-subscriber task wakes, copies the response or serialises it.
//! What stays each subscriber's own (the end of its session, a new check of
//! its credentials, falling behind) is handled by a small task per subscriber
//! that sleeps until one of those happens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::futures_util::future::BoxFuture;
use berth_core::event::Event as CoreEvent;
use tokio::sync::mpsc;

use crate::auth::Principal;

/// Where a direct subscriber's messages go: its connection's writer, taking
/// graphql-transport-ws text frames.
pub trait Outbox: Send + Sync + 'static {
    /// Queues `text` if there is room.
    fn try_push(&self, text: String) -> Pushed;
    /// Queues `text`, waiting for room (nothing when the connection is gone).
    fn push(&self, text: String) -> BoxFuture<'static, ()>;
}

/// What [`Outbox::try_push`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Queued.
    Sent,
    /// The connection has not written what it holds: the subscriber has
    /// fallen behind.
    Full,
    /// The connection is gone.
    Closed,
}

impl<T: From<String> + Send + 'static> Outbox for mpsc::Sender<T> {
    fn try_push(&self, text: String) -> Pushed {
        match self.try_send(T::from(text)) {
            Ok(()) => Pushed::Sent,
            Err(mpsc::error::TrySendError::Full(_)) => Pushed::Full,
            Err(mpsc::error::TrySendError::Closed(_)) => Pushed::Closed,
        }
    }

    fn push(&self, text: String) -> BoxFuture<'static, ()> {
        let sender = self.clone();
        Box::pin(async move {
            // A connection gone meanwhile needs nothing more.
            let _ = sender.send(T::from(text)).await;
        })
    }
}

/// What a subscriber's own task is told by the group.
pub(super) enum Control {
    /// The feed carried a change to the subscriber's user or key.
    Caller,
    /// Its outbox was full: it no longer gets the group's messages.
    Lagged,
}

/// One direct subscriber, as the group sees it.
struct Member {
    /// The operation's id, as a JSON string.
    id: Arc<str>,
    out: Arc<dyn Outbox>,
    principal: Principal,
    control: mpsc::UnboundedSender<Control>,
}

/// A group's direct subscribers.
#[derive(Default)]
pub(super) struct Members {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    members: HashMap<u64, Member>,
}

impl Members {
    /// Adds a subscriber; its key (for [`Self::remove`]) and what the group
    /// tells its task.
    pub(super) fn insert(
        &self,
        id: Arc<str>,
        out: Arc<dyn Outbox>,
        principal: Principal,
    ) -> (u64, mpsc::UnboundedReceiver<Control>) {
        let (control, told) = mpsc::unbounded_channel();
        let mut inner = self.lock();
        inner.next += 1;
        let key = inner.next;
        inner.members.insert(
            key,
            Member {
                id,
                out,
                principal,
                control,
            },
        );
        (key, told)
    }

    /// Stops sending to the subscriber of `key` (no-op when gone already).
    pub(super) fn remove(&self, key: u64) {
        self.lock().members.remove(&key);
    }

    /// Pushes `payload` (a serialised response) to every subscriber as its
    /// `next` message. One whose outbox is full is dropped and its task told;
    /// one whose connection is gone is dropped.
    pub(super) fn deliver(&self, payload: &str) {
        self.lock().members.retain(|_, member| {
            match member.out.try_push(next_message(&member.id, payload)) {
                Pushed::Sent => true,
                Pushed::Full => {
                    let _ = member.control.send(Control::Lagged);
                    false
                }
                Pushed::Closed => false,
            }
        });
    }

    /// Tells the subscribers whose own user or key `event` changes.
    pub(super) fn caller(&self, event: &CoreEvent) {
        for member in self.lock().members.values() {
            if crate::events::concerns(member.principal, event) {
                let _ = member.control.send(Control::Caller);
            }
        }
    }

    /// Whether any subscriber is direct (the group serialises only then).
    pub(super) fn is_empty(&self) -> bool {
        self.lock().members.is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `{"type":"next","id":<id>,"payload":<payload>}` (`id` already JSON).
pub(super) fn next_message(id: &str, payload: &str) -> String {
    const OPEN: &str = r#"{"type":"next","id":"#;
    const PAYLOAD: &str = r#","payload":"#;
    let mut text = String::with_capacity(OPEN.len() + id.len() + PAYLOAD.len() + payload.len() + 1);
    text.push_str(OPEN);
    text.push_str(id);
    text.push_str(PAYLOAD);
    text.push_str(payload);
    text.push('}');
    text
}

/// `{"type":"complete","id":<id>}` (`id` already JSON).
pub fn complete_message(id: &str) -> String {
    format!(r#"{{"type":"complete","id":{id}}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_protocols_json() {
        let id = serde_json::to_string("a\"1").unwrap();
        let next: serde_json::Value =
            serde_json::from_str(&next_message(&id, r#"{"data":{"x":1}}"#)).unwrap();
        assert_eq!(
            next,
            serde_json::json!({ "type": "next", "id": "a\"1", "payload": { "data": { "x": 1 } } })
        );
        let complete: serde_json::Value = serde_json::from_str(&complete_message(&id)).unwrap();
        assert_eq!(
            complete,
            serde_json::json!({ "type": "complete", "id": "a\"1" })
        );
    }

    #[tokio::test]
    async fn a_full_outbox_drops_its_subscriber_and_tells_it() {
        let members = Members::default();
        let (roomy, mut roomy_rx) = mpsc::channel::<String>(4);
        let (tight, _tight_rx) = mpsc::channel::<String>(1);
        let (gone, gone_rx) = mpsc::channel::<String>(4);
        drop(gone_rx);
        let principal = Principal::User(berth_core::ids::UserId::new());
        let (_, _roomy_told) = members.insert("\"r\"".into(), Arc::new(roomy), principal);
        let (_, mut tight_told) = members.insert("\"t\"".into(), Arc::new(tight), principal);
        let (_, _gone_told) = members.insert("\"g\"".into(), Arc::new(gone), principal);
        members.deliver("1");
        members.deliver("2");
        assert_eq!(roomy_rx.recv().await.unwrap(), next_message("\"r\"", "1"));
        assert_eq!(roomy_rx.recv().await.unwrap(), next_message("\"r\"", "2"));
        assert!(matches!(tight_told.recv().await, Some(Control::Lagged)));
        assert!(tight_told.recv().await.is_none(), "dropped after telling");
        assert_eq!(members.lock().members.len(), 1, "only the roomy one stays");
    }
}
