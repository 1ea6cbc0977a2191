//! Webhooks through the real binary: an admin creates a webhook over GraphQL,
//! a write commits, and the server's worker POSTs the signed message to a
//! receiver on loopback, which verifies it per the Standard Webhooks
//! specification (HMAC computed here, not by berth).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::transport::demo_admin_session_where;
use crate::{Server, temp_sqlite_url, tenants_dir};

type Inbox = mpsc::UnboundedSender<(HeaderMap, Bytes)>;

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let _ = inbox.send((headers, body));
    StatusCode::NO_CONTENT
}

#[tokio::test]
async fn a_write_reaches_the_webhook_signed() {
    let (tx, mut inbox) = mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (url, _) = temp_sqlite_url();
    let server = Server::demo(
        &url,
        &tenants_dir(),
        &[
            // The receiver is on loopback, which webhooks may not call by default.
            "--webhook-allow-private-targets",
        ],
    );
    let (_, token) =
        demo_admin_session_where(&server, |l| l.contains("tenant=alpine-cabins")).await;
    let created = server
        .graphql_as(
            Some(&token),
            "mutation($url: String!) { createWebhook(url: $url, events: [\"unit.created\"]) { secret webhook { id } } }",
            serde_json::json!({ "url": hook_url }),
        )
        .await;
    let secret = created["data"]["createWebhook"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let unit = server
        .graphql_as(
            Some(&token),
            r#"mutation { createUnit(input: { name: "Webhook cabin", inventory: 1, maxGuests: 2 }) { id } }"#,
            serde_json::json!({}),
        )
        .await;
    let unit_id = unit["data"]["createUnit"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (headers, body) = tokio::time::timeout(std::time::Duration::from_secs(30), inbox.recv())
        .await
        .expect("the message arrives")
        .unwrap();
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let id = header("webhook-id");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 300);
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    assert!(
        header("webhook-signature")
            .split(' ')
            .any(|s| s == expected),
        "bad signature"
    );
    let message: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(message["type"], "unit.created");
    assert_eq!(message["data"]["entity_id"], unit_id.as_str());
    assert_eq!(message["data"]["payload"]["name"], "Webhook cabin");

    // The delivery log shows it delivered at the first attempt.
    let webhook_id = created["data"]["createWebhook"]["webhook"]["id"].clone();
    let mut log = serde_json::Value::Null;
    for _ in 0..100 {
        log = server
            .graphql_as(
                Some(&token),
                "query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { id status attempts attemptLog { responseStatus } } } } }",
                serde_json::json!({ "id": webhook_id }),
            )
            .await;
        if log["data"]["webhookDeliveries"]["edges"][0]["node"]["status"] == "DELIVERED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let node = &log["data"]["webhookDeliveries"]["edges"][0]["node"];
    assert_eq!(node["status"], "DELIVERED", "{log}");
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["attemptLog"][0]["responseStatus"], 204);
    server.stop();
}
