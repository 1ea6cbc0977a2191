//! `planPolicy(files)` through `schema.execute` on both databases: the
//! alpine-cabins directory as an editor sends it — unchanged (an empty plan),
//! with Thursday closed to arrival (a stay refused, Thursdays closed), broken
//! (the loader's file:line:col), with a raised rate its own tests refuse — and
//! who may ask: admins and owners of the signed-in tenant; another tenant's
//! data never appears.

use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::{Value, json};

use berth_core::user::Role;

use crate::support::{Backend, api_on, code_of, on_both_stores, repo};

on_both_stores!(a_plan_compares_a_candidate_with_the_live_policy_over_the_tenants_data);

const PLAN: &str = r#"query($files: [PolicyFileInput!]!) { planPolicy(files: $files) {
    currency sampleFrom sampleDays empty
    summary { reservationsReplayed reservationsNewlyRefused reservationsRepriced
              quotesSampled quotesNewlyRefused datesNewlyClosed
              quotedRevenueDifference { amount currency } }
    reservations { reservationId unitName checkIn change violations { code message }
                   storedPrice { amount currency } candidatePrice { amount } difference { amount } }
    units { unitName datesNewlyClosed months { month difference { amount currency } } }
} }"#;

/// The files of the tenant directory `slug` in the repository, with
/// `edit` applied to its tenant.yaml.
pub fn files(slug: &str, edit: impl Fn(String) -> String) -> Value {
    with_tests(slug, edit, true)
}

/// [`files`], its tests left out unless `tests`.
fn with_tests(slug: &str, edit: impl Fn(String) -> String, tests: bool) -> Value {
    let dir = repo().join("tenants").join(slug);
    let mut out = Vec::new();
    let mut add = |relative: String| {
        let text = std::fs::read_to_string(dir.join(&relative)).unwrap();
        let text = if relative == "tenant.yaml" {
            edit(text)
        } else {
            text
        };
        out.push(json!({ "path": relative, "text": text }));
    };
    add("tenant.yaml".into());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".rhai") {
            add(name);
        }
    }
    let test_files = if tests {
        std::fs::read_dir(dir.join("tests")).unwrap().collect()
    } else {
        Vec::new()
    };
    for entry in test_files {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        add(format!("tests/{name}"));
    }
    Value::Array(out)
}

async fn a_plan_compares_a_candidate_with_the_live_policy_over_the_tenants_data(backend: Backend) {
    let api = api_on(backend).await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let owner = api.token("alpine-cabins", Role::Owner);
    // A Thursday arrival at the cabin (booked on Monday 2026-11-02), and a
    // tour of the other tenant.
    let booked = api
        .ok_as(
            &api.token("alpine-cabins", Role::Staff),
            r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 2,
                 period: { checkIn: "2026-11-12", checkOut: "2026-11-14" } }) { id price { amount } } }"#,
            json!({ "unit": api.cabin.id.to_string() }),
        )
        .await;
    let booked_id = booked["createReservation"]["id"].clone();
    let summit_staff = api.token("summit-tours", Role::Staff);
    let slots = api
        .ok_as(
            &summit_staff,
            r#"query($tenant: String!, $unit: ID!) { slots(tenant: $tenant, unitId: $unit, date: "2026-11-20") { start } }"#,
            json!({ "tenant": "summit-tours", "unit": api.tour.id.to_string() }),
        )
        .await;
    let start = slots["slots"][0]["start"].clone();
    let tour = api
        .ok_as(
            &summit_staff,
            r#"mutation($unit: ID!, $start: DateTime!) { createReservation(input: { unitId: $unit,
                 guests: 1, period: { start: $start } }) { id } }"#,
            json!({ "unit": api.tour.id.to_string(), "start": start }),
        )
        .await["createReservation"]["id"]
        .clone();

    // Unchanged: nothing to show, by admins and owners alike.
    for token in [&admin, &owner] {
        let plan = &api
            .ok_as(
                token,
                PLAN,
                json!({ "files": files("alpine-cabins", |y| y) }),
            )
            .await["planPolicy"];
        assert_eq!(plan["empty"], true, "{plan}");
        assert_eq!(plan["currency"], "CHF");
        assert_eq!(plan["sampleFrom"], "2026-11-02");
        assert_eq!(plan["sampleDays"], 90);
        assert_eq!(
            plan["summary"]["reservationsReplayed"], 1,
            "this tenant's only"
        );
        // One cabin of 4 guests: 90 dates × 4 lengths × 2 parties.
        assert_eq!(plan["summary"]["quotesSampled"], 720);
        assert_eq!(plan["reservations"], json!([]));
    }

    // Thursday closed to arrival.
    let thursdays =
        |y: String| y.replace("closed_to_arrival: [sun]", "closed_to_arrival: [sun, thu]");
    let plan = api
        .ok_as(
            &admin,
            PLAN,
            json!({ "files": files("alpine-cabins", thursdays) }),
        )
        .await["planPolicy"]
        .clone();
    assert_eq!(plan["empty"], false);
    let s = &plan["summary"];
    assert_eq!(s["reservationsNewlyRefused"], 1, "{plan}");
    let refused = &plan["reservations"][0];
    assert_eq!(refused["reservationId"], booked_id);
    assert_eq!(refused["checkIn"], "2026-11-12");
    assert_eq!(refused["change"], "NEWLY_REFUSED");
    assert_eq!(refused["violations"][0]["code"], "closed_to_arrival");
    assert_eq!(
        refused["storedPrice"]["amount"],
        booked["createReservation"]["price"]["amount"]
    );
    assert_eq!(refused["candidatePrice"], Value::Null);
    // Every Thursday of the sample closes, but Christmas Eve, which the
    // stop-sell closed already.
    let from = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let expected: Vec<String> = from
        .iter_days()
        .take(90)
        .filter(|d| d.weekday() == Weekday::Thu && d.to_string() != "2026-12-24")
        .map(|d| d.to_string())
        .collect();
    assert_eq!(expected.len(), 12);
    assert_eq!(
        plan["units"][0]["datesNewlyClosed"],
        json!(expected),
        "{plan}"
    );
    assert_eq!(s["datesNewlyClosed"], 12);
    // 12 Thursdays × the 2-, 3- and 7-night stays (one night is below the
    // live minimum) × 2 parties, less the 2-night stays of the 5 winter
    // Thursdays (Dec 31 to Jan 28: 3 nights at least).
    assert_eq!(s["quotesNewlyRefused"], 12 * 3 * 2 - 5 * 2);
    let lost = s["quotedRevenueDifference"]["amount"].as_i64().unwrap();
    assert!(lost < 0, "{plan}");
    assert_eq!(s["quotedRevenueDifference"]["currency"], "CHF");
    let months: i64 = plan["units"][0]["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["difference"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(months, lost);

    // A candidate that does not load: INVALID_INPUT with the loader's lines.
    let broken = |y: String| y.replace("min_nights: 2 ", "min_nights: two ");
    let answer = api
        .run_as(
            Some(&admin),
            PLAN,
            json!({ "files": files("alpine-cabins", broken) }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT", "{answer:?}");
    let rejection = answer.1[0].1["rejection"].as_array().unwrap().clone();
    assert!(
        rejection
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("tenant.yaml:")),
        "{rejection:?}"
    );
    // One whose own tests pin the old prices.
    let dearer = |y: String| y.replace("base_rate: 18000", "base_rate: 20000");
    let answer = api
        .run_as(
            Some(&admin),
            PLAN,
            json!({ "files": files("alpine-cabins", dearer) }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT", "{answer:?}");
    let rejection = answer.1[0].1["rejection"].to_string();
    assert!(rejection.contains("tests/pricing.yaml:"), "{rejection}");
    assert!(rejection.contains("failed"), "{rejection}");
    // A path outside the directory.
    let answer = api
        .run_as(
            Some(&admin),
            PLAN,
            json!({ "files": [{ "path": "../summit-tours/tenant.yaml", "text": "" }] }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT", "{answer:?}");

    // Staff and viewers may not; nor may anyone signed out.
    for role in [Role::Staff, Role::Viewer] {
        let token = api.token("alpine-cabins", role);
        let answer = api
            .run_as(
                Some(&token),
                PLAN,
                json!({ "files": files("alpine-cabins", thursdays) }),
            )
            .await;
        assert_eq!(code_of(&answer), "FORBIDDEN", "{role}");
    }
    let answer = api
        .run_as(
            None,
            PLAN,
            json!({ "files": files("alpine-cabins", thursdays) }),
        )
        .await;
    assert_eq!(code_of(&answer), "UNAUTHENTICATED");

    // The other tenant plans over its own data only; alpine's files are not
    // its directory.
    let summit_admin = api.token("summit-tours", Role::Admin);
    let answer = api
        .run_as(
            Some(&summit_admin),
            PLAN,
            json!({ "files": files("alpine-cabins", thursdays) }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT", "{answer:?}");
    // Dearer tours, without the tests that pin the old prices.
    let dearer = |y: String| {
        y.replace("base_rate: 8900", "base_rate: 9900")
            .replace("weekend_rate: 9900", "weekend_rate: 10900")
    };
    let plan = api
        .ok_as(
            &summit_admin,
            PLAN,
            json!({ "files": with_tests("summit-tours", dearer, false) }),
        )
        .await;
    let s = &plan["planPolicy"]["summary"];
    assert_eq!(s["reservationsReplayed"], 1, "the tour only: {plan}");
    assert_eq!(s["reservationsRepriced"], 1, "{plan}");
    let rows = plan["planPolicy"]["reservations"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["reservationId"], tour);
    assert_eq!(
        rows[0]["difference"]["amount"], 1_080,
        "one seat, 10.00 dearer, and 8 % tax"
    );
    let text = plan.to_string();
    assert!(!text.contains(booked_id.as_str().unwrap()), "{text}");
    assert!(!text.contains("alpine"), "{text}");
}
