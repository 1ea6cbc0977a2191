//! The outbox as a stream: a reader that resumes from its cursor gets every event
//! exactly once, in order — also while writers commit concurrently, and (on
//! PostgreSQL) when a transaction that took an earlier sequence number commits
//! after a later one; a stream filtered by kinds pages through just those.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use berth_core::audit::Actor;
use berth_core::event::{Event, EventCursor};
use berth_core::policy::{Party, PeriodRequest};
use berth_core::store::EventStore;
use berth_core::store::{PostgresStore, Store};
use sqlx::{Connection, PgConnection};

use crate::support::{self, Backend};

on_both_stores!(
    concurrent_writers_never_make_a_reader_skip_or_repeat,
    a_filtered_stream_pages_through_the_kinds_asked_for,
);

fn nights(day: u32) -> PeriodRequest {
    PeriodRequest::Nights {
        check_in: chrono::NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
        check_out: chrono::NaiveDate::from_ymd_opt(2026, 12, day + 1).unwrap(),
    }
}

fn one() -> Party {
    support::party(1, 1)
}

/// Reads everything after `cursor` in pages of `page`.
async fn drain(
    store: &dyn Store,
    tenant: berth_core::ids::TenantId,
    cursor: &mut EventCursor,
    out: &mut Vec<Event>,
) {
    loop {
        let page = store.events_after(tenant, *cursor, 7).await.unwrap();
        let Some(last) = page.last() else { return };
        *cursor = last.cursor;
        out.extend(page);
    }
}

async fn concurrent_writers_never_make_a_reader_skip_or_repeat(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let mut units = Vec::new();
    for i in 0..4 {
        units.push(support::unit(&*store, &tenant, &format!("Cabin {i}"), 1, 2).await);
    }
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let store = store.clone();
        let done = done.clone();
        let tenant = tenant.id;
        tokio::spawn(async move {
            let mut cursor = EventCursor::START;
            let mut seen = Vec::new();
            while !done.load(Ordering::SeqCst) {
                drain(&*store, tenant, &mut cursor, &mut seen).await;
                tokio::task::yield_now().await;
            }
            // Then until every committed event is read (on PostgreSQL, open
            // transactions elsewhere on the cluster may hold some back a moment).
            loop {
                drain(&*store, tenant, &mut cursor, &mut seen).await;
                if seen.len() as u64 == store.event_count(tenant).await.unwrap() {
                    break seen;
                }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    let mut writers = Vec::new();
    for unit in &units {
        let engine = engine.clone();
        let unit = unit.id;
        let tenant = tenant.id;
        writers.push(tokio::spawn(async move {
            for day in 1..=25 {
                engine
                    .create_reservation(
                        tenant,
                        support::admin_booking(unit, nights(day), one()),
                        &Actor::System,
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let all = support::settled_events(&*store, tenant.id).await;
    assert!(all.len() >= 100, "{}", all.len());
    let ids: Vec<_> = seen.iter().map(|e| e.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no event twice");
    assert_eq!(
        ids,
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        "every event, in order"
    );
    assert!(seen.windows(2).all(|p| p[0].cursor < p[1].cursor));
}

/// A transaction that took an earlier sequence number but commits later: a reader
/// must not pass it by while it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_commit_with_an_earlier_sequence_number_is_not_skipped() {
    if !support::available(
        Backend::Postgres,
        "a_late_commit_with_an_earlier_sequence_number_is_not_skipped",
    ) {
        return;
    }
    let url = berth_core::testing::fresh_postgres_url().await;
    let store = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    // Start after everything committed so far (readable once other tests'
    // transactions on the shared cluster end).
    let settled = support::settled_events(&*store, tenant.id).await;
    let mut cursor = settled.last().map_or(EventCursor::START, |e| e.cursor);

    // A writer takes a sequence number and holds its transaction open...
    let mut slow = PgConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut slow).await.unwrap();
    sqlx::query("SELECT set_config('berth.tenant_id', $1, true)")
        .bind(tenant.id.to_string())
        .execute(&mut slow)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO events (id, tenant_id, kind, entity_id, payload, at) \
         VALUES ($1, $2, 'unit.updated', $3, '{}', now())",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(tenant.id.as_uuid())
    .bind(uuid::Uuid::now_v7())
    .execute(&mut slow)
    .await
    .unwrap();
    // ...while another commits a later one.
    let unit = support::unit(&*store, &tenant, "Cabin", 1, 2).await;
    let early = store.events_after(tenant.id, cursor, 100).await.unwrap();
    assert!(
        early.is_empty(),
        "the later commit must wait for the open transaction: {early:?}"
    );
    sqlx::query("COMMIT").execute(&mut slow).await.unwrap();
    // Both are readable once no older transaction is open anywhere in the
    // cluster (other tests' databases share it).
    let mut seen = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while seen.len() < 2 {
            drain(&*store, tenant.id, &mut cursor, &mut seen).await;
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("both events become readable");
    let kinds: Vec<&str> = seen.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["unit.updated", "unit.created"],
        "both, the earlier transaction first"
    );
    assert_eq!(seen[1].entity_id, unit.id.as_uuid());
    assert!(seen[0].cursor.seq < seen[1].cursor.seq);
}

async fn a_filtered_stream_pages_through_the_kinds_asked_for(backend: Backend) {
    use berth_core::event::EventKind;
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    // Units and clients interleaved: unit, client, unit, client, …
    for i in 0..5 {
        support::unit(&*store, &tenant, &format!("Cabin {i}"), 1, 2).await;
        engine
            .create_client(
                tenant.id,
                support::new_client(&format!("Guest {i}"), None),
                &Actor::System,
            )
            .await
            .unwrap();
    }
    let all = support::settled_events(&*store, tenant.id).await;
    let clients: Vec<_> = all
        .iter()
        .filter(|e| e.kind == EventKind::ClientCreated)
        .map(|e| e.id)
        .collect();
    assert_eq!(clients.len(), 5);
    // Pages of two clients each, never a unit, resuming from the last cursor.
    let mut cursor = EventCursor::START;
    let mut seen = Vec::new();
    loop {
        let page = store
            .events_of_kinds_after(tenant.id, cursor, &[EventKind::ClientCreated], 2)
            .await
            .unwrap();
        assert!(page.iter().all(|e| e.kind == EventKind::ClientCreated));
        let Some(last) = page.last() else { break };
        cursor = last.cursor;
        seen.extend(page.iter().map(|e| e.id));
    }
    assert_eq!(seen, clients);
    // Several kinds at once keep stream order.
    let both = store
        .events_of_kinds_after(
            tenant.id,
            EventCursor::START,
            &[EventKind::UnitCreated, EventKind::ClientCreated],
            100,
        )
        .await
        .unwrap();
    let expected: Vec<_> = all
        .iter()
        .filter(|e| matches!(e.kind, EventKind::UnitCreated | EventKind::ClientCreated))
        .map(|e| e.id)
        .collect();
    assert_eq!(both.iter().map(|e| e.id).collect::<Vec<_>>(), expected);
}
