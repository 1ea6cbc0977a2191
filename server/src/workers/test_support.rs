//! What the delivering workers' tests share (webhooks, push, e-mail): a fresh
//! database by URL (so a test can reopen it, as after a restart) with the
//! tenant they run in, a unit, and a confirmed stay in December.

use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::clock::{Clock, ManualClock};
use berth_core::ids::{TenantId, UnitId};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::reservation::Channel;
use berth_core::state::ReservationState;
use berth_core::store::{ClientRef, NewReservation, Store};
use berth_core::tenant::NewTenant;
use berth_core::testing::Backend;
use berth_core::time_range::TimeRange;
use berth_core::unit::NewUnit;
use chrono_tz::Tz;

/// A fresh database: its URL (SQLite: `berth-{what}-…/berth.db` in the temp
/// directory), the store on it, migrated, a clock at 2 Nov 2026 09:00 UTC,
/// and the tenant `alpine-cabins` (`timezone`, `currency`, `locale`) in it.
pub async fn tenant_store(
    backend: Backend,
    what: &str,
    timezone: Tz,
    currency: &str,
    locale: &str,
) -> (String, Arc<dyn Store>, Arc<ManualClock>, TenantId) {
    let url = match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir()
                .join(format!("berth-{what}-{}/berth.db", uuid::Uuid::new_v4()));
            format!("sqlite:{}", path.display())
        }
        Backend::Postgres => berth_core::testing::fresh_postgres_url().await,
    };
    let store = berth_core::store::open_and_migrate(&url).await.unwrap();
    let clock = Arc::new(ManualClock::new("2026-11-02T09:00:00Z".parse().unwrap()));
    let tenant = store
        .create_tenant(
            NewTenant {
                slug: "alpine-cabins".parse().unwrap(),
                name: "Alpine Cabins".into(),
                timezone,
                currency: currency.parse().unwrap(),
                locale: locale.into(),
            },
            &Actor::System,
            clock.now(),
        )
        .await
        .unwrap()
        .id;
    (url, store, clock, tenant)
}

/// A unit named `name` of `inventory` items for up to `max_guests` each.
pub fn new_unit(name: &str, inventory: i64, max_guests: i64) -> NewUnit {
    NewUnit {
        name: name.into(),
        kind: None,
        inventory: Inventory::new(inventory).unwrap(),
        max_guests: Guests::new(max_guests).unwrap(),
        description: None,
        amenities: vec![],
        images: vec![],
        attributes: serde_json::json!({}),
    }
}

/// Two guests' confirmed stay on `unit_id` for `client`, 10–12 Dec 2026, as
/// the engine would write it with the policy's instants (15:00 to 10:00 in
/// Zurich), written at `now`.
pub fn december_stay(
    unit_id: UnitId,
    client: ClientRef,
    now: chrono::DateTime<chrono::Utc>,
) -> NewReservation {
    let period = TimeRange::new(
        "2026-12-10T14:00:00Z".parse().unwrap(),
        "2026-12-12T09:00:00Z".parse().unwrap(),
    )
    .unwrap();
    NewReservation {
        unit_id,
        client,
        state: ReservationState::Confirmed,
        period,
        occupied: period,
        check_in: Some("2026-12-10".parse().unwrap()),
        check_out: Some("2026-12-12".parse().unwrap()),
        quantity: Quantity::ONE,
        guests: Guests::new(2).unwrap(),
        price: None,
        channel: Channel::Admin,
        idempotency_key: None,
        notes: None,
        hold_expires_at: None,
        session: None,
        consume_lock: None,
        policy_override: None,
        now,
    }
}
