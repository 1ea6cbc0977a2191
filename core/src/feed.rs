//! The live event feed: how subscribers follow a tenant's outbox. One poller per
//! tenant with subscribers reads new events from the store and broadcasts them;
//! it wakes when this process commits (the store's commit signal) and at least
//! every `poll_interval` (other instances write to the same database). A
//! subscriber that resumes from a cursor first replays the outbox after it, then
//! continues live, skipping what it already had: no gap and no duplicate at the
//! seam, because it subscribes to the broadcast before it replays and both come
//! in cursor order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::broadcast;

use crate::event::{Event, EventCursor};
use crate::ids::TenantId;
use crate::store::{Store, StoreError};

/// How many events one store read takes.
const PAGE: u32 = 500;
/// How many events a slow subscriber may fall behind before it catches up from
/// the store instead.
const BACKLOG: usize = 4096;

/// The per-process feed of every tenant's events.
#[derive(Debug)]
pub struct Feed {
    store: Arc<dyn Store>,
    poll_interval: Duration,
    tenants: Mutex<HashMap<TenantId, Weak<TenantFeed>>>,
}

/// One tenant's poller and broadcast; lives while someone listens.
#[derive(Debug)]
struct TenantFeed {
    sender: broadcast::Sender<Arc<Event>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TenantFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A subscription handle: keeps the tenant's poller alive.
#[derive(Debug)]
struct Listener {
    /// Keeps the tenant's poller running while this subscriber listens.
    _feed: Arc<TenantFeed>,
    receiver: broadcast::Receiver<Arc<Event>>,
}

impl Feed {
    /// A feed over `store`, polling for other instances' writes every
    /// `poll_interval`.
    pub fn new(store: Arc<dyn Store>, poll_interval: Duration) -> Self {
        Self {
            store,
            poll_interval,
            tenants: Mutex::new(HashMap::new()),
        }
    }

    /// Starts (or joins) the tenant's poller, starting from the tenant's latest
    /// event, and listens to it.
    async fn listen(&self, tenant: TenantId) -> Result<Listener, StoreError> {
        if let Some(feed) = self.live(tenant) {
            let receiver = feed.sender.subscribe();
            return Ok(Listener {
                _feed: feed,
                receiver,
            });
        }
        let start = self.store.latest_event_cursor(tenant).await?;
        let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        // Another subscriber may have started it meanwhile.
        if let Some(feed) = tenants.get(&tenant).and_then(Weak::upgrade) {
            let receiver = feed.sender.subscribe();
            return Ok(Listener {
                _feed: feed,
                receiver,
            });
        }
        let (sender, receiver) = broadcast::channel(BACKLOG);
        let task = tokio::spawn(poll(
            self.store.clone(),
            tenant,
            start,
            sender.clone(),
            self.poll_interval,
        ));
        let feed = Arc::new(TenantFeed { sender, task });
        tenants.retain(|_, weak| weak.strong_count() > 0);
        tenants.insert(tenant, Arc::downgrade(&feed));
        Ok(Listener {
            _feed: feed,
            receiver,
        })
    }

    fn live(&self, tenant: TenantId) -> Option<Arc<TenantFeed>> {
        let tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        tenants.get(&tenant).and_then(Weak::upgrade)
    }

    /// The tenant's events: every event after `after`, then live ones; without
    /// `after`, live ones only. Each event comes once, in cursor order. The
    /// stream ends with an error when the store fails.
    pub async fn subscribe(
        &self,
        tenant: TenantId,
        after: Option<EventCursor>,
    ) -> Result<
        impl Stream<Item = Result<Arc<Event>, StoreError>> + Send + 'static + use<>,
        StoreError,
    > {
        let listener = self.listen(tenant).await?;
        let store = self.store.clone();
        let state = Follow {
            store,
            tenant,
            cursor: after,
            replay: after.is_some(),
            pending: std::collections::VecDeque::new(),
            listener,
        };
        Ok(futures_util::stream::unfold(state, Follow::next))
    }
}

/// One subscriber's position.
struct Follow {
    store: Arc<dyn Store>,
    tenant: TenantId,
    /// The last event handed out (or the resume point); `None` until the first
    /// live event when not resuming.
    cursor: Option<EventCursor>,
    /// True while catching up from the store.
    replay: bool,
    pending: std::collections::VecDeque<Event>,
    listener: Listener,
}

impl Follow {
    async fn next(mut self) -> Option<(Result<Arc<Event>, StoreError>, Self)> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                self.cursor = Some(event.cursor);
                return Some((Ok(Arc::new(event)), self));
            }
            if self.replay {
                let from = self.cursor.unwrap_or(EventCursor::START);
                match self.store.events_after(self.tenant, from, PAGE).await {
                    Ok(page) if page.is_empty() => self.replay = false,
                    Ok(page) => self.pending.extend(page),
                    Err(e) => return Some((Err(e), self)),
                }
                continue;
            }
            match self.listener.receiver.recv().await {
                Ok(event) => {
                    if self.cursor.is_some_and(|c| event.cursor <= c) {
                        continue; // already handed out during the replay
                    }
                    self.cursor = Some(event.cursor);
                    return Some((Ok(event), self));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Fell behind: catch up from the store, then go on live.
                    self.replay = true;
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// The tenant's poller: reads every event after `cursor` whenever woken, and
/// broadcasts them in order.
async fn poll(
    store: Arc<dyn Store>,
    tenant: TenantId,
    mut cursor: EventCursor,
    sender: broadcast::Sender<Arc<Event>>,
    interval: Duration,
) {
    let mut commits = store.commits();
    loop {
        loop {
            match store.events_after(tenant, cursor, PAGE).await {
                Ok(page) if page.is_empty() => break,
                Ok(page) => {
                    for event in page {
                        cursor = event.cursor;
                        // No receivers right now is fine: the feed is being dropped.
                        let _ = sender.send(Arc::new(event));
                    }
                }
                Err(e) => {
                    tracing::warn!(tenant = %tenant, error = ?e, "reading the outbox; retrying");
                    break;
                }
            }
        }
        tokio::select! {
            changed = commits.changed() => {
                if changed.is_err() {
                    // The store is gone; keep polling on the interval.
                    tokio::time::sleep(interval).await;
                }
            }
            () = tokio::time::sleep(interval) => {}
        }
    }
}
