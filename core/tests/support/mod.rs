//! Test support shared by the integration tests and the benchmarks: a plain-Rust
//! nightly policy (the test double for the policy port), and a harness that gives
//! each test a fresh, migrated database on SQLite or PostgreSQL (the databases come
//! from `berth_core::testing`; PostgreSQL ones are connected as a role that
//! row-level security applies to).

#![allow(dead_code)]

pub mod nightly;

use std::sync::Arc;

use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::clock::ManualClock;
use berth_core::quantity::{Guests, Inventory};
use berth_core::store::{PostgresStore, SqliteStore, Store};
use berth_core::tenant::{NewTenant, Tenant};
use berth_core::unit::{NewUnit, Unit};
use chrono::{DateTime, Utc};

pub use nightly::SinglePolicy;

// The conformance tests and the benchmark each use part of these.
#[allow(unused_imports)]
pub use berth_core::testing::{Backend, available, fresh_postgres_url, postgres_admin_url};

/// A fresh, migrated SQLite database file in this target's temp directory.
pub async fn fresh_sqlite() -> SqliteStore {
    berth_core::testing::fresh_sqlite(std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))).await
}

/// A fresh store of the given backend.
pub async fn fresh_store(backend: Backend) -> Arc<dyn Store> {
    match backend {
        Backend::Sqlite => Arc::new(fresh_sqlite().await),
        Backend::Postgres => Arc::new(
            PostgresStore::connect(&fresh_postgres_url().await)
                .await
                .expect("connect"),
        ),
    }
}

/// One fresh database seen through three stores: without a secrets key, with
/// key `sealing` and with key `other` (what sealing at rest is tested with).
#[allow(dead_code)]
pub async fn sealed_stores(
    backend: Backend,
    sealing: u8,
    other: u8,
) -> (Arc<dyn Store>, Arc<dyn Store>, Arc<dyn Store>) {
    use berth_core::secret_box::SecretBox;
    fn three<S: Store + Clone + 'static>(
        store: S,
        seal: impl Fn(S, SecretBox) -> S,
        keys: (u8, u8),
    ) -> (Arc<dyn Store>, Arc<dyn Store>, Arc<dyn Store>) {
        (
            Arc::new(store.clone()),
            Arc::new(seal(store.clone(), SecretBox::new(&[keys.0; 32]))),
            Arc::new(seal(store, SecretBox::new(&[keys.1; 32]))),
        )
    }
    match backend {
        Backend::Sqlite => three(
            fresh_sqlite().await,
            SqliteStore::with_secrets,
            (sealing, other),
        ),
        Backend::Postgres => three(
            PostgresStore::connect(&fresh_postgres_url().await)
                .await
                .expect("connect"),
            PostgresStore::with_secrets,
            (sealing, other),
        ),
    }
}

/// The instant every test's clock starts at: a Monday in late autumn 2026.
pub fn start_instant() -> DateTime<Utc> {
    "2026-11-02T09:00:00Z".parse().expect("instant")
}

/// An engine over `store` with the nightly test policy and a manual clock.
pub fn engine(store: Arc<dyn Store>) -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start_instant()));
    let engine = Engine::new(store, Arc::new(SinglePolicy::nightly()), clock.clone());
    (engine, clock)
}

/// Creates a tenant with the given slug in Europe/Oslo, pricing in NOK.
pub async fn tenant(store: &dyn Store, slug: &str) -> Tenant {
    store
        .create_tenant(
            NewTenant {
                slug: slug.parse().expect("slug"),
                name: format!("Tenant {slug}"),
                timezone: chrono_tz::Europe::Oslo,
                currency: "NOK".parse().expect("currency"),
                locale: "nb-NO".into(),
            },
            &Actor::System,
            start_instant(),
        )
        .await
        .expect("create tenant")
}

/// A confirmed admin booking of `unit_id` with no client, key or notes; tests
/// override fields with struct-update syntax.
pub fn admin_booking(
    unit_id: berth_core::ids::UnitId,
    period: berth_core::policy::PeriodRequest,
    party: berth_core::policy::Party,
) -> berth_core::engine::CreateReservation {
    berth_core::engine::CreateReservation {
        unit_id,
        period,
        party,
        client: berth_core::store::ClientRef::None,
        idempotency_key: None,
        notes: None,
        hold: false,
        channel: berth_core::reservation::Channel::Admin,
        consume_lock: None,
        policy_override: None,
    }
}

/// A confirmed admin booking of `unit_id` for two guests, one item, from
/// `check_in` to `check_out` (nightly dates like "2026-12-10").
pub fn stay(
    unit_id: berth_core::ids::UnitId,
    check_in: &str,
    check_out: &str,
) -> berth_core::engine::CreateReservation {
    admin_booking(
        unit_id,
        berth_core::policy::PeriodRequest::Nights {
            check_in: check_in.parse().expect("check-in date"),
            check_out: check_out.parse().expect("check-out date"),
        },
        berth_core::policy::Party {
            guests: Guests::new(2).expect("guests"),
            quantity: berth_core::quantity::Quantity::new(1).expect("quantity"),
        },
    )
}

/// Creates a unit with `inventory` items of up to `max_guests` guests each.
pub async fn unit(
    store: &dyn Store,
    tenant: &Tenant,
    name: &str,
    inventory: i64,
    max_guests: i64,
) -> Unit {
    store
        .create_unit(
            tenant.id,
            NewUnit {
                name: name.into(),
                kind: Some("cabin".into()),
                inventory: Inventory::new(inventory).expect("inventory"),
                max_guests: Guests::new(max_guests).expect("guests"),
                description: None,
                amenities: vec!["sauna".into()],
                images: vec!["https://images.example.org/cabin.jpg".into()],
                attributes: serde_json::json!({}),
            },
            &Actor::System,
            start_instant(),
        )
        .await
        .expect("create unit")
}

/// Every event of the tenant, once all committed ones are readable: on
/// PostgreSQL a reader may not pass a transaction that is still open anywhere in
/// the cluster (other tests' databases included), so it waits for that to end.
pub async fn settled_events(
    store: &dyn Store,
    tenant: berth_core::ids::TenantId,
) -> Vec<berth_core::event::Event> {
    loop {
        let committed = store.event_count(tenant).await.expect("count");
        let events = store
            .events_after(tenant, berth_core::event::EventCursor::START, 100_000)
            .await
            .expect("events");
        if events.len() as u64 == committed {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}
