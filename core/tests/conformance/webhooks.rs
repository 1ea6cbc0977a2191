//! Webhooks at the store boundary, on both databases: definitions with their
//! audit entries and events (never the secret); deliveries queued from the outbox
//! exactly once per matching webhook, also with two enqueuers at once; each due
//! delivery claimed once, also with two claimers at once; retries, leases and the
//! attempt bound; an admin's retry of failed deliveries; deletion; and tenant
//! isolation.

use std::collections::HashSet;
use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::event::EventKind;
use berth_core::ids::{DeliveryId, TenantId};
use berth_core::store::{Store, StoreError};
use berth_core::webhook::{
    AttemptReport, AttemptResult, ClaimedDelivery, DeliveryPage, DeliveryStatus, EventFilters,
    MAX_ATTEMPTS, MAX_WEBHOOKS_PER_TENANT, NewWebhook, NextStep, Webhook, WebhookSecret,
};
use chrono::{DateTime, Duration, Utc};

use crate::support::{self, Backend};

on_both_stores!(
    webhooks_are_created_listed_and_deleted_with_audit_but_no_secret,
    events_are_queued_once_for_each_matching_webhook,
    two_enqueuers_queue_every_event_exactly_once,
    two_claimers_never_claim_the_same_delivery,
    attempts_retry_on_schedule_and_fail_after_the_bound,
    a_lapsed_lease_is_claimed_again_and_the_old_claim_cannot_report,
    deleting_a_webhook_fails_its_pending_deliveries,
    another_tenant_sees_no_webhook_and_no_delivery,
    signing_secrets_are_sealed_at_rest,
    finished_deliveries_are_pruned_with_their_attempts,
    failed_deliveries_get_one_more_attempt_when_an_admin_retries,
);

const LEASE: Duration = Duration::seconds(60);

fn now() -> DateTime<Utc> {
    support::start_instant()
}

fn new_webhook(filters: &[&str]) -> NewWebhook {
    NewWebhook {
        url: "https://hooks.example.org/berth".parse().unwrap(),
        events: EventFilters::parse(filters).unwrap(),
        secret: WebhookSecret::generate(),
    }
}

async fn webhook(store: &dyn Store, tenant: TenantId, filters: &[&str]) -> Webhook {
    store
        .create_webhook(tenant, new_webhook(filters), &Actor::System, now())
        .await
        .unwrap()
}

fn page() -> DeliveryPage {
    DeliveryPage {
        before: None,
        limit: 200,
    }
}

/// Enqueues until `expected` deliveries have been queued in total.
async fn enqueue_all(store: &dyn Store, tenant: TenantId, expected: u64) -> u64 {
    support::enqueue_until(expected, "deliveries", async || {
        store.enqueue_deliveries(tenant, now(), 100).await.unwrap()
    })
    .await
}

async fn claim(store: &dyn Store, tenant: TenantId, at: DateTime<Utc>) -> Vec<ClaimedDelivery> {
    store
        .claim_deliveries(tenant, at, LEASE, 100)
        .await
        .unwrap()
}

async fn report(
    store: &dyn Store,
    claimed: &ClaimedDelivery,
    at: DateTime<Utc>,
    result: AttemptResult,
) -> AttemptReport {
    let r = AttemptReport::new(claimed, at, result, 500);
    assert!(store.finish_attempt(claimed.tenant_id, &r).await.unwrap());
    r
}

async fn webhooks_are_created_listed_and_deleted_with_audit_but_no_secret(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let secret = WebhookSecret::generate();
    let created = store
        .create_webhook(
            tenant.id,
            NewWebhook {
                secret: secret.clone(),
                ..new_webhook(&["reservation.*", "unit.created"])
            },
            &Actor::System,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        created.events.to_strings(),
        vec!["reservation.*", "unit.created"]
    );
    assert_eq!(
        store.webhook(tenant.id, created.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store.webhooks(tenant.id, false).await.unwrap(),
        vec![created.clone()]
    );
    assert!(
        store.webhook_tenants().await.unwrap().contains(&tenant.id),
        "the worker visits the tenant"
    );

    let deleted = store
        .delete_webhook(
            tenant.id,
            created.id,
            &Actor::System,
            now() + Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(deleted.deleted_at, Some(now() + Duration::hours(1)));
    // Deleting again changes nothing and writes nothing.
    let events_before = store.event_count(tenant.id).await.unwrap();
    let again = store
        .delete_webhook(
            tenant.id,
            created.id,
            &Actor::System,
            now() + Duration::hours(2),
        )
        .await
        .unwrap();
    assert_eq!(again, deleted);
    assert_eq!(store.event_count(tenant.id).await.unwrap(), events_before);
    assert!(store.webhooks(tenant.id, false).await.unwrap().is_empty());
    assert_eq!(
        store.webhooks(tenant.id, true).await.unwrap(),
        vec![deleted.clone()]
    );
    assert!(!store.webhook_tenants().await.unwrap().contains(&tenant.id));

    let audit = store
        .audit_entries(tenant.id, created.id.as_uuid())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "delete"]);
    let events = support::settled_events(&*store, tenant.id).await;
    let kinds: Vec<EventKind> = events
        .iter()
        .filter(|e| e.entity_id == created.id.as_uuid())
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![EventKind::WebhookCreated, EventKind::WebhookDeleted]
    );
    let exposed = secret.expose();
    let raw = exposed.trim_start_matches("whsec_");
    let written = format!("{audit:?} {events:?}");
    assert!(!written.contains(raw), "the secret leaked: {written}");
    assert!(written.contains("hooks.example.org"));

    // Unknown tenants and the per-tenant bound.
    let unknown = store
        .create_webhook(TenantId::new(), new_webhook(&["*"]), &Actor::System, now())
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );
    for _ in 0..MAX_WEBHOOKS_PER_TENANT {
        webhook(&*store, tenant.id, &["*"]).await;
    }
    let over = store
        .create_webhook(tenant.id, new_webhook(&["*"]), &Actor::System, now())
        .await;
    assert!(matches!(over, Err(StoreError::Refused(_))), "{over:?}");
}

async fn events_are_queued_once_for_each_matching_webhook(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let before = support::unit(&*store, &tenant, "Before", 1, 2).await;
    let reservations = webhook(&*store, tenant.id, &["reservation.*"]).await;
    let units = webhook(&*store, tenant.id, &["unit.created"]).await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 2).await;
    let booked = engine
        .create_reservation(
            tenant.id,
            support::admin_booking(
                cabin.id,
                support::nights("2026-12-10", "2026-12-12"),
                support::party(2, 1),
            ),
            &Actor::System,
        )
        .await
        .unwrap();
    assert_eq!(enqueue_all(&*store, tenant.id, 2).await, 2);
    // Nothing new: another pass queues nothing.
    let again = store
        .enqueue_deliveries(tenant.id, now(), 100)
        .await
        .unwrap();
    assert_eq!(again.deliveries, 0);

    let to_units = store
        .webhook_deliveries(tenant.id, units.id, page())
        .await
        .unwrap();
    assert_eq!(to_units.len(), 1, "not the unit created before the webhook");
    assert_eq!(to_units[0].event_kind, EventKind::UnitCreated);
    assert_eq!(to_units[0].status, DeliveryStatus::Pending);
    assert_eq!(to_units[0].attempts, 0);
    assert_eq!(to_units[0].next_attempt_at, Some(now()));
    let to_reservations = store
        .webhook_deliveries(tenant.id, reservations.id, page())
        .await
        .unwrap();
    assert_eq!(to_reservations.len(), 1);
    assert_eq!(to_reservations[0].event_kind, EventKind::ReservationCreated);

    let claimed = claim(&*store, tenant.id, now()).await;
    assert_eq!(claimed.len(), 2);
    let r = claimed
        .iter()
        .find(|c| c.webhook_id == reservations.id)
        .unwrap();
    assert_eq!(r.event.entity_id, booked.id.as_uuid());
    assert_eq!(r.event.payload["id"], booked.id.to_string());
    assert_eq!(r.attempt, 1);
    assert_eq!(r.url.as_str(), "https://hooks.example.org/berth");
    assert!(
        claimed
            .iter()
            .all(|c| c.event.entity_id != before.id.as_uuid())
    );
}

async fn two_enqueuers_queue_every_event_exactly_once(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let all = webhook(&*store, tenant.id, &["*"]).await;
    let units = webhook(&*store, tenant.id, &["unit.*"]).await;
    let count = 40;
    let writers = {
        let store = store.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move {
            for i in 0..count {
                support::unit(&*store, &tenant, &format!("Cabin {i}"), 1, 2).await;
            }
        })
    };
    // `*` also gets the creation of the webhook made after it.
    let expected = 2 * count as u64 + 1;
    let total = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut enqueuers = Vec::new();
    for _ in 0..2 {
        let store = store.clone();
        let total = total.clone();
        let tenant = tenant.id;
        enqueuers.push(tokio::spawn(async move {
            use std::sync::atomic::Ordering;
            for () in support::for_a_while() {
                let done = store.enqueue_deliveries(tenant, now(), 7).await.unwrap();
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
    assert_eq!(
        total.load(std::sync::atomic::Ordering::SeqCst),
        expected,
        "the enqueuers together reported every delivery once"
    );
    for (w, n) in [(&all, count + 1), (&units, count)] {
        let log = store
            .webhook_deliveries(tenant.id, w.id, page())
            .await
            .unwrap();
        let events: HashSet<_> = log.iter().map(|d| d.event_id).collect();
        assert_eq!(log.len(), n, "{:?}", w.events);
        assert_eq!(events.len(), n);
        // Queued in stream order: the log (newest first) runs backwards.
        let cursors: Vec<_> = log.iter().map(|d| d.event_cursor).collect();
        let mut sorted = cursors.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(cursors, sorted);
    }
}

async fn two_claimers_never_claim_the_same_delivery(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    webhook(&*store, tenant.id, &["*"]).await;
    webhook(&*store, tenant.id, &["unit.created"]).await;
    for i in 0..30 {
        support::unit(&*store, &tenant, &format!("Cabin {i}"), 1, 2).await;
    }
    // 30 units to each, and to `*` the other webhook's creation too.
    let expected = enqueue_all(&*store, tenant.id, 61).await;
    assert_eq!(expected, 61);
    let mut claimers = Vec::new();
    for _ in 0..2 {
        let store = store.clone();
        let tenant = tenant.id;
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim_deliveries(tenant, now(), LEASE, 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|c| c.id));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut seen: Vec<DeliveryId> = Vec::new();
    let mut per_claimer = Vec::new();
    for c in claimers {
        let mine = c.await.unwrap();
        per_claimer.push(mine.len());
        seen.extend(mine);
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a delivery was claimed twice");
    assert_eq!(
        seen.len() as u64,
        expected,
        "claims per claimer: {per_claimer:?}"
    );
    // All leased: nothing is due until the leases lapse.
    assert!(
        claim(&*store, tenant.id, now() + LEASE - Duration::seconds(1))
            .await
            .is_empty()
    );
    assert_eq!(
        claim(&*store, tenant.id, now() + LEASE).await.len() as u64,
        expected
    );
}

async fn attempts_retry_on_schedule_and_fail_after_the_bound(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let hook = webhook(&*store, tenant.id, &["unit.created"]).await;
    support::unit(&*store, &tenant, "Birch", 1, 2).await;
    enqueue_all(&*store, tenant.id, 1).await;

    let mut at = now();
    for attempt in 1..=MAX_ATTEMPTS {
        let claimed = claim(&*store, tenant.id, at).await;
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempt, attempt);
        let finished = at + Duration::milliseconds(250);
        let r = report(&*store, &claimed[0], finished, AttemptResult::Response(503)).await;
        let log = store
            .webhook_deliveries(tenant.id, hook.id, page())
            .await
            .unwrap();
        let d = &log[0];
        assert_eq!(d.attempts, attempt);
        assert_eq!(d.attempt_log.len() as u32, attempt);
        let last = d.last_attempt().unwrap();
        assert_eq!(
            (last.number, last.started_at, last.finished_at),
            (attempt, at, Some(finished))
        );
        assert_eq!(last.response_status, Some(503));
        assert_eq!(last.error.as_deref(), Some("HTTP 503"));
        match r.next {
            NextStep::RetryAt(next) => {
                assert!(attempt < MAX_ATTEMPTS);
                assert_eq!(d.status, DeliveryStatus::Pending);
                assert_eq!(d.next_attempt_at, Some(next));
                // Not before it is due.
                assert!(
                    claim(&*store, tenant.id, next - Duration::milliseconds(1))
                        .await
                        .is_empty()
                );
                at = next;
            }
            NextStep::Failed => {
                assert_eq!(attempt, MAX_ATTEMPTS);
                assert_eq!(d.status, DeliveryStatus::Failed);
                assert_eq!(d.next_attempt_at, None);
            }
            NextStep::Delivered => unreachable!(),
        }
    }
    assert!(
        claim(&*store, tenant.id, at + Duration::days(30))
            .await
            .is_empty()
    );
    // The waits grew: every gap is at least three times the one before.
    let log = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap();
    let starts: Vec<_> = log[0].attempt_log.iter().map(|a| a.started_at).collect();
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.windows(2).all(|g| g[1] >= g[0] * 3), "{gaps:?}");

    // A second event is delivered at the first attempt.
    support::unit(&*store, &tenant, "Aspen", 1, 2).await;
    enqueue_all(&*store, tenant.id, 1).await;
    let claimed = claim(&*store, tenant.id, now()).await;
    assert_eq!(claimed.len(), 1);
    report(&*store, &claimed[0], now(), AttemptResult::Response(200)).await;
    let log = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].status, log[0].attempts, log[0].next_attempt_at),
        (DeliveryStatus::Delivered, 1, None)
    );
    // Paging: newest first, then the older one.
    let older = store
        .webhook_deliveries(
            tenant.id,
            hook.id,
            DeliveryPage {
                before: Some(log[0].id),
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].id, log[1].id);
}

async fn a_lapsed_lease_is_claimed_again_and_the_old_claim_cannot_report(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let hook = webhook(&*store, tenant.id, &["unit.created"]).await;
    support::unit(&*store, &tenant, "Birch", 1, 2).await;
    enqueue_all(&*store, tenant.id, 1).await;
    let first = claim(&*store, tenant.id, now()).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].lease_expires_at, now() + LEASE);
    // The first worker goes quiet; once its lease lapses the delivery is due again.
    let second = claim(&*store, tenant.id, now() + LEASE).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempt, 2);
    let late = AttemptReport::new(&first[0], now() + LEASE, AttemptResult::Response(200), 500);
    assert!(
        !store.finish_attempt(tenant.id, &late).await.unwrap(),
        "a lapsed claim cannot settle the delivery"
    );
    report(
        &*store,
        &second[0],
        now() + LEASE,
        AttemptResult::Error("connection refused".into()),
    )
    .await;
    let d = &store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap()[0];
    assert_eq!(d.status, DeliveryStatus::Pending);
    assert_eq!(d.attempts, 2);
    let errors: Vec<_> = d.attempt_log.iter().map(|a| a.error.clone()).collect();
    assert_eq!(errors, vec![None, Some("connection refused".into())]);
    assert_eq!(
        d.attempt_log[0].response_status,
        Some(200),
        "the late attempt is logged"
    );

    // A worker that dies during the last allowed attempt: failed once it lapses.
    let mut at = now() + LEASE;
    loop {
        at += Duration::days(1);
        let c = claim(&*store, tenant.id, at).await;
        let [c] = c.as_slice() else { panic!("{c:?}") };
        if c.attempt == MAX_ATTEMPTS {
            break;
        }
        report(&*store, c, at, AttemptResult::Response(500)).await;
    }
    assert!(claim(&*store, tenant.id, at + LEASE).await.is_empty());
    let d = &store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap()[0];
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert_eq!(d.attempts, MAX_ATTEMPTS);
    assert_eq!(d.last_attempt().unwrap().finished_at, None);
}

async fn deleting_a_webhook_fails_its_pending_deliveries(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let doomed = webhook(&*store, tenant.id, &["unit.*"]).await;
    let kept = webhook(&*store, tenant.id, &["unit.created"]).await;
    support::unit(&*store, &tenant, "Birch", 1, 2).await;
    enqueue_all(&*store, tenant.id, 2).await;
    let in_flight = claim(&*store, tenant.id, now()).await;
    assert_eq!(in_flight.len(), 2);
    store
        .delete_webhook(tenant.id, doomed.id, &Actor::System, now())
        .await
        .unwrap();
    let log = store
        .webhook_deliveries(tenant.id, doomed.id, page())
        .await
        .unwrap();
    assert_eq!(log.len(), 1, "the log of a deleted webhook stays readable");
    assert_eq!(log[0].status, DeliveryStatus::Failed);
    // Its in-flight attempt can no longer settle it; the other webhook's can.
    for c in &in_flight {
        let r = AttemptReport::new(c, now(), AttemptResult::Response(200), 500);
        let held = store.finish_attempt(tenant.id, &r).await.unwrap();
        assert_eq!(held, c.webhook_id == kept.id);
    }
    // New events reach only the remaining webhook.
    support::unit(&*store, &tenant, "Aspen", 1, 2).await;
    enqueue_all(&*store, tenant.id, 1).await;
    let claimed = claim(&*store, tenant.id, now()).await;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].webhook_id, kept.id);
    assert!(store.webhook_tenants().await.unwrap().contains(&tenant.id));
    store
        .delete_webhook(tenant.id, kept.id, &Actor::System, now())
        .await
        .unwrap();
    assert!(!store.webhook_tenants().await.unwrap().contains(&tenant.id));
}

async fn another_tenant_sees_no_webhook_and_no_delivery(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let alpine = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let a = webhook(&*store, alpine.id, &["unit.created"]).await;
    let h = webhook(&*store, harbor.id, &["unit.created"]).await;
    support::unit(&*store, &alpine, "Birch", 1, 2).await;
    support::unit(&*store, &harbor, "Room 1", 1, 2).await;
    support::unit(&*store, &harbor, "Room 2", 1, 2).await;
    enqueue_all(&*store, alpine.id, 1).await;
    enqueue_all(&*store, harbor.id, 2).await;

    assert_eq!(store.webhook(harbor.id, a.id).await.unwrap(), None);
    assert_eq!(
        store.webhooks(harbor.id, true).await.unwrap(),
        vec![h.clone()]
    );
    let foreign = store.webhook_deliveries(harbor.id, a.id, page()).await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound { .. })),
        "{foreign:?}"
    );
    let foreign = store
        .delete_webhook(harbor.id, a.id, &Actor::System, now())
        .await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound { .. })),
        "{foreign:?}"
    );
    assert_eq!(
        store
            .webhook(alpine.id, a.id)
            .await
            .unwrap()
            .unwrap()
            .deleted_at,
        None
    );

    let alpine_claims = claim(&*store, alpine.id, now()).await;
    assert_eq!(alpine_claims.len(), 1);
    assert!(alpine_claims.iter().all(|c| c.webhook_id == a.id
        && c.tenant_id == alpine.id
        && c.event.tenant_id == alpine.id));
    let harbor_claims = claim(&*store, harbor.id, now()).await;
    assert_eq!(harbor_claims.len(), 2);
    assert!(harbor_claims.iter().all(|c| c.webhook_id == h.id));
    // A report under the wrong tenant touches nothing.
    let r = AttemptReport::new(&alpine_claims[0], now(), AttemptResult::Response(200), 500);
    assert!(!store.finish_attempt(harbor.id, &r).await.unwrap());
    let log = store
        .webhook_deliveries(alpine.id, a.id, page())
        .await
        .unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Pending);
    assert_eq!(log[0].attempt_log[0].finished_at, None);
}

/// With a secrets key, a webhook's signing secret is stored sealed: the worker's
/// claim reads it back, a store with another key cannot, and a secret stored
/// before sealing (by a store without a key) is still read as it is, until
/// `seal_webhook_secrets` seals it in place.
async fn signing_secrets_are_sealed_at_rest(backend: Backend) {
    let (plain, sealed, wrong) = support::sealed_stores(backend, 3, 4).await;
    let tenant = support::tenant(&*sealed, "alpine-cabins").await;
    let new = new_webhook(&["*"]);
    let secret = new.secret.clone();
    sealed
        .create_webhook(tenant.id, new, &Actor::System, now())
        .await
        .unwrap();
    // One event to deliver.
    support::unit(&*sealed, &tenant, "Birch", 1, 2).await;
    enqueue_all(&*sealed, tenant.id, 1).await;
    let claimed = claim(&*sealed, tenant.id, now()).await;
    assert_eq!(claimed.len(), 1);
    assert!(
        claimed[0].secret == secret,
        "the claim carries the secret as created"
    );
    // Once the lease has lapsed, a store with another key cannot read it.
    let later = now() + LEASE + Duration::seconds(1);
    let err = wrong
        .claim_deliveries(tenant.id, later, LEASE, 100)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");

    // A secret stored without a key (before sealing existed) still signs.
    let other = support::tenant(&*plain, "harbor-hotel").await;
    let old = new_webhook(&["*"]);
    let old_secret = old.secret.clone();
    plain
        .create_webhook(other.id, old, &Actor::System, now())
        .await
        .unwrap();
    support::unit(&*plain, &other, "Room", 1, 2).await;
    enqueue_all(&*sealed, other.id, 1).await;
    let claimed = claim(&*sealed, other.id, now()).await;
    assert!(claimed[0].secret == old_secret);
    // Sealing it in place (what the server does at start): once, then nothing
    // is left; a store without the key can no longer read it, the keyed one can.
    assert_eq!(
        plain.seal_webhook_secrets().await.unwrap(),
        0,
        "no key, nothing done"
    );
    assert_eq!(sealed.seal_webhook_secrets().await.unwrap(), 1);
    assert_eq!(sealed.seal_webhook_secrets().await.unwrap(), 0);
    let later = now() + LEASE + Duration::seconds(1);
    let err = plain
        .claim_deliveries(other.id, later, LEASE, 100)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    // (On PostgreSQL the refused claim may have taken its lease: wait it out.)
    let again = claim(&*sealed, other.id, later + LEASE + Duration::seconds(1)).await;
    assert!(again[0].secret == old_secret);
}

/// Delivered and failed deliveries are deleted with their attempts once old
/// enough, oldest first and a batch at a time; pending ones never; another
/// tenant's never.
async fn finished_deliveries_are_pruned_with_their_attempts(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let other = support::tenant(&*store, "harbor-hotel").await;
    let hook = webhook(&*store, tenant.id, &["unit.*"]).await;
    let other_hook = webhook(&*store, other.id, &["unit.*"]).await;
    for name in ["Birch", "Aspen", "Pine"] {
        support::unit(&*store, &tenant, name, 1, 2).await;
    }
    support::unit(&*store, &other, "Room", 1, 2).await;
    enqueue_all(&*store, tenant.id, 3).await;
    enqueue_all(&*store, other.id, 1).await;
    let claimed = claim(&*store, tenant.id, now()).await;
    assert_eq!(claimed.len(), 3);
    // Two delivered (one a second later), one still in flight.
    report(&*store, &claimed[0], now(), AttemptResult::Response(200)).await;
    let later = now() + Duration::seconds(1);
    report(&*store, &claimed[1], later, AttemptResult::Response(204)).await;
    let theirs = claim(&*store, other.id, now()).await;
    report(&*store, &theirs[0], now(), AttemptResult::Response(200)).await;

    let prune = |before, limit| {
        let store = store.clone();
        async move {
            store
                .prune_webhook_deliveries(tenant.id, before, limit)
                .await
                .unwrap()
        }
    };
    assert_eq!(prune(now(), 100).await, 0, "nothing older than that");
    let everything = now() + berth_core::webhook::KEEP_FINISHED;
    assert_eq!(prune(everything, 1).await, 1, "a batch at a time");
    let log = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter().all(|d| d.id != claimed[0].id),
        "the oldest went first"
    );
    assert_eq!(prune(everything, 100).await, 1);
    assert_eq!(prune(everything, 100).await, 0);
    let log = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, DeliveryStatus::Pending, "pending ones stay");
    let theirs = store
        .webhook_deliveries(other.id, other_hook.id, page())
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1, "another tenant's stay");
}

/// Claims and fails `n` attempts of the tenant's one pending delivery, each
/// when due: the time of the last.
async fn exhaust(store: &dyn Store, tenant: TenantId, n: u32) -> DateTime<Utc> {
    let mut at = now();
    for _ in 0..n {
        let claimed = claim(store, tenant, at).await;
        assert_eq!(claimed.len(), 1);
        let r = report(store, &claimed[0], at, AttemptResult::Response(503)).await;
        if let NextStep::RetryAt(next) = r.next {
            at = next;
        }
    }
    at
}

async fn failed_deliveries_get_one_more_attempt_when_an_admin_retries(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let hook = webhook(&*store, tenant.id, &["unit.created"]).await;
    support::unit(&*store, &tenant, "Birch", 1, 2).await;
    enqueue_all(&*store, tenant.id, 1).await;
    let at = exhaust(&*store, tenant.id, MAX_ATTEMPTS).await;
    let admin = Actor::User(berth_core::ids::UserId::new());

    // Nothing is tried for a failed delivery until an admin asks.
    assert!(
        claim(&*store, tenant.id, at + Duration::days(1))
            .await
            .is_empty()
    );
    let later = at + Duration::hours(2);
    let retried = store
        .retry_failed_webhook_deliveries(tenant.id, hook.id, &admin, later)
        .await
        .unwrap();
    assert_eq!(retried, 1);
    let log = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap();
    assert_eq!(
        (log[0].status, log[0].next_attempt_at),
        (DeliveryStatus::Pending, Some(later))
    );
    // One more attempt, numbered after the last; its failure is final.
    let claimed = claim(&*store, tenant.id, later).await;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempt, MAX_ATTEMPTS + 1);
    assert!(claimed[0].final_attempt);
    let r = report(
        &*store,
        &claimed[0],
        later,
        AttemptResult::Error("refused".into()),
    )
    .await;
    assert_eq!(r.next, NextStep::Failed);
    // Retried again, it succeeds; the log kept every attempt.
    store
        .retry_failed_webhook_deliveries(tenant.id, hook.id, &admin, later)
        .await
        .unwrap();
    let claimed = claim(&*store, tenant.id, later).await;
    assert_eq!(claimed[0].attempt, MAX_ATTEMPTS + 2);
    report(&*store, &claimed[0], later, AttemptResult::Response(204)).await;
    let log = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
    assert_eq!(log[0].attempt_log.len() as u32, MAX_ATTEMPTS + 2);
    // Sent again by hand, though delivered: one more attempt, due now.
    let resent = store
        .resend_webhook_delivery(tenant.id, log[0].id, &admin, later)
        .await
        .unwrap();
    assert_eq!(
        (resent.status, resent.next_attempt_at, resent.attempts),
        (DeliveryStatus::Pending, Some(later), MAX_ATTEMPTS + 2)
    );
    assert_eq!(resent.attempt_log.len() as u32, MAX_ATTEMPTS + 2);
    let err = store
        .resend_webhook_delivery(tenant.id, log[0].id, &admin, later)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "pending already: {err:?}"
    );
    let claimed = claim(&*store, tenant.id, later).await;
    assert_eq!(
        (claimed[0].attempt, claimed[0].final_attempt),
        (MAX_ATTEMPTS + 3, true)
    );
    report(&*store, &claimed[0], later, AttemptResult::Response(200)).await;
    let err = store
        .resend_webhook_delivery(harbor.id, log[0].id, &admin, later)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    // A delivered one is not retried; nor is anything twice.
    assert_eq!(
        store
            .retry_failed_webhook_deliveries(tenant.id, hook.id, &admin, later)
            .await
            .unwrap(),
        0
    );
    // Audited, by the admin.
    let entries = store
        .audit_entries(tenant.id, hook.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "resend_delivery")
            .count(),
        1
    );
    let retries: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "retry_failed_deliveries")
        .map(|e| (e.actor.clone(), e.metadata["deliveries"].as_u64()))
        .collect();
    assert_eq!(
        retries,
        vec![
            (admin.clone(), Some(1)),
            (admin.clone(), Some(1)),
            (admin.clone(), Some(0))
        ]
    );
    // A failed delivery whose event retention deleted cannot be sent again.
    support::unit(&*store, &tenant, "Aspen", 1, 2).await;
    enqueue_all(&*store, tenant.id, 1).await;
    exhaust(&*store, tenant.id, MAX_ATTEMPTS).await;
    let pruned = store
        .prune_events(tenant.id, later + Duration::days(365), 1_000)
        .await
        .unwrap();
    assert!(pruned >= 2, "{pruned}");
    assert_eq!(
        store
            .retry_failed_webhook_deliveries(tenant.id, hook.id, &admin, later)
            .await
            .unwrap(),
        0
    );
    // Nor one whose event is gone, sent by hand.
    let gone = store
        .webhook_deliveries(tenant.id, hook.id, page())
        .await
        .unwrap()[0]
        .id;
    let err = store
        .resend_webhook_delivery(tenant.id, gone, &admin, later)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // Another tenant's admin finds no such webhook; a deleted webhook is not
    // retried.
    let err = store
        .retry_failed_webhook_deliveries(harbor.id, hook.id, &admin, later)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    store
        .delete_webhook(tenant.id, hook.id, &admin, later)
        .await
        .unwrap();
    let err = store
        .retry_failed_webhook_deliveries(tenant.id, hook.id, &admin, later)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}
