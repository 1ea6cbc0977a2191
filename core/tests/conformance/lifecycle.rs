//! The lifecycle on its own and the policy's lifecycle rules: holds expire and
//! free their capacity, confirmed stays without a check-in become absent at the
//! policy's deadline (by the system, with audit entry and event, once even with
//! two workers), cancellations record the policy's refund, and `can_change`
//! refusals leave the reservation as it was.

use berth_core::audit::Actor;
use berth_core::engine::CreateReservation;
use berth_core::event::EventKind;
use berth_core::policy::Party;
use berth_core::state::ReservationState;
use berth_core::{EngineError, ErrorCode};
use chrono::Duration;

use crate::support::{self, Backend, nights};

on_both_stores!(
    holds_expire_and_free_their_capacity,
    stays_without_check_in_become_absent_once,
    cancellations_record_the_refund_due,
    changes_the_policy_refuses_leave_the_stay_as_it_was,
    a_hold_past_its_deadline_never_makes_a_unit_full,
);

fn two() -> Party {
    support::party(2, 1)
}

async fn holds_expire_and_free_their_capacity(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let hold = engine
        .create_reservation(
            tenant.id,
            CreateReservation {
                hold: true,
                ..support::admin_booking(unit.id, nights("2026-12-10", "2026-12-12"), two())
            },
            &Actor::System,
        )
        .await
        .unwrap();
    assert_eq!(hold.state, ReservationState::Held);
    assert!(
        engine.expire_holds(tenant.id).await.unwrap().is_empty(),
        "not yet"
    );
    clock.advance(Duration::minutes(16));
    let expired = engine.expire_holds(tenant.id).await.unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].state, ReservationState::Canceled);
    assert!(
        engine.expire_holds(tenant.id).await.unwrap().is_empty(),
        "idempotent"
    );
    engine
        .create_reservation(
            tenant.id,
            support::admin_booking(unit.id, nights("2026-12-10", "2026-12-12"), two()),
            &Actor::System,
        )
        .await
        .expect("the capacity is free again");
    let audit = store
        .audit_entries(tenant.id, hold.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action.as_str(), &last.actor),
        ("expire_hold", &Actor::System)
    );
}

async fn stays_without_check_in_become_absent_once(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let mut stays = Vec::new();
    for i in 0..6 {
        let unit = support::unit(&*store, &tenant, &format!("Cabin {i}"), 1, 4).await;
        let r = engine
            .create_reservation(
                tenant.id,
                support::admin_booking(unit.id, nights("2026-12-10", "2026-12-12"), two()),
                &Actor::System,
            )
            .await
            .unwrap();
        stays.push(r);
    }
    // One guest arrives.
    engine
        .check_in(tenant.id, stays[0].id, None, &Actor::System)
        .await
        .unwrap();
    // Check-in is 15:00 in Oslo (14:00 UTC); the deadline is six hours later.
    clock.set("2026-12-10T19:59:00Z".parse().unwrap());
    assert!(
        engine.mark_no_shows(tenant.id).await.unwrap().is_empty(),
        "before the deadline"
    );
    clock.set("2026-12-10T20:00:00Z".parse().unwrap());
    // Two workers at once (as two instances would): each stay is marked once.
    let (a, b) = tokio::join!(
        engine.mark_no_shows(tenant.id),
        engine.mark_no_shows(tenant.id)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 5, "{} + {}", a.len(), b.len());
    assert!(
        engine.mark_no_shows(tenant.id).await.unwrap().is_empty(),
        "idempotent"
    );
    for r in &stays[1..] {
        let now = engine.reservation(tenant.id, r.id).await.unwrap();
        assert_eq!(now.state, ReservationState::Absent);
        let audit = store
            .audit_entries(tenant.id, r.id.as_uuid())
            .await
            .unwrap();
        assert_eq!(audit.len(), 2, "one creation, one transition");
        assert_eq!(
            (audit[1].action.as_str(), &audit[1].actor),
            ("mark_absent", &Actor::System)
        );
    }
    let checked_in = engine.reservation(tenant.id, stays[0].id).await.unwrap();
    assert_eq!(checked_in.state, ReservationState::CheckedIn);
    let events = support::settled_events(&*store, tenant.id).await;
    let absent_events = events
        .iter()
        .filter(|e| e.kind == EventKind::ReservationStateChanged && e.payload["state"] == "absent")
        .count();
    assert_eq!(absent_events, 5);
    // Absent is final.
    let err = engine
        .check_in(tenant.id, stays[1].id, None, &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
}

async fn cancellations_record_the_refund_due(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let early = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(unit.id, nights("2026-12-10", "2026-12-12"), two()),
            &Actor::System,
        )
        .await
        .unwrap();
    let late = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(unit.id, nights("2026-11-06", "2026-11-07"), two()),
            &Actor::System,
        )
        .await
        .unwrap();
    let canceled = engine
        .cancel(
            tenant.id,
            early.id,
            Some("plans changed".into()),
            None,
            &Actor::System,
        )
        .await
        .unwrap();
    assert_eq!(
        canceled.refund,
        early.price.as_ref().map(|p| p.total),
        "all back a week ahead"
    );
    clock.advance(Duration::days(1));
    let canceled = engine
        .cancel(tenant.id, late.id, None, None, &Actor::System)
        .await
        .unwrap();
    let paid = late.price.as_ref().unwrap().total;
    assert_eq!(canceled.refund.unwrap().amount_minor, paid.amount_minor / 2);
    assert_eq!(
        engine.reservation(tenant.id, late.id).await.unwrap().refund,
        canceled.refund,
        "stored"
    );
    let audit = store
        .audit_entries(tenant.id, early.id.as_uuid())
        .await
        .unwrap();
    let details = &audit.last().unwrap().metadata["details"];
    assert_eq!(details["reason"], "plans changed");
    assert_eq!(
        details["refund"]["amount_minor"],
        early.price.as_ref().unwrap().total.amount_minor
    );
}

async fn changes_the_policy_refuses_leave_the_stay_as_it_was(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    // Arrival tomorrow: inside the 48 hours in which the policy allows no change.
    let soon = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(unit.id, nights("2026-11-03", "2026-11-05"), two()),
            &Actor::System,
        )
        .await
        .unwrap();
    let err = engine
        .change_period(
            tenant.id,
            support::change_period(soon.id, nights("2026-11-03", "2026-11-06")),
            &Actor::System,
        )
        .await
        .unwrap_err();
    let EngineError::Validation(violations) = err else {
        panic!("validation")
    };
    assert_eq!(violations[0].code, "change_too_late");
    assert_eq!(
        engine.reservation(tenant.id, soon.id).await.unwrap(),
        soon,
        "unchanged"
    );
}

/// Between a hold's deadline and the lifecycle worker's next round, a booking
/// that finds the unit full only because of that hold expires it (as the
/// system) and books; a hold still within its deadline keeps the unit full.
async fn a_hold_past_its_deadline_never_makes_a_unit_full(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let stay = || support::admin_booking(unit.id, nights("2026-12-10", "2026-12-12"), two());
    let hold = engine
        .create_reservation(
            tenant.id,
            CreateReservation {
                hold: true,
                ..stay()
            },
            &Actor::System,
        )
        .await
        .unwrap();
    let refused = engine
        .create_reservation(tenant.id, stay(), &Actor::System)
        .await;
    assert!(
        matches!(refused, Err(EngineError::Unavailable { .. })),
        "the hold is live: {refused:?}"
    );
    clock.advance(Duration::minutes(16));
    let booked = engine
        .create_reservation(tenant.id, stay(), &Actor::System)
        .await
        .expect("the overdue hold no longer takes the unit");
    assert_eq!(booked.state, ReservationState::Confirmed);
    let expired = store
        .reservation(tenant.id, hold.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(expired.state, ReservationState::Canceled);
    let audit = store
        .audit_entries(tenant.id, hold.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action.as_str(), &last.actor),
        ("expire_hold", &Actor::System)
    );
}
