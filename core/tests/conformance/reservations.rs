//! Booking behaviour: capacity, turnover, idempotency, bad input, the state
//! model and period changes — each with what must (and must not) be written.

use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::client::NewClient;
use berth_core::engine::{AvailabilityRequest, ChangePeriod, CreateReservation, QuoteRequest};
use berth_core::ids::UnitId;
use berth_core::policy::PeriodRequest;
use berth_core::quantity::{Guests, Quantity};
use berth_core::reservation::{Channel, Reservation};
use berth_core::state::ReservationState;
use berth_core::store::{ClientRef, ReservationFilter};
use berth_core::{Engine, EngineError, ErrorCode};
use uuid::Uuid;

use crate::support::{self, Backend, World, date, nights, party, staff, stay as booking, world};

on_both_stores!(
    creates_and_reads_back_with_audit_and_event,
    same_day_turnover_is_accepted,
    overlap_on_a_single_item_unit_is_unavailable,
    inventory_counts_quantities,
    idempotency_key_returns_the_original,
    bad_input_is_refused_and_nothing_is_written,
    blocked_client_is_refused,
    lifecycle_follows_the_state_model,
    canceling_frees_capacity,
    change_period_rechecks_capacity_excluding_itself,
    stale_version_is_a_conflict,
    quote_and_availability_report_capacity,
    availability_over_many_units_keeps_order_and_capacity,
    availability_evaluates_once_per_kind_of_unit,
    new_client_is_created_with_the_reservation,
    reservations_are_found_by_their_clients_name_email_or_phone,
);

async fn all_reservations(w: &World) -> Vec<Reservation> {
    w.store
        .reservations(w.tenant.id, &ReservationFilter::default())
        .await
        .expect("list")
}

async fn creates_and_reads_back_with_audit_and_event(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let actor = staff();
    let r = w
        .engine
        .create_reservation(
            w.tenant.id,
            booking(cabin.id, "2026-12-10", "2026-12-13"),
            &actor,
        )
        .await
        .expect("book");
    assert_eq!(r.state, ReservationState::Confirmed);
    assert_eq!(r.version, 1);
    // 15:00 and 10:00 in Europe/Oslo (UTC+1 in December).
    assert_eq!(
        r.period.start(),
        "2026-12-10T14:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(
        r.period.end(),
        "2026-12-13T09:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(
        r.price.as_ref().map(|p| p.total.amount_minor),
        Some(3 * 100_000 + 25_000)
    );

    let read = w.engine.reservation(w.tenant.id, r.id).await.expect("read");
    assert_eq!(read, r, "what was written is what is read back");

    let audit = w
        .store
        .audit_entries(w.tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "create");
    assert_eq!(audit[0].actor, actor);
    assert_eq!(audit[0].metadata["after"]["id"], r.id.to_string());

    let events = crate::support::settled_events(&*w.store, w.tenant.id).await;
    let last = events.last().expect("an event");
    assert_eq!(last.kind.as_str(), "reservation.created");
    assert_eq!(last.entity_id, r.id.as_uuid());
    assert!(events.windows(2).all(|p| p[0].cursor < p[1].cursor));
}

async fn same_day_turnover_is_accepted(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let a = w
        .book(cabin.id, "2026-12-10", "2026-12-13")
        .await
        .expect("first stay");
    // Arrives the day the first guest leaves (check-out 10:00, check-in 15:00).
    let b = w
        .book(cabin.id, "2026-12-13", "2026-12-15")
        .await
        .expect("same-day turnover");
    assert_eq!(a.check_out, b.check_in);
    // And one that leaves the day the first arrives.
    w.book(cabin.id, "2026-12-08", "2026-12-10")
        .await
        .expect("turnover before");
}

async fn overlap_on_a_single_item_unit_is_unavailable(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    w.book(cabin.id, "2026-12-10", "2026-12-13")
        .await
        .expect("first");
    let events_before = w.event_count().await;
    for (a, b) in [
        ("2026-12-10", "2026-12-13"),
        ("2026-12-12", "2026-12-14"),
        ("2026-12-09", "2026-12-11"),
        ("2026-12-11", "2026-12-12"),
        ("2026-12-01", "2026-12-20"),
    ] {
        let err = w
            .book(cabin.id, a, b)
            .await
            .expect_err("overlap must be refused");
        assert_eq!(err.code(), ErrorCode::Unavailable, "{a}..{b}: {err}");
    }
    assert_eq!(all_reservations(&w).await.len(), 1);
    assert_eq!(
        w.event_count().await,
        events_before,
        "a refusal writes no event"
    );
}

async fn inventory_counts_quantities(backend: Backend) {
    let w = world(backend).await;
    let rooms = support::unit(&*w.store, &w.tenant, "Double rooms", 3, 2).await;
    let mut two = booking(rooms.id, "2026-12-10", "2026-12-12");
    two.party = party(4, 2);
    w.engine
        .create_reservation(w.tenant.id, two.clone(), &staff())
        .await
        .expect("2 of 3");
    let err = w
        .engine
        .create_reservation(w.tenant.id, two, &staff())
        .await
        .expect_err("2 more do not fit");
    assert_eq!(err.code(), ErrorCode::Unavailable);
    // One more fits, overlapping only the second night.
    w.book(rooms.id, "2026-12-11", "2026-12-14")
        .await
        .expect("the third room");
    let err = w
        .book(rooms.id, "2026-12-11", "2026-12-12")
        .await
        .expect_err("full on the 11th");
    assert_eq!(err.code(), ErrorCode::Unavailable);
    // The first night still has one room.
    w.book(rooms.id, "2026-12-10", "2026-12-11")
        .await
        .expect("one room left on the 10th");
}

async fn idempotency_key_returns_the_original(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let mut cmd = booking(cabin.id, "2026-12-10", "2026-12-13");
    cmd.idempotency_key = Some("checkout-7f3a".parse().unwrap());
    let first = w
        .engine
        .create_reservation(w.tenant.id, cmd.clone(), &staff())
        .await
        .unwrap();
    let events = w.event_count().await;
    let retry = w
        .engine
        .create_reservation(w.tenant.id, cmd.clone(), &staff())
        .await
        .unwrap();
    assert_eq!(retry, first);
    assert_eq!(all_reservations(&w).await.len(), 1);
    assert_eq!(w.event_count().await, events);

    // The same key for a different request is a conflict, not a silent replay.
    let mut other = cmd.clone();
    other.period = nights("2026-12-20", "2026-12-22");
    let err = w
        .engine
        .create_reservation(w.tenant.id, other, &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);

    // Concurrent retries with one key create one reservation.
    let mut cmd2 = booking(cabin.id, "2027-01-10", "2027-01-12");
    cmd2.idempotency_key = Some("retry-storm".parse().unwrap());
    let attempts = (0..8).map(|_| {
        let engine = w.engine.clone();
        let cmd = cmd2.clone();
        let tenant = w.tenant.id;
        tokio::spawn(async move { engine.create_reservation(tenant, cmd, &Actor::Public).await })
    });
    let mut ids = std::collections::HashSet::new();
    for a in attempts {
        ids.insert(a.await.unwrap().expect("every retry succeeds").id);
    }
    assert_eq!(ids.len(), 1, "all retries got the same reservation");
}

async fn bad_input_is_refused_and_nothing_is_written(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let other_tenant = support::tenant(&*w.store, "harbor-hotel").await;
    let foreign = support::unit(&*w.store, &other_tenant, "Suite", 1, 2).await;
    let events = w.event_count().await;

    // Zero or negative counts never become a Quantity/Guests.
    assert_eq!(
        EngineError::from(Quantity::new(0).unwrap_err()).code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        EngineError::from(Guests::new(-2).unwrap_err()).code(),
        ErrorCode::InvalidInput
    );

    let cases: Vec<(CreateReservation, ErrorCode)> = vec![
        // end <= start
        (
            booking(cabin.id, "2026-12-13", "2026-12-13"),
            ErrorCode::InvalidInput,
        ),
        (
            booking(cabin.id, "2026-12-13", "2026-12-10"),
            ErrorCode::InvalidInput,
        ),
        // the wrong shape of period for the model
        (
            CreateReservation {
                period: PeriodRequest::Slot {
                    start: support::start_instant(),
                },
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            ErrorCode::InvalidInput,
        ),
        // unknown unit, and a unit of another tenant
        (
            booking(UnitId::new(), "2026-12-10", "2026-12-11"),
            ErrorCode::NotFound,
        ),
        (
            booking(foreign.id, "2026-12-10", "2026-12-11"),
            ErrorCode::NotFound,
        ),
        // guests over capacity, quantity over inventory
        (
            CreateReservation {
                party: party(5, 1),
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            ErrorCode::Validation,
        ),
        (
            CreateReservation {
                party: party(2, 2),
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            ErrorCode::Validation,
        ),
        // the policy's own rules
        (
            booking(cabin.id, "2026-10-01", "2026-10-03"),
            ErrorCode::Validation,
        ),
        (
            booking(cabin.id, "2026-12-01", "2027-02-01"),
            ErrorCode::Validation,
        ),
        // an unknown client, and a blank new client
        (
            CreateReservation {
                client: ClientRef::Existing(berth_core::ids::ClientId::new()),
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            ErrorCode::NotFound,
        ),
        (
            CreateReservation {
                client: ClientRef::New(support::new_client("  ", None)),
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            ErrorCode::InvalidInput,
        ),
    ];
    for (cmd, code) in cases {
        let err = w
            .engine
            .create_reservation(w.tenant.id, cmd.clone(), &staff())
            .await
            .expect_err("bad input must be refused");
        assert_eq!(err.code(), code, "{cmd:?}: {err}");
    }
    let err = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                party: party(5, 1),
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            &staff(),
        )
        .await
        .unwrap_err();
    let EngineError::Validation(violations) = err else {
        panic!("validation")
    };
    assert_eq!(violations[0].code, "max_guests");

    assert!(all_reservations(&w).await.is_empty(), "nothing was written");
    assert_eq!(w.event_count().await, events, "no event was written");
}

async fn blocked_client_is_refused(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let blocked = w
        .engine
        .create_client(
            w.tenant.id,
            NewClient {
                name: "Mallory".into(),
                email: Some("m@example.org".into()),
                phone: None,
                notes: Some("chargebacks".into()),
                blocked: true,
            },
            &staff(),
        )
        .await
        .unwrap();
    let events = w.event_count().await;
    let err = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                client: ClientRef::Existing(blocked.id),
                ..booking(cabin.id, "2026-12-10", "2026-12-11")
            },
            &staff(),
        )
        .await
        .unwrap_err();
    let EngineError::Validation(violations) = &err else {
        panic!("{err}")
    };
    assert_eq!(violations[0].code, "client_blocked");
    assert!(all_reservations(&w).await.is_empty());
    assert_eq!(w.event_count().await, events);
}

async fn lifecycle_follows_the_state_model(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let held = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                hold: true,
                ..booking(cabin.id, "2026-12-10", "2026-12-12")
            },
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(held.state, ReservationState::Held);
    assert_eq!(
        held.hold_expires_at,
        Some(support::start_instant() + chrono::Duration::minutes(15))
    );
    let err = w
        .engine
        .check_in(w.tenant.id, held.id, None, &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "a hold cannot check in");

    let confirmed = w
        .engine
        .confirm(w.tenant.id, held.id, Some(1), &staff())
        .await
        .unwrap();
    assert_eq!(
        (
            confirmed.state,
            confirmed.version,
            confirmed.hold_expires_at
        ),
        (ReservationState::Confirmed, 2, None)
    );
    let checked_in = w
        .engine
        .check_in(w.tenant.id, held.id, None, &staff())
        .await
        .unwrap();
    assert_eq!(checked_in.state, ReservationState::CheckedIn);
    let err = w
        .engine
        .cancel(w.tenant.id, held.id, None, None, &staff())
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::Conflict,
        "a checked-in stay cannot be canceled"
    );
    let finished = w
        .engine
        .check_out(w.tenant.id, held.id, None, &staff())
        .await
        .unwrap();
    assert_eq!(
        (finished.state, finished.version),
        (ReservationState::Finished, 4)
    );

    // Finished is final.
    for err in [
        w.engine
            .check_in(w.tenant.id, held.id, None, &staff())
            .await
            .unwrap_err(),
        w.engine
            .check_out(w.tenant.id, held.id, None, &staff())
            .await
            .unwrap_err(),
        w.engine
            .cancel(w.tenant.id, held.id, None, None, &staff())
            .await
            .unwrap_err(),
        w.engine
            .change_period(
                w.tenant.id,
                support::change_period(held.id, nights("2026-12-10", "2026-12-11")),
                &staff(),
            )
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    }
    let actions: Vec<String> = w
        .store
        .audit_entries(w.tenant.id, held.id.as_uuid())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["create", "confirm", "check_in", "check_out"]);
    let err = w
        .engine
        .check_in(
            w.tenant.id,
            berth_core::ids::ReservationId::new(),
            None,
            &staff(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

async fn canceling_frees_capacity(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let r = w.book(cabin.id, "2026-12-10", "2026-12-12").await.unwrap();
    let canceled = w
        .engine
        .cancel(
            w.tenant.id,
            r.id,
            Some("guest asked".into()),
            None,
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(canceled.state, ReservationState::Canceled);
    let audit = w
        .store
        .audit_entries(w.tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit[1].metadata["details"]["reason"], "guest asked");
    let events = crate::support::settled_events(&*w.store, w.tenant.id).await;
    assert_eq!(events.last().unwrap().kind.as_str(), "reservation.canceled");
    w.book(cabin.id, "2026-12-10", "2026-12-12")
        .await
        .expect("the canceled nights are free again");
    let err = w
        .engine
        .confirm(w.tenant.id, r.id, None, &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "canceled is final");
}

async fn change_period_rechecks_capacity_excluding_itself(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let other = support::unit(&*w.store, &w.tenant, "Pine", 1, 4).await;
    let r = w.book(cabin.id, "2026-12-10", "2026-12-12").await.unwrap();
    w.book(cabin.id, "2026-12-14", "2026-12-16").await.unwrap();
    let change = |check_in: &str, check_out: &str, unit_id| ChangePeriod {
        unit_id,
        ..support::change_period(r.id, nights(check_in, check_out))
    };
    // Extending over its own nights is fine: the reservation does not block itself.
    let extended = w
        .engine
        .change_period(
            w.tenant.id,
            change("2026-12-10", "2026-12-14", None),
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(
        (extended.version, extended.check_out),
        (2, Some(date("2026-12-14")))
    );
    assert_eq!(
        extended.price.as_ref().unwrap().total.amount_minor,
        4 * 100_000 + 25_000,
        "re-priced"
    );

    // Extending into the next stay is refused and changes nothing.
    let events = w.event_count().await;
    let err = w
        .engine
        .change_period(
            w.tenant.id,
            change("2026-12-10", "2026-12-15", None),
            &staff(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unavailable);
    assert_eq!(
        w.engine.reservation(w.tenant.id, r.id).await.unwrap(),
        extended
    );
    assert_eq!(w.event_count().await, events);

    // Moving to another unit re-checks there.
    let moved = w
        .engine
        .change_period(
            w.tenant.id,
            change("2026-12-14", "2026-12-16", Some(other.id)),
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(moved.unit_id, other.id);
    let audit = w
        .store
        .audit_entries(w.tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "change_period");
    assert_eq!(last.metadata["before"]["unit_id"], cabin.id.to_string());
    assert_eq!(last.metadata["after"]["unit_id"], other.id.to_string());
    // The first cabin's nights are free again.
    w.book(cabin.id, "2026-12-10", "2026-12-14")
        .await
        .expect("freed by the move");
}

async fn stale_version_is_a_conflict(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let r = w.book(cabin.id, "2026-12-10", "2026-12-12").await.unwrap();
    let err = w
        .engine
        .check_in(w.tenant.id, r.id, Some(7), &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let err = w
        .engine
        .change_period(
            w.tenant.id,
            ChangePeriod {
                expected_version: Some(2),
                ..support::change_period(r.id, nights("2026-12-10", "2026-12-11"))
            },
            &staff(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(
        w.engine.reservation(w.tenant.id, r.id).await.unwrap(),
        r,
        "unchanged"
    );
    w.engine
        .check_in(w.tenant.id, r.id, Some(1), &staff())
        .await
        .expect("current version");
}

async fn quote_and_availability_report_capacity(backend: Backend) {
    let w = world(backend).await;
    let birch = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let pine = support::unit(&*w.store, &w.tenant, "Pine", 1, 2).await;
    w.book(birch.id, "2026-12-10", "2026-12-12").await.unwrap();
    let quote = w
        .engine
        .quote(
            w.tenant.id,
            QuoteRequest {
                unit_id: birch.id,
                period: nights("2026-12-11", "2026-12-13"),
                party: party(2, 1),
            },
        )
        .await
        .unwrap();
    assert!(!quote.available);
    assert!(quote.violations.is_empty());
    assert_eq!(
        quote.price.unwrap().total.amount_minor,
        2 * 100_000 + 25_000
    );

    let found = w
        .engine
        .availability(
            w.tenant.id,
            AvailabilityRequest {
                period: nights("2026-12-11", "2026-12-13"),
                party: party(3, 1),
            },
        )
        .await
        .unwrap();
    let by_unit = |id| found.iter().find(|q| q.unit_id == id).unwrap();
    assert!(!by_unit(birch.id).available, "booked");
    assert!(!by_unit(pine.id).available, "too small for 3");
    assert_eq!(by_unit(pine.id).violations[0].code, "max_guests");
    let found = w
        .engine
        .availability(
            w.tenant.id,
            AvailabilityRequest {
                period: nights("2026-12-12", "2026-12-13"),
                party: party(2, 1),
            },
        )
        .await
        .unwrap();
    assert!(
        found.iter().all(|q| q.available),
        "turnover day is free in both"
    );
}

async fn new_client_is_created_with_the_reservation(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let r = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                client: ClientRef::New(support::new_client(
                    "Ada Lovelace",
                    Some("ada@example.org"),
                )),
                channel: Channel::Public,
                ..booking(cabin.id, "2026-12-10", "2026-12-12")
            },
            &Actor::Public,
        )
        .await
        .unwrap();
    let client = w
        .store
        .client(w.tenant.id, r.client_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.name, "Ada Lovelace");
    let audit = w
        .store
        .audit_entries(w.tenant.id, client.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit[0].actor, Actor::Public);

    // If the booking fails, the new client is not left behind either.
    let before: Vec<Uuid> = crate::support::settled_events(&*w.store, w.tenant.id)
        .await
        .iter()
        .map(|e| e.entity_id)
        .collect();
    let err = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                client: ClientRef::New(support::new_client("Late Guest", None)),
                ..booking(cabin.id, "2026-12-11", "2026-12-12")
            },
            &Actor::Public,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unavailable);
    let after: Vec<Uuid> = crate::support::settled_events(&*w.store, w.tenant.id)
        .await
        .iter()
        .map(|e| e.entity_id)
        .collect();
    assert_eq!(
        before, after,
        "the client insert was rolled back with the booking"
    );
}

async fn availability_over_many_units_keeps_order_and_capacity(backend: Backend) {
    // Enough units for the engine to split the evaluation across threads.
    let w = world(backend).await;
    let mut units = Vec::new();
    for i in 0..70 {
        units.push(support::unit(&*w.store, &w.tenant, &format!("Cabin {i}"), 1, 4).await);
    }
    for unit in units.iter().step_by(7) {
        w.book(unit.id, "2026-12-10", "2026-12-12").await.unwrap();
    }
    let found = w
        .engine
        .availability(
            w.tenant.id,
            AvailabilityRequest {
                period: nights("2026-12-11", "2026-12-13"),
                party: party(2, 1),
            },
        )
        .await
        .unwrap();
    let ids: Vec<UnitId> = found.iter().map(|q| q.unit_id).collect();
    assert_eq!(
        ids,
        units.iter().map(|u| u.id).collect::<Vec<_>>(),
        "one quote per unit, in order"
    );
    for (i, quote) in found.iter().enumerate() {
        assert_eq!(quote.available, i % 7 != 0, "unit {i}");
        assert_eq!(
            quote.price.as_ref().unwrap().total.amount_minor,
            2 * 100_000 + 25_000
        );
    }
}

async fn availability_evaluates_once_per_kind_of_unit(backend: Backend) {
    use std::sync::atomic::Ordering;
    let store = support::fresh_store(backend).await;
    let policy = Arc::new(support::nightly::KeyedNightlyPolicy::default());
    let clock = Arc::new(berth_core::clock::ManualClock::new(support::start_instant()));
    let engine = Engine::new(
        store.clone(),
        Arc::new(support::nightly::SinglePolicy(policy.clone())),
        clock.clone(),
    );
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    // 80 units of three sizes (more than the engine evaluates inline), one of
    // them too small for the party: its own violation, naming it.
    let mut units = Vec::new();
    for i in 0..80 {
        let max_guests = [4, 6, 1][i % 3];
        units.push(support::unit(&*store, &tenant, &format!("Cabin {i}"), 1, max_guests).await);
    }
    let w = World {
        engine: engine.clone(),
        store: store.clone(),
        tenant: tenant.clone(),
        clock,
    };
    w.book(units[3].id, "2026-12-10", "2026-12-12")
        .await
        .unwrap();
    policy.evaluations.store(0, Ordering::SeqCst);
    let request = AvailabilityRequest {
        period: nights("2026-12-11", "2026-12-13"),
        party: party(2, 1),
    };
    let found = engine
        .availability(tenant.id, request.clone())
        .await
        .unwrap();
    assert_eq!(
        policy.evaluations.load(Ordering::SeqCst),
        3,
        "80 units of three sizes: one evaluation each"
    );
    // Each quote is what that unit alone is quoted.
    for (unit, shared) in units.iter().zip(&found) {
        let alone = engine
            .quote(
                tenant.id,
                QuoteRequest {
                    unit_id: unit.id,
                    period: request.period.clone(),
                    party: request.party,
                },
            )
            .await
            .unwrap();
        assert_eq!(shared, &alone, "{}", unit.name);
    }
    assert!(!found[3].available, "booked");
    assert!(found[0].available && found[1].available);
    assert!(
        found[2].violations[0].message.contains("Cabin 2"),
        "{:?}",
        found[2].violations
    );
}

async fn reservations_are_found_by_their_clients_name_email_or_phone(backend: Backend) {
    let w = world(backend).await;
    let harbor = support::tenant(&*w.store, "harbor-hotel").await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let guest = |name: &str, email: Option<&str>, phone: Option<&str>| {
        ClientRef::New(NewClient {
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            notes: None,
            blocked: false,
        })
    };
    let mut booked = Vec::new();
    for (client, (from, to)) in [
        (
            guest("Heidi Keller", Some("heidi@example.ch"), None),
            ("2026-12-01", "2026-12-03"),
        ),
        (
            guest("Luca Brunner", None, Some("+41 79 555 12 12")),
            ("2026-12-05", "2026-12-07"),
        ),
        (
            guest("100% Holidays AG", None, None),
            ("2026-12-09", "2026-12-11"),
        ),
    ] {
        let r = w
            .engine
            .create_reservation(
                w.tenant.id,
                CreateReservation {
                    client,
                    ..booking(cabin.id, from, to)
                },
                &staff(),
            )
            .await
            .unwrap();
        booked.push(r.id);
    }
    // A walk-in without a client, and another tenant's Keller.
    w.book(cabin.id, "2026-12-13", "2026-12-15").await.unwrap();
    let theirs = support::unit(&*w.store, &harbor, "Room", 1, 4).await;
    w.engine
        .create_reservation(
            harbor.id,
            CreateReservation {
                client: guest("Heidi Keller", None, None),
                ..booking(theirs.id, "2026-12-01", "2026-12-03")
            },
            &staff(),
        )
        .await
        .unwrap();

    let found = |search: &str| {
        let filter = ReservationFilter {
            client_search: Some(search.to_owned()),
            ..ReservationFilter::default()
        };
        let store = w.store.clone();
        let tenant = w.tenant.id;
        async move {
            store
                .reservations(tenant, &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("keller").await, vec![booked[0]], "by name, any case");
    assert_eq!(found("HEIDI@EXAMPLE").await, vec![booked[0]], "by e-mail");
    assert_eq!(found("555 12").await, vec![booked[1]], "by phone");
    assert_eq!(found("100%").await, vec![booked[2]], "% is a character");
    assert_eq!(
        found("_").await,
        Vec::<berth_core::ids::ReservationId>::new()
    );
    assert_eq!(found("  ").await.len(), 4, "blank: every reservation");
}
