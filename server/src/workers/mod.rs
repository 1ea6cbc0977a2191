//! The background workers of `berth serve`, one module each: lock expiry,
//! lifecycle (hold expiry, no-shows), webhook and web push deliveries, calendar
//! sync, e-mail, event and client retention; `outbound.rs` is the HTTP client
//! the delivering ones share.
//!
//! The loop of a pass-based background worker (webhook and push deliveries):
//! a pass runs when this instance commits (`Store::commits`), on an interval
//! (other instances write too, and retries come due), and at once again while a
//! pass found more work than one batch. On stop, a pass in flight gets a grace
//! period to finish — attempts already sent are then recorded, not repeated.

pub mod calendar_sync;
pub mod client_retention;
pub mod event_retention;
pub mod lifecycle;
pub mod lock_expiry;
pub mod mail;
pub mod outbound;
pub mod push;
pub mod retention;
pub mod webhooks;

use std::future::Future;
use std::time::Duration;

use berth_core::store::StoreError;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A worker that does its work in passes.
pub trait PassWorker: Send + Sync + 'static {
    /// What logs call it (`webhook`, `push`).
    const NAME: &'static str;
    /// Ticks after every commit of this instance.
    fn commits(&self) -> watch::Receiver<u64>;
    /// How often a pass runs without a local commit.
    fn poll(&self) -> Duration;
    /// How long a pass in flight may take to finish once stop is asked.
    fn grace(&self) -> Duration;
    /// One pass; true when it found more work than it took.
    fn pass(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Runs `worker`'s passes in the background until [`WorkerHandle::stop`].
pub fn spawn<W: PassWorker>(worker: W) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let join = tokio::spawn(run(worker, stopped));
    WorkerHandle {
        name: W::NAME,
        stop,
        join,
    }
}

async fn run<W: PassWorker>(worker: W, mut stopped: watch::Receiver<bool>) {
    let mut commits = worker.commits();
    let mut commits_open = true;
    let mut poll = tokio::time::interval(worker.poll());
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let pass = worker.pass();
        let mut pass = std::pin::pin!(pass);
        let result = tokio::select! {
            result = &mut pass => result,
            _ = stopped.changed() => {
                let _ = tokio::time::timeout(worker.grace(), pass).await;
                return;
            }
        };
        match result {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(worker = W::NAME, error = ?e, "a worker pass failed"),
        }
        tokio::select! {
            changed = commits.changed(), if commits_open => commits_open = changed.is_ok(),
            _ = poll.tick() => {}
            _ = stopped.changed() => return,
        }
    }
}

/// A running worker.
#[derive(Debug)]
pub struct WorkerHandle {
    name: &'static str,
    stop: watch::Sender<bool>,
    join: JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops the worker: no new pass starts, a pass in flight gets the grace
    /// period to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.join.await {
            tracing::warn!(worker = self.name, error = ?e, "a worker ended abnormally");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Counts passes; reports more work for the first `more` of them.
    struct Counting {
        passes: Arc<AtomicUsize>,
        more: usize,
        commits: watch::Receiver<u64>,
    }

    impl PassWorker for Counting {
        const NAME: &'static str = "counting";
        fn commits(&self) -> watch::Receiver<u64> {
            self.commits.clone()
        }
        fn poll(&self) -> Duration {
            Duration::from_secs(3600)
        }
        fn grace(&self) -> Duration {
            Duration::from_secs(1)
        }
        async fn pass(&self) -> Result<bool, StoreError> {
            let n = self.passes.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(n <= self.more)
        }
    }

    async fn until(passes: &AtomicUsize, n: usize) {
        for _ in 0..1000 {
            if passes.load(Ordering::SeqCst) >= n {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("{} passes, waited for {n}", passes.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn passes_run_at_start_while_there_is_more_and_on_commits() {
        let passes = Arc::new(AtomicUsize::new(0));
        let (commit, commits) = watch::channel(0);
        let handle = spawn(Counting {
            passes: passes.clone(),
            more: 2,
            commits,
        });
        // The first pass, and two more because each found more work.
        until(&passes, 3).await;
        // Then a commit of this instance wakes it.
        let before = passes.load(Ordering::SeqCst);
        commit.send(1).unwrap();
        until(&passes, before + 1).await;
        handle.stop().await;
        let stopped_at = passes.load(Ordering::SeqCst);
        let _ = commit.send(2);
        tokio::task::yield_now().await;
        assert_eq!(
            passes.load(Ordering::SeqCst),
            stopped_at,
            "no pass after stop"
        );
    }
}
