//! Browser sessions through `schema.execute`: `signIn` hands the transport its
//! token in the request's cookie slot and never in the answer, with `login`'s
//! checks, throttle and answers; `signOut` asks for the cookie to be cleared;
//! both refuse a request that did not come over HTTP (no slot). `me` carries
//! the user's tenant with its booking model.

use async_graphql::{Request, Variables};
use berth_core::clock::Clock;
use berth_core::user::Role;
use berth_graphql::auth::{BearerToken, CookieChange, SessionCookie};
use serde_json::{Value, json};

use crate::support::{Api, PASSWORD, api, response_code};

const SIGN_IN: &str = "mutation($t: String!, $e: String!, $p: String!) {
    signIn(tenant: $t, email: $e, password: $p) { expiresAt user { email role } } }";
const LOGIN: &str = "mutation($t: String!, $e: String!, $p: String!) {
    login(tenant: $t, email: $e, password: $p) { token } }";
const ME: &str = "{ me { email tenant { slug name timezone currency locale model } } }";

/// Runs `query` as the HTTP transport would, with `slot` (none: as over a
/// WebSocket) and an optional token; returns the response as JSON.
async fn run(
    api: &Api,
    slot: Option<&SessionCookie>,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (Value, async_graphql::Response) {
    let mut request = Request::new(query).variables(Variables::from_json(variables));
    if let Some(slot) = slot {
        request = request.data(slot.clone());
    }
    if let Some(token) = token {
        request = request.data(BearerToken(token.to_owned()));
    }
    let response = api.schema.execute(request).await;
    (serde_json::to_value(&response).unwrap(), response)
}

fn credentials(tenant: &str, role: Role) -> Value {
    json!({ "t": tenant, "e": format!("{role}@{tenant}.example.org"), "p": PASSWORD })
}

#[tokio::test]
async fn sign_in_keeps_the_token_in_the_cookie_slot_never_in_the_answer() {
    let api = api().await;
    let slot = SessionCookie::default();
    let (answer, response) = run(
        &api,
        Some(&slot),
        None,
        SIGN_IN,
        credentials("alpine-cabins", Role::Staff),
    )
    .await;
    assert!(response.errors.is_empty(), "{answer}");
    let session = &answer["data"]["signIn"];
    assert_eq!(session["user"]["email"], "staff@alpine-cabins.example.org");
    assert_eq!(session["user"]["role"], "STAFF");
    let Some(CookieChange::Set { token, expires_at }) = slot.take() else {
        panic!("signIn set no cookie");
    };
    // The token lives as long as any session token (12 h in these tests), and
    // the answer says when.
    assert_eq!(expires_at, api.clock.now() + chrono::Duration::hours(12));
    let said: chrono::DateTime<chrono::Utc> =
        session["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(said, expires_at);
    assert!(
        !answer.to_string().contains(&token),
        "the token is in the answer: {answer}"
    );
    let debug = format!(
        "{:?}",
        CookieChange::Set {
            token: token.clone(),
            expires_at
        }
    );
    assert!(!debug.contains(&token), "Debug shows the token: {debug}");

    // The token authenticates; `me` names the tenant and its model.
    let (me, _) = run(&api, None, Some(&token), ME, json!({})).await;
    assert_eq!(
        me["data"]["me"],
        json!({ "email": "staff@alpine-cabins.example.org", "tenant": {
            "slug": "alpine-cabins", "name": "Alpine Cabins", "timezone": "Europe/Zurich",
            "currency": "CHF", "locale": "de-CH", "model": "nightly" } }),
        "{me}"
    );
    let summit = api.token("summit-tours", Role::Viewer);
    let (me, _) = run(&api, None, Some(&summit), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["tenant"]["model"], "timeslot", "{me}");
    assert_eq!(me["data"]["me"]["tenant"]["slug"], "summit-tours", "{me}");
}

#[tokio::test]
async fn sign_in_answers_and_throttles_like_login() {
    let api = api().await;
    let slot = SessionCookie::default();
    let mut wrong = credentials("alpine-cabins", Role::Admin);
    wrong["p"] = json!("not the password");
    let (_, refused) = run(&api, Some(&slot), None, SIGN_IN, wrong.clone()).await;
    let (_, refused_login) = run(&api, Some(&slot), None, LOGIN, wrong.clone()).await;
    assert_eq!(response_code(&refused), "UNAUTHENTICATED");
    assert_eq!(refused.errors[0].message, refused_login.errors[0].message);
    for unknown in [
        json!({ "t": "nowhere", "e": "admin@alpine-cabins.example.org", "p": PASSWORD }),
        json!({ "t": "alpine-cabins", "e": "nobody@alpine-cabins.example.org", "p": PASSWORD }),
    ] {
        let (_, answer) = run(&api, Some(&slot), None, SIGN_IN, unknown).await;
        assert_eq!(answer.errors[0].message, refused.errors[0].message);
    }
    assert!(slot.take().is_none(), "a refused sign-in sets no cookie");

    // One throttle for both: failures through login count against signIn.
    for _ in 0..10 {
        run(&api, Some(&slot), None, LOGIN, wrong.clone()).await;
    }
    let (answer, throttled) = run(
        &api,
        Some(&slot),
        None,
        SIGN_IN,
        credentials("alpine-cabins", Role::Admin),
    )
    .await;
    assert_eq!(response_code(&throttled), "RATE_LIMITED", "{answer}");
    assert!(
        answer["errors"][0]["extensions"]["retryAfter"].is_number(),
        "{answer}"
    );
    assert!(slot.take().is_none());
}

#[tokio::test]
async fn sign_in_and_sign_out_are_served_only_over_http() {
    let api = api().await;
    for (query, variables) in [
        (SIGN_IN, credentials("alpine-cabins", Role::Owner)),
        ("mutation { signOut }", json!({})),
    ] {
        let (answer, response) = run(&api, None, None, query, variables).await;
        assert_eq!(response_code(&response), "INVALID_INPUT", "{answer}");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("only over HTTP"),
            "{answer}"
        );
    }
    // Refused before any work: no sign-in was audited.
    let owner = api.token("alpine-cabins", Role::Owner);
    let (log, _) = run(
        &api,
        None,
        Some(&owner),
        r#"{ auditLog(filter: { entityType: "user", action: "sign_in" }, first: 50) { edges { node { action } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(log["data"]["auditLog"]["edges"], json!([]), "{log}");
}

#[tokio::test]
async fn sign_out_clears_the_cookie_even_for_an_expired_session() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let slot = SessionCookie::default();
    let (answer, _) = run(
        &api,
        Some(&slot),
        Some(&staff),
        "mutation { signOut }",
        json!({}),
    )
    .await;
    assert_eq!(answer["data"]["signOut"], true, "{answer}");
    assert_eq!(slot.take(), Some(CookieChange::Clear));
    // The token is not revoked by signing out: it stays valid until it expires.
    let (me, _) = run(&api, None, Some(&staff), "{ me { email } }", json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "staff@alpine-cabins.example.org");

    // Once it has expired it no longer authenticates, and signing out still
    // clears the cookie (without an audit entry: nobody is signed in).
    api.clock.advance(chrono::Duration::hours(13));
    let (me, response) = run(&api, None, Some(&staff), "{ me { email } }", json!({})).await;
    assert_eq!(response_code(&response), "UNAUTHENTICATED", "{me}");
    let (answer, _) = run(
        &api,
        Some(&slot),
        Some(&staff),
        "mutation { signOut }",
        json!({}),
    )
    .await;
    assert_eq!(answer["data"]["signOut"], true, "{answer}");
    assert_eq!(slot.take(), Some(CookieChange::Clear));
    let owner = api.token("alpine-cabins", Role::Owner);
    let (log, _) = run(
        &api,
        None,
        Some(&owner),
        r#"{ auditLog(filter: { action: "sign_out" }, first: 50) { edges { node { actor } } } }"#,
        json!({}),
    )
    .await;
    let edges = log["data"]["auditLog"]["edges"].as_array().unwrap();
    assert_eq!(
        edges.len(),
        1,
        "only the signed-in sign-out is audited: {log}"
    );
}
