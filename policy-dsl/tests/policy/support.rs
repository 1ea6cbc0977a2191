//! Shared fixtures: scaffolded tenant directories in a temporary root, and an
//! engine over a fresh SQLite store whose policies come from a registry.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::clock::ManualClock;
use berth_core::engine::QuoteRequest;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::store::SqliteStore;
use berth_core::store::TenantStore;
use berth_core::store::UnitStore;
use berth_core::tenant::{NewTenant, Tenant};
use berth_core::unit::{NewUnit, Unit};
use berth_policy::config::ModelKind;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;
use berth_policy::{Runtime, scaffold};

/// A temporary directory of tenant directories.
pub struct Root(pub PathBuf);

impl Root {
    pub fn new() -> Self {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("berth-policy-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// Scaffolds tenant `slug` like `berth tenant init`.
    pub fn tenant(&self, slug: &str, model: ModelKind) -> PathBuf {
        let dir = self.0.join(slug);
        scaffold::write(&dir, slug, model).unwrap();
        dir
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Replaces `from` by `to` in a file, asserting that `from` is there.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

pub fn registry(root: &Root) -> Arc<PolicyRegistry> {
    let clock = Arc::new(ManualClock::new("2030-01-07T09:00:00Z".parse().unwrap()));
    Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        &root.0,
        clock,
    ))
}

/// An engine whose policies come from `registry`, over a fresh SQLite database
/// holding tenant `slug` (Europe/Berlin, EUR, as scaffolded) with one unit.
pub async fn engine(registry: Arc<PolicyRegistry>, slug: &str) -> (Engine, Tenant, Unit) {
    let (engine, tenant, unit, _) = engine_with_clock(registry, slug).await;
    (engine, tenant, unit)
}

/// [`engine`], with the manual clock it reads.
pub async fn engine_with_clock(
    registry: Arc<PolicyRegistry>,
    slug: &str,
) -> (Engine, Tenant, Unit, Arc<ManualClock>) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("berth-policy-{}.db", uuid::Uuid::new_v4()));
    let store = SqliteStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let now = "2030-01-07T09:00:00Z".parse().unwrap();
    let tenant = store
        .create_tenant(
            NewTenant {
                slug: slug.parse().unwrap(),
                name: slug.into(),
                timezone: chrono_tz::Europe::Berlin,
                currency: "EUR".parse().unwrap(),
                locale: "en-US".into(),
            },
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    let unit = store
        .create_unit(
            tenant.id,
            NewUnit {
                name: "Room 1".into(),
                kind: None,
                inventory: Inventory::new(1).unwrap(),
                max_guests: Guests::new(2).unwrap(),
                description: None,
                amenities: vec![],
                images: vec![],
                attributes: serde_json::json!({}),
            },
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(now));
    (
        Engine::new(Arc::new(store), registry, clock.clone()),
        tenant,
        unit,
        clock,
    )
}

/// The scaffolded nightly tenant's test request, as a quote.
pub fn two_nights(unit: &Unit) -> QuoteRequest {
    QuoteRequest {
        unit_id: unit.id,
        period: PeriodRequest::Nights {
            check_in: "2030-02-04".parse().unwrap(),
            check_out: "2030-02-06".parse().unwrap(),
        },
        party: Party {
            guests: Guests::new(2).unwrap(),
            quantity: Quantity::ONE,
        },
    }
}
