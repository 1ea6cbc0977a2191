//! The load path stores each tenant's profile: on activation (`--demo` or
//! not), replaced when a reload changes it, untouched (nothing audited) when a
//! reload leaves it as it was, and a refused candidate leaves the stored one;
//! likewise the pictures it names.

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

/// A copy of the demo tenant in a temp directory (`berth-{what}-…`, so a test
/// may edit its files), a registry over it with everything loaded, a fresh
/// SQLite store.
async fn copied_tenant(what: &str) -> (std::path::PathBuf, Arc<PolicyRegistry>, Arc<dyn Store>) {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = std::env::temp_dir().join(format!("berth-{what}-{}", uuid::Uuid::new_v4()));
    copy_dir(&repo.join("tenants").join(SLUG), &root.join(SLUG));
    let (_, clock) = super::demo_registry();
    let registry = Arc::new(PolicyRegistry::new(
        berth_policy::Runtime::new(berth_policy::sandbox::Limits::default()).unwrap(),
        &root,
        clock as Arc<dyn Clock>,
    ));
    registry.load_all();
    let store: Arc<dyn Store> =
        Arc::new(berth_core::testing::fresh_sqlite(&std::env::temp_dir()).await);
    (root, registry, store)
}

/// Replaces `from` with `to` in the tenant's `file`, then reloads the tenant:
/// what the registry made of it.
fn edit_and_reload(registry: &PolicyRegistry, file: &Path, from: &str, to: &str) -> PolicyChange {
    let text = std::fs::read_to_string(file).unwrap();
    std::fs::write(file, text.replace(from, to)).unwrap();
    registry.reload(SLUG)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_load_stores_the_profile() {
    let (root, registry, store) = copied_tenant("profile").await;
    let (demo, _) = super::demo_registry();
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
    let change = edit_and_reload(
        &registry,
        &file,
        "name: Alpine Cabins\n",
        "name: Alpine Cabins & Spa\n",
    );
    assert!(
        matches!(change, PolicyChange::Activated { .. }),
        "{change:?}"
    );
    super::apply(&store, &registry, &activated(2), false)
        .await
        .unwrap();
    assert_eq!(profile_entries().await, 1);

    // A changed profile replaces the stored one.
    let change = edit_and_reload(
        &registry,
        &file,
        "theme_color: \"#2f6b4f\"",
        "theme_color: \"#AA3300\"",
    );
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
    let refused = edit_and_reload(&registry, &file, "#AA3300", "orange");
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

/// The profile's pictures: stored (processed into widths) on activation;
/// a reload that changes no picture file stores nothing new; a changed file
/// replaces its picture; a candidate naming a file that is not a picture is
/// refused and leaves the stored ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_load_stores_the_pictures() {
    use berth_core::media::MediaHash;

    let (root, registry, store) = copied_tenant("pictures").await;
    let activate = |version| {
        let (store, registry) = (store.clone(), registry.clone());
        async move {
            let change = PolicyChange::Activated {
                slug: SLUG.into(),
                version,
            };
            super::apply(&store, &registry, &change, false)
                .await
                .unwrap();
        }
    };

    activate(1).await;
    let tenant = store
        .tenant_by_slug(&SLUG.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let pictures = store.tenant_pictures(tenant.id).await.unwrap();
    let cover = pictures.cover.clone().unwrap();
    let dir = root.join(SLUG);
    assert_eq!(
        cover.source,
        MediaHash::of(&std::fs::read(dir.join("images/cover.png")).unwrap())
    );
    assert_eq!((cover.width, cover.height), (1600, 900));
    assert_eq!(
        cover.variants.iter().map(|v| v.width).collect::<Vec<_>>(),
        vec![320, 800, 1600]
    );
    assert!(cover.alt.starts_with("Three log cabins"), "{}", cover.alt);
    assert_eq!(pictures.gallery.len(), 2);
    assert_eq!(pictures.gallery[1].width, 960);
    let entries = || async {
        store
            .audit_entries(tenant.id, tenant.id.as_uuid())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "update_pictures")
            .count()
    };
    assert_eq!(entries().await, 1);

    // A reload of unchanged pictures (another field changed) stores nothing.
    let file = dir.join("tenant.yaml");
    assert!(matches!(
        edit_and_reload(&registry, &file, "#2f6b4f", "#2f6b50"),
        PolicyChange::Activated { .. }
    ));
    activate(2).await;
    assert_eq!(entries().await, 1);
    assert_eq!(store.tenant_pictures(tenant.id).await.unwrap(), pictures);

    // A new cover file alone is a new version: its picture replaces the old.
    let lake = std::fs::read(dir.join("images/lake.png")).unwrap();
    std::fs::write(dir.join("images/cover.png"), &lake).unwrap();
    assert!(matches!(
        registry.reload(SLUG),
        PolicyChange::Activated { .. }
    ));
    activate(3).await;
    let after = store.tenant_pictures(tenant.id).await.unwrap();
    assert_eq!(after.cover.as_ref().unwrap().source, MediaHash::of(&lake));
    assert_eq!(after.cover.as_ref().unwrap().width, 960);
    assert_eq!(after.gallery, pictures.gallery);
    assert_eq!(entries().await, 2);

    // A cover that is not a picture is refused; the stored pictures stay.
    std::fs::write(dir.join("images/cover.png"), b"not a picture").unwrap();
    let refused = registry.reload(SLUG);
    assert!(
        matches!(refused, PolicyChange::Rejected { .. }),
        "{refused:?}"
    );
    super::apply(&store, &registry, &refused, false)
        .await
        .unwrap();
    assert_eq!(store.tenant_pictures(tenant.id).await.unwrap(), after);
    assert_eq!(entries().await, 2);
    let _ = std::fs::remove_dir_all(&root);
}
