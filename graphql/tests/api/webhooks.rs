//! Webhooks over GraphQL (admin): created with their secret shown once, listed,
//! their delivery log paged newest first with every attempt, deleted; bad URLs
//! and unknown event names are INVALID_INPUT naming the argument. Run on both
//! databases.

use berth_core::clock::Clock;
use berth_core::store::WebhookStore;
use berth_core::user::Role;
use berth_core::webhook::{AttemptReport, AttemptResult};
use serde_json::json;

use crate::support::{Backend, api_on, code_of, on_both_stores};

on_both_stores!(webhooks_are_managed_by_admins_with_a_delivery_log);

const CREATE: &str = r#"mutation($url: String!, $events: [String!]!) {
  createWebhook(url: $url, events: $events) { secret webhook { id url events createdAt deletedAt } }
}"#;

const LOG: &str = r#"query($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $id, first: $first, after: $after) {
    edges { cursor node { id eventId eventType cursor status attempts nextAttemptAt
      attemptLog { number startedAt finishedAt responseStatus error } } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

async fn webhooks_are_managed_by_admins_with_a_delivery_log(backend: Backend) {
    let api = api_on(backend).await;
    let admin = api.token("alpine-cabins", Role::Admin);
    for (url, events, wrong) in [
        ("ftp://hooks.example.org/x", json!(["*"]), "url:"),
        (
            "https://hooks.example.org/x",
            json!(["reservation.exploded"]),
            "events:",
        ),
        ("https://hooks.example.org/x", json!([]), "events:"),
    ] {
        let answer = api
            .run_as(
                Some(&admin),
                CREATE,
                json!({ "url": url, "events": events }),
            )
            .await;
        assert_eq!(code_of(&answer), "INVALID_INPUT", "{url} {events}");
        assert!(answer.1[0].0.starts_with(wrong), "{:?}", answer.1);
    }

    let created = api
        .ok_as(
            &admin,
            CREATE,
            json!({ "url": "https://hooks.example.org/berth", "events": ["unit.*", "reservation.created"] }),
        )
        .await;
    let secret = created["createWebhook"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    let webhook = &created["createWebhook"]["webhook"];
    assert_eq!(webhook["events"], json!(["unit.*", "reservation.created"]));
    assert_eq!(webhook["deletedAt"], json!(null));
    let id = webhook["id"].as_str().unwrap().to_owned();
    let listed = api
        .ok_as(&admin, "{ webhooks { id url events } }", json!({}))
        .await;
    assert_eq!(
        listed["webhooks"],
        json!([{ "id": id, "url": "https://hooks.example.org/berth", "events": ["unit.*", "reservation.created"] }])
    );
    // The secret is shown once: no field gives it back.
    assert!(!listed.to_string().contains(&secret[6..]));

    // Three units → three deliveries; the first fails once, then all succeed.
    for name in ["A", "B", "C"] {
        api.ok_as(
            &admin,
            r#"mutation($name: String!) { createUnit(input: { name: $name, inventory: 1, maxGuests: 2 }) { id } }"#,
            json!({ "name": name }),
        )
        .await;
    }
    let tenant = api.alpine.id;
    let now = api.clock.now();
    let mut claimed = Vec::new();
    for _ in 0..2_500 {
        api.store
            .enqueue_deliveries(tenant, now, 100)
            .await
            .unwrap();
        claimed.extend(
            api.store
                .claim_deliveries(tenant, now, chrono::Duration::seconds(60), 10)
                .await
                .unwrap(),
        );
        if claimed.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(claimed.len(), 3);
    claimed.sort_by_key(|c| c.event.cursor);
    for (i, c) in claimed.iter().enumerate() {
        let result = if i == 0 {
            AttemptResult::Error("connection refused".into())
        } else {
            AttemptResult::Response(200)
        };
        let report = AttemptReport::new(c, now, result, 500);
        assert!(api.store.finish_attempt(tenant, &report).await.unwrap());
    }

    let first = api
        .ok_as(&admin, LOG, json!({ "id": id, "first": 2 }))
        .await;
    let page = &first["webhookDeliveries"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let edges = page["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    for edge in edges {
        let node = &edge["node"];
        assert_eq!(node["status"], "DELIVERED");
        assert_eq!(node["eventType"], "unit.created");
        assert_eq!(node["attempts"], 1);
        assert_eq!(node["attemptLog"][0]["responseStatus"], 200);
    }
    let rest = api
        .ok_as(
            &admin,
            LOG,
            json!({ "id": id, "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let page = &rest["webhookDeliveries"];
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    let oldest = &page["edges"][0]["node"];
    assert_eq!(oldest["status"], "PENDING");
    assert_eq!(oldest["id"], claimed[0].id.to_string());
    assert_eq!(oldest["eventId"], claimed[0].event.id.to_string());
    assert_eq!(oldest["cursor"], claimed[0].event.cursor.to_string());
    assert_eq!(
        oldest["attemptLog"],
        json!([{ "number": 1, "startedAt": now.to_rfc3339(),
                 "finishedAt": now.to_rfc3339(),
                 "responseStatus": null, "error": "connection refused" }])
    );
    assert!(oldest["nextAttemptAt"].is_string());

    // Deleting: the pending delivery fails, the log stays, the list empties.
    let deleted = api
        .ok_as(
            &admin,
            "mutation($id: ID!) { deleteWebhook(id: $id) { id deletedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(deleted["deleteWebhook"]["deletedAt"].is_string());
    let listed = api.ok_as(&admin, "{ webhooks { id } }", json!({})).await;
    assert_eq!(listed["webhooks"], json!([]));
    let all = api
        .ok_as(
            &admin,
            "{ webhooks(includeDeleted: true) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(all["webhooks"], json!([{ "id": id }]));
    let log = api
        .ok_as(&admin, LOG, json!({ "id": id, "first": 5 }))
        .await;
    let statuses: Vec<_> = log["webhookDeliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, vec!["DELIVERED", "DELIVERED", "FAILED"]);
    let malformed = api.run_as(Some(&admin), LOG, json!({ "id": "nope" })).await;
    assert_eq!(code_of(&malformed), "INVALID_INPUT");
}
