//! What a public site asks of the engine: a guest's booking request (a held
//! reservation on the public channel with a new client, idempotent by the form's
//! key, writing nothing when refused and telling nothing about other guests) and
//! a unit's availability per day.

use berth_core::audit::Actor;
use berth_core::booking_request::BookingRequest;
use berth_core::client::{ClientFilter, NewClient};
use berth_core::ids::UserId;
use berth_core::lock::SessionId;
use berth_core::lock_commands::LockTarget;
use berth_core::quantity::Guests;
use berth_core::reservation::Channel;
use berth_core::state::ReservationState;
use berth_core::store::ReservationFilter;
use berth_core::unit::Unit;
use berth_core::unit_calendar::{Fill, UnitCalendar};
use berth_core::{EngineError, ErrorCode};
use chrono::Duration;

use crate::support::{self, Backend, World, date, world};

on_both_stores!(
    a_request_is_a_public_hold_with_a_new_client,
    a_double_submit_makes_one_request,
    a_refused_request_writes_nothing_and_names_no_guest,
    a_lock_refuses_a_request_without_naming_its_holder,
    the_calendar_counts_free_items_per_night,
);

fn request(unit: &Unit, check_in: &str, check_out: &str, key: &str) -> BookingRequest {
    BookingRequest {
        unit_id: unit.id,
        period: support::nights(check_in, check_out),
        party: support::party(2, 1),
        guest: NewClient {
            name: "Ana Guest".into(),
            email: Some("ana@example.org".into()),
            phone: Some("+34 600 000 000".into()),
            notes: None,
            blocked: false,
        },
        message: Some("We arrive late, around 22:00.".into()),
        request_key: key.into(),
    }
}

/// How many clients, reservations and events the tenant has.
async fn written(w: &World) -> (usize, usize, usize) {
    let clients = w
        .store
        .clients(w.tenant.id, &ClientFilter::default())
        .await
        .expect("clients")
        .len();
    let reservations = w
        .store
        .reservations(w.tenant.id, &ReservationFilter::default())
        .await
        .expect("reservations")
        .len();
    let events = support::settled_events(&*w.store, w.tenant.id).await.len();
    (clients, reservations, events)
}

async fn a_request_is_a_public_hold_with_a_new_client(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let r = w
        .engine
        .request_booking(
            w.tenant.id,
            request(&cabin, "2026-12-10", "2026-12-13", "k-1"),
        )
        .await
        .unwrap();
    assert_eq!(r.state, ReservationState::Held);
    assert!(
        r.hold_expires_at.is_some(),
        "a request expires unless confirmed"
    );
    assert_eq!(r.channel, Channel::Public);
    assert_eq!(r.notes.as_deref(), Some("We arrive late, around 22:00."));
    assert!(
        r.price.is_some(),
        "the request keeps the price it was quoted"
    );
    let client = w
        .store
        .client(w.tenant.id, r.client_id.expect("a client"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.name, "Ana Guest");
    assert_eq!(client.email.as_deref(), Some("ana@example.org"));
    assert_eq!(client.phone.as_deref(), Some("+34 600 000 000"));
    let audit = w
        .store
        .audit_entries(w.tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit[0].actor, Actor::Public);
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    assert!(
        events.iter().any(|e| e.entity_id == r.id.as_uuid()),
        "staff hear of the request through the event stream"
    );
}

async fn a_double_submit_makes_one_request(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let req = request(&cabin, "2026-12-10", "2026-12-13", "same-key");
    let (a, b) = tokio::join!(
        w.engine.request_booking(w.tenant.id, req.clone()),
        w.engine.request_booking(w.tenant.id, req.clone()),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.id, b.id, "both submits answer the same reservation");
    let (clients, reservations, _) = written(&w).await;
    assert_eq!((clients, reservations), (1, 1));
    // Later, the same form's key still answers it.
    let again = w.engine.request_booking(w.tenant.id, req).await.unwrap();
    assert_eq!(again.id, a.id);
}

async fn a_refused_request_writes_nothing_and_names_no_guest(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    w.engine
        .create_reservation(
            w.tenant.id,
            support::stay(cabin.id, "2026-12-10", "2026-12-13"),
            &Actor::User(UserId::new()),
        )
        .await
        .unwrap();
    let before = written(&w).await;

    let full = w
        .engine
        .request_booking(
            w.tenant.id,
            request(&cabin, "2026-12-11", "2026-12-12", "k-full"),
        )
        .await
        .unwrap_err();
    assert_eq!(full.code(), ErrorCode::Unavailable);
    assert!(
        matches!(full, EngineError::Unavailable { .. }),
        "never another guest's stay: {full:?}"
    );

    let mut too_many = request(&cabin, "2026-12-20", "2026-12-22", "k-guests");
    too_many.party.guests = Guests::new(9).unwrap();
    let refused = w
        .engine
        .request_booking(w.tenant.id, too_many)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Validation);

    let mut no_email = request(&cabin, "2026-12-20", "2026-12-22", "k-email");
    no_email.guest.email = None;
    let err = w
        .engine
        .request_booking(w.tenant.id, no_email)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        EngineError::InvalidInput { field: "email", .. }
    ));

    assert_eq!(written(&w).await, before, "no client, reservation or event");
}

async fn a_lock_refuses_a_request_without_naming_its_holder(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let staff = w
        .engine
        .for_session("ws:staff".parse::<SessionId>().unwrap());
    staff
        .acquire_lock(
            w.tenant.id,
            LockTarget::Unit {
                unit_id: cabin.id,
                period: None,
            },
            &Actor::User(UserId::new()),
            "Maria at the desk",
            Duration::seconds(60),
        )
        .await
        .unwrap();
    let (clients, reservations, _) = written(&w).await;
    // Even an engine acting for the lock's session asks as a visitor.
    let err = staff
        .request_booking(
            w.tenant.id,
            request(&cabin, "2026-12-10", "2026-12-12", "k-lock"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Locked);
    let (c, r, _) = written(&w).await;
    assert_eq!((c, r), (clients, reservations));
}

async fn the_calendar_counts_free_items_per_night(backend: Backend) {
    let w = world(backend).await;
    let cabins = support::unit(&*w.store, &w.tenant, "Birch", 2, 4).await;
    let staff = Actor::User(UserId::new());
    for (a, b) in [("2026-12-10", "2026-12-12"), ("2026-12-11", "2026-12-13")] {
        w.engine
            .create_reservation(w.tenant.id, support::stay(cabins.id, a, b), &staff)
            .await
            .unwrap();
    }
    let UnitCalendar::Nights(nights) = w
        .engine
        .unit_calendar(w.tenant.id, cabins.id, date("2026-12-09"), 5)
        .await
        .unwrap()
    else {
        panic!("a nightly unit has nights")
    };
    let seen: Vec<(String, u32, Fill)> = nights
        .iter()
        .map(|n| (n.date.to_string(), n.free, n.fill()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("2026-12-09".into(), 2, Fill::Free),
            ("2026-12-10".into(), 1, Fill::Partly),
            ("2026-12-11".into(), 0, Fill::Full),
            ("2026-12-12".into(), 1, Fill::Partly),
            ("2026-12-13".into(), 2, Fill::Free),
        ]
    );
    let err = w
        .engine
        .unit_calendar(w.tenant.id, cabins.id, date("2026-12-09"), 0)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}
