//! The processes the harness breaks: `berth serve` instances it starts, kills with
//! SIGKILL and starts again on the same database (a new port each time), and the
//! PostgreSQL server it stops with `pg_ctl stop -m immediate` and starts again,
//! through the commands `scripts/chaos` gives it (`BERTH_CHAOS_PG_STOP`,
//! `BERTH_CHAOS_PG_START`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A `berth serve` that can be killed and started again.
pub(crate) struct Berth {
    name: String,
    args: Vec<String>,
    child: Option<Child>,
    /// Where it listens now; empty while it is down. Workers read it before each
    /// request.
    pub(crate) addr: Arc<RwLock<String>>,
    /// Its standard output up to the "listening" line of the first start.
    pub(crate) first_lines: Vec<String>,
}

impl Berth {
    /// Starts `berth serve --demo` named `name` on `database_url` with the
    /// tenants of `tenants`; its secrets live in `dir`, so that tokens signed
    /// before a kill are still valid after it.
    pub(crate) fn start(name: &str, database_url: &str, tenants: &Path, dir: &Path) -> Berth {
        let path = |file: &str| dir.join(file).display().to_string();
        let args = vec![
            "serve".into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--database-url".into(),
            database_url.into(),
            "--demo".into(),
            "--tenants".into(),
            tenants.display().to_string(),
            "--secret-file".into(),
            path("jwt"),
            "--secrets-key-file".into(),
            path("secrets-key"),
            // The receiver is on loopback, which webhooks may not call by default.
            "--webhook-allow-private-targets".into(),
        ];
        let mut berth = Berth {
            name: name.into(),
            args,
            child: None,
            addr: Arc::new(RwLock::new(String::new())),
            first_lines: Vec::new(),
        };
        berth.first_lines = tokio::task::block_in_place(|| berth.spawn());
        berth
    }

    /// Spawns the process and waits for its address; returns its earlier lines.
    fn spawn(&mut self) -> Vec<String> {
        let mut child = crate::berth()
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn berth");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        // Read on a thread to the end, so that the process never blocks on a
        // full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut lines = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("{}: no address line ({e}): {lines:?}", self.name));
            if let Some(addr) = line.strip_prefix("berth listening on http://") {
                *self.addr.write().unwrap() = addr.to_owned();
                break;
            }
            lines.push(line);
        }
        // Keep draining.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        self.child = Some(child);
        lines
    }

    /// SIGKILL, and wait until the process is gone.
    pub(crate) fn kill(&mut self) {
        self.addr.write().unwrap().clear();
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
        }
    }

    /// Starts it again after [`Berth::kill`] (blocking this worker thread of the
    /// multi-threaded runtime until it listens; the load goes on meanwhile).
    pub(crate) fn restart(&mut self) {
        assert!(self.child.is_none(), "{} is running", self.name);
        tokio::task::block_in_place(|| self.spawn());
    }

    /// Where it listens now (empty while down).
    pub(crate) fn addr(&self) -> String {
        self.addr.read().unwrap().clone()
    }
}

impl Drop for Berth {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The PostgreSQL server's stop and start commands, from `scripts/chaos`.
pub(crate) struct Postgres {
    stop: String,
    start: String,
}

impl Postgres {
    /// From `BERTH_CHAOS_PG_STOP` and `BERTH_CHAOS_PG_START`; `None` when unset.
    pub(crate) fn from_env() -> Option<Postgres> {
        Some(Postgres {
            stop: std::env::var("BERTH_CHAOS_PG_STOP").ok()?,
            start: std::env::var("BERTH_CHAOS_PG_START").ok()?,
        })
    }

    /// `pg_ctl stop -m immediate`: every backend ends at once, nothing flushed
    /// beyond what commit did.
    pub(crate) async fn stop_immediately(&self) {
        run(&self.stop).await;
    }

    /// Starts it again (crash recovery from the WAL).
    pub(crate) async fn start(&self) {
        run(&self.start).await;
    }
}

async fn run(command: &str) {
    let command = command.to_owned();
    let status = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .args(["-c", &command])
            .stdout(Stdio::null())
            .status()
    })
    .await
    .expect("join")
    .expect("run bash");
    assert!(status.success(), "PostgreSQL control command failed");
}

/// A fresh folder for one run's tenant directory and secrets.
pub(crate) fn run_dir(label: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("berth-chaos-{label}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
