//! A reservation's details (notes, client) change without its period or
//! price: versioned, audited, announced, lock-checked; final reservations,
//! stale versions, unbookable or foreign clients and overlong notes refused,
//! with nothing written.

use berth_core::client::ClientPatch;
use berth_core::engine::CreateReservation;
use berth_core::event::EventKind;
use berth_core::ids::ClientId;
use berth_core::lock::SessionId;
use berth_core::lock_commands::LockTarget;
use berth_core::reservation::Reservation;
use berth_core::reservation_details::{DetailsPatch, MAX_NOTES};
use berth_core::tenant::Tenant;
use berth_core::{Engine, ErrorCode};

use crate::support::{self, Backend, staff};

on_both_stores!(
    notes_and_client_change_with_audit_and_event,
    refused_changes_write_nothing,
);

async fn client(engine: &Engine, tenant: &Tenant, name: &str) -> ClientId {
    engine
        .create_client(tenant.id, support::new_client(name, None), &staff())
        .await
        .unwrap()
        .id
}

async fn booked(engine: &Engine, tenant: &Tenant, unit: berth_core::ids::UnitId) -> Reservation {
    engine
        .create_reservation(
            tenant.id,
            CreateReservation {
                notes: Some("late arrival".into()),
                ..support::stay(unit, "2026-12-10", "2026-12-13")
            },
            &staff(),
        )
        .await
        .unwrap()
}

fn notes(text: Option<&str>) -> DetailsPatch {
    DetailsPatch {
        notes: Some(text.map(str::to_owned)),
        client_id: None,
    }
}

async fn notes_and_client_change_with_audit_and_event(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let r = booked(&engine, &tenant, cabin.id).await;
    let ada = client(&engine, &tenant, "Ada").await;
    let actor = staff();

    let changed = engine
        .update_reservation_details(
            tenant.id,
            r.id,
            DetailsPatch {
                notes: Some(Some("arrives by train at 22:10".into())),
                client_id: Some(Some(ada)),
            },
            Some(r.version),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(changed.notes.as_deref(), Some("arrives by train at 22:10"));
    assert_eq!(changed.client_id, Some(ada));
    assert_eq!(changed.version, r.version + 1);
    // Nothing else moved: period, party, price, state.
    assert_eq!(
        (
            changed.period,
            changed.guests,
            changed.price.clone(),
            changed.state
        ),
        (r.period, r.guests, r.price.clone(), r.state)
    );
    assert_eq!(
        store.reservation(tenant.id, r.id).await.unwrap(),
        Some(changed.clone())
    );
    let audit = store
        .audit_entries(tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    let update = audit.iter().find(|e| e.action == "update").unwrap();
    assert_eq!(update.actor, actor);
    assert_eq!(update.metadata["before"]["notes"], "late arrival");
    assert_eq!(update.metadata["after"]["client_id"], ada.to_string());
    assert!(update.metadata["after"].get("period").is_none());
    let events = support::settled_events(&*store, tenant.id).await;
    let last = events.last().unwrap();
    assert_eq!(
        (last.kind, last.entity_id),
        (EventKind::ReservationChanged, r.id.as_uuid())
    );
    assert_eq!(last.payload["notes"], "arrives by train at 22:10");

    // The same again changes nothing and writes nothing.
    let same = engine
        .update_reservation_details(
            tenant.id,
            r.id,
            notes(Some("arrives by train at 22:10")),
            None,
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(same, changed);
    assert_eq!(
        support::settled_events(&*store, tenant.id).await.len(),
        events.len()
    );
    // Clearing: no notes, no client.
    let cleared = engine
        .update_reservation_details(
            tenant.id,
            r.id,
            DetailsPatch {
                notes: Some(None),
                client_id: Some(None),
            },
            None,
            &actor,
        )
        .await
        .unwrap();
    assert_eq!((cleared.notes, cleared.client_id), (None, None));
    // The session that holds the reservation's lock may change it.
    let ada_desk = engine.for_session("ws:ada".parse::<SessionId>().unwrap());
    ada_desk
        .acquire_lock(
            tenant.id,
            LockTarget::Reservation(r.id),
            &actor,
            "ada",
            chrono::Duration::minutes(2),
        )
        .await
        .unwrap();
    ada_desk
        .update_reservation_details(tenant.id, r.id, notes(Some("mine")), None, &actor)
        .await
        .unwrap();
}

async fn refused_changes_write_nothing(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let r = booked(&engine, &tenant, cabin.id).await;
    let blocked = client(&engine, &tenant, "Mallory").await;
    engine
        .update_client(
            tenant.id,
            blocked,
            ClientPatch {
                blocked: Some(true),
                ..ClientPatch::default()
            },
            &staff(),
        )
        .await
        .unwrap();
    let foreign = client(&engine, &harbor, "Someone else's").await;
    let events = support::settled_events(&*store, tenant.id).await.len();
    let refused = |patch: DetailsPatch, version: Option<i64>, who: Engine| async move {
        who.update_reservation_details(tenant.id, r.id, patch, version, &staff())
            .await
            .unwrap_err()
            .code()
    };
    let with_client = |id| DetailsPatch {
        notes: None,
        client_id: Some(Some(id)),
    };
    assert_eq!(
        refused(notes(Some("x")), Some(r.version + 1), engine.clone()).await,
        ErrorCode::Conflict,
        "a stale version"
    );
    assert_eq!(
        refused(with_client(blocked), None, engine.clone()).await,
        ErrorCode::Validation,
        "a blocked client"
    );
    assert_eq!(
        refused(with_client(foreign), None, engine.clone()).await,
        ErrorCode::NotFound,
        "another tenant's client"
    );
    assert_eq!(
        refused(
            notes(Some(&"x".repeat(MAX_NOTES + 1))),
            None,
            engine.clone()
        )
        .await,
        ErrorCode::InvalidInput,
        "overlong notes"
    );
    // Another session's lock on the unit's period.
    let bob = engine.for_session("ws:bob".parse::<SessionId>().unwrap());
    let lock = bob
        .acquire_lock(
            tenant.id,
            LockTarget::Unit {
                unit_id: cabin.id,
                period: None,
            },
            &staff(),
            "bob",
            chrono::Duration::minutes(2),
        )
        .await
        .unwrap();
    assert_eq!(
        refused(notes(Some("x")), None, engine.clone()).await,
        ErrorCode::Locked
    );
    bob.release_lock(tenant.id, lock.id, &staff())
        .await
        .unwrap();
    // A canceled reservation is final.
    engine
        .cancel(tenant.id, r.id, None, None, &staff())
        .await
        .unwrap();
    assert_eq!(
        refused(notes(Some("x")), None, engine.clone()).await,
        ErrorCode::Conflict,
        "a final reservation"
    );
    let kept = store.reservation(tenant.id, r.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.notes.as_deref(), kept.client_id),
        (Some("late arrival"), None)
    );
    // Written: the lock's events (acquired, conflict, released) and the
    // cancellation, nothing for the refused changes.
    let kinds: Vec<EventKind> = support::settled_events(&*store, tenant.id).await[events..]
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::LockAcquired,
            EventKind::LockConflict,
            EventKind::LockReleased,
            EventKind::ReservationCanceled
        ]
    );
}
