//! Tenant isolation at the store boundary: every read and write of one tenant's
//! data through another tenant's id finds nothing and changes nothing.

use berth_core::ErrorCode;
use berth_core::audit::Actor;
use berth_core::engine::{CreateReservation, QuoteRequest};
use berth_core::store::{ClientRef, ReservationFilter};

use crate::support::{self, Backend};

on_both_stores!(another_tenant_sees_and_changes_nothing);

async fn another_tenant_sees_and_changes_nothing(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let (engine, _clock) = support::engine(store.clone());
    let alpine = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let cabin = support::unit(&*store, &alpine, "Birch", 1, 4).await;
    let party = support::party(2, 1);
    let period = support::nights("2026-12-10", "2026-12-12");
    let client = engine
        .create_client(alpine.id, support::new_client("Ada", None), &Actor::System)
        .await
        .unwrap();
    let r = engine
        .create_reservation(
            alpine.id,
            CreateReservation {
                client: ClientRef::Existing(client.id),
                idempotency_key: Some("k1".parse().unwrap()),
                ..support::admin_booking(cabin.id, period.clone(), party)
            },
            &Actor::System,
        )
        .await
        .unwrap();

    // Reads through the other tenant find nothing.
    assert!(store.unit(harbor.id, cabin.id).await.unwrap().is_none());
    assert!(store.units(harbor.id, true).await.unwrap().is_empty());
    assert!(store.client(harbor.id, client.id).await.unwrap().is_none());
    assert!(store.reservation(harbor.id, r.id).await.unwrap().is_none());
    assert!(
        store
            .reservation_by_idempotency_key(harbor.id, &"k1".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .reservations(harbor.id, &ReservationFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .occupancy(harbor.id, &[cabin.id], &r.occupied)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .audit_entries(harbor.id, r.id.as_uuid())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        crate::support::settled_events(&*store, harbor.id)
            .await
            .iter()
            .all(|e| e.tenant_id == harbor.id)
    );

    // Commands through the other tenant are NOT_FOUND and change nothing.
    let quote = engine
        .quote(
            harbor.id,
            QuoteRequest {
                unit_id: cabin.id,
                period: period.clone(),
                party,
            },
        )
        .await;
    assert_eq!(quote.unwrap_err().code(), ErrorCode::NotFound);
    let errors = [
        engine
            .check_in(harbor.id, r.id, None, &Actor::System)
            .await
            .unwrap_err(),
        engine
            .cancel(harbor.id, r.id, None, None, &Actor::System)
            .await
            .unwrap_err(),
        engine
            .change_period(
                harbor.id,
                support::change_period(r.id, period.clone()),
                &Actor::System,
            )
            .await
            .unwrap_err(),
        engine
            .create_reservation(
                harbor.id,
                support::admin_booking(cabin.id, period.clone(), party),
                &Actor::System,
            )
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    }
    // Booking the other tenant's unit with this tenant's client is refused too.
    let harbor_room = support::unit(&*store, &harbor, "Suite", 1, 2).await;
    let err = engine
        .create_reservation(
            harbor.id,
            CreateReservation {
                client: ClientRef::Existing(client.id),
                ..support::admin_booking(harbor_room.id, period, party)
            },
            &Actor::System,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(
        store.reservation(alpine.id, r.id).await.unwrap().unwrap(),
        r
    );
}
