//! The background workers of `berth serve`, in one shape, started in one place
//! (`registry.rs`, [`start`]): lock expiry, lifecycle (hold expiry, no-shows),
//! webhook and web push deliveries, calendar sync, e-mail (and its templates),
//! event and client retention, and tenant sync (a tenant directory's changes
//! written to the database, `crate::tenants`); `outbound.rs` is the HTTP client
//! the delivering ones share, `queue.rs` what the outbound queues' ones share.
//!
//! A [`Worker`] has a name, a [`Trigger`], its work (one pass) and a grace
//! period. A pass runs at start, then on its trigger — this instance's commits
//! (`Store::commits`), an interval (other instances write too, and retries
//! come due), or the policy registry's changes — and at once again while a pass
//! found more work than one batch. On stop, a pass in flight gets the grace
//! period to finish — attempts already sent are then recorded, not repeated —
//! and no new pass starts.

pub mod calendar_sync;
pub mod client_retention;
pub mod event_retention;
pub mod lifecycle;
pub mod lock_expiry;
pub mod mail;
pub mod outbound;
pub mod push;
mod queue;
mod registry;
pub mod retention;
#[cfg(test)]
mod test_support;
pub mod webhooks;

use std::future::Future;
use std::time::Duration;

use berth_core::store::StoreError;
use berth_policy::registry::PolicyChange;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

pub use registry::start;

/// A background worker: does its work in passes.
pub trait Worker: Send + Sync + 'static {
    /// What logs call it (`webhook`, `push`).
    const NAME: &'static str;
    /// What starts a pass (besides the start, and a pass that found more).
    /// Asked once, when the worker starts: one built with the worker (a
    /// subscription that must miss nothing) is handed over with
    /// `std::mem::take`.
    fn trigger(&mut self) -> Trigger;
    /// How long a pass in flight may take to finish once stop is asked.
    fn grace(&self) -> Duration;
    /// One pass, for `wake`; true when it found more work than it took.
    fn pass(&self, wake: Wake) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// What starts a worker's passes: an interval, this instance's commits, the
/// policy registry's changes, or several of them.
#[derive(Debug, Default)]
pub struct Trigger {
    every: Option<Duration>,
    commits: Option<watch::Receiver<u64>>,
    policies: Option<broadcast::Receiver<PolicyChange>>,
    saves: Option<mpsc::UnboundedReceiver<String>>,
}

impl Trigger {
    /// A pass every `period`.
    pub fn every(period: Duration) -> Self {
        Self {
            every: Some(period),
            ..Self::default()
        }
    }

    /// A pass after each commit of this instance (`commits` ticks), and every
    /// `period` without one.
    pub fn commits_or_every(commits: watch::Receiver<u64>, period: Duration) -> Self {
        Self {
            every: Some(period),
            commits: Some(commits),
            ..Self::default()
        }
    }

    /// A pass for each change the policy registry announces (`changes`, from
    /// `PolicyRegistry::subscribe`, subscribed when the worker is built so that
    /// no change is missed before it runs).
    pub fn policy_changes(changes: broadcast::Receiver<PolicyChange>) -> Self {
        Self {
            policies: Some(changes),
            ..Self::default()
        }
    }
}

impl Trigger {
    /// A pass for each change the policy registry announces (as
    /// [`Trigger::policy_changes`]), and every `period` without one.
    pub fn policy_changes_or_every(
        changes: broadcast::Receiver<PolicyChange>,
        period: Duration,
    ) -> Self {
        Self {
            every: Some(period),
            policies: Some(changes),
            ..Self::default()
        }
    }

    /// A pass for each tenant directory saved (`saves`: the slugs the
    /// tenants directory's watcher names), and every `period` without one.
    pub fn saves_or_every(saves: mpsc::UnboundedReceiver<String>, period: Duration) -> Self {
        Self {
            every: Some(period),
            saves: Some(saves),
            ..Self::default()
        }
    }
}

/// Why a pass runs.
#[derive(Debug)]
pub enum Wake {
    /// The worker started.
    Start,
    /// The previous pass found more work than it took.
    More,
    /// The interval came round.
    Tick,
    /// This instance committed.
    Commit,
    /// The policy registry announced a change.
    Policy(PolicyChange),
    /// This many policy changes were missed (the worker fell behind):
    /// everything may have changed.
    PoliciesMissed(u64),
    /// The tenant directory of this slug was saved.
    Saved(String),
}

/// Whether `error` comes from the database failing (unreachable, a
/// connection lost, no room to write) rather than from a refusal: work it
/// stopped is worth trying again once the database is back.
pub fn database_failed(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| matches!(cause.downcast_ref(), Some(StoreError::Database(_))))
}

/// Runs `worker`'s passes in the background until [`WorkerHandle::stop`].
pub fn spawn<W: Worker>(worker: W) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let join = tokio::spawn(run(worker, stopped));
    WorkerHandle {
        name: W::NAME,
        stop,
        join,
    }
}

async fn run<W: Worker>(mut worker: W, mut stopped: watch::Receiver<bool>) {
    let Trigger {
        every,
        mut commits,
        mut policies,
        mut saves,
    } = worker.trigger();
    let mut poll = every.map(|period| {
        let mut poll = tokio::time::interval(period);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll
    });
    let mut wake = Wake::Start;
    loop {
        let pass = worker.pass(wake);
        let mut pass = std::pin::pin!(pass);
        let result = tokio::select! {
            result = &mut pass => result,
            _ = stopped.changed() => {
                let _ = tokio::time::timeout(worker.grace(), pass).await;
                return;
            }
        };
        match result {
            Ok(true) => {
                wake = Wake::More;
                continue;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(worker = W::NAME, error = ?e, "a worker pass failed"),
        }
        wake = loop {
            tokio::select! {
                changed = changed(&mut commits) => {
                    // A closed channel wakes once more, then is no longer watched.
                    if changed.is_err() {
                        commits = None;
                    }
                    break Wake::Commit;
                }
                _ = tick(&mut poll) => break Wake::Tick,
                change = recv(&mut policies) => match change {
                    Ok(change) => break Wake::Policy(change),
                    Err(broadcast::error::RecvError::Lagged(n)) => break Wake::PoliciesMissed(n),
                    Err(broadcast::error::RecvError::Closed) => policies = None,
                },
                saved = saved(&mut saves) => match saved {
                    Some(slug) => break Wake::Saved(slug),
                    None => saves = None,
                },
                _ = stopped.changed() => return,
            }
        };
    }
}

/// The next commit, or never without a channel.
async fn changed(
    commits: &mut Option<watch::Receiver<u64>>,
) -> Result<(), watch::error::RecvError> {
    match commits {
        Some(commits) => commits.changed().await,
        None => std::future::pending().await,
    }
}

/// The next tick, or never without an interval.
async fn tick(poll: &mut Option<tokio::time::Interval>) {
    match poll {
        Some(poll) => {
            poll.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The next policy change, or never without a subscription.
async fn recv(
    policies: &mut Option<broadcast::Receiver<PolicyChange>>,
) -> Result<PolicyChange, broadcast::error::RecvError> {
    match policies {
        Some(policies) => policies.recv().await,
        None => std::future::pending().await,
    }
}

/// The next saved tenant directory, or never without a channel.
async fn saved(saves: &mut Option<mpsc::UnboundedReceiver<String>>) -> Option<String> {
    match saves {
        Some(saves) => saves.recv().await,
        None => std::future::pending().await,
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

    impl Worker for Counting {
        const NAME: &'static str = "counting";
        fn trigger(&mut self) -> Trigger {
            Trigger::commits_or_every(self.commits.clone(), Duration::from_secs(3600))
        }
        fn grace(&self) -> Duration {
            Duration::from_secs(1)
        }
        async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
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

    /// Fails its first `failing` passes as an unreachable database does.
    struct Flaky {
        passes: Arc<AtomicUsize>,
        failing: usize,
        commits: watch::Receiver<u64>,
    }

    impl Worker for Flaky {
        const NAME: &'static str = "flaky";
        fn trigger(&mut self) -> Trigger {
            Trigger::commits_or_every(self.commits.clone(), Duration::from_secs(3600))
        }
        fn grace(&self) -> Duration {
            Duration::from_secs(1)
        }
        async fn pass(&self, _: Wake) -> Result<bool, StoreError> {
            let n = self.passes.fetch_add(1, Ordering::SeqCst) + 1;
            if n <= self.failing {
                return Err(StoreError::Database(sqlx::Error::PoolTimedOut));
            }
            Ok(false)
        }
    }

    #[tokio::test]
    async fn a_worker_whose_passes_fail_on_the_database_keeps_running() {
        let passes = Arc::new(AtomicUsize::new(0));
        let (commit, commits) = watch::channel(0);
        let handle = spawn(Flaky {
            passes: passes.clone(),
            failing: 2,
            commits,
        });
        // Failed at start and on the next trigger; then passes again.
        until(&passes, 1).await;
        for tick in 1..=3 {
            commit.send(tick).unwrap();
            until(&passes, 1 + usize::try_from(tick).unwrap()).await;
        }
        assert!(!handle.join.is_finished(), "the worker still runs");
        handle.stop().await;
    }

    #[test]
    fn database_failures_are_told_from_refusals() {
        let lost = anyhow::Error::new(StoreError::Database(sqlx::Error::PoolTimedOut));
        assert!(database_failed(&lost.context("publishing alpine-cabins")));
        let wrapped = anyhow::Error::new(berth_core::EngineError::Internal(StoreError::Database(
            sqlx::Error::PoolClosed,
        )));
        assert!(database_failed(&wrapped));
        let refused = anyhow::Error::new(StoreError::Conflict("protected".into()));
        assert!(!database_failed(&refused));
        assert!(!database_failed(&anyhow::anyhow!("no such file")));
    }

    /// Records the policy changes it is woken for.
    struct Following {
        changes: Trigger,
        seen: Arc<std::sync::Mutex<Vec<String>>>,
    }

    impl Worker for Following {
        const NAME: &'static str = "following";
        fn trigger(&mut self) -> Trigger {
            std::mem::take(&mut self.changes)
        }
        fn grace(&self) -> Duration {
            Duration::from_secs(1)
        }
        async fn pass(&self, wake: Wake) -> Result<bool, StoreError> {
            let seen = match wake {
                Wake::Policy(PolicyChange::Deactivated { slug }) => slug,
                Wake::PoliciesMissed(n) => format!("missed {n}"),
                _ => return Ok(false),
            };
            self.seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(seen);
            Ok(false)
        }
    }

    #[tokio::test]
    async fn a_policy_follower_is_woken_for_each_change_since_it_was_built() {
        let (announce, changes) = broadcast::channel(2);
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let worker = Following {
            changes: Trigger::policy_changes(changes),
            seen: seen.clone(),
        };
        // Announced before the worker runs, after it subscribed: not lost;
        // but three overflow the channel's two, so the first is missed.
        let gone = |slug: &str| PolicyChange::Deactivated { slug: slug.into() };
        for slug in ["a", "b", "c"] {
            announce.send(gone(slug)).unwrap();
        }
        let handle = spawn(worker);
        let seen_now = || {
            seen.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        };
        for _ in 0..1000 {
            if seen_now().len() == 3 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(seen_now(), ["missed 1", "b", "c"]);
        handle.stop().await;
    }
}
