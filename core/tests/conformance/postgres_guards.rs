//! PostgreSQL's second wall: the exclusion constraint refuses overlapping active
//! reservations of an inventory-1 unit even when a writer bypasses the engine.

use berth_core::audit::Actor;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Quantity};
use berth_core::store::PostgresStore;
use sqlx::Connection;

use crate::support::{self, Backend};

#[tokio::test]
async fn exclusion_constraint_refuses_overlaps_that_bypass_the_engine() {
    if !support::available(Backend::Postgres, "exclusion_constraint") {
        return;
    }
    let url = support::fresh_postgres_url().await;
    let store = std::sync::Arc::new(PostgresStore::connect(&url).await.unwrap());
    let (engine, _) = support::engine(store.clone());
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let rooms = support::unit(&*store, &tenant, "Rooms", 2, 2).await;
    for unit_id in [cabin.id, rooms.id] {
        engine
            .create_reservation(
                tenant.id,
                support::admin_booking(
                    unit_id,
                    PeriodRequest::Nights {
                        check_in: "2026-12-10".parse().unwrap(),
                        check_out: "2026-12-12".parse().unwrap(),
                    },
                    Party {
                        guests: Guests::new(1).unwrap(),
                        quantity: Quantity::ONE,
                    },
                ),
                &Actor::System,
            )
            .await
            .unwrap();
    }
    // Copy the stored reservation under a new id, as a buggy writer might.
    let duplicate = "INSERT INTO reservations (tenant_id, id, unit_id, state, start_at, end_at, \
        occupied_start, occupied_end, quantity, guests, channel, version, created_at, updated_at, exclusive) \
        SELECT tenant_id, gen_random_uuid(), unit_id, state, start_at + interval '1 day', \
        end_at + interval '1 day', occupied_start + interval '1 day', occupied_end + interval '1 day', \
        quantity, guests, channel, 1, created_at, updated_at, exclusive \
        FROM reservations WHERE unit_id = $1";
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let err = sqlx::query(duplicate)
        .bind(cabin.id.as_uuid())
        .execute(&mut conn)
        .await
        .expect_err("the exclusion constraint refuses the overlap");
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.constraint(), Some("reservations_exclusive_no_overlap"));
    // Units with more inventory are guarded by the engine's count, not the constraint.
    sqlx::query(duplicate)
        .bind(rooms.id.as_uuid())
        .execute(&mut conn)
        .await
        .expect("inventory-2 rows are not exclusive");
}
