//! Hot reload: a broken edit is refused with file:line:col while the previous
//! version keeps serving; a fixed edit goes live without a restart; failing test
//! cases keep a candidate out; a removed directory deactivates the tenant.

use std::time::Duration;

use berth_core::ErrorCode;
use berth_policy::config::ModelKind;
use berth_policy::registry::PolicyChange;
use berth_policy::watcher;

use crate::support::{self, Root, edit};

#[tokio::test]
async fn broken_edits_are_refused_and_fixed_edits_go_live() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    let changes = registry.load_all();
    assert!(
        matches!(
            changes.as_slice(),
            [PolicyChange::Activated { version: 1, .. }]
        ),
        "{changes:?}"
    );
    let (engine, tenant, unit) = support::engine(registry.clone(), "lake-rooms").await;
    let quote = engine
        .quote(tenant.id, support::two_nights(&unit))
        .await
        .unwrap();
    assert_eq!(quote.price.unwrap().total.amount_minor, 20_000);

    // A broken edit: a schema violation and a YAML type error in one file.
    edit(
        &dir.join("tenant.yaml"),
        "base_rate: 10000",
        "base_rate: lots",
    );
    edit(&dir.join("tenant.yaml"), "min_nights: 1", "min_nights: 0");
    let PolicyChange::Rejected { diagnostics, .. } = registry.reload("lake-rooms") else {
        panic!("a broken edit must be refused")
    };
    let printed: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(printed.len(), 2, "every error is reported: {printed:?}");
    assert!(
        printed
            .iter()
            .any(|d| d.contains("tenant.yaml:12:3:") && d.contains("nightly.min_nights")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|d| d.contains("tenant.yaml:14:3:") && d.contains("pricing.base_rate")),
        "{printed:?}"
    );
    // The previous version keeps serving.
    let quote = engine
        .quote(tenant.id, support::two_nights(&unit))
        .await
        .unwrap();
    assert_eq!(quote.price.unwrap().total.amount_minor, 20_000);
    let status = registry.status();
    assert_eq!(status[0].active_version, Some(1));
    assert_eq!(
        status[0].last_rejection.as_ref().unwrap().diagnostics.len(),
        2
    );

    // A fixed edit with a new price goes live as a new version; its test is updated too.
    edit(
        &dir.join("tenant.yaml"),
        "base_rate: lots",
        "base_rate: 12000",
    );
    edit(&dir.join("tenant.yaml"), "min_nights: 0", "min_nights: 1");
    edit(
        &dir.join("tests/basics.yaml"),
        "total: 20000",
        "total: 24000",
    );
    let change = registry.reload("lake-rooms");
    assert!(
        matches!(change, PolicyChange::Activated { version: 3, .. }),
        "{change:?}"
    );
    let quote = engine
        .quote(tenant.id, support::two_nights(&unit))
        .await
        .unwrap();
    assert_eq!(quote.price.unwrap().total.amount_minor, 24_000);
    assert_eq!(registry.status()[0].last_rejection, None);
    assert!(matches!(
        registry.reload("lake-rooms"),
        PolicyChange::Unchanged { .. }
    ));
}

#[tokio::test]
async fn a_candidate_whose_tests_fail_is_refused() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    // Valid YAML, but the tenant's own test now expects another price.
    edit(
        &dir.join("tenant.yaml"),
        "base_rate: 10000",
        "base_rate: 11000",
    );
    let PolicyChange::Rejected { diagnostics, .. } = registry.reload("lake-rooms") else {
        panic!("failing tests keep the candidate out")
    };
    let text = diagnostics[0].to_string();
    assert!(
        text.contains("tests/basics.yaml:5:1: test case `two nights at the base rate` failed"),
        "{text}"
    );
    assert!(text.contains("expected total 20000, got 22000"), "{text}");
    assert_eq!(registry.get("lake-rooms").unwrap().version(), 1);
}

#[tokio::test]
async fn removed_directories_are_deactivated_and_new_ones_appear() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    let (engine, tenant, unit) = support::engine(registry.clone(), "lake-rooms").await;
    std::fs::remove_dir_all(&dir).unwrap();
    let changes = registry.load_all();
    assert!(
        matches!(changes.as_slice(), [PolicyChange::Deactivated { .. }]),
        "{changes:?}"
    );
    let err = engine
        .quote(tenant.id, support::two_nights(&unit))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PolicyError);

    root.tenant("city-bikes", ModelKind::Interval);
    let changes = registry.load_all();
    assert!(
        matches!(changes.as_slice(), [PolicyChange::Activated { .. }]),
        "{changes:?}"
    );
    assert!(registry.get("city-bikes").is_some());
}

#[tokio::test]
async fn the_watcher_reloads_on_file_writes() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    let mut changes = registry.subscribe();
    let _watcher = watcher::watch(registry.clone()).unwrap();

    edit(
        &dir.join("tenant.yaml"),
        "base_rate: 10000",
        "base_rate: oops",
    );
    let change = next_change(&mut changes).await;
    assert!(
        matches!(change, PolicyChange::Rejected { .. }),
        "{change:?}"
    );

    edit(
        &dir.join("tenant.yaml"),
        "base_rate: oops",
        "base_rate: 10000",
    );
    let change = next_change(&mut changes).await;
    // The fixed file equals the live version again.
    assert!(
        matches!(
            change,
            PolicyChange::Unchanged { .. } | PolicyChange::Activated { .. }
        ),
        "{change:?}"
    );
}

/// The next announced change that is not `Unchanged` for an unrelated burst;
/// waits on the channel (no fixed sleeps), failing after 20 s.
async fn next_change(rx: &mut tokio::sync::broadcast::Receiver<PolicyChange>) -> PolicyChange {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a reload within 20 s")
        .expect("channel open")
}
