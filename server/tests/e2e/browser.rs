//! Browser sessions over real HTTP: `signIn` sets an HttpOnly, SameSite=Strict
//! cookie (Secure behind a trusted HTTPS proxy) and never shows the token;
//! the cookie authenticates same-origin requests and WebSocket upgrades, and
//! nothing cross-origin; `signOut` clears it; an expired one is
//! UNAUTHENTICATED; foreign origins are refused with 403; bearer tokens work
//! as before; cookie-authenticated requests are not rate limited.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::SinkExt;
use hmac::Mac;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::Server;
use super::transport::{RawResponse, exchange, receive, send, start_with_tenants, ws_request};

const SIGN_IN: &str = "mutation($t: String!, $e: String!, $p: String!) {
    signIn(tenant: $t, email: $e, password: $p) { expiresAt user { email } } }";
const ME: &str = "{ me { email tenant { slug name timezone currency locale model } } }";

/// The first demo login the server printed: (tenant, email, password).
fn demo_login(server: &Server) -> (String, String, String) {
    let line = server
        .stdout_lines
        .iter()
        .find(|l| l.starts_with("demo login:"))
        .expect("a demo login line");
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_owned))
            .expect("key=value")
    };
    (field("tenant"), field("email"), field("password"))
}

/// POSTs `query` with `headers` (JSON content type added).
async fn post(
    server: &Server,
    headers: &[(&str, &str)],
    query: &str,
    variables: Value,
) -> RawResponse {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    exchange(server, "POST", &all, &body).await
}

/// Signs in the first demo admin with `headers`; returns the answer.
async fn sign_in(server: &Server, headers: &[(&str, &str)]) -> RawResponse {
    let (tenant, email, password) = demo_login(server);
    post(
        server,
        headers,
        SIGN_IN,
        json!({ "t": tenant, "e": email, "p": password }),
    )
    .await
}

/// The `berth_session` cookie's value in a `Set-Cookie` header.
fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("berth_session="))
        .unwrap_or_else(|| panic!("not the session cookie: {set_cookie}"))
}

/// The attributes of a `Set-Cookie` header, lower-cased, without the value.
fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn sign_in_sets_an_http_only_strict_cookie_that_authenticates_same_origin_requests() {
    let server = start_with_tenants(true, &["--cors-origin", "http://app.example"]);
    let own = format!("http://{}", server.addr);
    let (_, email, _) = demo_login(&server);
    let answer = sign_in(&server, &[("Origin", &own)]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let set = answer.headers_named("set-cookie");
    assert_eq!(set.len(), 1, "{answer:?}");
    let token = cookie_value(set[0]).to_owned();
    assert!(token.len() > 40, "{set:?}");
    let attrs = attributes(set[0]);
    for wanted in ["httponly", "samesite=strict", "path=/"] {
        assert!(attrs.iter().any(|a| a == wanted), "{wanted} in {set:?}");
    }
    assert!(!attrs.iter().any(|a| a == "secure"), "plain HTTP: {set:?}");
    let max_age: i64 = attrs
        .iter()
        .find_map(|a| a.strip_prefix("max-age="))
        .and_then(|v| v.parse().ok())
        .expect("a Max-Age");
    assert!(
        (43_199..=43_200).contains(&max_age),
        "the token's 12 h: {max_age}"
    );
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert!(
        !answer.body.contains(&token),
        "the token is in the body: {}",
        answer.body
    );
    let body = answer.json();
    assert_eq!(
        body["data"]["signIn"]["user"]["email"],
        email.as_str(),
        "{body}"
    );
    let expires: chrono::DateTime<chrono::Utc> = body["data"]["signIn"]["expiresAt"]
        .as_str()
        .expect("expiresAt")
        .parse()
        .expect("an instant");
    let left = (expires - chrono::Utc::now()).num_seconds();
    assert!(
        (max_age - 5..=max_age).contains(&left),
        "{left} s vs Max-Age {max_age}"
    );

    // The cookie authenticates same-origin requests (with the page's Origin, or
    // none, as on a same-origin GET or from a non-browser client).
    let cookie = format!("berth_session={token}");
    for headers in [
        vec![("Cookie", cookie.as_str()), ("Origin", own.as_str())],
        vec![("Cookie", cookie.as_str())],
        vec![
            ("Cookie", cookie.as_str()),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    ] {
        let me = post(&server, &headers, ME, json!({})).await;
        assert_eq!(me.status, 200, "{me:?}");
        assert_eq!(
            me.header("cache-control"),
            Some("private, no-store"),
            "{me:?}"
        );
        let me = me.json();
        assert_eq!(
            me["data"]["me"],
            json!({ "email": email, "tenant": { "slug": "alpine-cabins", "name": "Alpine Cabins",
                "timezone": "Europe/Zurich", "currency": "CHF", "locale": "de-CH", "model": "nightly" } }),
            "{headers:?}: {me}"
        );
    }
    // ...and nothing cross-origin: not from an origin CORS allows, not from a
    // request the browser marks cross-site.
    for headers in [
        vec![
            ("Cookie", cookie.as_str()),
            ("Origin", "http://app.example"),
        ],
        vec![
            ("Cookie", cookie.as_str()),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    ] {
        let me = post(&server, &headers, ME, json!({})).await;
        assert_eq!(me.status, 200, "{me:?}");
        assert_eq!(
            me.json()["errors"][0]["extensions"]["code"],
            "UNAUTHENTICATED",
            "{headers:?}: {me:?}"
        );
    }

    // Bearer tokens work as before, from any allowed origin, and win over a
    // cookie.
    let (tenant, email_again, password) = demo_login(&server);
    let login = post(
        &server,
        &[],
        "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
        json!({ "t": tenant, "e": email_again, "p": password }),
    )
    .await;
    assert!(
        login.headers_named("set-cookie").is_empty(),
        "login sets no cookie: {login:?}"
    );
    let bearer = format!(
        "Bearer {}",
        login.json()["data"]["login"]["token"]
            .as_str()
            .expect("token")
    );
    for origin in [own.as_str(), "http://app.example"] {
        let me = post(
            &server,
            &[("Authorization", &bearer), ("Origin", origin)],
            ME,
            json!({}),
        )
        .await;
        assert_eq!(me.json()["data"]["me"]["email"], email.as_str(), "{me:?}");
    }
    let me = post(
        &server,
        &[("Authorization", "Bearer forged"), ("Cookie", &cookie)],
        ME,
        json!({}),
    )
    .await;
    assert_eq!(
        me.json()["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED",
        "{me:?}"
    );

    // Signing out clears the cookie.
    let out = post(
        &server,
        &[("Cookie", &cookie), ("Origin", &own)],
        "mutation { signOut }",
        json!({}),
    )
    .await;
    assert_eq!(out.json()["data"]["signOut"], true, "{out:?}");
    let cleared = out.headers_named("set-cookie");
    assert_eq!(cleared.len(), 1, "{out:?}");
    assert_eq!(cookie_value(cleared[0]), "");
    assert!(
        attributes(cleared[0]).iter().any(|a| a == "max-age=0"),
        "{cleared:?}"
    );
    assert!(
        attributes(cleared[0]).iter().any(|a| a == "httponly"),
        "{cleared:?}"
    );
    server.stop();
}

#[tokio::test]
async fn requests_and_upgrades_from_foreign_origins_are_refused() {
    let server = start_with_tenants(true, &[]);
    let own = format!("http://{}", server.addr);
    let public = r#"{ tenant(slug: "alpine-cabins") { name } }"#;
    for origin in [
        "http://evil.example",
        "null",
        &format!("https://{}", server.addr),
    ] {
        let refused = post(&server, &[("Origin", origin)], public, json!({})).await;
        assert_eq!(refused.status, 403, "{origin}: {refused:?}");
        assert_eq!(
            refused.json()["errors"][0]["extensions"]["code"],
            "FORBIDDEN",
            "{refused:?}"
        );
        let get = super::transport::exchange_at(
            &server,
            "GET",
            "/graphql?query=%7B__typename%7D",
            &[("Origin", origin)],
            "",
        )
        .await;
        assert_eq!(get.status, 403, "{origin}: {get:?}");
        let mut request = ws_request(&server, "graphql-transport-ws");
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
        match tokio_tungstenite::connect_async(request).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "{origin}");
            }
            other => panic!("{origin}: expected a 403 handshake, got {other:?}"),
        }
    }
    // A signed-in attempt from a foreign origin is refused before it signs in.
    let refused = sign_in(&server, &[("Origin", "http://evil.example")]).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(refused.headers_named("set-cookie").is_empty());
    // The server's own origin passes.
    let ok = post(&server, &[("Origin", &own)], public, json!({})).await;
    assert_eq!(
        ok.json()["data"]["tenant"]["name"],
        "Alpine Cabins",
        "{ok:?}"
    );
    server.stop();
}

#[tokio::test]
async fn a_same_origin_websocket_is_signed_in_by_the_cookie() {
    let server = start_with_tenants(true, &[]);
    let own = format!("http://{}", server.addr);
    let (_, email, _) = demo_login(&server);
    let signed_in = sign_in(&server, &[("Origin", &own)]).await;
    let token = cookie_value(signed_in.headers_named("set-cookie")[0]).to_owned();
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let mut request = ws_request(&server, protocol);
        let headers = request.headers_mut();
        headers.insert("origin", own.parse().unwrap());
        headers.insert("cookie", format!("berth_session={token}").parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("upgrade");
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": {} }),
        )
        .await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");
        let start = if protocol == "graphql-ws" {
            "start"
        } else {
            "subscribe"
        };
        send(
            &mut socket,
            json!({ "id": "1", "type": start, "payload": { "query": "{ me { email } }" } }),
        )
        .await;
        let next = receive(&mut socket).await;
        assert_eq!(
            next["payload"]["data"]["me"]["email"],
            email.as_str(),
            "{protocol}: {next}"
        );
        socket.close(None).await.unwrap();
    }
    server.stop();
}

/// `token` (a session token berth issued) re-signed with `secret` after moving
/// its issue and expiry `hours` into the past: what a browser holds after the
/// session ended.
fn expired_copy(token: &str, secret: &str, hours: i64) -> String {
    let mut parts = token.split('.');
    let (header, claims) = (parts.next().unwrap(), parts.next().unwrap());
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    let shift = hours * 3600;
    for key in ["iat", "exp"] {
        claims[key] = json!(claims[key].as_i64().unwrap() - shift);
    }
    let signed = format!(
        "{header}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[tokio::test]
async fn an_expired_cookie_is_unauthenticated_and_public_fields_still_answer() {
    let secret = "an e2e signing secret of at least 32 characters";
    let (url, _) = super::temp_sqlite_url();
    let tenants = super::tenants_dir();
    let server = Server::start_with_env(
        &[
            "--database-url",
            &url,
            "--demo",
            "--tenants",
            tenants.to_str().unwrap(),
        ],
        &[("BERTH_JWT_SECRET", secret)],
    );
    let own = format!("http://{}", server.addr);
    let signed_in = sign_in(&server, &[("Origin", &own)]).await;
    let token = cookie_value(signed_in.headers_named("set-cookie")[0]).to_owned();
    // The copy is genuine: shifted by 0 hours it still authenticates.
    let same = format!("berth_session={}", expired_copy(&token, secret, 0));
    let me = post(&server, &[("Cookie", &same)], ME, json!({})).await;
    assert!(me.json()["data"]["me"]["email"].is_string(), "{me:?}");

    let expired = format!("berth_session={}", expired_copy(&token, secret, 13));
    let answer = post(
        &server,
        &[("Cookie", &expired), ("Origin", &own)],
        r#"{ tenant(slug: "alpine-cabins") { name } me { email } }"#,
        json!({}),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    // Over a WebSocket: the connection opens, `me` is UNAUTHENTICATED.
    let mut request = ws_request(&server, "graphql-transport-ws");
    request.headers_mut().insert("origin", own.parse().unwrap());
    request
        .headers_mut()
        .insert("cookie", expired.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade");
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
    )
    .await;
    let next = receive(&mut socket).await;
    assert_eq!(
        next["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{next}"
    );
    socket.send(Message::Close(None)).await.ok();
    server.stop();
}

#[tokio::test]
async fn behind_a_trusted_https_proxy_the_cookie_is_secure_and_the_origin_https() {
    let proxied = [
        ("Host", "book.example"),
        ("X-Forwarded-Proto", "https"),
        ("Origin", "https://book.example"),
    ];
    let server = start_with_tenants(true, &["--trusted-proxy", "127.0.0.1"]);
    let answer = sign_in(&server, &proxied).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let set = answer.headers_named("set-cookie");
    assert!(attributes(set[0]).iter().any(|a| a == "secure"), "{set:?}");
    // A page of the same host over plain HTTP is another origin.
    let downgraded = sign_in(
        &server,
        &[
            ("Host", "book.example"),
            ("X-Forwarded-Proto", "https"),
            ("Origin", "http://book.example"),
        ],
    )
    .await;
    assert_eq!(downgraded.status, 403, "{downgraded:?}");
    server.stop();

    // Without --trusted-proxy the header is not believed: the request is plain
    // HTTP, so the https page's Origin is foreign.
    let server = start_with_tenants(true, &[]);
    let untrusted = sign_in(&server, &proxied).await;
    assert_eq!(untrusted.status, 403, "{untrusted:?}");
    server.stop();
}

#[tokio::test]
async fn cookie_signed_in_requests_are_not_rate_limited() {
    let server = start_with_tenants(true, &["--public-rate-limit", "12"]);
    let own = format!("http://{}", server.addr);
    let signed_in = sign_in(&server, &[("Origin", &own)]).await;
    let cookie = format!(
        "berth_session={}",
        cookie_value(signed_in.headers_named("set-cookie")[0])
    );
    let public = r#"{ tenant(slug: "alpine-cabins") { name } }"#;
    let mut limited = false;
    for _ in 0..50 {
        if post(&server, &[], public, json!({})).await.status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "the public allowance is spent");
    let me = post(
        &server,
        &[("Cookie", &cookie), ("Origin", &own)],
        ME,
        json!({}),
    )
    .await;
    assert_eq!(me.status, 200, "{me:?}");
    assert!(me.json()["data"]["me"]["email"].is_string(), "{me:?}");
    // A cookie from a cross-site request is not honoured, so it is counted.
    let cross = post(
        &server,
        &[("Cookie", &cookie), ("Sec-Fetch-Site", "cross-site")],
        public,
        json!({}),
    )
    .await;
    assert_eq!(cross.status, 429, "{cross:?}");
    server.stop();
}
