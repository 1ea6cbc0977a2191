//! Tenant isolation, for every query and mutation the schema has (found by
//! introspection): signed in as tenant A's owner, each id argument (top level or
//! inside an input) given an id of tenant B's object of that kind gets NOT_FOUND;
//! no answer to any field carries B's private ids or names; and B's data and
//! event stream are unchanged afterwards. Run on both databases (PostgreSQL with
//! row-level security in force).

use berth_core::store::EventStore;
use berth_core::user::Role;
use serde_json::json;

use crate::roles::seed_ids;
use crate::support::{Backend, PASSWORD, api_on, code_of, on_both_stores};
use crate::sweep::{self, Values};

on_both_stores!(no_field_reaches_another_tenant);

async fn no_field_reaches_another_tenant(backend: Backend) {
    let api = api_on(backend).await;
    let a = seed_ids(&api, "alpine-cabins", &api.cabin.id.to_string()).await;
    // B's reservation: a tour slot; B's client has a name nobody else uses,
    // and an address, so B's mail log has their message (the worker's first
    // pass starts B's position).
    let b_owner = api.token("summit-tours", Role::Owner);
    api.mail_pass(api.summit.id).await;
    let slots = api
        .ok_as(
            &b_owner,
            r#"query($unit: ID!) { slots(tenant: "summit-tours", unitId: $unit, date: "2026-11-20") { start } }"#,
            json!({ "unit": api.tour.id.to_string() }),
        )
        .await;
    let start = slots["slots"][0]["start"].clone();
    let b_reservation = api
        .ok_as(
            &b_owner,
            r#"mutation($unit: ID!, $start: DateTime!) { createReservation(input: { unitId: $unit,
                 guests: 1, period: { start: $start }, client: { name: "Secret Summit Guest",
                 email: "secret.summit.guest@example.org" } })
                 { id client { id } } }"#,
            json!({ "unit": api.tour.id.to_string(), "start": start }),
        )
        .await;
    let b_key = api
        .ok_as(
            &b_owner,
            r#"mutation { createApiKey(name: "summit key") { apiKey { id } } }"#,
            json!({}),
        )
        .await;
    let b_lock = api
        .ok_as(
            &b_owner,
            r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit }, ttlSeconds: 600) { id } }"#,
            json!({ "unit": api.tour.id.to_string() }),
        )
        .await;
    let b_webhook = api
        .ok_as(
            &b_owner,
            r#"mutation { createWebhook(url: "https://summit.example.org/hook", events: ["*"]) { webhook { id } } }"#,
            json!({}),
        )
        .await;
    let b_user = api
        .ok_as(
            &b_owner,
            r#"mutation($password: String!) { createUser(email: "hidden.staff@summit.example.org",
                 password: $password, role: STAFF) { id } }"#,
            json!({ "password": PASSWORD }),
        )
        .await;
    let b_sync = api
        .ok_as(
            &b_owner,
            r#"mutation($unit: ID!) { addCalendarSync(input: { unitId: $unit,
                 url: "https://calendars.example.org/hidden.ics", source: "airbnb" }) { id } }"#,
            json!({ "unit": api.tour.id.to_string() }),
        )
        .await;
    let b_block = api
        .ok_as(
            &b_owner,
            r#"mutation($unit: ID!) { blockUnit(input: { unitId: $unit, reason: "Secret summit maintenance",
                 period: { checkIn: "2026-11-25", checkOut: "2026-11-26" } }) { id } }"#,
            json!({ "unit": api.tour.id.to_string() }),
        )
        .await;
    let b_mail = api
        .mail_pass(api.summit.id)
        .await
        .pop()
        .expect("B's guest's message");
    let b_image = api
        .upload_image(&api.summit, api.tour.id, 31, "Secret summit view")
        .await;
    let b = sweep::Ids {
        image: b_image,
        unit: api.tour.id.to_string(),
        client: b_reservation["createReservation"]["client"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        reservation: b_reservation["createReservation"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        api_key: b_key["createApiKey"]["apiKey"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        lock: b_lock["acquireLock"]["id"].as_str().unwrap().to_owned(),
        webhook: b_webhook["createWebhook"]["webhook"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        user: b_user["createUser"]["id"].as_str().unwrap().to_owned(),
        calendar_sync: b_sync["addCalendarSync"]["id"].as_str().unwrap().to_owned(),
        block: b_block["blockUnit"]["id"].as_str().unwrap().to_owned(),
        mail: b_mail,
    };
    let private = [
        b.client.clone(),
        b.reservation.clone(),
        b.api_key.clone(),
        b.lock.clone(),
        b.webhook.clone(),
        b.user.clone(),
        b.calendar_sync.clone(),
        b.block.clone(),
        b.mail.clone(),
        "secret.summit.guest@example.org".to_owned(),
        "Secret summit maintenance".to_owned(),
        "calendars.example.org/hidden.ics".to_owned(),
        "summit.example.org".to_owned(),
        "Secret Summit Guest".to_owned(),
    ];
    let b_events = |api: &crate::support::Api| {
        let store = api.store.clone();
        let tenant = api.summit.id;
        async move { store.event_count(tenant).await.unwrap() }
    };
    let before = b_events(&api).await;

    let token = api.token("alpine-cabins", Role::Owner);
    let (fields, types) = sweep::fields(&api).await;
    let values = Values {
        tenant: "alpine-cabins",
        email: "owner@alpine-cabins.example.org",
        password: PASSWORD,
        ids: &a,
    };
    // First each id position given B's object of that kind (these all fail, so
    // A's objects stay as they are for the next probe)...
    let mut probes = 0;
    for field in &fields {
        for (path, kind) in sweep::id_positions(field, &types) {
            let args = sweep::arguments(
                field,
                &types,
                &values,
                Some(&path),
                Some((&path, b.of(kind))),
            );
            let answer = sweep::call(&api, Some(&token), field, args.clone()).await;
            assert_eq!(
                code_of(&answer),
                "NOT_FOUND",
                "{} with B's {kind:?} at {path:?} ({args:?}): {answer:?}",
                field.name
            );
            probes += 1;
        }
    }
    // ...then every field called plainly (public fields get B's slug: its
    // public catalog is public), none of which may show B's private data.
    for field in &fields {
        let values = Values {
            tenant: "summit-tours",
            ..values
        };
        let args = sweep::arguments(field, &types, &values, None, None);
        let answer = sweep::call(&api, Some(&token), field, args).await;
        let text = format!("{} {:?}", answer.0, answer.1);
        for secret in &private {
            assert!(
                !text.contains(secret.as_str()),
                "{}: answer shows B's {secret}: {text}",
                field.name
            );
        }
    }
    assert!(probes >= 15, "only {probes} id arguments swept");
    assert_eq!(b_events(&api).await, before, "B's event stream changed");
    let b_view = api
        .ok_as(
            &b_owner,
            r#"query($id: ID!) { reservation(id: $id) { state version client { name } } }"#,
            json!({ "id": b.reservation }),
        )
        .await;
    assert_eq!(
        b_view["reservation"],
        json!({ "state": "CONFIRMED", "version": 1, "client": { "name": "Secret Summit Guest" } })
    );
}
