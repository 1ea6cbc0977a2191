//! The HTTP server: the router (`/graphql`, `/graphql/ws`, `/admin/…`,
//! `/ical/…`, `/media/…`, `/healthz`, `/readyz`, `/metrics`, and the public
//! site's `/{tenant}/…`, `/robots.txt`, `/assets/…` from `site/`), its middleware (request
//! tracing and metrics, CORS, the Origin check, the public rate limit), and
//! the state its handlers share (`serve.rs` builds it and runs the server).
//! This module stays transport only: GraphQL itself lives in
//! berth-graphql, which reads the token this module hands it;
//! `graphql_http.rs` holds the GraphQL-over-HTTP rules (media types, status
//! codes, GET), `browser.rs` the session cookie and the Origin check, `web.rs`
//! the admin app and GraphiQL.
//!
//! A request's credential is its `Authorization: Bearer` token (integrators,
//! scripts), or else the `berth_session` cookie that `signIn` set (the admin
//! app), honoured only on same-origin requests; any `/graphql` request or
//! WebSocket upgrade from a foreign `Origin` (neither this server's nor one of
//! `--cors-origin`) is refused with 403. CORS never allows credentials, so a
//! cookie is never sent or honoured cross-origin.
//!
//! WebSocket clients send their token in the `connection_init` payload (browsers
//! cannot set headers on a WebSocket); a token that does not verify closes the
//! socket with 4403 Forbidden, as the graphql-transport-ws protocol asks. A
//! `connection_init` without a token is authenticated by the upgrade request's
//! session cookie, when it had one.

pub mod browser;
pub mod client_address;
pub mod graphql_http;
pub mod ical;
pub mod media;
pub mod rate_limit;
pub mod routes;
pub mod security_headers;
pub mod site;
pub mod web;
mod ws_direct;
pub mod ws_keepalive;

use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, ErrorExtensions, Executor, Pos, Response as GqlResponse};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use berth_core::ErrorCode;
use berth_core::audit::Actor;
use berth_core::clock::Clock;
use berth_core::ids::TenantId;
use berth_core::lock::SessionId;
use berth_core::request;
use berth_core::store::Store;
use berth_core::store::StoreError;
use berth_graphql::access::authenticate;
use berth_graphql::auth::{Auth, BearerToken, ConnectionSession, SessionCookie, Viewer};
use berth_graphql::viewer_cache::ViewerCache;
use berth_policy::registry::PolicyRegistry;
use futures_util::{FutureExt, SinkExt, StreamExt};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use self::browser::{Cidr, Credential, Reached};
use self::client_address::ClientAddress;
use self::graphql_http::{self as gql_http, MediaType, Refusal};
use self::rate_limit::{AddressBudget, Decision, RateLimiter};
use self::web::WebDir;
use self::ws_keepalive::Heard;

/// What request handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The live tenant policies.
    pub registry: Arc<PolicyRegistry>,
    /// The GraphQL schema (over the engine).
    pub schema: berth_graphql::BerthSchema,
    /// The schema's subscriptions rendered once for many WebSocket
    /// subscribers (decision 0179).
    pub fan_out: Arc<berth_graphql::fan_out::FanOut>,
    /// The engine, for what is served outside GraphQL (iCalendar feeds).
    pub engine: berth_core::Engine,
    /// Renders the Prometheus metrics.
    pub metrics: PrometheusHandle,
    /// Verifies bearer tokens where the transport must decide on its own (the
    /// WebSocket's `connection_init`, the rate limit's exemption).
    pub auth: Auth,
    /// The engine's clock, so token expiry and the rate limit agree with GraphQL.
    pub clock: Arc<dyn Clock>,
    /// The limit on public requests per client address; `None` when turned off.
    pub public_limit: Option<Arc<RateLimiter>>,
    /// The origins allowed to call from a browser (CORS and the Origin check);
    /// empty for none but the server's own.
    pub cors_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-Proto` and `X-Forwarded-Host` are believed.
    pub trusted_proxies: Vec<Cidr>,
    /// The web build: the admin app and GraphiQL.
    pub web_dir: WebDir,
    /// Turns true when the server stops: open WebSocket connections end then.
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// How long a WebSocket may stay silent before its `connection_init`.
    pub ws_init_timeout: Duration,
    /// How often WebSocket clients are pinged (`None`: never); one that answers
    /// nothing for a whole interval is disconnected.
    pub ws_keepalive: Option<Duration>,
    /// The public site: own domains and the booking requests' limit.
    pub site: crate::http::site::Site,
}

impl AppState {
    /// Whether `token` authenticates: a session token unexpired by the engine's
    /// clock, or an API key that exists, matches its stored hash and is not
    /// revoked. These are the checks `berth_graphql::access::viewer` makes before
    /// serving a signed-in field; the transport repeats them where it must decide
    /// before GraphQL runs (the WebSocket handshake, the rate limit's exemption).
    async fn bearer_verifies(&self, token: &str) -> Result<Option<Viewer>, StoreError> {
        authenticate(&*self.store, &self.auth, self.clock.now(), token).await
    }

    /// [`Self::bearer_verifies`] for a decision about counting: whether the
    /// request is signed in (a token that cannot be checked, the database being
    /// unreachable, counts as public), and the check's answer for GraphQL to
    /// reuse (`None` when there was no token or no answer).
    async fn signed_in(&self, token: Option<&str>) -> (bool, Option<Verified>) {
        let Some(token) = token else {
            return (false, None);
        };
        match self.bearer_verifies(token).await {
            Ok(viewer) => (viewer.is_some(), Some(Verified(viewer))),
            Err(e) => {
                tracing::warn!(error = ?e, "cannot check a bearer token; counting the request as public");
                (false, None)
            }
        }
    }
}

/// The router with every route of the table (`routes.rs`) and the
/// middleware; fails only on a CORS origin that is not a valid header value.
pub fn router(state: AppState) -> anyhow::Result<Router> {
    let cors = cors_layer(&state.cors_origins)?;
    // The address every limit counts by (the TCP peer, or the client a
    // trusted proxy reports), found once before any route's layers.
    let router = routes::router(&state).layer(middleware::from_fn_with_state(
        state.clone(),
        client_address::resolve,
    ));
    // CORS sits outside the rate limit and metrics: a preflight is answered
    // before it reaches either, and every response gets its headers.
    let router = router
        .layer(middleware::from_fn(record_metrics))
        // Every request gets an id (or keeps the caller's `x-request-id`), echoed
        // in the response; the request's span carries it, so an internal error
        // logged while serving it names the request.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // A business's own domain is rewritten to its tenant's paths before
    // routing (site/hosts.rs), so the layer wraps the whole router; the
    // security headers wrap everything, so that no answer goes without them
    // (a 404 of no route, a CORS preflight, a refusal of any layer).
    let own_domains = middleware::from_fn_with_state(state.clone(), crate::http::site::own_domains);
    let headers = middleware::from_fn_with_state(
        security_headers::SecurityHeaders::new(state.trusted_proxies.clone()),
        security_headers::add_headers,
    );
    Ok(Router::new()
        .fallback_service(router.with_state(state))
        .layer(own_domains)
        .layer(headers))
}

/// The tracing span of one request: method, route path and request id.
fn request_span(request: &Request) -> tracing::Span {
    let id = request_id(request.headers());
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id
    )
}

/// The largest GraphQL request body (or WebSocket message) accepted; a larger body
/// gets 413, a larger message closes the socket.
const MAX_GRAPHQL_BODY_BYTES: usize = 256 * 1024;

/// How long a browser may cache a CORS preflight answer.
const CORS_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The CORS layer for `origins` (`*` among them: any origin; empty ones are
/// ignored), or `None` when there are none and only same-origin pages may call.
/// Credentials are never allowed: other origins send the token in the
/// `Authorization` header; the session cookie is for same-origin pages only.
fn cors_layer(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    let origins: Vec<&String> = origins.iter().filter(|o| !o.is_empty()).collect();
    if origins.is_empty() {
        return Ok(None);
    }
    let allow_origin = if origins.iter().any(|o| *o == "*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|o| {
                HeaderValue::from_str(o).with_context(|| format!("CORS origin `{o}` is invalid"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(values)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .max_age(CORS_MAX_AGE),
    ))
}

/// `POST /graphql`: a GraphQL request as the GraphQL-over-HTTP specification
/// has it (see `graphql_http.rs`).
async fn graphql_post(
    State(state): State<AppState>,
    credential: Option<Extension<Credential>>,
    reached: Option<Extension<Reached>>,
    verified: Option<Extension<Verified>>,
    payer: Option<Extension<PublicCaller>>,
    request: Request,
) -> Response {
    let Some(media) = gql_http::negotiate(request.headers()) else {
        return gql_http::not_acceptable();
    };
    if let Err(refusal) = gql_http::check_content_type(request.headers()) {
        return refusal.into_response(Some(media));
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_GRAPHQL_BODY_BYTES).await {
        Ok(body) => body,
        Err(e) if exceeds_limit(&e) => return too_large(media),
        Err(e) => {
            return Refusal::bad_request(format!("the body could not be read: {e}"))
                .into_response(Some(media));
        }
    };
    match gql_http::request_from_body(&body) {
        Ok(graphql) => {
            let call = Call::new(credential, reached, verified, payer);
            execute(&state, &parts.headers, call, graphql, media).await
        }
        Err(refusal) => refusal.into_response(Some(media)),
    }
}

/// `GET /graphql`: GraphiQL for a browser asking for a page without a `query`
/// parameter; otherwise a query from the URL's parameters (never a mutation).
async fn graphql_get(
    State(state): State<AppState>,
    credential: Option<Extension<Credential>>,
    reached: Option<Extension<Reached>>,
    verified: Option<Extension<Verified>>,
    payer: Option<Extension<PublicCaller>>,
    request: Request,
) -> Response {
    let parsed = gql_http::request_from_query(request.uri().query());
    if matches!(parsed, Ok(None)) && gql_http::wants_html(request.headers()) {
        return web::graphiql(&state, request).await;
    }
    let Some(media) = gql_http::negotiate(request.headers()) else {
        return gql_http::not_acceptable();
    };
    let mut graphql = match parsed {
        Ok(Some(graphql)) => graphql,
        Ok(None) => {
            return Refusal::bad_request(
                "the request has no `query` parameter (GraphiQL is served to browsers asking for text/html)",
            )
            .into_response(Some(media));
        }
        Err(refusal) => return refusal.into_response(Some(media)),
    };
    if let Err(refusal) = gql_http::refuse_mutation_over_get(&mut graphql) {
        return refusal.into_response(Some(media));
    }
    let call = Call::new(credential, reached, verified, payer);
    execute(&state, request.headers(), call, graphql, media).await
}

/// What the transport knows of one HTTP request when it executes it.
struct Call {
    credential: Option<Credential>,
    https: bool,
    verified: Option<Verified>,
    payer: Option<PublicCaller>,
}

impl Call {
    fn new(
        credential: Option<Extension<Credential>>,
        reached: Option<Extension<Reached>>,
        verified: Option<Extension<Verified>>,
        payer: Option<Extension<PublicCaller>>,
    ) -> Self {
        Self {
            credential: credential.map(|Extension(c)| c),
            https: reached.is_some_and(|Extension(r)| r.https),
            verified: verified.map(|Extension(v)| v),
            payer: payer.map(|Extension(p)| p),
        }
    }
}

/// A request the public limit counted (no valid credential): GraphQL charges
/// the rest of its cost to the same address (`berth_graphql::cost`).
#[derive(Clone)]
struct PublicCaller {
    limiter: Arc<RateLimiter>,
    addr: IpAddr,
}

impl PublicCaller {
    /// The request's budget, for GraphQL's data.
    fn budget(&self) -> berth_graphql::cost::Budget {
        berth_graphql::cost::Budget(Arc::new(AddressBudget {
            limiter: self.limiter.clone(),
            addr: self.addr,
        }))
    }
}

/// The seconds to wait from a response GraphQL refused for the address's
/// budget (a RATE_LIMITED error with `retryAfter`), if it is one.
fn refused_for_cost(response: &GqlResponse) -> Option<u64> {
    response.errors.iter().find_map(|error| {
        let extensions = error.extensions.as_ref()?;
        let is_rate_limited = matches!(
            extensions.get("code"),
            Some(async_graphql::Value::String(code)) if code == ErrorCode::RateLimited.as_str()
        );
        match extensions.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) if is_rate_limited => n.as_u64(),
            _ => None,
        }
    })
}

/// Executes `graphql` with the request's credential (and the rate limit's check
/// of it, so that GraphQL does not repeat it) and a cookie slot for `signIn`
/// and `signOut`; answers in `media`, with the cookie they asked for.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    call: Call,
    mut graphql: async_graphql::Request,
    media: MediaType,
) -> Response {
    let signed = call.credential.is_some();
    if let Some(credential) = call.credential {
        graphql = graphql.data(BearerToken(credential.token));
        if let Some(Verified(viewer)) = call.verified {
            graphql = graphql.data(ViewerCache::verified(viewer));
        }
    }
    if let Some(payer) = &call.payer {
        graphql = graphql.data(payer.budget());
    }
    let cookie = SessionCookie::default();
    graphql = graphql.data(cookie.clone());
    // Audit entries written while serving it name the request.
    let response = request::scope(
        request_id(headers).to_owned(),
        state.schema.execute(graphql),
    )
    .await;
    let refused = refused_for_cost(&response);
    let mut answer = gql_http::graphql_response(response, media);
    if let Some(retry_after_secs) = refused {
        // Refused before running for the address's budget: the same answer
        // as the transport's own refusal (429, Retry-After).
        tracing::debug!(
            retry_after_secs,
            "public request refused by the rate limit for its cost"
        );
        *answer.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    }
    let headers = answer.headers_mut();
    // The answer depends on the media type asked for; one given to a
    // credential is that caller's alone (a GET query could otherwise be kept by
    // a shared cache).
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    if signed {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if let Some(change) = cookie.take()
        && let Some(value) = browser::set_cookie(&change, call.https, state.clock.now())
    {
        let headers = answer.headers_mut();
        headers.append(header::SET_COOKIE, value);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    answer
}

/// Whether reading a body failed on the size limit ([`limit_body`]'s or
/// `to_bytes`'s).
fn exceeds_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    error.to_string().contains("length limit")
}

/// The request's id, set by `SetRequestIdLayer` (or the caller's own).
fn request_id(headers: &HeaderMap) -> &str {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
}

/// Holds request bodies to [`MAX_GRAPHQL_BODY_BYTES`]: a declared larger length
/// is refused at once; a chunked body is cut off when it grows past the limit
/// (and then refused by [`graphql_post`]).
async fn limit_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_GRAPHQL_BODY_BYTES) {
        return too_large(gql_http::negotiate(request.headers()).unwrap_or(MediaType::Json));
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, MAX_GRAPHQL_BODY_BYTES));
    next.run(Request::from_parts(parts, body)).await
}

/// 413 with a GraphQL-shaped INVALID_INPUT error.
fn too_large(media: MediaType) -> Response {
    let message = format!(
        "the request body is larger than {} KiB",
        MAX_GRAPHQL_BODY_BYTES / 1024
    );
    gql_http::error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        media,
        ErrorCode::InvalidInput,
        &message,
    )
}

/// GraphQL over WebSocket, in the graphql-transport-ws protocol or the legacy
/// graphql-ws one (the client picks with `Sec-WebSocket-Protocol`). The token
/// comes from the `connection_init` payload (see [`connection_token`]), or else
/// from the upgrade's session cookie (same-origin only: `browser::guard`).
async fn graphql_ws(
    State(state): State<AppState>,
    peer: Option<Extension<ClientAddress>>,
    credential: Option<Extension<Credential>>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let cookie = credential
        .map(|Extension(c)| c)
        .filter(|c| c.from_cookie)
        .map(|c| c.token);
    let executor = SocketExecutor {
        state,
        peer: peer.map(|Extension(ClientAddress(addr))| addr),
        cookie,
        token: Arc::new(OnceLock::new()),
        request_id: Arc::from(request_id(&headers)),
        operations: Arc::new(AtomicU64::new(0)),
    };
    let direct = ws_direct::transport_ws(&headers).then(|| Arc::new(ws_direct::Direct::default()));
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(MAX_GRAPHQL_BODY_BYTES)
        .max_frame_size(MAX_GRAPHQL_BODY_BYTES)
        // Subscribers mostly receive; a small read buffer (instead of 128 KiB,
        // zeroed on every wake-up) cut lock-event p99 at 1,000 subscribers from
        // 26.7 to 19.1 ms and idle memory per connection from 127 to 9.5 KiB;
        // 1 KiB rather than 4 took 3.4 KiB more off each subscribed connection
        // (BENCHMARKS.md). A larger message is read in more calls.
        .read_buffer_size(1024)
        .on_upgrade(move |socket| serve_graphql_socket(socket, executor, protocol, direct))
}

/// How many messages a WebSocket connection may hold unwritten. Subscribers of
/// a shared field are written to without waiting (`ws_direct.rs`): one that
/// falls this far behind is ended with an error and subscribes again. Memory
/// is taken only as messages wait.
const SOCKET_OUTBOX: usize = 256;

/// Runs one GraphQL WebSocket connection until either side closes it.
async fn serve_graphql_socket(
    socket: WebSocket,
    executor: SocketExecutor,
    protocol: GraphQLProtocol,
    direct: Option<Arc<ws_direct::Direct>>,
) {
    // async-graphql closes a refused graphql-transport-ws handshake with 1002;
    // the protocol asks for 4403 Forbidden when the refusal is about the
    // credentials, so the close frame is rewritten on its way out.
    let forbidden = Arc::new(AtomicBool::new(false));
    // graphql-transport-ws: a client that sends no `connection_init` in time is
    // closed with 4408. The deadline feeds the connection a message that is not
    // one of the protocol's, which async-graphql answers with 1002, rewritten
    // here like the refused credentials above.
    let initialised = Arc::new(AtomicBool::new(false));
    let timed_out = Arc::new(AtomicBool::new(false));
    let (sink, stream) = socket.split();
    // Every frame from the client (a Pong included) counts as a sign of life
    // for the keep-alive (ws_keepalive.rs).
    let heard = Heard::new();
    let stream = stream.inspect({
        let heard = heard.clone();
        move |_| heard.mark()
    });
    let sink = sink.with({
        let (forbidden, timed_out) = (forbidden.clone(), timed_out.clone());
        move |message: Message| {
            let message = match message {
                Message::Close(Some(frame))
                    if frame.code == CLOSE_PROTOCOL_ERROR && forbidden.load(Ordering::SeqCst) =>
                {
                    Message::Close(Some(CloseFrame {
                        code: CLOSE_FORBIDDEN,
                        reason: "Forbidden".into(),
                    }))
                }
                Message::Close(Some(frame))
                    if frame.code == CLOSE_PROTOCOL_ERROR && timed_out.load(Ordering::SeqCst) =>
                {
                    Message::Close(Some(CloseFrame {
                        code: CLOSE_INIT_TIMEOUT,
                        reason: "Connection initialisation timeout".into(),
                    }))
                }
                other => other,
            };
            futures_util::future::ready(Ok::<_, axum::Error>(message))
        }
    });
    let deadline = {
        let (initialised, timed_out) = (initialised.clone(), timed_out.clone());
        let wait = executor.state.ws_init_timeout;
        futures_util::stream::once(async move {
            tokio::time::sleep(wait).await;
            if initialised.load(Ordering::SeqCst) {
                None
            } else {
                timed_out.store(true, Ordering::SeqCst);
                Some(Some(Ok(Message::Text("connection_init timeout".into()))))
            }
        })
        .filter_map(std::future::ready)
    };
    // The client's messages, then a `None` when it hangs up: the connection ends
    // at once, without waiting for the deadline.
    let client = stream
        .map(Some)
        .chain(futures_util::stream::once(std::future::ready(None)));
    let stream = futures_util::stream::select(client, deadline)
        .take_while(|m: &Option<Result<Message, axum::Error>>| std::future::ready(m.is_some()))
        .filter_map(std::future::ready);
    let state = executor.state.clone();
    let cookie = executor.cookie.clone();
    let accepted_token = executor.token.clone();
    // The connection is a session of its own: locks taken over it are released
    // when it closes.
    let session: SessionId = format!("ws:{}", uuid::Uuid::new_v4().simple())
        .parse()
        .unwrap_or_else(|_| unreachable!("a fixed prefix and a UUID"));
    let session_name = session.to_string();
    let holder: Arc<OnceLock<(TenantId, Actor)>> = Arc::new(OnceLock::new());
    let cleanup = (state.clone(), session.clone(), holder.clone());
    let mut stop = state.stop.clone();
    // GraphQL writes into a channel; the keep-alive writer forwards it to the
    // socket between its pings.
    let (to_writer, from_graphql) = tokio::sync::mpsc::channel::<Message>(SOCKET_OUTBOX);
    // graphql-transport-ws subscriptions to shared fields are taken from the
    // client's messages before async-graphql sees them (`ws_direct.rs`).
    let stream =
        ws_direct::intercepted(stream, direct.clone(), executor.clone(), to_writer.clone());
    let graphql_sink = futures_util::sink::unfold(to_writer, move |tx, message: Message| {
        if let Some(direct) = &direct {
            direct.observe(&message);
        }
        async move { tx.send(message).await.map(|()| tx) }
    });
    let outgoing = futures_util::stream::unfold(from_graphql, |mut rx| async move {
        rx.recv().await.map(|message| (message, rx))
    });
    let keepalive = executor.state.ws_keepalive;
    // The writer is a task of its own: a message to write wakes it alone, not
    // the reading half and GraphQL's connection as well (measured: a sixth of
    // the server's time per message at 10,000 subscribers, BENCHMARKS.md).
    let mut writer = AbortOnDrop(tokio::spawn(ws_keepalive::forward(
        outgoing, sink, heard, keepalive,
    )));
    let connection = GraphQLWebSocket::new_with_pair(graphql_sink, stream, executor, protocol)
        .on_connection_init(move |payload| async move {
            initialised.store(true, Ordering::SeqCst);
            let mut data = Data::default();
            let (token, from_cookie) = match connection_token(&payload) {
                Some(token) => (Some(token.to_owned()), false),
                None => (cookie, true),
            };
            if let Some(token) = token {
                match authenticate(&*state.store, &state.auth, state.clock.now(), &token).await {
                    Ok(Some(viewer)) => {
                        let _ = holder.set((viewer.tenant_id, viewer.actor()));
                        data.insert(ConnectionSession(session));
                    }
                    // An expired session cookie leaves the connection open: its
                    // signed-in operations answer UNAUTHENTICATED (and the app
                    // signs in again), public ones are served.
                    Ok(None) if from_cookie => {}
                    Ok(None) => {
                        forbidden.store(true, Ordering::SeqCst);
                        return Err(async_graphql::Error::new("invalid or expired token"));
                    }
                    Err(e) => {
                        tracing::warn!(error = ?e, "cannot check a connection_init token");
                        return Err(async_graphql::Error::new(
                            "the token cannot be checked now; try again",
                        ));
                    }
                }
                // The protocol allows one connection_init, so this is the first set.
                let _ = accepted_token.set(token.clone());
                data.insert(BearerToken(token));
            }
            Ok(data)
        })
        .serve();
    // The connection ends when the writer does: after GraphQL finished (its
    // channel closes once the last message is written), or early when the
    // client is gone or silent; or when the server stops.
    futures_util::pin_mut!(connection);
    let mut graphql_done = false;
    loop {
        tokio::select! {
            () = &mut connection, if !graphql_done => graphql_done = true,
            ended = &mut writer.0 => {
                if matches!(ended, Ok(ws_keepalive::Ended::Silent)) {
                    tracing::info!(session = %session_name, "closed a WebSocket connection whose client stopped answering pings");
                }
                break;
            }
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
    }
    let (state, session, holder) = cleanup;
    if let Some((tenant, actor)) = holder.get() {
        match state
            .engine
            .for_session(session.clone())
            .release_session_locks(*tenant, actor)
            .await
        {
            Ok(released) if !released.is_empty() => {
                tracing::info!(session = %session, locks = released.len(), "released the locks of a closed connection");
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(session = %session, error = ?e, "releasing a closed connection's locks; they will expire")
            }
        }
    }
}

/// A task stopped when its handle is dropped (a connection's writer ends with
/// its connection).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The schema as one WebSocket connection runs it. The upgrade is counted like
/// any public request, but one socket can carry any number of operations, so
/// while the connection has no valid token each operation it starts is counted
/// against the address's allowance too; a refused one gets a RATE_LIMITED error
/// (in a `next`/`data` message) instead of a result.
#[derive(Clone)]
struct SocketExecutor {
    state: AppState,
    /// The client's address, when known (always, when served by [`serve`]).
    peer: Option<IpAddr>,
    /// The upgrade request's session cookie (same-origin only), which signs the
    /// connection in when `connection_init` carries no token.
    cookie: Option<String>,
    /// The token accepted in `connection_init` (or the cookie's); unset for an
    /// anonymous connection.
    token: Arc<OnceLock<String>>,
    /// The upgrade request's id: operation `n` over the socket runs as request
    /// `<id>/<n>` (what its audit entries name).
    request_id: Arc<str>,
    /// Operations started so far.
    operations: Arc<AtomicU64>,
}

impl SocketExecutor {
    /// The request id of the next operation.
    fn next_request_id(&self) -> String {
        let n = self.operations.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}/{n}", self.request_id)
    }

    /// Whether the public limit refuses the next operation (seconds to wait);
    /// else the check of the connection's token, for GraphQL to reuse, and
    /// the address that pays the rest of the operation's cost when it is
    /// public.
    async fn refused_for(&self) -> Result<(Option<Verified>, Option<PublicCaller>), u64> {
        let (Some(limiter), Some(peer)) = (self.state.public_limit.as_ref(), self.peer) else {
            return Ok((None, None));
        };
        // Checked per operation: a token that expires, or a key that is revoked,
        // turns the connection public.
        let token = self.token.get().map(String::as_str);
        let (signed_in, verified) = self.state.signed_in(token).await;
        if signed_in {
            return Ok((verified, None));
        }
        match limiter.check(peer) {
            Decision::Allow => Ok((
                verified,
                Some(PublicCaller {
                    limiter: limiter.clone(),
                    addr: peer,
                }),
            )),
            Decision::Refuse { retry_after_secs } => Err(retry_after_secs),
        }
    }
}

impl Executor for SocketExecutor {
    fn execute(&self, request: async_graphql::Request) -> impl Future<Output = GqlResponse> + Send {
        let this = self.clone();
        let id = self.next_request_id();
        request::scope(id, async move {
            match this.refused_for().await {
                Err(retry_after_secs) => rate_limited(retry_after_secs),
                Ok((verified, payer)) => {
                    let request = with(request, verified, payer);
                    this.state.schema.execute(request).await
                }
            }
        })
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, GqlResponse> {
        let this = self.clone();
        let results = async move {
            match this.refused_for().await {
                Err(retry_after_secs) => {
                    futures_util::stream::once(std::future::ready(rate_limited(retry_after_secs)))
                        .boxed()
                }
                Ok((verified, payer)) => {
                    // A signed-in subscription to a shared field joins the
                    // group rendering it (`berth_graphql::fan_out`).
                    let shared = match (this.token.get(), &payer) {
                        (Some(token), None) => {
                            let checked = verified.as_ref().map(|Verified(v)| v.clone());
                            this.state.fan_out.subscribe(&request, token, checked).await
                        }
                        _ => None,
                    };
                    match shared {
                        Some(responses) => responses,
                        None => Executor::execute_stream(
                            &this.state.schema,
                            with(request, verified, payer),
                            session_data,
                        ),
                    }
                }
            }
        }
        .into_stream()
        .flatten();
        request::scope_stream(self.next_request_id(), results).boxed()
    }
}

/// `request` carrying the transport's check of its token, when there was one,
/// and the address that pays for it, when it is public.
fn with(
    request: async_graphql::Request,
    verified: Option<Verified>,
    payer: Option<PublicCaller>,
) -> async_graphql::Request {
    let request = match payer {
        Some(payer) => request.data(payer.budget()),
        None => request,
    };
    match verified {
        Some(Verified(viewer)) => request.data(ViewerCache::verified(viewer)),
        None => request,
    }
}

/// What `access::authenticate` answered for a request's bearer token, when the
/// transport checked it (for the public rate limit): handed to GraphQL so that
/// the user or key is read once per request.
#[derive(Clone, Debug)]
struct Verified(Option<Viewer>);

/// The GraphQL response for an operation the public limit refused.
fn rate_limited(retry_after_secs: u64) -> GqlResponse {
    let error = berth_graphql::error::coded(
        ErrorCode::RateLimited,
        rate_limit::refusal_message(retry_after_secs),
    )
    .extend_with(|_, e| e.set("retryAfter", retry_after_secs));
    GqlResponse::from_errors(vec![error.into_server_error(Pos::default())])
}

/// The close code async-graphql uses for a refused handshake (protocol error).
const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// graphql-transport-ws: the credentials in `connection_init` were refused.
const CLOSE_FORBIDDEN: u16 = 4403;
/// graphql-transport-ws: no `connection_init` within the allowed time.
const CLOSE_INIT_TIMEOUT: u16 = 4408;

/// The bearer token of a `connection_init` payload: `{"authorization": "Bearer
/// <t>"}` (or `Authorization`, the header's spelling) or `{"token": "<t>"}`. A
/// missing or empty value means an anonymous connection.
fn connection_token(payload: &serde_json::Value) -> Option<&str> {
    let field = |key: &str| {
        payload
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let from_header = field("authorization")
        .or_else(|| field("Authorization"))
        .map(|value| {
            let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
            if scheme.eq_ignore_ascii_case("bearer") {
                token.trim()
            } else {
                value
            }
        })
        .filter(|token| !token.is_empty());
    from_header.or_else(|| field("token"))
}

/// Counts requests without a valid credential against the client address's
/// allowance (a request's worth; GraphQL charges the rest of its cost) and
/// answers 429 once it is spent. A request with a session token
/// (bearer or same-origin cookie, as `browser::guard` found it) or API key
/// passes uncounted; a made-up `Authorization` header does not exempt a
/// request, since the token must verify. Without a peer address (a router driven in-process),
/// nothing is limited.
async fn limit_public_requests(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &state.public_limit else {
        return next.run(req).await;
    };
    let Some(ClientAddress(peer)) = req.extensions().get::<ClientAddress>().copied() else {
        return next.run(req).await;
    };
    let token = match req.extensions().get::<Credential>() {
        Some(credential) => Some(credential.token.clone()),
        // Routes without the Origin check (the iCalendar feed).
        None => browser::bearer_token(req.headers()).map(str::to_owned),
    };
    let (signed_in, verified) = state.signed_in(token.as_deref()).await;
    if let Some(verified) = verified {
        // For the GraphQL handler (see `graphql`).
        req.extensions_mut().insert(verified);
    }
    if !signed_in {
        if let Decision::Refuse { retry_after_secs } = limiter.check(peer) {
            tracing::debug!(%peer, retry_after_secs, "public request refused by the rate limit");
            return rate_limit::refusal(retry_after_secs);
        }
        req.extensions_mut().insert(PublicCaller {
            limiter: limiter.clone(),
            addr: peer,
        });
    }
    next.run(req).await
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// How long the readiness check waits for the database before reporting it
/// unreachable; load balancers poll often and must get a quick answer.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// The process can serve: the database answers within [`READINESS_TIMEOUT`]. The
/// body also counts live policies and names tenants whose last edit was refused
/// (they keep serving their previous version, so they do not make it unready).
async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(READINESS_TIMEOUT, state.store.ping()).await;
    match ping {
        Ok(Ok(())) => {
            let status = state.registry.status();
            let active = status.iter().filter(|s| s.active_version.is_some()).count();
            let rejected: Vec<&str> = status
                .iter()
                .filter(|s| s.last_rejection.is_some())
                .map(|s| s.slug.as_str())
                .collect();
            Json(json!({
                "status": "ready",
                "database": "ok",
                "policies": { "active": active, "rejected": rejected },
            }))
            .into_response()
        }
        failed => {
            let cause = match failed {
                Ok(Err(e)) => format!("{e:?}"),
                _ => "timed out".to_owned(),
            };
            tracing::warn!(%cause, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

/// Prometheus text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
}

/// Counts requests and times them, labelled by route template (never by raw
/// path, which would let clients create unbounded label values).
async fn record_metrics(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_init_token_comes_from_authorization_or_token() {
        let cases = [
            (json!({ "authorization": "Bearer abc" }), Some("abc")),
            (json!({ "Authorization": "bearer  abc " }), Some("abc")),
            (json!({ "token": "abc" }), Some("abc")),
            (json!({ "authorization": "", "token": "abc" }), Some("abc")),
            (json!({ "authorization": "Bearer " }), None),
            (json!({ "token": 42 }), None),
            (json!({}), None),
            (serde_json::Value::Null, None),
        ];
        for (payload, expected) in cases {
            assert_eq!(connection_token(&payload), expected, "{payload}");
        }
    }
}
