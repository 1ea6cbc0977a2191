//! `unitCalendar`: a unit's availability per day, public, in its model's terms
//! — nights for the cabin, departures for the tour — agreeing with bookings.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::api;

const CALENDAR: &str = r#"query($t: String!, $u: ID!, $from: Date!, $days: Int!) {
  unitCalendar(tenant: $t, unitId: $u, from: $from, days: $days) {
    model
    nights { date capacity free fill }
    slotDays { date slots { start end capacity free } }
    hourDays { date }
  }
}"#;

#[tokio::test]
async fn a_units_calendar_follows_its_model_and_its_bookings() {
    let api = api().await;
    let cabin = api.cabin.id.to_string();
    let owner = api.token("alpine-cabins", Role::Owner);
    api.ok_as(
        &owner,
        r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 2,
             period: { checkIn: "2026-11-10", checkOut: "2026-11-12" } }) { id } }"#,
        json!({ "unit": cabin }),
    )
    .await;
    let (data, errors) = api
        .run(
            CALENDAR,
            json!({ "t": "alpine-cabins", "u": cabin, "from": "2026-11-09", "days": 4 }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    let calendar = &data["unitCalendar"];
    assert_eq!(calendar["model"], "nightly");
    assert_eq!(calendar["slotDays"], json!([]));
    let fills: Vec<(Value, Value)> = calendar["nights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["date"].clone(), n["fill"].clone()))
        .collect();
    assert_eq!(
        fills,
        vec![
            (json!("2026-11-09"), json!("FREE")),
            (json!("2026-11-10"), json!("FULL")),
            (json!("2026-11-11"), json!("FULL")),
            (json!("2026-11-12"), json!("FREE")),
        ]
    );

    // The tour: its departures with places left, as `slots` says.
    let tour = api.tour.id.to_string();
    let (data, errors) = api
        .run(
            CALENDAR,
            json!({ "t": "summit-tours", "u": tour, "from": "2026-11-10", "days": 1 }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    let calendar = &data["unitCalendar"];
    assert_eq!(calendar["model"], "timeslot");
    let (slots, errors) = api
        .run(
            r#"query($u: ID!) { slots(tenant: "summit-tours", unitId: $u, date: "2026-11-10") { start end capacity free } }"#,
            json!({ "u": tour }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(calendar["slotDays"][0]["slots"], slots["slots"]);

    // Bad input and another tenant's unit.
    let code = |v: Value| {
        let api = &api;
        async move { api.error_code(CALENDAR, v).await }
    };
    assert_eq!(
        code(json!({ "t": "alpine-cabins", "u": cabin, "from": "2026-11-09", "days": 0 })).await,
        "INVALID_INPUT"
    );
    assert_eq!(
        code(json!({ "t": "alpine-cabins", "u": tour, "from": "2026-11-09", "days": 3 })).await,
        "NOT_FOUND"
    );
}
