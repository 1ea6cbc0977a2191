//! A `--demo` seed cut short (the process died after part of the data) is
//! completed on the next start: the same units, clients and reservations as an
//! uninterrupted seed, none twice, and the demo admin last; a start after that
//! changes nothing.

use std::path::PathBuf;
use std::sync::Arc;

use berth_core::clock::Clock;
use berth_core::store::ReservationFilter;
use berth_core::store::Store;
use berth_core::tenant::Tenant;
use berth_policy::registry::{PolicyChange, PolicyRegistry};

const SLUG: &str = "alpine-cabins";

/// What a seed left: unit names, client names, and each reservation as (unit,
/// start, state), sorted.
async fn contents(store: &dyn Store, tenant: &Tenant) -> (Vec<String>, Vec<String>, Vec<String>) {
    let units = store.units(tenant.id, true).await.unwrap();
    let mut unit_names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    unit_names.sort();
    let mut clients: Vec<String> = store
        .clients(tenant.id, &berth_core::client::ClientFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    clients.sort();
    let mut reservations: Vec<String> = store
        .reservations(tenant.id, &ReservationFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let unit = units.iter().find(|u| u.id == r.unit_id).unwrap();
            format!("{} {} {}", unit.name, r.period.start(), r.state.as_str())
        })
        .collect();
    reservations.sort();
    (unit_names, clients, reservations)
}

async fn activate(store: &Arc<dyn Store>, registry: &Arc<PolicyRegistry>) -> Tenant {
    let change = PolicyChange::Activated {
        slug: SLUG.into(),
        version: 1,
    };
    super::apply(store, registry, &change, true).await.unwrap();
    store
        .tenant_by_slug(&SLUG.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// The uploaded photos of the tenant's units: (unit name, alt text, widths).
async fn photos(store: &dyn Store, tenant: &Tenant) -> Vec<(String, Option<String>, Vec<u32>)> {
    let units = store.units(tenant.id, true).await.unwrap();
    let ids: Vec<_> = units.iter().map(|u| u.id).collect();
    let images = store.unit_images(tenant.id, &ids).await.unwrap();
    let mut out: Vec<_> = images
        .into_iter()
        .map(|i| {
            let unit = units.iter().find(|u| u.id == i.unit_id).unwrap();
            (
                unit.name.clone(),
                i.alt,
                i.variants.iter().map(|v| v.width).collect(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_demo_seed_is_completed_once() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let (registry, clock) = super::demo_registry();
    let tmp = std::env::temp_dir();

    // The reference: one uninterrupted seed.
    let whole: Arc<dyn Store> = Arc::new(berth_core::testing::fresh_sqlite(&tmp).await);
    let tenant = activate(&whole, &registry).await;
    let expected = contents(&*whole, &tenant).await;
    let expected_photos = photos(&*whole, &tenant).await;
    assert!(
        expected.0.len() >= 2 && expected.1.len() >= 2 && expected.2.len() >= 2,
        "the demo seed has units, clients and reservations: {expected:?}"
    );

    // The interrupted one: the tenant, then a seed file cut after its first
    // unit, client and reservation (JSON is YAML), and no admin — as if the
    // process had died there.
    let store: Arc<dyn Store> = Arc::new(berth_core::testing::fresh_sqlite(&tmp).await);
    let policy = registry.get(SLUG).unwrap();
    let (tenant, created) = super::sync(&*store, &policy, registry.clock().now())
        .await
        .unwrap();
    assert!(created);
    let full = std::fs::read_to_string(repo.join("tenants").join(SLUG).join("seed.yaml")).unwrap();
    let mut part: serde_json::Value = serde_saphyr::from_str(&full).unwrap();
    for list in ["units", "clients", "reservations"] {
        part[list].as_array_mut().unwrap().truncate(1);
    }
    // The first reservation's unit and client must be the kept ones.
    part["units"] = serde_json::Value::Array(
        serde_saphyr::from_str::<serde_json::Value>(&full).unwrap()["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["name"] == part["reservations"][0]["unit"])
            .cloned()
            .collect(),
    );
    let cut = tmp.join(format!("berth-seed-cut-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&cut).unwrap();
    std::fs::write(cut.join("seed.yaml"), part.to_string()).unwrap();
    std::fs::create_dir_all(cut.join("images")).unwrap();
    for file in std::fs::read_dir(repo.join("tenants").join(SLUG).join("images")).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), cut.join("images").join(file.file_name())).unwrap();
    }
    super::seed_data(&store, &registry, &tenant, &cut, clock.clone())
        .await
        .unwrap();
    let partial = contents(&*store, &tenant).await;
    assert_eq!((partial.0.len(), partial.2.len()), (1, 1), "{partial:?}");
    assert!(!super::has_demo_admin(&*store, &tenant).await.unwrap());

    // The next start completes it, and matches the uninterrupted seed.
    activate(&store, &registry).await;
    assert_eq!(contents(&*store, &tenant).await, expected);
    assert!(super::has_demo_admin(&*store, &tenant).await.unwrap());

    assert_eq!(photos(&*store, &tenant).await, expected_photos);

    // A start after that changes nothing.
    clock.set(clock.now() + chrono::Duration::days(1));
    activate(&store, &registry).await;
    assert_eq!(contents(&*store, &tenant).await, expected);
    let stored = photos(&*store, &tenant).await;
    assert_eq!(stored, expected_photos);
    assert!(
        stored.len() >= 2 && stored.iter().all(|(_, alt, _)| alt.is_some()),
        "{stored:?}"
    );
    let _ = std::fs::remove_dir_all(&cut);
}
