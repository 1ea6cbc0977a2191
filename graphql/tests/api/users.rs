//! Managing users over GraphQL: changes take effect on the caller's next
//! request (a new role at once; a disabled user, a new password or a sign-out
//! everywhere end the sessions issued before), nobody grants more than they
//! have, and a tenant keeps an active owner.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{Api, PASSWORD, api, code_of};

const LOGIN: &str = r#"mutation($e: String!, $p: String!) {
  login(tenant: "alpine-cabins", email: $e, password: $p) { token user { id role } } }"#;
const ME: &str = "{ me { email role disabledAt } }";
const USERS: &str = "{ users { id email role disabledAt } }";

async fn login(api: &Api, email: &str, password: &str) -> Result<String, String> {
    let answer = api
        .run_as(None, LOGIN, json!({ "e": email, "p": password }))
        .await;
    match answer.0["login"]["token"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => Err(code_of(&answer)),
    }
}

async fn code(api: &Api, token: &str, query: &str, variables: Value) -> String {
    code_of(&api.run_as(Some(token), query, variables).await)
}

async fn update(api: &Api, token: &str, id: &str, input: Value) -> String {
    code(
        api,
        token,
        "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }",
        json!({ "id": id, "input": input }),
    )
    .await
}

#[tokio::test]
async fn changes_to_a_user_apply_to_their_next_request() {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let created = api
        .ok_as(
            &owner,
            r#"mutation($p: String!) { createUser(email: " Mia@Alpine-Cabins.example.org", password: $p, role: STAFF) { id email role disabledAt } }"#,
            json!({ "p": PASSWORD }),
        )
        .await["createUser"]
        .clone();
    assert_eq!(created["email"], "mia@alpine-cabins.example.org");
    assert_eq!(
        (created["role"].as_str(), created["disabledAt"].is_null()),
        (Some("STAFF"), true)
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let email = "mia@alpine-cabins.example.org";
    let mia = login(&api, email, PASSWORD).await.unwrap();
    assert_eq!(api.ok_as(&mia, ME, json!({})).await["me"]["role"], "STAFF");
    assert_eq!(code(&api, &mia, USERS, json!({})).await, "FORBIDDEN");

    // A new role applies to the session she already has.
    assert_eq!(
        update(&api, &owner, &id, json!({ "role": "ADMIN" })).await,
        "none"
    );
    assert_eq!(code(&api, &mia, USERS, json!({})).await, "none");

    // Disabled: her session is refused and she cannot sign in; the list shows it.
    assert_eq!(
        update(&api, &owner, &id, json!({ "disabled": true })).await,
        "none"
    );
    assert_eq!(code(&api, &mia, ME, json!({})).await, "UNAUTHENTICATED");
    assert_eq!(
        login(&api, email, PASSWORD).await,
        Err("UNAUTHENTICATED".into())
    );
    let users = api.ok_as(&owner, USERS, json!({})).await;
    let listed = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(listed["disabledAt"].is_string(), "{listed}");
    // Enabled again: she signs in anew; the session from before stays ended.
    assert_eq!(
        update(&api, &owner, &id, json!({ "disabled": false })).await,
        "none"
    );
    assert_eq!(code(&api, &mia, ME, json!({})).await, "UNAUTHENTICATED");
    let mia = login(&api, email, PASSWORD).await.unwrap();

    // Signed out everywhere.
    let ended = api
        .run_as(
            Some(&owner),
            "mutation($id: ID!) { endUserSessions(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code_of(&ended), "none");
    assert_eq!(code(&api, &mia, ME, json!({})).await, "UNAUTHENTICATED");
    let mia = login(&api, email, PASSWORD).await.unwrap();

    // Her own new password: the wrong current one is refused; the right one
    // ends her other sessions and answers with a new one.
    let change = r#"mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token user { email } } }"#;
    let new_password = "a brand new passphrase";
    assert_eq!(
        code(
            &api,
            &mia,
            change,
            json!({ "c": "not it at all", "n": new_password })
        )
        .await,
        "INVALID_INPUT"
    );
    assert_eq!(
        code(&api, &mia, change, json!({ "c": PASSWORD, "n": "short" })).await,
        "INVALID_INPUT"
    );
    let changed = api
        .ok_as(&mia, change, json!({ "c": PASSWORD, "n": new_password }))
        .await;
    let fresh = changed["changePassword"]["token"].as_str().unwrap();
    assert_eq!(code(&api, &mia, ME, json!({})).await, "UNAUTHENTICATED");
    assert_eq!(code(&api, fresh, ME, json!({})).await, "none");
    assert_eq!(
        login(&api, email, PASSWORD).await,
        Err("UNAUTHENTICATED".into())
    );
    login(&api, email, new_password).await.unwrap();

    // An admin sets a new password for her: her sessions end.
    assert_eq!(
        update(&api, &owner, &id, json!({ "password": "set by the owner" })).await,
        "none"
    );
    assert_eq!(code(&api, fresh, ME, json!({})).await, "UNAUTHENTICATED");
    login(&api, email, "set by the owner").await.unwrap();
}

#[tokio::test]
async fn nobody_grants_more_than_they_have_and_an_owner_remains() {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let admin = api.token("alpine-cabins", Role::Admin);
    let id_of = |role: Role| {
        api.users
            .iter()
            .find(|(slug, r, _)| slug == "alpine-cabins" && *r == role)
            .unwrap()
            .2
            .id
            .to_string()
    };
    let create = r#"mutation($e: String!, $p: String!, $r: Role!) { createUser(email: $e, password: $p, role: $r) { id role } }"#;
    // An admin creates staff, not owners; a role left out is viewer.
    assert_eq!(
        code(
            &api,
            &admin,
            create,
            json!({ "e": "o2@example.org", "p": PASSWORD, "r": "OWNER" })
        )
        .await,
        "FORBIDDEN"
    );
    let viewer = api
        .ok_as(
            &admin,
            r#"mutation($p: String!) { createUser(email: "v2@example.org", password: $p) { id role } }"#,
            json!({ "p": PASSWORD }),
        )
        .await;
    assert_eq!(viewer["createUser"]["role"], "VIEWER");
    let viewer_id = viewer["createUser"]["id"].as_str().unwrap().to_owned();
    // ...promotes to admin, not owner; and cannot touch an owner.
    assert_eq!(
        update(&api, &admin, &viewer_id, json!({ "role": "ADMIN" })).await,
        "none"
    );
    assert_eq!(
        update(&api, &admin, &viewer_id, json!({ "role": "OWNER" })).await,
        "FORBIDDEN"
    );
    let owner_id = id_of(Role::Owner);
    assert_eq!(
        update(&api, &admin, &owner_id, json!({ "disabled": true })).await,
        "FORBIDDEN"
    );
    let end = "mutation($id: ID!) { endUserSessions(id: $id) { id } }";
    assert_eq!(
        code(&api, &admin, end, json!({ "id": owner_id })).await,
        "FORBIDDEN"
    );

    // The only owner can neither step down nor be disabled...
    assert_eq!(
        update(&api, &owner, &owner_id, json!({ "role": "ADMIN" })).await,
        "CONFLICT"
    );
    assert_eq!(
        update(&api, &owner, &owner_id, json!({ "disabled": true })).await,
        "CONFLICT"
    );
    // ...until there is a second one.
    assert_eq!(
        code(
            &api,
            &owner,
            create,
            json!({ "e": "o2@example.org", "p": PASSWORD, "r": "OWNER" })
        )
        .await,
        "none"
    );
    assert_eq!(
        update(&api, &owner, &owner_id, json!({ "role": "ADMIN" })).await,
        "none"
    );

    // Bad input, taken addresses and unknown ids.
    for (e, p, expected) in [
        ("not an address", PASSWORD, "INVALID_INPUT"),
        ("x@example.org", "too short", "INVALID_INPUT"),
        ("v2@example.org", PASSWORD, "CONFLICT"),
    ] {
        assert_eq!(
            code(
                &api,
                &admin,
                create,
                json!({ "e": e, "p": p, "r": "STAFF" })
            )
            .await,
            expected,
            "{e}"
        );
    }
    let nobody = berth_core::ids::UserId::new().to_string();
    assert_eq!(
        update(&api, &admin, &nobody, json!({ "disabled": true })).await,
        "NOT_FOUND"
    );

    // An API key is no user: it may list users (admin scope) but has no password.
    let key = api
        .ok_as(
            &admin,
            r#"mutation { createApiKey(name: "hr sync", role: ADMIN) { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code(&api, &key, USERS, json!({})).await, "none");
    assert_eq!(
        code(
            &api,
            &key,
            r#"mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "whatever it is") { token } }"#,
            json!({ "c": PASSWORD })
        )
        .await,
        "FORBIDDEN"
    );
}

/// The server checks a request's token before GraphQL runs (for the public rate
/// limit) and hands its answer over; GraphQL then reads no user again. Without
/// that, GraphQL reads the user once, however many fields ask.
#[tokio::test]
async fn the_caller_is_read_once_per_request() {
    use async_graphql::Request;
    use berth_core::clock::Clock;
    use berth_graphql::auth::BearerToken;
    use berth_graphql::viewer_cache::ViewerCache;

    let api = api().await;
    let token = api.token("alpine-cabins", Role::Admin);
    let two_fields = "{ users { id } me { role } }";
    api.store.take();
    let answer = api.run_as(Some(&token), two_fields, json!({})).await;
    assert!(answer.1.is_empty(), "{answer:?}");
    assert_eq!(
        api.store.take().get("user"),
        Some(&2),
        "one for the caller, one for `me`"
    );

    let verified =
        berth_graphql::access::authenticate(&*api.store, &api.auth, api.clock.now(), &token)
            .await
            .unwrap();
    assert!(verified.is_some());
    api.store.take();
    let response = api
        .schema
        .execute(
            Request::new(two_fields)
                .data(BearerToken(token.clone()))
                .data(ViewerCache::verified(verified)),
        )
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        api.store.take().get("user"),
        Some(&1),
        "only `me` reads its user"
    );

    // A refusal handed over is a refusal.
    let response = api
        .schema
        .execute(
            Request::new(two_fields)
                .data(BearerToken(token))
                .data(ViewerCache::verified(None)),
        )
        .await;
    assert_eq!(crate::support::response_code(&response), "UNAUTHENTICATED");
}

/// Wrong passwords are counted per account: past the allowance, even the right
/// one is refused (RATE_LIMITED, with when to retry) until the window moves on,
/// whether or not the address belongs to a user; other accounts are unaffected;
/// wrong current passwords given to `changePassword` count the same.
#[tokio::test]
async fn repeated_wrong_passwords_pause_the_account() {
    use berth_core::login_throttle::{MAX_FAILURES, WINDOW};

    let api = api().await;
    let email = "owner@alpine-cabins.example.org";
    for _ in 0..MAX_FAILURES {
        assert_eq!(
            login(&api, email, "not the password").await,
            Err("UNAUTHENTICATED".into())
        );
    }
    let paused = api
        .run_as(None, LOGIN, json!({ "e": email, "p": PASSWORD }))
        .await;
    assert_eq!(code_of(&paused), "RATE_LIMITED");
    assert!(
        paused.1[0].1["retryAfter"].as_u64().unwrap() > 0,
        "{paused:?}"
    );
    // Another account signs in.
    login(&api, "admin@alpine-cabins.example.org", PASSWORD)
        .await
        .unwrap();
    // An address nobody has is counted the same way.
    for _ in 0..MAX_FAILURES {
        login(&api, "nobody@alpine-cabins.example.org", "guess")
            .await
            .unwrap_err();
    }
    assert_eq!(
        login(&api, "nobody@alpine-cabins.example.org", "guess").await,
        Err("RATE_LIMITED".into())
    );
    // Guessing the current password through a signed-in session counts too,
    // against the same account.
    let staff = api.token("alpine-cabins", Role::Staff);
    let change = r#"mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "whatever it is") { token } }"#;
    for _ in 0..MAX_FAILURES {
        assert_eq!(
            code(&api, &staff, change, json!({ "c": "a guess" })).await,
            "INVALID_INPUT"
        );
    }
    assert_eq!(
        code(&api, &staff, change, json!({ "c": PASSWORD })).await,
        "RATE_LIMITED"
    );
    assert_eq!(
        login(&api, "staff@alpine-cabins.example.org", PASSWORD).await,
        Err("RATE_LIMITED".into())
    );
    // Once the failures are older than the window, the right password works.
    api.clock.advance(WINDOW);
    login(&api, email, PASSWORD).await.unwrap();
}
