//! Working at the same time: locks shown to everyone, conflicting edits refused
//! with LOCKED and the holder, and the event stream — `events` for polling, the
//! `lockEvents` and `reservationEvents(after)` subscriptions through
//! `schema.execute_stream`, and `lockEvents` and `policyEvents` through the
//! fan-out's shared renderings too (as the WebSocket transport serves them),
//! streamed or pushed into a connection's outbox.

use std::time::Duration;

use async_graphql::futures_util::{Stream, StreamExt};
use async_graphql::{Request, Response, Variables};
use berth_core::clock::Clock;
use berth_core::store::EventStore;
use berth_core::user::Role;
use berth_graphql::auth::BearerToken;
use serde_json::{Value, json};

use crate::support::{Api, api, code_of, response_code};

fn subscribe(
    api: &Api,
    token: &str,
    query: &str,
    variables: Value,
) -> impl Stream<Item = Response> + use<> {
    let request = Request::new(query)
        .variables(Variables::from_json(variables))
        .data(BearerToken(token.to_owned()));
    api.schema.execute_stream(request)
}

/// How a subscription is executed: on its own, or through the fan-out's
/// groups, rendered once for all subscribers of a tenant, role and operation.
#[derive(Clone, Copy, Debug)]
enum Via {
    Ordinary,
    Shared,
    /// Pushed into an outbox as graphql-transport-ws messages.
    Direct,
}

/// A subscription to `query` (no variables) executed `via`.
async fn subscribe_via(
    api: &Api,
    via: Via,
    token: &str,
    query: &str,
) -> async_graphql::futures_util::stream::BoxStream<'static, Response> {
    match via {
        Via::Ordinary => subscribe(api, token, query, json!({})).boxed(),
        Via::Shared => api
            .fan_out
            .subscribe(&Request::new(query), token, None)
            .await
            .expect("a shared subscription"),
        Via::Direct => direct(api, token, query, 64).await,
    }
}

/// A direct subscription (operation id `op-1`) into an outbox of `room`
/// messages, read back as a stream of responses: each `next` message's
/// payload, until `complete`.
async fn direct(
    api: &Api,
    token: &str,
    query: &str,
    room: usize,
) -> async_graphql::futures_util::stream::BoxStream<'static, Response> {
    let (out, messages) = tokio::sync::mpsc::channel::<String>(room);
    let subscription = api
        .fan_out
        .subscribe_direct(
            &Request::new(query),
            token,
            None,
            "op-1",
            std::sync::Arc::new(out),
        )
        .await
        .expect("a direct subscription");
    read_outbox(messages, subscription).boxed()
}

/// The responses in an outbox's messages (the subscription kept while read).
fn read_outbox(
    messages: tokio::sync::mpsc::Receiver<String>,
    subscription: berth_graphql::fan_out::DirectSubscription,
) -> impl Stream<Item = Response> + Send + 'static {
    async_graphql::futures_util::stream::unfold(
        Some((messages, subscription)),
        |state| async move {
            let (mut messages, subscription) = state?;
            let text = messages.recv().await?;
            // Read straight from the text: the payload's fields keep their order.
            #[derive(serde::Deserialize)]
            struct Message {
                #[serde(rename = "type")]
                kind: String,
                id: String,
                payload: Option<Response>,
            }
            let message: Message = serde_json::from_str(&text).unwrap();
            assert_eq!(message.id, "op-1", "{text}");
            match (message.kind.as_str(), message.payload) {
                ("next", Some(response)) => Some((response, Some((messages, subscription)))),
                ("complete", None) => None,
                _ => panic!("an unexpected message: {text}"),
            }
        },
    )
}

/// The next message of a subscription, as JSON data (within 10 s).
async fn next<S: Stream<Item = Response> + Unpin>(stream: &mut S) -> Value {
    let response = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event in time")
        .expect("the stream goes on");
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().unwrap()
}

/// Lets a live-only subscription start (a stream runs its resolver when first
/// polled; only what happens after that is live).
async fn started<S: Stream<Item = Response> + Unpin>(stream: &mut S) {
    let quiet = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
    assert!(quiet.is_err(), "nothing has happened yet: {quiet:?}");
}

const ACQUIRE: &str = r#"mutation($unit: ID!, $in: Date!, $out: Date!) {
    acquireLock(input: { unitId: $unit, period: { checkIn: $in, checkOut: $out } }) {
        id start end expiresAt holder { displayName session userId } } }"#;

#[tokio::test]
async fn admins_see_each_others_locks_and_conflicting_edits_are_refused() {
    let api = api().await;
    let ada = api.token("alpine-cabins", Role::Admin);
    let bob = api.token("alpine-cabins", Role::Staff);
    let cabin = api.cabin.id.to_string();
    let mut bobs_view = Box::pin(subscribe(
        &api,
        &bob,
        "subscription { lockEvents { kind lock { id holder { displayName } } } }",
        json!({}),
    ));
    started(&mut bobs_view).await;

    let lock = api
        .ok_as(
            &ada,
            ACQUIRE,
            json!({ "unit": cabin, "in": "2026-11-10", "out": "2026-11-12" }),
        )
        .await["acquireLock"]
        .clone();
    assert_eq!(
        lock["holder"]["displayName"],
        "admin@alpine-cabins.example.org"
    );
    let seen = next(&mut bobs_view).await;
    assert_eq!(seen["lockEvents"]["kind"], "ACQUIRED");
    assert_eq!(seen["lockEvents"]["lock"]["id"], lock["id"]);
    let listed = api
        .ok_as(&bob, "{ locks { id holder { displayName } } }", json!({}))
        .await;
    assert_eq!(listed["locks"][0]["id"], lock["id"]);

    // Bob's overlapping lock and booking are refused, naming Ada.
    let answer = api
        .run_as(
            Some(&bob),
            ACQUIRE,
            json!({ "unit": cabin, "in": "2026-11-11", "out": "2026-11-13" }),
        )
        .await;
    assert_eq!(code_of(&answer), "LOCKED");
    assert_eq!(
        answer.1[0].1["holder"]["displayName"],
        "admin@alpine-cabins.example.org"
    );
    assert_eq!(answer.1[0].1["holder"]["lockId"], lock["id"]);
    let book =
        r#"mutation($input: CreateReservationInput!) { createReservation(input: $input) { id } }"#;
    let input = json!({ "unitId": cabin, "guests": 2,
        "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-12" } });
    let answer = api
        .run_as(Some(&bob), book, json!({ "input": input }))
        .await;
    assert_eq!(code_of(&answer), "LOCKED");

    // Ada books under her own lock and consumes it.
    let mut with_lock = input.clone();
    with_lock["lockId"] = lock["id"].clone();
    api.ok_as(&ada, book, json!({ "input": with_lock })).await;
    let released = next(&mut bobs_view).await;
    assert_eq!(released["lockEvents"]["kind"], "RELEASED");
    assert_eq!(
        api.ok_as(&bob, "{ locks { id } }", json!({})).await["locks"],
        json!([])
    );

    // Heartbeats and release.
    let second = api
        .ok_as(
            &ada,
            ACQUIRE,
            json!({ "unit": cabin, "in": "2026-11-20", "out": "2026-11-22" }),
        )
        .await["acquireLock"]["id"]
        .clone();
    assert_eq!(next(&mut bobs_view).await["lockEvents"]["kind"], "ACQUIRED");
    api.clock.advance(chrono::Duration::seconds(20));
    api.ok_as(
        &ada,
        r#"mutation($id: ID!) { renewLock(id: $id, ttlSeconds: 30) { expiresAt } }"#,
        json!({ "id": second }),
    )
    .await;
    assert_eq!(next(&mut bobs_view).await["lockEvents"]["kind"], "RENEWED");
    let answer = api
        .run_as(
            Some(&bob),
            r#"mutation($id: ID!) { releaseLock(id: $id) { id } }"#,
            json!({ "id": second }),
        )
        .await;
    assert_eq!(code_of(&answer), "NOT_FOUND", "only the holder releases");
    api.ok_as(
        &ada,
        r#"mutation($id: ID!) { releaseLock(id: $id) { id } }"#,
        json!({ "id": second }),
    )
    .await;
    assert_eq!(next(&mut bobs_view).await["lockEvents"]["kind"], "RELEASED");
}

#[tokio::test]
async fn reservation_events_resume_from_a_cursor_without_gaps_or_repeats() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let book = |check_in: &str, check_out: &str| {
        json!({ "input": { "unitId": api.cabin.id.to_string(), "guests": 2,
            "period": { "checkIn": check_in, "checkOut": check_out } } })
    };
    let create =
        r#"mutation($input: CreateReservationInput!) { createReservation(input: $input) { id } }"#;
    let first = api
        .ok_as(&staff, create, book("2026-11-10", "2026-11-12"))
        .await["createReservation"]["id"]
        .clone();
    // The polling view: the cursor of that booking's event.
    let events = api
        .ok_as(
            &staff,
            "{ events(first: 200) { edges { cursor node { kind entityId } } } }",
            json!({}),
        )
        .await;
    let cursor = events["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["node"]["entityId"] == first)
        .unwrap()["cursor"]
        .clone();
    // Filtered by kind, the same booking is the only event of its kind.
    let created = api
        .ok_as(
            &staff,
            r#"{ events(first: 200, kinds: ["reservation.created"]) { edges { node { kind entityId } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        created["events"]["edges"],
        json!([{ "node": { "kind": "reservation.created", "entityId": first } }])
    );
    let bad = api
        .run_as(
            Some(&staff),
            r#"{ events(kinds: ["reservation.nope"]) { edges { cursor } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code_of(&bad), "INVALID_INPUT");
    assert!(bad.1[0].0.starts_with("kinds:"), "{bad:?}");
    // Missed while away: a cancellation and a new booking.
    api.ok_as(
        &staff,
        r#"mutation($id: ID!) { cancelReservation(id: $id) { id } }"#,
        json!({ "id": first }),
    )
    .await;
    let second = api
        .ok_as(&staff, create, book("2026-11-20", "2026-11-22"))
        .await["createReservation"]["id"]
        .clone();

    let mut resumed = Box::pin(subscribe(
        &api,
        &staff,
        r#"subscription($after: String) { reservationEvents(after: $after) { cursor kind reservation { id state } } }"#,
        json!({ "after": cursor }),
    ));
    let a = next(&mut resumed).await["reservationEvents"].clone();
    assert_eq!(
        (a["kind"].clone(), a["reservation"]["id"].clone()),
        (json!("CANCELED"), first)
    );
    let b = next(&mut resumed).await["reservationEvents"].clone();
    assert_eq!(
        (b["kind"].clone(), b["reservation"]["id"].clone()),
        (json!("CREATED"), second.clone())
    );
    // Then live.
    api.ok_as(
        &staff,
        r#"mutation($id: ID!) { checkIn(id: $id) { id } }"#,
        json!({ "id": second }),
    )
    .await;
    let c = next(&mut resumed).await["reservationEvents"].clone();
    assert_eq!(c["kind"], "STATE_CHANGED");
    assert_eq!(c["reservation"]["state"], "CHECKED_IN");
    assert!(a["cursor"].as_str() < c["cursor"].as_str() || a["cursor"] != c["cursor"]);

    // Another tenant's subscriber sees none of it; a viewer may subscribe, an
    // anonymous caller may not.
    let anonymous = Request::new("subscription { reservationEvents { kind } }");
    let mut refused = Box::pin(api.schema.execute_stream(anonymous));
    let answer = refused.next().await.unwrap();
    assert_eq!(response_code(&answer), "UNAUTHENTICATED");
    let bad = subscribe(
        &api,
        &staff,
        "subscription { reservationEvents(after: \"nope\") { kind } }",
        json!({}),
    );
    let answer = Box::pin(bad).next().await.unwrap();
    assert!(!answer.errors.is_empty());
}

#[tokio::test]
async fn policy_events_reach_admins_only() {
    use berth_core::store::NewEvent;
    let api = api().await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let staff = api.token("alpine-cabins", Role::Staff);
    let query = "subscription { policyEvents { kind version errors } }";
    let answer = Box::pin(subscribe(&api, &staff, query, json!({})))
        .next()
        .await
        .unwrap();
    assert_eq!(response_code(&answer), "FORBIDDEN");
    let mut stream = Box::pin(subscribe(&api, &admin, query, json!({})));
    started(&mut stream).await;
    let refused = NewEvent {
        kind: berth_core::event::EventKind::PolicyRejected,
        entity_type: "policy".into(),
        entity_id: api.alpine.id.as_uuid(),
        action: "reject".into(),
        payload: json!({ "errors": ["tenant.yaml:3:7: unknown field `modle`"] }),
        at: api.clock.now(),
    };
    api.store
        .record_event(api.alpine.id, refused, &berth_core::audit::Actor::System)
        .await
        .unwrap();
    let event = next(&mut stream).await;
    assert_eq!(
        event["policyEvents"],
        json!({ "kind": "REJECTED", "version": null, "errors": ["tenant.yaml:3:7: unknown field `modle`"] })
    );
}

/// The message that ends a subscription: its error code, then nothing more.
async fn ended_with<S: Stream<Item = Response> + Unpin>(stream: &mut S) -> String {
    let response = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("a message in time")
        .expect("a last message");
    let code = response_code(&response);
    let after = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the end in time");
    assert!(
        after.is_none(),
        "the stream ends after its refusal: {after:?}"
    );
    code
}

/// A subscription outlives no change to its caller: disabling the user, a role
/// below the subscription's, or revoking the key ends the stream with the
/// refusal a new request would get; other users' changes do not touch it.
#[tokio::test]
async fn subscriptions_end_when_their_caller_may_no_longer_listen() {
    callers_checked_again(Via::Ordinary).await;
}

/// The same through the shared renderings: each subscriber's own checks.
#[tokio::test]
async fn shared_subscriptions_end_when_their_caller_may_no_longer_listen() {
    callers_checked_again(Via::Shared).await;
}

/// The same pushed into an outbox: the refusal, then `complete`.
#[tokio::test]
async fn direct_subscriptions_end_when_their_caller_may_no_longer_listen() {
    callers_checked_again(Via::Direct).await;
}

async fn callers_checked_again(via: Via) {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let update = "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }";
    let (staff_id, staff) = api
        .signed_in_user(&owner, "sub.staff@example.org", "STAFF")
        .await;
    let (admin_id, admin) = api
        .signed_in_user(&owner, "sub.admin@example.org", "ADMIN")
        .await;
    let mut locks = subscribe_via(&api, via, &staff, "subscription { lockEvents { kind } }").await;
    let mut policy =
        subscribe_via(&api, via, &admin, "subscription { policyEvents { kind } }").await;
    started(&mut locks).await;
    started(&mut policy).await;

    // Another user's change passes by; the staff subscriber still gets events.
    api.ok_as(
        &owner,
        update,
        json!({ "id": admin_id, "input": { "role": "ADMIN" } }),
    )
    .await;
    api.signed_in_user(&owner, "sub.other@example.org", "VIEWER")
        .await;
    let cabin = api.cabin.id.to_string();
    api.ok_as(
        &owner,
        ACQUIRE,
        json!({ "unit": cabin, "in": "2026-12-01", "out": "2026-12-03" }),
    )
    .await;
    assert_eq!(next(&mut locks).await["lockEvents"]["kind"], "ACQUIRED");

    // Disabled: UNAUTHENTICATED, and the end.
    api.ok_as(
        &owner,
        update,
        json!({ "id": staff_id, "input": { "disabled": true } }),
    )
    .await;
    assert_eq!(ended_with(&mut locks).await, "UNAUTHENTICATED");
    // Demoted below the subscription's role: FORBIDDEN, and the end.
    api.ok_as(
        &owner,
        update,
        json!({ "id": admin_id, "input": { "role": "STAFF" } }),
    )
    .await;
    assert_eq!(ended_with(&mut policy).await, "FORBIDDEN");

    // An API key's subscription ends when the key is revoked.
    let key = api
        .ok_as(
            &owner,
            r#"mutation { createApiKey(name: "listener") { key apiKey { id } } }"#,
            json!({}),
        )
        .await["createApiKey"]
        .clone();
    let mut keyed = subscribe_via(
        &api,
        via,
        key["key"].as_str().unwrap(),
        "subscription { lockEvents { kind } }",
    )
    .await;
    started(&mut keyed).await;
    api.ok_as(
        &owner,
        "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
        json!({ "id": key["apiKey"]["id"] }),
    )
    .await;
    assert_eq!(ended_with(&mut keyed).await, "UNAUTHENTICATED");
}

/// A stream opened with a session token ends when the token expires: the
/// subscriber hears UNAUTHENTICATED and must sign in again.
#[tokio::test]
async fn a_subscription_ends_when_its_session_expires() {
    session_expiry_ends(Via::Ordinary).await;
}

#[tokio::test]
async fn a_shared_subscription_ends_when_its_session_expires() {
    session_expiry_ends(Via::Shared).await;
}

#[tokio::test]
async fn a_direct_subscription_ends_when_its_session_expires() {
    session_expiry_ends(Via::Direct).await;
}

/// A direct subscriber whose outbox stays full is dropped by its group and
/// told so (INTERNAL, subscribe again) once there is room; the group's other
/// members go on.
#[tokio::test]
async fn a_direct_subscriber_that_falls_behind_is_ended() {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let query = "subscription { lockEvents { kind } }";
    let (out, messages) = tokio::sync::mpsc::channel::<String>(1);
    let slow = api
        .fan_out
        .subscribe_direct(
            &Request::new(query),
            &viewer,
            None,
            "op-1",
            std::sync::Arc::new(out),
        )
        .await
        .unwrap();
    let mut other = subscribe_via(&api, Via::Direct, &viewer, query).await;
    assert_eq!(api.fan_out.groups(), 1);
    let cabin = api.cabin.id.to_string();
    for (check_in, check_out) in [("2026-12-01", "2026-12-03"), ("2026-12-05", "2026-12-07")] {
        api.ok_as(
            &owner,
            ACQUIRE,
            json!({ "unit": cabin, "in": check_in, "out": check_out }),
        )
        .await;
        assert_eq!(next(&mut other).await["lockEvents"]["kind"], "ACQUIRED");
    }
    // Read only now: the first event, then the end.
    let mut slow = Box::pin(read_outbox(messages, slow));
    assert_eq!(next(&mut slow).await["lockEvents"]["kind"], "ACQUIRED");
    assert_eq!(ended_with(&mut slow).await, "INTERNAL");
    api.ok_as(
        &owner,
        ACQUIRE,
        json!({ "unit": cabin, "in": "2026-12-09", "out": "2026-12-11" }),
    )
    .await;
    assert_eq!(next(&mut other).await["lockEvents"]["kind"], "ACQUIRED");
}

async fn session_expiry_ends(via: Via) {
    let api = api().await;
    let (_, _, staff) = api
        .users
        .iter()
        .find(|(slug, role, _)| slug == "alpine-cabins" && *role == Role::Staff)
        .unwrap()
        .clone();
    // A token issued 12 hours less a second ago: it expires a second from now.
    let issued = api.clock.now() - chrono::Duration::hours(12) + chrono::Duration::seconds(1);
    let expiring = api.auth.issue(&staff, issued).unwrap();
    let mut stream =
        subscribe_via(&api, via, &expiring, "subscription { lockEvents { kind } }").await;
    assert_eq!(ended_with(&mut stream).await, "UNAUTHENTICATED");
}

/// With event retention, a cursor from before the deleted events is refused
/// (INVALID_INPUT naming `after`), by the polling query and the subscription
/// alike; one from after them reads on.
#[tokio::test]
async fn a_cursor_from_before_deleted_events_is_refused() {
    use berth_core::store::EventRetentionStore as _;

    let api = api().await;
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let page = "query($after: String) { events(after: $after, first: 200) { edges { cursor } } }";
    let all = api.ok_as(&viewer, page, json!({})).await;
    let cursors: Vec<String> = all["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"].as_str().unwrap().to_owned())
        .collect();
    assert!(cursors.len() >= 2, "{cursors:?}");
    // Everything written so far is past a period (no webhook reads them).
    let later = api.clock.now() + chrono::Duration::days(1);
    let pruned = api
        .store
        .prune_events(api.alpine.id, later, 1_000)
        .await
        .unwrap();
    assert_eq!(pruned as usize, cursors.len());
    let old = json!({ "after": cursors[0] });
    let answer = api.run_as(Some(&viewer), page, old.clone()).await;
    assert_eq!(code_of(&answer), "INVALID_INPUT", "{answer:?}");
    assert!(answer.1[0].0.contains("after"), "{answer:?}");
    let mut stream = Box::pin(subscribe(
        &api,
        &viewer,
        "subscription($after: String) { reservationEvents(after: $after) { cursor } }",
        old,
    ));
    let refused = stream.next().await.unwrap();
    assert_eq!(response_code(&refused), "INVALID_INPUT");
    // From the newest deleted position on, nothing is missing.
    let newest = json!({ "after": cursors.last().unwrap() });
    let rest = api.ok_as(&viewer, page, newest).await;
    assert_eq!(rest["events"]["edges"], json!([]));
}

/// Shared renderings keep each viewer's access exact: one rendering per
/// tenant, role and operation; a subscriber hears its own tenant only; a role
/// too low for the field, or a field with a cursor, is not served by a group
/// (the ordinary execution answers it); what a group sends is what the
/// ordinary execution sends, byte for byte; and one member's refusal (even the
/// member that started the group) leaves the others listening.
#[tokio::test]
async fn shared_renderings_keep_each_viewers_access() {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let update = "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }";
    let query = "subscription { lockEvents { kind lock { id unitId holder { displayName } } } }";
    let (viewer_id, viewer) = api
        .signed_in_user(&owner, "shared.viewer@example.org", "VIEWER")
        .await;
    let other_viewer = api.token("alpine-cabins", Role::Viewer);
    let admin = api.token("alpine-cabins", Role::Admin);
    let summit = api.token("summit-tours", Role::Admin);

    let mut ordinary = Box::pin(subscribe(&api, &other_viewer, query, json!({})));
    started(&mut ordinary).await;
    // The first viewer starts the group; the second joins it.
    let mut first = subscribe_via(&api, Via::Shared, &viewer, query).await;
    let mut second = subscribe_via(&api, Via::Shared, &other_viewer, query).await;
    let mut admins = subscribe_via(&api, Via::Shared, &admin, query).await;
    let mut elsewhere = subscribe_via(&api, Via::Shared, &summit, query).await;
    // Pushed into an outbox: the same group, the same payload.
    let mut pushed = subscribe_via(&api, Via::Direct, &other_viewer, query).await;
    assert_eq!(
        api.fan_out.groups(),
        3,
        "alpine-cabins' viewers share one; its admins and summit-tours' one each"
    );
    let not_shared = |query: &'static str| {
        let fan_out = api.fan_out.clone();
        let viewer = viewer.clone();
        async move {
            fan_out
                .subscribe(&Request::new(query), &viewer, None)
                .await
                .is_none()
        }
    };
    assert!(not_shared("subscription { policyEvents { kind } }").await);
    assert!(not_shared("subscription { reservationEvents { kind } }").await);
    assert!(not_shared("subscription { locks: lockEvents { kind } policyEvents { kind } }").await);

    let cabin = api.cabin.id.to_string();
    api.ok_as(
        &owner,
        ACQUIRE,
        json!({ "unit": cabin, "in": "2026-12-01", "out": "2026-12-03" }),
    )
    .await;
    let expected = serde_json::to_string(
        &tokio::time::timeout(Duration::from_secs(10), ordinary.next())
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert!(expected.contains(r#""kind":"ACQUIRED""#), "{expected}");
    for stream in [&mut first, &mut second, &mut admins, &mut pushed] {
        let shared = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(serde_json::to_string(&shared).unwrap(), expected);
    }
    let quiet = tokio::time::timeout(Duration::from_millis(300), elsewhere.next()).await;
    assert!(quiet.is_err(), "another tenant's lock: {quiet:?}");

    // The group's first member is disabled: it alone ends.
    api.ok_as(
        &owner,
        update,
        json!({ "id": viewer_id, "input": { "disabled": true } }),
    )
    .await;
    assert_eq!(ended_with(&mut first).await, "UNAUTHENTICATED");
    api.ok_as(
        &owner,
        ACQUIRE,
        json!({ "unit": cabin, "in": "2026-12-05", "out": "2026-12-07" }),
    )
    .await;
    assert_eq!(next(&mut second).await["lockEvents"]["kind"], "ACQUIRED");
    assert_eq!(next(&mut admins).await["lockEvents"]["kind"], "ACQUIRED");
    let quiet = tokio::time::timeout(Duration::from_millis(300), elsewhere.next()).await;
    assert!(quiet.is_err(), "another tenant's lock: {quiet:?}");
}
