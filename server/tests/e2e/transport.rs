//! End-to-end tests of the transport around GraphQL: the WebSocket endpoint in
//! both subprotocols (token in `connection_init`), CORS, and the per-address rate
//! limit on public requests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{Server, temp_sqlite_url, tenants_dir};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const TENANT_NAME_QUERY: &str = r#"{ tenant(slug: "alpine-cabins") { name } }"#;

/// Starts a server over the example tenants, with their demo data when `demo`.
pub(crate) fn start_with_tenants(demo: bool, extra: &[&str]) -> Server {
    let (url, _) = temp_sqlite_url();
    let tenants = tenants_dir();
    let mut args = vec![
        "--database-url",
        &url,
        "--tenants",
        tenants.to_str().unwrap(),
    ];
    if demo {
        args.push("--demo");
    }
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// Signs in as the first demo admin the server printed; returns the e-mail and
/// the session token.
pub(crate) async fn demo_admin_session(server: &Server) -> (String, String) {
    demo_admin_session_where(server, |_| true).await
}

/// Signs in as the first demo admin the server printed whose login line
/// passes `pick`; returns the e-mail and the session token.
pub(crate) async fn demo_admin_session_where(
    server: &Server,
    pick: impl Fn(&str) -> bool,
) -> (String, String) {
    let login = server
        .stdout_lines
        .iter()
        .find(|l| l.starts_with("demo login:") && pick(l))
        .expect("a demo login line");
    let field = |key: &str| {
        login
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_owned))
            .expect("key=value")
    };
    let (tenant, email, password) = (field("tenant"), field("email"), field("password"));
    let session = server
        .graphql(
            "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
            json!({ "t": tenant, "e": email, "p": password }),
        )
        .await;
    let token = session["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("a token in {session}"))
        .to_owned();
    (email, token)
}

/// Creates an API key with the session `token`; returns the key string.
async fn create_api_key(server: &Server, token: &str) -> String {
    let created = server
        .graphql_as(
            Some(token),
            r#"mutation { createApiKey(name: "channel manager", role: VIEWER) { key } }"#,
            json!({}),
        )
        .await;
    created["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap_or_else(|| panic!("a key in {created}"))
        .to_owned()
}

/// Opens `/graphql/ws` asking for `subprotocol`, which the server must accept.
pub(crate) async fn open_socket(server: &Server, subprotocol: &str) -> Socket {
    let (socket, response) = tokio_tungstenite::connect_async(ws_request(server, subprotocol))
        .await
        .expect("WebSocket handshake");
    assert_eq!(response.headers()["sec-websocket-protocol"], subprotocol);
    socket
}

pub(crate) fn ws_request(
    server: &Server,
    subprotocol: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{}/graphql/ws", server.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", subprotocol.parse().unwrap());
    request
}

pub(crate) async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
}

/// The next frame that is not a ping, pong or keep-alive.
async fn next_frame(socket: &mut Socket) -> Message {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a readable frame");
        match &frame {
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Text(text) if text.as_str().contains(r#""type":"ka""#) => continue,
            _ => return frame,
        }
    }
}

/// The next protocol message, as JSON.
pub(crate) async fn receive(socket: &mut Socket) -> Value {
    match next_frame(socket).await {
        Message::Text(text) => serde_json::from_str(text.as_str()).expect("a JSON message"),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// Expects the server to close the socket; returns the close code.
pub(crate) async fn close_code(socket: &mut Socket) -> u16 {
    match next_frame(socket).await {
        Message::Close(Some(frame)) => u16::from(frame.code),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn graphql_transport_ws_signs_in_with_the_token_from_connection_init() {
    let server = start_with_tenants(true, &[]);
    let (email, token) = demo_admin_session(&server).await;
    for payload in [
        json!({ "authorization": format!("Bearer {token}") }),
        json!({ "Authorization": format!("Bearer {token}") }),
        json!({ "token": token }),
    ] {
        let mut socket = open_socket(&server, "graphql-transport-ws").await;
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": payload }),
        )
        .await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");
        send(
            &mut socket,
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
        )
        .await;
        let next = receive(&mut socket).await;
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(next["id"], "1");
        assert_eq!(
            next["payload"]["data"]["me"]["email"],
            email.as_str(),
            "{payload}: {next}"
        );
        let complete = receive(&mut socket).await;
        assert_eq!(complete, json!({ "id": "1", "type": "complete" }));
        socket.close(None).await.unwrap();
    }

    // An API key is accepted like a session token; a forged one is not.
    let key = create_api_key(&server, &token).await;
    let mut socket = open_socket(&server, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {key}") } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    // Same shape, one secret digit changed: only the stored hash can tell.
    let last = if key.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &key[..key.len() - 1]);
    let mut socket = open_socket(&server, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": forged } }),
    )
    .await;
    assert_eq!(close_code(&mut socket).await, 4403);

    // Without a token the connection is anonymous: public fields work, `me` does not.
    let mut socket = open_socket(&server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "a", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
    )
    .await;
    let next = receive(&mut socket).await;
    assert_eq!(
        next["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{next}"
    );
    assert_eq!(receive(&mut socket).await["type"], "complete");
    send(
        &mut socket,
        json!({ "id": "b", "type": "subscribe", "payload": { "query": TENANT_NAME_QUERY } }),
    )
    .await;
    let next = receive(&mut socket).await;
    assert_eq!(
        next["payload"]["data"]["tenant"]["name"], "Alpine Cabins",
        "{next}"
    );
    server.stop();
}

#[tokio::test]
async fn a_bad_token_in_connection_init_is_refused() {
    let (url, _) = temp_sqlite_url();
    let server = Server::start(&["--database-url", &url]);
    for payload in [
        json!({ "token": "not-a-token" }),
        json!({ "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" }),
    ] {
        let mut socket = open_socket(&server, "graphql-transport-ws").await;
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": payload }),
        )
        .await;
        assert_eq!(close_code(&mut socket).await, 4403, "{payload}");
    }

    // The legacy protocol has no close codes for this; it answers connection_error.
    let mut socket = open_socket(&server, "graphql-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": "not-a-token" } }),
    )
    .await;
    let refused = receive(&mut socket).await;
    assert_eq!(refused["type"], "connection_error", "{refused}");
    server.stop();
}

/// graphql-transport-ws: a socket that sends no `connection_init` in time is
/// closed with 4408; one that did stays open past the deadline.
#[tokio::test]
async fn a_silent_socket_is_closed_after_the_init_timeout() {
    let (url, _) = temp_sqlite_url();
    let server = Server::start(&["--database-url", &url, "--ws-init-timeout", "1"]);
    let mut greeted = open_socket(&server, "graphql-transport-ws").await;
    let mut silent = open_socket(&server, "graphql-transport-ws").await;
    send(&mut greeted, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut greeted).await["type"], "connection_ack");
    assert_eq!(close_code(&mut silent).await, 4408);
    // The silent one is closed, so the deadline has passed for the greeted one
    // too (opened before it): it still answers.
    send(
        &mut greeted,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": TENANT_NAME_QUERY } }),
    )
    .await;
    assert_eq!(receive(&mut greeted).await["type"], "next");
    server.stop();
}

/// The server pings every client; one that answers (tungstenite answers a
/// Ping whenever the socket is read) stays connected past several intervals,
/// one that reads nothing — so answers nothing — is disconnected.
#[tokio::test]
async fn clients_are_pinged_and_a_silent_one_is_disconnected() {
    let (url, _) = temp_sqlite_url();
    let server = Server::start(&["--database-url", &url, "--ws-keepalive", "1"]);
    let mut answering = open_socket(&server, "graphql-transport-ws").await;
    let mut silent = open_socket(&server, "graphql-transport-ws").await;
    for socket in [&mut answering, &mut silent] {
        send(socket, json!({ "type": "connection_init" })).await;
        assert_eq!(receive(socket).await["type"], "connection_ack");
    }
    // Read for a little over three intervals: every read answers the pings.
    let mut pings = 0;
    let until = tokio::time::Instant::now() + Duration::from_millis(3_500);
    while let Ok(frame) = tokio::time::timeout_at(until, answering.next()).await {
        match frame.expect("the socket stays open").expect("a frame") {
            Message::Ping(_) => pings += 1,
            other => panic!("only pings were due, got {other:?}"),
        }
    }
    assert!(pings >= 2, "{pings} pings in 3.5 s at one per second");
    send(
        &mut answering,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": TENANT_NAME_QUERY } }),
    )
    .await;
    assert_eq!(receive(&mut answering).await["type"], "next");
    // The silent socket was not read in those 3.5 s: its first ping went
    // unanswered, so the server has hung up. Reading now drains the pings it
    // was sent, then finds the connection closed.
    let mut closed = false;
    while let Ok(frame) = tokio::time::timeout(Duration::from_secs(5), silent.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => continue,
            Some(Ok(Message::Close(_)) | Err(_)) | None => {
                closed = true;
                break;
            }
            Some(Ok(other)) => panic!("expected pings and the end, got {other:?}"),
        }
    }
    assert!(closed, "the silent client is disconnected");
    server.stop();
}

#[tokio::test]
async fn the_legacy_graphql_ws_subprotocol_serves_public_queries() {
    let server = start_with_tenants(false, &[]);
    let mut socket = open_socket(&server, "graphql-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "7", "type": "start", "payload": { "query": TENANT_NAME_QUERY } }),
    )
    .await;
    let data = receive(&mut socket).await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["id"], "7");
    assert_eq!(data["payload"]["data"]["tenant"]["name"], "Alpine Cabins");
    assert_eq!(
        receive(&mut socket).await,
        json!({ "id": "7", "type": "complete" })
    );
    server.stop();
}

/// One HTTP response, read raw off the socket.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    /// Header names lower-cased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl RawResponse {
    /// The first header called `name` (lower-case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header called `name` (lower-case).
    pub(crate) fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The JSON document in the body (chunked or not: its outermost braces).
    pub(crate) fn json(&self) -> Value {
        let body = &self.body;
        let json = &body[body.find('{').expect("json")..=body.rfind('}').expect("json")];
        serde_json::from_str(json).expect("json body")
    }
}

/// Sends `method /graphql` with `headers` and `body` and reads the whole answer.
pub(crate) async fn exchange(
    server: &Server,
    method: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    exchange_at(server, method, "/graphql", headers, body).await
}

/// Sends `method path` with `headers` (a `Host` header among them replaces the
/// server's address) and `body` and reads the whole answer.
pub(crate) async fn exchange_at(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let mut stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connect");
    let host = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map_or(server.addr.as_str(), |(_, v)| *v);
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
    {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").expect("a response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn preflight(server: &Server, origin: &str) -> RawResponse {
    exchange(
        server,
        "OPTIONS",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,authorization",
            ),
        ],
        "",
    )
    .await
}

async fn public_query(server: &Server, extra_headers: &[(&str, &str)]) -> RawResponse {
    let body = json!({ "query": TENANT_NAME_QUERY }).to_string();
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend_from_slice(extra_headers);
    exchange(server, "POST", &headers, &body).await
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let server = start_with_tenants(false, &["--cors-origin", "http://app.example"]);
    let allowed = preflight(&server, "http://app.example").await;
    assert!(allowed.status < 300, "{allowed:?}");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://app.example"),
        "{allowed:?}"
    );
    let methods = allowed
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );
    assert_eq!(allowed.header("access-control-max-age"), Some("3600"));
    assert_eq!(allowed.header("access-control-allow-credentials"), None);

    let other = preflight(&server, "http://evil.example").await;
    assert_eq!(
        other.header("access-control-allow-origin"),
        None,
        "{other:?}"
    );
    // The actual request carries the header too.
    let answer = public_query(&server, &[("Origin", "http://app.example")]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://app.example")
    );
    assert_eq!(answer.json()["data"]["tenant"]["name"], "Alpine Cabins");
    server.stop();

    // By default there are no CORS headers at all: same-origin only.
    let (url, _) = temp_sqlite_url();
    let server = Server::start(&["--database-url", &url]);
    let refused = preflight(&server, "http://app.example").await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    server.stop();

    // The environment takes a comma-separated list.
    let (url, _) = temp_sqlite_url();
    let server = Server::start_with_env(
        &["--database-url", &url],
        &[(
            "BERTH_CORS_ORIGINS",
            "http://one.example, https://two.example:8443",
        )],
    );
    let two = preflight(&server, "https://two.example:8443").await;
    assert_eq!(
        two.header("access-control-allow-origin"),
        Some("https://two.example:8443")
    );
    server.stop();
}

#[tokio::test]
async fn public_requests_are_rate_limited_per_address_and_signed_in_ones_are_not() {
    // 12 a minute: a burst of 10, then one every 5 s.
    let server = start_with_tenants(true, &["--public-rate-limit", "12"]);
    let (email, token) = demo_admin_session(&server).await;
    // Sockets opened before the allowance is spent (each upgrade counts once).
    let mut anonymous = open_socket(&server, "graphql-transport-ws").await;
    send(&mut anonymous, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut anonymous).await["type"], "connection_ack");
    let mut signed_in = open_socket(&server, "graphql-transport-ws").await;
    send(
        &mut signed_in,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(receive(&mut signed_in).await["type"], "connection_ack");

    let mut refused = None;
    for n in 1..=50 {
        let response = public_query(&server, &[]).await;
        if response.status == 429 {
            refused = Some((n, response));
            break;
        }
        assert_eq!(response.status, 200, "{response:?}");
    }
    let (n, refused) = refused.expect("a 429 within 50 public requests");
    assert!(n <= 12, "refused only after {n} requests");
    let retry_after: u64 = refused
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a numeric Retry-After");
    assert!((1..=5).contains(&retry_after), "{retry_after}");
    let body = refused.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["message"],
        format!("too many requests from this address; retry in {retry_after} s")
    );

    // A made-up token does not exempt a request; a real one or an API key does.
    let forged = public_query(&server, &[("Authorization", "Bearer forged")]).await;
    assert_eq!(forged.status, 429);
    let key = create_api_key(&server, &token).await;
    let bearer_key = format!("Bearer {key}");
    let with_key = public_query(&server, &[("Authorization", &bearer_key)]).await;
    assert_eq!(with_key.status, 200, "{with_key:?}");
    let me = server
        .graphql_as(Some(&token), "{ me { email } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["email"], email.as_str(), "{me}");

    // Over an anonymous socket each operation counts; over a signed-in one, none.
    send(
        &mut anonymous,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": TENANT_NAME_QUERY } }),
    )
    .await;
    let next = receive(&mut anonymous).await;
    assert_eq!(
        next["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{next}"
    );
    assert_eq!(receive(&mut anonymous).await["type"], "complete");
    send(
        &mut signed_in,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
    )
    .await;
    let next = receive(&mut signed_in).await;
    assert_eq!(
        next["payload"]["data"]["me"]["email"],
        email.as_str(),
        "{next}"
    );

    // The WebSocket upgrade counts as a public request too.
    match tokio_tungstenite::connect_async(ws_request(&server, "graphql-transport-ws")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
        }
        other => panic!("expected a 429 handshake, got {other:?}"),
    }
    server.stop();
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_codes_and_every_answer_a_request_id() {
    let server = start_with_tenants(false, &[]);
    let json = [("Content-Type", "application/json")];
    let malformed = exchange(&server, "POST", &json, "{ not json").await;
    assert_eq!(malformed.status, 400, "{}", malformed.body);
    assert_eq!(
        malformed.json()["errors"][0]["extensions"]["code"],
        "INVALID_INPUT"
    );

    // Over the 256 KiB limit: written from another task, since the server may
    // answer before it has read everything.
    let query = format!(
        r#"{{"query":"{{ __typename }}","pad":"{}"}}"#,
        "x".repeat(300 * 1024)
    );
    let stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{query}",
        server.addr,
        query.len()
    );
    let send = tokio::spawn(async move {
        let _ = writer.write_all(request.as_bytes()).await;
        writer
    });
    let mut response = Vec::new();
    let _ = reader.read_to_end(&mut response).await;
    drop(send.await);
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("INVALID_INPUT"), "{response}");
    // The same without a declared length (chunked): cut off at the limit.
    let stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{query}\r\n0\r\n\r\n",
        server.addr,
        query.len()
    );
    let send = tokio::spawn(async move {
        let _ = writer.write_all(request.as_bytes()).await;
        writer
    });
    let mut response = Vec::new();
    let _ = reader.read_to_end(&mut response).await;
    drop(send.await);
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "chunked: {response}");

    // Request ids: made up when absent, kept when the caller sends one.
    let plain = public_query(&server, &[]).await;
    assert!(
        plain
            .header("x-request-id")
            .is_some_and(|id| id.len() >= 32),
        "{:?}",
        plain.headers
    );
    let traced = public_query(&server, &[("x-request-id", "trace-me-42")]).await;
    assert_eq!(traced.header("x-request-id"), Some("trace-me-42"));
    server.stop();
}

/// The audit log names the request that wrote each entry: the `x-request-id` of
/// an HTTP request, and `<upgrade id>/<n>` for the n-th operation of a socket.
#[tokio::test]
async fn audit_entries_name_the_request_that_wrote_them() {
    let server = start_with_tenants(true, &[]);
    let (_, token) = demo_admin_session(&server).await;
    let bearer = format!("Bearer {token}");
    let body =
        json!({ "query": r#"mutation { createClient(input: { name: "Over HTTP" }) { id } }"# })
            .to_string();
    let created = exchange(
        &server,
        "POST",
        &[
            ("content-type", "application/json"),
            ("authorization", &bearer),
            ("x-request-id", "audit-e2e-42"),
        ],
        &body,
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let over_http = created.json()["data"]["createClient"]["id"].clone();

    let mut socket = open_socket(&server, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    for id in ["1", "2"] {
        send(
            &mut socket,
            json!({ "id": id, "type": "subscribe", "payload": {
                "query": r#"mutation { createClient(input: { name: "Over a socket" }) { id } }"# } }),
        )
        .await;
        assert_eq!(receive(&mut socket).await["type"], "next");
        assert_eq!(receive(&mut socket).await["type"], "complete");
    }
    socket.close(None).await.unwrap();

    let log = server
        .graphql_as(
            Some(&token),
            r#"{ auditLog(filter: { entityType: "client", action: "create" }, first: 3) {
                 edges { node { entityId requestId actor } } } }"#,
            json!({}),
        )
        .await;
    let edges = log["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"));
    let ids: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["requestId"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(ids.len(), 3, "{log}");
    assert_eq!(edges[2]["node"]["entityId"], over_http);
    assert_eq!(ids[2], "audit-e2e-42");
    let socket_id = ids[1]
        .strip_suffix("/1")
        .unwrap_or_else(|| panic!("{ids:?}"));
    assert!(socket_id.len() >= 32, "{ids:?}");
    assert_eq!(ids[0], format!("{socket_id}/2"));
    server.stop();
}
