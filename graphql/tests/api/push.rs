//! Web push over GraphQL: the public VAPID key; each signed-in user registers,
//! lists and unregisters their own devices and switches kinds of notification
//! on and off; bad endpoints and keys are INVALID_INPUT naming the field; API
//! keys are FORBIDDEN (they have no devices); nothing crosses users or tenants.
//! Run on both databases.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{Api, Backend, VAPID_PUBLIC_KEY, api_on, code_of, on_both_stores};

on_both_stores!(users_manage_their_own_devices_and_settings);

const REGISTER: &str = r#"mutation($endpoint: String!, $keys: PushSubscriptionKeysInput!) {
  registerPushSubscription(endpoint: $endpoint, keys: $keys) { id endpoint pushService createdAt updatedAt }
}"#;

const UNREGISTER: &str =
    r#"mutation($endpoint: String!) { unregisterPushSubscription(endpoint: $endpoint) }"#;

const DEVICES: &str = "{ pushSubscriptions { id endpoint pushService } }";

const SETTINGS: &str = "{ notificationSettings { reservationCreated reservationChanged reservationCanceled noShow lockConflict } }";

const UPDATE: &str = r#"mutation($input: NotificationSettingsInput!) {
  updateNotificationSettings(input: $input) { reservationCreated reservationChanged reservationCanceled noShow lockConflict }
}"#;

/// RFC 8291's example subscription keys, as a browser's `toJSON()` gives them.
fn keys() -> Value {
    json!({
        "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        "auth": "BTBZMqHH6r4Tts7J_aSIgg",
    })
}

const PHONE: &str = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b-phone";

async fn devices(api: &Api, token: &str) -> Vec<Value> {
    api.ok_as(token, DEVICES, json!({})).await["pushSubscriptions"]
        .as_array()
        .unwrap()
        .clone()
}

async fn users_manage_their_own_devices_and_settings(backend: Backend) {
    let api = api_on(backend).await;
    // Public: what browsers subscribe with.
    let (data, errors) = api.run("{ vapidPublicKey }", json!({})).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["vapidPublicKey"], VAPID_PUBLIC_KEY);

    let admin = api.token("alpine-cabins", Role::Admin);
    let staff = api.token("alpine-cabins", Role::Staff);
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let registered = api
        .ok_as(
            &admin,
            REGISTER,
            json!({ "endpoint": PHONE, "keys": keys() }),
        )
        .await["registerPushSubscription"]
        .clone();
    assert_eq!(registered["endpoint"], PHONE);
    assert_eq!(registered["pushService"], "https://fcm.googleapis.com");
    assert_eq!(registered["createdAt"], "2026-11-02T09:00:00+00:00");
    // Registering again (every start of the app) returns the same device.
    let again = api
        .ok_as(
            &admin,
            REGISTER,
            json!({ "endpoint": PHONE, "keys": keys() }),
        )
        .await["registerPushSubscription"]
        .clone();
    assert_eq!(again["id"], registered["id"]);
    assert_eq!(devices(&api, &admin).await.len(), 1);
    // Viewers may register too (they are not notified until promoted).
    api.ok_as(
        &viewer,
        REGISTER,
        json!({ "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/viewer", "keys": keys() }),
    )
    .await;
    assert!(
        devices(&api, &staff).await.is_empty(),
        "devices are per user"
    );
    assert_eq!(devices(&api, &viewer).await.len(), 1);

    // Refused input names what is wrong.
    let mut bad_keys = keys();
    bad_keys["p256dh"] = json!("BBBB");
    let mut short_auth = keys();
    short_auth["auth"] = json!("AAAA");
    for (endpoint, keys, wrong) in [
        ("http://push.example.org/x", keys(), "endpoint:"),
        ("not a url", keys(), "endpoint:"),
        ("https://user:pw@push.example.org/x", keys(), "endpoint:"),
        (PHONE, bad_keys, "keys.p256dh"),
        (PHONE, short_auth, "keys.auth"),
    ] {
        let answer = api
            .run_as(
                Some(&admin),
                REGISTER,
                json!({ "endpoint": endpoint, "keys": keys }),
            )
            .await;
        assert_eq!(code_of(&answer), "INVALID_INPUT", "{endpoint}");
        assert!(answer.1[0].0.starts_with(wrong), "{:?}", answer.1);
    }

    // Settings: all on by default, switched per kind, per user.
    let defaults = json!({ "reservationCreated": true, "reservationChanged": true,
        "reservationCanceled": true, "noShow": true, "lockConflict": true });
    assert_eq!(
        api.ok_as(&admin, SETTINGS, json!({})).await["notificationSettings"],
        defaults
    );
    let updated = api
        .ok_as(
            &admin,
            UPDATE,
            json!({ "input": { "lockConflict": false, "reservationChanged": false } }),
        )
        .await["updateNotificationSettings"]
        .clone();
    assert_eq!(updated["lockConflict"], false);
    assert_eq!(updated["reservationChanged"], false);
    assert_eq!(updated["noShow"], true);
    let updated = api
        .ok_as(&admin, UPDATE, json!({ "input": { "lockConflict": true } }))
        .await["updateNotificationSettings"]
        .clone();
    assert_eq!(
        (&updated["lockConflict"], &updated["reservationChanged"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(
        api.ok_as(&admin, SETTINGS, json!({})).await["notificationSettings"],
        updated
    );
    assert_eq!(
        api.ok_as(&staff, SETTINGS, json!({})).await["notificationSettings"],
        defaults
    );

    // The writes are in the tenant's events, without the keys or the endpoint.
    // (On PostgreSQL an event is readable once no older transaction of the
    // cluster is open; other tests run alongside.)
    let count = |events: &Value, kind: &str| {
        events["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["kind"] == kind)
            .count()
    };
    let mut events = Value::Null;
    for _ in 0..2_500 {
        events = api
            .ok_as(
                &admin,
                "{ events(first: 200) { edges { node { kind payload } } } }",
                json!({}),
            )
            .await;
        if count(&events, "notification_settings.updated") == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(count(&events, "push_subscription.registered"), 2);
    assert_eq!(count(&events, "notification_settings.updated"), 2);
    let text = events.to_string();
    assert!(
        !text.contains("BTBZMqHH6r4Tts7J_aSIgg") && !text.contains("APA91b-phone"),
        "{text}"
    );

    // API keys are not users: no devices, no settings.
    let key = api
        .ok_as(
            &admin,
            r#"mutation { createApiKey(name: "channel manager") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for (query, variables) in [
        (REGISTER, json!({ "endpoint": PHONE, "keys": keys() })),
        (UNREGISTER, json!({ "endpoint": PHONE })),
        (DEVICES, json!({})),
        (SETTINGS, json!({})),
        (UPDATE, json!({ "input": { "noShow": false } })),
    ] {
        let answer = api.run_as(Some(&key), query, variables).await;
        assert_eq!(code_of(&answer), "FORBIDDEN", "{query}");
    }

    // Another user, or another tenant's admin, cannot remove the device.
    let other_tenant = api.token("summit-tours", Role::Owner);
    for token in [&staff, &other_tenant] {
        let gone = api
            .ok_as(token, UNREGISTER, json!({ "endpoint": PHONE }))
            .await;
        assert_eq!(gone["unregisterPushSubscription"], false);
    }
    assert!(devices(&api, &other_tenant).await.is_empty());
    assert_eq!(devices(&api, &admin).await.len(), 1);
    let gone = api
        .ok_as(&admin, UNREGISTER, json!({ "endpoint": PHONE }))
        .await;
    assert_eq!(gone["unregisterPushSubscription"], true);
    let again = api
        .ok_as(&admin, UNREGISTER, json!({ "endpoint": PHONE }))
        .await;
    assert_eq!(again["unregisterPushSubscription"], false);
    assert!(devices(&api, &admin).await.is_empty());

    // Anonymous callers are refused.
    assert_eq!(api.error_code(DEVICES, json!({})).await, "UNAUTHENTICATED");
}
