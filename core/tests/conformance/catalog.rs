//! Units, clients and API keys after creation: patches with before/after audit
//! entries, archiving, inventory that cannot drop below active bookings, keyset
//! pages, batch reads that never cross tenants, and revocable keys.

use berth_core::api_key::NewApiKey;
use berth_core::audit::Actor;
use berth_core::client::{ClientFilter, ClientPatch};
use berth_core::ids::ApiKeyId;
use berth_core::quantity::Inventory;
use berth_core::store::{ReservationFilter, StoreError};
use berth_core::unit::UnitPatch;
use berth_core::user::Role;
use berth_core::{EngineError, ErrorCode};

use crate::support::{self, Backend, nights, party};

on_both_stores!(
    units_change_and_archive_with_audit,
    inventory_cannot_drop_below_active_bookings,
    clients_page_search_and_change,
    batch_reads_stay_in_the_tenant,
    api_keys_are_stored_hashed_and_revocable,
    reservations_page_by_cursor,
);

async fn units_change_and_archive_with_audit(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Fjord cabin", 1, 4).await;

    let patch = UnitPatch {
        name: Some("Fjord cabin deluxe".into()),
        description: Some(Some("Now with a sauna".into())),
        ..UnitPatch::default()
    };
    let changed = engine
        .update_unit(tenant.id, unit.id, patch, &Actor::System)
        .await
        .unwrap();
    assert_eq!(changed.name, "Fjord cabin deluxe");
    assert_eq!(changed.inventory, unit.inventory);
    assert_eq!(
        store.unit(tenant.id, unit.id).await.unwrap(),
        Some(changed.clone())
    );

    let blank = UnitPatch {
        name: Some("  ".into()),
        ..UnitPatch::default()
    };
    let err = engine
        .update_unit(tenant.id, unit.id, blank, &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);

    let archive = UnitPatch {
        archived: Some(true),
        ..UnitPatch::default()
    };
    engine
        .update_unit(tenant.id, unit.id, archive, &Actor::System)
        .await
        .unwrap();
    assert!(store.units(tenant.id, false).await.unwrap().is_empty());
    assert_eq!(store.units(tenant.id, true).await.unwrap().len(), 1);
    let err = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(unit.id, nights("2026-12-01", "2026-12-03"), party(2, 1)),
            &Actor::System,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Validation(_)), "{err:?}");

    let audit = store
        .audit_entries(tenant.id, unit.id.as_uuid())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["create", "update", "archive"]);
    // Only changed fields are kept, before and after.
    assert_eq!(
        audit[1].metadata,
        serde_json::json!({
            "before": { "name": "Fjord cabin", "description": null },
            "after": { "name": "Fjord cabin deluxe", "description": "Now with a sauna" },
        })
    );

    let missing = store
        .update_unit(
            tenant.id,
            berth_core::ids::UnitId::new(),
            UnitPatch::default(),
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. }),
        "{missing:?}"
    );
}

async fn inventory_cannot_drop_below_active_bookings(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Bunk room", 3, 4).await;
    for _ in 0..2 {
        engine
            .create_reservation(
                tenant.id,
                support::admin_booking(unit.id, nights("2026-12-01", "2026-12-03"), party(1, 1)),
                &Actor::System,
            )
            .await
            .unwrap();
    }
    let to = |n| UnitPatch {
        inventory: Some(Inventory::new(n).unwrap()),
        ..UnitPatch::default()
    };
    let err = engine
        .update_unit(tenant.id, unit.id, to(1), &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err:?}");
    assert_eq!(
        store
            .unit(tenant.id, unit.id)
            .await
            .unwrap()
            .unwrap()
            .inventory
            .get(),
        3,
        "nothing written"
    );
    engine
        .update_unit(tenant.id, unit.id, to(2), &Actor::System)
        .await
        .unwrap();
    let full = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(unit.id, nights("2026-12-02", "2026-12-04"), party(1, 1)),
            &Actor::System,
        )
        .await
        .unwrap_err();
    assert_eq!(full.code(), ErrorCode::Unavailable);

    // A single cabin grown to two items takes two overlapping bookings (on
    // PostgreSQL the exclusion constraint's marker follows the inventory).
    let cabin = support::unit(&*store, &tenant, "Cabin", 1, 4).await;
    engine
        .create_reservation(
            tenant.id,
            support::admin_booking(cabin.id, nights("2026-12-01", "2026-12-03"), party(1, 1)),
            &Actor::System,
        )
        .await
        .unwrap();
    engine
        .update_unit(tenant.id, cabin.id, to(2), &Actor::System)
        .await
        .unwrap();
    engine
        .create_reservation(
            tenant.id,
            support::admin_booking(cabin.id, nights("2026-12-02", "2026-12-04"), party(1, 1)),
            &Actor::System,
        )
        .await
        .unwrap();
}

async fn clients_page_search_and_change(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let mut ids = Vec::new();
    for (name, email) in [
        ("Ada Lovelace", "ada@example.org"),
        ("Grace Hopper", "grace@navy.example"),
        ("Alan Turing", "alan@example.org"),
    ] {
        let c = engine
            .create_client(
                tenant.id,
                support::new_client(name, Some(email)),
                &Actor::System,
            )
            .await
            .unwrap();
        ids.push(c.id);
    }
    let page = |after, limit| ClientFilter {
        search: None,
        include_archived: false,
        after,
        limit: Some(limit),
    };
    let first = store.clients(tenant.id, &page(None, 2)).await.unwrap();
    assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), ids[..2]);
    let rest = store
        .clients(tenant.id, &page(Some(ids[1]), 2))
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|c| c.id).collect::<Vec<_>>(), ids[2..]);

    let found = store
        .clients(
            tenant.id,
            &ClientFilter {
                search: Some("EXAMPLE.org".into()),
                ..ClientFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Ada Lovelace", "Alan Turing"]
    );

    let changed = engine
        .update_client(
            tenant.id,
            ids[1],
            ClientPatch {
                phone: Some(Some("+47 555 0100".into())),
                blocked: Some(true),
                ..ClientPatch::default()
            },
            &Actor::System,
        )
        .await
        .unwrap();
    assert!(changed.blocked);
    assert_eq!(
        store.client(tenant.id, ids[1]).await.unwrap(),
        Some(changed)
    );
    let err = engine
        .update_client(
            tenant.id,
            ids[1],
            ClientPatch {
                name: Some(String::new()),
                ..ClientPatch::default()
            },
            &Actor::System,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let audit = store
        .audit_entries(tenant.id, ids[1].as_uuid())
        .await
        .unwrap();
    assert_eq!(
        audit.last().unwrap().metadata,
        serde_json::json!({
            "before": { "phone": null, "blocked": false },
            "after": { "phone": "+47 555 0100", "blocked": true },
        })
    );

    // Archived: out of lists (unless asked for), not bookable, history kept.
    engine
        .update_client(
            tenant.id,
            ids[0],
            ClientPatch {
                archived: Some(true),
                ..ClientPatch::default()
            },
            &Actor::System,
        )
        .await
        .unwrap();
    let listed = store
        .clients(tenant.id, &ClientFilter::default())
        .await
        .unwrap();
    assert!(listed.iter().all(|c| c.id != ids[0]));
    let all = ClientFilter {
        include_archived: true,
        ..ClientFilter::default()
    };
    assert_eq!(store.clients(tenant.id, &all).await.unwrap().len(), 3);
    let unit = support::unit(&*store, &tenant, "Cabin", 1, 4).await;
    let err = engine
        .create_reservation(
            tenant.id,
            berth_core::engine::CreateReservation {
                client: berth_core::store::ClientRef::Existing(ids[0]),
                ..support::admin_booking(unit.id, nights("2026-12-01", "2026-12-03"), party(2, 1))
            },
            &Actor::System,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err:?}");
    let audit = store
        .audit_entries(tenant.id, ids[0].as_uuid())
        .await
        .unwrap();
    assert_eq!(audit.last().unwrap().action, "archive");
}

async fn batch_reads_stay_in_the_tenant(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let (engine, _clock) = support::engine(store.clone());
    let alpine = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let mine = support::unit(&*store, &alpine, "Mine", 1, 2).await;
    let theirs = support::unit(&*store, &harbor, "Theirs", 1, 2).await;
    // A unit with its tenant, in one read; never another tenant's unit.
    assert_eq!(
        store.tenant_and_unit(alpine.id, mine.id).await.unwrap(),
        Some((alpine.clone(), mine.clone()))
    );
    assert_eq!(
        store.tenant_and_unit(alpine.id, theirs.id).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .tenant_and_unit(alpine.id, berth_core::ids::UnitId::new())
            .await
            .unwrap(),
        None
    );
    let client = |name: &str| support::new_client(name, None);
    let my_client = engine
        .create_client(alpine.id, client("Mine"), &Actor::System)
        .await
        .unwrap();
    let their_client = engine
        .create_client(harbor.id, client("Theirs"), &Actor::System)
        .await
        .unwrap();

    let units = store
        .units_by_ids(alpine.id, &[mine.id, theirs.id])
        .await
        .unwrap();
    assert_eq!(units, vec![mine]);
    let clients = store
        .clients_by_ids(alpine.id, &[their_client.id, my_client.id])
        .await
        .unwrap();
    assert_eq!(clients, vec![my_client]);
    assert!(store.units_by_ids(alpine.id, &[]).await.unwrap().is_empty());
    let err = store
        .update_client(
            alpine.id,
            their_client.id,
            ClientPatch::default(),
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

async fn api_keys_are_stored_hashed_and_revocable(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let alpine = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let id = ApiKeyId::new();
    let key = store
        .create_api_key(
            alpine.id,
            NewApiKey {
                id,
                name: "Channel manager".into(),
                role: Role::Staff,
                secret_hash: "ab".repeat(32),
            },
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    assert_eq!(store.api_keys(alpine.id).await.unwrap(), vec![key.clone()]);
    assert!(store.api_keys(harbor.id).await.unwrap().is_empty());
    assert_eq!(
        store.api_key_secret(alpine.id, id).await.unwrap(),
        Some((key.clone(), "ab".repeat(32)))
    );
    assert!(store.api_key_secret(harbor.id, id).await.unwrap().is_none());
    let err = store
        .revoke_api_key(harbor.id, id, &Actor::System, support::start_instant())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");

    let later = support::start_instant() + chrono::Duration::hours(1);
    let revoked = store
        .revoke_api_key(alpine.id, id, &Actor::System, later)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(later));
    let again = store
        .revoke_api_key(
            alpine.id,
            id,
            &Actor::System,
            later + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(later),
        "revoking twice changes nothing"
    );
    let audit = store.audit_entries(alpine.id, id.as_uuid()).await.unwrap();
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["create", "revoke"]
    );
    assert!(
        audit
            .iter()
            .all(|a| !a.metadata.to_string().contains(&"ab".repeat(32))),
        "no secret hash in the audit log"
    );
}

async fn reservations_page_by_cursor(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Cabin", 1, 4).await;
    let mut ids = Vec::new();
    for day in 1..=5 {
        let r = engine
            .create_reservation(
                tenant.id,
                support::admin_booking(
                    unit.id,
                    nights(
                        &format!("2026-12-{:02}", day * 2),
                        &format!("2026-12-{:02}", day * 2 + 1),
                    ),
                    party(2, 1),
                ),
                &Actor::System,
            )
            .await
            .unwrap();
        ids.push(r.id);
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .reservations(
                tenant.id,
                &ReservationFilter {
                    after,
                    limit: Some(2),
                    ..ReservationFilter::default()
                },
            )
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| r.id);
        seen.extend(page.into_iter().map(|r| r.id));
    }
    assert_eq!(seen, ids);
}
