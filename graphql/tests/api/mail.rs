//! E-mail through GraphQL: `emailSettings` (what the tenant's messages go out
//! as, and whether they go out at all), the log (`emailMessages`: newest
//! first, filtered, paged) and `resendEmail` (sent and failed messages only),
//! and the staff's e-mail opt-ins in the notification settings, followed by
//! the queue. The worker is played by `Api::mail_pass` (queue, claim, report
//! sent); roles and tenant isolation are in the matrices (roles.yaml,
//! audited.yaml, isolation.rs).

use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::clock::Clock as _;
use berth_core::store::ProfileStore as _;
use berth_core::user::Role;
use berth_policy::Runtime;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;
use serde_json::{Value, json};

use crate::support::{MAIL_SENDER, api, code_of, repo};

const SETTINGS: &str = "{ emailSettings { configured sender senderName replyTo reminderDays } }";

const LOG: &str = r#"query($first: Int!, $after: String, $status: EmailStatus, $reservation: ID) {
  emailMessages(first: $first, after: $after, status: $status, reservationId: $reservation) {
    nodes { id kind toStaff status recipient reservationId subject attempts nextAttemptAt
            lastError createdAt attemptLog { number at smtpCode error } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

const RESEND: &str =
    r#"mutation($id: ID!) { resendEmail(id: $id) { id status attempts recipient } }"#;

const CONFIRMED_STAY: &str = r#"mutation($unit: ID!, $in: Date!, $out: Date!, $email: String!) {
  createReservation(input: { unitId: $unit, guests: 2, period: { checkIn: $in, checkOut: $out },
    client: { name: "Mail Guest", email: $email } }) { id state }
}"#;

fn registry(api: &crate::support::Api) -> Arc<PolicyRegistry> {
    let registry = Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        repo().join("tenants"),
        api.clock.clone(),
    ));
    registry.load_all();
    registry
}

#[tokio::test]
async fn email_settings_say_what_messages_go_out_as_and_whether_they_go_out() {
    let api = api().await;
    // Any signed-in role may ask: staff see why they get no e-mail.
    let staff = api.token("alpine-cabins", Role::Staff);
    let data = api.ok_as(&staff, SETTINGS, json!({})).await;
    // The live policy's lead time (alpine-cabins' tenant.yaml says 3).
    let reminder_days = registry(&api)
        .get("alpine-cabins")
        .unwrap()
        .config()
        .reminder_days;
    assert_eq!(reminder_days, 3);
    assert_eq!(
        data["emailSettings"],
        json!({ "configured": true, "sender": MAIL_SENDER, "senderName": "Alpine Cabins",
                "replyTo": null, "reminderDays": reminder_days })
    );

    // Replies go to the profile's e-mail once the profile is stored.
    let registry = registry(&api);
    let profile = registry
        .get("alpine-cabins")
        .unwrap()
        .config()
        .public_profile();
    api.store
        .save_tenant_profile(api.alpine.id, &profile, &Actor::System, api.clock.now())
        .await
        .unwrap();
    let data = api.ok_as(&staff, SETTINGS, json!({})).await;
    assert_eq!(
        data["emailSettings"]["replyTo"],
        "hallo@alpine-cabins.example.ch"
    );

    // A server without SMTP says so, and names no sender.
    let engine = berth_core::Engine::new(api.store.clone(), registry, api.clock.clone());
    let unmailed = berth_graphql::schema(engine, api.auth.clone());
    let request =
        async_graphql::Request::new(SETTINGS).data(berth_graphql::auth::BearerToken(staff.clone()));
    let response = unmailed.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    assert_eq!(data["emailSettings"]["configured"], false);
    assert_eq!(data["emailSettings"]["sender"], Value::Null);
    assert_eq!(data["emailSettings"]["senderName"], "Alpine Cabins");
}

#[tokio::test]
async fn the_log_is_newest_first_filtered_paged_and_resends_what_is_finished() {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let cabin = api.cabin.id.to_string();
    assert!(
        api.mail_pass(api.alpine.id).await.is_empty(),
        "the first pass only starts"
    );

    // A stay confirmed at once: its guest's message is sent.
    let first = api
        .ok_as(
            &owner,
            CONFIRMED_STAY,
            json!({ "unit": cabin, "in": "2026-11-10", "out": "2026-11-12", "email": "ana@example.org" }),
        )
        .await["createReservation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = api.mail_pass(api.alpine.id).await;
    assert_eq!(sent.len(), 1);
    // Another, queued but not yet sent.
    let second = api
        .ok_as(
            &owner,
            CONFIRMED_STAY,
            json!({ "unit": cabin, "in": "2026-11-17", "out": "2026-11-19", "email": "ben@example.org" }),
        )
        .await["createReservation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    {
        use berth_core::store::MailStore as _;
        api.store
            .enqueue_mail(
                api.alpine.id,
                api.clock.now(),
                berth_core::mail::MailSettings::default(),
                100,
            )
            .await
            .unwrap();
    }

    let log = |vars: Value| {
        let api = &api;
        let owner = owner.clone();
        async move { api.ok_as(&owner, LOG, vars).await["emailMessages"].clone() }
    };
    // Each confirmed stay queued its guest's confirmation and, for later, its
    // arrival reminder: the second stay's two first, then the first's.
    let all = log(json!({ "first": 10 })).await;
    let nodes = all["nodes"].as_array().unwrap();
    let about = |n: &Value| {
        (
            n["reservationId"].as_str().unwrap().to_owned(),
            n["kind"].as_str().unwrap().to_owned(),
            n["status"].as_str().unwrap().to_owned(),
        )
    };
    let mut newest: Vec<_> = nodes[..2].iter().map(about).collect();
    newest.sort();
    assert_eq!(
        newest,
        vec![
            (second.clone(), "CONFIRMED".to_owned(), "PENDING".to_owned()),
            (second.clone(), "REMINDER".to_owned(), "PENDING".to_owned()),
        ],
        "newest first: {all}"
    );
    let mut oldest: Vec<_> = nodes[2..].iter().map(about).collect();
    oldest.sort();
    assert_eq!(
        oldest,
        vec![
            (first.clone(), "CONFIRMED".to_owned(), "SENT".to_owned()),
            (first.clone(), "REMINDER".to_owned(), "PENDING".to_owned()),
        ]
    );
    let reminder = nodes
        .iter()
        .find(|n| n["kind"] == "REMINDER" && n["reservationId"] == first.as_str())
        .unwrap();
    assert_eq!(
        reminder["nextAttemptAt"], "2026-11-08T14:00:00+00:00",
        "two days before the arrival at 15:00 in Zurich"
    );
    let pending = nodes
        .iter()
        .find(|n| n["kind"] == "CONFIRMED" && n["reservationId"] == second.as_str())
        .unwrap();
    assert_eq!(pending["attempts"], 0);
    assert_eq!(pending["attemptLog"], json!([]));
    assert_eq!(pending["subject"], Value::Null);

    // Filters: by status, by reservation, both.
    let only_sent = log(json!({ "first": 10, "status": "SENT" })).await;
    assert_eq!(only_sent["nodes"].as_array().unwrap().len(), 1);
    let done = &only_sent["nodes"][0];
    assert_eq!(done["id"], sent[0].as_str());
    assert_eq!(done["kind"], "CONFIRMED");
    assert_eq!(done["toStaff"], false);
    assert_eq!(done["recipient"], "ana@example.org");
    assert_eq!(done["reservationId"], first.as_str());
    assert_eq!(done["subject"], "confirmed subject");
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["attemptLog"][0]["number"], 1);
    assert_eq!(done["attemptLog"][0]["smtpCode"], 250);
    assert_eq!(done["lastError"], Value::Null);
    let about_second = log(json!({ "first": 10, "reservation": second })).await;
    assert_eq!(about_second["nodes"].as_array().unwrap().len(), 2);
    let pending_of_first =
        log(json!({ "first": 10, "reservation": first, "status": "PENDING" })).await;
    assert_eq!(pending_of_first["nodes"][0]["kind"], "REMINDER");
    assert_eq!(pending_of_first["nodes"].as_array().unwrap().len(), 1);

    // Pages, by cursor: three, then the last.
    let page_one = log(json!({ "first": 3 })).await;
    assert_eq!(page_one["pageInfo"]["hasNextPage"], true);
    let cursor = page_one["pageInfo"]["endCursor"].clone();
    let page_two = log(json!({ "first": 3, "after": cursor })).await;
    assert_eq!(page_two["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(page_two["nodes"][0]["id"], nodes[3]["id"]);
    assert_eq!(page_two["pageInfo"]["hasNextPage"], false);
    for (vars, code) in [
        (json!({ "first": 0 }), "INVALID_INPUT"),
        (json!({ "first": 1, "after": "nope" }), "INVALID_INPUT"),
        (
            json!({ "first": 1, "reservation": "0190aaaa-0000-7000-8000-000000000000" }),
            "NOT_FOUND",
        ),
    ] {
        assert_eq!(
            code_of(&api.run_as(Some(&owner), LOG, vars.clone()).await),
            code,
            "{vars}"
        );
    }

    // Resend: a sent one goes again (pending, its attempts kept), and is sent
    // by the next pass; a pending one, or one the tenant lacks, is refused.
    let again = api.ok_as(&owner, RESEND, json!({ "id": sent[0] })).await["resendEmail"].clone();
    assert_eq!(again["status"], "PENDING");
    assert_eq!(again["attempts"], 1);
    for (id, code) in [
        (sent[0].clone(), "CONFLICT"),
        (pending["id"].as_str().unwrap().to_owned(), "CONFLICT"),
        (
            "0190aaaa-0000-7000-8000-000000000000".to_owned(),
            "NOT_FOUND",
        ),
        ("not-an-id".to_owned(), "INVALID_INPUT"),
    ] {
        assert_eq!(
            code_of(&api.run_as(Some(&owner), RESEND, json!({ "id": id })).await),
            code,
            "{id}"
        );
    }
    let resent = api.mail_pass(api.alpine.id).await;
    assert!(resent.contains(&sent[0]), "{resent:?}");
    let after = log(json!({ "first": 10, "status": "SENT", "reservation": first })).await;
    assert_eq!(after["nodes"][0]["attempts"], 2);
    assert_eq!(after["nodes"][0]["attemptLog"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn staff_opt_in_to_email_and_hear_of_public_requests() {
    let api = api().await;
    let staff = api.token("alpine-cabins", Role::Staff);
    const SETTINGS: &str =
        "{ notificationSettings { reservationCreated emailNewRequest emailCanceled emailNoShow } }";
    // Off until opted in; push kinds stay on.
    assert_eq!(
        api.ok_as(&staff, SETTINGS, json!({})).await["notificationSettings"],
        json!({ "reservationCreated": true, "emailNewRequest": false, "emailCanceled": false, "emailNoShow": false })
    );
    let updated = api
        .ok_as(
            &staff,
            r#"mutation { updateNotificationSettings(input: { emailNewRequest: true, emailNoShow: true }) {
                 reservationCreated emailNewRequest emailCanceled emailNoShow } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        updated["updateNotificationSettings"],
        json!({ "reservationCreated": true, "emailNewRequest": true, "emailCanceled": false, "emailNoShow": true })
    );
    assert_eq!(
        api.ok_as(&staff, SETTINGS, json!({})).await["notificationSettings"]["emailNewRequest"],
        true
    );

    // A guest's request on the public site: the guest hears it arrived, and
    // of the staff only the one who opted in hears of it.
    assert!(api.mail_pass(api.alpine.id).await.is_empty());
    let (_, errors) = api
        .run(
            r#"mutation($input: BookingRequestInput!) { requestBooking(tenant: "alpine-cabins", input: $input) { reference } }"#,
            json!({ "input": {
                "unitId": api.cabin.id.to_string(),
                "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-12" },
                "guests": 2,
                "guest": { "name": "Ana Guest", "email": "ana@example.org" },
                "requestKey": "mail-1",
            } }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(api.mail_pass(api.alpine.id).await.len(), 2);
    let owner = api.token("alpine-cabins", Role::Owner);
    let log = api.ok_as(&owner, LOG, json!({ "first": 10 })).await;
    let mut got: Vec<(String, bool, String)> = log["emailMessages"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["toStaff"].as_bool().unwrap(),
                m["recipient"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "REQUEST_RECEIVED".to_owned(),
                false,
                "ana@example.org".to_owned()
            ),
            (
                "STAFF_NEW_REQUEST".to_owned(),
                true,
                "staff@alpine-cabins.example.org".to_owned()
            ),
        ]
    );
}
