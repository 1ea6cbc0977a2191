//! `testPolicy(files)` and `acceptPolicyFigures(files)` through
//! `schema.execute`: the alpine-cabins directory as the editor sends it —
//! unchanged (every case passes), with the weekday rate raised (the cases that
//! pin the old totals fail; accepting rewrites their figures, and the
//! rewritten files pass), broken (the loader's problem at its line) — and who
//! may ask: admins and owners.

use serde_json::{Value, json};

use berth_core::user::Role;

use crate::policy_plan::files;
use crate::support::{Backend, api_on, code_of, on_both_stores};

on_both_stores!(the_editor_runs_a_candidates_tests_and_accepts_its_figures);

const TEST: &str = r#"query($files: [PolicyFileInput!]!) { testPolicy(files: $files) {
    passed failed problems { file line column message yamlPath }
    cases { file line name passed failure } } }"#;

const ACCEPT: &str = r#"query($files: [PolicyFileInput!]!) { acceptPolicyFigures(files: $files) {
    files { path text } changes { file line case figure was now }
    leftFailing { file line case reason } } }"#;

/// `files` with the texts of `changed` put in place of theirs.
fn replaced(files: &Value, changed: &Value) -> Value {
    let mut out = files.clone();
    for file in out.as_array_mut().unwrap() {
        if let Some(new) = changed
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == file["path"])
        {
            file["text"] = new["text"].clone();
        }
    }
    out
}

async fn the_editor_runs_a_candidates_tests_and_accepts_its_figures(backend: Backend) {
    let api = api_on(backend).await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let owner = api.token("alpine-cabins", Role::Owner);

    // Unchanged: every case passes, for admins and owners alike.
    let live = files("alpine-cabins", |y| y);
    for token in [&admin, &owner] {
        let report = &api.ok_as(token, TEST, json!({ "files": live })).await["testPolicy"];
        assert_eq!(report["failed"], 0, "{report}");
        assert_eq!(report["problems"], json!([]));
        let cases = report["cases"].as_array().unwrap();
        assert!(cases.len() > 10, "{report}");
        assert_eq!(report["passed"], cases.len());
        assert!(cases.iter().all(|c| c["passed"] == true
            && c["failure"].is_null()
            && c["file"].as_str().unwrap().starts_with("tests/")
            && c["line"].as_u64().unwrap() > 0));
    }

    // The weekday rate raised: the cases pinning the old totals fail, by name
    // and line, with what they expected and got.
    let raised = files("alpine-cabins", |y| {
        y.replace("base_rate: 18000", "base_rate: 19000")
    });
    let report = api.ok_as(&admin, TEST, json!({ "files": raised })).await["testPolicy"].clone();
    assert_eq!(report["problems"], json!([]));
    let failed = report["failed"].as_u64().unwrap();
    assert!(failed > 0, "{report}");
    let failing: Vec<&Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failing.len() as u64, failed);
    assert!(
        failing
            .iter()
            .any(|c| c["failure"].as_str().unwrap().contains("expected total")),
        "{report}"
    );

    // Accepting rewrites the figures — nothing is written, the new texts come
    // back — and the candidate with them passes.
    let accepted =
        api.ok_as(&admin, ACCEPT, json!({ "files": raised })).await["acceptPolicyFigures"].clone();
    let changes = accepted["changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{accepted}");
    assert!(changes.iter().all(|c| c["now"] != c["was"]));
    assert!(changes.iter().any(|c| c["figure"] == "total"));
    assert_eq!(accepted["leftFailing"], json!([]), "{accepted}");
    let rewritten = accepted["files"].as_array().unwrap();
    assert!(
        rewritten
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("tests/"))
    );
    let on_disk = std::fs::read_to_string(
        crate::support::repo().join("tenants/alpine-cabins/tests/pricing.yaml"),
    )
    .unwrap();
    assert!(
        on_disk.contains("115605"),
        "the repository's file is untouched"
    );
    let fixed = replaced(&raised, &accepted["files"]);
    let report = &api.ok_as(&admin, TEST, json!({ "files": fixed })).await["testPolicy"];
    assert_eq!(report["failed"], 0, "{report}");

    // Broken: the loader's problem at its file and line; no case runs, and
    // accepting refuses with the same lines.
    let broken = files("alpine-cabins", |y| {
        y.replacen("base_rate:", "base_rat:", 1)
    });
    let report = &api.ok_as(&admin, TEST, json!({ "files": broken })).await["testPolicy"];
    assert_eq!(report["cases"], json!([]));
    let problem = &report["problems"][0];
    assert_eq!(problem["file"], "tenant.yaml", "{report}");
    assert!(problem["line"].as_u64().unwrap() > 1);
    assert!(
        problem["message"].as_str().unwrap().contains("base_rat"),
        "{report}"
    );
    let answer = api
        .run_as(Some(&admin), ACCEPT, json!({ "files": broken }))
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");

    // Staff and viewers may not ask.
    for role in [Role::Staff, Role::Viewer] {
        let token = api.token("alpine-cabins", role);
        for query in [TEST, ACCEPT] {
            let answer = api
                .run_as(Some(&token), query, json!({ "files": live }))
                .await;
            assert_eq!(code_of(&answer), "FORBIDDEN", "{role:?}");
        }
    }
}
