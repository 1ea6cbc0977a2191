//! A PostgreSQL server a test owns: a fresh cluster in a temporary directory
//! on 127.0.0.1 and a free port, with `fsync=off`, which the test may stop
//! (`pg_ctl stop -m fast` or `-m immediate`) and start again on the same port
//! without disturbing the shared throwaway server other tests use
//! (`BERTH_TEST_POSTGRES_URL`, scripts/lib/postgres.sh). As root, the cluster
//! belongs to the `postgres` user and its programs run as it (`runuser`):
//! initdb refuses root. Dropped, the server is stopped immediately and its
//! directory removed.

use std::path::PathBuf;
use std::process::Command;

use sqlx::Connection;

/// The login role berth connects as: neither superuser nor BYPASSRLS, as in
/// production (row-level security applies to it).
const APP_ROLE: &str = "berth_app";
const APP_PASSWORD: &str = "berth_app";

/// A running (or stopped) cluster of this test's own.
pub(crate) struct PgCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

/// The newest PostgreSQL's programs under /usr/lib/postgresql (Debian's
/// layout, where scripts/test installs it), if any.
fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    // The effective uid without unsafe code: /proc/self's owner is it.
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").expect("/proc/self")) == 0
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl PgCluster {
    /// Creates and starts a cluster, or says why not and returns `None` (no
    /// PostgreSQL installed) — unless `BERTH_REQUIRE_POSTGRES=1`, which
    /// scripts/test sets once it has PostgreSQL: then it panics.
    pub(crate) fn start(test: &str) -> Option<PgCluster> {
        let Some(bin) = bin_dir() else {
            crate::skip(
                test,
                "BERTH_REQUIRE_POSTGRES",
                "no PostgreSQL under /usr/lib/postgresql (initdb, pg_ctl)",
            );
            return None;
        };
        // Under /tmp, not the target dir: the postgres user must reach it.
        let dir = std::env::temp_dir().join(format!("berth-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("cluster directory");
        let cluster = PgCluster {
            bin,
            dir,
            port: free_port(),
        };
        if is_root() {
            cluster.run(
                Command::new("chown")
                    .args(["postgres:postgres", cluster.dir.to_str().expect("utf-8")]),
            );
        }
        let data = cluster.data();
        cluster.run(cluster.owner("initdb").args([
            "-D",
            &data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]));
        cluster.start_again();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.join("data").to_str().expect("utf-8").to_owned()
    }

    /// A command running PostgreSQL's `program`, as the cluster's owner.
    fn owner(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        };
        // The postgres user may not be able to enter the current directory.
        cmd.current_dir("/");
        cmd
    }

    fn run(&self, cmd: &mut Command) {
        let out = cmd.output().expect("run a PostgreSQL program");
        assert!(
            out.status.success(),
            "{cmd:?}: {}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }

    /// Starts the server (again) on its port, waiting until it accepts
    /// connections.
    pub(crate) fn start_again(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off \
             -c full_page_writes=off -c max_connections=100",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(self.owner("pg_ctl").args([
            "-D",
            &self.data(),
            "-l",
            log.to_str().expect("utf-8"),
            "-w",
            "-t",
            "60",
            "-o",
            &options,
            "start",
        ]));
    }

    /// Stops the server with `pg_ctl stop -m mode` (`fast`: sessions are
    /// ended and a checkpoint written; `immediate`: every process quits at
    /// once and the next start recovers from the WAL, as after a crash).
    pub(crate) fn stop(&self, mode: &str) {
        self.run(self.owner("pg_ctl").args([
            "-D",
            &self.data(),
            "-m",
            mode,
            "-w",
            "-t",
            "60",
            "stop",
        ]));
    }

    /// The superuser's URL for `database`.
    pub(crate) fn admin_url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new database owned by the application role (created once), and the
    /// URL berth connects to it with as that role.
    pub(crate) async fn app_database(&self) -> String {
        let mut conn = sqlx::PgConnection::connect(&self.admin_url("postgres"))
            .await
            .expect("connect as the superuser");
        let name = format!("berth_{}", uuid::Uuid::new_v4().simple());
        for statement in [
            format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN \
                 CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{APP_PASSWORD}'; \
                 END IF; END $$"
            ),
            format!("CREATE DATABASE {name} OWNER {APP_ROLE}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut conn)
                .await
                .expect("create the role and database");
        }
        conn.close().await.expect("close");
        format!(
            "postgres://{APP_ROLE}:{APP_PASSWORD}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    /// The server's log so far (for failure messages).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .owner("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
