//! The request a write happens for. The HTTP layer gives every request an id
//! (`x-request-id`) and runs its handling inside [`scope`]; the stores read
//! [`current`] when they build an audit entry, so the entry names the request
//! that caused it and an operator can go from a log line to the audit log and
//! back. Workers run outside any scope: their entries have no request id.
//!
//! A task-local rather than a parameter: the id is a correlation tag that
//! every write path would otherwise have to thread through the API layer, the
//! engine and the store without using it, exactly as the tracing span does.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;

/// The longest request id kept; longer ones (a caller's own `x-request-id`) are
/// cut at a character boundary.
pub const MAX_REQUEST_ID_LEN: usize = 128;

tokio::task_local! {
    static REQUEST_ID: Arc<str>;
}

/// `id`, cut to [`MAX_REQUEST_ID_LEN`] bytes.
fn bounded(id: impl Into<String>) -> Arc<str> {
    let mut id = id.into();
    if id.len() > MAX_REQUEST_ID_LEN {
        let mut end = MAX_REQUEST_ID_LEN;
        while !id.is_char_boundary(end) {
            end -= 1;
        }
        id.truncate(end);
    }
    id.into()
}

/// Runs `fut` with `id` as the current request id.
pub async fn scope<F: Future>(id: impl Into<String>, fut: F) -> F::Output {
    REQUEST_ID.scope(bounded(id), fut).await
}

/// `stream` with `id` as the current request id while it is polled (an
/// operation over a WebSocket, whose results are a stream).
pub fn scope_stream<S>(id: impl Into<String>, stream: S) -> impl Stream<Item = S::Item> + Send
where
    S: Stream + Send,
{
    ScopedStream {
        id: bounded(id),
        inner: Box::pin(stream),
    }
}

/// A stream polled inside a request scope.
struct ScopedStream<S> {
    id: Arc<str>,
    inner: Pin<Box<S>>,
}

impl<S: Stream> Stream for ScopedStream<S> {
    type Item = S::Item;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.get_mut();
        let inner = this.inner.as_mut();
        REQUEST_ID.sync_scope(this.id.clone(), || inner.poll_next(cx))
    }
}

/// The id of the request being served by this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(|id| id.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn scoped_ids_are_seen_inside_only() {
        assert_eq!(current(), None);
        let inside = scope("req-1", async { current() }).await;
        assert_eq!(inside.as_deref(), Some("req-1"));
        assert_eq!(current(), None);
    }

    #[tokio::test]
    async fn streams_see_their_id_on_every_poll() {
        use futures_util::StreamExt;
        let seen: Vec<_> =
            scope_stream("op-7", futures_util::stream::iter(0..3).map(|_| current()))
                .collect()
                .await;
        assert_eq!(seen, vec![Some("op-7".to_owned()); 3]);
        assert_eq!(current(), None);
    }

    #[tokio::test]
    async fn long_ids_are_cut_at_a_character_boundary() {
        let long = "é".repeat(100);
        let seen = scope(long, async { current() }).await.unwrap();
        assert!(seen.len() <= MAX_REQUEST_ID_LEN);
        assert!(seen.chars().all(|c| c == 'é'));
    }
}
