//! The role matrix, tested per field: every root field of the schema (found by
//! introspection) is listed in roles.yaml with the lowest role that may call it;
//! anonymous callers get UNAUTHENTICATED, lower roles FORBIDDEN, and that role
//! and every higher one get past the check. Run on both databases.

use std::collections::BTreeMap;

use berth_core::user::Role;
use serde_json::json;

use crate::support::{Api, Backend, PASSWORD, api_on, code_of, on_both_stores, repo};
use crate::sweep::{self, Ids, Values};

on_both_stores!(every_field_enforces_its_role);

#[derive(serde::Deserialize)]
struct Matrix {
    query: BTreeMap<String, String>,
    mutation: BTreeMap<String, String>,
}

const ROLES: [Role; 4] = [Role::Viewer, Role::Staff, Role::Admin, Role::Owner];

/// Ids of real objects of alpine-cabins, so that calls that pass the check
/// run against something.
pub async fn seed_ids(api: &Api, slug: &str, unit: &str) -> Ids {
    let owner = api.token(slug, Role::Owner);
    let tenant =
        berth_core::store::TenantStore::tenant_by_slug(&*api.store, &slug.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
    // The mail worker's first pass starts the tenant's position, so the
    // stay confirmed below (for a guest with an address) makes a message.
    api.mail_pass(tenant.id).await;
    let client = api
        .ok_as(
            &owner,
            r#"mutation { createClient(input: { name: "Seeded client" }) { id } }"#,
            json!({}),
        )
        .await["createClient"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reservation = api
        .ok_as(
            &owner,
            r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 1,
                 period: { checkIn: "2026-11-20", checkOut: "2026-11-22" } }) { id } }"#,
            json!({ "unit": unit }),
        )
        .await["createReservation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let api_key = api
        .ok_as(
            &owner,
            r#"mutation { createApiKey(name: "seeded") { apiKey { id } } }"#,
            json!({}),
        )
        .await["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lock = api
        .ok_as(
            &owner,
            r#"mutation($unit: ID!) { acquireLock(input: { unitId: $unit,
                 period: { checkIn: "2026-12-20", checkOut: "2026-12-22" } }, ttlSeconds: 600) { id } }"#,
            json!({ "unit": unit }),
        )
        .await["acquireLock"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let webhook = api
        .ok_as(
            &owner,
            r#"mutation { createWebhook(url: "https://hooks.example.org/seeded", events: ["*"]) { webhook { id } } }"#,
            json!({}),
        )
        .await["createWebhook"]["webhook"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A staff user: one an admin may manage.
    let user = api
        .ok_as(
            &owner,
            r#"mutation($email: String!, $password: String!) {
                 createUser(email: $email, password: $password, role: STAFF) { id } }"#,
            json!({ "email": format!("seeded@{slug}.example.org"), "password": PASSWORD }),
        )
        .await["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let calendar_sync = api
        .ok_as(
            &owner,
            r#"mutation($unit: ID!) { addCalendarSync(input: { unitId: $unit,
                 url: "https://calendars.example.org/seeded.ics", source: "seeded" }) { id } }"#,
            json!({ "unit": unit }),
        )
        .await["addCalendarSync"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let block = api
        .ok_as(
            &owner,
            r#"mutation($unit: ID!) { blockUnit(input: { unitId: $unit, reason: "seeded repairs",
                 period: { checkIn: "2027-01-10", checkOut: "2027-01-12" } }) { id } }"#,
            json!({ "unit": unit }),
        )
        .await["blockUnit"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.ok_as(
        &owner,
        r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 1,
             period: { checkIn: "2026-11-25", checkOut: "2026-11-27" },
             client: { name: "Seeded guest", email: "seeded.guest@example.org" } }) { id } }"#,
        json!({ "unit": unit }),
    )
    .await;
    let mail = api
        .mail_pass(tenant.id)
        .await
        .pop()
        .expect("the seeded guest's message");
    let image = api
        .upload_image(&tenant, unit.parse().unwrap(), 21, "Seeded view")
        .await;
    Ids {
        image,
        unit: unit.to_owned(),
        client,
        reservation,
        api_key,
        lock,
        webhook,
        user,
        calendar_sync,
        block,
        mail,
    }
}

async fn every_field_enforces_its_role(backend: Backend) {
    let api = api_on(backend).await;
    let text = std::fs::read_to_string(repo().join("graphql/tests/api/roles.yaml")).unwrap();
    let matrix: Matrix = serde_saphyr::from_str(&text).unwrap();
    let ids = seed_ids(&api, "alpine-cabins", &api.cabin.id.to_string()).await;
    let (fields, types) = sweep::fields(&api).await;
    let listed = |op: &str| {
        if op == "query" {
            &matrix.query
        } else {
            &matrix.mutation
        }
    };
    let names: Vec<String> = fields
        .iter()
        .map(|f| format!("{}.{}", f.operation, f.name))
        .collect();
    for op in ["query", "mutation"] {
        for name in listed(op).keys() {
            assert!(
                names.contains(&format!("{op}.{name}")),
                "roles.yaml lists {op}.{name}, which the schema lacks"
            );
        }
    }
    let email = "viewer@alpine-cabins.example.org";
    let values = Values {
        tenant: "alpine-cabins",
        email,
        password: PASSWORD,
        ids: &ids,
    };
    for field in &fields {
        let min = listed(field.operation).get(&field.name).unwrap_or_else(|| {
            panic!(
                "{} {} is not in graphql/tests/api/roles.yaml; add its lowest role",
                field.operation, field.name
            )
        });
        let args = sweep::arguments(field, &types, &values, None, None);
        let anonymous = code_of(&sweep::call(&api, None, field, args.clone()).await);
        if min == "public" {
            assert!(
                !matches!(anonymous.as_str(), "UNAUTHENTICATED" | "FORBIDDEN"),
                "{}: public, but anonymous got {anonymous}",
                field.name
            );
            continue;
        }
        let min: Role = min.parse().unwrap();
        assert_eq!(anonymous, "UNAUTHENTICATED", "{} anonymous", field.name);
        for role in ROLES {
            let token = api.token("alpine-cabins", role);
            let code = code_of(&sweep::call(&api, Some(&token), field, args.clone()).await);
            if role.includes(min) {
                assert!(
                    !matches!(code.as_str(), "UNAUTHENTICATED" | "FORBIDDEN"),
                    "{}: {role} may call it but got {code}",
                    field.name
                );
            } else {
                assert_eq!(code, "FORBIDDEN", "{}: {role} is below {min}", field.name);
            }
        }
    }
}
