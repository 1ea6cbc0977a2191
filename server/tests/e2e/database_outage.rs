//! The database going away under load (docs/reliability.md, decision 0173):
//! `berth serve --demo` on a PostgreSQL server of the test's own
//! (`support/pg_cluster.rs`), with clients booking and cancelling, a webhook
//! receiver on loopback and a live `reservationEvents` subscriber, while the
//! server is stopped with `pg_ctl stop -m fast`, started again, stopped with
//! `-m immediate` (a crash: the next start recovers from the WAL) and started
//! again on the same port. Checked:
//! - `/readyz` answers 503 while the database is away and 200 once it is back,
//!   without restarting berth;
//! - every request in between gets INTERNAL "the service is temporarily
//!   unavailable, try again" with `retryable: true`, nothing of the cause
//!   (sqlx, the pool, PostgreSQL's message); the public site answers 503;
//! - nothing is half-written: every reservation the clients made exists once
//!   per idempotency key with exactly the audit entries and events of the
//!   writes it went through (created; created and canceled); every booking
//!   and cancellation acknowledged is there; a retry after an error either
//!   finds the first attempt's reservation or makes the only one;
//! - the workers resume: every event of those reservations reaches the
//!   webhook receiver; the tenant directory, saved while the database was
//!   away, is published and goes live once it is back; the live subscription, open throughout, receives each
//!   of them exactly once and in order, and a subscription resuming from a
//!   cursor taken before the load replays them all.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::sync::mpsc;

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::live::{latest_cursor, next_data, ok, signed_in_socket, start, stays};
use super::pg_cluster::PgCluster;
use super::site::copy_dir;
use super::transport::{demo_admin_session_where, exchange};
use super::{Server, tenants_dir};

/// The message of INTERNAL when the database is away (graphql/src/error.rs).
const TEMPORARILY_UNAVAILABLE: &str = "the service is temporarily unavailable, try again";

const BOOK: &str = "mutation($input: CreateReservationInput!) {
    createReservation(input: $input) { id state } }";
const CANCEL: &str = "mutation($id: ID!) { cancelReservation(id: $id) { id state } }";
const EVENTS: &str = "subscription($after: String) {
    reservationEvents(after: $after) { cursor kind reservation { id } } }";

/// How long the clients keep writing in each phase with the database up.
const UP: Duration = Duration::from_millis(700);
/// How long they keep trying while it is away: the first time longer than a
/// request waits for a connection (5 s), so that work the database refused
/// must have been kept to be done at all.
const AWAY: [Duration; 2] = [Duration::from_secs(7), Duration::from_secs(2)];
/// A client's pause between two requests.
const PACE: Duration = Duration::from_millis(40);

/// What one request got.
#[derive(Debug, Clone)]
enum Answer {
    /// The mutation's data.
    Data(Value),
    /// Its first error's code and message, and the whole error list.
    Error {
        code: String,
        message: String,
        errors: Value,
    },
}

/// A mutation over HTTP with a bearer token; any status and body.
async fn mutate(server: &Server, token: &str, query: &str, variables: Value) -> (u16, Answer) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let auth = format!("Bearer {token}");
    let response = exchange(
        server,
        "POST",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        &body,
    )
    .await;
    let answer = response.json();
    let answer = match answer["errors"].as_array() {
        Some(errors) if !errors.is_empty() => Answer::Error {
            code: errors[0]["extensions"]["code"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            message: errors[0]["message"].as_str().unwrap_or("").to_owned(),
            errors: answer["errors"].clone(),
        },
        _ => Answer::Data(answer["data"].clone()),
    };
    (response.status, answer)
}

/// What the clients saw, for the checks at the end.
#[derive(Debug, Default)]
struct History {
    /// Idempotency key → the reservation its acknowledged booking named.
    booked: BTreeMap<String, String>,
    /// Reservations whose cancellation was acknowledged.
    canceled: HashSet<String>,
    /// Every error answered: (status, code, message, errors).
    errors: Vec<(u16, String, String, Value)>,
    /// Requests answered, and the slowest answer.
    requests: usize,
    slowest: Duration,
}

/// One client: books its unit for a stay (a fresh idempotency key), cancels
/// what it booked, and moves to the next stay; after an error it retries the
/// same request (the same key, the same cancellation), as a careful client
/// does. Stops between two bookings once `stop` is set.
async fn client(
    server: Arc<Server>,
    token: String,
    unit: String,
    name: usize,
    stop: Arc<AtomicBool>,
) -> History {
    let stays = stays(8);
    let mut history = History::default();
    let mut n = 0usize;
    loop {
        if stop.load(Ordering::SeqCst) {
            return history;
        }
        let key = format!("outage-{name}-{n}");
        let stay = &stays[n % stays.len()];
        let input = json!({ "input": { "unitId": unit, "guests": 2, "idempotencyKey": key,
            "period": { "checkIn": stay.0, "checkOut": stay.1 } } });
        // Book until an answer says booked.
        let id = loop {
            let (id, retry) = request(&server, &token, BOOK, input.clone(), &mut history).await;
            if let Some(data) = id {
                let id = data["createReservation"]["id"]
                    .as_str()
                    .expect("an id")
                    .to_owned();
                history.booked.insert(key.clone(), id.clone());
                break id;
            }
            assert!(retry, "booking {key}: {:?}", history.errors.last());
        };
        // Cancel until an answer says canceled (or, after an error, that it
        // already is: the first attempt committed but its answer was lost).
        let mut failed_before = false;
        loop {
            let before = history.errors.len();
            let (data, retry) =
                request(&server, &token, CANCEL, json!({ "id": id }), &mut history).await;
            if data.is_some() {
                history.canceled.insert(id.clone());
                break;
            }
            let (_, code, _, _) = history.errors[before].clone();
            if failed_before && code == "CONFLICT" {
                break;
            }
            assert!(retry, "cancelling {id}: {:?}", history.errors.last());
            failed_before = true;
        }
        n += 1;
    }
}

/// Sends one request; the data when it succeeded, else whether to retry
/// (an INTERNAL error: the database away). Records what it got.
async fn request(
    server: &Server,
    token: &str,
    query: &str,
    variables: Value,
    history: &mut History,
) -> (Option<Value>, bool) {
    tokio::time::sleep(PACE).await;
    let started = Instant::now();
    let (status, answer) = mutate(server, token, query, variables).await;
    history.requests += 1;
    history.slowest = history.slowest.max(started.elapsed());
    match answer {
        Answer::Data(data) => (Some(data), false),
        Answer::Error {
            code,
            message,
            errors,
        } => {
            let retry = code == "INTERNAL";
            history.errors.push((status, code, message, errors));
            (None, retry)
        }
    }
}

/// Polls `/readyz` until it answers `status`; how long that took.
async fn until_ready_is(server: &Server, status: u16, cluster: &PgCluster) -> Duration {
    let started = Instant::now();
    loop {
        let (got, body) = server.get("/readyz").await;
        if got == status {
            if status == 503 {
                assert_eq!(
                    body, r#"{"status":"unavailable","database":"unreachable"}"#,
                    "nothing of the cause in the body"
                );
            }
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "/readyz still {got} ({body}) after 30 s, waiting for {status}\n{}",
            cluster.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

type Inbox = mpsc::UnboundedSender<(String, String, String)>;

/// The webhook receiver: (webhook-id, type, entity id) of every message.
async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let message: Value = serde_json::from_slice(&body).expect("a JSON message");
    let id = headers["webhook-id"].to_str().expect("ascii").to_owned();
    let kind = message["type"].as_str().unwrap_or("").to_owned();
    let entity = message["data"]["entity_id"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let _ = inbox.send((id, kind, entity));
    StatusCode::NO_CONTENT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_and_started_under_load() {
    let Some(cluster) = PgCluster::start("postgres_stopped_and_started_under_load") else {
        return;
    };
    let url = cluster.app_database().await;
    let began = Instant::now();

    let (tx, mut inbox) = mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // One tenant, in a directory of the test's own: it edits it while the
    // database is away.
    let tenants = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("outage-{}", uuid::Uuid::new_v4().simple()));
    let tenant_yaml = tenants.join("alpine-cabins/tenant.yaml");
    copy_dir(
        &tenants_dir().join("alpine-cabins"),
        &tenants.join("alpine-cabins"),
    );
    let server = Arc::new(Server::demo(
        &url,
        &tenants,
        &["--webhook-allow-private-targets"],
    ));
    let (_, token) =
        demo_admin_session_where(&server, |l| l.contains("tenant=alpine-cabins")).await;
    ok(
        &server,
        &token,
        r#"mutation($url: String!) { createWebhook(url: $url,
            events: ["reservation.created", "reservation.canceled"]) { webhook { id } } }"#,
        json!({ "url": hook_url }),
    )
    .await;
    let units = ok(&server, &token, "{ units { id } }", json!({})).await;
    let units: Vec<String> = units["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(units.len() >= 3, "{units:?}");

    // A live subscriber, open throughout; and the cursor to resume from.
    let mut live = signed_in_socket(&server, &token).await;
    start(&mut live, "live", EVENTS, json!({})).await;
    let resume_from = latest_cursor(&server, &token).await;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let subscriber = tokio::spawn(async move {
        // Every reservation event, (kind, reservation id), until the socket
        // closes; keep-alives and pings are passed over.
        while let Some(Ok(frame)) = live.next().await {
            let Message::Text(text) = frame else { continue };
            let message: Value = serde_json::from_str(text.as_str()).expect("JSON");
            if message["type"] != "next" {
                continue;
            }
            assert!(message["payload"]["errors"].is_null(), "{message}");
            let e = &message["payload"]["data"]["reservationEvents"];
            let _ = seen_tx.send((
                e["kind"].as_str().expect("kind").to_owned(),
                e["reservation"]["id"].as_str().expect("id").to_owned(),
            ));
        }
    });

    // The clients, one per unit.
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = units
        .iter()
        .take(3)
        .enumerate()
        .map(|(name, unit)| {
            tokio::spawn(client(
                server.clone(),
                token.clone(),
                unit.clone(),
                name,
                stop.clone(),
            ))
        })
        .collect();

    let mut figures = Vec::new();
    for (mode, away) in [("fast", AWAY[0]), ("immediate", AWAY[1])] {
        tokio::time::sleep(UP).await;
        assert_eq!(server.get("/readyz").await.0, 200);
        cluster.stop(mode);
        let unready = until_ready_is(&server, 503, &cluster).await;
        // The public site says "temporarily unavailable" (503).
        let (status, page) = server.get("/alpine-cabins").await;
        assert_eq!(status, 503, "{page}");
        if mode == "fast" {
            // Saved while the database is away: published once it is back.
            let yaml = std::fs::read_to_string(&tenant_yaml).expect("tenant.yaml");
            let renamed =
                yaml.replace("\nname: Alpine Cabins\n", "\nname: Alpine Cabins Renamed\n");
            assert_ne!(yaml, renamed);
            std::fs::write(&tenant_yaml, renamed).expect("save tenant.yaml");
        }
        tokio::time::sleep(away).await;
        cluster.start_again();
        let ready = until_ready_is(&server, 200, &cluster).await;
        figures.push(format!(
            "-m {mode}: not ready after {unready:?}, ready again {ready:?} after the start"
        ));
    }
    tokio::time::sleep(UP).await;
    stop.store(true, Ordering::SeqCst);
    let mut history = History::default();
    for client in clients {
        let h = client.await.expect("a client");
        history.booked.extend(h.booked);
        history.canceled.extend(h.canceled);
        history.errors.extend(h.errors);
        history.requests += h.requests;
        history.slowest = history.slowest.max(h.slowest);
    }

    // The errors: INTERNAL, "temporarily unavailable" and retryable, nothing
    // of the cause, with HTTP 200 (GraphQL's).
    assert!(
        !history.errors.is_empty(),
        "no request met the database away: the test did not test"
    );
    for (status, code, message, errors) in &history.errors {
        let internal = code == "INTERNAL"
            && message == TEMPORARILY_UNAVAILABLE
            && errors[0]["extensions"]["retryable"] == true
            && *status == 200;
        // A cancellation retried after its first attempt committed.
        let retried_cancel = code == "CONFLICT";
        assert!(internal || retried_cancel, "{status} {errors}");
        let text = errors.to_string().to_lowercase();
        for leak in [
            "sqlx",
            "pool",
            "connection",
            "postgres",
            "database",
            "terminat",
        ] {
            assert!(!text.contains(leak), "{leak} in {errors}");
        }
    }

    // Nothing half-written: every reservation the clients made, as the
    // database has it, with its audit entries and events.
    let admin = cluster.admin_url(url.rsplit_once('/').expect("database").1);
    let mut db = sqlx::PgConnection::connect(&admin).await.expect("connect");
    let rows: Vec<(String, String, String, i64, i64, Vec<String>)> = sqlx::query_as(
        "SELECT r.idempotency_key, r.id::text, r.state,
                (SELECT count(*) FROM audit_log a WHERE a.entity_id = r.id),
                (SELECT count(*) FROM events e WHERE e.entity_id = r.id),
                (SELECT coalesce(array_agg(e.kind ORDER BY e.seq), '{}') FROM events e WHERE e.entity_id = r.id)
         FROM reservations r WHERE r.idempotency_key LIKE 'outage-%'",
    )
    .fetch_all(&mut db)
    .await
    .expect("the clients' reservations");
    let mut by_key: HashMap<String, String> = HashMap::new();
    for (key, id, state, audits, events, kinds) in &rows {
        assert!(
            by_key.insert(key.clone(), id.clone()).is_none(),
            "two reservations for {key}"
        );
        let expected: &[&str] = match state.as_str() {
            "confirmed" => &["reservation.created"],
            "canceled" => &["reservation.created", "reservation.canceled"],
            other => panic!("{key}: state {other}"),
        };
        assert_eq!(kinds, expected, "{key} {id} {state}");
        assert_eq!(
            (*audits, *events),
            (expected.len() as i64, expected.len() as i64),
            "{key} {id}: one audit entry and one event per write"
        );
    }
    for (key, id) in &history.booked {
        assert_eq!(by_key.get(key), Some(id), "acknowledged {key} is stored");
    }
    assert_eq!(
        by_key.len(),
        history.booked.len(),
        "no reservation nobody was told of"
    );
    for id in &history.canceled {
        let row = rows.iter().find(|r| &r.1 == id).expect("stored");
        assert_eq!(row.2, "canceled", "acknowledged cancellation of {id}");
    }

    // The workers resumed: every event of those reservations reaches the
    // webhook receiver (at least once; a delivery whose attempt was sent
    // before an outage and not recorded is sent again with the same id).
    // (kind as the subscription names it, reservation id), in no order.
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT upper(substr(e.kind, 13)), e.entity_id::text FROM events e
         JOIN reservations r ON r.id = e.entity_id WHERE r.idempotency_key LIKE 'outage-%'",
    )
    .fetch_all(&mut db)
    .await
    .expect("events");
    let kind = |k: &str| format!("reservation.{}", k.to_lowercase());
    let wanted: HashSet<(String, String)> =
        stored.iter().map(|(k, id)| (kind(k), id.clone())).collect();
    assert_eq!(wanted.len(), stored.len());
    let mut delivered: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while wanted.iter().any(|e| !delivered.contains_key(e)) {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some((id, kind, entity))) = tokio::time::timeout(left, inbox.recv()).await else {
            let missing: Vec<_> = wanted
                .iter()
                .filter(|e| !delivered.contains_key(*e))
                .collect();
            panic!("webhook messages missing after 90 s: {missing:?}");
        };
        delivered.entry((kind, entity)).or_default().insert(id);
    }
    for (event, ids) in &delivered {
        assert_eq!(
            ids.len(),
            1,
            "{event:?}: one webhook-id, however often sent"
        );
    }
    let webhooks_done = began.elapsed();

    // The tenant directory saved while the database was away was published
    // and went live (the tenant's name is from its live version).
    let renamed_after = Instant::now();
    loop {
        let tenant = server
            .graphql(r#"{ tenant(slug: "alpine-cabins") { name } }"#, json!({}))
            .await;
        if tenant["data"]["tenant"]["name"] == "Alpine Cabins Renamed" {
            break;
        }
        assert!(
            renamed_after.elapsed() < Duration::from_secs(15),
            "the directory saved during the outage never went live: {tenant}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The live subscription got each exactly once (and nothing more within a
    // second after the last); in order, below.
    let mut ours = Vec::new();
    let ids: HashSet<&String> = by_key.values().collect();
    loop {
        let wait = if ours.len() < stored.len() { 30 } else { 1 };
        let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(wait), seen.recv()).await
        else {
            break;
        };
        if ids.contains(&event.1) {
            ours.push(event);
        }
    }
    subscriber.abort();
    let mut sorted = ours.clone();
    sorted.sort();
    let mut expected = stored.clone();
    expected.sort();
    assert_eq!(sorted, expected, "the live subscription, each event once");

    // A subscription resuming from a cursor taken before the load replays
    // them all, in order.
    let mut resumed = signed_in_socket(&server, &token).await;
    start(
        &mut resumed,
        "resumed",
        EVENTS,
        json!({ "after": resume_from }),
    )
    .await;
    let mut replayed = Vec::new();
    while replayed.len() < expected.len() {
        let data = next_data(&mut resumed, "resumed").await;
        let e = &data["reservationEvents"];
        let id = e["reservation"]["id"].as_str().expect("id").to_owned();
        if ids.contains(&id) {
            replayed.push((e["kind"].as_str().expect("kind").to_owned(), id));
        }
    }
    // Both in the stream's order: the cursor's, which on PostgreSQL follows
    // commits, not the events' sequence numbers.
    assert_eq!(ours, replayed, "the live and the resumed subscription");

    eprintln!(
        "database outage: {} requests, {} errors, slowest answer {:?}; {} reservations, \
         {} events; webhooks all delivered {:?} after the start; {}",
        history.requests,
        history.errors.len(),
        history.slowest,
        rows.len(),
        stored.len(),
        webhooks_done,
        figures.join("; ")
    );
    Arc::try_unwrap(server).ok().expect("the only owner").stop();
}
