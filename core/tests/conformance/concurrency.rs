//! No double booking, ever: many tasks race to book overlapping periods on a few
//! units, then an invariant check over every stored row proves that no instant of
//! any unit holds more than its inventory. On PostgreSQL the racers are split
//! across two independent engines with separate pools, as two server instances
//! would be.

use std::collections::HashMap;
use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::capacity::peak_load;
use berth_core::engine::CreateReservation;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Quantity};
use berth_core::reservation::Channel;
use berth_core::state::ReservationState;
use berth_core::store::{ClientRef, PostgresStore, ReservationFilter, Store};
use berth_core::{Engine, ErrorCode};
use chrono::{Duration, NaiveDate};

use crate::support::{self, Backend};

const TASKS: u64 = 32;
const ATTEMPTS: u64 = 100;

on_both_stores!(no_double_booking_under_contention);

/// A small deterministic generator (SplitMix64), so runs are reproducible.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

async fn no_double_booking_under_contention(backend: Backend) {
    let (engines, store): (Vec<Engine>, Arc<dyn Store>) = match backend {
        Backend::Sqlite => {
            let store: Arc<dyn Store> = Arc::new(support::fresh_sqlite().await);
            (vec![support::engine(store.clone()).0], store)
        }
        Backend::Postgres => {
            let url = support::fresh_postgres_url().await;
            let a: Arc<dyn Store> = Arc::new(
                PostgresStore::connect_with_pool_size(&url, 8)
                    .await
                    .unwrap(),
            );
            let b: Arc<dyn Store> = Arc::new(
                PostgresStore::connect_with_pool_size(&url, 8)
                    .await
                    .unwrap(),
            );
            (vec![support::engine(a.clone()).0, support::engine(b).0], a)
        }
    };
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let units = vec![
        support::unit(&*store, &tenant, "Birch", 1, 4).await,
        support::unit(&*store, &tenant, "Pine", 1, 4).await,
        support::unit(&*store, &tenant, "Bunkhouse", 3, 4).await,
    ];
    let first_night: NaiveDate = "2026-12-01".parse().unwrap();

    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let engine = engines[(task as usize) % engines.len()].clone();
        let unit_ids: Vec<_> = units.iter().map(|u| u.id).collect();
        let tenant_id = tenant.id;
        tasks.push(tokio::spawn(async move {
            let mut rng = task + 1;
            let (mut booked, mut refused) = (0_u64, 0_u64);
            for _ in 0..ATTEMPTS {
                let unit_id = unit_ids[(next(&mut rng) % unit_ids.len() as u64) as usize];
                // Arrivals within 14 days, 1-4 nights: heavy overlap.
                let check_in = first_night + Duration::days((next(&mut rng) % 14) as i64);
                let check_out = check_in + Duration::days(1 + (next(&mut rng) % 4) as i64);
                let quantity = Quantity::new(1 + (next(&mut rng) % 2) as i64).unwrap();
                let cmd = CreateReservation {
                    unit_id,
                    period: PeriodRequest::Nights {
                        check_in,
                        check_out,
                    },
                    party: Party {
                        guests: Guests::new(1).unwrap(),
                        quantity,
                    },
                    client: ClientRef::None,
                    idempotency_key: None,
                    notes: None,
                    hold: false,
                    channel: Channel::Api,
                    consume_lock: None,
                    policy_override: None,
                };
                match engine
                    .create_reservation(tenant_id, cmd, &Actor::System)
                    .await
                {
                    Ok(_) => booked += 1,
                    Err(e)
                        if matches!(e.code(), ErrorCode::Unavailable | ErrorCode::Validation) =>
                    {
                        refused += 1
                    }
                    Err(e) => panic!("unexpected error: {e:?}"),
                }
            }
            (booked, refused)
        }));
    }
    let mut booked = 0;
    for t in tasks {
        let (b, r) = t.await.unwrap();
        assert_eq!(b + r, ATTEMPTS);
        booked += b;
    }
    assert!(booked > 0, "some bookings must succeed");

    // The invariant, over every stored row: no instant of any unit is oversold.
    let rows = store
        .reservations(
            tenant.id,
            &ReservationFilter {
                states: vec![ReservationState::Confirmed],
                limit: Some(1000),
                ..ReservationFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        rows.len() as u64,
        booked,
        "every success is stored, nothing else"
    );
    let mut by_unit: HashMap<_, Vec<_>> = HashMap::new();
    for r in &rows {
        by_unit
            .entry(r.unit_id)
            .or_default()
            .push((r.occupied, r.quantity.get()));
    }
    let whole = berth_core::time_range::TimeRange::new(
        "2026-11-01T00:00:00Z".parse().unwrap(),
        "2027-01-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    for unit in &units {
        let taken = by_unit.remove(&unit.id).unwrap_or_default();
        let peak = peak_load(taken.iter().copied(), &whole);
        assert!(
            peak <= unit.inventory.get(),
            "{} oversold: peak {peak} > inventory {}",
            unit.name,
            unit.inventory.get()
        );
    }
    eprintln!(
        "{backend:?}: {booked} of {} attempts booked, zero oversells",
        TASKS * ATTEMPTS
    );
}
