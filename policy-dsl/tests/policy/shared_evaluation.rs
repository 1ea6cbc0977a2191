//! Availability evaluates once per kind of unit (`Policy::unit_key`): units alike
//! share one evaluation of the tenant's Rhai policy, and every quote is exactly
//! what a quote of that unit on its own says. Scripts see what a unit is (kind,
//! inventory, guests, attributes), never which one (no id, no name).

use berth_core::audit::Actor;
use berth_core::engine::{AvailabilityRequest, QuoteRequest};
use berth_core::policy::{Party, PeriodRequest, Policy};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::unit::{NewUnit, Unit};
use berth_policy::config::ModelKind;

use crate::support::{self, Root};

/// Suites take three nights at least; a unit's identity would be a violation.
const RULES: &str = r#"
fn validate(req, rules, pricing) {
    let v = model_validate(req, rules, pricing);
    if req.unit.kind == "suite" && req.nights < 3 {
        v.push(#{ code: "suite_min_nights", message: "suites are let for 3 nights at least" });
    }
    if req.unit.contains("id") || req.unit.contains("name") {
        v.push(#{ code: "identity_seen", message: "scripts must not see which unit it is" });
    }
    v
}
"#;

fn new_unit(
    name: &str,
    kind: Option<&str>,
    max_guests: i64,
    attributes: serde_json::Value,
) -> NewUnit {
    NewUnit {
        name: name.into(),
        kind: kind.map(str::to_owned),
        inventory: Inventory::new(1).unwrap(),
        max_guests: Guests::new(max_guests).unwrap(),
        description: None,
        amenities: vec![],
        images: vec![],
        attributes,
    }
}

#[tokio::test]
async fn units_alike_share_an_evaluation_and_quotes_stay_exact() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    std::fs::write(dir.join("rules.rhai"), RULES).unwrap();
    let registry = support::registry(&root);
    registry.load_all();
    let (engine, tenant, first) = support::engine(registry.clone(), "lake-rooms").await;
    let now = engine.clock().now();
    let mut units: Vec<Unit> = vec![first];
    for new in [
        new_unit("Room 2", None, 2, serde_json::json!({})),
        new_unit("Room 3", None, 2, serde_json::json!({})),
        new_unit(
            "Lake room",
            None,
            2,
            serde_json::json!({ "base_rate": 15_000 }),
        ),
        new_unit("Suite", Some("suite"), 2, serde_json::json!({})),
        new_unit("Single", None, 1, serde_json::json!({})),
    ] {
        units.push(
            engine
                .store()
                .create_unit(tenant.id, new, &Actor::System, now)
                .await
                .unwrap(),
        );
    }

    // The policy's keys: rooms 1–3 alike; the lake room, the suite and the
    // single room each of their own kind.
    let policy = registry.get("lake-rooms").unwrap();
    let keys: Vec<String> = units
        .iter()
        .map(|u| policy.unit_key(u).expect("a Rhai policy keys every unit"))
        .collect();
    assert_eq!(keys[0], keys[1]);
    assert_eq!(keys[1], keys[2]);
    for (i, key) in keys.iter().enumerate().skip(3) {
        assert_eq!(
            keys.iter().filter(|k| *k == key).count(),
            1,
            "unit {i} is of its own kind"
        );
    }

    let party = Party {
        guests: Guests::new(2).unwrap(),
        quantity: Quantity::ONE,
    };
    let period = PeriodRequest::Nights {
        check_in: "2030-02-04".parse().unwrap(),
        check_out: "2030-02-06".parse().unwrap(),
    };
    let found = engine
        .availability(
            tenant.id,
            AvailabilityRequest {
                period: period.clone(),
                party,
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), units.len());
    for (unit, shared) in units.iter().zip(&found) {
        let alone = engine
            .quote(
                tenant.id,
                QuoteRequest {
                    unit_id: unit.id,
                    period: period.clone(),
                    party,
                },
            )
            .await
            .unwrap();
        assert_eq!(shared, &alone, "{}", unit.name);
    }
    // What the kinds decide: the same price for rooms alike, a higher one for
    // the lake room, the suite's minimum stay, the single room's capacity
    // (the engine's own rule, naming that unit) — and no identity seen.
    let total = |i: usize| found[i].price.as_ref().map(|p| p.total.amount_minor);
    assert!(found[0].available && total(0).is_some());
    assert_eq!(total(0), total(1));
    assert_eq!(total(1), total(2));
    assert!(total(3) > total(0), "the lake room's own base rate");
    let codes = |i: usize| -> Vec<&str> {
        found[i]
            .violations
            .iter()
            .map(|v| v.code.as_str())
            .collect()
    };
    assert_eq!(codes(4), vec!["suite_min_nights"]);
    assert_eq!(found[5].violations.len(), 1, "{:?}", found[5].violations);
    assert!(
        found[5].violations[0].message.contains("Single"),
        "{:?}",
        found[5].violations
    );
    assert!(
        found
            .iter()
            .all(|q| !q.violations.iter().any(|v| v.code == "identity_seen"))
    );
}
