//! Published policy versions across instances (docs/decisions/0162): two
//! instances on one PostgreSQL serve a version published on one of them
//! within a second; a restarted instance serves the live version from the
//! database although its own disk holds another. And in development, the
//! watcher publishes a saved tenant directory (a broken save is refused,
//! kept in `policyStatus`, the live version keeps serving).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::live::stays;
use super::site::copy_dir;
use super::transport::demo_admin_session_where;
use super::{Server, berth, temp_sqlite_url, tenants_dir};

const QUOTE: &str = "query($input: QuoteInput!) { quote(tenant: \"alpine-cabins\", input: $input) { total { amount } } }";

/// A copy of the example tenants in a fresh directory.
pub(crate) fn tenants_copy(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("versions-{name}-{}", uuid::Uuid::new_v4()));
    copy_dir(&tenants_dir(), &dir);
    dir
}

/// Raises alpine-cabins' `base_rate` in `tenant` from 18000 to `rate` and
/// accepts the test figures that pins (`berth policy test --accept`).
pub(crate) fn raise_base_rate(tenant: &Path, rate: u32) {
    let path = tenant.join("tenant.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    assert!(yaml.contains("  base_rate: 18000 "), "{yaml}");
    std::fs::write(
        &path,
        yaml.replace("  base_rate: 18000 ", &format!("  base_rate: {rate} ")),
    )
    .unwrap();
    let accepted = berth()
        .args(["policy", "test", "--accept"])
        .arg(tenant)
        .output()
        .unwrap();
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stdout)
    );
}

/// The policy files of a tenant directory, as `publishPolicy` takes them.
pub(crate) fn policy_files(tenant: &Path) -> Value {
    let mut files = vec![json!({
        "path": "tenant.yaml",
        "text": std::fs::read_to_string(tenant.join("tenant.yaml")).unwrap(),
    })];
    for (dir, prefix, ext) in [
        (tenant.to_owned(), "", "rhai"),
        (tenant.join("tests"), "tests/", "yaml"),
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == ext) {
                let name = path.file_name().unwrap().to_string_lossy();
                files.push(json!({
                    "path": format!("{prefix}{name}"),
                    "text": std::fs::read_to_string(&path).unwrap(),
                }));
            }
        }
    }
    Value::Array(files)
}

/// alpine-cabins' first unit and a stay it can be quoted for.
async fn quote_input(server: &Server) -> Value {
    let units = server
        .graphql(r#"{ units(tenant: "alpine-cabins") { id } }"#, json!({}))
        .await;
    let unit = units["data"]["units"][0]["id"].as_str().unwrap().to_owned();
    let (check_in, check_out) = stays(1).remove(0);
    json!({ "unitId": unit, "guests": 2, "period": { "checkIn": check_in, "checkOut": check_out } })
}

/// The total `server` quotes for `input`.
async fn total(server: &Server, input: &Value) -> i64 {
    let quote = server.graphql(QUOTE, json!({ "input": input })).await;
    quote["data"]["quote"]["total"]["amount"]
        .as_i64()
        .unwrap_or_else(|| panic!("a total in {quote}"))
}

/// Polls `server`'s quote until it is no longer `before`, for at most
/// `bound`; the new total and how long it took.
async fn changed_total(
    server: &Server,
    input: &Value,
    before: i64,
    bound: Duration,
) -> (i64, Duration) {
    let started = Instant::now();
    loop {
        let now = total(server, input).await;
        if now != before {
            return (now, started.elapsed());
        }
        assert!(
            started.elapsed() < bound,
            "the quote stayed {before} for {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs in on `target` as the demo admin of `slug` that `source` printed
/// (each instance of the tests signs its own sessions).
async fn sign_in_like(target: &Server, source: &Server, slug: &str) -> String {
    let login = source
        .stdout_lines
        .iter()
        .find(|l| l.starts_with("demo login:") && l.contains(&format!("tenant={slug}")))
        .expect("a demo login line");
    let field = |key: &str| {
        login
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_owned))
            .unwrap()
    };
    let session = target
        .graphql(
            "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
            json!({ "t": field("tenant"), "e": field("email"), "p": field("password") }),
        )
        .await;
    session["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("a token in {session}"))
        .to_owned()
}

async fn policy_status(server: &Server, token: &str) -> Value {
    let answer = server
        .graphql_as(
            Some(token),
            "{ policyStatus { activeVersion rejection } policyVersions { number author } }",
            json!({}),
        )
        .await;
    answer["data"].clone()
}

#[tokio::test]
async fn two_instances_on_one_postgres_serve_the_published_version() {
    use berth_core::testing::{Backend, available, fresh_postgres_url};
    if !available(
        Backend::Postgres,
        "two_instances_serve_the_published_version",
    ) {
        return;
    }
    let url = fresh_postgres_url().await;
    // Instance B's disk says something else from the start: it is not what
    // B serves. Nor has it the pictures the profile names, nor the e-mail
    // templates: a version goes live without them (docs/decisions/0168).
    let a_dir = tenants_copy("a");
    let b_dir = tenants_copy("b");
    raise_base_rate(&b_dir.join("alpine-cabins"), 25000);
    for gone in ["images", "emails"] {
        std::fs::remove_dir_all(b_dir.join("alpine-cabins").join(gone)).unwrap();
    }
    let a = Server::demo(&url, &a_dir, &[]);
    let b = Server::start(&["--database-url", &url, "--tenants", b_dir.to_str().unwrap()]);
    let input = quote_input(&a).await;
    let first = total(&a, &input).await;
    assert_eq!(total(&b, &input).await, first);
    // The version holds A's e-mail templates; B serves the pictures A stored.
    let files = b
        .graphql_as(
            Some(&sign_in_like(&b, &a, "alpine-cabins").await),
            "{ policyVersion(number: 1) { files { path } } }",
            json!({}),
        )
        .await;
    assert!(
        files["data"]["policyVersion"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "emails/reminder.txt"),
        "{files}"
    );
    let cover = b
        .graphql(
            r#"{ tenant(slug: "alpine-cabins") { profile { cover { url } } } }"#,
            json!({}),
        )
        .await;
    assert!(
        cover["data"]["tenant"]["profile"]["cover"]["url"].is_string(),
        "{cover}"
    );

    // A candidate with a higher price, published on A by its admin.
    let staging = tenants_copy("staging").join("alpine-cabins");
    raise_base_rate(&staging, 19000);
    let (_, admin) = demo_admin_session_where(&a, |l| l.contains("tenant=alpine-cabins")).await;
    let before = a
        .graphql_as(
            Some(&admin),
            "{ policyVersions { number author hash publishedAt } }",
            json!({}),
        )
        .await;
    assert_eq!(
        before["data"]["policyVersions"].as_array().map(Vec::len),
        Some(1),
        "{before}"
    );
    let published = a
        .graphql_as(
            Some(&admin),
            "mutation($f: [PolicyFileInput!]!) { publishPolicy(files: $f) { created version { number } } }",
            json!({ "f": policy_files(&staging) }),
        )
        .await;
    assert_eq!(
        published["data"]["publishPolicy"],
        json!({ "created": true, "version": { "number": 2 } }),
        "{published}"
    );
    let (on_b, took) = changed_total(&b, &input, first, Duration::from_secs(1)).await;
    assert!(on_b > first, "{on_b} after {first}");
    eprintln!("instance B served version 2 after {took:?}");
    let (on_a, _) = changed_total(&a, &input, first, Duration::from_secs(1)).await;
    assert_eq!(on_a, on_b);
    let status = policy_status(&a, &admin).await;
    assert_eq!(status["policyStatus"]["activeVersion"], 2, "{status}");

    // Restarted, B serves the database's live version, not its disk's.
    b.stop();
    let b = Server::start(&["--database-url", &url, "--tenants", b_dir.to_str().unwrap()]);
    assert_eq!(total(&b, &input).await, on_b);

    // A rollback on B, by the same admin signed in there, reaches A.
    let on_b_admin = sign_in_like(&b, &a, "alpine-cabins").await;
    let rolled = b
        .graphql_as(
            Some(&on_b_admin),
            "mutation { rollbackPolicy(to: 1) { version { number restoredFrom } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        rolled["data"]["rollbackPolicy"]["version"],
        json!({ "number": 3, "restoredFrom": 1 }),
        "{rolled}"
    );
    let (back, _) = changed_total(&a, &input, on_b, Duration::from_secs(1)).await;
    assert_eq!(back, first);
    a.stop();
    b.stop();
    for dir in [a_dir, b_dir, staging] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_saved_directory_is_published_and_a_broken_one_refused() {
    let (url, _) = temp_sqlite_url();
    let dir = tenants_copy("watch");
    let server = Server::demo(&url, &dir, &[]);
    let (_, admin) =
        demo_admin_session_where(&server, |l| l.contains("tenant=alpine-cabins")).await;
    let input = quote_input(&server).await;
    let first = total(&server, &input).await;
    let status = policy_status(&server, &admin).await;
    assert_eq!(status["policyStatus"]["activeVersion"], 1, "{status}");
    assert_eq!(
        status["policyVersions"],
        json!([{ "number": 1, "author": "system" }])
    );

    // A broken save: refused with file:line:col, version 1 keeps serving.
    let tenant = dir.join("alpine-cabins");
    let yaml = std::fs::read_to_string(tenant.join("tenant.yaml")).unwrap();
    std::fs::write(
        tenant.join("tenant.yaml"),
        yaml.replace("  base_rate: 18000 ", "  base_rate: lots "),
    )
    .unwrap();
    let started = Instant::now();
    let refused = loop {
        let status = policy_status(&server, &admin).await;
        if status["policyStatus"]["rejection"] != json!([]) {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(refused["policyStatus"]["activeVersion"], 1);
    let lines = refused["policyStatus"]["rejection"].to_string();
    assert!(lines.contains("tenant.yaml:"), "{lines}");
    assert!(lines.contains("pricing.base_rate"), "{lines}");
    assert_eq!(total(&server, &input).await, first);

    // A good save is published as version 2 and served.
    std::fs::write(tenant.join("tenant.yaml"), &yaml).unwrap();
    raise_base_rate(&tenant, 19000);
    let (raised, _) = changed_total(&server, &input, first, Duration::from_secs(10)).await;
    assert!(raised > first);
    let status = policy_status(&server, &admin).await;
    assert_eq!(status["policyStatus"]["activeVersion"], 2, "{status}");
    assert_eq!(status["policyStatus"]["rejection"], json!([]), "{status}");
    assert_eq!(status["policyVersions"][0]["number"], 2, "{status}");
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
