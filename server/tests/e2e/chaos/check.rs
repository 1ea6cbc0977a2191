//! The invariants, held against what the database answers over GraphQL after a
//! round (faults over, the load stopped, lost bookings retried): each check
//! returns what it found wrong, so that a round reports every violation at once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::client::{Answer, call, read_patiently};
use super::history::{History, Outcome, Stay};
use super::load::Units;
use super::receiver::Inbox;
use super::socket::Socket;

/// A reservation as the database has it.
#[derive(Debug)]
pub(crate) struct Stored {
    pub(crate) id: String,
    pub(crate) key: String,
    pub(crate) unit: String,
    pub(crate) active: bool,
    pub(crate) stay: Stay,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) quantity: i64,
}

/// An event of the outbox.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) entity: String,
    pub(crate) cursor: String,
    /// The writer's clock when it began the write (before its commit).
    pub(crate) at: DateTime<Utc>,
    /// The entity after the write.
    pub(crate) payload: Value,
}

/// What the database holds, read over GraphQL.
pub(crate) struct Snapshot {
    pub(crate) reservations: Vec<Stored>,
    /// Events after the run's first cursor, in the order `events` gives them.
    pub(crate) events: Vec<Event>,
    /// Audit entries per reservation id.
    pub(crate) audit: HashMap<String, u32>,
}

const PATIENCE: Duration = Duration::from_secs(60);

/// Every page of a connection: `field`'s edges' nodes. Pages of 100: a page
/// costs its selection times its size against the complexity limit (2,000).
async fn all(addr: &str, token: &str, query: &str, field: &str, mut vars: Value) -> Vec<Value> {
    let mut nodes = Vec::new();
    loop {
        let data = read_patiently(addr, token, query, vars.clone(), PATIENCE).await;
        let connection = &data[field];
        for edge in connection["edges"].as_array().expect("edges") {
            nodes.push(edge["node"].clone());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        vars["after"] = connection["pageInfo"]["endCursor"].clone();
    }
}

/// The cursor of the last event so far.
pub(crate) async fn last_cursor(addr: &str, token: &str) -> Option<String> {
    let query = "query($after: String) { events(after: $after, first: 100) {
        edges { node { cursor } } pageInfo { hasNextPage endCursor } } }";
    let events = all(addr, token, query, "events", json!({ "after": null })).await;
    events
        .last()
        .map(|e| e["cursor"].as_str().unwrap().to_owned())
}

/// Reads the reservations, the events after `since` and the reservations' audit entries.
pub(crate) async fn snapshot(addr: &str, token: &str, since: &str) -> Snapshot {
    let query = "query($after: String) { reservations(first: 100, after: $after,
        filter: { states: [HELD, CONFIRMED, CHECKED_IN, FINISHED, CANCELED, ABSENT] }) {
        edges { node { id notes state checkIn checkOut start end quantity unit { id } } }
        pageInfo { hasNextPage endCursor } } }";
    let reservations = all(addr, token, query, "reservations", json!({ "after": null }))
        .await
        .into_iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            let state = text("state");
            Stored {
                id: text("id"),
                key: text("notes"),
                unit: r["unit"]["id"].as_str().unwrap().to_owned(),
                active: matches!(state.as_str(), "HELD" | "CONFIRMED" | "CHECKED_IN"),
                stay: Stay {
                    check_in: text("checkIn"),
                    check_out: text("checkOut"),
                    canceled: state == "CANCELED",
                },
                start: text("start").parse().unwrap(),
                end: text("end").parse().unwrap(),
                quantity: r["quantity"].as_i64().unwrap(),
            }
        })
        .collect();
    let query = "query($after: String) { events(after: $after, first: 100) {
        edges { node { id kind entityId cursor at payload } } pageInfo { hasNextPage endCursor } } }";
    let events = all(addr, token, query, "events", json!({ "after": since }))
        .await
        .into_iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_owned();
            Event {
                id: text("id"),
                kind: text("kind"),
                entity: text("entityId"),
                cursor: text("cursor"),
                at: text("at").parse().expect("an event's at"),
                payload: e["payload"].clone(),
            }
        })
        .collect();
    let query = r#"query($after: String) { auditLog(first: 100, after: $after,
        filter: { entityType: "reservation" }) {
        edges { node { entityId } } pageInfo { hasNextPage endCursor } } }"#;
    let mut audit = HashMap::new();
    for entry in all(addr, token, query, "auditLog", json!({ "after": null })).await {
        *audit
            .entry(entry["entityId"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    Snapshot {
        reservations,
        events,
        audit,
    }
}

/// Acknowledged bookings exist exactly once, refused ones not at all, keys
/// converge, and each reservation is in a state its history allows.
pub(crate) fn bookings(history: &History, db: &Snapshot) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut by_key: HashMap<&str, Vec<&Stored>> = HashMap::new();
    for r in &db.reservations {
        by_key.entry(r.key.as_str()).or_default().push(r);
    }
    for (key, stored) in &by_key {
        if !history.bookings.contains_key(*key) {
            wrong.push(format!(
                "reservation {} with key {key:?} was never requested",
                stored[0].id
            ));
        }
        if stored.len() > 1 {
            wrong.push(format!("key {key}: {} reservations", stored.len()));
        }
    }
    for (key, booking) in &history.bookings {
        let acked: HashSet<&str> = booking
            .answers
            .iter()
            .filter_map(|o| match o {
                Outcome::Acked(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let refused = booking
            .answers
            .iter()
            .any(|o| matches!(o, Outcome::Refused(_)));
        let lost = booking.answers.iter().any(Outcome::is_lost);
        let stored = by_key
            .get(key.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        if acked.len() > 1 {
            wrong.push(format!("key {key} acknowledged as {acked:?}"));
        }
        // One attempt refused and another with the same key acknowledged is
        // allowed: a refusal writes nothing, so it does not bind the key, and
        // a copy sent at the same moment (or a retry) may pass once a
        // cancellation or a change has freed the unit between the two (seen
        // in CI on PostgreSQL: `[Acked(..), Refused("UNAVAILABLE")]`). What
        // must hold is below: one acknowledged id, stored exactly once; and
        // `refusals::explained` holds every UNAVAILABLE against the unit's
        // state while it was answered.
        if let Some(id) = acked.iter().next() {
            if !stored.iter().any(|r| r.id == *id) {
                wrong.push(format!(
                    "acknowledged booking {key} ({id}) is not in the database"
                ));
            }
        } else if refused && !lost && !stored.is_empty() {
            wrong.push(format!(
                "refused booking {key} exists: {:?}",
                booking.answers
            ));
        } else if let Some(r) = stored.first() {
            // Committed though its answer was lost: as requested, untouched since.
            if r.stay != booking.stay {
                wrong.push(format!(
                    "unacknowledged booking {key} is {:?}, asked {:?}",
                    r.stay, booking.stay
                ));
            }
        }
    }
    let by_id: HashMap<&str, &Stored> =
        db.reservations.iter().map(|r| (r.id.as_str(), r)).collect();
    for (id, tracked) in &history.reservations {
        if let Some(r) = by_id.get(id.as_str())
            && !tracked.allowed.contains(&r.stay)
        {
            wrong.push(format!(
                "reservation {id} is {:?}, history allows {:?}",
                r.stay, tracked.allowed
            ));
        }
    }
    wrong
}

/// No two active reservations of a unit of inventory 1 overlap, and the unit of
/// inventory 3 never holds more.
pub(crate) fn capacity(units: &Units, db: &Snapshot) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut inventory: HashMap<&str, i64> = units.cabins.iter().map(|c| (c.as_str(), 1)).collect();
    inventory.insert(&units.dorm, 3);
    inventory.insert(&units.lock_unit, 1);
    for (unit, limit) in inventory {
        let mut changes: Vec<(DateTime<Utc>, i64, &str)> = Vec::new();
        for r in db
            .reservations
            .iter()
            .filter(|r| r.active && r.unit == unit)
        {
            changes.push((r.start, r.quantity, &r.id));
            changes.push((r.end, -r.quantity, &r.id));
        }
        // At one instant, departures before arrivals.
        changes.sort_by_key(|(at, delta, _)| (*at, *delta));
        let mut load = 0;
        for (at, delta, id) in changes {
            load += delta;
            if load > limit {
                wrong.push(format!(
                    "unit {unit}: {load} taken of {limit} at {at} (with {id})"
                ));
            }
        }
    }
    wrong
}

/// An event cursor as a comparable pair (`txid-seq` on PostgreSQL, `seq` on SQLite).
fn cursor_key(cursor: &str) -> (i64, i64) {
    match cursor.split_once('-') {
        Some((txid, seq)) => (txid.parse().unwrap_or(-1), seq.parse().unwrap_or(-1)),
        None => (0, cursor.parse().unwrap_or(-1)),
    }
}

/// Events in strictly increasing cursor order, each once; every reservation
/// written has as many audit entries as events, as many as its acknowledged
/// changes (plus its creation) and at most as many as those and its lost ones.
pub(crate) fn events_and_audit(history: &History, db: &Snapshot) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut seen = HashSet::new();
    for pair in db.events.windows(2) {
        if cursor_key(&pair[0].cursor) >= cursor_key(&pair[1].cursor) {
            wrong.push(format!(
                "events out of order: {} then {}",
                pair[0].cursor, pair[1].cursor
            ));
        }
    }
    let mut per_entity: HashMap<&str, u32> = HashMap::new();
    for e in &db.events {
        if !seen.insert(e.id.as_str()) {
            wrong.push(format!("event {} listed twice", e.id));
        }
        if e.kind.starts_with("reservation.") {
            *per_entity.entry(e.entity.as_str()).or_insert(0) += 1;
        }
    }
    for r in &db.reservations {
        let events = per_entity.remove(r.id.as_str()).unwrap_or(0);
        let audit = db.audit.get(&r.id).copied().unwrap_or(0);
        if events != audit {
            wrong.push(format!(
                "reservation {}: {events} events, {audit} audit entries",
                r.id
            ));
        }
        let (least, most) = history
            .reservations
            .get(&r.id)
            .map_or((1, 1), |t| (1 + t.acked, 1 + t.acked + t.lost));
        if events < least || events > most {
            wrong.push(format!(
                "reservation {}: {events} events, expected {least} to {most}",
                r.id
            ));
        }
    }
    for (entity, n) in per_entity {
        wrong.push(format!(
            "{n} reservation events for {entity}, which does not exist"
        ));
    }
    wrong
}

/// The ids of the reservation events, in order.
pub(crate) fn reservation_events(db: &Snapshot) -> Vec<String> {
    db.events
        .iter()
        .filter(|e| e.kind.starts_with("reservation."))
        .map(|e| e.id.clone())
        .collect()
}

/// The subscriber received exactly `expected`, in order (`complete`), or so far a
/// prefix of it.
pub(crate) fn subscriber(received: &[String], expected: &[String], complete: bool) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut seen = HashSet::new();
    for id in received {
        if !seen.insert(id) {
            wrong.push(format!("subscriber received event {id} twice"));
        }
    }
    if received.len() > expected.len() || received != &expected[..received.len()] {
        let at = received.iter().zip(expected).position(|(a, b)| a != b);
        wrong.push(format!(
            "subscriber's events differ from the outbox at {at:?} ({} received, {} expected)",
            received.len(),
            expected.len()
        ));
    } else if complete && received.len() < expected.len() {
        wrong.push(format!(
            "subscriber missed events: {} received, {} expected",
            received.len(),
            expected.len()
        ));
    }
    wrong
}

/// Every message of one event carried one `webhook-id`; with `complete`, every
/// event reached the receiver.
pub(crate) fn webhooks(inbox: &Inbox, events: &[Event], complete: bool) -> Vec<String> {
    let mut wrong = Vec::new();
    for (event, ids) in &inbox.by_event {
        if ids.iter().any(|id| id != &ids[0]) {
            wrong.push(format!(
                "event {event} delivered under several webhook-ids: {ids:?}"
            ));
        }
    }
    if complete {
        let missing = events
            .iter()
            .filter(|e| !inbox.by_event.contains_key(&e.id))
            .count();
        if missing > 0 {
            wrong.push(format!(
                "{missing} of {} events never reached the webhook receiver",
                events.len()
            ));
        }
    }
    wrong
}

/// Every event of `events` has reached the receiver.
pub(crate) fn webhooks_done(inbox: &Inbox, events: &[Event]) -> bool {
    events.iter().all(|e| inbox.by_event.contains_key(&e.id))
}

/// The locks left held (by sessions of a killed process among them) are gone
/// once their lease is over: not listed, and another session may lock the
/// whole unit. Waits only until the last one's expiry (plus the expiry
/// worker's second).
pub(crate) async fn locks(
    history: &mut History,
    units: &Units,
    addr: &str,
    token: &str,
    other: &str,
) -> Vec<String> {
    let mut wrong = Vec::new();
    let held = std::mem::take(&mut history.held_locks);
    if let Some(last) = held.iter().map(|l| l.expires_at).max() {
        let wait = (last - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(1500);
        tokio::time::sleep(wait).await;
    }
    let listed = read_patiently(addr, token, "{ locks { id } }", json!({}), PATIENCE).await;
    let listed: HashSet<&str> = listed["locks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    for lock in &held {
        if listed.contains(lock.id.as_str()) {
            wrong.push(format!(
                "lock {} (held over {}) still listed after its lease ended at {}",
                lock.id, lock.via, lock.expires_at
            ));
        }
    }
    // A lease long enough to outlast a slow release on a loaded machine.
    let whole = call(
        addr,
        other,
        "mutation($unit: ID!) { acquireLock(input: { unitId: $unit }, ttlSeconds: 30) { id } }",
        json!({ "unit": units.lock_unit }),
    )
    .await;
    match whole {
        Answer::Ok(data) => {
            let id = data["acquireLock"]["id"].clone();
            read_patiently(
                addr,
                other,
                "mutation($id: ID!) { releaseLock(id: $id) { id } }",
                json!({ "id": id }),
                PATIENCE,
            )
            .await;
        }
        refused => wrong.push(format!(
            "the lock unit could not be locked after every lease ended: {refused:?} ({} left held)",
            held.len()
        )),
    }
    wrong
}

/// A lock taken over a WebSocket is released when its connection closes
/// normally: on each instance in turn, a whole-unit lock of the lock unit with
/// a 60 s lease is taken over a new connection, which is then closed; the lock
/// must leave `locks` as read on the next instance (the other one on
/// PostgreSQL) within 10 s — long before its lease could end it — and another
/// session must then lock the unit there.
pub(crate) async fn socket_release(
    units: &Units,
    instances: &[String],
    token: &str,
    other: &str,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for (n, addr) in instances.iter().enumerate() {
        let reader = &instances[(n + 1) % instances.len()];
        let mut socket = match Socket::open(addr, token).await {
            Ok(socket) => socket,
            Err(loss) => {
                wrong.push(format!("instance {n}: no WebSocket connection: {loss}"));
                continue;
            }
        };
        let answer = socket
            .call(
                "mutation($unit: ID!) { acquireLock(input: { unitId: $unit }, ttlSeconds: 60) { id } }",
                json!({ "unit": units.lock_unit }),
            )
            .await;
        let Answer::Ok(data) = answer else {
            wrong.push(format!(
                "instance {n}: the lock unit could not be locked over a WebSocket: {answer:?}"
            ));
            socket.close().await;
            continue;
        };
        let id = data["acquireLock"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        socket.close().await;
        let closed = std::time::Instant::now();
        loop {
            let listed =
                read_patiently(reader, token, "{ locks { id } }", json!({}), PATIENCE).await;
            let still = listed["locks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == id.as_str());
            if !still {
                break;
            }
            if closed.elapsed() > Duration::from_secs(10) {
                wrong.push(format!(
                    "instance {n}: lock {id} of a WebSocket closed normally still listed 10 s after the close (lease 60 s)"
                ));
                return wrong;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        match call(
            reader,
            other,
            "mutation($unit: ID!) { acquireLock(input: { unitId: $unit }, ttlSeconds: 30) { id } }",
            json!({ "unit": units.lock_unit }),
        )
        .await
        {
            Answer::Ok(data) => {
                read_patiently(
                    reader,
                    other,
                    "mutation($id: ID!) { releaseLock(id: $id) { id } }",
                    json!({ "id": data["acquireLock"]["id"].clone() }),
                    PATIENCE,
                )
                .await;
            }
            refused => wrong.push(format!(
                "instance {n}: after its WebSocket lock was released, another session could not lock the unit: {refused:?}"
            )),
        }
    }
    wrong
}
