//! A tenant hook that throws, loops, recurses or allocates without bound ends the
//! request with POLICY_ERROR naming tenant, file, hook and line, within the
//! deadline — never a hang or a crash — and the engine keeps serving afterwards.

use std::time::{Duration, Instant};

use berth_core::{EngineError, ErrorCode};
use berth_policy::config::ModelKind;
use berth_policy::registry::PolicyChange;

use crate::support::{self, Root};

const CASES: &[(&str, &str, &str)] = &[
    (
        "throws",
        "fn price(req, rules, pricing) {\n    throw \"no prices today\";\n}\n",
        "no prices today",
    ),
    (
        "loops",
        "fn price(req, rules, pricing) {\n    let n = 0;\n    loop { n += 1; }\n}\n",
        "",
    ),
    (
        "recurses",
        "fn deeper(n) { deeper(n + 1) }\nfn price(req, rules, pricing) {\n    deeper(0)\n}\n",
        "",
    ),
    (
        "allocates",
        "fn price(req, rules, pricing) {\n    let s = \"x\";\n    loop { s += s; }\n}\n",
        "",
    ),
    (
        "wrong output",
        "fn price(req, rules, pricing) {\n    42\n}\n",
        "must return an array",
    ),
];

#[tokio::test]
async fn failing_hooks_are_policy_errors_that_name_where() {
    for (what, script, expected) in CASES {
        let root = Root::new();
        let dir = root.tenant("lake-rooms", ModelKind::Nightly);
        // The scaffold's test would fail with a broken hook; a tenant being
        // developed might have none yet.
        std::fs::remove_file(dir.join("tests/basics.yaml")).unwrap();
        std::fs::write(dir.join("hooks.rhai"), script).unwrap();
        let registry = support::registry(&root);
        let changes = registry.load_all();
        assert!(
            matches!(changes.as_slice(), [PolicyChange::Activated { .. }]),
            "{what}: {changes:?}"
        );
        let (engine, tenant, unit) = support::engine(registry, "lake-rooms").await;

        let started = Instant::now();
        let err = engine
            .quote(tenant.id, support::two_nights(&unit))
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what}: took {:?}",
            started.elapsed()
        );
        assert_eq!(err.code(), ErrorCode::PolicyError, "{what}: {err}");
        let EngineError::Policy(message) = &err else {
            panic!("{what}: {err:?}")
        };
        assert!(message.contains("tenant lake-rooms"), "{what}: {message}");
        assert!(message.contains("hook `price`"), "{what}: {message}");
        if *what != "wrong output" {
            assert!(
                message.contains("hooks.rhai:"),
                "{what}: names the file and line: {message}"
            );
        }
        assert!(message.contains(expected), "{what}: {message}");

        // Validation still works: the engine and the sandbox are unharmed.
        let mut request = support::two_nights(&unit);
        request.party.guests = berth_core::quantity::Guests::new(9).unwrap();
        let quote = engine.quote(tenant.id, request).await.unwrap();
        assert_eq!(quote.violations[0].code, "max_guests", "{what}");
    }
}
