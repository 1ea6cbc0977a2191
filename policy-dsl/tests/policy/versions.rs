//! Published versions in the registry (docs/decisions/0162): a directory is
//! checked for publication exactly as a reload is (a refusal kept and
//! announced, nothing live), and a published version's files go live under
//! its number — unless they no longer load, when the live version keeps
//! serving.

use berth_core::policy::PolicyFile;
use berth_policy::config::ModelKind;
use berth_policy::registry::{PolicyChange, directory_files};

use crate::support::{self, Root, edit};

#[tokio::test]
async fn a_directory_is_checked_then_its_version_goes_live_by_number() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    let mut changes = registry.subscribe();

    let (_, files) = registry
        .check_directory("lake-rooms")
        .unwrap()
        .expect("a tenant directory");
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["tenant.yaml", "tests/basics.yaml"]);
    assert_eq!(files, directory_files(&dir).unwrap());
    // Checking makes nothing live.
    assert!(registry.get("lake-rooms").is_none());
    assert!(changes.try_recv().is_err());

    let change = registry.activate_version("lake-rooms", 7, &files);
    assert_eq!(
        change,
        PolicyChange::Activated {
            slug: "lake-rooms".into(),
            version: 7
        }
    );
    assert_eq!(changes.try_recv().unwrap(), change);
    assert_eq!(registry.status()[0].active_version, Some(7));
    let (engine, tenant, unit) = support::engine(registry.clone(), "lake-rooms").await;
    let quote = engine
        .quote(tenant.id, support::two_nights(&unit))
        .await
        .unwrap();
    assert_eq!(quote.price.unwrap().total.amount_minor, 20_000);
    assert!(matches!(
        registry.activate_version("lake-rooms", 7, &files),
        PolicyChange::Unchanged { .. }
    ));

    // Version 8 comes from the database, not from the disk: the disk may say
    // anything meanwhile.
    let higher: Vec<PolicyFile> = files
        .iter()
        .map(|f| PolicyFile {
            path: f.path.clone(),
            text: f
                .text
                .replace("base_rate: 10000", "base_rate: 12000")
                .replace("total: 20000", "total: 24000"),
        })
        .collect();
    edit(
        &dir.join("tenant.yaml"),
        "base_rate: 10000",
        "base_rate: 15000",
    );
    assert!(matches!(
        registry.activate_version("lake-rooms", 8, &higher),
        PolicyChange::Activated { version: 8, .. }
    ));
    let quote = engine
        .quote(tenant.id, support::two_nights(&unit))
        .await
        .unwrap();
    assert_eq!(quote.price.unwrap().total.amount_minor, 24_000);
}

#[tokio::test]
async fn refusals_are_kept_and_the_live_version_keeps_serving() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    let (_, files) = registry.check_directory("lake-rooms").unwrap().unwrap();
    registry.activate_version("lake-rooms", 1, &files);
    let mut changes = registry.subscribe();

    // A broken edit is refused at the check, with file:line:col.
    edit(&dir.join("tenant.yaml"), "min_nights: 1", "min_nights: 0");
    let refused = registry.check_directory("lake-rooms").unwrap_err();
    let printed: Vec<String> = refused.iter().map(ToString::to_string).collect();
    assert!(
        printed.iter().any(|d| d.contains("tenant.yaml:12:3:")),
        "{printed:?}"
    );
    assert!(matches!(
        changes.try_recv().unwrap(),
        PolicyChange::Rejected { .. }
    ));
    let status = &registry.status()[0];
    assert_eq!(status.active_version, Some(1));
    assert_eq!(
        status.last_rejection.as_ref().unwrap().diagnostics.len(),
        printed.len()
    );

    // A published version that does not load with this binary stays out,
    // named by its paths inside the directory.
    let broken: Vec<PolicyFile> = files
        .iter()
        .map(|f| PolicyFile {
            path: f.path.clone(),
            text: f.text.replace("total: 20000", "total: 1"),
        })
        .collect();
    let PolicyChange::Rejected { diagnostics, .. } =
        registry.activate_version("lake-rooms", 2, &broken)
    else {
        panic!("a version failing its tests must not go live")
    };
    assert!(
        diagnostics[0].to_string().starts_with("tests/basics.yaml:"),
        "{diagnostics:?}"
    );
    assert_eq!(registry.status()[0].active_version, Some(1));

    // A directory without tenant.yaml is nothing to publish.
    std::fs::remove_file(dir.join("tenant.yaml")).unwrap();
    assert!(registry.check_directory("lake-rooms").unwrap().is_none());
    assert!(
        registry
            .check_directory("no-such-tenant")
            .unwrap()
            .is_none()
    );
}
