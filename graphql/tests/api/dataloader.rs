//! A list of reservations with their unit and client costs a fixed number of
//! store queries, however long the list: the DataLoaders batch the lookups.

use std::collections::BTreeMap;

use berth_core::user::Role;
use serde_json::json;

use crate::support::{Api, api};

/// Books `n` reservations over `n` distinct units and clients (the worst case for
/// per-row lookups) and returns the store calls that listing them cost.
async fn calls_for_list_of(api: &Api, n: usize) -> BTreeMap<&'static str, usize> {
    let staff = api.token("alpine-cabins", Role::Staff);
    api.stays_on_new_cabins(n, |i| format!("Cabin {i}")).await;
    api.store.take();
    let data = api
        .ok_as(
            &staff,
            r#"{ reservations(first: 200) { edges { node { id unit { id name } client { id name } } } } }"#,
            json!({}),
        )
        .await;
    let edges = data["reservations"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), n);
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["client"]["name"].is_string())
    );
    api.store.take()
}

#[tokio::test]
async fn reservation_lists_cost_a_fixed_number_of_store_queries() {
    let few = calls_for_list_of(&api().await, 3).await;
    let many = calls_for_list_of(&api().await, 100).await;
    assert_eq!(few, many, "the cost must not grow with the list");
    let total: usize = many.values().sum();
    assert_eq!(
        many,
        BTreeMap::from([
            ("clients_by_ids", 1),
            ("reservations", 1),
            ("units_by_ids", 1),
            // The caller's user, read once per request to verify the session.
            ("user", 1)
        ]),
        "{total} store calls"
    );
}
