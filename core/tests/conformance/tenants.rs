//! Tenant identity changes and standalone events (policy activations) are written
//! with their audit entries, on both stores.

use berth_core::audit::Actor;
use berth_core::event::EventKind;
use berth_core::ids::TenantId;
use berth_core::store::NewEvent;
use berth_core::tenant::NewTenant;

use crate::support::{self, Backend};

on_both_stores!(tenant_updates_and_standalone_events);

async fn tenant_updates_and_standalone_events(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let now = support::start_instant();
    let updated = store
        .update_tenant(
            tenant.id,
            NewTenant {
                slug: tenant.slug.clone(),
                name: "Alpine Cabins & Spa".into(),
                timezone: chrono_tz::Europe::Zurich,
                currency: "CHF".parse().unwrap(),
                locale: "de-CH".into(),
            },
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Alpine Cabins & Spa");
    assert_eq!(store.tenant(tenant.id).await.unwrap().unwrap(), updated);
    let audit = store
        .audit_entries(tenant.id, tenant.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(
        audit.last().unwrap().metadata["before"]["timezone"],
        "Europe/Oslo"
    );
    assert_eq!(
        audit.last().unwrap().metadata["after"]["timezone"],
        "Europe/Zurich"
    );

    let event = NewEvent {
        kind: EventKind::PolicyActivated,
        entity_type: "policy".into(),
        entity_id: tenant.id.as_uuid(),
        action: "activate".into(),
        payload: serde_json::json!({ "version": 3 }),
        at: now,
    };
    store
        .record_event(tenant.id, event.clone(), &Actor::System)
        .await
        .unwrap();
    let events = crate::support::settled_events(&*store, tenant.id).await;
    let last = events.last().unwrap();
    assert_eq!(
        (last.kind, last.payload["version"].as_i64()),
        (EventKind::PolicyActivated, Some(3))
    );

    let err = store
        .record_event(TenantId::new(), event, &Actor::System)
        .await
        .unwrap_err();
    assert!(
        matches!(err, berth_core::store::StoreError::NotFound { .. }),
        "{err:?}"
    );
}
