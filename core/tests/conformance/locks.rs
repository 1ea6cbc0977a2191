//! Locks: leases that keep two administrators from colliding. Another session's
//! overlapping lock refuses a lock or a reservation write with LOCKED (naming the
//! holder); the holder proceeds and may consume its lock; leases end by release,
//! by the session ending, or by expiry — each an event.

use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::clock::Clock;
use berth_core::event::EventKind;
use berth_core::ids::UserId;
use berth_core::lock::SessionId;
use berth_core::lock_commands::LockTarget;
use berth_core::policy::Party;
use berth_core::{Engine, EngineError, ErrorCode};
use chrono::Duration;

use crate::support::{self, Backend, nights};

on_both_stores!(
    overlapping_locks_of_other_sessions_are_refused,
    reservation_writes_respect_other_sessions_locks,
    leases_end_by_release_session_end_or_expiry,
    concurrent_acquires_of_one_period_let_exactly_one_win,
);

fn two() -> Party {
    support::party(2, 1)
}

fn session(engine: &Engine, name: &str) -> Engine {
    engine.for_session(name.parse::<SessionId>().unwrap())
}

fn on(unit: berth_core::ids::UnitId, a: &str, b: &str) -> LockTarget {
    LockTarget::Unit {
        unit_id: unit,
        period: Some(nights(a, b)),
    }
}

async fn overlapping_locks_of_other_sessions_are_refused(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let ada = session(&engine, "ws:ada");
    let bob = session(&engine, "ws:bob");
    let ada_actor = Actor::User(UserId::new());
    let lease = Duration::seconds(30);

    let lock = ada
        .acquire_lock(
            tenant.id,
            on(unit.id, "2026-12-10", "2026-12-12"),
            &ada_actor,
            "ada@example.org",
            lease,
        )
        .await
        .unwrap();
    assert_eq!(lock.holder.display_name, "ada@example.org");
    assert!(lock.range.is_some());

    let err = bob
        .acquire_lock(
            tenant.id,
            on(unit.id, "2026-12-11", "2026-12-13"),
            &Actor::System,
            "bob",
            lease,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Locked);
    let EngineError::Locked(held) = err else {
        panic!()
    };
    assert_eq!(held.id, lock.id);
    assert_eq!(held.holder.session.as_str(), "ws:ada");
    // A whole-unit lock overlaps everything; touching periods do not overlap.
    let whole = LockTarget::Unit {
        unit_id: unit.id,
        period: None,
    };
    assert_eq!(
        bob.acquire_lock(tenant.id, whole, &Actor::System, "bob", lease)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Locked
    );
    bob.acquire_lock(
        tenant.id,
        on(unit.id, "2026-12-12", "2026-12-14"),
        &Actor::System,
        "bob",
        lease,
    )
    .await
    .unwrap();
    // The same session may add overlapping locks.
    ada.acquire_lock(
        tenant.id,
        on(unit.id, "2026-12-11", "2026-12-12"),
        &ada_actor,
        "ada",
        lease,
    )
    .await
    .unwrap();
    assert_eq!(engine.locks(tenant.id).await.unwrap().len(), 3);
    // No session, no lock.
    assert_eq!(
        engine
            .acquire_lock(
                tenant.id,
                on(unit.id, "2026-12-20", "2026-12-22"),
                &Actor::System,
                "x",
                lease
            )
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    let other = support::tenant(&*store, "harbor-hotel").await;
    assert!(
        engine.locks(other.id).await.unwrap().is_empty(),
        "per tenant"
    );
}

async fn reservation_writes_respect_other_sessions_locks(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let ada = session(&engine, "ws:ada");
    let bob = session(&engine, "ws:bob");
    let lease = Duration::seconds(30);
    let lock = ada
        .acquire_lock(
            tenant.id,
            on(unit.id, "2026-12-10", "2026-12-12"),
            &Actor::System,
            "ada",
            lease,
        )
        .await
        .unwrap();
    let events_before = store.event_count(tenant.id).await.unwrap();
    let booking = support::admin_booking(unit.id, nights("2026-12-11", "2026-12-12"), two());
    let err = bob
        .create_reservation(tenant.id, booking.clone(), &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Locked, "{err:?}");
    let err = engine
        .create_reservation(tenant.id, booking.clone(), &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Locked,
        "no session is another session"
    );
    // No reservation, only a record of each conflict for the holder to hear of.
    let events = support::settled_events(&*store, tenant.id).await;
    assert_eq!(events.len() as u64, events_before + 2);
    assert!(
        events[events.len() - 2..]
            .iter()
            .all(|e| e.kind == EventKind::LockConflict && e.entity_id == lock.id.as_uuid())
    );
    assert!(
        store
            .reservations(tenant.id, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );

    // The holder books, consuming its lock in the same transaction.
    let r = ada
        .create_reservation(
            tenant.id,
            berth_core::engine::CreateReservation {
                consume_lock: Some(lock.id),
                ..booking
            },
            &Actor::System,
        )
        .await
        .unwrap();
    assert!(
        engine.locks(tenant.id).await.unwrap().is_empty(),
        "consumed"
    );

    // A lock on the reservation holds off other sessions' changes and transitions.
    bob.acquire_lock(
        tenant.id,
        LockTarget::Reservation(r.id),
        &Actor::System,
        "bob",
        lease,
    )
    .await
    .unwrap();
    let err = ada
        .cancel(tenant.id, r.id, None, None, &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Locked);
    let err = ada
        .change_period(
            tenant.id,
            support::change_period(r.id, nights("2026-12-20", "2026-12-22")),
            &Actor::System,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Locked,
        "moving away from a locked reservation"
    );
    bob.cancel(tenant.id, r.id, None, None, &Actor::System)
        .await
        .unwrap();
}

async fn leases_end_by_release_session_end_or_expiry(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let ada = session(&engine, "ws:ada");
    let bob = session(&engine, "ws:bob");
    let lease = Duration::seconds(30);
    let first = ada
        .acquire_lock(
            tenant.id,
            on(unit.id, "2026-12-01", "2026-12-03"),
            &Actor::System,
            "ada",
            lease,
        )
        .await
        .unwrap();
    let second = ada
        .acquire_lock(
            tenant.id,
            on(unit.id, "2026-12-05", "2026-12-07"),
            &Actor::System,
            "ada",
            lease,
        )
        .await
        .unwrap();
    let third = ada
        .acquire_lock(
            tenant.id,
            on(unit.id, "2026-12-09", "2026-12-11"),
            &Actor::System,
            "ada",
            lease,
        )
        .await
        .unwrap();
    // Only the holder renews or releases.
    assert_eq!(
        bob.renew_lock(tenant.id, first.id, lease, &Actor::System)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        bob.release_lock(tenant.id, first.id, &Actor::System)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    clock.advance(Duration::seconds(20));
    let renewed = ada
        .renew_lock(tenant.id, first.id, lease, &Actor::System)
        .await
        .unwrap();
    assert_eq!(renewed.expires_at, clock.now() + lease);
    ada.release_lock(tenant.id, second.id, &Actor::System)
        .await
        .unwrap();

    // Past the others' leases: gone for conflicts at once, and the worker's step
    // records them as expired.
    clock.advance(Duration::seconds(15));
    let live: Vec<_> = engine
        .locks(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(live, vec![first.id]);
    bob.acquire_lock(
        tenant.id,
        on(unit.id, "2026-12-09", "2026-12-11"),
        &Actor::System,
        "bob",
        lease,
    )
    .await
    .unwrap();
    let expired = engine.expire_locks(tenant.id).await.unwrap();
    assert_eq!(
        expired.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![third.id]
    );
    assert!(
        engine.expire_locks(tenant.id).await.unwrap().is_empty(),
        "idempotent"
    );
    // The expiry is the system's, in the audit log.
    let audit = store
        .audit_entries(tenant.id, third.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            &last.actor,
            last.request_id.as_deref()
        ),
        ("expire", &Actor::System, None)
    );

    // The session ends: its remaining locks go.
    let released = ada
        .release_session_locks(tenant.id, &Actor::System)
        .await
        .unwrap();
    assert_eq!(
        released.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![first.id]
    );
    assert_eq!(
        engine.locks(tenant.id).await.unwrap().len(),
        1,
        "bob's stays"
    );

    let kinds: Vec<EventKind> = support::settled_events(&*store, tenant.id)
        .await
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.as_str().starts_with("lock."))
        .collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        [
            LockAcquired,
            LockAcquired,
            LockAcquired,
            LockRenewed,
            LockReleased,
            LockAcquired,
            LockExpired,
            LockReleased
        ]
    );
}

async fn concurrent_acquires_of_one_period_let_exactly_one_win(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let engine = Arc::new(engine);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let engine = engine.clone();
        let tenant = tenant.id;
        let unit = unit.id;
        tasks.push(tokio::spawn(async move {
            session(&engine, &format!("ws:{i}"))
                .acquire_lock(
                    tenant,
                    on(unit, "2026-12-10", "2026-12-12"),
                    &Actor::System,
                    "x",
                    Duration::seconds(30),
                )
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.code(), ErrorCode::Locked, "{e:?}"),
        }
    }
    assert_eq!(won, 1);
}
