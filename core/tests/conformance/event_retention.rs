//! Event retention on both databases: old events go only once every reader
//! (an active webhook here) has passed them; the store remembers how far
//! deletion went, and a resume from before that point is refused while one
//! from after it reads on; newer events stay.

use berth_core::audit::Actor;
use berth_core::event::EventCursor;
use berth_core::webhook::{EventFilters, NewWebhook, WebhookSecret};
use berth_core::{Engine, ErrorCode};
use chrono::Duration;

use crate::support::{self, Backend};

on_both_stores!(old_events_go_once_every_reader_passed_them);

async fn enqueue_all(engine: &Engine, tenant: berth_core::ids::TenantId) {
    let store = engine.store();
    for _ in 0..5_000 {
        let done = store
            .enqueue_deliveries(tenant, support::start_instant(), 100)
            .await
            .unwrap();
        if done.events > 0 && !done.more {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("nothing to queue");
}

async fn old_events_go_once_every_reader_passed_them(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let other = support::tenant(&*store, "harbor-hotel").await;
    store
        .create_webhook(
            tenant.id,
            NewWebhook {
                url: "https://hooks.example.org/berth".parse().unwrap(),
                events: EventFilters::parse(&["*"]).unwrap(),
                secret: WebhookSecret::generate(),
            },
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    for name in ["Birch", "Aspen", "Pine"] {
        support::unit(&*store, &tenant, name, 1, 2).await;
    }
    support::unit(&*store, &other, "Room", 1, 2).await;
    let theirs = support::settled_events(&*store, other.id).await.len();
    let keep = Duration::days(30);
    clock.advance(Duration::days(40));
    let old = support::settled_events(&*store, tenant.id).await;
    assert!(old.len() >= 3);

    // The webhook has not queued the units' events yet: only what came
    // before it (the tenant's own events) goes.
    let first = engine.prune_events(tenant.id, keep).await.unwrap();
    let units = |events: &[berth_core::event::Event]| {
        events
            .iter()
            .filter(|e| e.kind.as_str() == "unit.created")
            .count()
    };
    let left = support::settled_events(&*store, tenant.id).await;
    assert_eq!(units(&left), 3, "{left:?}");
    assert_eq!(first as usize + left.len(), old.len());
    enqueue_all(&engine, tenant.id).await;
    // Queued: every old event up to the webhook's position goes.
    let pruned = engine.prune_events(tenant.id, keep).await.unwrap();
    assert_eq!(first + pruned, old.len() as u64, "{old:?}");
    let mark = store
        .events_pruned_through(tenant.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mark, old.last().unwrap().cursor);
    assert_eq!(engine.prune_events(tenant.id, keep).await.unwrap(), 0);

    // Newer events stay and are read on from the mark; older cursors are refused.
    support::unit(&*store, &tenant, "Spruce", 1, 2).await;
    let kept = support::settled_events(&*store, tenant.id).await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    engine.check_resumable(tenant.id, mark).await.unwrap();
    let refused = engine
        .check_resumable(tenant.id, old[0].cursor)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.to_string().contains("after"), "{refused}");
    engine
        .check_resumable(other.id, EventCursor::START)
        .await
        .unwrap();

    // Another tenant's events are its own (no reader, too young): untouched.
    assert_eq!(
        support::settled_events(&*store, other.id).await.len(),
        theirs
    );
}
