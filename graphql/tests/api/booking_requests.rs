//! `requestBooking`: a visitor's booking request, without signing in — held,
//! public, at the quoted price, idempotent by its key, and refused in words that
//! tell nothing about other guests or staff.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::QUOTE;
use crate::support::api;

const REQUEST: &str = r#"mutation($tenant: String!, $input: BookingRequestInput!) {
  requestBooking(tenant: $tenant, input: $input) {
    reference state unitId checkIn checkOut guests quantity
    price { amount currency } lines { kind amount { amount } } holdExpiresAt
  }
}"#;

fn input(unit: &str, check_in: &str, check_out: &str, key: &str) -> Value {
    json!({
        "unitId": unit,
        "period": { "checkIn": check_in, "checkOut": check_out },
        "guests": 2,
        "guest": { "name": "Ana Guest", "email": "ana@example.org", "phone": "+34 600 000 000" },
        "message": "We arrive by train.",
        "requestKey": key,
    })
}

#[tokio::test]
async fn a_visitor_requests_a_held_stay_at_the_quoted_price() {
    let api = api().await;
    let cabin = api.cabin.id.to_string();
    let request = input(&cabin, "2026-11-10", "2026-11-12", "form-1");
    let (data, errors) = api
        .run(
            REQUEST,
            json!({ "tenant": "alpine-cabins", "input": request.clone() }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    let receipt = &data["requestBooking"];
    assert_eq!(receipt["state"], "HELD");
    assert_eq!(receipt["checkIn"], "2026-11-10");
    assert!(receipt["holdExpiresAt"].is_string());
    let (quote, _) = api
        .run(
            QUOTE,
            json!({ "tenant": "alpine-cabins", "input": { "unitId": cabin, "guests": 2,
                "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-12" } } }),
        )
        .await;
    assert_eq!(
        receipt["price"], quote["quote"]["total"],
        "the request keeps the very price the quote gave"
    );

    // Staff see it: held, public, with the guest as a new client.
    let staff = api.token("alpine-cabins", Role::Staff);
    let seen = api
        .ok_as(
            &staff,
            r#"query($id: ID!) { reservation(id: $id) { state channel notes client { name email phone } } }"#,
            json!({ "id": receipt["reference"] }),
        )
        .await;
    assert_eq!(
        seen["reservation"],
        json!({ "state": "HELD", "channel": "public", "notes": "We arrive by train.",
            "client": { "name": "Ana Guest", "email": "ana@example.org", "phone": "+34 600 000 000" } })
    );

    // The same form sent again answers the same request.
    let (again, errors) = api
        .run(
            REQUEST,
            json!({ "tenant": "alpine-cabins", "input": request }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(again["requestBooking"]["reference"], receipt["reference"]);
}

#[tokio::test]
async fn refusals_are_in_words_and_name_nobody() {
    let api = api().await;
    let cabin = api.cabin.id.to_string();
    let owner = api.token("alpine-cabins", Role::Owner);
    api.ok_as(
        &owner,
        r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 2,
             period: { checkIn: "2026-11-10", checkOut: "2026-11-13" },
             client: { name: "Private Person" } }) { id } }"#,
        json!({ "unit": cabin }),
    )
    .await;
    api.ok_as(
        &owner,
        r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit,
             period: { checkIn: "2026-11-20", checkOut: "2026-11-22" } }, ttlSeconds: 600) { id } }"#,
        json!({ "unit": cabin }),
    )
    .await;
    let refusal = |input: Value| {
        let api = &api;
        async move {
            let (_, errors) = api
                .run(
                    REQUEST,
                    json!({ "tenant": "alpine-cabins", "input": input }),
                )
                .await;
            assert_eq!(errors.len(), 1, "{errors:?}");
            errors[0].clone()
        }
    };

    let (message, ext) = refusal(input(&cabin, "2026-11-11", "2026-11-13", "full")).await;
    assert_eq!(ext["code"], "UNAVAILABLE");
    assert!(!message.contains("Private Person"), "{message}");
    assert!(ext.get("reservationId").is_none(), "{ext}");

    let (message, ext) = refusal(input(&cabin, "2026-11-20", "2026-11-22", "locked")).await;
    assert_eq!(ext["code"], "LOCKED");
    assert!(ext.get("holder").is_none(), "{ext}");
    assert!(!message.contains("alpine-cabins.example.org"), "{message}");

    let (_, ext) = refusal(input(&cabin, "2026-11-24", "2026-11-25", "one-night")).await;
    assert_eq!(ext["code"], "VALIDATION", "the tenant's minimum stay");
    assert!(ext["violations"][0]["message"].is_string());

    let mut no_email = input(&cabin, "2026-11-26", "2026-11-28", "no-email");
    no_email["guest"]["email"] = json!("  ");
    let (message, ext) = refusal(no_email).await;
    assert_eq!(ext["code"], "INVALID_INPUT");
    assert!(message.contains("e-mail"), "{message}");

    // Another tenant's unit is not found through this tenant's site.
    let tour = api.tour.id.to_string();
    let (_, ext) = refusal(input(&tour, "2026-11-26", "2026-11-28", "foreign")).await;
    assert_eq!(ext["code"], "NOT_FOUND");

    // Nothing was written by any of them: the owner's stay is the only one.
    let all = api
        .ok_as(
            &owner,
            r#"{ reservations(first: 50) { edges { node { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        all["reservations"]["edges"].as_array().unwrap().len(),
        1,
        "{all}"
    );
}
