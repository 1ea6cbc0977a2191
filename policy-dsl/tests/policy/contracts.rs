//! Generated contracts stay committed and current: the JSON Schemas under
//! `policies/schema/` equal what the Rust types generate, and every example tenant
//! validates, compiles and passes its own test cases.

use std::path::PathBuf;

use berth_policy::Runtime;
use berth_policy::check::{check_dir, tenant_dirs, test_dir};
use berth_policy::sandbox::Limits;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn committed_schemas_are_current() {
    let mut stale = Vec::new();
    for (name, schema) in berth_policy::schema::all() {
        let path = repo().join("policies/schema").join(name);
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            if std::env::var("BERTH_UPDATE_CONTRACTS").is_ok_and(|v| v == "1") {
                std::fs::write(&path, &generated).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated schemas: {stale:?}; run `BERTH_UPDATE_CONTRACTS=1 cargo test -p berth-policy --test policy contracts` and commit"
    );
}

#[test]
fn example_tenants_are_valid_and_pass_their_tests() {
    let runtime = Runtime::new(Limits::default()).unwrap();
    let dirs = tenant_dirs(&repo().join("tenants"));
    let slugs: Vec<String> = dirs
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        slugs,
        [
            "alpine-cabins",
            "harbor-hotel",
            "river-gear",
            "summit-tours"
        ]
    );
    for dir in dirs {
        let (_, diagnostics) = check_dir(&runtime, &dir);
        let printed: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert!(printed.is_empty(), "{}: {printed:#?}", dir.display());
        let outcomes = test_dir(&runtime, &dir).unwrap();
        assert!(
            outcomes.len() >= 12,
            "{}: only {} cases",
            dir.display(),
            outcomes.len()
        );
        let failures: Vec<String> = outcomes
            .iter()
            .filter_map(|o| {
                o.failure
                    .as_ref()
                    .map(|f| format!("{}:{}: {}: {f}", o.file.display(), o.line, o.name))
            })
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
