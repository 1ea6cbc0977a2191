//! A client's record (the right of access): the client, every reservation
//! made for it (and no one else's), and the audit entries about both, oldest
//! first; another tenant's client is not found.

use berth_core::ErrorCode;
use berth_core::audit::Actor;
use berth_core::client::ClientPatch;
use berth_core::engine::CreateReservation;
use berth_core::ids::UserId;
use berth_core::store::ClientRef;

use crate::support::{self, Backend};

on_both_stores!(a_record_holds_the_clients_reservations_and_their_history);

fn booking(
    unit: berth_core::ids::UnitId,
    from: &str,
    to: &str,
    client: ClientRef,
) -> CreateReservation {
    CreateReservation {
        client,
        ..support::stay(unit, from, to)
    }
}

async fn a_record_holds_the_clients_reservations_and_their_history(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let staff = Actor::User(UserId::new());
    let first = engine
        .create_reservation(
            tenant.id,
            booking(
                cabin.id,
                "2026-12-10",
                "2026-12-12",
                ClientRef::New(support::new_client("Ada", Some("ada@example.org"))),
            ),
            &staff,
        )
        .await
        .unwrap();
    let ada = first.client_id.unwrap();
    engine
        .update_client(
            tenant.id,
            ada,
            ClientPatch {
                phone: Some(Some("+47 912 34 567".into())),
                ..ClientPatch::default()
            },
            &staff,
        )
        .await
        .unwrap();
    let second = engine
        .create_reservation(
            tenant.id,
            booking(
                cabin.id,
                "2026-12-20",
                "2026-12-22",
                ClientRef::Existing(ada),
            ),
            &staff,
        )
        .await
        .unwrap();
    engine
        .cancel(tenant.id, second.id, None, None, &staff)
        .await
        .unwrap();
    // Someone else's stay, in between.
    engine
        .create_reservation(
            tenant.id,
            booking(cabin.id, "2026-12-14", "2026-12-16", ClientRef::None),
            &staff,
        )
        .await
        .unwrap();

    let record = engine.client_record(tenant.id, ada).await.unwrap();
    assert_eq!(record.client.phone.as_deref(), Some("+47 912 34 567"));
    let ids: Vec<_> = record.reservations.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![first.id, second.id]);
    let history: Vec<(String, String)> = record
        .audit
        .iter()
        .map(|e| (e.entity_type.clone(), e.action.clone()))
        .collect();
    let pair = |t: &str, a: &str| (t.to_owned(), a.to_owned());
    assert_eq!(
        history,
        vec![
            pair("client", "create"),
            pair("reservation", "create"),
            pair("client", "update"),
            pair("reservation", "create"),
            pair("reservation", "cancel"),
        ]
    );
    assert_eq!(record.generated_at, support::start_instant());

    let err = engine.client_record(harbor.id, ada).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}
