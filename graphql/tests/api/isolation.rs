//! Tenant isolation, for every query, mutation and subscription the schema has
//! (found by introspection), each with its case in isolation.yaml — a field
//! added without one fails the test: signed in as tenant A's owner, each id
//! argument (top level or inside an input) given an id of tenant B's object of
//! that kind gets NOT_FOUND; B's policy version numbers reach none of B's
//! versions; A's credentials do not sign in to B; no answer to any query or
//! mutation — each selected three levels deep — carries B's private ids, names
//! or policy text; B's data and event stream are unchanged afterwards; and
//! none of B's changes reaches A's subscriptions. Run on both databases
//! (PostgreSQL with row-level security in force).

use std::collections::BTreeMap;
use std::time::Duration;

use async_graphql::futures_util::{Stream, StreamExt};
use async_graphql::{Request, Response, Variables};
use berth_core::clock::Clock;
use berth_core::store::EventStore;
use berth_core::user::Role;
use berth_graphql::auth::BearerToken;
use serde_json::{Value, json};

use crate::roles::seed_ids;
use crate::support::{Api, Backend, PASSWORD, api_on, code_of, on_both_stores, repo};
use crate::sweep::{self, Values};

/// isolation.yaml: each root field's case, by operation.
#[derive(serde::Deserialize)]
struct Cases {
    query: BTreeMap<String, String>,
    mutation: BTreeMap<String, String>,
    subscription: BTreeMap<String, String>,
}

impl Cases {
    fn of(&self, operation: &str, name: &str) -> &str {
        let listed = match operation {
            "query" => &self.query,
            "mutation" => &self.mutation,
            _ => &self.subscription,
        };
        listed.get(name).map_or_else(
            || {
                panic!(
                    "{operation} {name} has no case in graphql/tests/api/isolation.yaml; \
                     say how it keeps tenants apart"
                )
            },
            String::as_str,
        )
    }
}

/// `tenant`'s policy directory as an editor sends it, with `note` appended to
/// its `tenant.yaml` (a comment: the same rules, other files).
fn policy_files(tenant: &str, note: &str) -> Value {
    let files = berth_policy::registry::directory_files(&repo().join("tenants").join(tenant))
        .unwrap()
        .into_iter()
        .map(|f| {
            let text = if f.path == "tenant.yaml" {
                format!("{}\n# {note}\n", f.text)
            } else {
                f.text
            };
            json!({ "path": f.path, "text": text })
        })
        .collect();
    Value::Array(files)
}

const PUBLISH: &str = r#"mutation($files: [PolicyFileInput!]!) {
  publishPolicy(files: $files) { version { number } } }"#;

on_both_stores!(no_field_reaches_another_tenant);

async fn no_field_reaches_another_tenant(backend: Backend) {
    let api = api_on(backend).await;
    let text = std::fs::read_to_string(repo().join("graphql/tests/api/isolation.yaml")).unwrap();
    let cases: Cases = serde_saphyr::from_str(&text).unwrap();
    let (fields, types) = sweep::fields(&api).await;
    let live = sweep::subscription_fields(&api).await;
    for (operation, listed) in [
        ("query", &cases.query),
        ("mutation", &cases.mutation),
        ("subscription", &cases.subscription),
    ] {
        for (name, case) in listed {
            let exists = if operation == "subscription" {
                live.contains(name)
            } else {
                fields
                    .iter()
                    .any(|f| f.operation == operation && &f.name == name)
            };
            assert!(
                exists,
                "isolation.yaml lists {operation} {name}, which the schema lacks"
            );
            let known = ["ids", "catalog", "own", "version", "credentials", "live"];
            assert!(
                known.contains(&case.as_str()),
                "{operation} {name}: no case `{case}`"
            );
            assert_eq!(
                case == "live",
                operation == "subscription",
                "{operation} {name}: `live` is the case of subscriptions, and theirs only"
            );
        }
    }
    for name in &live {
        cases.of("subscription", name);
    }
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
    // B has published two policy versions, A one: B's newest number is one A
    // lacks, and B's files say something nobody else's do.
    for note in ["Secret summit policy", "Secret summit policy, again"] {
        api.ok_as(
            &b_owner,
            PUBLISH,
            json!({ "files": policy_files("summit-tours", note) }),
        )
        .await;
    }
    let a_owner = api.token("alpine-cabins", Role::Owner);
    let a_version = api
        .ok_as(
            &a_owner,
            PUBLISH,
            json!({ "files": policy_files("alpine-cabins", "alpine") }),
        )
        .await["publishPolicy"]["version"]["number"]
        .as_i64()
        .unwrap();
    assert_eq!(a_version, 1);
    let b_newest = 2;
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
        b.image.clone(),
        "Secret summit view".to_owned(),
        "Secret summit policy".to_owned(),
    ];
    let b_events = |api: &crate::support::Api| {
        let store = api.store.clone();
        let tenant = api.summit.id;
        async move { store.event_count(tenant).await.unwrap() }
    };
    let before = b_events(&api).await;

    let token = api.token("alpine-cabins", Role::Owner);
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
        let case = cases.of(field.operation, &field.name);
        let positions = sweep::id_positions(field, &types);
        assert_eq!(
            case == "ids",
            !positions.is_empty(),
            "{} {}: its case is `{case}`, but it has {} ID argument(s)",
            field.operation,
            field.name,
            positions.len()
        );
        let has_arg = |name: &str| field.args.iter().any(|a| a.name == name);
        match case {
            "catalog" => assert!(
                has_arg("tenant") || has_arg("slug"),
                "{}: no slug",
                field.name
            ),
            "version" => assert!(
                field.args.iter().any(|a| sweep::type_name(&a.ty) == "Int"),
                "{}: no Int argument",
                field.name
            ),
            "credentials" => assert!(has_arg("tenant") && has_arg("email"), "{}", field.name),
            _ => {}
        }
        for (path, kind) in positions {
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
    // ...B's policy version numbers and A's credentials at B...
    for field in &fields {
        let case = cases.of(field.operation, &field.name);
        if !matches!(case, "version" | "credentials") {
            continue;
        }
        let mut args = sweep::arguments(
            field,
            &types,
            &Values {
                tenant: "summit-tours",
                ..values
            },
            None,
            None,
        );
        for arg in &field.args {
            if case == "version" && sweep::type_name(&arg.ty) == "Int" {
                args.insert(arg.name.clone(), json!(b_newest));
            }
        }
        let answer = sweep::call(&api, Some(&token), field, args.clone()).await;
        let code = code_of(&answer);
        match case {
            "version" => assert!(
                code == "NOT_FOUND" || (code == "none" && answer.0[&field.name].is_null()),
                "{} with B's version {b_newest} ({args:?}): {answer:?}",
                field.name
            ),
            _ => assert_eq!(code, "UNAUTHENTICATED", "{} at B: {answer:?}", field.name),
        }
        probes += 1;
    }
    // ...then every field called plainly (public fields get B's slug: its
    // public catalog is public), its answer selected three levels deep (pages
    // of two), none of which may show B's private data.
    for field in &fields {
        let values = Values {
            tenant: "summit-tours",
            ..values
        };
        let mut args = sweep::arguments(field, &types, &values, None, None);
        for arg in &field.args {
            if matches!(arg.name.as_str(), "first" | "limit") {
                args.insert(arg.name.clone(), json!(2));
            }
        }
        let selection = sweep::selection(&field.returns, &types, 3);
        let answer = sweep::call_selecting(&api, Some(&token), field, args, &selection).await;
        let text = format!("{} {:?}", answer.0, answer.1);
        for (message, _) in &answer.1 {
            for refusal in [
                "too complex",
                "nested too deep",
                "Unknown field",
                "must have a selection",
            ] {
                assert!(
                    !message.contains(refusal),
                    "{}: the sweep's own query was refused ({message}); fix sweep::selection",
                    field.name
                );
            }
        }
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
    let b_live = api
        .ok_as(&b_owner, "{ policyVersions { number } }", json!({}))
        .await;
    assert_eq!(
        b_live["policyVersions"],
        json!([{ "number": 2 }, { "number": 1 }])
    );

    // Subscriptions: A listens on each; B's changes (a stay, a lock, a policy
    // event) come first, then A's own, which must be the first A hears.
    let mut streams = Vec::new();
    for name in &live {
        let selection = sweep::selection_of_type(name_type(name), &types, 3);
        let query = format!("subscription {{ {name}{selection} }}");
        let mut stream = Box::pin(subscribe(&api, &token, &query));
        quiet(&mut stream).await;
        streams.push((name.clone(), stream));
    }
    let b_unit = api.tour.id.to_string();
    live_changes(
        &api,
        &b_owner,
        "summit-tours",
        &b_unit,
        &start,
        Some(&b.lock),
    )
    .await;
    // A fresh cabin: the plain calls above archived A's first one.
    let a_unit = api.new_cabin("Live cabin".into()).await.id.to_string();
    live_changes(&api, &token, "alpine-cabins", &a_unit, &json!(null), None).await;
    for (name, mut stream) in streams {
        let first = next(&mut stream).await;
        let text = first.to_string();
        assert!(
            text.contains(&a_unit) || text.contains("alpine-cabins change"),
            "{name}: the first event A hears is not A's: {text}"
        );
        for secret in private
            .iter()
            .chain([&api.tour.id.to_string(), &"summit-tours change".to_owned()])
        {
            assert!(
                !text.contains(secret.as_str()),
                "{name}: A hears B's {secret}: {text}"
            );
        }
    }
}

/// The event type a subscription field streams.
fn name_type(field: &str) -> &'static str {
    match field {
        "reservationEvents" => "ReservationEvent",
        "boardEvents" => "BoardEvent",
        "lockEvents" => "LockEvent",
        "policyEvents" => "PolicyEvent",
        other => {
            panic!("subscription {other}: teach isolation.rs what it streams and what changes it")
        }
    }
}

/// A change of every kind the subscriptions stream, by the owner holding
/// `token` in tenant `slug` on `unit`: a stay (reservation and board events),
/// a lock (released when `release` names one, else taken), and a refused
/// policy edit (a policy event) naming the tenant.
async fn live_changes(
    api: &Api,
    token: &str,
    slug: &str,
    unit: &str,
    slot: &Value,
    release: Option<&str>,
) {
    let period = if slot.is_null() {
        json!({ "checkIn": "2027-02-10", "checkOut": "2027-02-14" })
    } else {
        json!({ "start": slot })
    };
    api.ok_as(
        token,
        r#"mutation($unit: ID!, $period: PeriodInput!) { createReservation(input: { unitId: $unit,
             guests: 1, period: $period }) { id } }"#,
        json!({ "unit": unit, "period": period }),
    )
    .await;
    let (_, errors) = match release {
        Some(id) => {
            api.run_as(
                Some(token),
                r#"mutation($id: ID!) { releaseLock(id: $id) { id } }"#,
                json!({ "id": id }),
            )
            .await
        }
        None => {
            api.run_as(
                Some(token),
                r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit,
                     period: { checkIn: "2027-03-10", checkOut: "2027-03-14" } }) { id } }"#,
                json!({ "unit": unit }),
            )
            .await
        }
    };
    assert!(errors.is_empty(), "{slug}'s lock: {errors:?}");
    let tenant =
        berth_core::store::TenantStore::tenant_by_slug(&*api.store, &slug.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
    let refused = berth_core::store::NewEvent {
        kind: berth_core::event::EventKind::PolicyRejected,
        entity_type: "policy".into(),
        entity_id: tenant.id.as_uuid(),
        action: "reject".into(),
        payload: json!({ "errors": [format!("{slug} change")] }),
        at: api.clock.now(),
    };
    api.store
        .record_event(tenant.id, refused, &berth_core::audit::Actor::System)
        .await
        .unwrap();
}

fn subscribe(api: &Api, token: &str, query: &str) -> impl Stream<Item = Response> + use<> {
    let request = Request::new(query)
        .variables(Variables::from_json(json!({})))
        .data(BearerToken(token.to_owned()));
    api.schema.execute_stream(request)
}

/// Lets a live-only subscription start (a stream runs its resolver when first
/// polled; only what happens after that is live).
async fn quiet<S: Stream<Item = Response> + Unpin>(stream: &mut S) {
    let quiet = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
    assert!(quiet.is_err(), "nothing has happened yet: {quiet:?}");
}

/// The next message of a subscription, as JSON data (within 10 s).
async fn next<S: Stream<Item = Response> + Unpin>(stream: &mut S) -> Value {
    let response = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event in time")
        .expect("the stream goes on");
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().unwrap()
}
