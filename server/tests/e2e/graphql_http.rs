//! GraphQL over HTTP: the `graphql-http` library's server audit (the GraphQL
//! over HTTP working group's own) against the real server, failing on any MUST
//! or SHOULD audit that does not pass; and the rules behind it checked one by
//! one over raw HTTP: media types per `Accept`, status codes per media type, no
//! `data` entry on request errors, GET for queries only, 415 and 406.

use serde_json::{Value, json};

use super::live::{js_client, run_node};
use super::transport::{RawResponse, exchange, exchange_at, start_with_tenants};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test]
async fn the_graphql_http_audit_passes_every_must_and_should() {
    let test = "the_graphql_http_audit_passes_every_must_and_should";
    let Some(js) = js_client(test, "graphql-http") else {
        return;
    };
    let server = start_with_tenants(false, &[]);
    let url = format!("http://{}/graphql", server.addr);
    let output = run_node(&js, "audit.mjs", &[&url], &[]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "audit.mjs failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    // Every result, for the test's output.
    eprintln!("{stderr}");
    let report: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("audit.mjs printed no JSON ({e}): {stdout}"));
    let results = report["results"].as_array().expect("results");
    let count = |level: &str, passed: bool| {
        results
            .iter()
            .filter(|r| r["level"] == level && (r["status"] == "ok") == passed)
            .count()
    };
    for level in ["MUST", "SHOULD", "MAY"] {
        eprintln!(
            "graphql-http audit: {level}: {} passed, {} failed",
            count(level, true),
            count(level, false)
        );
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r["status"] != "ok" && (r["level"] == "MUST" || r["level"] == "SHOULD"))
        .map(|r| format!("{} {}: {}", r["id"], r["name"], r["reason"]))
        .collect();
    assert!(
        failed.is_empty(),
        "MUST/SHOULD audits failed:\n{}",
        failed.join("\n")
    );
    // The audit still has what it had when this test was written: a newer
    // graphql-http with fewer audits would pass vacuously.
    assert!(
        count("MUST", true) >= 13 && count("SHOULD", true) >= 23,
        "{report}"
    );
    server.stop();
}

/// POSTs `body` as JSON with `accept` (none when empty).
async fn post(server: &super::Server, accept: &str, body: &str) -> RawResponse {
    let mut headers = vec![("Content-Type", "application/json")];
    if !accept.is_empty() {
        headers.push(("Accept", accept));
    }
    exchange(server, "POST", &headers, body).await
}

fn content_type(response: &RawResponse) -> &str {
    response.header("content-type").unwrap_or_default()
}

#[tokio::test]
async fn media_types_and_status_codes_follow_the_specification() {
    let server = start_with_tenants(false, &[]);
    let query = json!({ "query": r#"{ tenant(slug: "alpine-cabins") { name } }"# }).to_string();

    // The media type follows Accept.
    for (accept, expected) in [
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (
            "application/graphql-response+json, application/json;q=0.9",
            GRAPHQL_RESPONSE,
        ),
    ] {
        let answer = post(&server, accept, &query).await;
        assert_eq!(answer.status, 200, "{accept}: {answer:?}");
        assert!(
            content_type(&answer).starts_with(expected),
            "{accept}: {answer:?}"
        );
        assert_eq!(answer.json()["data"]["tenant"]["name"], "Alpine Cabins");
    }
    let refused = post(&server, "text/html", &query).await;
    assert_eq!(refused.status, 406, "{refused:?}");
    assert_eq!(
        refused.json()["errors"][0]["extensions"]["code"],
        "INVALID_INPUT"
    );

    // Request errors: 200 in application/json, 400 in the newer type, never a
    // `data` entry, always a code.
    let failures = [
        json!({ "query": "{" }),
        json!({ "query": "{ noSuchField }" }),
        json!({ "query": "query($id: ID!) { reservation(id: $id) { id } }", "variables": { "id": null } }),
        json!({ "query": "query A { __typename }", "operationName": "B" }),
    ];
    for failure in &failures {
        for (accept, status) in [("application/json", 200), (GRAPHQL_RESPONSE, 400)] {
            let answer = post(&server, accept, &failure.to_string()).await;
            assert_eq!(answer.status, status, "{failure} as {accept}: {answer:?}");
            let body = answer.json();
            assert!(body.get("data").is_none(), "{failure}: {body}");
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "INVALID_INPUT",
                "{failure}: {body}"
            );
        }
    }
    // A field error is not a request error: 200 with data in either type.
    for accept in ["application/json", GRAPHQL_RESPONSE] {
        let answer = post(
            &server,
            accept,
            &json!({ "query": "{ me { email } }" }).to_string(),
        )
        .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        let body = answer.json();
        assert!(body.get("data").is_some(), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert_eq!(body["errors"][0]["path"], json!(["me"]), "{body}");
    }

    // Not GraphQL requests: 400 whatever the media type; other bodies 415.
    for body in [
        "{ not json",
        "[]",
        r#"{"qeury":"{ a }"}"#,
        r#"{"query":"{ a }","variables":"x"}"#,
    ] {
        let answer = post(&server, GRAPHQL_RESPONSE, body).await;
        assert_eq!(answer.status, 400, "{body}: {answer:?}");
        assert!(
            content_type(&answer).starts_with(GRAPHQL_RESPONSE),
            "{answer:?}"
        );
        assert_eq!(
            answer.json()["errors"][0]["extensions"]["code"],
            "INVALID_INPUT"
        );
    }
    for content in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
    ] {
        let answer = exchange(&server, "POST", &[("Content-Type", content)], &query).await;
        assert_eq!(answer.status, 415, "{content}: {answer:?}");
    }
    let answer = exchange(&server, "POST", &[], &query).await;
    assert_eq!(answer.status, 415, "no Content-Type: {answer:?}");
    server.stop();
}

#[tokio::test]
async fn get_executes_queries_and_refuses_mutations() {
    let server = start_with_tenants(false, &[]);
    let get = |query: &'static str| {
        let server = &server;
        async move {
            exchange_at(
                server,
                "GET",
                &format!("/graphql?{query}"),
                &[("Accept", "application/json")],
                "",
            )
            .await
        }
    };
    // `query Q($slug: String!) { tenant(slug: $slug) { name } }` with variables.
    let answer = get("query=query%20Q%28%24slug%3A%20String%21%29%20%7B%20tenant%28slug%3A%20%24slug%29%20%7B%20name%20%7D%20%7D&variables=%7B%22slug%22%3A%22alpine-cabins%22%7D&operationName=Q").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["data"]["tenant"]["name"], "Alpine Cabins");
    let mutation = get("query=mutation%20%7B%20signOut%20%7D").await;
    assert_eq!(mutation.status, 405, "{mutation:?}");
    assert_eq!(mutation.header("allow"), Some("POST"));
    assert_eq!(
        mutation.json()["errors"][0]["extensions"]["code"],
        "INVALID_INPUT"
    );
    let named = get("query=query%20A%20%7B%20__typename%20%7D%20mutation%20B%20%7B%20signOut%20%7D&operationName=B").await;
    assert_eq!(named.status, 405, "{named:?}");
    let missing = get("variables=%7B%7D").await;
    assert_eq!(missing.status, 400, "{missing:?}");
    let twice = get("query=%7B__typename%7D&query=%7B__typename%7D").await;
    assert_eq!(twice.status, 400, "{twice:?}");
    server.stop();
}
