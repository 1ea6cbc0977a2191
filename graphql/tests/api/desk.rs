//! The front desk's API through `schema.execute`: staff blocks (`blockUnit`,
//! `unblockUnit`), booking anyway (`overrideReason`), the board, the previews
//! (`quoteChange`, `Reservation.cancellationRefund`) and `boardEvents` — roles,
//! codes and shapes. Roles of the root fields are also in the role matrix
//! (roles.yaml), their ids in the cross-tenant sweep, their audit entries in
//! audited.yaml.

use std::collections::BTreeMap;
use std::time::Duration;

use async_graphql::futures_util::StreamExt;
use async_graphql::{Request, Variables};
use berth_core::user::Role;
use berth_graphql::auth::BearerToken;
use serde_json::{Value, json};

use crate::support::{Api, Backend, api, api_on, code_of, on_both_stores};

on_both_stores!(staff_block_and_lift_units_with_reasons_and_refusals);

const BLOCK: &str = r#"mutation($unit: ID!, $p: PeriodInput!, $reason: String!) {
    blockUnit(input: { unitId: $unit, period: $p, reason: $reason }) {
        id unitId source reason createdBy manual start end firstDay endDay } }"#;

const BOOK: &str = r#"mutation($input: CreateReservationInput!) {
    createReservation(input: $input) {
        id state price { amount currency } version
        policyOverride { reason violations { code message } by at } } }"#;

fn nights(a: &str, b: &str) -> Value {
    json!({ "checkIn": a, "checkOut": b })
}

async fn staff_block_and_lift_units_with_reasons_and_refusals(backend: Backend) {
    let api = api_on(backend).await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let cabin = api.cabin.id.to_string();
    let vars = |p: Value, reason: &str| json!({ "unit": cabin, "p": p, "reason": reason });

    let (_, errors) = api
        .run_as(
            Some(&viewer),
            BLOCK,
            vars(nights("2026-12-01", "2026-12-03"), "x"),
        )
        .await;
    assert_eq!(errors[0].1["code"], "FORBIDDEN");
    for bad in ["", "   ", &"x".repeat(501)] {
        let answer = api
            .run_as(
                Some(&staff),
                BLOCK,
                vars(nights("2026-12-01", "2026-12-03"), bad),
            )
            .await;
        assert_eq!(code_of(&answer), "INVALID_INPUT", "{bad:?}");
    }
    let block = api
        .ok_as(
            &staff,
            BLOCK,
            vars(nights("2026-12-01", "2026-12-03"), "new roof"),
        )
        .await["blockUnit"]
        .clone();
    assert_eq!(block["manual"], true);
    assert_eq!(block["source"], "@staff");
    assert_eq!(block["reason"], "new roof");
    assert_eq!(block["createdBy"], "staff@alpine-cabins.example.org");
    assert_eq!(block["firstDay"], "2026-12-01");
    assert_eq!(
        block["start"], "2026-12-01T14:00:00+00:00",
        "15:00 in Zurich"
    );
    let listed = api
        .ok_as(
            &viewer,
            r#"query($unit: ID!) { calendarBlocks(unitId: $unit) { id manual reason createdBy } }"#,
            json!({ "unit": cabin }),
        )
        .await;
    assert_eq!(listed["calendarBlocks"][0]["id"], block["id"]);
    // Booking the blocked nights: UNAVAILABLE, as for an imported block.
    let (_, errors) = api
        .run_as(
            Some(&staff),
            BOOK,
            json!({ "input": { "unitId": cabin, "guests": 2, "period": nights("2026-12-01", "2026-12-03") } }),
        )
        .await;
    assert_eq!(errors[0].1["code"], "UNAVAILABLE");

    // Over a stay: UNAVAILABLE, naming it.
    let stay = api
        .ok_as(
            &staff,
            r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 2,
                 period: { checkIn: "2026-12-08", checkOut: "2026-12-10" },
                 client: { name: "Grace Hopper" } }) { id } }"#,
            json!({ "unit": cabin }),
        )
        .await["createReservation"]["id"]
        .clone();
    let (_, errors) = api
        .run_as(
            Some(&staff),
            BLOCK,
            vars(nights("2026-12-09", "2026-12-11"), "painting"),
        )
        .await;
    assert_eq!(errors[0].1["code"], "UNAVAILABLE");
    assert_eq!(errors[0].1["reservationId"], stay);
    assert!(errors[0].0.contains("Grace Hopper"), "{}", errors[0].0);
    assert!(
        errors[0].0.contains("2026-12-08 to 2026-12-10"),
        "{}",
        errors[0].0
    );

    // Over another user's lock: LOCKED with the holder.
    let admin = api.token("alpine-cabins", Role::Admin);
    api.ok_as(
        &admin,
        r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit,
             period: { checkIn: "2026-12-14", checkOut: "2026-12-16" } }, ttlSeconds: 600) { id } }"#,
        json!({ "unit": cabin }),
    )
    .await;
    let (_, errors) = api
        .run_as(
            Some(&staff),
            BLOCK,
            vars(nights("2026-12-15", "2026-12-17"), "painting"),
        )
        .await;
    assert_eq!(errors[0].1["code"], "LOCKED");
    assert_eq!(
        errors[0].1["holder"]["displayName"],
        "admin@alpine-cabins.example.org"
    );

    // Lifting: viewers may not; imported blocks are their import's.
    let unblock = r#"mutation($id: ID!) { unblockUnit(id: $id) { id manual reason } }"#;
    let (_, errors) = api
        .run_as(Some(&viewer), unblock, json!({ "id": block["id"] }))
        .await;
    assert_eq!(errors[0].1["code"], "FORBIDDEN");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@x\r\n\
               DTSTART;VALUE=DATE:20261220\r\nDTEND;VALUE=DATE:20261222\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let imported = api
        .ok_as(
            &admin,
            r#"mutation($unit: ID!, $ics: String!) { importCalendar(unitId: $unit, ics: $ics, source: "airbnb") {
                 blocks { id manual reason createdBy } } }"#,
            json!({ "unit": cabin, "ics": ics }),
        )
        .await["importCalendar"]["blocks"][0]
        .clone();
    assert_eq!(imported["manual"], false);
    assert_eq!(imported["reason"], Value::Null);
    let (_, errors) = api
        .run_as(Some(&staff), unblock, json!({ "id": imported["id"] }))
        .await;
    assert_eq!(errors[0].1["code"], "INVALID_INPUT");
    let (_, errors) = api
        .run_as(Some(&staff), unblock, json!({ "id": "not-an-id" }))
        .await;
    assert_eq!(errors[0].1["code"], "INVALID_INPUT");
    let lifted = api
        .ok_as(&staff, unblock, json!({ "id": block["id"] }))
        .await;
    assert_eq!(lifted["unblockUnit"]["reason"], "new roof");
    let (_, errors) = api
        .run_as(Some(&staff), unblock, json!({ "id": block["id"] }))
        .await;
    assert_eq!(errors[0].1["code"], "NOT_FOUND");
    // Both are in the event stream, with webhooks' kinds.
    let events = api
        .ok_as(
            &viewer,
            r#"{ events(first: 200, kinds: ["block.*"]) { edges { node { kind entityId } } } }"#,
            json!({}),
        )
        .await;
    let kinds: Vec<_> = events["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["block.created", "block.removed"]);
}

#[tokio::test]
async fn admins_book_anyway_with_a_reason_and_others_see_the_refusal() {
    let api = api().await;
    let cabin = api.cabin.id.to_string();
    // One night inside the cabins' two-night minimum.
    let one_night = |reason: Option<&str>| {
        json!({ "input": { "unitId": cabin, "guests": 2, "period": nights("2026-11-10", "2026-11-11"),
            "overrideReason": reason } })
    };
    let quote = api
        .ok_as(
            &api.token("alpine-cabins", Role::Viewer),
            r#"query($unit: ID!) { quote(tenant: "alpine-cabins", input: { unitId: $unit, guests: 2,
                 period: { checkIn: "2026-11-10", checkOut: "2026-11-11" } }) {
                 available overridable violations { code } } }"#,
            json!({ "unit": cabin }),
        )
        .await;
    assert_eq!(
        quote["quote"],
        json!({ "available": false, "overridable": true, "violations": [{ "code": "min_nights" }] })
    );
    let staff = api.token("alpine-cabins", Role::Staff);
    let (_, errors) = api.run_as(Some(&staff), BOOK, one_night(None)).await;
    assert_eq!(errors[0].1["code"], "VALIDATION");
    assert_eq!(errors[0].1["violations"][0]["code"], "min_nights");
    let (_, errors) = api
        .run_as(Some(&staff), BOOK, one_night(Some("goodwill")))
        .await;
    assert_eq!(errors[0].1["code"], "FORBIDDEN", "staff may not override");
    let admin = api.token("alpine-cabins", Role::Admin);
    for bad in ["", &"x".repeat(501)] {
        let answer = api.run_as(Some(&admin), BOOK, one_night(Some(bad))).await;
        assert_eq!(code_of(&answer), "INVALID_INPUT");
    }
    let booked = api
        .ok_as(
            &admin,
            BOOK,
            one_night(Some("goodwill night after a cancellation")),
        )
        .await["createReservation"]
        .clone();
    assert_eq!(booked["state"], "CONFIRMED");
    let o = &booked["policyOverride"];
    assert_eq!(o["reason"], "goodwill night after a cancellation");
    assert_eq!(o["violations"][0]["code"], "min_nights");
    assert_eq!(o["by"], "admin@alpine-cabins.example.org");
    assert_eq!(o["at"], "2026-11-02T09:00:00+00:00");
    assert_eq!(
        booked["price"]["currency"], "CHF",
        "the policy still prices one night"
    );
    // Never over capacity.
    let (_, errors) = api
        .run_as(Some(&admin), BOOK, one_night(Some("again")))
        .await;
    assert_eq!(errors[0].1["code"], "UNAVAILABLE");
    // The event says so.
    let events = api
        .ok_as(
            &admin,
            r#"{ events(first: 10, kinds: ["reservation.created"]) { edges { node { payload } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        events["events"]["edges"][0]["node"]["payload"]["policy_override"]["reason"],
        "goodwill night after a cancellation"
    );
    // Changing the period: the same rule and the same role.
    let change = r#"mutation($id: ID!, $p: PeriodInput!, $reason: String) {
        changeReservationPeriod(id: $id, period: $p, overrideReason: $reason) {
            checkOut policyOverride { reason violations { code } } } }"#;
    let shorter = |reason: Option<&str>| json!({ "id": booked["id"], "p": nights("2026-11-11", "2026-11-12"), "reason": reason });
    let (_, errors) = api
        .run_as(Some(&staff), change, shorter(Some("moved")))
        .await;
    assert_eq!(errors[0].1["code"], "FORBIDDEN");
    let (_, errors) = api.run_as(Some(&staff), change, shorter(None)).await;
    assert_eq!(errors[0].1["code"], "VALIDATION");
    let moved = api.ok_as(&admin, change, shorter(Some("moved"))).await;
    assert_eq!(
        moved["changeReservationPeriod"]["policyOverride"]["reason"],
        "moved"
    );
    // Within the rules again: the record goes.
    let within = api
        .ok_as(
            &staff,
            change,
            json!({ "id": booked["id"], "p": nights("2026-11-11", "2026-11-13"), "reason": null }),
        )
        .await;
    assert_eq!(
        within["changeReservationPeriod"]["policyOverride"],
        Value::Null
    );
}

#[tokio::test]
async fn previews_show_a_change_and_a_refund_before_they_happen() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let cabin = api.cabin.id.to_string();
    let book = |a: &str, b: &str| json!({ "input": { "unitId": cabin, "guests": 2, "period": nights(a, b) } });
    let mine = api
        .ok_as(&staff, BOOK, book("2026-11-10", "2026-11-12"))
        .await["createReservation"]
        .clone();
    api.ok_as(&staff, BOOK, book("2026-11-16", "2026-11-18"))
        .await;
    let quote = r#"query($id: ID!, $p: PeriodInput!) { quoteChange(id: $id, period: $p) {
        available overridable total { amount } violations { code } checkIn checkOut } }"#;
    // One night longer: its own nights do not count against it.
    let longer = api
        .ok_as(
            &viewer,
            quote,
            json!({ "id": mine["id"], "p": nights("2026-11-10", "2026-11-13") }),
        )
        .await["quoteChange"]
        .clone();
    assert_eq!(longer["available"], true, "{longer}");
    assert_eq!(longer["checkOut"], "2026-11-13");
    assert!(
        longer["total"]["amount"].as_i64().unwrap() > mine["price"]["amount"].as_i64().unwrap()
    );
    // Into another stay: unavailable, and no override helps.
    let into = api
        .ok_as(
            &viewer,
            quote,
            json!({ "id": mine["id"], "p": nights("2026-11-15", "2026-11-17") }),
        )
        .await["quoteChange"]
        .clone();
    assert_eq!(
        (into["available"].clone(), into["overridable"].clone()),
        (json!(false), json!(false))
    );
    // Nothing changed.
    let refund = r#"query($id: ID!) { reservation(id: $id) { version checkOut
        cancellationRefund { amount currency } } }"#;
    let before = api
        .ok_as(&viewer, refund, json!({ "id": mine["id"] }))
        .await;
    assert_eq!(before["reservation"]["version"], 1);
    assert_eq!(before["reservation"]["checkOut"], "2026-11-12");
    let preview = before["reservation"]["cancellationRefund"].clone();
    assert_eq!(preview["currency"], "CHF");
    // Canceling records what the preview said; then there is nothing to preview.
    let canceled = api
        .ok_as(
            &staff,
            r#"mutation($id: ID!) { cancelReservation(id: $id) { refund { amount currency } cancellationRefund { amount } } }"#,
            json!({ "id": mine["id"] }),
        )
        .await;
    assert_eq!(canceled["cancelReservation"]["refund"], preview);
    assert_eq!(
        canceled["cancelReservation"]["cancellationRefund"],
        Value::Null
    );
    let (_, errors) = api
        .run_as(
            Some(&viewer),
            quote,
            json!({ "id": mine["id"], "p": nights("2026-11-10", "2026-11-13") }),
        )
        .await;
    assert_eq!(errors[0].1["code"], "CONFLICT");
}

const BOARD: &str = r#"query($from: Date!, $to: Date!) { board(from: $from, to: $to) {
    from to measure truncated
    units { id name }
    reservations { id state checkIn unit { name } client { name } }
    blocks { id unitId manual reason }
    locks { id holder { displayName } }
    slots { unitId start end capacity taken left }
    openHours { unitId date opens closes } cursor } }"#;

/// Books 2 nights on each of `n` new cabins, for `n` new clients, and blocks
/// and locks one more; returns the board and the store calls it cost.
async fn board_of(api: &Api, n: usize) -> (Value, BTreeMap<&'static str, usize>) {
    let staff = api.token("alpine-cabins", Role::Staff);
    api.stays_on_new_cabins(n, |i| format!("Cabin {i:03}"))
        .await;
    let cabin = api.cabin.id.to_string();
    api.ok_as(
        &staff,
        BLOCK,
        json!({ "unit": cabin, "p": nights("2026-11-12", "2026-11-14"), "reason": "sauna repair" }),
    )
    .await;
    api.ok_as(
        &staff,
        r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit,
             period: { checkIn: "2026-11-15", checkOut: "2026-11-17" } }, ttlSeconds: 600) { id } }"#,
        json!({ "unit": cabin }),
    )
    .await;
    api.store.take();
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let data = api
        .ok_as(
            &viewer,
            BOARD,
            json!({ "from": "2026-11-09", "to": "2026-11-22" }),
        )
        .await;
    (data, api.store.take())
}

#[tokio::test]
async fn the_board_costs_a_fixed_number_of_store_queries() {
    let (few_data, few) = board_of(&api().await, 3).await;
    let (data, many) = board_of(&api().await, 60).await;
    assert_eq!(
        few, many,
        "the cost must not grow with units or reservations"
    );
    // The caller, the tenant, the event cursor, then units, reservations,
    // blocks and locks (one each), and the reservations' clients in one batch;
    // their units come with the board.
    assert_eq!(
        many,
        BTreeMap::from([
            ("blocks_overlapping", 1),
            ("clients_by_ids", 1),
            ("latest_event_cursor", 1),
            ("locks", 1),
            ("reservations_touching", 1),
            ("tenant", 1),
            ("units", 1),
            ("user", 1),
        ])
    );
    for (data, n) in [(&few_data, 3), (&data, 60)] {
        let board = &data["board"];
        assert_eq!(board["from"], "2026-11-09");
        assert_eq!(board["to"], "2026-11-22");
        assert_eq!(board["measure"], "NIGHTS");
        assert_eq!(board["truncated"], false);
        let units = board["units"].as_array().unwrap();
        assert_eq!(units.len(), n + 1);
        assert_eq!(units[0]["name"], "alpine-cabins unit", "by name");
        let reservations = board["reservations"].as_array().unwrap();
        assert_eq!(reservations.len(), n);
        assert!(
            reservations
                .iter()
                .all(|r| r["client"]["name"].as_str().unwrap().starts_with("Guest"))
        );
        assert_eq!(reservations[0]["unit"]["name"], "Cabin 000");
        assert_eq!(board["blocks"][0]["reason"], "sauna repair");
        assert_eq!(board["blocks"][0]["manual"], true);
        assert_eq!(
            board["locks"][0]["holder"]["displayName"],
            "staff@alpine-cabins.example.org"
        );
        assert_eq!(board["slots"], json!([]));
        assert_eq!(board["openHours"], json!([]));
    }
}

#[tokio::test]
async fn boards_of_timeslot_tenants_show_seats_and_ranges_are_bounded() {
    let api = api().await;
    let viewer = api.token("summit-tours", Role::Viewer);
    let staff = api.token("summit-tours", Role::Staff);
    let tour = api.tour.id.to_string();
    let slots = api
        .ok_as(
            &viewer,
            r#"query($unit: ID!) { slots(tenant: "summit-tours", unitId: $unit, date: "2026-11-16") { start } }"#,
            json!({ "unit": tour }),
        )
        .await;
    let start = slots["slots"][0]["start"].clone();
    api.ok_as(
        &staff,
        r#"mutation($unit: ID!, $start: DateTime!) { createReservation(input: { unitId: $unit,
             guests: 3, quantity: 3, period: { start: $start } }) { id } }"#,
        json!({ "unit": tour, "start": start }),
    )
    .await;
    let board = api
        .ok_as(
            &viewer,
            BOARD,
            json!({ "from": "2026-11-16", "to": "2026-11-17" }),
        )
        .await["board"]
        .clone();
    assert_eq!(board["measure"], "SEAT_HOURS");
    let slots = board["slots"].as_array().unwrap();
    let per_day = slots.len() / 2;
    assert!(per_day >= 1, "{board}");
    let first = &slots[0];
    assert_eq!(first["unitId"], tour);
    assert_eq!(first["start"], start);
    assert_eq!(
        (
            first["capacity"].clone(),
            first["taken"].clone(),
            first["left"].clone()
        ),
        (json!(12), json!(3), json!(9))
    );
    assert!(slots[1..].iter().all(|s| s["left"] == 12));
    // At most 62 days; the other way round is refused too.
    for (from, to) in [("2026-11-01", "2027-01-02"), ("2026-11-10", "2026-11-09")] {
        let answer = api
            .run_as(Some(&viewer), BOARD, json!({ "from": from, "to": to }))
            .await;
        assert_eq!(code_of(&answer), "INVALID_INPUT", "{from}..{to}");
    }
    assert!(
        api.run_as(
            Some(&viewer),
            BOARD,
            json!({ "from": "2026-11-01", "to": "2027-01-01" })
        )
        .await
        .1
        .is_empty(),
        "62 days"
    );
}

#[tokio::test]
async fn the_board_follows_reservations_and_blocks_live() {
    let api = api().await;
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let staff = api.token("alpine-cabins", Role::Staff);
    let cabin = api.cabin.id.to_string();
    let request = Request::new(
        "subscription { boardEvents { cursor kind unitId reservation { id checkIn }
            block { id reason manual } } }",
    )
    .variables(Variables::from_json(json!({})))
    .data(BearerToken(viewer.clone()));
    let mut stream = Box::pin(api.schema.execute_stream(request));
    let quiet = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
    assert!(quiet.is_err(), "nothing has happened yet");
    let mut next = async || {
        let response = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on");
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response.data.into_json().unwrap()["boardEvents"].clone()
    };
    let block = api
        .ok_as(
            &staff,
            BLOCK,
            json!({ "unit": cabin, "p": nights("2026-11-20", "2026-11-22"), "reason": "chimney" }),
        )
        .await["blockUnit"]["id"]
        .clone();
    let seen = next().await;
    assert_eq!(seen["kind"], "BLOCK_CREATED");
    assert_eq!(seen["unitId"], cabin);
    assert_eq!(
        seen["block"],
        json!({ "id": block, "reason": "chimney", "manual": true })
    );
    assert_eq!(seen["reservation"], Value::Null);
    let booked = api
        .ok_as(
            &staff,
            BOOK,
            json!({ "input": { "unitId": cabin, "guests": 2, "period": nights("2026-11-10", "2026-11-12") } }),
        )
        .await["createReservation"]["id"]
        .clone();
    let seen = next().await;
    assert_eq!(seen["kind"], "RESERVATION_CREATED");
    assert_eq!(seen["reservation"]["id"], booked);
    api.ok_as(
        &staff,
        r#"mutation($id: ID!) { unblockUnit(id: $id) { id } }"#,
        json!({ "id": block }),
    )
    .await;
    assert_eq!(next().await["kind"], "BLOCK_REMOVED");
    let admin = api.token("alpine-cabins", Role::Admin);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n";
    api.ok_as(
        &admin,
        r#"mutation($unit: ID!, $ics: String!) { importCalendar(unitId: $unit, ics: $ics) { source } }"#,
        json!({ "unit": cabin, "ics": ics }),
    )
    .await;
    let seen = next().await;
    assert_eq!(seen["kind"], "BLOCKS_REPLACED");
    assert_eq!(seen["unitId"], cabin);
    // Lock events are not the board stream's (they are `lockEvents`').
    api.ok_as(
        &staff,
        r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit }) { id } }"#,
        json!({ "unit": cabin }),
    )
    .await;
    let quiet = tokio::time::timeout(Duration::from_millis(300), stream.next()).await;
    assert!(quiet.is_err(), "no lock events here: {quiet:?}");
    // Resuming from a cursor (here: the start) replays what came after it.
    let request =
        Request::new("subscription($after: String) { boardEvents(after: $after) { kind } }")
            .variables(Variables::from_json(json!({ "after": "0-0" })))
            .data(BearerToken(viewer));
    let mut replay = Box::pin(api.schema.execute_stream(request));
    let mut kinds = Vec::new();
    for _ in 0..4 {
        let r = tokio::time::timeout(Duration::from_secs(10), replay.next())
            .await
            .unwrap()
            .unwrap();
        kinds.push(r.data.into_json().unwrap()["boardEvents"]["kind"].clone());
    }
    assert_eq!(
        kinds,
        [
            json!("BLOCK_CREATED"),
            json!("RESERVATION_CREATED"),
            json!("BLOCK_REMOVED"),
            json!("BLOCKS_REPLACED")
        ]
    );
}

#[tokio::test]
async fn the_boards_cursor_resumes_its_events_after_what_it_shows() {
    let api = api().await;
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let staff = api.token("alpine-cabins", Role::Staff);
    let cabin = api.cabin.id.to_string();
    api.ok_as(
        &staff,
        BLOCK,
        json!({ "unit": cabin, "p": nights("2026-11-20", "2026-11-22"), "reason": "shown" }),
    )
    .await;
    let board = api
        .ok_as(
            &viewer,
            BOARD,
            json!({ "from": "2026-11-09", "to": "2026-11-22" }),
        )
        .await;
    assert_eq!(board["board"]["blocks"][0]["reason"], "shown");
    let cursor = board["board"]["cursor"].as_str().unwrap().to_owned();
    assert_ne!(cursor, "0-0", "the block's event is behind the cursor");
    let booked = api
        .ok_as(
            &staff,
            BOOK,
            json!({ "input": { "unitId": cabin, "guests": 2, "period": nights("2026-11-10", "2026-11-12") } }),
        )
        .await["createReservation"]["id"]
        .clone();
    let request = Request::new(
        "subscription($after: String) { boardEvents(after: $after) { kind reservation { id } } }",
    )
    .variables(Variables::from_json(json!({ "after": cursor })))
    .data(BearerToken(viewer));
    let mut stream = Box::pin(api.schema.execute_stream(request));
    let first = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
        .unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let first = first.data.into_json().unwrap()["boardEvents"].clone();
    assert_eq!(first["kind"], "RESERVATION_CREATED", "not the shown block");
    assert_eq!(first["reservation"]["id"], booked);
    let quiet = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
    assert!(quiet.is_err(), "nothing else: {quiet:?}");
}

#[tokio::test]
async fn a_blocked_cabin_leaves_the_heatmaps_capacity() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let mut cabins = vec![api.cabin.id.to_string()];
    for i in 0..4 {
        let unit = api.new_cabin(format!("Cabin {i}")).await;
        cabins.push(unit.id.to_string());
    }
    for cabin in &cabins[..3] {
        api.ok_as(
            &staff,
            BOOK,
            json!({ "input": { "unitId": cabin, "guests": 2, "period": nights("2026-11-10", "2026-11-12") } }),
        )
        .await;
    }
    api.ok_as(
        &staff,
        BLOCK,
        json!({ "unit": cabins[4], "p": nights("2026-11-10", "2026-11-11"), "reason": "burst pipe" }),
    )
    .await;
    let data = api
        .ok_as(
            &api.token("alpine-cabins", Role::Viewer),
            r#"{ occupancy(from: "2026-11-10", to: "2026-11-11") {
                 occupied capacity blocked days { date occupied capacity blocked ratio } }
               stats(from: "2026-11-10", to: "2026-11-11") { occupied capacity blocked } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["occupancy"]["days"],
        json!([
            { "date": "2026-11-10", "occupied": 3.0, "capacity": 4.0, "blocked": 1.0, "ratio": 0.75 },
            { "date": "2026-11-11", "occupied": 3.0, "capacity": 5.0, "blocked": 0.0, "ratio": 0.6 },
        ])
    );
    assert_eq!(
        data["stats"],
        json!({ "occupied": 6.0, "capacity": 9.0, "blocked": 1.0 })
    );
}
