//! Web push at the store boundary, on both databases: devices registered per
//! user (with audit entries and events that never hold the keys), moved between
//! users, refreshed without a write, replaced past the per-user limit and
//! unregistered; notification settings; notifications queued from the outbox
//! exactly once per wanted device, also with two enqueuers at once; each due
//! notification claimed once, also with two claimers at once; retries, leases,
//! the attempt bound and 404/410 removal; and tenant isolation.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use berth_core::audit::Actor;
use berth_core::event::EventKind;
use berth_core::ids::{PushDeliveryId, TenantId, UserId};
use berth_core::push::{
    ClaimedPush, DeliveryStatus, MAX_ATTEMPTS, MAX_SUBSCRIPTIONS_PER_USER, NewPushSubscription,
    NotificationKind, NotificationSettings, NotificationSettingsPatch, PushEndpoint, PushKeys,
    PushNext, PushReport, PushSubscription,
};
use berth_core::store::{NewEvent, Store, StoreError};
use berth_core::user::Role;
use berth_core::webhook::AttemptResult;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::support::{self, Backend};

on_both_stores!(
    devices_are_registered_per_user_with_audit_but_no_keys,
    settings_default_on_and_change_with_audit,
    notifications_are_queued_once_for_each_wanted_device,
    two_enqueuers_queue_every_notification_exactly_once,
    two_claimers_never_claim_the_same_notification,
    attempts_retry_on_schedule_and_fail_after_the_bound,
    a_gone_device_is_removed_with_its_queue,
    another_tenant_sees_no_device_setting_or_notification,
);

const LEASE: Duration = Duration::seconds(60);

/// RFC 8291's example subscription keys.
const P256DH: &str =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
const OTHER_AUTH: &str = "AAAAAAAAAAAAAAAAAAAAAA";

fn now() -> DateTime<Utc> {
    support::start_instant()
}

fn endpoint(name: &str) -> PushEndpoint {
    PushEndpoint::parse(&format!("https://push.example.org/send/{name}"), false).unwrap()
}

fn device(name: &str) -> NewPushSubscription {
    NewPushSubscription {
        endpoint: endpoint(name),
        keys: PushKeys::parse(P256DH, AUTH).unwrap(),
    }
}

async fn register(
    store: &dyn Store,
    tenant: TenantId,
    user: UserId,
    new: NewPushSubscription,
) -> PushSubscription {
    store
        .register_push_subscription(tenant, user, new, &Actor::User(user), now())
        .await
        .unwrap()
}

/// A notifiable event (a lock conflict, as the engine records one).
async fn conflict(store: &dyn Store, tenant: TenantId) {
    store
        .record_event(
            tenant,
            NewEvent {
                kind: EventKind::LockConflict,
                entity_type: "lock".into(),
                entity_id: uuid::Uuid::now_v7(),
                action: "conflict".into(),
                payload: json!({ "lock": null, "attempted_by": "system" }),
                at: now(),
            },
            &Actor::System,
        )
        .await
        .unwrap();
}

/// Enqueues until `expected` notifications have been queued in total.
async fn enqueue_all(store: &dyn Store, tenant: TenantId, expected: u64) -> u64 {
    support::enqueue_until(expected, "notifications", async || {
        store.enqueue_pushes(tenant, now(), 100).await.unwrap()
    })
    .await
}

async fn claim(store: &dyn Store, tenant: TenantId, at: DateTime<Utc>) -> Vec<ClaimedPush> {
    store.claim_pushes(tenant, at, LEASE, 100).await.unwrap()
}

async fn report(
    store: &dyn Store,
    claimed: &ClaimedPush,
    at: DateTime<Utc>,
    result: AttemptResult,
) -> PushReport {
    let r = PushReport::new(claimed, at, result, 500);
    assert!(store.finish_push(claimed.tenant_id, &r).await.unwrap());
    r
}

async fn devices_are_registered_per_user_with_audit_but_no_keys(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await.id;
    let ada = support::user(&*store, tenant, Role::Admin, "ada").await;
    let bo = support::user(&*store, tenant, Role::Staff, "bo").await;
    assert!(!store.push_tenants().await.unwrap().contains(&tenant));

    let phone = register(&*store, tenant, ada, device("phone")).await;
    assert_eq!(phone.user_id, ada);
    assert_eq!(phone.endpoint, endpoint("phone"));
    assert_eq!((phone.created_at, phone.updated_at), (now(), now()));
    assert!(
        store.push_tenants().await.unwrap().contains(&tenant),
        "the worker visits the tenant"
    );
    // The app registers again on every start: nothing is written.
    let events = store.event_count(tenant).await.unwrap();
    let again = store
        .register_push_subscription(
            tenant,
            ada,
            device("phone"),
            &Actor::User(ada),
            now() + Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(again, phone);
    assert_eq!(store.event_count(tenant).await.unwrap(), events);
    // New keys for the same endpoint: updated in place.
    let rekeyed = store
        .register_push_subscription(
            tenant,
            ada,
            NewPushSubscription {
                keys: PushKeys::parse(P256DH, OTHER_AUTH).unwrap(),
                ..device("phone")
            },
            &Actor::User(ada),
            now(),
        )
        .await
        .unwrap();
    assert_eq!((rekeyed.id, rekeyed.user_id), (phone.id, ada));
    // The browser's next user signs in: the endpoint moves to them.
    let moved = register(&*store, tenant, bo, device("phone")).await;
    assert_eq!((moved.id, moved.user_id), (phone.id, bo));
    assert!(
        store
            .push_subscriptions(tenant, ada)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.push_subscriptions(tenant, bo).await.unwrap(),
        vec![moved.clone()]
    );
    let laptop = register(&*store, tenant, ada, device("laptop")).await;
    assert_eq!(
        store.push_subscriptions(tenant, ada).await.unwrap(),
        vec![laptop.clone()]
    );

    // Only its user may unregister a device; unknown endpoints change nothing.
    let events = store.event_count(tenant).await.unwrap();
    for (who, which) in [(ada, "phone"), (bo, "laptop"), (ada, "nowhere")] {
        let removed = store
            .unregister_push_subscription(tenant, who, &endpoint(which), &Actor::User(who), now())
            .await
            .unwrap();
        assert!(!removed, "{which}");
    }
    assert_eq!(store.event_count(tenant).await.unwrap(), events);
    assert!(
        store
            .unregister_push_subscription(tenant, bo, &endpoint("phone"), &Actor::User(bo), now())
            .await
            .unwrap()
    );
    assert!(
        store
            .push_subscriptions(tenant, bo)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.push_tenants().await.unwrap().contains(&tenant));
    assert!(
        store
            .unregister_push_subscription(
                tenant,
                ada,
                &endpoint("laptop"),
                &Actor::User(ada),
                now()
            )
            .await
            .unwrap()
    );
    assert!(
        !store.push_tenants().await.unwrap().contains(&tenant),
        "no device left: the worker no longer visits the tenant"
    );

    // The audit trail of the moved device, and what the events say.
    let audit = store
        .audit_entries(tenant, phone.id.as_uuid())
        .await
        .unwrap();
    let trail: Vec<(&str, String)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.to_string()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("register", format!("user:{ada}")),
            ("register", format!("user:{ada}")),
            ("register", format!("user:{bo}")),
            ("unregister", format!("user:{bo}")),
        ]
    );
    assert_eq!(audit[2].metadata["before"]["user_id"], ada.to_string());
    assert_eq!(audit[2].metadata["after"]["user_id"], bo.to_string());
    let events = support::settled_events(&*store, tenant).await;
    let kinds: Vec<EventKind> = events
        .iter()
        .filter(|e| e.entity_id == phone.id.as_uuid())
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::PushSubscriptionRegistered,
            EventKind::PushSubscriptionRegistered,
            EventKind::PushSubscriptionRegistered,
            EventKind::PushSubscriptionUnregistered,
        ]
    );
    let last = events
        .iter()
        .rfind(|e| e.entity_id == phone.id.as_uuid())
        .unwrap();
    assert_eq!(last.payload["push_service"], "https://push.example.org");
    assert_eq!(last.payload["reason"], "unregistered");
    let all_audit = [
        audit,
        store
            .audit_entries(tenant, laptop.id.as_uuid())
            .await
            .unwrap(),
    ]
    .concat();
    let written = format!("{all_audit:?} {events:?}");
    for secret in [P256DH, AUTH, OTHER_AUTH, "/send/phone", "/send/laptop"] {
        assert!(!written.contains(secret), "{secret} leaked: {written}");
    }

    // Unknown users, and the per-user limit: the device registered longest ago
    // makes room for a new one.
    let unknown = store
        .register_push_subscription(tenant, UserId::new(), device("x"), &Actor::System, now())
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );
    let mut first = None;
    for i in 0..MAX_SUBSCRIPTIONS_PER_USER {
        let d = store
            .register_push_subscription(
                tenant,
                ada,
                device(&format!("d{i}")),
                &Actor::User(ada),
                now() + Duration::minutes(i as i64),
            )
            .await
            .unwrap();
        first.get_or_insert(d);
    }
    let newest = register(&*store, tenant, ada, device("newest")).await;
    let mine = store.push_subscriptions(tenant, ada).await.unwrap();
    assert_eq!(mine.len(), MAX_SUBSCRIPTIONS_PER_USER);
    assert!(mine.contains(&newest));
    let first = first.unwrap();
    assert!(!mine.contains(&first), "the oldest was replaced");
    let replaced = store
        .audit_entries(tenant, first.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(replaced[1].metadata["details"]["reason"], "replaced");
}

async fn settings_default_on_and_change_with_audit(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await.id;
    let ada = support::user(&*store, tenant, Role::Admin, "ada").await;
    let bo = support::user(&*store, tenant, Role::Staff, "bo").await;
    assert_eq!(
        store.notification_settings(tenant, ada).await.unwrap(),
        NotificationSettings::default()
    );
    let quiet = NotificationSettingsPatch {
        lock_conflict: Some(false),
        reservation_changed: Some(false),
        ..Default::default()
    };
    let after = store
        .update_notification_settings(tenant, ada, quiet, &Actor::User(ada), now())
        .await
        .unwrap();
    assert!(!after.lock_conflict && !after.reservation_changed);
    assert!(after.no_show && after.reservation_created && after.reservation_canceled);
    assert_eq!(
        store.notification_settings(tenant, ada).await.unwrap(),
        after
    );
    assert_eq!(
        store.notification_settings(tenant, bo).await.unwrap(),
        NotificationSettings::default(),
        "per user"
    );
    // A patch that changes nothing writes nothing.
    let events = store.event_count(tenant).await.unwrap();
    let same = store
        .update_notification_settings(tenant, ada, quiet, &Actor::User(ada), now())
        .await
        .unwrap();
    assert_eq!(same, after);
    assert_eq!(store.event_count(tenant).await.unwrap(), events);
    let back = store
        .update_notification_settings(
            tenant,
            ada,
            NotificationSettingsPatch {
                lock_conflict: Some(true),
                ..Default::default()
            },
            &Actor::User(ada),
            now(),
        )
        .await
        .unwrap();
    assert!(back.lock_conflict && !back.reservation_changed);

    let audit = store.audit_entries(tenant, ada.as_uuid()).await.unwrap();
    let updates: Vec<_> = audit
        .iter()
        .filter(|a| a.entity_type == "notification_settings")
        .collect();
    assert_eq!(updates.len(), 2);
    assert_eq!(
        updates[0].metadata,
        json!({
            "before": { "reservation_changed": true, "lock_conflict": true },
            "after": { "reservation_changed": false, "lock_conflict": false },
        })
    );
    assert_eq!(
        updates[1].metadata,
        json!({ "before": { "lock_conflict": false }, "after": { "lock_conflict": true } })
    );
    let events = support::settled_events(&*store, tenant).await;
    let updated: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::NotificationSettingsUpdated)
        .collect();
    assert_eq!(updated.len(), 2);
    assert_eq!(updated[1].payload["user_id"], ada.to_string());
    assert_eq!(updated[1].payload["settings"]["lock_conflict"], true);

    let unknown = store
        .update_notification_settings(tenant, UserId::new(), quiet, &Actor::System, now())
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );
}

async fn notifications_are_queued_once_for_each_wanted_device(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let owner = support::user(&*store, tenant.id, Role::Owner, "owner").await;
    let staff = support::user(&*store, tenant.id, Role::Staff, "staff").await;
    let viewer = support::user(&*store, tenant.id, Role::Viewer, "viewer").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 2).await;
    let phone = register(&*store, tenant.id, owner, device("owner-phone")).await;
    let laptop = register(&*store, tenant.id, owner, device("owner-laptop")).await;
    let staff_phone = register(&*store, tenant.id, staff, device("staff-phone")).await;
    register(&*store, tenant.id, viewer, device("viewer-phone")).await;
    store
        .update_notification_settings(
            tenant.id,
            staff,
            NotificationSettingsPatch {
                reservation_created: Some(false),
                ..Default::default()
            },
            &Actor::User(staff),
            now(),
        )
        .await
        .unwrap();
    let booked = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(
                cabin.id,
                support::nights("2026-12-10", "2026-12-12"),
                support::party(2, 1),
            ),
            &Actor::User(staff),
        )
        .await
        .unwrap();
    // The owner's two devices; not the staff member's (off), not the viewer's.
    assert_eq!(enqueue_all(&*store, tenant.id, 2).await, 2);
    assert_eq!(
        store
            .enqueue_pushes(tenant.id, now(), 100)
            .await
            .unwrap()
            .deliveries,
        0,
        "nothing new"
    );
    let queued = store.push_deliveries(tenant.id, phone.id).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].kind, queued[0].status, queued[0].attempts),
        (
            NotificationKind::ReservationCreated,
            DeliveryStatus::Pending,
            0
        )
    );
    assert_eq!(queued[0].next_attempt_at, Some(now()));
    assert!(
        store
            .push_deliveries(tenant.id, staff_phone.id)
            .await
            .unwrap()
            .is_empty()
    );

    // A device registered after an event does not get it.
    let late = register(&*store, tenant.id, owner, device("owner-tablet")).await;
    conflict(&*store, tenant.id).await;
    assert_eq!(
        enqueue_all(&*store, tenant.id, 4).await,
        4,
        "three owner devices, staff"
    );
    let late_queue = store.push_deliveries(tenant.id, late.id).await.unwrap();
    let kinds: Vec<_> = late_queue.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, vec![NotificationKind::LockConflict]);

    let claimed = claim(&*store, tenant.id, now()).await;
    assert_eq!(claimed.len(), 6);
    let created: Vec<_> = claimed
        .iter()
        .filter(|c| c.kind == NotificationKind::ReservationCreated)
        .collect();
    let devices: HashSet<_> = created.iter().map(|c| c.subscription_id).collect();
    assert_eq!(devices, HashSet::from([phone.id, laptop.id]));
    for c in &created {
        assert_eq!(c.event.entity_id, booked.id.as_uuid());
        assert_eq!(c.event.payload["id"], booked.id.to_string());
        assert_eq!(c.user_id, owner);
        assert_eq!(c.attempt, 1);
        assert_eq!(c.keys.auth(), AUTH);
        assert_eq!(c.lease_expires_at, now() + LEASE);
    }
}

async fn two_enqueuers_queue_every_notification_exactly_once(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await.id;
    let ada = support::user(&*store, tenant, Role::Admin, "ada").await;
    let bo = support::user(&*store, tenant, Role::Staff, "bo").await;
    let a = register(&*store, tenant, ada, device("a")).await;
    let b = register(&*store, tenant, bo, device("b")).await;
    let count = 40;
    let writers = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..count {
                conflict(&*store, tenant).await;
                // Events that notify nobody are read past too.
                support::unit(
                    &*store,
                    &store.tenant(tenant).await.unwrap().unwrap(),
                    &format!("Cabin {i}"),
                    1,
                    2,
                )
                .await;
            }
        })
    };
    let expected = 2 * count as u64;
    let total = Arc::new(AtomicU64::new(0));
    let mut enqueuers = Vec::new();
    for _ in 0..2 {
        let store = store.clone();
        let total = total.clone();
        enqueuers.push(tokio::spawn(async move {
            for () in support::for_a_while() {
                let done = store.enqueue_pushes(tenant, now(), 7).await.unwrap();
                total.fetch_add(done.deliveries, Ordering::SeqCst);
                if total.load(Ordering::SeqCst) >= expected {
                    return;
                }
                tokio::task::yield_now().await;
            }
        }));
    }
    writers.await.unwrap();
    for e in enqueuers {
        e.await.unwrap();
    }
    assert_eq!(total.load(Ordering::SeqCst), expected);
    for d in [&a, &b] {
        let queued = store.push_deliveries(tenant, d.id).await.unwrap();
        let events: HashSet<_> = queued.iter().map(|q| q.event_id).collect();
        assert_eq!((queued.len(), events.len()), (count, count));
    }
}

async fn two_claimers_never_claim_the_same_notification(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await.id;
    let ada = support::user(&*store, tenant, Role::Admin, "ada").await;
    for name in ["a", "b", "c"] {
        register(&*store, tenant, ada, device(name)).await;
    }
    for _ in 0..20 {
        conflict(&*store, tenant).await;
    }
    let expected = enqueue_all(&*store, tenant, 60).await;
    assert_eq!(expected, 60);
    let mut claimers = Vec::new();
    for _ in 0..2 {
        let store = store.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_pushes(tenant, now(), LEASE, 3).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|c| c.id));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut seen: Vec<PushDeliveryId> = Vec::new();
    let mut per_claimer = Vec::new();
    for c in claimers {
        let mine = c.await.unwrap();
        per_claimer.push(mine.len());
        seen.extend(mine);
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a notification was claimed twice");
    assert_eq!(
        seen.len() as u64,
        expected,
        "claims per claimer: {per_claimer:?}"
    );
    // All leased: nothing is due until the leases lapse.
    assert!(
        claim(&*store, tenant, now() + LEASE - Duration::seconds(1))
            .await
            .is_empty()
    );
    assert_eq!(
        claim(&*store, tenant, now() + LEASE).await.len() as u64,
        expected
    );
}

async fn attempts_retry_on_schedule_and_fail_after_the_bound(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await.id;
    let ada = support::user(&*store, tenant, Role::Admin, "ada").await;
    let phone = register(&*store, tenant, ada, device("phone")).await;
    conflict(&*store, tenant).await;
    enqueue_all(&*store, tenant, 1).await;

    // The first claim's worker goes quiet: once its lease lapses the
    // notification is due again, and the old claim can no longer report.
    let lost = claim(&*store, tenant, now()).await;
    assert_eq!(lost.len(), 1);
    let mut at = now() + LEASE;
    let mut attempt = 1;
    loop {
        let claimed = claim(&*store, tenant, at).await;
        let [c] = claimed.as_slice() else {
            panic!("{claimed:?}")
        };
        attempt += 1;
        assert_eq!(c.attempt, attempt);
        if attempt == 2 {
            let late = PushReport::new(&lost[0], at, AttemptResult::Response(201), 500);
            assert!(!store.finish_push(tenant, &late).await.unwrap());
        }
        let r = report(&*store, c, at, AttemptResult::Response(503)).await;
        let d = &store.push_deliveries(tenant, phone.id).await.unwrap()[0];
        assert_eq!((d.attempts, d.last_status), (attempt, Some(503)));
        assert_eq!(d.last_error.as_deref(), Some("HTTP 503"));
        match r.next {
            PushNext::RetryAt(next) => {
                assert_eq!(d.status, DeliveryStatus::Pending);
                assert_eq!(d.next_attempt_at, Some(next));
                assert!(
                    claim(&*store, tenant, next - Duration::milliseconds(1))
                        .await
                        .is_empty()
                );
                at = next;
            }
            PushNext::Failed => {
                assert_eq!(attempt, MAX_ATTEMPTS);
                assert_eq!(d.status, DeliveryStatus::Failed);
                assert_eq!(d.next_attempt_at, None);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        claim(&*store, tenant, at + Duration::days(1))
            .await
            .is_empty()
    );

    // A worker that dies during the last allowed attempt: failed once it lapses.
    conflict(&*store, tenant).await;
    enqueue_all(&*store, tenant, 1).await;
    let mut at = now();
    loop {
        let c = claim(&*store, tenant, at).await;
        let [c] = c.as_slice() else { panic!("{c:?}") };
        if c.attempt == MAX_ATTEMPTS {
            break;
        }
        report(
            &*store,
            c,
            at,
            AttemptResult::Error("connection refused".into()),
        )
        .await;
        at += Duration::hours(2);
    }
    assert!(claim(&*store, tenant, at + LEASE).await.is_empty());
    let d = &store.push_deliveries(tenant, phone.id).await.unwrap()[0];
    assert_eq!(
        (d.status, d.attempts),
        (DeliveryStatus::Failed, MAX_ATTEMPTS)
    );

    // Delivered and failed notifications are pruned a week after they ended.
    assert_eq!(
        store.push_deliveries(tenant, phone.id).await.unwrap().len(),
        2
    );
    conflict(&*store, tenant).await;
    let later = at + Duration::days(8);
    for _ in 0..5_000 {
        if store
            .enqueue_pushes(tenant, later, 100)
            .await
            .unwrap()
            .deliveries
            == 1
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let left = store.push_deliveries(tenant, phone.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].status, DeliveryStatus::Pending);
}

async fn a_gone_device_is_removed_with_its_queue(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await.id;
    let ada = support::user(&*store, tenant, Role::Admin, "ada").await;
    let phone = register(&*store, tenant, ada, device("phone")).await;
    let laptop = register(&*store, tenant, ada, device("laptop")).await;
    conflict(&*store, tenant).await;
    conflict(&*store, tenant).await;
    enqueue_all(&*store, tenant, 4).await;
    let claimed = claim(&*store, tenant, now()).await;
    assert_eq!(claimed.len(), 4);
    let phone_claims: Vec<_> = claimed
        .iter()
        .filter(|c| c.subscription_id == phone.id)
        .collect();
    let r = report(
        &*store,
        phone_claims[0],
        now(),
        AttemptResult::Response(410),
    )
    .await;
    assert_eq!(r.next, PushNext::Gone);
    assert_eq!(
        store.push_subscriptions(tenant, ada).await.unwrap(),
        vec![laptop.clone()]
    );
    assert!(
        store
            .push_deliveries(tenant, phone.id)
            .await
            .unwrap()
            .is_empty()
    );
    // The phone's other claim cannot settle anything any more.
    let orphan = PushReport::new(phone_claims[1], now(), AttemptResult::Response(201), 500);
    assert!(!store.finish_push(tenant, &orphan).await.unwrap());
    let audit = store
        .audit_entries(tenant, phone.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit[1].action, "unregister");
    assert_eq!(audit[1].actor, Actor::System);
    assert_eq!(
        audit[1].metadata["details"],
        json!({ "reason": "gone", "response_status": 410 })
    );
    // 404 too; the last device gone, the worker stops visiting the tenant.
    for c in claimed
        .iter()
        .filter(|c| c.subscription_id == laptop.id)
        .take(1)
    {
        let r = report(&*store, c, now(), AttemptResult::Response(404)).await;
        assert_eq!(r.next, PushNext::Gone);
    }
    assert!(
        store
            .push_subscriptions(tenant, ada)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.push_tenants().await.unwrap().contains(&tenant));
    // Registering again starts afresh: no old event is queued for it.
    let back = register(&*store, tenant, ada, device("phone")).await;
    assert_ne!(back.id, phone.id);
    assert_eq!(
        store
            .enqueue_pushes(tenant, now(), 100)
            .await
            .unwrap()
            .deliveries,
        0
    );
}

async fn another_tenant_sees_no_device_setting_or_notification(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let alpine = support::tenant(&*store, "alpine-cabins").await.id;
    let harbor = support::tenant(&*store, "harbor-hotel").await.id;
    let ada = support::user(&*store, alpine, Role::Admin, "ada").await;
    let hal = support::user(&*store, harbor, Role::Admin, "hal").await;
    // The same browser signed in to both tenants: one device in each.
    let in_alpine = register(&*store, alpine, ada, device("shared")).await;
    let in_harbor = register(&*store, harbor, hal, device("shared")).await;
    assert_ne!(in_alpine.id, in_harbor.id);
    // A user of one tenant is unknown in the other.
    let foreign = store
        .register_push_subscription(harbor, ada, device("x"), &Actor::User(ada), now())
        .await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound { .. })),
        "{foreign:?}"
    );
    assert!(
        store
            .push_subscriptions(harbor, ada)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .unregister_push_subscription(
                harbor,
                ada,
                &endpoint("shared"),
                &Actor::User(ada),
                now()
            )
            .await
            .unwrap()
    );
    let foreign = store
        .update_notification_settings(
            harbor,
            ada,
            NotificationSettingsPatch {
                no_show: Some(false),
                ..Default::default()
            },
            &Actor::User(ada),
            now(),
        )
        .await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound { .. })),
        "{foreign:?}"
    );

    conflict(&*store, alpine).await;
    conflict(&*store, harbor).await;
    conflict(&*store, harbor).await;
    enqueue_all(&*store, alpine, 1).await;
    enqueue_all(&*store, harbor, 2).await;
    assert!(
        store
            .push_deliveries(harbor, in_alpine.id)
            .await
            .unwrap()
            .is_empty()
    );
    let alpine_claims = claim(&*store, alpine, now()).await;
    assert_eq!(alpine_claims.len(), 1);
    assert!(
        alpine_claims
            .iter()
            .all(|c| c.subscription_id == in_alpine.id
                && c.tenant_id == alpine
                && c.event.tenant_id == alpine)
    );
    let harbor_claims = claim(&*store, harbor, now()).await;
    assert_eq!(harbor_claims.len(), 2);
    assert!(
        harbor_claims
            .iter()
            .all(|c| c.subscription_id == in_harbor.id)
    );
    // A report under the wrong tenant touches nothing, a 410 included.
    for status in [201, 410] {
        let r = PushReport::new(
            &alpine_claims[0],
            now(),
            AttemptResult::Response(status),
            500,
        );
        assert!(!store.finish_push(harbor, &r).await.unwrap());
    }
    assert_eq!(
        store.push_subscriptions(alpine, ada).await.unwrap(),
        vec![in_alpine.clone()]
    );
    assert_eq!(
        store.push_deliveries(alpine, in_alpine.id).await.unwrap()[0].status,
        DeliveryStatus::Pending
    );
}
