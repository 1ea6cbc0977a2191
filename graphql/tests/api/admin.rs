//! The admin side end to end through `schema.execute`: units, clients,
//! reservations with their commands, connections with cursors, policy refusals
//! with violations, optimistic concurrency, and API keys.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{api, code_of};

const RESERVATION_FIELDS: &str = "id state start end checkIn checkOut guests quantity version channel \
    price { amount currency } unit { id name } client { id name email }";

fn create_reservation() -> String {
    format!(
        "mutation($input: CreateReservationInput!) {{ createReservation(input: $input) {{ {RESERVATION_FIELDS} }} }}"
    )
}

fn nights(check_in: &str, check_out: &str) -> Value {
    json!({ "checkIn": check_in, "checkOut": check_out })
}

#[tokio::test]
async fn units_are_managed_by_admins() {
    let api = api().await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let created = api
        .ok_as(
            &admin,
            r#"mutation { createUnit(input: { name: "Lakeside", inventory: 1, maxGuests: 6,
                 amenities: ["sauna"], attributes: { view: "lake" } }) { id name archived } }"#,
            json!({}),
        )
        .await;
    let id = created["createUnit"]["id"].as_str().unwrap().to_owned();
    let updated = api
        .ok_as(
            &admin,
            r#"mutation($id: ID!) { updateUnit(id: $id, input: { name: "Lakeside lodge", description: "Big" })
                 { name description inventory } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        updated["updateUnit"],
        json!({ "name": "Lakeside lodge", "description": "Big", "inventory": 1 })
    );
    let answer = api
        .run_as(
            Some(&admin),
            r#"mutation($id: ID!) { updateUnit(id: $id, input: { inventory: 0 }) { name } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
    api.ok_as(
        &admin,
        r#"mutation($id: ID!) { archiveUnit(id: $id) { archived } }"#,
        json!({ "id": id }),
    )
    .await;
    // The public catalog hides it; the tenant's own list shows it on request.
    let (public, _) = api
        .run(r#"{ units(tenant: "alpine-cabins") { id } }"#, json!({}))
        .await;
    assert!(!public.to_string().contains(&id));
    let own = api
        .ok_as(
            &admin,
            r#"{ all: units(includeArchived: true) { id archived } live: units { id } }"#,
            json!({}),
        )
        .await;
    assert!(own["all"].to_string().contains(&id));
    assert!(!own["live"].to_string().contains(&id));
    let answer = api
        .run(
            r#"query($id: ID!) { unit(tenant: "alpine-cabins", id: $id) { id } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code_of(&answer), "NOT_FOUND");

    let staff = api.token("alpine-cabins", Role::Staff);
    let answer = api
        .run_as(
            Some(&staff),
            r#"mutation { createUnit(input: { name: "X", inventory: 1, maxGuests: 1 }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN");
}

#[tokio::test]
async fn clients_page_with_cursors() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    for name in ["Ada", "Grace", "Alan"] {
        api.ok_as(
            &staff,
            r#"mutation($name: String!) { createClient(input: { name: $name, email: "x@example.org" }) { id } }"#,
            json!({ "name": name }),
        )
        .await;
    }
    let query = r#"query($after: String) { clients(first: 2, after: $after) {
        edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }"#;
    let first = api.ok_as(&staff, query, json!({})).await;
    assert_eq!(first["clients"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(first["clients"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["clients"]["pageInfo"]["endCursor"].clone();
    let second = api.ok_as(&staff, query, json!({ "after": cursor })).await;
    assert_eq!(second["clients"]["edges"][0]["node"]["name"], "Alan");
    assert_eq!(second["clients"]["pageInfo"]["hasNextPage"], false);

    let id = second["clients"]["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let changed = api
        .ok_as(
            &staff,
            r#"mutation($id: ID!) { updateClient(id: $id, input: { phone: "+41 555", email: null }) { phone email } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        changed["updateClient"],
        json!({ "phone": "+41 555", "email": null })
    );
    let found = api
        .ok_as(
            &staff,
            r#"{ clients(search: "gra") { edges { node { name } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        found["clients"]["edges"],
        json!([{ "node": { "name": "Grace" } }])
    );
    let answer = api
        .run_as(
            Some(&staff),
            r#"{ clients(first: 0) { edges { cursor } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");

    let archived = api
        .ok_as(
            &staff,
            r#"mutation($id: ID!) { archiveClient(id: $id) { archived } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(archived["archiveClient"]["archived"], true);
    let lists = api
        .ok_as(
            &staff,
            r#"{ live: clients { edges { cursor } } all: clients(includeArchived: true) { edges { cursor } } }"#,
            json!({}),
        )
        .await;
    assert!(!lists["live"].to_string().contains(&id));
    assert!(lists["all"].to_string().contains(&id));
}

#[tokio::test]
async fn a_reservation_gets_notes_and_a_client_after_booking() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let input = json!({
        "unitId": api.cabin.id.to_string(), "guests": 2,
        "period": nights("2026-11-24", "2026-11-26"),
    });
    let booked = api
        .ok_as(&staff, &create_reservation(), json!({ "input": input }))
        .await["createReservation"]
        .clone();
    let ada = api
        .ok_as(
            &staff,
            r#"mutation { createClient(input: { name: "Ada" }) { id } }"#,
            json!({}),
        )
        .await["createClient"]["id"]
        .clone();
    let update = "mutation($id: ID!, $input: UpdateReservationInput!, $v: Int) { \
                  updateReservation(id: $id, input: $input, version: $v) { \
                  notes version client { name } checkIn } }";
    let changed = api
        .ok_as(
            &staff,
            update,
            json!({ "id": booked["id"], "v": booked["version"],
                    "input": { "notes": "arrives at 22:10", "clientId": ada } }),
        )
        .await["updateReservation"]
        .clone();
    assert_eq!(
        changed,
        json!({ "notes": "arrives at 22:10", "version": 2,
                "client": { "name": "Ada" }, "checkIn": "2026-11-24" })
    );
    // The front desk finds it by the guest's name.
    let found = api
        .ok_as(
            &staff,
            r#"{ reservations(filter: { clientSearch: "ADA" }) { edges { node { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        found["reservations"]["edges"],
        json!([{ "node": { "id": booked["id"] } }])
    );
    // Omitted stays, null clears; a stale version is CONFLICT.
    let cleared = api
        .ok_as(
            &staff,
            update,
            json!({ "id": booked["id"], "input": { "clientId": null } }),
        )
        .await["updateReservation"]
        .clone();
    assert_eq!(cleared["client"], Value::Null);
    assert_eq!(cleared["notes"], "arrives at 22:10");
    let stale = api
        .run_as(
            Some(&staff),
            update,
            json!({ "id": booked["id"], "v": 1, "input": { "notes": "x" } }),
        )
        .await;
    assert_eq!(code_of(&stale), "CONFLICT");
    let bad = api
        .run_as(
            Some(&staff),
            update,
            json!({ "id": booked["id"], "input": { "clientId": "nope" } }),
        )
        .await;
    assert_eq!(code_of(&bad), "INVALID_INPUT");
    assert!(bad.1[0].0.contains("input.clientId"), "{bad:?}");
}

#[tokio::test]
async fn a_client_is_erased_once_its_stays_are_over() {
    let api = api().await;
    let (staff, admin) = (
        api.token("alpine-cabins", Role::Staff),
        api.token("alpine-cabins", Role::Admin),
    );
    let input = json!({
        "unitId": api.cabin.id.to_string(), "guests": 2,
        "period": nights("2026-11-20", "2026-11-22"),
        "client": { "name": "Ada Lovelace", "email": "ada@example.org" },
        "notes": "celiac",
    });
    let booked = api
        .ok_as(&staff, &create_reservation(), json!({ "input": input }))
        .await["createReservation"]
        .clone();
    let client = booked["client"]["id"].as_str().unwrap().to_owned();
    let erase = "mutation($id: ID!) { eraseClient(id: $id) { \
                 client { id name email archived erasedAt } reservations auditEntries events } }";

    // The guest's record, as an admin hands it over on request.
    let record_query = "query($id: ID!) { clientRecord(id: $id) { client { name email } \
                        reservations { id notes } auditEntries { entityType action metadata } } }";
    let answer = api
        .run_as(Some(&staff), record_query, json!({ "id": client }))
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN");
    let record = api
        .ok_as(&admin, record_query, json!({ "id": client }))
        .await["clientRecord"]
        .clone();
    assert_eq!(
        record["client"],
        json!({ "name": "Ada Lovelace", "email": "ada@example.org" })
    );
    assert_eq!(
        record["reservations"],
        json!([{ "id": booked["id"], "notes": "celiac" }])
    );
    let actions: Vec<(&str, &str)> = record["auditEntries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entityType"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![("client", "create"), ("reservation", "create")]
    );

    // Staff may not erase; an admin is told why not yet, and nothing changes.
    let answer = api
        .run_as(Some(&staff), erase, json!({ "id": client }))
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN");
    let answer = api
        .run_as(Some(&admin), erase, json!({ "id": client }))
        .await;
    assert_eq!(code_of(&answer), "CONFLICT");
    assert!(answer.1[0].0.contains("1 active reservation"), "{answer:?}");

    api.ok_as(
        &staff,
        r#"mutation($id: ID!) { cancelReservation(id: $id, reason: "Ada asked") { state } }"#,
        json!({ "id": booked["id"] }),
    )
    .await;
    let erased = api.ok_as(&admin, erase, json!({ "id": client })).await["eraseClient"].clone();
    assert_eq!(erased["client"]["name"], "(erased)");
    assert_eq!(erased["client"]["email"], Value::Null);
    assert_eq!(erased["client"]["archived"], true);
    assert!(erased["client"]["erasedAt"].is_string());
    // The client's creation, and the reservation's creation and cancellation.
    assert_eq!(erased["reservations"], 1);
    assert_eq!(erased["auditEntries"], 3);
    assert_eq!(erased["events"], 3);

    // The booking stays, with the client's id and no notes; no event names Ada.
    let read = api
        .ok_as(
            &staff,
            "query($id: ID!) { reservation(id: $id) { state notes client { name } } }",
            json!({ "id": booked["id"] }),
        )
        .await;
    assert_eq!(
        read["reservation"],
        json!({ "state": "CANCELED", "notes": null, "client": { "name": "(erased)" } })
    );
    let events = api
        .ok_as(
            &admin,
            "{ events(first: 200) { edges { node { kind payload } } } }",
            json!({}),
        )
        .await
        .to_string();
    for secret in ["Ada", "ada@example.org", "celiac"] {
        assert!(!events.contains(secret), "{secret} in {events}");
    }
    assert!(events.contains("client.erased"));
    // The record now holds no personal value either.
    let record = api
        .ok_as(&admin, record_query, json!({ "id": client }))
        .await
        .to_string();
    for secret in ["Ada", "ada@example.org", "celiac"] {
        assert!(!record.contains(secret), "{secret} in {record}");
    }
    let again = api
        .run_as(
            Some(&staff),
            r#"mutation($id: ID!) { updateClient(id: $id, input: { name: "Ada" }) { id } }"#,
            json!({ "id": client }),
        )
        .await;
    assert_eq!(code_of(&again), "CONFLICT");
}

#[tokio::test]
async fn reservations_live_through_their_commands() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    let cabin = api.cabin.id.to_string();
    let input = json!({
        "unitId": cabin, "guests": 2, "period": nights("2026-11-10", "2026-11-12"),
        "client": { "name": "Ada Lovelace", "email": "ada@example.org" },
        "idempotencyKey": "booking-1",
    });
    let created = api
        .ok_as(&staff, &create_reservation(), json!({ "input": input }))
        .await["createReservation"]
        .clone();
    assert_eq!(created["state"], "CONFIRMED");
    assert_eq!(created["checkIn"], "2026-11-10");
    assert_eq!(created["unit"]["id"], cabin);
    assert_eq!(created["client"]["name"], "Ada Lovelace");
    assert_eq!(created["channel"], "admin");
    assert_eq!(created["price"]["currency"], "CHF");
    // A retry with the same key answers the same reservation.
    let again = api
        .ok_as(&staff, &create_reservation(), json!({ "input": input }))
        .await["createReservation"]
        .clone();
    assert_eq!(again, created);

    // Overlap: UNAVAILABLE. A policy refusal: VALIDATION with violations.
    let overlap =
        json!({ "unitId": cabin, "guests": 2, "period": nights("2026-11-11", "2026-11-13") });
    let answer = api
        .run_as(
            Some(&staff),
            &create_reservation(),
            json!({ "input": overlap }),
        )
        .await;
    assert_eq!(code_of(&answer), "UNAVAILABLE");
    let too_many =
        json!({ "unitId": cabin, "guests": 9, "period": nights("2026-11-20", "2026-11-22") });
    let answer = api
        .run_as(
            Some(&staff),
            &create_reservation(),
            json!({ "input": too_many }),
        )
        .await;
    assert_eq!(code_of(&answer), "VALIDATION");
    let violations = answer.1[0].1["violations"].as_array().unwrap();
    assert!(!violations.is_empty());
    assert!(
        violations
            .iter()
            .all(|v| v["code"].is_string() && v["message"].is_string())
    );

    let id = created["id"].as_str().unwrap().to_owned();
    let change = r#"mutation($id: ID!, $version: Int) {
        changeReservationPeriod(id: $id, period: { checkIn: "2026-11-10", checkOut: "2026-11-13" }, version: $version)
        { version checkOut price { amount } } }"#;
    let answer = api
        .run_as(Some(&staff), change, json!({ "id": id, "version": 7 }))
        .await;
    assert_eq!(code_of(&answer), "CONFLICT", "a stale version");
    let changed = api
        .ok_as(
            &staff,
            change,
            json!({ "id": id, "version": created["version"] }),
        )
        .await["changeReservationPeriod"]
        .clone();
    assert_eq!(changed["checkOut"], "2026-11-13");
    assert_eq!(changed["version"], created["version"].as_i64().unwrap() + 1);
    assert!(changed["price"]["amount"].as_i64() > created["price"]["amount"].as_i64());

    let check_in = r#"mutation($id: ID!) { checkIn(id: $id) { state } }"#;
    let check_out = r#"mutation($id: ID!) { checkOut(id: $id) { state } }"#;
    let cancel =
        r#"mutation($id: ID!) { cancelReservation(id: $id, reason: "guest asked") { state } }"#;
    let state = |v: Value, field: &str| v[field]["state"].clone();
    assert_eq!(
        state(
            api.ok_as(&staff, check_in, json!({ "id": id })).await,
            "checkIn"
        ),
        "CHECKED_IN"
    );
    assert_eq!(
        state(
            api.ok_as(&staff, check_out, json!({ "id": id })).await,
            "checkOut"
        ),
        "FINISHED"
    );
    let answer = api.run_as(Some(&staff), cancel, json!({ "id": id })).await;
    assert_eq!(code_of(&answer), "CONFLICT", "finished is final");

    // A hold, then canceled.
    let hold = json!({ "unitId": cabin, "guests": 2, "period": nights("2026-11-20", "2026-11-22"), "hold": true });
    let held = api
        .ok_as(&staff, &create_reservation(), json!({ "input": hold }))
        .await["createReservation"]
        .clone();
    assert_eq!(held["state"], "HELD");
    assert_eq!(
        state(
            api.ok_as(&staff, cancel, json!({ "id": held["id"] })).await,
            "cancelReservation"
        ),
        "CANCELED"
    );
    // The tenant's refund hook (alpine-cabins: the default, everything back).
    let refunded = api
        .ok_as(
            &staff,
            r#"query($id: ID!) { reservation(id: $id) { refund { amount currency } price { amount currency } } }"#,
            json!({ "id": held["id"] }),
        )
        .await;
    assert_eq!(
        refunded["reservation"]["refund"],
        refunded["reservation"]["price"]
    );

    // Lists: filtered by state and unit, paged.
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let list = api
        .ok_as(
            &viewer,
            r#"query($unit: ID) { reservations(filter: { states: [CANCELED], unitId: $unit }) {
                edges { node { id state } } pageInfo { hasNextPage } } }"#,
            json!({ "unit": cabin }),
        )
        .await;
    assert_eq!(
        list["reservations"]["edges"],
        json!([{ "node": { "id": held["id"], "state": "CANCELED" } }])
    );
    let one = api
        .ok_as(
            &viewer,
            r#"query($id: ID!) { reservation(id: $id) { id state client { name } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(one["reservation"]["state"], "FINISHED");
    let answer = api
        .run_as(Some(&viewer), check_in, json!({ "id": held["id"] }))
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN", "viewers only read");
}

#[tokio::test]
async fn api_keys_are_shown_once_scoped_and_revocable() {
    let api = api().await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let answer = api
        .run_as(
            Some(&admin),
            r#"mutation { createApiKey(name: "too strong", role: OWNER) { key } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        code_of(&answer),
        "FORBIDDEN",
        "no more rights than the creator"
    );
    let created = api
        .ok_as(
            &admin,
            r#"mutation { createApiKey(name: "Channel manager", role: STAFF) { key apiKey { id name role revokedAt } } }"#,
            json!({}),
        )
        .await["createApiKey"]
        .clone();
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("berth_"));
    let listed = api
        .ok_as(&admin, "{ apiKeys { id name role } }", json!({}))
        .await;
    assert!(
        !listed.to_string().contains(&key),
        "the key is never shown again"
    );

    // The key books through the API channel, and its writes name it in the audit log.
    let input = json!({ "unitId": api.cabin.id.to_string(), "guests": 2,
        "period": nights("2026-11-10", "2026-11-12") });
    let booked = api
        .ok_as(&key, &create_reservation(), json!({ "input": input }))
        .await;
    assert_eq!(booked["createReservation"]["channel"], "api");
    let id: berth_core::ids::ReservationId = booked["createReservation"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let audit =
        berth_core::store::EventStore::audit_entries(&*api.store, api.alpine.id, id.as_uuid())
            .await
            .unwrap();
    assert_eq!(
        audit[0].actor.to_string(),
        format!("api_key:{}", created["apiKey"]["id"].as_str().unwrap())
    );
    // Scoped: a staff key cannot manage units; a key is not a user.
    let answer = api
        .run_as(
            Some(&key),
            r#"mutation { createUnit(input: { name: "X", inventory: 1, maxGuests: 1 }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN");
    let answer = api.run_as(Some(&key), "{ me { email } }", json!({})).await;
    assert_eq!(code_of(&answer), "FORBIDDEN");

    api.ok_as(
        &admin,
        r#"mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }"#,
        json!({ "id": created["apiKey"]["id"] }),
    )
    .await;
    let answer = api
        .run_as(
            Some(&key),
            "{ reservations { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "UNAUTHENTICATED");
    // A forged secret for a real key id is refused the same way.
    let forged = format!("{}{}", &key[..key.len() - 8], "00000000");
    let answer = api
        .run_as(
            Some(&forged),
            "{ reservations { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "UNAUTHENTICATED");
}
