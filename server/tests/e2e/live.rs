//! Live coordination through real processes: two `berth serve` instances on one
//! PostgreSQL agreeing on locks and events, locks released when the WebSocket
//! that took them closes, and the reference JavaScript `graphql-ws` client
//! (server/tests/js/client.mjs) following locks and resuming reservation events.
//!
//! Nothing here sleeps to wait for an event: every wait is on a socket, with a
//! timeout. A live-only subscription (`lockEvents`) starts when the server has
//! run its resolver, which the protocol does not announce, so the tests first
//! renew a probe lock until the subscriber sees it ([`until_live`]).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use berth_core::testing::{Backend, available, fresh_postgres_url};
use chrono::{Datelike, Days, Utc, Weekday};
use serde_json::{Value, json};

use super::transport::{Socket, demo_admin_session, open_socket, receive, send};
use super::{Server, temp_sqlite_url, tenants_dir};

const LOCK_EVENTS: &str =
    "subscription { lockEvents { kind lock { id holder { displayName session } } } }";
const RESERVATION_EVENTS: &str = "subscription($after: String) {
    reservationEvents(after: $after) { cursor kind reservation { id state } } }";
const ACQUIRE: &str = "mutation($unit: ID!, $in: Date!, $out: Date!) {
    acquireLock(input: { unitId: $unit, period: { checkIn: $in, checkOut: $out } }) {
        id holder { displayName session } } }";
const RENEW: &str = "mutation($id: ID!) { renewLock(id: $id) { id } }";
const RELEASE: &str = "mutation($id: ID!) { releaseLock(id: $id) { id } }";
const BOOK: &str = "mutation($input: CreateReservationInput!) {
    createReservation(input: $input) { id state } }";
const CANCEL: &str = "mutation($id: ID!) { cancelReservation(id: $id) { id state } }";
const LOCKS: &str = "{ locks { id holder { session } } }";

/// A stay on a unit: (check-in, check-out) dates.
pub(crate) type Stay = (String, String);

/// `n` stays of three nights, Monday to Thursday, a week apart, from about two
/// months ahead: inside the example tenants' booking horizon, clear of the
/// demo's own bookings (the next month) and of the Christmas stop-sell. Three
/// nights on a Monday suit the cabins' rules in every season.
pub(crate) fn stays(n: usize) -> Vec<Stay> {
    let mut day = Utc::now().date_naive() + Days::new(60);
    while day.weekday() != Weekday::Mon {
        day = day + Days::new(1);
    }
    let mut found = Vec::new();
    while found.len() < n {
        let holidays =
            (day.month() == 12 && day.day() >= 18) || (day.month() == 1 && day.day() <= 3);
        if !holidays {
            found.push((day.to_string(), (day + Days::new(3)).to_string()));
        }
        day = day + Days::new(7);
    }
    found
}

/// A query or mutation that must succeed; returns its data.
pub(crate) async fn ok(server: &Server, token: &str, query: &str, variables: Value) -> Value {
    let answer = server.graphql_as(Some(token), query, variables).await;
    assert!(answer["errors"].is_null(), "{query}: {answer}");
    answer["data"].clone()
}

/// The ids of the signed-in tenant's units by name.
async fn unit_ids(server: &Server, token: &str) -> std::collections::HashMap<String, String> {
    let units = ok(server, token, "{ units { id name } }", json!({})).await;
    units["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            let field = |k: &str| u[k].as_str().expect("a string").to_owned();
            (field("name"), field("id"))
        })
        .collect()
}

/// The cursor of the tenant's latest event (paging through `events`).
pub(crate) async fn latest_cursor(server: &Server, token: &str) -> String {
    let mut after: Option<String> = None;
    loop {
        let page = ok(
            server,
            token,
            "query($after: String) { events(after: $after, first: 200) {
                pageInfo { hasNextPage endCursor } } }",
            json!({ "after": after }),
        )
        .await;
        let info = &page["events"]["pageInfo"];
        if let Some(end) = info["endCursor"].as_str() {
            after = Some(end.to_owned());
        }
        if info["hasNextPage"] != true {
            return after.expect("the demo wrote events");
        }
    }
}

/// The reservation events after `after` as the polling query gives them:
/// (reservation id, event kind such as `reservation.created`).
async fn polled_reservation_events(
    server: &Server,
    token: &str,
    after: &str,
) -> Vec<(String, String)> {
    let page = ok(
        server,
        token,
        "query($after: String) { events(after: $after, first: 200) {
            edges { node { kind entityId } } pageInfo { hasNextPage } } }",
        json!({ "after": after }),
    )
    .await;
    assert_eq!(page["events"]["pageInfo"]["hasNextPage"], false, "{page}");
    page["events"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"])
        .filter(|n| {
            n["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("reservation."))
        })
        .map(|n| {
            (
                n["entityId"].as_str().expect("id").to_owned(),
                n["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect()
}

/// An event cursor (`txid-seq`) as a comparable pair.
fn cursor_key(cursor: &Value) -> (i64, i64) {
    let text = cursor.as_str().expect("a cursor");
    let (txid, seq) = text.split_once('-').expect("txid-seq");
    (txid.parse().expect("txid"), seq.parse().expect("seq"))
}

async fn acquire(server: &Server, token: &str, unit: &str, stay: &Stay) -> Value {
    let vars = json!({ "unit": unit, "in": stay.0, "out": stay.1 });
    ok(server, token, ACQUIRE, vars).await["acquireLock"].clone()
}

fn booking(unit: &str, stay: &Stay) -> Value {
    json!({ "input": { "unitId": unit, "guests": 2,
        "period": { "checkIn": stay.0, "checkOut": stay.1 } } })
}

/// Books `unit` for `stay`; returns the reservation id.
async fn book(server: &Server, token: &str, unit: &str, stay: &Stay) -> String {
    let booked = ok(server, token, BOOK, booking(unit, stay)).await;
    assert_eq!(
        booked["createReservation"]["state"], "CONFIRMED",
        "{booked}"
    );
    booked["createReservation"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A graphql-transport-ws connection signed in with `token`.
pub(crate) async fn signed_in_socket(server: &Server, token: &str) -> Socket {
    let mut socket = open_socket(server, "graphql-transport-ws").await;
    let init = json!({ "type": "connection_init",
        "payload": { "authorization": format!("Bearer {token}") } });
    send(&mut socket, init).await;
    let ack = receive(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

/// Starts operation `id` (a subscription, query or mutation) on `socket`.
pub(crate) async fn start(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    let message = json!({ "id": id, "type": "subscribe",
        "payload": { "query": query, "variables": variables } });
    send(socket, message).await;
}

/// The data of the next message, which must be a result of operation `id`
/// without errors (within the 10 s of [`receive`]).
pub(crate) async fn next_data(socket: &mut Socket, id: &str) -> Value {
    let message = receive(socket).await;
    assert_eq!(
        (message["type"].as_str(), message["id"].as_str()),
        (Some("next"), Some(id)),
        "{message}"
    );
    assert!(message["payload"]["errors"].is_null(), "{message}");
    message["payload"]["data"].clone()
}

/// The next `kind` event about `lock` on subscription `id` (events about other
/// locks, or of other kinds, are passed over).
async fn lock_event(socket: &mut Socket, id: &str, lock: &Value, kind: &str) -> Value {
    loop {
        let data = next_data(socket, id).await;
        let event = &data["lockEvents"];
        if event["lock"]["id"] == *lock && event["kind"] == kind {
            return event.clone();
        }
    }
}

/// Makes sure the `lockEvents` subscription `id` on `socket` is live: waits on
/// the socket for an event about `probe` (a lock of `token`'s session, just
/// taken through `server`), renewing it whenever a second passes without one.
async fn until_live(socket: &mut Socket, id: &str, server: &Server, token: &str, probe: &Value) {
    let started = Instant::now();
    for attempt in 1..=15 {
        match tokio::time::timeout(Duration::from_secs(1), next_data(socket, id)).await {
            Ok(data) if data["lockEvents"]["lock"]["id"] == *probe => {
                eprintln!(
                    "lockEvents live after {:?} ({attempt} attempts)",
                    started.elapsed()
                );
                return;
            }
            Ok(_) => {}
            Err(_) => {
                ok(server, token, RENEW, json!({ "id": probe })).await;
            }
        }
    }
    panic!("the lockEvents subscription never saw its probe lock");
}

#[tokio::test]
async fn two_instances_on_one_postgres_agree_on_locks_and_events() {
    let test = "two_instances_on_one_postgres_agree_on_locks_and_events";
    if !available(Backend::Postgres, test) {
        return;
    }
    let url = fresh_postgres_url().await;
    let tenants = tenants_dir();
    let tenants = tenants.to_str().unwrap();
    // One signing secret for both, so that a token works on either.
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let env = [("BERTH_JWT_SECRET", secret.as_str())];
    let a = Server::start_with_env(
        &["--database-url", &url, "--demo", "--tenants", tenants],
        &env,
    );
    let b = Server::start_with_env(&["--database-url", &url, "--tenants", tenants], &env);

    // Two sign-ins of the alpine-cabins admin: two sessions. `holder` works
    // through A, `other` through B (signed in on A: the shared secret at work).
    let (email, holder) = demo_admin_session(&a).await;
    assert!(email.contains("alpine-cabins"), "{email}");
    let (_, other) = demo_admin_session(&a).await;
    let me = ok(&b, &other, "{ me { email } }", json!({})).await;
    assert_eq!(me["me"]["email"], email.as_str());
    let units = unit_ids(&a, &holder).await;
    let (birch, pine, summit) = (
        &units["Birch Cabin"],
        &units["Pine Cabin"],
        &units["Summit Chalet"],
    );
    let stays = stays(4);
    let before = latest_cursor(&a, &holder).await;

    // A lock taken through A reaches a subscriber on B within a second (B reads
    // other instances' writes from the outbox every 250 ms).
    let mut watcher = signed_in_socket(&b, &other).await;
    start(&mut watcher, "locks", LOCK_EVENTS, json!({})).await;
    let probe = acquire(&a, &holder, pine, &stays[3]).await;
    until_live(&mut watcher, "locks", &a, &holder, &probe["id"]).await;
    let started = Instant::now();
    let lock = acquire(&a, &holder, birch, &stays[0]).await;
    let seen = lock_event(&mut watcher, "locks", &lock["id"], "ACQUIRED").await;
    let propagation = started.elapsed();
    eprintln!("lock acquired through A seen on B after {propagation:?}");
    assert!(
        propagation < Duration::from_secs(1),
        "the lock reached B after {propagation:?}"
    );
    assert_eq!(seen["lock"]["holder"], lock["holder"], "{seen}");
    assert_eq!(lock["holder"]["displayName"], email.as_str());
    let listed = ok(&b, &other, LOCKS, json!({})).await;
    assert!(
        listed["locks"]
            .as_array()
            .expect("locks")
            .iter()
            .any(|l| l["id"] == lock["id"]),
        "B lists A's lock: {listed}"
    );

    // Another session books the locked period through B: LOCKED, naming the holder.
    let refused = b
        .graphql_as(Some(&other), BOOK, booking(birch, &stays[0]))
        .await;
    let error = &refused["errors"][0]["extensions"];
    assert_eq!(error["code"], "LOCKED", "{refused}");
    assert_eq!(error["holder"]["lockId"], lock["id"], "{refused}");
    assert_eq!(
        error["holder"]["session"], lock["holder"]["session"],
        "{refused}"
    );
    assert_eq!(error["holder"]["displayName"], email.as_str(), "{refused}");

    // A reservation created through B reaches a subscriber on A. The refusal
    // above wrote no event, so it is the first reservation event after `before`.
    let mut follower = signed_in_socket(&a, &holder).await;
    start(
        &mut follower,
        "res",
        RESERVATION_EVENTS,
        json!({ "after": before }),
    )
    .await;
    ok(&a, &holder, RELEASE, json!({ "id": lock["id"] })).await;
    lock_event(&mut watcher, "locks", &lock["id"], "RELEASED").await;
    let first = book(&b, &other, birch, &stays[0]).await;
    let created = next_data(&mut follower, "res").await["reservationEvents"].clone();
    assert_eq!(created["kind"], "CREATED", "{created}");
    assert_eq!(created["reservation"]["id"], first.as_str(), "{created}");
    assert!(cursor_key(&created["cursor"]) > cursor_key(&json!(before)));
    let seen_up_to = created["cursor"].clone();

    // The subscriber goes away and misses writes made through both instances...
    follower.close(None).await.unwrap();
    drop(follower);
    let second = book(&b, &other, pine, &stays[1]).await;
    ok(&a, &holder, CANCEL, json!({ "id": first })).await;
    let third = book(&b, &other, summit, &stays[2]).await;
    let missed = [
        (second.as_str(), "CREATED"),
        (first.as_str(), "CANCELED"),
        (third.as_str(), "CREATED"),
    ];

    // ...and resumes on the other instance from its last cursor: exactly the
    // missed events, in order, then live ones with nothing in between.
    let mut resumed = signed_in_socket(&b, &other).await;
    start(
        &mut resumed,
        "res",
        RESERVATION_EVENTS,
        json!({ "after": seen_up_to }),
    )
    .await;
    let mut last = cursor_key(&seen_up_to);
    for (id, kind) in missed {
        let event = next_data(&mut resumed, "res").await["reservationEvents"].clone();
        assert_eq!(
            (event["reservation"]["id"].as_str(), event["kind"].as_str()),
            (Some(id), Some(kind)),
            "{event}"
        );
        let cursor = cursor_key(&event["cursor"]);
        assert!(cursor > last, "{event} after {last:?}");
        last = cursor;
    }
    let fourth = book(&a, &holder, birch, &stays[1]).await;
    let live = next_data(&mut resumed, "res").await["reservationEvents"].clone();
    assert_eq!(
        (live["reservation"]["id"].as_str(), live["kind"].as_str()),
        (Some(fourth.as_str()), Some("CREATED")),
        "the next event is the live one: {live}"
    );
    assert!(cursor_key(&live["cursor"]) > last);

    // The polling query on A tells the same story after the same cursor.
    let polled = polled_reservation_events(&a, &holder, seen_up_to.as_str().unwrap()).await;
    let expected: Vec<(String, String)> = [
        (&second, "created"),
        (&first, "canceled"),
        (&third, "created"),
        (&fourth, "created"),
    ]
    .into_iter()
    .map(|(id, kind)| (id.clone(), format!("reservation.{kind}")))
    .collect();
    assert_eq!(polled, expected);

    ok(&a, &holder, RELEASE, json!({ "id": probe["id"] })).await;
    drop((watcher, resumed));
    b.stop();
    a.stop();
}

#[tokio::test]
async fn closing_a_socket_releases_its_locks() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if !available(backend, "closing_a_socket_releases_its_locks") {
            continue;
        }
        let url = match backend {
            Backend::Sqlite => temp_sqlite_url().0,
            Backend::Postgres => fresh_postgres_url().await,
        };
        let server = Server::demo(&url, &tenants_dir(), &[]);
        sockets_release_their_locks(&server).await;
        server.stop();
    }
}

/// Two connections take a lock each over their socket; one closes cleanly, the
/// other just drops its TCP connection. Both locks are released: a subscriber
/// sees RELEASED, and `locks` no longer lists them.
async fn sockets_release_their_locks(server: &Server) {
    let (_, watching) = demo_admin_session(server).await;
    let (_, holding) = demo_admin_session(server).await;
    let units = unit_ids(server, &watching).await;
    let stays = stays(3);

    let mut watcher = signed_in_socket(server, &watching).await;
    start(&mut watcher, "locks", LOCK_EVENTS, json!({})).await;
    let probe = acquire(server, &watching, &units["Pine Cabin"], &stays[2]).await;
    until_live(&mut watcher, "locks", server, &watching, &probe["id"]).await;

    let mut locks = Vec::new();
    let mut sockets = Vec::new();
    for (n, stay) in stays[..2].iter().enumerate() {
        let mut socket = signed_in_socket(server, &holding).await;
        let vars = json!({ "unit": units["Birch Cabin"], "in": stay.0, "out": stay.1 });
        start(&mut socket, "acquire", ACQUIRE, vars).await;
        let lock = next_data(&mut socket, "acquire").await["acquireLock"].clone();
        let done = receive(&mut socket).await;
        assert_eq!(done, json!({ "id": "acquire", "type": "complete" }));
        let session = lock["holder"]["session"].as_str().expect("session");
        assert!(session.starts_with("ws:"), "held by socket {n}: {lock}");
        let seen = lock_event(&mut watcher, "locks", &lock["id"], "ACQUIRED").await;
        assert_eq!(seen["lock"]["holder"], lock["holder"], "{seen}");
        locks.push(lock);
        sockets.push(socket);
    }
    assert_ne!(
        locks[0]["holder"]["session"], locks[1]["holder"]["session"],
        "each connection is a session of its own"
    );
    let listed = ok(server, &watching, LOCKS, json!({})).await;
    assert_eq!(
        listed["locks"].as_array().expect("locks").len(),
        3,
        "{listed}"
    );

    let abrupt = sockets.pop().expect("two sockets");
    let mut clean = sockets.pop().expect("two sockets");
    clean.close(None).await.unwrap();
    lock_event(&mut watcher, "locks", &locks[0]["id"], "RELEASED").await;
    // Gone without a close frame: the server sees the connection end.
    drop(abrupt);
    lock_event(&mut watcher, "locks", &locks[1]["id"], "RELEASED").await;

    // Only the probe, held by the HTTP sign-in, is left.
    let listed = ok(server, &watching, LOCKS, json!({})).await;
    let ids: Vec<&Value> = listed["locks"]
        .as_array()
        .expect("locks")
        .iter()
        .map(|l| &l["id"])
        .collect();
    assert_eq!(ids, [&probe["id"]], "{listed}");
    drop(clean);
}

/// The directory of the JavaScript clients (server/tests/js), when `node` and
/// the npm `package` there are installed. Without them the test is skipped
/// loudly, or fails when `BERTH_REQUIRE_JS=1` (set by scripts/test after it
/// installs them).
pub(crate) fn js_client(test: &str, package: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let missing = match Command::new("node").arg("--version").output() {
        Err(e) => Some(format!("`node` cannot be run ({e})")),
        Ok(out) if !out.status.success() => Some("`node --version` failed".to_owned()),
        Ok(_) if !dir.join("node_modules").join(package).is_dir() => Some(format!(
            "{}/node_modules is not installed (npm ci --prefix server/tests/js)",
            dir.display()
        )),
        Ok(_) => None,
    };
    let Some(why) = missing else {
        return Some(dir);
    };
    crate::skip(test, "BERTH_REQUIRE_JS", &why);
    None
}

/// Runs `node <script> <args>` (a script in `dir`) with `env`; returns its exit
/// status, stdout and stderr. Killed after 120 s (the scripts give up after
/// 60 s on their own).
pub(crate) async fn run_node(
    dir: &std::path::Path,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let child = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    let pid = child.id();
    let waited = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await;
    match waited {
        Ok(output) => output.expect("join").expect("node's output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("node {script} did not finish within 120 s");
        }
    }
}

#[tokio::test]
async fn the_reference_graphql_ws_client_sees_locks_and_resumes_reservation_events() {
    let test = "the_reference_graphql_ws_client_sees_locks_and_resumes_reservation_events";
    let Some(js) = js_client(test, "graphql-ws") else {
        return;
    };
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(&url, &tenants_dir(), &[]);
    let (_, subscriber) = demo_admin_session(&server).await;
    let (_, other) = demo_admin_session(&server).await;
    let units = unit_ids(&server, &subscriber).await;
    let (birch, pine, summit) = (
        &units["Birch Cabin"],
        &units["Pine Cabin"],
        &units["Summit Chalet"],
    );
    let stays = stays(4);

    // Events the client has not seen: it resumes from `after`.
    let after = latest_cursor(&server, &subscriber).await;
    let first = book(&server, &other, birch, &stays[0]).await;
    let second = book(&server, &other, pine, &stays[0]).await;
    ok(&server, &subscriber, CANCEL, json!({ "id": first })).await;
    let expected = json!([
        { "id": first, "kind": "CREATED" },
        { "id": second, "kind": "CREATED" },
        { "id": first, "kind": "CANCELED" },
    ]);
    let period = |s: &Stay| json!({ "checkIn": s.0, "checkOut": s.1 });
    let config = json!({
        "lockUnitId": summit,
        "probe": period(&stays[2]),
        "lock": period(&stays[3]),
        "after": after,
        "expected": expected,
        "live": { "unitId": birch, "checkIn": stays[1].0, "checkOut": stays[1].1, "guests": 2 },
    })
    .to_string();
    let base = format!("http://{}", server.addr);
    let started = Instant::now();
    let output = run_node(
        &js,
        "client.mjs",
        &[&base, &config],
        &[("BERTH_TOKEN", &subscriber), ("BERTH_OTHER_TOKEN", &other)],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "client.mjs failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    eprintln!("client.mjs passed in {:?}: {stdout}", started.elapsed());
    let report: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("client.mjs printed no JSON ({e}): {stdout}"));
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["locks"]["acquired"]["kind"], "ACQUIRED", "{report}");
    let replayed: Vec<(&Value, &Value)> = report["resume"]["replayed"]
        .as_array()
        .expect("replayed")
        .iter()
        .map(|e| (&e["id"], &e["kind"]))
        .collect();
    let wanted: Vec<(&Value, &Value)> = expected
        .as_array()
        .expect("expected")
        .iter()
        .map(|e| (&e["id"], &e["kind"]))
        .collect();
    assert_eq!(replayed, wanted, "{report}");

    // Its sockets are closed, so the locks it took over them are gone; its live
    // booking is there.
    let listed = ok(&server, &subscriber, LOCKS, json!({})).await;
    assert_eq!(listed["locks"], json!([]), "{listed}");
    let live = &report["resume"]["live"]["id"];
    let found = ok(
        &server,
        &subscriber,
        "query($id: ID!) { reservation(id: $id) { state unit { id } } }",
        json!({ "id": live }),
    )
    .await;
    assert_eq!(
        found["reservation"]["unit"]["id"],
        birch.as_str(),
        "{found}"
    );
    server.stop();
}

/// graphql-transport-ws subscriptions to `lockEvents` are served by the server
/// itself (docs/decisions/0184); the protocol is the one async-graphql speaks:
/// `complete` ends one operation (answered with `complete`) and leaves the
/// others, an id can start a new operation once its own ended, and the id of a
/// query the server completed can start a subscription.
/// Runs a query over `socket` and waits for its answer. The server reads a
/// connection's messages in order and subscribes a shared field before
/// reading the next, so the subscriptions started before are live after it.
async fn answered(socket: &mut Socket) {
    start(socket, "z", LOCKS, json!({})).await;
    next_data(socket, "z").await;
    let done = receive(socket).await;
    assert_eq!(done, json!({ "type": "complete", "id": "z" }));
}

#[tokio::test]
async fn shared_subscriptions_over_graphql_transport_ws_follow_the_protocol() {
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(&url, &tenants_dir(), &[]);
    let (_, token) = demo_admin_session(&server).await;
    let units = unit_ids(&server, &token).await;
    let unit = units.values().next().expect("a unit");
    let [first, second] = [0, 1].map(|i| stays(2)[i].clone());
    let mut socket = signed_in_socket(&server, &token).await;
    start(&mut socket, "q", LOCKS, json!({})).await;
    next_data(&mut socket, "q").await;
    assert_eq!(
        receive(&mut socket).await,
        json!({ "type": "complete", "id": "q" })
    );
    for id in ["a", "q"] {
        start(&mut socket, id, LOCK_EVENTS, json!({})).await;
    }
    answered(&mut socket).await;
    let lock = acquire(&server, &token, unit, &first).await;
    let mut seen = vec![];
    for _ in 0..2 {
        let message = receive(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["payload"]["data"]["lockEvents"]["kind"], "ACQUIRED");
        assert_eq!(
            message["payload"]["data"]["lockEvents"]["lock"]["id"],
            lock["id"]
        );
        seen.push(message["id"].as_str().unwrap().to_owned());
    }
    seen.sort();
    assert_eq!(seen, ["a", "q"]);

    send(&mut socket, json!({ "type": "complete", "id": "a" })).await;
    assert_eq!(
        receive(&mut socket).await,
        json!({ "type": "complete", "id": "a" })
    );
    let other = acquire(&server, &token, unit, &second).await;
    assert_eq!(
        lock_event(&mut socket, "q", &other["id"], "ACQUIRED").await["lock"]["id"],
        other["id"]
    );
    let quiet = tokio::time::timeout(Duration::from_millis(300), receive(&mut socket)).await;
    assert!(quiet.is_err(), "nothing more for the ended one: {quiet:?}");

    // The ended id starts a new operation: each event once per operation.
    start(&mut socket, "a", LOCK_EVENTS, json!({})).await;
    answered(&mut socket).await;
    ok(&server, &token, RELEASE, json!({ "id": other["id"] })).await;
    let mut seen = vec![];
    for _ in 0..2 {
        let message = receive(&mut socket).await;
        assert_eq!(
            message["payload"]["data"]["lockEvents"]["kind"], "RELEASED",
            "{message}"
        );
        seen.push(message["id"].as_str().unwrap().to_owned());
    }
    seen.sort();
    assert_eq!(seen, ["a", "q"]);
    let quiet = tokio::time::timeout(Duration::from_millis(300), receive(&mut socket)).await;
    assert!(quiet.is_err(), "each event once per operation: {quiet:?}");
    server.stop();
}
