//! Policy versions through the API: an admin publishes the tenant's directory
//! (checked and tested first; a refusal is INVALID_INPUT with its
//! `file:line:col` lines), the history lists versions newest first with
//! their files only when asked, a rollback publishes an older version again
//! and an unknown one is NOT_FOUND; staff and viewers cannot publish; every
//! write is audited by its caller; another tenant sees none of it; a
//! publication or rollback from a version no longer live (`baseVersion`) is
//! CONFLICT naming who published since; a file left out is gone from the
//! version; `publisher` names users and keys to admins only. On both
//! databases.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{Backend, api_on, code_of, on_both_stores, repo};

on_both_stores!(
    versions_are_published_listed_and_rolled_back,
    a_stale_base_is_refused_and_publishers_are_named,
);

const PUBLISH: &str = r#"mutation($files: [PolicyFileInput!]!) {
  publishPolicy(files: $files) { created version { number author hash restoredFrom publishedAt } }
}"#;
const ROLLBACK: &str = r#"mutation($to: Int!) {
  rollbackPolicy(to: $to) { created version { number restoredFrom hash files { path text } } }
}"#;
const HISTORY: &str = "{ policyVersions { number author hash restoredFrom } }";

/// alpine-cabins' directory as an editor sends it, with `note` appended to
/// its `tenant.yaml` (a comment: the same rules, other files).
pub fn alpine_files(note: &str) -> Value {
    let files = berth_policy::registry::directory_files(&repo().join("tenants/alpine-cabins"))
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

async fn versions_are_published_listed_and_rolled_back(backend: Backend) {
    let api = api_on(backend).await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let owner = api.token("alpine-cabins", Role::Owner);

    let first = api
        .ok_as(&admin, PUBLISH, json!({ "files": alpine_files("first") }))
        .await;
    let first = &first["publishPolicy"];
    assert_eq!(first["created"], true);
    assert_eq!(first["version"]["number"], 1);
    assert!(
        first["version"]["author"]
            .as_str()
            .unwrap()
            .starts_with("user:")
    );
    assert_eq!(first["version"]["restoredFrom"], Value::Null);
    assert_eq!(first["version"]["hash"].as_str().unwrap().len(), 64);

    // The same files again: the live version, nothing stored.
    let again = api
        .ok_as(&owner, PUBLISH, json!({ "files": alpine_files("first") }))
        .await;
    assert_eq!(again["publishPolicy"]["created"], false);
    assert_eq!(again["publishPolicy"]["version"], first["version"]);

    let second = api
        .ok_as(&owner, PUBLISH, json!({ "files": alpine_files("second") }))
        .await;
    assert_eq!(second["publishPolicy"]["version"]["number"], 2);

    // A candidate failing its own tests is refused with file:line:col.
    let mut refused = alpine_files("third");
    for f in refused.as_array_mut().unwrap() {
        if f["path"] == "tenant.yaml" {
            let text = f["text"].as_str().unwrap();
            assert!(text.contains("  base_rate: 18000 "), "{text}");
            f["text"] = json!(text.replace("  base_rate: 18000 ", "  base_rate: 19000 "));
        }
    }
    let answer = api
        .run_as(Some(&admin), PUBLISH, json!({ "files": refused }))
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT", "{answer:?}");
    let lines = answer.1[0].1["rejection"].as_array().unwrap();
    assert!(
        lines.iter().any(|l| l
            .as_str()
            .unwrap()
            .starts_with("tests/pricing.yaml:143:1: test case")),
        "{lines:?}"
    );
    // A path outside the directory is refused before anything is loaded.
    let outside = json!([{ "path": "../x/tenant.yaml", "text": "" }]);
    let answer = api
        .run_as(Some(&admin), PUBLISH, json!({ "files": outside }))
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");

    // Staff and viewers may read the history, not publish.
    for role in [Role::Staff, Role::Viewer] {
        let token = api.token("alpine-cabins", role);
        let answer = api
            .run_as(Some(&token), PUBLISH, json!({ "files": alpine_files("x") }))
            .await;
        assert_eq!(code_of(&answer), "FORBIDDEN", "{role}");
        let answer = api.run_as(Some(&token), ROLLBACK, json!({ "to": 1 })).await;
        assert_eq!(code_of(&answer), "FORBIDDEN", "{role}");
    }
    let history = api
        .ok_as(
            &api.token("alpine-cabins", Role::Viewer),
            HISTORY,
            json!({}),
        )
        .await;
    let numbers: Vec<i64> = history["policyVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(
        history["policyVersions"][1]["hash"],
        first["version"]["hash"]
    );

    // Files when asked, for the history's lines and for one version.
    let with_files = api
        .ok_as(
            &admin,
            "{ policyVersions(first: 1) { number files { path } } }",
            json!({}),
        )
        .await;
    let listed = &with_files["policyVersions"];
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["number"], 2);
    assert!(
        listed[0]["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "tests/pricing.yaml")
    );
    let one = api
        .ok_as(
            &admin,
            "{ policyVersion(number: 1) { number files { path text } } }",
            json!({}),
        )
        .await;
    let tenant_yaml = one["policyVersion"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "tenant.yaml")
        .unwrap();
    assert!(tenant_yaml["text"].as_str().unwrap().ends_with("# first\n"));

    // A rollback publishes version 1's files again as version 3.
    let rolled = api.ok_as(&owner, ROLLBACK, json!({ "to": 1 })).await;
    let rolled = &rolled["rollbackPolicy"];
    assert_eq!(rolled["created"], true);
    assert_eq!(rolled["version"]["number"], 3);
    assert_eq!(rolled["version"]["restoredFrom"], 1);
    assert_eq!(rolled["version"]["hash"], first["version"]["hash"]);
    for missing in [99, 0, -1] {
        let answer = api
            .run_as(Some(&owner), ROLLBACK, json!({ "to": missing }))
            .await;
        assert_eq!(code_of(&answer), "NOT_FOUND", "{missing}");
    }

    // Audited by their callers.
    let audit = api
        .ok_as(
            &owner,
            r#"{ auditLog(filter: { entityType: "policy" }, first: 10) { edges { node { action actor metadata } } } }"#,
            json!({}),
        )
        .await;
    let actions: Vec<&str> = audit["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["rollback", "publish", "publish"]);
    assert_eq!(
        audit["auditLog"]["edges"][2]["node"]["actor"],
        first["version"]["author"]
    );

    // Another tenant sees none of it, and cannot roll back to its numbers.
    let summit = api.token("summit-tours", Role::Owner);
    let theirs = api.ok_as(&summit, HISTORY, json!({})).await;
    assert_eq!(theirs["policyVersions"], json!([]));
    let theirs = api
        .ok_as(
            &summit,
            "{ policyVersion(number: 1) { number } }",
            json!({}),
        )
        .await;
    assert_eq!(theirs["policyVersion"], Value::Null);
    let answer = api
        .run_as(Some(&summit), ROLLBACK, json!({ "to": 1 }))
        .await;
    assert_eq!(code_of(&answer), "NOT_FOUND");
    // Nor can it publish another tenant's directory as its own.
    let answer = api
        .run_as(
            Some(&summit),
            PUBLISH,
            json!({ "files": alpine_files("x") }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
}

/// A test file the editor adds: one case of alpine-cabins' rules.
const EXTRA_CASES: &str = "now: 2026-11-02T09:00:00Z\nunit: { name: Birch Cabin, inventory: 1, max_guests: 4 }\ncases:\n  - name: one night is below the minimum\n    request: { check_in: 2026-11-10, check_out: 2026-11-11, guests: 2 }\n    expect: { accepted: false, violations: [min_nights] }\n";

const PUBLISH_OVER: &str = r#"mutation($files: [PolicyFileInput!]!, $base: Int) {
  publishPolicy(files: $files, baseVersion: $base) {
    created version { number files { path } publisher { kind userId name } }
  }
}"#;

async fn a_stale_base_is_refused_and_publishers_are_named(backend: Backend) {
    let api = api_on(backend).await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let owner = api.token("alpine-cabins", Role::Owner);
    let me = |token: String| {
        let api = &api;
        async move { api.ok_as(&token, "{ me { id email } }", json!({})).await["me"].clone() }
    };
    let admin_me = me(admin.clone()).await;

    // With a hook and a test file added by the editor.
    let mut with_new = alpine_files("one");
    with_new.as_array_mut().unwrap().extend([
        json!({ "path": "quiet_hours.rhai", "text": "// nothing yet\n" }),
        json!({ "path": "tests/extra.yaml", "text": EXTRA_CASES }),
    ]);
    let first = api
        .ok_as(
            &admin,
            PUBLISH_OVER,
            json!({ "files": with_new, "base": 0 }),
        )
        .await;
    let version = &first["publishPolicy"]["version"];
    assert_eq!(version["number"], 1);
    let paths: Vec<&str> = version["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"quiet_hours.rhai") && paths.contains(&"tests/extra.yaml"),
        "{paths:?}"
    );
    assert_eq!(
        version["publisher"],
        json!({ "kind": "USER", "userId": admin_me["id"], "name": admin_me["email"] })
    );

    // The owner publishes without them (deleted in the editor), from 1.
    let second = api
        .ok_as(
            &owner,
            PUBLISH_OVER,
            json!({ "files": alpine_files("two"), "base": 1 }),
        )
        .await;
    let paths: Vec<&str> = second["publishPolicy"]["version"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        !paths.contains(&"quiet_hours.rhai") && !paths.contains(&"tests/extra.yaml"),
        "{paths:?}"
    );

    // The admin, still on version 1, is told who published version 2.
    let owner_email = me(owner.clone()).await["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = api
        .run_as(
            Some(&admin),
            PUBLISH_OVER,
            json!({ "files": alpine_files("three"), "base": 1 }),
        )
        .await;
    assert_eq!(code_of(&answer), "CONFLICT", "{answer:?}");
    let message = &answer.1[0].0;
    assert!(
        message.starts_with(&format!("version 2 was published by {owner_email} at ")),
        "{message}"
    );
    let answer = api
        .run_as(
            Some(&admin),
            "mutation { rollbackPolicy(to: 1, baseVersion: 1) { created } }",
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "CONFLICT");
    let answer = api
        .run_as(
            Some(&admin),
            PUBLISH_OVER,
            json!({ "files": alpine_files("three"), "base": -1 }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
    // A path the loader never reads is refused, named.
    let mut misplaced = alpine_files("three");
    misplaced
        .as_array_mut()
        .unwrap()
        .push(json!({ "path": "hooks/quiet.rhai", "text": "" }));
    let answer = api
        .run_as(
            Some(&admin),
            PUBLISH_OVER,
            json!({ "files": misplaced, "base": 2 }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
    assert!(
        answer.1[0]
            .0
            .contains("`hooks/quiet.rhai` is not read by berth"),
        "{answer:?}"
    );

    // The history names both; a viewer sees the kind, not the name.
    let history = api
        .ok_as(
            &admin,
            "{ policyVersions { number publisher { kind name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        history["policyVersions"],
        json!([
            { "number": 2, "publisher": { "kind": "USER", "name": owner_email } },
            { "number": 1, "publisher": { "kind": "USER", "name": admin_me["email"] } },
        ])
    );
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let kinds = api
        .ok_as(
            &viewer,
            "{ policyVersions { publisher { kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(kinds["policyVersions"][0]["publisher"]["kind"], "USER");
    let answer = api
        .run_as(
            Some(&viewer),
            "{ policyVersions { publisher { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(code_of(&answer), "FORBIDDEN");
}
