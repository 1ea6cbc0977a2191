//! The worker against a real calendar host on loopback (axum on port 0), on
//! both databases: a calendar is fetched and imported, fetched again only
//! conditionally (a 304 keeps everything), a redirect is followed, and a
//! failing host, an oversized or non-text body, a calendar that cannot be
//! read and a private address (without the operator's permission) are failed
//! fetches that keep the blocks and back off. Time is the registry's
//! `ManualClock`, moved past each interval: no test waits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::clock::Clock as _;
use berth_core::ical::sync::{CalendarSync, SyncInterval, SyncStatus};
use berth_core::on_both_stores;
use berth_core::quantity::{Guests, Inventory};
use berth_core::store::Store;
use berth_core::testing::Backend;
use berth_core::unit::NewUnit;
use berth_policy::registry::PolicyChange;
use chrono::Duration;

use super::{Config, Pass, Worker};

on_both_stores!(
    a_calendar_is_imported_then_fetched_conditionally,
    failed_fetches_keep_the_blocks_and_back_off,
);

/// An Airbnb-style export with one stay.
const CALENDAR: &str = "BEGIN:VCALENDAR\r\nPRODID:-//Airbnb Inc//Hosting Calendar 0.8.8//EN\r\n\
    VERSION:2.0\r\nBEGIN:VEVENT\r\nDTEND;VALUE=DATE:20270412\r\nDTSTART;VALUE=DATE:20270408\r\n\
    UID:1418fb94e984-a1@airbnb.com\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// The calendar host: what it was asked, by path, with the validators sent.
#[derive(Default)]
struct Host {
    asked: Mutex<Vec<(String, Option<String>)>>,
}

async fn calendar(State(host): State<Arc<Host>>, headers: HeaderMap) -> Response {
    let etag = headers
        .get(header::IF_NONE_MATCH)
        .map(|v| v.to_str().unwrap().to_owned());
    host.asked
        .lock()
        .unwrap()
        .push(("/cal.ics".into(), etag.clone()));
    if etag.as_deref() == Some("\"v1\"") {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::ETAG, "\"v1\""),
        ],
        CALENDAR,
    )
        .into_response()
}

async fn start_host() -> (Arc<Host>, String) {
    let host = Arc::new(Host::default());
    let app = axum::Router::new()
        .route("/cal.ics", get(calendar))
        .route("/moved.ics", get(|| async { Redirect::to("/cal.ics") }))
        .route(
            "/down.ics",
            get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        )
        .route("/html.ics", get(|| async { "<html>Sign in</html>" }))
        .route("/huge.ics", get(|| async { "X".repeat(70 * 1024) }))
        .route(
            "/binary.ics",
            get(|| async { vec![0xff_u8, 0xfe, 0x00, 0x41] }),
        )
        .with_state(host.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (host, format!("http://{addr}"))
}

struct Setup {
    engine: Engine,
    store: Arc<dyn Store>,
    clock: Arc<berth_core::clock::ManualClock>,
    tenant: berth_core::ids::TenantId,
    unit: berth_core::ids::UnitId,
}

async fn setup(backend: Backend) -> Setup {
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(berth_core::testing::fresh_sqlite(&std::env::temp_dir()).await),
        Backend::Postgres => {
            let url = berth_core::testing::fresh_postgres_url().await;
            berth_core::store::open_and_migrate(&url).await.unwrap()
        }
    };
    let (registry, clock) = crate::tenants::demo_registry();
    let change = PolicyChange::Activated {
        slug: "alpine-cabins".into(),
        version: 1,
    };
    crate::tenants::apply(&store, &registry, &change, false)
        .await
        .unwrap();
    let tenant = store
        .tenant_by_slug(&"alpine-cabins".parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = store
        .create_unit(
            tenant,
            NewUnit {
                name: "Synced cabin".into(),
                kind: None,
                inventory: Inventory::new(1).unwrap(),
                max_guests: Guests::new(4).unwrap(),
                description: None,
                amenities: vec![],
                images: vec![],
                attributes: serde_json::json!({}),
            },
            &Actor::System,
            clock.now(),
        )
        .await
        .unwrap()
        .id;
    let engine = Engine::new(store.clone(), registry, clock.clone());
    Setup {
        engine,
        store,
        clock,
        tenant,
        unit,
    }
}

impl Setup {
    fn worker(&self, allow_private_targets: bool) -> Worker {
        Worker::new(
            self.engine.clone(),
            Config {
                allow_private_targets,
                max_body: 64 * 1024,
                timeout: std::time::Duration::from_secs(5),
                ..Config::default()
            },
        )
    }

    async fn add(&self, url: &str, source: &str) -> CalendarSync {
        self.engine
            .add_calendar_sync(
                self.tenant,
                self.unit,
                url.parse().unwrap(),
                source.parse().unwrap(),
                SyncInterval::DEFAULT,
                &Actor::System,
            )
            .await
            .unwrap()
    }

    async fn sync(&self, id: berth_core::ids::CalendarSyncId) -> CalendarSync {
        self.store
            .calendar_sync(self.tenant, id)
            .await
            .unwrap()
            .unwrap()
    }

    async fn blocks(&self) -> Vec<(String, String)> {
        self.engine
            .calendar_blocks(self.tenant, self.unit)
            .await
            .unwrap()
            .into_iter()
            .map(|b| (b.source.to_string(), b.uid))
            .collect()
    }
}

async fn a_calendar_is_imported_then_fetched_conditionally(backend: Backend) {
    let s = setup(backend).await;
    let (host, base) = start_host().await;
    let direct = s.add(&format!("{base}/cal.ics"), "airbnb").await;
    let moved = s.add(&format!("{base}/moved.ics"), "vrbo").await;
    let worker = s.worker(true);

    let pass = worker.run_once().await.unwrap();
    assert_eq!(
        pass,
        Pass {
            imported: 2,
            tenants: 1,
            ..Pass::default()
        }
    );
    let mut blocks = s.blocks().await;
    blocks.sort();
    assert_eq!(
        blocks,
        [
            ("airbnb".into(), "1418fb94e984-a1@airbnb.com".into()),
            ("vrbo".into(), "1418fb94e984-a1@airbnb.com".into()),
        ]
    );
    let after = s.sync(direct.id).await;
    assert_eq!(after.last_status, Some(SyncStatus::Imported));
    assert_eq!(after.etag.as_deref(), Some("\"v1\""));
    assert_eq!(after.next_fetch_at, s.clock.now() + Duration::minutes(60));
    assert_eq!(
        s.sync(moved.id).await.last_status,
        Some(SyncStatus::Imported)
    );

    // Nothing is due before the interval: not even the tenant is visited.
    assert_eq!(worker.run_once().await.unwrap(), Pass::default());

    // An hour later: asked with the ETag, answered 304, blocks untouched.
    s.clock.advance(Duration::minutes(60));
    let pass = worker.run_once().await.unwrap();
    assert_eq!(pass.unchanged, 2, "{pass:?}");
    let asked = host.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 4);
    assert!(
        asked[2..]
            .iter()
            .all(|(_, etag)| etag.as_deref() == Some("\"v1\""))
    );
    assert_eq!(s.blocks().await.len(), 2);
    assert_eq!(
        s.sync(direct.id).await.last_status,
        Some(SyncStatus::NotModified)
    );
}

async fn failed_fetches_keep_the_blocks_and_back_off(backend: Backend) {
    let s = setup(backend).await;
    let (_host, base) = start_host().await;
    let sync = s.add(&format!("{base}/cal.ics"), "airbnb").await;
    s.worker(true).run_once().await.unwrap();
    assert_eq!(s.blocks().await.len(), 1);

    // Each broken answer in turn, from the same sync's URL.
    let cases = [
        ("/down.ics", "HTTP 503"),
        ("/html.ics", "not imported"),
        ("/huge.ics", "larger than 64 KiB"),
        ("/binary.ics", "not UTF-8"),
    ];
    for (i, (path, says)) in cases.iter().enumerate() {
        let broken = s
            .add(&format!("{base}{path}"), &format!("broken-{i}"))
            .await;
        let pass = s.worker(true).run_once().await.unwrap();
        assert_eq!(pass.failed, 1, "{path}: {pass:?}");
        let after = s.sync(broken.id).await;
        assert_eq!(after.last_status, Some(SyncStatus::Failed), "{path}");
        let error = after.last_error.unwrap();
        assert!(error.contains(says), "{path}: {error}");
        assert_eq!(after.failures, 1);
        assert_eq!(after.next_fetch_at, s.clock.now() + Duration::minutes(5));
        s.engine
            .remove_calendar_sync(s.tenant, broken.id, true, &Actor::System)
            .await
            .unwrap();
    }

    // Without the operator's permission a loopback address is refused.
    s.engine
        .request_calendar_sync(s.tenant, sync.id, &Actor::System)
        .await
        .unwrap();
    let pass = s.worker(false).run_once().await.unwrap();
    assert_eq!(pass.failed, 1, "{pass:?}");
    let refused = s.sync(sync.id).await;
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap()
            .contains("non-public"),
        "{refused:?}"
    );
    assert_eq!(s.blocks().await.len(), 1, "the blocks from before stay");

    // Failures back off, doubling, up to the interval.
    s.clock.advance(Duration::minutes(5));
    s.worker(false).run_once().await.unwrap();
    let twice = s.sync(sync.id).await;
    assert_eq!(twice.failures, 2);
    assert_eq!(twice.next_fetch_at, s.clock.now() + Duration::minutes(10));
    // The host comes back into reach: imported again, the count reset.
    s.clock.advance(Duration::minutes(10));
    s.worker(true).run_once().await.unwrap();
    let back = s.sync(sync.id).await;
    assert!(matches!(
        back.last_status,
        Some(SyncStatus::Imported | SyncStatus::NotModified)
    ));
    assert_eq!(back.failures, 0);
}
