//! The security sweep over HTTP (issue 24; docs/decisions/0165 and 0166):
//! every route of the route table — read from the binary itself (`berth
//! schema routes`, the table the router is built from) — is asked without a
//! credential and answers as its class says (a signed-in route with 401
//! UNAUTHENTICATED for every method, a public one served), and every answer,
//! refusals and 404s included, carries the security headers of its surface;
//! HSTS only over HTTPS reported by a trusted proxy.

use serde::Deserialize;

use super::transport::{RawResponse, exchange_at, start_with_tenants};
use super::{Server, berth};

/// One row of `berth schema routes`.
#[derive(Debug, Deserialize)]
struct Spec {
    path: String,
    methods: Vec<String>,
    access: String,
    surface: String,
    why: String,
}

/// The route table as the binary prints it.
fn table() -> Vec<Spec> {
    let output = berth()
        .args(["schema", "routes"])
        .output()
        .expect("run berth schema routes");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("the route table as JSON")
}

/// `template` with its parameters filled: the demo tenant, one of its units,
/// and names that match nothing for the rest.
fn concrete(template: &str, unit: &str) -> String {
    template
        .replace("{tenant}", "alpine-cabins")
        .replace("{unit}", unit)
        .replace("{hash}", "0123456789abcdef")
        .replace("{file}", "nothing-here.css")
        .replace("{*path}", "calendar")
}

/// Asserts the headers every answer of `surface` carries, without HSTS
/// unless `https`.
fn assert_headers(answer: &RawResponse, surface: &str, https: bool, what: &str) {
    let csp = answer
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: a Content-Security-Policy: {answer:?}"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        csp.contains("object-src 'none'") || csp.starts_with("default-src 'none'"),
        "{what}: {csp}"
    );
    let (csp_start, referrer) = match surface {
        "api" => ("default-src 'none'", "no-referrer"),
        "admin_app" => ("default-src 'self'; script-src 'self';", "same-origin"),
        "site" => (
            "default-src 'none'; script-src 'self';",
            "strict-origin-when-cross-origin",
        ),
        other => panic!("{what}: an unknown surface {other}"),
    };
    assert!(csp.starts_with(csp_start), "{what}: {csp}");
    if surface != "admin_app" {
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(
        answer.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(answer.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(answer.header("referrer-policy"), Some(referrer), "{what}");
    let hsts = answer.header("strict-transport-security");
    if https {
        assert_eq!(hsts, Some("max-age=31536000"), "{what}");
    } else {
        assert_eq!(hsts, None, "{what}: no HSTS over plain HTTP");
    }
}

/// A unit of the demo tenant.
async fn a_unit(server: &Server) -> String {
    let units = server
        .graphql(
            r#"{ units(tenant: "alpine-cabins") { id } }"#,
            serde_json::json!({}),
        )
        .await;
    units["data"]["units"][0]["id"]
        .as_str()
        .expect("a demo unit")
        .to_owned()
}

#[tokio::test]
async fn every_route_is_public_or_refuses_a_stranger_and_every_answer_is_secured() {
    let table = table();
    // The table is the router's: the surfaces DESIGN.md names are all there.
    for (path, access) in [
        ("/graphql", "public"),
        ("/graphql/ws", "public"),
        ("/healthz", "public"),
        ("/readyz", "public"),
        ("/metrics", "public"),
        ("/ical/{tenant}/{unit}", "public"),
        ("/media/{hash}/{file}", "public"),
        ("/admin/", "public"),
        ("/admin/{*path}", "public"),
        ("/robots.txt", "public"),
        ("/{tenant}/", "public"),
        ("/{tenant}/units/{unit}", "public"),
        ("/{tenant}/sitemap.xml", "public"),
        ("/media/units/{unit}", "session"),
    ] {
        let spec = table
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("{path} in the route table: {table:?}"));
        assert_eq!(spec.access, access, "{path}");
    }
    let server = start_with_tenants(true, &[]);
    let unit = a_unit(&server).await;
    let mut sessions = 0;
    for spec in &table {
        assert!(!spec.why.is_empty(), "{spec:?}");
        let path = concrete(&spec.path, &unit);
        match spec.access.as_str() {
            "session" => {
                sessions += 1;
                // Every method, the route's own and any other, without a
                // credential or with one that does not verify.
                for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                    for headers in [
                        &[][..],
                        &[("authorization", "Bearer not-a-token")][..],
                        &[("cookie", "berth_session=not-a-token")][..],
                    ] {
                        let what = format!("{method} {path} {headers:?}");
                        let answer = exchange_at(&server, method, &path, headers, "").await;
                        assert_eq!(answer.status, 401, "{what}: {answer:?}");
                        assert_eq!(
                            answer.json()["errors"][0]["extensions"]["code"],
                            "UNAUTHENTICATED",
                            "{what}"
                        );
                        assert_headers(&answer, &spec.surface, false, &what);
                    }
                }
            }
            "public" => {
                for method in &spec.methods {
                    let what = format!("{method} {path}");
                    let (headers, body): (&[(&str, &str)], &str) =
                        if spec.path == "/graphql" && method == "POST" {
                            (
                                &[("content-type", "application/json")],
                                r#"{"query":"{ __typename }"}"#,
                            )
                        } else {
                            (&[], "")
                        };
                    let answer = exchange_at(&server, method, &path, headers, body).await;
                    assert!(
                        ![401, 403, 405].contains(&answer.status),
                        "{what}: a public route serves a stranger: {answer:?}"
                    );
                    assert_headers(&answer, &spec.surface, false, &what);
                }
            }
            other => panic!("{}: an unknown access class {other}", spec.path),
        }
    }
    assert!(sessions > 0, "the table has signed-in routes");
    server.stop();
}

/// A request (method, path, headers) and its answer's status and surface.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u16,
    &'static str,
);

#[tokio::test]
async fn refusals_errors_and_unknown_paths_carry_the_headers_too() {
    let server = start_with_tenants(true, &[]);
    let cases: [Case; 9] = [
        ("GET", "/no/such/route/at/all", &[], 404, "api"),
        ("DELETE", "/healthz", &[], 405, "api"),
        ("GET", "/no-such-tenant/", &[], 404, "site"),
        ("GET", "/alpine-cabins/units/not-a-unit", &[], 404, "site"),
        ("GET", "/assets/missing-00000000.js", &[], 404, "site"),
        ("GET", "/admin/assets/missing.js", &[], 404, "admin_app"),
        // GraphiQL is the app's page (here: how to build it, 503).
        (
            "GET",
            "/graphql",
            &[("accept", "text/html")],
            503,
            "admin_app",
        ),
        // A foreign origin is refused before GraphQL runs.
        (
            "POST",
            "/graphql",
            &[
                ("origin", "https://evil.example"),
                ("content-type", "application/json"),
            ],
            403,
            "api",
        ),
        // An iCalendar feed without its token.
        ("GET", "/ical/alpine-cabins/nothing.ics", &[], 404, "api"),
    ];
    for (method, path, headers, status, surface) in cases {
        let answer = exchange_at(&server, method, path, headers, "{}").await;
        let what = format!("{method} {path}");
        assert_eq!(answer.status, status, "{what}: {answer:?}");
        assert_headers(&answer, surface, false, &what);
    }
    server.stop();
}

#[tokio::test]
async fn hsts_only_when_a_trusted_proxy_says_https() {
    let trusting = start_with_tenants(true, &["--trusted-proxy", "127.0.0.1"]);
    let https = [("x-forwarded-proto", "https")];
    for (path, surface) in [
        ("/healthz", "api"),
        ("/alpine-cabins/", "site"),
        ("/no/such/route/at/all", "api"),
        ("/admin/", "admin_app"),
    ] {
        let answer = exchange_at(&trusting, "GET", path, &https, "").await;
        assert_headers(&answer, surface, true, &format!("{path} over https"));
        let answer =
            exchange_at(&trusting, "GET", path, &[("x-forwarded-proto", "http")], "").await;
        assert_headers(&answer, surface, false, &format!("{path} over http"));
        let answer = exchange_at(&trusting, "GET", path, &[], "").await;
        assert_headers(&answer, surface, false, &format!("{path} direct"));
    }
    trusting.stop();
    // Without --trusted-proxy, anyone could claim https: it is not believed.
    let plain = start_with_tenants(true, &[]);
    let answer = exchange_at(&plain, "GET", "/healthz", &https, "").await;
    assert_headers(&answer, "api", false, "an untrusted X-Forwarded-Proto");
    plain.stop();
}

/// `n` aliased public `availability` fields over the demo tenant.
fn aliased_availability(n: usize) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"a{i}: availability(tenant: "alpine-cabins", input: {{ period: {{ checkIn: "2030-01-07", checkOut: "2030-01-10" }}, guests: 2 }}) {{ available }}"#
            )
        })
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

#[tokio::test]
async fn an_anonymous_request_of_300_aliased_availability_fields_is_refused_before_it_runs() {
    let server = start_with_tenants(true, &[]);
    let refused = server
        .graphql(&aliased_availability(300), serde_json::json!({}))
        .await;
    assert!(refused["data"].is_null(), "nothing ran: {refused}");
    let error = &refused["errors"][0];
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{refused}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("complex")),
        "{refused}"
    );
    // Aliases count: 20 expensive fields are over the budget, 19 are not.
    let over = server
        .graphql(&aliased_availability(20), serde_json::json!({}))
        .await;
    assert_eq!(
        over["errors"][0]["extensions"]["code"], "INVALID_INPUT",
        "{over}"
    );
    let within = server
        .graphql(&aliased_availability(19), serde_json::json!({}))
        .await;
    assert!(within["errors"].is_null(), "{within}");
    assert!(within["data"]["a18"].is_array(), "{within}");
    server.stop();
}

/// A GraphQL POST of `query` as the trusted proxy forwarding for `client`.
async fn forwarded(server: &Server, client: &str, query: &str) -> RawResponse {
    let body = serde_json::json!({ "query": query }).to_string();
    exchange_at(
        server,
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", client),
        ],
        &body,
    )
    .await
}

const SMALL: &str = r#"{ tenant(slug: "alpine-cabins") { name } }"#;

#[tokio::test]
async fn the_public_limit_counts_cost_per_forwarded_client_and_holds_under_a_burst_of_addresses() {
    // 12 requests' worth a minute: bursts of 1,000 points, 20 points a second
    // back. The test's requests come through a trusted proxy (127.0.0.1) that
    // names the client in X-Forwarded-For.
    let server = start_with_tenants(
        true,
        &["--public-rate-limit", "12", "--trusted-proxy", "127.0.0.1"],
    );
    // Six searches cost 606 points: the first request passes, the second is
    // refused before running (a count of requests would have allowed ten;
    // the refill, 20 points a second, cannot make up the 212 missing).
    let six = aliased_availability(6);
    let first = forwarded(&server, "203.0.113.1", &six).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert!(first.json()["data"]["a5"].is_array(), "{first:?}");
    let second = forwarded(&server, "203.0.113.1", &six).await;
    assert_eq!(second.status, 429, "{second:?}");
    let retry_after: u64 = second
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a numeric Retry-After");
    let body = second.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["message"],
        format!("too many requests from this address; retry in {retry_after} s")
    );
    assert!(body["data"].is_null(), "nothing ran: {body}");
    // The refused cost was not taken: a small request still fits.
    let small = forwarded(&server, "203.0.113.1", SMALL).await;
    assert_eq!(small.status, 200, "{small:?}");
    // Another client behind the same proxy has its own allowance.
    let other = forwarded(&server, "203.0.113.2", &six).await;
    assert_eq!(other.status, 200, "{other:?}");

    // A request larger than the whole burst passes from a quiet address and
    // leaves it in debt (1,919 points: about 46 s before its next request).
    let heavy = "203.0.113.3";
    let big = forwarded(&server, heavy, &aliased_availability(19)).await;
    assert_eq!(big.status, 200, "{big:?}");
    // A burst from 300 distinct addresses: each is served (each has its own
    // allowance), and the heavy hitter stays refused throughout.
    for n in 0..300_u32 {
        let client = format!("198.18.{}.{}", n / 256, n % 256);
        let answer = forwarded(&server, &client, SMALL).await;
        assert_eq!(answer.status, 200, "{client}: {answer:?}");
        if n % 50 == 0 {
            let refused = forwarded(&server, heavy, SMALL).await;
            assert_eq!(refused.status, 429, "heavy hitter at {n}: {refused:?}");
        }
    }
    // The limiter remembers each client it counted (bounded by its table:
    // the unit tests flood it with 100,000 addresses).
    let metrics = exchange_at(&server, "GET", "/metrics", &[], "").await;
    let tracked: f64 = metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix("berth_rate_limit_addresses{limit=\"public\"} "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("the gauge in /metrics: {}", metrics.body));
    assert!((303.0..=65_536.0).contains(&tracked), "{tracked}");
    server.stop();
}
