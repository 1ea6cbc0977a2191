//! Analytics reads on both databases: the projection of the reservations whose
//! booked period overlaps a range (every state, half-open edges, one tenant
//! only), and the engine's occupancy and stats computed from it; each unit's
//! versions (written with its creation and with every change of inventory or
//! archiving) give past dates the capacity they had.

use berth_core::analytics::{DateSpan, RankBy};
use berth_core::audit::Actor;
use berth_core::local_time::local_instant;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::reservation::Reservation;
use berth_core::state::ReservationState;
use berth_core::time_range::TimeRange;
use berth_core::{Engine, ErrorCode};
use chrono::NaiveTime;

use crate::support::{self, Backend, nights};

on_both_stores!(
    bookings_overlapping_a_range_in_every_state,
    occupancy_and_stats_from_the_store,
    past_dates_count_units_as_they_stood,
);

/// One guest in `quantity` items.
fn party(quantity: i64) -> Party {
    support::party(1, quantity)
}

async fn book(
    engine: &Engine,
    tenant: berth_core::ids::TenantId,
    unit: berth_core::ids::UnitId,
    period: PeriodRequest,
    quantity: i64,
) -> Reservation {
    engine
        .create_reservation(
            tenant,
            support::admin_booking(unit, period, party(quantity)),
            &Actor::System,
        )
        .await
        .unwrap()
}

async fn bookings_overlapping_a_range_in_every_state(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let other = support::tenant(&*store, "harbor-hotel").await;
    let a = support::unit(&*store, &tenant, "A", 1, 4).await;
    let b = support::unit(&*store, &tenant, "B", 2, 4).await;
    let foreign = support::unit(&*store, &other, "F", 1, 4).await;

    // Ends at 10:00 on 12-01: outside a range starting at noon that day.
    let before = book(
        &engine,
        tenant.id,
        a.id,
        nights("2026-11-28", "2026-12-01"),
        1,
    )
    .await;
    let r1 = book(
        &engine,
        tenant.id,
        a.id,
        nights("2026-12-01", "2026-12-04"),
        1,
    )
    .await;
    let r2 = book(
        &engine,
        tenant.id,
        b.id,
        nights("2026-12-03", "2026-12-05"),
        2,
    )
    .await;
    let r3 = book(
        &engine,
        tenant.id,
        b.id,
        nights("2026-12-01", "2026-12-03"),
        1,
    )
    .await;
    engine
        .cancel(tenant.id, r3.id, None, None, &Actor::System)
        .await
        .unwrap();
    // Starts at 15:00 on 12-04: outside a range ending at noon that day.
    let after = book(
        &engine,
        tenant.id,
        a.id,
        nights("2026-12-04", "2026-12-05"),
        1,
    )
    .await;
    book(
        &engine,
        other.id,
        foreign.id,
        nights("2026-12-01", "2026-12-04"),
        1,
    )
    .await;

    let tz = tenant.timezone;
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    let range = TimeRange::new(
        local_instant(tz, "2026-12-01".parse().unwrap(), noon),
        local_instant(tz, "2026-12-04".parse().unwrap(), noon),
    )
    .unwrap();
    let mut found = store.bookings_overlapping(tenant.id, &range).await.unwrap();
    found.sort_by_key(|b| b.id);
    let ids: Vec<_> = found.iter().map(|b| b.id).collect();
    assert_eq!(
        ids,
        vec![r1.id, r2.id, r3.id],
        "not {} nor {}",
        before.id,
        after.id
    );
    for (booking, r) in found.iter().zip([&r1, &r2, &r3]) {
        assert_eq!(booking.unit_id, r.unit_id);
        assert_eq!(booking.period, r.period);
        assert_eq!(booking.check_in, r.check_in);
        assert_eq!(booking.check_out, r.check_out);
        assert_eq!(booking.quantity, r.quantity.get());
        assert_eq!(booking.total, r.price.as_ref().map(|p| p.total));
        assert!(booking.total.is_some());
        assert_eq!(booking.created_at, r.created_at);
    }
    assert_eq!(found[2].state, ReservationState::Canceled);
    assert_eq!(found[0].state, ReservationState::Confirmed);
    // The other tenant sees only its own.
    assert_eq!(
        store
            .bookings_overlapping(other.id, &range)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn occupancy_and_stats_from_the_store(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let a = support::unit(&*store, &tenant, "A", 1, 4).await;
    let b = support::unit(&*store, &tenant, "B", 2, 4).await;
    let r4 = book(
        &engine,
        tenant.id,
        a.id,
        nights("2026-11-28", "2026-12-01"),
        1,
    )
    .await;
    let r1 = book(
        &engine,
        tenant.id,
        a.id,
        nights("2026-12-01", "2026-12-04"),
        1,
    )
    .await;
    let r2 = book(
        &engine,
        tenant.id,
        b.id,
        nights("2026-12-03", "2026-12-05"),
        2,
    )
    .await;
    let r3 = book(
        &engine,
        tenant.id,
        a.id,
        nights("2026-12-04", "2026-12-06"),
        1,
    )
    .await;
    engine
        .cancel(tenant.id, r3.id, None, None, &Actor::System)
        .await
        .unwrap();
    let total = |r: &Reservation| r.price.as_ref().unwrap().total.amount_minor;

    let span = DateSpan::new("2026-12-01".parse().unwrap(), "2026-12-04".parse().unwrap()).unwrap();
    let report = engine.occupancy(tenant.id, span, true).await.unwrap();
    let per_day: Vec<(i64, i64)> = report
        .days
        .iter()
        .map(|d| (d.total.occupied, d.total.capacity))
        .collect();
    // A: r1 on 1, 2, 3; B: r2 ×2 on 3, 4; r3 canceled.
    assert_eq!(per_day, vec![(1, 3), (1, 3), (3, 3), (2, 3)]);
    assert_eq!(
        report.days[3].units,
        vec![(a.id, load(0, 1)), (b.id, load(2, 2))]
    );

    let stats = engine.stats(tenant.id, span).await.unwrap();
    let now = stats.current;
    assert_eq!((now.occupancy.occupied, now.occupancy.capacity), (7, 12));
    assert_eq!(now.reserved, 7);
    assert_eq!(now.revenue.amount_minor, total(&r1) + total(&r2));
    assert_eq!((now.active, now.canceled, now.absent), (2, 1, 0));
    assert_eq!(now.average_length(), Some(2.5));
    let before = stats.previous;
    assert_eq!(
        (before.occupancy.occupied, before.occupancy.capacity),
        (3, 12)
    );
    assert_eq!(before.revenue.amount_minor, total(&r4));
    assert_eq!(before.active, 1);

    let top = engine
        .top_units(tenant.id, span, RankBy::Revenue, 1)
        .await
        .unwrap()
        .units;
    let best = if total(&r1) >= total(&r2) { a.id } else { b.id };
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].unit_id, best);

    let day = engine
        .day(tenant.id, "2026-12-04".parse().unwrap())
        .await
        .unwrap();
    // Departing r1, staying r2, canceled r3 arriving.
    let ids: Vec<_> = day.reservations.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![r1.id, r2.id, r3.id]);
    assert_eq!(
        (day.occupancy.total.occupied, day.occupancy.total.capacity),
        (2, 3)
    );

    let err = engine
        .top_units(tenant.id, span, RankBy::Reserved, 0)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

fn load(occupied: i64, capacity: i64) -> berth_core::analytics::Load {
    berth_core::analytics::Load {
        occupied,
        capacity,
        blocked: 0,
    }
}

async fn past_dates_count_units_as_they_stood(backend: Backend) {
    use berth_core::quantity::Inventory;
    use berth_core::unit::UnitPatch;

    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    // Both created at 2026-11-02 09:00 UTC.
    let hotel = support::unit(&*store, &tenant, "H", 3, 2).await;
    let cabin = support::unit(&*store, &tenant, "Z", 1, 4).await;
    clock.set("2026-11-05T12:00:00Z".parse().unwrap());
    let patch = |inventory: Option<i64>, archived: Option<bool>, name: Option<&str>| UnitPatch {
        inventory: inventory.map(|n| Inventory::new(n).unwrap()),
        archived,
        name: name.map(str::to_owned),
        ..UnitPatch::default()
    };
    engine
        .update_unit(
            tenant.id,
            hotel.id,
            patch(Some(1), None, None),
            &Actor::System,
        )
        .await
        .unwrap();
    engine
        .update_unit(
            tenant.id,
            cabin.id,
            patch(None, Some(true), None),
            &Actor::System,
        )
        .await
        .unwrap();
    // A change that does not touch what a unit offers adds no version.
    engine
        .update_unit(
            tenant.id,
            hotel.id,
            patch(None, None, Some("Hotel")),
            &Actor::System,
        )
        .await
        .unwrap();

    let mut versions: Vec<_> = store
        .unit_versions(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| {
            let name = if v.unit_id == hotel.id { "H" } else { "Z" };
            (name, v.from.to_rfc3339(), v.inventory.get(), v.archived)
        })
        .collect();
    versions.sort();
    let (created, changed) = ("2026-11-02T09:00:00+00:00", "2026-11-05T12:00:00+00:00");
    assert_eq!(
        versions,
        [
            ("H", created.to_owned(), 3, false),
            ("H", changed.to_owned(), 1, false),
            ("Z", created.to_owned(), 1, false),
            ("Z", changed.to_owned(), 1, true),
        ]
    );
    assert!(
        store
            .unit_versions(support::tenant(&*store, "harbor-hotel").await.id)
            .await
            .unwrap()
            .is_empty(),
        "one tenant's versions only"
    );

    let span = DateSpan::new("2026-11-01".parse().unwrap(), "2026-11-06".parse().unwrap()).unwrap();
    let report = engine.occupancy(tenant.id, span, true).await.unwrap();
    let capacity: Vec<i64> = report.days.iter().map(|d| d.total.capacity).collect();
    // Nothing before the units existed; 3 + 1 until the change; then 1.
    assert_eq!(capacity, [0, 4, 4, 4, 1, 1]);
    let archived_unit = report.days[1].units.iter().find(|(u, _)| *u == cabin.id);
    assert_eq!(archived_unit.map(|(_, l)| l.capacity), Some(1));
}
