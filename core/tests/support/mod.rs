//! Test support shared by the integration tests and the benchmarks: a plain-Rust
//! nightly policy (the test double for the policy port), and a harness that gives
//! each test a fresh, migrated database on SQLite or PostgreSQL (the databases come
//! from `berth_core::testing`; PostgreSQL ones are connected as a role that
//! row-level security applies to).

#![allow(dead_code)]

pub mod nightly;
pub mod timeslot;

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

/// A nightly date like "2026-12-10".
pub fn date(s: &str) -> chrono::NaiveDate {
    s.parse().expect("date")
}

/// The nights from `check_in` to `check_out` (dates like "2026-12-10").
pub fn nights(check_in: &str, check_out: &str) -> berth_core::policy::PeriodRequest {
    berth_core::policy::PeriodRequest::Nights {
        check_in: date(check_in),
        check_out: date(check_out),
    }
}

/// `guests` guests in `quantity` items.
pub fn party(guests: i64, quantity: i64) -> berth_core::policy::Party {
    berth_core::policy::Party {
        guests: Guests::new(guests).expect("guests"),
        quantity: berth_core::quantity::Quantity::new(quantity).expect("quantity"),
    }
}

/// A staff member acting (a user id of its own, not stored).
pub fn staff() -> Actor {
    Actor::User(berth_core::ids::UserId::new())
}

/// A confirmed admin booking of `unit_id` for two guests, one item, from
/// `check_in` to `check_out` (nightly dates like "2026-12-10").
pub fn stay(
    unit_id: berth_core::ids::UnitId,
    check_in: &str,
    check_out: &str,
) -> berth_core::engine::CreateReservation {
    admin_booking(unit_id, nights(check_in, check_out), party(2, 1))
}

/// A new client with a name and maybe an e-mail address, nothing else.
pub fn new_client(name: &str, email: Option<&str>) -> berth_core::client::NewClient {
    berth_core::client::NewClient {
        name: name.into(),
        email: email.map(str::to_owned),
        phone: None,
        notes: None,
        blocked: false,
    }
}

/// A change of reservation `id` to `period`, nothing else changed (no
/// version check, lock or override); tests override fields with struct-update
/// syntax.
pub fn change_period(
    id: berth_core::ids::ReservationId,
    period: berth_core::policy::PeriodRequest,
) -> berth_core::engine::ChangePeriod {
    berth_core::engine::ChangePeriod {
        id,
        period,
        unit_id: None,
        party: None,
        expected_version: None,
        consume_lock: None,
        policy_override: None,
    }
}

/// What most tests start from: a fresh store of one backend with the tenant
/// "alpine-cabins", and an engine over it with the nightly policy and a manual
/// clock.
pub struct World {
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    pub tenant: Tenant,
    pub clock: Arc<ManualClock>,
}

/// A fresh [`World`] on `backend`.
pub async fn world(backend: Backend) -> World {
    let store = fresh_store(backend).await;
    let (engine, clock) = engine(store.clone());
    let tenant = tenant(&*store, "alpine-cabins").await;
    World {
        engine,
        store,
        tenant,
        clock,
    }
}

impl World {
    /// The engine, store, tenant and clock, for tests that name them apart.
    pub fn parts(self) -> (Engine, Arc<dyn Store>, Tenant, Arc<ManualClock>) {
        (self.engine, self.store, self.tenant, self.clock)
    }

    /// Books `unit` from `check_in` to `check_out` for two guests, as staff.
    pub async fn book(
        &self,
        unit: berth_core::ids::UnitId,
        check_in: &str,
        check_out: &str,
    ) -> Result<berth_core::reservation::Reservation, berth_core::EngineError> {
        self.engine
            .create_reservation(self.tenant.id, stay(unit, check_in, check_out), &staff())
            .await
    }

    /// How many events the tenant has (once all committed ones are readable).
    pub async fn event_count(&self) -> usize {
        settled_events(&*self.store, self.tenant.id).await.len()
    }
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

/// Creates a user of the tenant with the e-mail `<name>@example.org` (no usable
/// password) and returns its id.
pub async fn user(
    store: &dyn Store,
    tenant: berth_core::ids::TenantId,
    role: berth_core::user::Role,
    name: &str,
) -> berth_core::ids::UserId {
    store
        .create_user(
            tenant,
            berth_core::user::NewUser {
                email: format!("{name}@example.org").parse().expect("email"),
                role,
                password_hash: "unused".into(),
            },
            &Actor::System,
            start_instant(),
        )
        .await
        .expect("create user")
        .id
}

/// Passes of a polling loop for up to two minutes: a bound on wall time rather
/// than on passes, so a loop that waits for slow concurrent writers on a loaded
/// machine does not run out early.
pub fn for_a_while() -> impl Iterator<Item = ()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    std::iter::from_fn(move || (std::time::Instant::now() < deadline).then_some(()))
}

/// Runs enqueue passes until `expected` items have been queued in total and
/// the last pass read everything. On PostgreSQL an event becomes readable only
/// once every older transaction of the cluster has ended (other tests run
/// alongside), so this may take a few passes.
pub async fn enqueue_until(
    expected: u64,
    what: &str,
    mut pass: impl AsyncFnMut() -> berth_core::webhook::Enqueued,
) -> u64 {
    let mut total = 0;
    for _ in 0..5_000 {
        let done = pass().await;
        total += done.deliveries;
        if total >= expected && !done.more {
            return total;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("queued {total} of {expected} {what}");
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
