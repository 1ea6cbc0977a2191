//! End-to-end tests of the `berth` binary: spawned as a real process on port 0,
//! spoken to over HTTP on loopback, stopped with SIGTERM.

// Test code: a panic on an unexpected Err is exactly the failure report we want.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod browser;
mod chaos;
mod database_outage;
mod disk_full;
mod graphql_http;
mod healthcheck;
mod ical;
mod live;
mod mail;
mod media;
#[path = "../support/pg_cluster.rs"]
mod pg_cluster;
mod policy;
mod policy_plan;
mod recurrence;
mod security;
mod site;
#[path = "../support/smtp.rs"]
mod smtp;
mod transport;
mod versions;
mod web;
mod webhooks;

/// A running `berth serve` and the address it listens on.
struct Server {
    child: Child,
    addr: String,
    stdout_lines: Vec<String>,
}

fn berth() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth"));
    cmd.env("RUST_LOG", "warn");
    // What the tests do not set is not taken from the caller's environment.
    for name in [
        "BERTH_WEB_DIR",
        "BERTH_TRUSTED_PROXIES",
        "BERTH_CORS_ORIGINS",
        "BERTH_SMTP_URL",
        "BERTH_SMTP_FROM",
    ] {
        cmd.env_remove(name);
    }
    cmd
}

fn tenants_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tenants")
}

fn temp_sqlite_url() -> (String, PathBuf) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("berth-e2e-{}", uuid::Uuid::new_v4()));
    let path = dir.join("nested/berth.db");
    (format!("sqlite:{}", path.display()), path)
}

impl Server {
    /// Starts `berth serve` with `args` and waits for its "listening" line.
    fn start(args: &[&str]) -> Server {
        Server::start_with_env(args, &[])
    }

    /// Starts `berth serve --demo` on the database at `url` with the tenants
    /// of `tenants`, and `extra` arguments.
    fn demo(url: &str, tenants: &std::path::Path, extra: &[&str]) -> Server {
        let mut args = vec![
            "--database-url",
            url,
            "--demo",
            "--tenants",
            tenants.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        Server::start(&args)
    }

    /// Starts `berth serve` with `args` and environment variables `env`.
    fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = berth();
        cmd.envs(env.iter().copied());
        Server::start_command(cmd, args)
    }

    /// Starts `serve` with `args` through `cmd` (`berth()`, or a command that
    /// ends by executing berth with the arguments it is given).
    fn start_command(mut cmd: Command, args: &[&str]) -> Server {
        let mut child = cmd
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .arg("--secret-file")
            .arg(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("jwt-{}", uuid::Uuid::new_v4())),
            )
            .arg("--secrets-key-file")
            .arg(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("secrets-key-{}", uuid::Uuid::new_v4())),
            )
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn berth");
        let stdout = child.stdout.take().expect("stdout");
        let mut stdout_lines = Vec::new();
        let mut addr = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read stdout");
            if let Some(rest) = line.strip_prefix("berth listening on http://") {
                addr = Some(rest.to_owned());
                break;
            }
            stdout_lines.push(line);
        }
        let addr = addr.expect("berth printed its address before exiting");
        Server {
            child,
            addr,
            stdout_lines,
        }
    }

    /// GETs `path`: the status, the head (lower-cased) and the body.
    async fn fetch(&self, path: &str) -> (u16, String, String) {
        let mut stream = tokio::net::TcpStream::connect(&self.addr)
            .await
            .expect("connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let raw = String::from_utf8(raw).expect("utf-8");
        let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status line");
        (status, head.to_ascii_lowercase(), body.to_owned())
    }

    /// GETs `path`: the status and the body.
    async fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.fetch(path).await;
        (status, body)
    }

    /// POSTs a GraphQL query and returns the parsed JSON response.
    async fn graphql(&self, query: &str, variables: serde_json::Value) -> serde_json::Value {
        self.graphql_as(None, query, variables).await
    }

    /// POSTs a GraphQL query with an optional bearer token.
    async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        let mut stream = tokio::net::TcpStream::connect(&self.addr)
            .await
            .expect("connect");
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        let (head, body) = response.split_once("\r\n\r\n").expect("a response");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        // Chunked or not, the JSON document is the body's outermost braces.
        let json = &body[body.find('{').expect("json")..=body.rfind('}').expect("json")];
        serde_json::from_str(json).expect("json response")
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        // Generous: a loaded CI machine can be slow to drain and exit.
        for _ in 0..600 {
            if let Some(exit) = self.child.try_wait().expect("wait") {
                assert!(exit.success(), "berth exited with {exit}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("berth did not stop within 30 s of SIGTERM");
    }
}

/// Reports `test` as skipped for `why` (a tool it needs is missing), unless
/// `require` (an environment variable) is 1: then the tool must be there.
fn skip(test: &str, require: &str, why: &str) {
    assert!(
        std::env::var(require).as_deref() != Ok("1"),
        "{require}=1 but {why}"
    );
    eprintln!("!! SKIPPED {test}: {why}; scripts/test installs it");
}

impl Drop for Server {
    /// A test that fails before `stop` must not leave its server running (it
    /// would hold the test's output pipes open).
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test]
async fn serve_answers_health_readiness_and_metrics() {
    let (url, path) = temp_sqlite_url();
    let server = Server::start(&["--database-url", &url]);
    assert!(
        path.exists(),
        "the SQLite file (and its directory) is created on first start"
    );

    let (status, body) = server.get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 200);
    assert!(body.contains(r#""status":"ready""#), "{body}");
    let (status, _) = server.get("/nope").await;
    assert_eq!(status, 404);
    // `/nope` is a public site's address (`/{tenant}`, an unknown one); a
    // path no route has is counted as unmatched.
    let (status, _) = server.get("/nope/no/such/route").await;
    assert_eq!(status, 404);

    let (status, body) = server.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"http_requests_total{route="/healthz",method="GET",status="200"} 1"#),
        "{body}"
    );
    assert!(
        body.contains(r#"route="unmatched""#),
        "unknown paths share one label: {body}"
    );
    assert!(body.contains("http_request_duration_seconds_bucket"));
    server.stop();
}

#[tokio::test]
async fn demo_loads_the_example_tenants_once() {
    let (url, _) = temp_sqlite_url();
    let tenants = tenants_dir();
    let args = [
        "--database-url",
        &url,
        "--demo",
        "--tenants",
        tenants.to_str().unwrap(),
    ];
    let server = Server::start(&args);
    let loaded: Vec<&String> = server
        .stdout_lines
        .iter()
        .filter(|l| l.contains("loaded"))
        .collect();
    for slug in [
        "alpine-cabins",
        "harbor-hotel",
        "summit-tours",
        "river-gear",
    ] {
        assert!(
            loaded.iter().any(|l| l.contains(slug)),
            "{slug} in {loaded:?}"
        );
    }

    // The demo serves quotes through the engine and the tenant's Rhai policy.
    let units = server
        .graphql(
            r#"{ units(tenant: "alpine-cabins") { id name } }"#,
            serde_json::json!({}),
        )
        .await;
    let unit = units["data"]["units"][0]["id"]
        .as_str()
        .expect("a seeded unit")
        .to_owned();
    // Dates relative to today: inside the booking horizon whenever this runs.
    let (check_in, check_out) = live::stays(1).remove(0);
    let quote = server
        .graphql(
            "query($input: QuoteInput!) { quote(tenant: \"alpine-cabins\", input: $input) { available total { amount currency } violations { code } } }",
            serde_json::json!({ "input": { "unitId": unit, "guests": 2,
                "period": { "checkIn": check_in, "checkOut": check_out } } }),
        )
        .await;
    assert_eq!(quote["data"]["quote"]["available"], true, "{quote}");
    assert_eq!(
        quote["data"]["quote"]["total"]["currency"], "CHF",
        "{quote}"
    );
    let refused = server
        .graphql(r#"{ quote(tenant: "nobody", input: { unitId: "x", guests: 1, period: { checkIn: "2030-01-01", checkOut: "2030-01-02" } }) { available } }"#, serde_json::json!({}))
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    // One printed admin login per demo tenant works.
    let logins: Vec<&String> = server
        .stdout_lines
        .iter()
        .filter(|l| l.starts_with("demo login:"))
        .collect();
    assert_eq!(logins.len(), 4, "{:?}", server.stdout_lines);
    let field = |line: &str, key: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_owned))
            .expect("key=value")
    };
    let (tenant, email, password) = (
        field(logins[0], "tenant"),
        field(logins[0], "email"),
        field(logins[0], "password"),
    );
    let session = server
        .graphql(
            "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
            serde_json::json!({ "t": tenant, "e": email, "p": password }),
        )
        .await;
    let token = session["data"]["login"]["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let me = server
        .graphql_as(Some(&token), "{ me { email role } }", serde_json::json!({}))
        .await;
    assert_eq!(me["data"]["me"]["email"], email.as_str(), "{me}");
    assert_eq!(me["data"]["me"]["role"], "ADMIN");

    // The README walkthrough: the admin lists the seeded reservations, books,
    // meets a policy refusal with its violations, and cannot reach another
    // tenant's reservation.
    assert_eq!(tenant, "alpine-cabins");
    let list = server
        .graphql_as(
            Some(&token),
            "{ reservations(first: 50) { edges { node { id state checkIn unit { id } client { name } } } } }",
            serde_json::json!({}),
        )
        .await;
    let edges = list["data"]["reservations"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert!(edges.len() >= 4, "seeded reservations: {list}");
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["client"]["name"].is_string()),
        "{list}"
    );
    let book = "mutation($input: CreateReservationInput!) { createReservation(input: $input) { id state } }";
    // A one-night stay arriving on a Sunday: the cabins' rules refuse it.
    let monday: chrono::NaiveDate = check_in.parse().expect("a date");
    let sunday = (monday + chrono::Days::new(6)).to_string();
    let sunday_next = (monday + chrono::Days::new(7)).to_string();
    let booked = server
        .graphql_as(
            Some(&token),
            book,
            serde_json::json!({ "input": { "unitId": unit, "guests": 2,
                "period": { "checkIn": check_in, "checkOut": check_out } } }),
        )
        .await;
    assert_eq!(
        booked["data"]["createReservation"]["state"], "CONFIRMED",
        "{booked}"
    );
    let refused = server
        .graphql_as(
            Some(&token),
            book,
            serde_json::json!({ "input": { "unitId": unit, "guests": 2,
                "period": { "checkIn": sunday, "checkOut": sunday_next } } }),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );
    assert!(
        !refused["errors"][0]["extensions"]["violations"]
            .as_array()
            .expect("violations")
            .is_empty()
    );
    let other = logins
        .iter()
        .find(|l| l.contains("tenant=summit-tours"))
        .expect("summit login");
    let other_session = server
        .graphql(
            "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
            serde_json::json!({ "t": "summit-tours", "e": field(other, "email"), "p": field(other, "password") }),
        )
        .await;
    let other_token = other_session["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let theirs = server
        .graphql_as(
            Some(&other_token),
            "{ reservations(first: 1) { edges { node { id } } } }",
            serde_json::json!({}),
        )
        .await;
    let their_id = theirs["data"]["reservations"]["edges"][0]["node"]["id"].clone();
    let reached = server
        .graphql_as(
            Some(&token),
            "query($id: ID!) { reservation(id: $id) { id } }",
            serde_json::json!({ "id": their_id }),
        )
        .await;
    assert_eq!(
        reached["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{reached}"
    );

    // GraphiQL comes from the web build, which this server has not got: the
    // page says how to build it (web.rs serves a build).
    let page =
        transport::exchange_at(&server, "GET", "/graphql", &[("Accept", "text/html")], "").await;
    assert_eq!(page.status, 503, "{page:?}");
    assert!(page.body.contains("GraphiQL is not built"), "{page:?}");
    server.stop();

    // A restart with --demo finds them and adds nothing.
    let server = Server::start(&args);
    assert!(
        !server.stdout_lines.iter().any(|l| l.contains("loaded")),
        "{:?}",
        server.stdout_lines
    );
    let (_, body) = server.get("/readyz").await;
    assert!(body.contains(r#""active":4"#), "{body}");
    server.stop();
}

#[test]
fn migrate_is_idempotent_and_bad_urls_fail_clearly() {
    let (url, path) = temp_sqlite_url();
    for _ in 0..2 {
        let out = berth()
            .args(["migrate", "--database-url", &url])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
    }
    assert!(path.exists());

    let out = berth()
        .args(["migrate", "--database-url", "mysql://x/y"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unsupported database url"), "{stderr}");

    // The database URL also comes from the environment.
    let (env_url, env_path) = temp_sqlite_url();
    let out = berth()
        .arg("migrate")
        .env("BERTH_DATABASE_URL", &env_url)
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(env_path.exists());
}

#[tokio::test]
async fn user_commands_add_list_and_change_users() {
    let (url, _) = temp_sqlite_url();
    let tenants = tenants_dir();
    let server = Server::start(&[
        "--database-url",
        &url,
        "--tenants",
        tenants.to_str().unwrap(),
    ]);
    let add = |password: &str| {
        berth()
            .args([
                "user",
                "add",
                "--database-url",
                &url,
                "--tenant",
                "river-gear",
                "--email",
                "Kim@River.example",
                "--role",
                "staff",
            ])
            .env("BERTH_PASSWORD", password)
            .output()
            .expect("run")
    };
    let short = add("short");
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10"));
    let out = add("a long enough password");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = add("a long enough password");
    assert_eq!(again.status.code(), Some(1), "the e-mail is taken");
    let session = server
        .graphql(
            r#"mutation { login(tenant: "river-gear", email: "kim@river.example", password: "a long enough password") { user { role } } }"#,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        session["data"]["login"]["user"]["role"], "STAFF",
        "{session}"
    );

    // The other user commands: list, a new password, disable, enable.
    let user = |command: &str, password: Option<&str>| {
        let mut cmd = berth();
        cmd.args([
            "user",
            command,
            "--database-url",
            &url,
            "--tenant",
            "river-gear",
        ]);
        if command != "list" {
            cmd.args(["--email", "kim@river.example"]);
        }
        if let Some(p) = password {
            cmd.env("BERTH_PASSWORD", p);
        }
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "user {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let running = &server;
    let login = |password: &str| {
        let query = format!(
            r#"mutation {{ login(tenant: "river-gear", email: "kim@river.example", password: "{password}") {{ token }} }}"#
        );
        async move {
            running.graphql(&query, serde_json::json!({})).await["data"]["login"]["token"]
                .is_string()
        }
    };
    let listed = user("list", None);
    assert!(
        listed.contains("kim@river.example\tstaff\tactive"),
        "{listed}"
    );
    user("password", Some("another long password"));
    assert!(!login("a long enough password").await);
    assert!(login("another long password").await);
    user("disable", None);
    assert!(!login("another long password").await);
    assert!(user("list", None).contains("disabled since"));
    user("enable", None);
    assert!(login("another long password").await);
    let unknown = berth()
        .args([
            "user",
            "disable",
            "--database-url",
            &url,
            "--tenant",
            "river-gear",
            "--email",
            "nobody@river.example",
        ])
        .output()
        .expect("run");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user nobody@river.example"));
    server.stop();
}

#[tokio::test]
async fn serve_on_postgres() {
    use berth_core::testing::{Backend, admin_url_of, available, fresh_postgres_url};
    use sqlx::Connection;
    if !available(Backend::Postgres, "serve_on_postgres") {
        return;
    }
    // Served the way production must connect: as a role that row-level security
    // applies to (the test database's owner, not a superuser).
    let url = fresh_postgres_url().await;
    let admin = admin_url_of(&url);
    let name = url
        .rsplit_once('/')
        .expect("db in url")
        .1
        .split('?')
        .next()
        .expect("name")
        .to_owned();
    let server_admin = berth_core::testing::postgres_admin_url().expect("admin url");
    let mut conn = sqlx::PgConnection::connect(&server_admin)
        .await
        .expect("connect");
    let server = Server::demo(&url, &tenants_dir(), &[]);
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let tenants: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe("SELECT count(*) FROM tenants"))
        .fetch_one(&mut sqlx::PgConnection::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(tenants, 4);
    // The demo's reservations went through row-level security into their tenants.
    let reservations: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe("SELECT count(*) FROM reservations"))
            .fetch_one(&mut sqlx::PgConnection::connect(&admin).await.unwrap())
            .await
            .unwrap();
    assert!(reservations >= 10, "{reservations}");

    // When the database goes away, the instance reports itself not ready.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .expect("drop database");
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("unreachable"), "{body}");
    let (status, _) = server.get("/healthz").await;
    assert_eq!(status, 200, "still alive");
    server.stop();
}
