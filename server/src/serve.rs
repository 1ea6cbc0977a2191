//! `berth serve`: opens and migrates the database, makes each tenant's
//! published policy version live (publishing tenant directories that have
//! none, and saved ones; `tenants::versions`), starts the workers (`workers::start`),
//! builds the GraphQL schema and the router (`http`), and serves until a
//! shutdown signal — then drains the requests in flight and stops the workers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use berth_core::clock::SystemClock;
use berth_policy::Runtime;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;

use crate::cli::{ServeArgs, redact};
use crate::http::rate_limit::RateLimiter;
use crate::http::web::WebDir;
use crate::http::{AppState, router};
use crate::{shutdown, telemetry, tenants, workers};

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The e-mail settings first: a URL without a sender stops the start.
    let smtp = crate::workers::mail::SmtpConfig::from_args(&args.mail)?;
    let shutdown = shutdown::install().context("installing signal handlers")?;
    let metrics = telemetry::init_metrics().context("installing the metrics recorder")?;
    let url = redact(&args.database.database_url);
    let secrets = crate::secret::secrets_box(&args.secrets_key_file)?;
    let store =
        berth_core::store::open_and_migrate_sealed(&args.database.database_url, Some(secrets))
            .await
            .with_context(|| format!("opening and migrating {url}"))?;
    let sealed = store
        .seal_webhook_secrets()
        .await
        .context("sealing the webhook signing secrets stored before sealing")?;
    if sealed > 0 {
        tracing::info!(
            webhooks = sealed,
            "sealed webhook signing secrets stored in clear"
        );
    }
    tracing::info!(database = %url, "database ready");

    if !args.tenants.is_dir() {
        // An empty directory is a valid start: tenants can be added while running.
        std::fs::create_dir_all(&args.tenants).with_context(|| {
            format!("creating the tenants directory {}", args.tenants.display())
        })?;
        tracing::warn!(dir = %args.tenants.display(), "tenants directory did not exist; created it empty");
    }
    // A tenant directory's e-mail templates are part of its version: checked
    // wherever the rules are (docs/decisions/0168).
    let runtime = Runtime::new(Limits::default())
        .context("compiling the built-in models")?
        .with_directory_check(crate::workers::mail::templates::directory_check());
    let registry = Arc::new(PolicyRegistry::new(
        runtime,
        &args.tenants,
        Arc::new(SystemClock),
    ));
    let engine = berth_core::Engine::new(store.clone(), registry.clone(), Arc::new(SystemClock));
    // The follower's positions before the load, so that no publication of
    // another instance in between is missed.
    let (versions, saves) =
        tenants::versions::Follower::new(engine.clone(), registry.clone()).await?;
    for change in tenants::versions::load_at_start(&engine, &registry, args.demo).await? {
        tenants::apply(&store, &registry, &change, args.demo)
            .await
            .with_context(|| format!("applying {change:?}"))?;
    }
    let auth = crate::secret::auth(&args.secret_file)?;
    let vapid = crate::workers::push::key(&args.push, &args.secret_file)?;
    let clock = engine.clock().clone();
    // The schema says whether e-mail is sent, and from which address; never
    // the SMTP server or its credentials.
    let mail_config = berth_graphql::mail::MailConfig {
        sender: smtp.as_ref().map(|c| c.from.as_str().to_owned()),
    };
    // The workers before the directory watcher: tenant sync follows every
    // change after the first load.
    let workers = workers::start(&args, &engine, &registry, vapid.clone(), smtp, versions)?;
    // A saved tenant directory is published (docs/decisions/0162).
    let _watcher = berth_policy::watcher::watch_tenants(&args.tenants, move |slug| {
        // The follower gone means the server is stopping.
        let _ = saves.send(slug);
    })
    .with_context(|| format!("watching {}", args.tenants.display()))?;
    let push_config = crate::workers::push::graphql_config(&vapid, &args.push);
    let (schema, fan_out) = berth_graphql::schema_and_fan_out(
        engine.clone(),
        auth.clone(),
        berth_graphql::Services {
            push: push_config,
            mail: mail_config,
        },
    );
    let public_limit = (args.public_rate_limit > 0).then(|| {
        Arc::new(RateLimiter::per_minute(
            args.public_rate_limit,
            clock.clone(),
        ))
    });
    // The stop signal of the open WebSocket connections, which would otherwise
    // keep the graceful shutdown waiting.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let site = crate::http::site::Site {
        hosts: crate::http::site::HostMap::new(&args.site_hosts),
        request_limit: (args.site_request_limit > 0).then(|| {
            Arc::new(RateLimiter::per_hour(
                args.site_request_limit,
                clock.clone(),
            ))
        }),
        prices: Arc::default(),
    };
    let web_dir = WebDir(args.web_dir.clone());
    let trusted_proxies = args.trusted_proxy_networks();
    web_dir.log_state();
    let app = router(AppState {
        stop: stop.clone(),
        store,
        registry,
        schema,
        fan_out,
        engine,
        metrics,
        auth,
        clock,
        public_limit,
        cors_origins: args.cors_origins,
        trusted_proxies,
        web_dir,
        ws_init_timeout: Duration::from_secs(args.ws_init_timeout),
        ws_keepalive: (args.ws_keepalive > 0).then(|| Duration::from_secs(args.ws_keepalive)),
        site,
    })?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    // Printed on stdout so scripts and tests can find a port chosen with :0.
    println!("berth listening on http://{addr}");
    crate::allocator::trim();
    // The peer address is what the public rate limit counts requests under.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")?;
    workers.stop().await;
    tracing::info!("stopped");
    Ok(())
}
