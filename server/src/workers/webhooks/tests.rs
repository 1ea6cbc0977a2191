//! The worker against real HTTP receivers on loopback (axum on port 0), on both
//! databases. Each receiver checks every message the way an integrator would,
//! per the Standard Webhooks specification and independently of berth-core's
//! signer: the three headers, the timestamp's freshness, and HMAC-SHA256 over
//! `{id}.{timestamp}.{body}` with the base64-decoded `whsec_` secret. Time is a
//! `ManualClock` moved to each retry's due instant: no test waits for a backoff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use berth_core::audit::Actor;
use berth_core::clock::{Clock, ManualClock};
use berth_core::ids::TenantId;
use berth_core::on_both_stores;
use berth_core::store::Store;
use berth_core::testing::Backend;
use berth_core::webhook::{
    Delivery, DeliveryPage, DeliveryStatus, EventFilters, MAX_ATTEMPTS, NewWebhook, Webhook,
    WebhookSecret, retry_delay,
};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::Notify;

use crate::workers::test_support::{new_unit, tenant_store};

use super::{Config, Pass, Worker};

on_both_stores!(
    signed_messages_are_retried_with_backoff_until_accepted,
    a_receiver_that_always_fails_ends_failed_after_the_bound,
    a_queued_delivery_survives_a_restart,
    the_running_worker_delivers_on_commit_and_stops_cleanly,
    finished_deliveries_are_pruned_after_thirty_days,
);

/// One message as the receiver got it.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
    /// The test clock when it arrived.
    at: DateTime<Utc>,
}

/// A webhook endpoint: answers with the scripted statuses, then `otherwise`.
struct Receiver {
    script: Mutex<VecDeque<u16>>,
    otherwise: u16,
    got: Mutex<Vec<Received>>,
    arrived: Notify,
    clock: Arc<ManualClock>,
}

impl Receiver {
    async fn start(
        script: &[u16],
        otherwise: u16,
        clock: Arc<ManualClock>,
    ) -> (Arc<Receiver>, String) {
        let receiver = Arc::new(Receiver {
            script: Mutex::new(script.iter().copied().collect()),
            otherwise,
            got: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            clock,
        });
        let app = axum::Router::new()
            .route("/hooks/berth", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, format!("http://{addr}/hooks/berth?source=test"))
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let status = r.script.lock().unwrap().pop_front().unwrap_or(r.otherwise);
    r.got.lock().unwrap().push(Received {
        headers,
        body,
        at: r.clock.now(),
    });
    r.arrived.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

/// Checks a message as the Standard Webhooks specification tells receivers to.
fn verify(secret: &str, m: &Received) -> serde_json::Value {
    let header = |name: &str| {
        m.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/json");
    let id = header("webhook-id");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    assert!(
        (m.at.timestamp() - timestamp).abs() <= 300,
        "the timestamp is not fresh"
    );
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&m.body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    let signatures = header("webhook-signature");
    assert!(
        signatures.split(' ').any(|s| s == expected),
        "signature {signatures} is not {expected}"
    );
    serde_json::from_slice(&m.body).unwrap()
}

struct Setup {
    url: String,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    tenant: TenantId,
}

async fn setup(backend: Backend) -> Setup {
    let (url, store, clock, tenant) =
        tenant_store(backend, "webhooks", chrono_tz::Europe::Oslo, "NOK", "nb-NO").await;
    Setup {
        url,
        store,
        clock,
        tenant,
    }
}

impl Setup {
    fn worker(&self, store: Arc<dyn Store>) -> Worker {
        let config = Config {
            allow_private_targets: true,
            ..Config::default()
        };
        Worker::new(store, self.clock.clone(), config)
    }

    async fn webhook(&self, url: &str, secret: &WebhookSecret) -> Webhook {
        self.store
            .create_webhook(
                self.tenant,
                NewWebhook {
                    url: url.parse().unwrap(),
                    events: EventFilters::parse(&["unit.*"]).unwrap(),
                    secret: secret.clone(),
                },
                &Actor::System,
                self.clock.now(),
            )
            .await
            .unwrap()
    }

    async fn unit(&self, name: &str) {
        let unit = new_unit(name, 1, 2);
        self.store
            .create_unit(self.tenant, unit, &Actor::System, self.clock.now())
            .await
            .unwrap();
    }

    async fn log(&self, webhook: &Webhook) -> Vec<Delivery> {
        self.store
            .webhook_deliveries(
                self.tenant,
                webhook.id,
                DeliveryPage {
                    before: None,
                    limit: 50,
                },
            )
            .await
            .unwrap()
    }
}

/// Runs passes until `receiver` has `n` messages. On PostgreSQL a new event is
/// queued only once no older transaction of the cluster is open (other tests run
/// alongside), so the first pass may find nothing yet.
async fn until_received(worker: &Worker, receiver: &Receiver, n: usize) -> Pass {
    let mut total = Pass::default();
    for _ in 0..2_500 {
        let pass = worker.run_once().await.unwrap();
        total.queued += pass.queued;
        total.attempted += pass.attempted;
        total.delivered += pass.delivered;
        total.retrying += pass.retrying;
        total.failed += pass.failed;
        if receiver.got().len() >= n {
            return total;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("{} of {n} messages arrived", receiver.got().len());
}

async fn signed_messages_are_retried_with_backoff_until_accepted(backend: Backend) {
    let s = setup(backend).await;
    let (receiver, url) = Receiver::start(&[500, 500, 500], 200, s.clock.clone()).await;
    let secret = WebhookSecret::generate();
    let hook = s.webhook(&url, &secret).await;
    s.unit("Birch").await;
    let worker = s.worker(s.store.clone());

    let first = until_received(&worker, &receiver, 1).await;
    assert_eq!((first.queued, first.attempted, first.retrying), (1, 1, 1));
    for attempt in 2..=4 {
        let due = s.log(&hook).await[0].next_attempt_at.unwrap();
        // Not a moment before it is due...
        s.clock.set(due - Duration::milliseconds(1));
        assert_eq!(worker.run_once().await.unwrap().attempted, 0);
        // ...and at once when it is.
        s.clock.set(due);
        let pass = worker.run_once().await.unwrap();
        assert_eq!(pass.attempted, 1, "attempt {attempt}");
        assert_eq!(pass.delivered, u64::from(attempt == 4));
    }
    assert_eq!(worker.run_once().await.unwrap(), Pass::default());

    let got = receiver.got();
    assert_eq!(got.len(), 4);
    let bodies: Vec<serde_json::Value> = got.iter().map(|m| verify(&secret.expose(), m)).collect();
    let d = &s.log(&hook).await[0];
    assert_eq!(d.status, DeliveryStatus::Delivered);
    assert_eq!(d.attempts, 4);
    // One message, sent four times: the same id and body, a fresh timestamp.
    for m in &got {
        assert_eq!(m.headers["webhook-id"], d.id.to_string().as_str());
        assert_eq!(m.body, got[0].body);
        assert_eq!(
            m.headers["webhook-timestamp"],
            m.at.timestamp().to_string().as_str()
        );
        assert_eq!(
            m.headers["user-agent"].to_str().unwrap().split('/').next(),
            Some("berth-webhooks")
        );
    }
    assert_eq!(bodies[0]["type"], "unit.created");
    assert_eq!(bodies[0]["data"]["payload"]["name"], "Birch");
    assert_eq!(bodies[0]["data"]["event_id"], d.event_id.to_string());
    assert_eq!(bodies[0]["data"]["cursor"], d.event_cursor.to_string());
    // The delivery log shows every attempt, and the backoff between them.
    let statuses: Vec<_> = d.attempt_log.iter().map(|a| a.response_status).collect();
    assert_eq!(statuses, vec![Some(500), Some(500), Some(500), Some(200)]);
    let errors: Vec<_> = d.attempt_log.iter().map(|a| a.error.as_deref()).collect();
    assert_eq!(
        errors,
        vec![Some("HTTP 500"), Some("HTTP 500"), Some("HTTP 500"), None]
    );
    let starts: Vec<_> = d.attempt_log.iter().map(|a| a.started_at).collect();
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    // Each wait is the schedule's, within its jitter band, and longer than the last.
    for (n, gap) in (1..).zip(&gaps) {
        let (shortest, longest) = (retry_delay(n, 0).unwrap(), retry_delay(n, 1000).unwrap());
        assert!(shortest <= *gap && *gap <= longest, "wait {n}: {gaps:?}");
    }
    assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
}

async fn a_receiver_that_always_fails_ends_failed_after_the_bound(backend: Backend) {
    let s = setup(backend).await;
    let (receiver, url) = Receiver::start(&[], 503, s.clock.clone()).await;
    let secret = WebhookSecret::generate();
    let hook = s.webhook(&url, &secret).await;
    s.unit("Birch").await;
    let worker = s.worker(s.store.clone());
    until_received(&worker, &receiver, 1).await;
    let mut last = Pass::default();
    while let Some(due) = s.log(&hook).await[0].next_attempt_at {
        s.clock.set(due);
        last = worker.run_once().await.unwrap();
        assert_eq!(last.attempted, 1);
    }
    assert_eq!(last.failed, 1, "the last attempt gave up");
    let d = &s.log(&hook).await[0];
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert_eq!(d.attempts, MAX_ATTEMPTS);
    assert_eq!(d.attempt_log.len() as u32, MAX_ATTEMPTS);
    assert!(d.attempt_log.iter().all(|a| a.response_status == Some(503)));
    assert_eq!(receiver.got().len() as u32, MAX_ATTEMPTS);
    for m in receiver.got() {
        verify(&secret.expose(), &m);
    }
    // Eight attempts over about fifteen hours.
    let span = d.attempt_log.last().unwrap().started_at - d.attempt_log[0].started_at;
    assert!(
        span > Duration::hours(10) && span < Duration::hours(20),
        "{span}"
    );
    s.clock.advance(Duration::days(7));
    assert_eq!(worker.run_once().await.unwrap().attempted, 0);
    assert_eq!(receiver.got().len() as u32, MAX_ATTEMPTS);
}

async fn a_queued_delivery_survives_a_restart(backend: Backend) {
    let s = setup(backend).await;
    let (receiver, url) = Receiver::start(&[503], 204, s.clock.clone()).await;
    let secret = WebhookSecret::generate();
    let hook = s.webhook(&url, &secret).await;
    s.unit("Birch").await;
    {
        // The first process: one failed attempt, then it stops.
        let worker = s.worker(s.store.clone());
        until_received(&worker, &receiver, 1).await;
    }
    // A second event is queued but never attempted: the process dies after
    // claiming it (its lease is left behind).
    s.unit("Aspen").await;
    let now = s.clock.now();
    let mut orphaned = Vec::new();
    for _ in 0..2_500 {
        s.store
            .enqueue_deliveries(s.tenant, now, 100)
            .await
            .unwrap();
        orphaned = s
            .store
            .claim_deliveries(s.tenant, now, chrono::Duration::seconds(60), 10)
            .await
            .unwrap();
        if !orphaned.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(orphaned.len(), 1);

    // A new process on the same database (its own store and connection pool, a
    // new worker), a minute later.
    let reopened = berth_core::store::open(&s.url).await.unwrap();
    s.clock.advance(Duration::seconds(61));
    let worker = s.worker(reopened);
    let pass = worker.run_once().await.unwrap();
    assert_eq!((pass.attempted, pass.delivered), (2, 2));
    let got = receiver.got();
    assert_eq!(got.len(), 3);
    let names: Vec<String> = got
        .iter()
        .map(|m| {
            verify(&secret.expose(), m)["data"]["payload"]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names[0], "Birch");
    let mut later = names[1..].to_vec();
    later.sort();
    assert_eq!(later, vec!["Aspen", "Birch"]);
    let log = s.log(&hook).await;
    assert!(log.iter().all(|d| d.status == DeliveryStatus::Delivered));
    let attempts: Vec<u32> = log.iter().map(|d| d.attempts).collect();
    assert_eq!(
        attempts,
        vec![2, 2],
        "newest first: Aspen (orphaned claim + resend), Birch"
    );
}

async fn the_running_worker_delivers_on_commit_and_stops_cleanly(backend: Backend) {
    let s = setup(backend).await;
    let (receiver, url) = Receiver::start(&[], 200, s.clock.clone()).await;
    let secret = WebhookSecret::generate();
    s.webhook(&url, &secret).await;
    let handle = crate::workers::spawn(s.worker(s.store.clone()));
    let arrived = receiver.arrived.notified();
    s.unit("Birch").await;
    tokio::time::timeout(std::time::Duration::from_secs(30), arrived)
        .await
        .expect("the commit woke the worker and the message arrived");
    tokio::time::timeout(std::time::Duration::from_secs(15), handle.stop())
        .await
        .expect("the worker stops");
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    assert_eq!(verify(&secret.expose(), &got[0])["type"], "unit.created");
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let s = setup(Backend::Sqlite).await;
    let (receiver, url) = Receiver::start(&[], 200, s.clock.clone()).await;
    let hook = s.webhook(&url, &WebhookSecret::generate()).await;
    s.unit("Birch").await;
    let worker = Worker::new(s.store.clone(), s.clock.clone(), Config::default());
    let pass = worker.run_once().await.unwrap();
    assert_eq!((pass.attempted, pass.retrying), (1, 1));
    assert!(receiver.got().is_empty());
    let d = &s.log(&hook).await[0];
    let error = d.attempt_log[0].error.as_deref().unwrap();
    assert!(
        error.contains("non-public") && error.contains("127.0.0.1"),
        "{error}"
    );
}

#[tokio::test]
async fn an_endpoint_that_does_not_answer_times_out() {
    let s = setup(Backend::Sqlite).await;
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let hook = s
        .webhook(&format!("http://{addr}/"), &WebhookSecret::generate())
        .await;
    s.unit("Birch").await;
    let config = Config {
        allow_private_targets: true,
        timeout: std::time::Duration::from_millis(200),
        ..Config::default()
    };
    let worker = Worker::new(s.store.clone(), s.clock.clone(), config);
    let pass = worker.run_once().await.unwrap();
    assert_eq!((pass.attempted, pass.retrying), (1, 1));
    let d = &s.log(&hook).await[0];
    assert_eq!(d.attempt_log[0].response_status, None);
    assert_eq!(
        d.attempt_log[0].error.as_deref(),
        Some("no response within 0.2 s")
    );
    held.abort();
}

async fn finished_deliveries_are_pruned_after_thirty_days(backend: Backend) {
    let s = setup(backend).await;
    let (receiver, url) = Receiver::start(&[], 200, s.clock.clone()).await;
    let hook = s.webhook(&url, &WebhookSecret::generate()).await;
    let worker = s.worker(s.store.clone());
    s.unit("Birch").await;
    until_received(&worker, &receiver, 1).await;
    assert_eq!(s.log(&hook).await[0].status, DeliveryStatus::Delivered);
    // Kept for 30 days, looked at once an hour.
    s.clock
        .advance(berth_core::webhook::KEEP_FINISHED - Duration::minutes(1));
    assert_eq!(worker.run_once().await.unwrap().pruned, 0);
    assert_eq!(s.log(&hook).await.len(), 1);
    s.clock.advance(Duration::hours(1));
    assert_eq!(worker.run_once().await.unwrap().pruned, 1);
    assert!(s.log(&hook).await.is_empty());
}
