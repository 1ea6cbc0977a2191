//! Tenant profiles on both stores: saved with an audit entry and a
//! `tenant.updated` event, replaced as a whole, unchanged saves write nothing,
//! each tenant reads only its own, an unknown tenant is NOT_FOUND.

use berth_core::audit::Actor;
use berth_core::event::EventKind;
use berth_core::ids::TenantId;
use berth_core::profile::{Address, Coordinates, Handover, Link, TenantProfile};
use berth_core::store::StoreError;
use berth_core::tenant::NewTenant;

use crate::support::{self, Backend};

on_both_stores!(profiles_saved_replaced_and_isolated);

fn profile() -> TenantProfile {
    TenantProfile {
        description: Some("Cabins by the lake.".into()),
        email: Some("hello@lake.example.org".into()),
        phone: Some("+41 33 555 01 00".into()),
        address: Some(Address {
            street: "Seeweg 1".into(),
            postal_code: Some("3800".into()),
            locality: "Interlaken".into(),
            region: Some("Bern".into()),
            country: "CH".into(),
        }),
        coordinates: Some(Coordinates {
            lat: 46.68,
            lng: 7.85,
        }),
        check_in: Handover {
            time: chrono::NaiveTime::from_hms_opt(15, 0, 0),
            notes: Some("Keys in the lockbox.".into()),
        },
        check_out: Handover {
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
            notes: None,
        },
        links: vec![Link {
            label: "Timetable".into(),
            url: "https://www.example.org/timetable".into(),
        }],
        theme_color: Some("#2f6b4f".into()),
        map: Some(berth_core::profile::MapTiles {
            tiles: "https://tile.example.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
        }),
    }
}

async fn profiles_saved_replaced_and_isolated(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let other = support::tenant(&*store, "river-gear").await;
    let now = support::start_instant();
    assert_eq!(store.tenant_profile(lake.id).await.unwrap(), None);

    let first = profile();
    assert!(
        store
            .save_tenant_profile(lake.id, &first, &Actor::System, now)
            .await
            .unwrap()
    );
    assert_eq!(
        store.tenant_profile(lake.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.tenant_profile(other.id).await.unwrap(), None);

    // The same profile again (a reload that changed other files): nothing written.
    let audited = store
        .audit_entries(lake.id, lake.id.as_uuid())
        .await
        .unwrap();
    let events = support::settled_events(&*store, lake.id).await.len();
    assert!(
        !store
            .save_tenant_profile(lake.id, &first, &Actor::System, now)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .audit_entries(lake.id, lake.id.as_uuid())
            .await
            .unwrap()
            .len(),
        audited.len()
    );
    assert_eq!(
        support::settled_events(&*store, lake.id).await.len(),
        events
    );

    // Replaced as a whole: what the new one lacks is gone.
    let second = TenantProfile {
        description: Some("Cabins and a chalet by the lake.".into()),
        links: vec![],
        address: None,
        ..first.clone()
    };
    assert!(
        store
            .save_tenant_profile(lake.id, &second, &Actor::System, now)
            .await
            .unwrap()
    );
    assert_eq!(store.tenant_profile(lake.id).await.unwrap(), Some(second));
    let entry = store
        .audit_entries(lake.id, lake.id.as_uuid())
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(entry.action, "update_profile");
    assert_eq!(
        entry.metadata["before"]["address"]["locality"],
        "Interlaken"
    );
    assert_eq!(entry.metadata["after"]["address"], serde_json::Value::Null);
    let last = support::settled_events(&*store, lake.id)
        .await
        .pop()
        .unwrap();
    assert_eq!(last.kind, EventKind::TenantUpdated);
    assert_eq!(
        last.payload["profile"]["description"],
        "Cabins and a chalet by the lake."
    );

    // The other tenant's profile is its own, and the first one's is untouched.
    let theirs = TenantProfile {
        description: Some("Kayaks.".into()),
        ..TenantProfile::default()
    };
    store
        .save_tenant_profile(other.id, &theirs, &Actor::System, now)
        .await
        .unwrap();
    assert_eq!(store.tenant_profile(other.id).await.unwrap(), Some(theirs));
    assert_eq!(
        store
            .tenant_profile(lake.id)
            .await
            .unwrap()
            .unwrap()
            .description
            .as_deref(),
        Some("Cabins and a chalet by the lake.")
    );

    let err = store
        .save_tenant_profile(TenantId::new(), &first, &Actor::System, now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

on_both_stores!(a_tenant_going_live_is_one_write);

/// `put_tenant`: created with its profile; the same again writes nothing; a new
/// name alone updates the identity and leaves the profile; a new profile alone
/// replaces the profile.
async fn a_tenant_going_live_is_one_write(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let now = support::start_instant();
    let identity = |name: &str| NewTenant {
        slug: "lake-cabins".parse().unwrap(),
        name: name.into(),
        timezone: chrono_tz::Europe::Zurich,
        currency: "CHF".parse().unwrap(),
        locale: "de-CH".into(),
    };
    let put = store
        .put_tenant(identity("Lake Cabins"), &profile(), &Actor::System, now)
        .await
        .unwrap();
    assert!(put.created && put.profile_changed);
    let tenant = put.tenant;
    assert_eq!(store.tenant(tenant.id).await.unwrap().unwrap(), tenant);
    assert_eq!(
        store.tenant_profile(tenant.id).await.unwrap(),
        Some(profile())
    );
    let actions = || async {
        store
            .audit_entries(tenant.id, tenant.id.as_uuid())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>()
    };
    assert_eq!(actions().await, ["create", "update_profile"]);

    let again = store
        .put_tenant(identity("Lake Cabins"), &profile(), &Actor::System, now)
        .await
        .unwrap();
    assert_eq!(again.tenant, tenant);
    assert!(!again.created && !again.profile_changed);
    assert_eq!(actions().await.len(), 2);

    let renamed = store
        .put_tenant(
            identity("Lake Cabins & Spa"),
            &profile(),
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    assert_eq!(renamed.tenant.name, "Lake Cabins & Spa");
    assert_eq!(renamed.tenant.id, tenant.id);
    assert!(!renamed.created && !renamed.profile_changed);
    assert_eq!(actions().await, ["create", "update_profile", "update"]);

    let plain = TenantProfile::default();
    let replaced = store
        .put_tenant(identity("Lake Cabins & Spa"), &plain, &Actor::System, now)
        .await
        .unwrap();
    assert!(!replaced.created && replaced.profile_changed);
    assert_eq!(store.tenant_profile(tenant.id).await.unwrap(), Some(plain));
    assert_eq!(
        actions().await,
        ["create", "update_profile", "update", "update_profile"]
    );
}
