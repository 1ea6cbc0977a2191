//! WebSocket keep-alive: the writing half of a GraphQL WebSocket connection. It
//! forwards what GraphQL sends and, every interval, sends a WebSocket Ping frame
//! (answered by every client's WebSocket library with a Pong, without the
//! application's help). Two things follow: load balancers and proxies that close
//! idle connections see traffic on a quiet subscription, and a peer that has
//! vanished (a laptop lid closed, a network gone, no TCP reset) is noticed: when
//! nothing at all — no Pong, no message — has come from the client during a
//! whole interval, the connection ends, and with it its subscriptions and its
//! session's locks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::time::{Instant, MissedTickBehavior};

/// Whether anything arrived from the client since the last look: the reading
/// half raises it for every frame (Pongs included), the writer lowers it at
/// every ping.
#[derive(Clone, Debug)]
pub struct Heard(Arc<AtomicBool>);

impl Heard {
    /// A connection that has just been heard from (its upgrade).
    pub fn new() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }

    /// Something arrived from the client.
    pub fn mark(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether something arrived since the last call, and forget it.
    fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// How the writing half ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// GraphQL finished and everything it sent was written.
    Drained,
    /// Writing to the client failed: it is gone.
    WriteFailed,
    /// Nothing came from the client for a whole interval, a ping included.
    Silent,
}

/// Writes `outgoing` to `sink` until it ends, pinging every `every` (never when
/// `None`). Ends early when the client cannot be written to or stayed silent
/// for a whole interval — also while a write is stuck because the client stopped
/// reading (its receive window full), which would otherwise hold the connection
/// until TCP gives up, many minutes later.
pub async fn forward<S, K>(outgoing: S, sink: K, heard: Heard, every: Option<Duration>) -> Ended
where
    S: Stream<Item = Message>,
    K: Sink<Message>,
{
    futures_util::pin_mut!(outgoing, sink);
    let mut ticks = every.map(|period| {
        let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        ticks
    });
    loop {
        // Biased: a message that is ready is written without polling the
        // ticker (which would register a timer waker per message).
        let message = tokio::select! {
            biased;
            message = outgoing.next() => match message {
                Some(message) => message,
                None => return Ended::Drained,
            },
            () = tick(&mut ticks) => {
                if !heard.take() {
                    return Ended::Silent;
                }
                Message::Ping(bytes::Bytes::new())
            }
        };
        let send = sink.send(message);
        futures_util::pin_mut!(send);
        loop {
            tokio::select! {
                biased;
                written = &mut send => {
                    if written.is_err() {
                        return Ended::WriteFailed;
                    }
                    break;
                }
                () = tick(&mut ticks) => {
                    if !heard.take() {
                        return Ended::Silent;
                    }
                }
            }
        }
    }
}

/// The next tick of `ticks`; never without them.
async fn tick(ticks: &mut Option<tokio::time::Interval>) {
    match ticks {
        Some(ticks) => {
            ticks.tick().await;
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::sync::mpsc;

    /// A sink into a channel the test reads, and the stream GraphQL would write.
    fn harness() -> (
        mpsc::Sender<Message>,
        impl Stream<Item = Message>,
        impl Sink<Message>,
        mpsc::UnboundedReceiver<Message>,
    ) {
        let (graphql, outgoing) = mpsc::channel::<Message>(8);
        let outgoing = futures_util::stream::unfold(outgoing, |mut rx| async move {
            rx.recv().await.map(|m| (m, rx))
        });
        let (socket, written) = mpsc::unbounded_channel::<Message>();
        let sink = futures_util::sink::unfold(socket, |socket, message: Message| async move {
            socket.send(message).map(|()| socket).map_err(|_| ())
        });
        (graphql, outgoing, sink, written)
    }

    fn pings(written: &mut mpsc::UnboundedReceiver<Message>) -> usize {
        let mut n = 0;
        while let Ok(message) = written.try_recv() {
            if matches!(message, Message::Ping(_)) {
                n += 1;
            }
        }
        n
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_answers_is_pinged_every_interval_and_kept() {
        let (graphql, outgoing, sink, mut written) = harness();
        let heard = Heard::new();
        let writer = tokio::spawn(forward(
            outgoing,
            sink,
            heard.clone(),
            Some(Duration::from_secs(30)),
        ));
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_secs(30)).await;
            tokio::task::yield_now().await;
            heard.mark(); // the Pong
        }
        assert_eq!(pings(&mut written), 4);
        graphql
            .send(Message::Text("{\"type\":\"next\"}".into()))
            .await
            .unwrap();
        drop(graphql);
        assert_eq!(writer.await.unwrap(), Ended::Drained);
        assert!(matches!(written.try_recv(), Ok(Message::Text(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_dropped_after_one_unanswered_interval() {
        let (_graphql, outgoing, sink, mut written) = harness();
        let started = Instant::now();
        let ended = forward(outgoing, sink, Heard::new(), Some(Duration::from_secs(30))).await;
        assert_eq!(ended, Ended::Silent);
        // One ping at 30 s went unanswered; at 60 s the connection ends.
        assert_eq!(started.elapsed(), Duration::from_secs(60));
        assert_eq!(pings(&mut written), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn without_an_interval_nothing_is_sent_but_graphql() {
        let (graphql, outgoing, sink, mut written) = harness();
        let writer = tokio::spawn(forward(outgoing, sink, Heard::new(), None));
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(graphql);
        assert_eq!(writer.await.unwrap(), Ended::Drained);
        assert_eq!(pings(&mut written), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_stops_reading_is_dropped_while_a_write_is_stuck() {
        let (graphql, outgoing, _sink, _written) = harness();
        // A socket whose send buffer is full: no write ever completes.
        let stuck = futures_util::sink::unfold((), |(), _message: Message| {
            std::future::pending::<Result<(), ()>>()
        });
        let heard = Heard::new();
        let writer = tokio::spawn(forward(
            outgoing,
            stuck,
            heard.clone(),
            Some(Duration::from_secs(30)),
        ));
        let started = Instant::now();
        graphql.send(Message::Text("x".into())).await.unwrap();
        // Heard from at 10 s (its last frame), then nothing.
        tokio::time::sleep(Duration::from_secs(10)).await;
        heard.mark();
        assert_eq!(writer.await.unwrap(), Ended::Silent);
        // The 30 s tick finds the frame of 10 s; the 60 s tick finds nothing.
        assert_eq!(started.elapsed(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_write_ends_it() {
        let (graphql, outgoing, sink, written) = harness();
        drop(written);
        let writer = tokio::spawn(forward(outgoing, sink, Heard::new(), None));
        graphql.send(Message::Text("x".into())).await.unwrap();
        assert_eq!(writer.await.unwrap(), Ended::WriteFailed);
    }
}
