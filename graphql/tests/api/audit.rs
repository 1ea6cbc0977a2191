//! The audit log through the API: every mutation of the schema (found by
//! introspection, called as audited.yaml says) writes an entry naming the caller
//! and the request, no entry holds a secret, and `auditLog` filters and pages.
//! On both databases.

use std::collections::BTreeMap;

use berth_core::clock::Clock;
use berth_core::user::Role;
use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::support::{Api, Backend, PASSWORD, api_on, code_of, on_both_stores, repo};
use crate::sweep;

on_both_stores!(
    every_mutation_writes_an_audit_entry,
    audit_log_filters_and_pages
);

#[derive(serde::Deserialize)]
struct Cases {
    mutations: BTreeMap<String, Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    #[serde(default, rename = "as")]
    caller: Option<String>,
    query: String,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    entity: String,
    action: String,
}

const AUDIT_LOG: &str = r#"query($filter: AuditLogFilter, $first: Int!, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id actor entityType entityId action at requestId metadata } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

/// Makes the fixtures a case's variables name, as the tenant's owner.
struct Fixtures<'a> {
    api: &'a Api,
    owner: String,
    /// The next check-in date that no stay or lock of the tests has taken.
    next_free: NaiveDate,
    /// The unit `$image` last uploaded to (a new one each time), for
    /// `$image2` and `$imageUnit`.
    image_unit: Option<Value>,
    /// Pictures uploaded so far (each a different one).
    pictures: u32,
}

impl Fixtures<'_> {
    async fn make(&mut self, name: &str) -> Value {
        Box::pin(self.make_inner(name)).await
    }

    async fn make_inner(&mut self, name: &str) -> Value {
        let cabin = self.api.cabin.id.to_string();
        match name {
            "$unit" => json!(cabin),
            "$email" => json!("owner@alpine-cabins.example.org"),
            "$password" => json!(PASSWORD),
            "$nights" => self.nights(),
            "$pushKeys" => push_keys(),
            "$newUnit" => self.id(
                r#"mutation { x: createUnit(input: { name: "Fixture unit", inventory: 1, maxGuests: 2 }) { id } }"#,
                json!({}),
            ).await,
            "$feedUnit" => {
                let unit = self.make("$newUnit").await;
                self.api
                    .ok_as(
                        &self.owner,
                        r#"mutation($id: ID!) { rotateIcalToken(unitId: $id) { path } }"#,
                        json!({ "id": unit }),
                    )
                    .await;
                unit
            }
            "$ics" => json!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//audit//EN\r\nBEGIN:VEVENT\r\n\
                 UID:stay-1@channel.example\r\nDTSTART;VALUE=DATE:20261210\r\n\
                 DTEND;VALUE=DATE:20261213\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ),
            "$client" => self.id(
                r#"mutation { x: createClient(input: { name: "Fixture client" }) { id } }"#,
                json!({}),
            ).await,
            "$held" | "$confirmed" | "$checkedIn" => {
                let hold = name == "$held";
                let nights = self.nights();
                let id = self
                    .id(
                        r#"mutation($unit: ID!, $p: PeriodInput!, $hold: Boolean!) {
                             x: createReservation(input: { unitId: $unit, period: $p, guests: 2, hold: $hold }) { id } }"#,
                        json!({ "unit": cabin, "p": nights, "hold": hold }),
                    )
                    .await;
                if name == "$checkedIn" {
                    self.id(
                        r#"mutation($id: ID!) { x: checkIn(id: $id) { id } }"#,
                        json!({ "id": id }),
                    )
                    .await;
                }
                id
            }
            "$block" => {
                let nights = self.nights();
                self.id(
                    r#"mutation($unit: ID!, $p: PeriodInput!) { x: blockUnit(input: { unitId: $unit, period: $p, reason: "fixture" }) { id } }"#,
                    json!({ "unit": cabin, "p": nights }),
                )
                .await
            }
            "$image" | "$image2" => {
                if name == "$image" || self.image_unit.is_none() {
                    self.image_unit = Some(self.make("$newUnit").await);
                }
                let unit = self.image_unit.clone().unwrap();
                self.pictures += 1;
                let id = self
                    .api
                    .upload_image(
                        &self.api.alpine,
                        unit.as_str().unwrap().parse().unwrap(),
                        100 + self.pictures,
                        "fixture",
                    )
                    .await;
                json!(id)
            }
            "$imageUnit" => self.image_unit.clone().unwrap(),
            "$lock" => {
                let nights = self.nights();
                self.id(
                    r#"mutation($unit: ID!, $p: PeriodInput!) { x: acquireLock(input: { unitId: $unit, period: $p }) { id } }"#,
                    json!({ "unit": cabin, "p": nights }),
                )
                .await
            }
            "$apiKey" => {
                let data = self
                    .api
                    .ok_as(
                        &self.owner,
                        r#"mutation { createApiKey(name: "fixture") { apiKey { id } } }"#,
                        json!({}),
                    )
                    .await;
                data["createApiKey"]["apiKey"]["id"].clone()
            }
            "$sync" => {
                let unit = self.make("$newUnit").await;
                let data = self
                    .api
                    .ok_as(
                        &self.owner,
                        r#"mutation($id: ID!) { addCalendarSync(input: { unitId: $id, url: "https://calendars.example.org/fixture.ics", source: "fixture" }) { id } }"#,
                        json!({ "id": unit }),
                    )
                    .await;
                data["addCalendarSync"]["id"].clone()
            }
            "$webhook" => {
                let data = self
                    .api
                    .ok_as(
                        &self.owner,
                        r#"mutation { createWebhook(url: "https://hooks.example.org/fixture", events: ["*"]) { webhook { id } } }"#,
                        json!({}),
                    )
                    .await;
                data["createWebhook"]["webhook"]["id"].clone()
            }
            "$delivery" => {
                // A webhook, an event after it, and that event delivered.
                self.make("$webhook").await;
                self.make("$newUnit").await;
                use berth_core::store::WebhookStore as _;
                let store = &self.api.store;
                let tenant = self.api.alpine.id;
                let now = self.api.clock.now();
                let mut claimed = Vec::new();
                for _ in 0..5_000 {
                    store.enqueue_deliveries(tenant, now, 100).await.unwrap();
                    claimed = store
                        .claim_deliveries(tenant, now, chrono::Duration::seconds(60), 100)
                        .await
                        .unwrap();
                    if !claimed.is_empty() {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                let delivered = claimed.pop().expect("a delivery to claim");
                let report = berth_core::webhook::AttemptReport::new(
                    &delivered,
                    now,
                    berth_core::webhook::AttemptResult::Response(200),
                    0,
                );
                store.finish_attempt(tenant, &report).await.unwrap();
                json!(delivered.id.to_string())
            }
            "$mail" => {
                // A stay confirmed for a guest with an address, and the
                // guest's message sent (the worker's first pass only starts
                // the tenant's position).
                let tenant = self.api.alpine.id;
                self.api.mail_pass(tenant).await;
                let nights = self.nights();
                self.id(
                    r#"mutation($unit: ID!, $p: PeriodInput!) {
                         x: createReservation(input: { unitId: $unit, period: $p, guests: 2,
                           client: { name: "Mail fixture", email: "mail.fixture@example.org" } }) { id } }"#,
                    json!({ "unit": cabin, "p": nights }),
                )
                .await;
                let sent = self.api.mail_pass(tenant).await;
                json!(sent.last().expect("the guest's message, sent"))
            }
            "$endpoint" => {
                let endpoint = "https://fcm.googleapis.com/fcm/send/audit-fixture";
                self.api
                    .ok_as(
                        &self.owner,
                        r#"mutation($e: String!, $k: PushSubscriptionKeysInput!) { registerPushSubscription(endpoint: $e, keys: $k) { id } }"#,
                        json!({ "e": endpoint, "k": push_keys() }),
                    )
                    .await;
                json!(endpoint)
            }
            "$user" => {
                self.id(
                    r#"mutation($e: String!, $p: String!) { x: createUser(email: $e, password: $p, role: STAFF) { id } }"#,
                    json!({ "e": self.fresh_email(), "p": PASSWORD }),
                )
                .await
            }
            "$policyFiles" => crate::policy_versions::alpine_files(&uuid::Uuid::new_v4().to_string()),
            "$olderPolicy" => {
                // Two versions published; the older one is not live.
                let mut older = Value::Null;
                for _ in 0..2 {
                    let files = self.make("$policyFiles").await;
                    let published = self
                        .api
                        .ok_as(
                            &self.owner,
                            "mutation($f: [PolicyFileInput!]!) { x: publishPolicy(files: $f) { version { number } } }",
                            json!({ "f": files }),
                        )
                        .await;
                    if older.is_null() {
                        older = published["x"]["version"]["number"].clone();
                    }
                }
                older
            }
            other => panic!("audited.yaml: unknown fixture `{other}`"),
        }
    }

    /// Two free nights, arriving on a day the tenant allows (not Sunday).
    fn nights(&mut self) -> Value {
        use chrono::Datelike;
        if self.next_free.weekday() == chrono::Weekday::Sun {
            self.next_free += Duration::days(1);
        }
        let check_in = self.next_free;
        let check_out = check_in + Duration::days(2);
        self.next_free = check_out;
        json!({ "checkIn": check_in.to_string(), "checkOut": check_out.to_string() })
    }

    /// An e-mail address no user of the tenant has.
    fn fresh_email(&self) -> String {
        format!(
            "user-{}@alpine-cabins.example.org",
            uuid::Uuid::new_v4().simple()
        )
    }

    /// A new staff user (password `PASSWORD`), signed in: their token and actor.
    async fn new_user(&self) -> (String, String) {
        let (id, token) = self
            .api
            .signed_in_user(&self.owner, &self.fresh_email(), "STAFF")
            .await;
        (token, format!("user:{id}"))
    }

    /// Runs a mutation that aliases its result `x` and returns `x.id`.
    async fn id(&self, query: &str, variables: Value) -> Value {
        self.api.ok_as(&self.owner, query, variables).await["x"]["id"].clone()
    }
}

fn push_keys() -> Value {
    json!({
        "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        "auth": "BTBZMqHH6r4Tts7J_aSIgg",
    })
}

/// Every entry of the tenant's audit log, newest first, paging through it.
async fn whole_log(api: &Api, token: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = api
            .ok_as(
                token,
                AUDIT_LOG,
                json!({ "first": 100, "after": after, "filter": null }),
            )
            .await;
        let page = &data["auditLog"];
        entries.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return entries;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

async fn every_mutation_writes_an_audit_entry(backend: Backend) {
    let api = api_on(backend).await;
    let text = std::fs::read_to_string(repo().join("graphql/tests/api/audited.yaml")).unwrap();
    let cases: Cases = serde_saphyr::from_str(&text).unwrap();
    let (fields, _) = sweep::fields(&api).await;
    let mutations: Vec<&str> = fields
        .iter()
        .filter(|f| f.operation == "mutation")
        .map(|f| f.name.as_str())
        .collect();
    for name in cases.mutations.keys() {
        assert!(
            mutations.contains(&name.as_str()),
            "audited.yaml lists {name}, which the schema lacks"
        );
    }
    let owner = api.token("alpine-cabins", Role::Owner);
    let owner_actor = format!(
        "user:{}",
        api.users
            .iter()
            .find(|(slug, role, _)| slug == "alpine-cabins" && *role == Role::Owner)
            .unwrap()
            .2
            .id
    );
    let mut fixtures = Fixtures {
        api: &api,
        owner: owner.clone(),
        next_free: "2026-11-04".parse().unwrap(),
        image_unit: None,
        pictures: 0,
    };
    let mut secrets = vec![PASSWORD.to_owned(), push_keys()["auth"].to_string()];
    for name in &mutations {
        let case = cases.mutations.get(*name).unwrap_or_else(|| {
            panic!("{name} is not in graphql/tests/api/audited.yaml; add a call and the audit entry it writes")
        });
        let mut variables = serde_json::Map::new();
        for (key, fixture) in &case.variables {
            variables.insert(key.clone(), fixtures.make(fixture).await);
        }
        let (token, actor) = match case.caller.as_deref() {
            None => (Some(owner.clone()), owner_actor.clone()),
            Some("anonymous") => (None, owner_actor.clone()),
            Some("public") => (None, "public".to_owned()),
            Some("new_user") => {
                let (token, actor) = fixtures.new_user().await;
                (Some(token), actor)
            }
            Some(other) => panic!("{name}: unknown caller `{other}`"),
        };
        let request_id = format!("audit-{name}");
        let (data, errors) = berth_core::request::scope(
            request_id.clone(),
            api.run_as(token.as_deref(), &case.query, Value::Object(variables)),
        )
        .await;
        assert!(errors.is_empty(), "{name}: {errors:?}");
        // What the answers show once and must never be written down.
        if let Some(path) = data["rotateIcalToken"]["path"].as_str() {
            secrets.push(path.split("token=").nth(1).unwrap().to_owned());
        }
        for secret in [
            &data["login"]["token"],
            &data["createApiKey"]["key"],
            &data["createWebhook"]["secret"],
            &data["changePassword"]["token"],
        ] {
            if let Some(s) = secret.as_str() {
                secrets.push(s.to_owned());
            }
        }
        let written: Vec<Value> = whole_log(&api, &owner)
            .await
            .into_iter()
            .filter(|e| e["requestId"] == request_id.as_str())
            .collect();
        assert!(
            written
                .iter()
                .any(|e| e["entityType"] == case.entity.as_str()
                    && e["action"] == case.action.as_str()),
            "{name} wrote no `{} {}` audit entry; it wrote {written:#?}",
            case.entity,
            case.action
        );
        for entry in &written {
            assert_eq!(entry["actor"], actor.as_str(), "{name}: {entry}");
        }
    }
    // No secret anywhere in the log.
    let log = serde_json::to_string(&whole_log(&api, &owner).await).unwrap();
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a secret is in the audit log"
        );
    }
}

async fn audit_log_filters_and_pages(backend: Backend) {
    let api = api_on(backend).await;
    let owner = api.token("alpine-cabins", Role::Owner);
    let cabin = api.cabin.id.to_string();
    let create = r#"mutation($unit: ID!, $p: PeriodInput!) {
        createReservation(input: { unitId: $unit, period: $p, guests: 2 }) { id } }"#;
    let mut ids = Vec::new();
    for (check_in, check_out) in [
        ("2026-11-04", "2026-11-06"),
        ("2026-11-06", "2026-11-09"),
        ("2026-11-10", "2026-11-12"),
    ] {
        let data = api
            .ok_as(
                &owner,
                create,
                json!({ "unit": cabin, "p": { "checkIn": check_in, "checkOut": check_out } }),
            )
            .await;
        ids.push(data["createReservation"]["id"].as_str().unwrap().to_owned());
        api.clock.advance(Duration::minutes(1));
    }
    let canceled_at = api.clock.now();
    api.ok_as(
        &owner,
        r#"mutation($id: ID!) { cancelReservation(id: $id) { id } }"#,
        json!({ "id": ids[1] }),
    )
    .await;
    let page = |filter: Value, first: i64, after: Value| {
        let (api, owner) = (&api, &owner);
        async move {
            api.ok_as(
                owner,
                AUDIT_LOG,
                json!({ "filter": filter, "first": first, "after": after }),
            )
            .await["auditLog"]
                .clone()
        }
    };
    let actions = |page: &Value| -> Vec<(String, String)> {
        page["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["entityId"].as_str().unwrap().to_owned(),
                    e["node"]["action"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };

    // Reservations, newest first, two per page, without gaps or repeats.
    let filter = json!({ "entityType": "reservation" });
    let first = page(filter.clone(), 2, Value::Null).await;
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = page(filter.clone(), 2, first["pageInfo"]["endCursor"].clone()).await;
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let mut all = actions(&first);
    all.extend(actions(&second));
    let expected = vec![
        (ids[1].clone(), "cancel".to_owned()),
        (ids[2].clone(), "create".to_owned()),
        (ids[1].clone(), "create".to_owned()),
        (ids[0].clone(), "create".to_owned()),
    ];
    assert_eq!(all, expected);

    // One entity's history; one action; a time window; an actor.
    let history = page(json!({ "entityId": ids[1] }), 50, Value::Null).await;
    assert_eq!(
        actions(&history),
        vec![expected[0].clone(), expected[2].clone()]
    );
    let node = &history["edges"][0]["node"];
    assert_eq!(node["metadata"]["from"], "confirmed");
    assert_eq!(node["metadata"]["to"], "canceled");
    let cancels = page(json!({ "action": "cancel" }), 50, Value::Null).await;
    assert_eq!(actions(&cancels), vec![expected[0].clone()]);
    let window = page(
        json!({ "entityType": "reservation", "from": canceled_at - Duration::minutes(2), "to": canceled_at }),
        50,
        Value::Null,
    )
    .await;
    assert_eq!(
        actions(&window),
        vec![expected[1].clone(), expected[2].clone()]
    );
    let system = page(json!({ "actor": "system" }), 100, Value::Null).await;
    assert!(
        actions(&system)
            .iter()
            .all(|(_, action)| action == "create"),
        "only the test set-up wrote as the system"
    );
    let none = page(
        json!({ "actor": "api_key:nobody", "entityType": "reservation" }),
        50,
        Value::Null,
    )
    .await;
    assert_eq!(actions(&none), vec![]);

    // Bad input, each with INVALID_INPUT.
    for (filter, after) in [
        (json!({ "actor": "robot" }), Value::Null),
        (json!({ "entityId": "not-an-id" }), Value::Null),
        (
            json!({ "from": "2026-11-05T00:00:00Z", "to": "2026-11-04T00:00:00Z" }),
            Value::Null,
        ),
        (Value::Null, json!("not-a-cursor")),
    ] {
        let answer = api
            .run_as(
                Some(&owner),
                AUDIT_LOG,
                json!({ "filter": filter, "first": 10, "after": after }),
            )
            .await;
        assert_eq!(code_of(&answer), "INVALID_INPUT", "{filter} {after}");
    }
    // Staff cannot read it; another tenant sees none of these entries.
    let staff = api.token("alpine-cabins", Role::Staff);
    let answer = api
        .run_as(
            Some(&staff),
            AUDIT_LOG,
            json!({ "first": 10, "filter": null, "after": null }),
        )
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN");
    let other = api.token("summit-tours", Role::Owner);
    let theirs = whole_log(&api, &other).await;
    assert!(
        theirs
            .iter()
            .all(|e| !ids.contains(&e["entityId"].as_str().unwrap().to_owned())),
        "another tenant's log holds none of alpine-cabins' entries"
    );
}
