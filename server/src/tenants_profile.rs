//! The load path stores each tenant's profile: on activation (`--demo` or
//! not), replaced when a reload changes it, untouched (nothing audited) when a
//! reload leaves it as it was, and a refused candidate leaves the stored one.

use std::path::Path;
use std::sync::Arc;

use berth_core::clock::Clock;
use berth_core::store::Store;
use berth_policy::registry::{PolicyChange, PolicyRegistry};

const SLUG: &str = "alpine-cabins";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_load_stores_the_profile() {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = std::env::temp_dir().join(format!("berth-profile-{}", uuid::Uuid::new_v4()));
    copy_dir(&repo.join("tenants").join(SLUG), &root.join(SLUG));
    let (demo, clock) = super::demo_registry();
    let registry = Arc::new(PolicyRegistry::new(
        berth_policy::Runtime::new(berth_policy::sandbox::Limits::default()).unwrap(),
        &root,
        clock.clone() as Arc<dyn Clock>,
    ));
    registry.load_all();
    let store: Arc<dyn Store> =
        Arc::new(berth_core::testing::fresh_sqlite(&std::env::temp_dir()).await);
    let activated = |version| PolicyChange::Activated {
        slug: SLUG.into(),
        version,
    };

    super::apply(&store, &registry, &activated(1), false)
        .await
        .unwrap();
    let tenant = store
        .tenant_by_slug(&SLUG.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let stored = store.tenant_profile(tenant.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        demo.get(SLUG).unwrap().config().public_profile(),
        "the repository's file, as loaded"
    );
    assert_eq!(stored.address.unwrap().locality, "Grindelwald");
    let profile_entries = || async {
        store
            .audit_entries(tenant.id, tenant.id.as_uuid())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "update_profile")
            .count()
    };
    assert_eq!(profile_entries().await, 1);

    // A reload that leaves the profile as it was writes no profile change.
    let file = root.join(SLUG).join("tenant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("name: Alpine Cabins\n", "name: Alpine Cabins & Spa\n"),
    )
    .unwrap();
    let change = registry.reload(SLUG);
    assert!(
        matches!(change, PolicyChange::Activated { .. }),
        "{change:?}"
    );
    super::apply(&store, &registry, &activated(2), false)
        .await
        .unwrap();
    assert_eq!(profile_entries().await, 1);

    // A changed profile replaces the stored one.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("theme_color: \"#2f6b4f\"", "theme_color: \"#AA3300\""),
    )
    .unwrap();
    let change = registry.reload(SLUG);
    assert!(
        matches!(change, PolicyChange::Activated { .. }),
        "{change:?}"
    );
    super::apply(&store, &registry, &activated(3), false)
        .await
        .unwrap();
    let stored = store.tenant_profile(tenant.id).await.unwrap().unwrap();
    assert_eq!(stored.theme_color.as_deref(), Some("#aa3300"));
    assert_eq!(profile_entries().await, 2);

    // A refused candidate (a bad colour) leaves the stored profile.
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("#AA3300", "orange"),
    )
    .unwrap();
    let refused = registry.reload(SLUG);
    assert!(
        matches!(refused, PolicyChange::Rejected { .. }),
        "{refused:?}"
    );
    super::apply(&store, &registry, &refused, false)
        .await
        .unwrap();
    assert_eq!(
        store
            .tenant_profile(tenant.id)
            .await
            .unwrap()
            .unwrap()
            .theme_color
            .as_deref(),
        Some("#aa3300")
    );
    let _ = std::fs::remove_dir_all(&root);
}
