//! The HTTP server: the router (`/healthz`, `/readyz`, `/metrics`), its middleware
//! (request tracing and metrics), and `serve`, which wires the store and runs until
//! a shutdown signal, draining requests in flight. GraphQL is mounted here by a
//! later change; this module stays transport only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use berth_core::clock::SystemClock;
use berth_core::store::Store;
use berth_policy::Runtime;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::cli::{ServeArgs, redact};
use crate::{shutdown, telemetry, tenants};

/// What request handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The live tenant policies.
    pub registry: Arc<PolicyRegistry>,
    /// The GraphQL schema (over the engine).
    pub schema: berth_graphql::BerthSchema,
    /// Renders the Prometheus metrics.
    pub metrics: PrometheusHandle,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let shutdown = shutdown::install().context("installing signal handlers")?;
    let metrics = telemetry::init_metrics().context("installing the metrics recorder")?;
    let url = redact(&args.database.database_url);
    let store = berth_core::store::open_and_migrate(&args.database.database_url)
        .await
        .with_context(|| format!("opening and migrating {url}"))?;
    tracing::info!(database = %url, "database ready");

    if !args.tenants.is_dir() {
        // An empty directory is a valid start: tenants can be added while running.
        std::fs::create_dir_all(&args.tenants).with_context(|| {
            format!("creating the tenants directory {}", args.tenants.display())
        })?;
        tracing::warn!(dir = %args.tenants.display(), "tenants directory did not exist; created it empty");
    }
    let runtime = Runtime::new(Limits::default()).context("compiling the built-in models")?;
    let registry = Arc::new(PolicyRegistry::new(
        runtime,
        &args.tenants,
        Arc::new(SystemClock),
    ));
    for change in registry.load_all() {
        tenants::apply(&*store, &registry, &change, args.demo)
            .await
            .with_context(|| format!("applying {change:?}"))?;
    }
    tenants::follow(store.clone(), registry.clone(), args.demo);
    let _watcher = berth_policy::watcher::watch(registry.clone())
        .with_context(|| format!("watching {}", args.tenants.display()))?;

    let auth = crate::secret::auth(&args.secret_file)?;
    let engine = berth_core::Engine::new(store.clone(), registry.clone(), Arc::new(SystemClock));
    let schema = berth_graphql::schema(engine, auth);
    let app = router(AppState {
        store,
        registry,
        schema,
        metrics,
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    // Printed on stdout so scripts and tests can find a port chosen with :0.
    println!("berth listening on http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

/// The router with every route and middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphiql)
                .post(graphql)
                .layer(DefaultBodyLimit::max(MAX_GRAPHQL_BODY_BYTES)),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn(record_metrics))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The largest GraphQL request body accepted (a larger one gets 413).
const MAX_GRAPHQL_BODY_BYTES: usize = 256 * 1024;

/// Executes a GraphQL request, passing on the `Authorization: Bearer` token.
async fn graphql(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let mut request = request.into_inner();
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        request = request.data(berth_graphql::auth::BearerToken(token.trim().to_owned()));
    }
    state.schema.execute(request).await.into()
}

/// GraphiQL, the in-browser IDE, pointed at this server.
async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
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
