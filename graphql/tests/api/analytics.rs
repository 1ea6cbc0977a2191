//! Analytics over GraphQL: each of `occupancy`, `day`, `stats` and `topUnits`
//! costs the same store calls for 3 reservations as for 100 (no
//! per-reservation or per-unit query), figures on a small hand-checked case,
//! and bad ranges refused with INVALID_INPUT. The demo-data figures are checked
//! in the server (`server/src/tenants/demo_analytics.rs`), where the seed code
//! lives.

use std::collections::BTreeMap;

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{Api, api};

/// The four root fields, each asked in its own request (root fields run
/// concurrently, and their DataLoader batches could merge by timing).
const ANALYTICS: [&str; 4] = [
    r#"{ occupancy(from: "2026-11-09", to: "2026-11-13", byUnit: true) {
        measure occupied capacity days { date occupied capacity ratio units { unit { name } occupied } } } }"#,
    r#"{ day(date: "2026-11-11") {
        occupancy { occupied capacity units { unit { name } } }
        reservations { state unit { name } client { name } guests } } }"#,
    r#"{ stats(from: "2026-11-09", to: "2026-11-13") {
        nightsReserved activeReservations revenue { amount currency } averageLengthOfStay
        previous { nightsReserved } } }"#,
    r#"{ topUnits(from: "2026-11-09", to: "2026-11-13", limit: 200, by: NIGHTS) {
        rank unit { name } nights revenue { amount } } }"#,
];

/// Books 2 nights (11-10 to 11-12) on each of `n` new cabins for `n` new
/// clients and returns the answer and the store calls of the analytics queries.
async fn analytics_of(api: &Api, n: usize) -> (Value, BTreeMap<&'static str, usize>) {
    let _staff = api.token("alpine-cabins", Role::Staff);
    api.stays_on_new_cabins(n, |i| format!("Cabin {i:03}"))
        .await;
    api.store.take();
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let mut data = serde_json::Map::new();
    for query in ANALYTICS {
        let answer = api.ok_as(&viewer, query, json!({})).await;
        data.extend(answer.as_object().unwrap().clone());
    }
    (Value::Object(data), api.store.take())
}

#[tokio::test]
async fn analytics_cost_a_fixed_number_of_store_queries() {
    let (few_data, few) = analytics_of(&api().await, 3).await;
    let (data, many) = analytics_of(&api().await, 100).await;
    assert_eq!(few, many, "the cost must not grow with the reservations");
    // Per root field: the tenant, its units, the bookings and the blocks of the
    // range; the units an answer names in one batch (occupancy, day, topUnits),
    // and the units' versions once per answer; `day` also reads its
    // reservations and loads their units and clients in one batch each.
    // Each query (one request each) reads the caller's user once.
    assert_eq!(
        many,
        BTreeMap::from([
            ("blocks_overlapping", 4),
            ("bookings_overlapping", 4),
            ("clients_by_ids", 1),
            ("reservations", 1),
            ("tenant", 4),
            ("unit_versions", 4),
            ("units", 4),
            ("units_by_ids", 4),
            ("user", 4),
        ])
    );

    // The figures: the test unit plus n cabins, 2 nights each on 11-10 and 11-11.
    for (data, n) in [(&few_data, 3.0), (&data, 100.0)] {
        let occupancy = &data["occupancy"];
        assert_eq!(occupancy["measure"], "NIGHTS");
        let per_day: Vec<f64> = occupancy["days"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["occupied"].as_f64().unwrap())
            .collect();
        assert_eq!(per_day, vec![0.0, n, n, 0.0, 0.0]);
        assert_eq!(occupancy["capacity"], 5.0 * (n + 1.0));
        assert_eq!(occupancy["days"][1]["ratio"], n / (n + 1.0));
        assert_eq!(data["stats"]["nightsReserved"], 2.0 * n);
        assert_eq!(data["stats"]["activeReservations"], n);
        assert_eq!(data["stats"]["averageLengthOfStay"], 2.0);
        assert_eq!(data["stats"]["revenue"]["currency"], "CHF");
        assert_eq!(data["stats"]["previous"]["nightsReserved"], 0);
        assert_eq!(
            data["day"]["reservations"].as_array().unwrap().len(),
            n as usize
        );
        assert_eq!(data["day"]["reservations"][0]["client"]["name"], "Guest 0");
        assert_eq!(data["topUnits"].as_array().unwrap().len(), n as usize + 1);
        assert_eq!(
            data["topUnits"][0]["unit"]["name"], "Cabin 000",
            "ties by name"
        );
        assert_eq!(data["topUnits"][0]["nights"], 2);
        let revenue: i64 = data["topUnits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["revenue"]["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(data["stats"]["revenue"]["amount"], revenue);
    }
}

#[tokio::test]
async fn bad_ranges_are_invalid_input() {
    let api = api().await;
    let viewer = api.token("alpine-cabins", Role::Viewer);
    for (query, why) in [
        (
            r#"{ occupancy(from: "2026-11-10", to: "2026-11-09") { capacity } }"#,
            "reversed",
        ),
        (
            r#"{ occupancy(from: "2026-01-01", to: "2027-01-02") { capacity } }"#,
            "367 days",
        ),
        (
            r#"{ stats(from: "2026-11-10", to: "2026-11-09") { capacity } }"#,
            "reversed",
        ),
        (
            r#"{ topUnits(from: "2026-11-01", to: "2026-11-09", limit: 0) { rank } }"#,
            "limit",
        ),
        (
            r#"{ topUnits(from: "2026-11-01", to: "2026-11-09", limit: 201) { rank } }"#,
            "limit",
        ),
        (r#"{ day(date: "2026-13-01") { date } }"#, "not a date"),
    ] {
        let (_, errors) = api.run_as(Some(&viewer), query, json!({})).await;
        assert_eq!(errors.len(), 1, "{why}: {errors:?}");
        assert_eq!(errors[0].1["code"], "INVALID_INPUT", "{why}: {errors:?}");
    }
    // A whole leap year is fine.
    let data = api
        .ok_as(
            &viewer,
            r#"{ occupancy(from: "2028-01-01", to: "2028-12-31") { days { date } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["occupancy"]["days"].as_array().unwrap().len(), 366);
}
