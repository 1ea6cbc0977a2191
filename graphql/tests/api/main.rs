//! The GraphQL API through `schema.execute`, over a real store (SQLite, and
//! PostgreSQL for the isolation and role tests) and the example tenants' Rhai
//! policies.

// Test code: a panic on an unexpected Err is exactly the failure report we want.
#![allow(clippy::unwrap_used)]

mod admin;
mod analytics;
mod audit;
mod booking_requests;
mod cost;
mod counting;
mod dataloader;
mod desk;
mod ical;
mod isolation;
mod live;
mod mail;
mod media;
mod policy_plan;
mod policy_tests;
mod policy_versions;
mod profile;
mod push;
mod roles;
mod session;
mod support;
mod sweep;
mod unit_calendar;
mod users;
mod webhooks;

use serde_json::{Value, json};

use support::{PASSWORD, api, repo};

pub const QUOTE: &str = r#"query($tenant: String!, $input: QuoteInput!) {
  quote(tenant: $tenant, input: $input) {
    unitId available total { amount currency } lines { kind amount { amount } }
    violations { code message } start end checkIn checkOut
  }
}"#;

#[test]
fn committed_sdl_is_current() {
    let path = repo().join("graphql/schema.graphql");
    let generated = berth_graphql::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated && std::env::var("BERTH_UPDATE_CONTRACTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        committed == generated,
        "graphql/schema.graphql is stale; run `BERTH_UPDATE_CONTRACTS=1 cargo test -p berth-graphql --test api sdl` and commit"
    );
}

#[tokio::test]
async fn public_quotes_run_the_tenants_rhai_policy() {
    let api = api().await;
    // Two weekday nights in November, two guests: 2 × 14000 + cleaning 9000,
    // VAT 8.1 % on 37000 = 2997, tourist tax 2 × 2 × 350 = 1400 (see
    // tenants/alpine-cabins/tests/pricing.yaml for the same arithmetic).
    let input = json!({ "unitId": api.cabin.id.to_string(), "guests": 2,
        "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-12" } });
    let (data, errors) = api
        .run(QUOTE, json!({ "tenant": "alpine-cabins", "input": input }))
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    let quote = &data["quote"];
    assert_eq!(quote["available"], true, "{quote}");
    assert_eq!(quote["total"]["currency"], "CHF");
    let lines: i64 = quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        quote["total"]["amount"].as_i64().unwrap(),
        lines,
        "the total is the sum of the lines"
    );
    assert_eq!(quote["checkIn"], "2026-11-10");
    assert_eq!(
        quote["start"], "2026-11-10T14:00:00+00:00",
        "15:00 in Zurich"
    );

    // One night breaks the tenant's minimum stay: a decision, not an error.
    let input = json!({ "unitId": api.cabin.id.to_string(), "guests": 2,
        "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-11" } });
    let (data, errors) = api
        .run(QUOTE, json!({ "tenant": "alpine-cabins", "input": input }))
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["quote"]["available"], false);
    assert_eq!(data["quote"]["violations"][0]["code"], "min_nights");
    assert_eq!(data["quote"]["total"], Value::Null);
}

#[tokio::test]
async fn catalog_availability_and_slots() {
    let api = api().await;
    let (data, errors) = api
        .run(
            r#"{ tenant(slug: "alpine-cabins") { slug name timezone currency }
                 units(tenant: "alpine-cabins") { id name inventory maxGuests amenities images { url } }
                 missing: tenant(slug: "nobody") { slug } }"#,
            json!({}),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["tenant"]["timezone"], "Europe/Zurich");
    assert_eq!(data["missing"], Value::Null);
    assert_eq!(
        data["units"][0]["images"][0]["url"],
        "https://images.example.org/a.jpg"
    );

    let (data, errors) = api
        .run(
            r#"query($input: AvailabilityInput!) { availability(tenant: "alpine-cabins", input: $input) { unitId available total { amount } } }"#,
            json!({ "input": { "guests": 2, "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-12" } } }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["availability"][0]["unitId"], api.cabin.id.to_string());
    assert_eq!(data["availability"][0]["available"], true);

    // summit-tours runs 06:00 and 13:00 slots on a Monday (America/Denver).
    let (data, errors) = api
        .run(
            r#"query($unit: ID!) { slots(tenant: "summit-tours", unitId: $unit, date: "2026-11-16") { start end capacity free } }"#,
            json!({ "unit": api.tour.id.to_string() }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    let slots = data["slots"].as_array().unwrap();
    assert!(!slots.is_empty(), "{data}");
    assert_eq!(slots[0]["capacity"], 12);
    assert_eq!(slots[0]["free"], 12);
}

#[tokio::test]
async fn bad_requests_get_stable_codes() {
    let api = api().await;
    let cabin = api.cabin.id.to_string();
    let quote = |tenant: &str, input: Value| json!({ "tenant": tenant, "input": input });
    let nights = json!({ "checkIn": "2026-11-10", "checkOut": "2026-11-12" });
    let cases = [
        (
            quote(
                "nobody",
                json!({ "unitId": cabin, "guests": 2, "period": nights }),
            ),
            "NOT_FOUND",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": "not-an-id", "guests": 2, "period": nights }),
            ),
            "INVALID_INPUT",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": api.tour.id.to_string(), "guests": 2, "period": nights }),
            ),
            "NOT_FOUND",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": cabin, "guests": 0, "period": nights }),
            ),
            "INVALID_INPUT",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": cabin, "guests": 2, "quantity": -1, "period": nights }),
            ),
            "INVALID_INPUT",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": cabin, "guests": 2, "period": { "checkIn": "2026-11-10" } }),
            ),
            "INVALID_INPUT",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": cabin, "guests": 2, "period": { "checkIn": "2026-11-12", "checkOut": "2026-11-10" } }),
            ),
            "INVALID_INPUT",
        ),
        (
            quote(
                "alpine-cabins",
                json!({ "unitId": cabin, "guests": 2, "period": { "start": "2026-11-10T10:00:00Z" } }),
            ),
            "INVALID_INPUT",
        ),
    ];
    for (variables, code) in cases {
        assert_eq!(
            api.error_code(QUOTE, variables.clone()).await,
            code,
            "{variables}"
        );
    }
    assert_eq!(
        api.error_code("{ units { id } }", json!({})).await,
        "UNAUTHENTICATED"
    );
    // GraphQL's own refusals carry a code too: syntax, unknown fields, wrong
    // argument types, and the depth and complexity limits.
    let deep = format!(
        "{{ __schema {{ {}name{} }} }}",
        "types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { "
            .repeat(2),
        " } } } } } } } } }".repeat(2)
    );
    let wide = format!(
        "{{ {} }}",
        (0..1100)
            .map(|i| format!(r#"t{i}: tenant(slug: "a") {{ slug name }}"#))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (query, why) in [
        ("{ tenant(slug: ", "syntax"),
        ("{ nothing }", "unknown field"),
        (
            r#"{ slots(tenant: "x", unitId: "y", date: 7) { start } }"#,
            "wrong type",
        ),
        (deep.as_str(), "too deep"),
        (wide.as_str(), "too complex"),
    ] {
        let (_, errors) = api.run(query, json!({})).await;
        assert!(!errors.is_empty(), "{why}");
        assert!(
            errors.iter().all(|(_, ext)| ext["code"] == "INVALID_INPUT"),
            "{why}: {errors:?}"
        );
    }
}

const LOGIN: &str = r#"mutation($tenant: String!, $email: String!, $password: String!) {
  login(tenant: $tenant, email: $email, password: $password) { token user { email role } }
}"#;

#[tokio::test]
async fn login_issues_expiring_tokens_and_failures_look_alike() {
    let api = api().await;
    let vars = |tenant: &str, email: &str, password: &str| json!({ "tenant": tenant, "email": email, "password": password });
    let (data, errors) = api
        .run(
            LOGIN,
            vars("alpine-cabins", "Admin@alpine-cabins.example.org", PASSWORD),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["login"]["user"]["role"], "ADMIN");
    let token = data["login"]["token"].as_str().unwrap().to_owned();

    let (data, errors) = api
        .run_as(Some(&token), "{ me { email role } }", json!({}))
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["me"]["email"], "admin@alpine-cabins.example.org");

    // The tenant's policy status comes from the token's tenant.
    let (data, errors) = api
        .run_as(
            Some(&token),
            "{ policyStatus { activeVersion activatedAt rejection } }",
            json!({}),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        data["policyStatus"]["activeVersion"].as_i64().unwrap() >= 1,
        "{data}"
    );
    assert_eq!(data["policyStatus"]["rejection"], json!([]));
    assert_eq!(
        api.error_code("{ policyStatus { activeVersion } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );

    // Wrong password, unknown e-mail, unknown tenant, another tenant's user: one answer.
    let mut messages = Vec::new();
    for v in [
        vars("alpine-cabins", "admin@alpine-cabins.example.org", "wrong"),
        vars(
            "alpine-cabins",
            "nobody@alpine-cabins.example.org",
            PASSWORD,
        ),
        vars("nobody", "admin@alpine-cabins.example.org", PASSWORD),
        vars("summit-tours", "admin@alpine-cabins.example.org", PASSWORD),
    ] {
        let (_, errors) = api.run(LOGIN, v).await;
        assert_eq!(errors[0].1["code"], "UNAUTHENTICATED");
        messages.push(errors[0].0.clone());
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "{messages:?}");

    // No token, a forged token, an expired token.
    assert_eq!(
        api.error_code("{ me { email } }", json!({})).await,
        "UNAUTHENTICATED"
    );
    let forged = format!("{}x", &token[..token.len() - 1]);
    let (_, errors) = api
        .run_as(Some(&forged), "{ me { email } }", json!({}))
        .await;
    assert_eq!(errors[0].1["code"], "UNAUTHENTICATED");
    api.clock.advance(chrono::Duration::hours(13));
    let (_, errors) = api
        .run_as(Some(&token), "{ me { email } }", json!({}))
        .await;
    assert_eq!(
        errors[0].1["code"], "UNAUTHENTICATED",
        "expired by the injected clock"
    );
}
