//! Calendar syncs on both stores: one sync per unit and source, audited; a
//! worker's claim leases due syncs (two claimers at once never share one, a
//! lease that ran out is claimable again); a fetch's record imports what it
//! brought and schedules the next fetch (the interval after a success, a
//! growing back-off after failures); a calendar that cannot be imported is a
//! failed fetch that keeps the blocks; removing a sync keeps or clears its
//! blocks in the same transaction; other tenants see and touch nothing; with
//! a secrets key a sync's URL is stored sealed, and no audit entry or event
//! carries it; a worker's pass visits only tenants that may have a sync due.

use berth_core::clock::Clock as _;
use berth_core::ical::sync::{CalendarSync, SyncInterval, SyncOutcome, SyncStatus};
use berth_core::ical::sync_commands::Fetched;
use berth_core::ids::{CalendarSyncId, UnitId};
use berth_core::{Engine, ErrorCode};
use chrono::Duration;
use std::sync::Arc;

use crate::support::{self, Backend, World, staff as admin, world};

on_both_stores!(
    a_sync_is_added_once_per_unit_and_source,
    claims_lease_due_syncs_and_reports_schedule_the_next_fetch,
    concurrent_claims_never_share_a_sync,
    a_calendar_that_cannot_be_imported_keeps_the_blocks,
    removing_a_sync_keeps_or_clears_its_blocks,
    other_tenants_see_and_touch_nothing,
    urls_are_sealed_at_rest,
    only_tenants_with_a_sync_due_are_visited,
    concurrent_sync_writers_never_hide_a_due_tenant,
);

/// A calendar of one all-day event.
fn calendar(uid: &str, first: &str, end: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTART;VALUE=DATE:{first}\r\nDTEND;VALUE=DATE:{end}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn fetched(ics: String, etag: &str) -> Fetched {
    Fetched::Calendar {
        ics,
        etag: Some(etag.into()),
        last_modified: None,
    }
}

impl World {
    async fn add(
        &self,
        unit: UnitId,
        source: &str,
    ) -> Result<CalendarSync, berth_core::EngineError> {
        self.engine
            .add_calendar_sync(
                self.tenant.id,
                unit,
                format!("https://calendars.example.org/{source}.ics?s=secret")
                    .parse()
                    .unwrap(),
                source.parse().unwrap(),
                SyncInterval::from_minutes(60).unwrap(),
                &admin(),
            )
            .await
    }

    async fn claim(&self) -> Vec<CalendarSync> {
        self.engine
            .claim_calendar_syncs(self.tenant.id, 10, Duration::minutes(2))
            .await
            .unwrap()
    }

    async fn sources(&self, unit: UnitId) -> Vec<(String, String)> {
        self.engine
            .calendar_blocks(self.tenant.id, unit)
            .await
            .unwrap()
            .into_iter()
            .map(|b| (b.source.as_str().to_owned(), b.uid))
            .collect()
    }

    /// Claims the one due sync and records a fetch of a one-stay calendar.
    async fn claim_and_import(&self) {
        let claimed = self.claim().await;
        self.engine
            .finish_calendar_sync(
                &claimed[0],
                fetched(calendar("a@x", "20261210", "20261215"), "\"v1\""),
            )
            .await
            .unwrap();
    }

    async fn sync(&self, id: CalendarSyncId) -> CalendarSync {
        self.store
            .calendar_sync(self.tenant.id, id)
            .await
            .unwrap()
            .expect("sync")
    }
}

async fn a_sync_is_added_once_per_unit_and_source(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let other = support::unit(&*w.store, &w.tenant, "Pine", 1, 4).await;
    let sync = w.add(cabin.id, "airbnb").await.unwrap();
    assert_eq!(sync.next_fetch_at, support::start_instant(), "due at once");
    assert_eq!((sync.failures, sync.last_status), (0, None));
    assert_eq!(
        w.add(cabin.id, "airbnb").await.unwrap_err().code(),
        ErrorCode::Conflict
    );
    w.add(cabin.id, "booking.com").await.unwrap();
    w.add(other.id, "airbnb").await.unwrap();
    assert_eq!(
        w.add(UnitId::new(), "airbnb").await.unwrap_err().code(),
        ErrorCode::NotFound
    );
    let of_cabin = w
        .engine
        .calendar_syncs(w.tenant.id, Some(cabin.id))
        .await
        .unwrap();
    assert_eq!(
        of_cabin
            .iter()
            .map(|s| s.source.as_str())
            .collect::<Vec<_>>(),
        ["airbnb", "booking.com"]
    );
    assert_eq!(
        w.engine
            .calendar_syncs(w.tenant.id, None)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        w.engine
            .calendar_syncs(w.tenant.id, Some(UnitId::new()))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    let audit = w
        .store
        .audit_entries(w.tenant.id, sync.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "add_calendar_sync");
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    let added: Vec<_> = events
        .iter()
        .filter(|e| e.kind.as_str() == "calendar_sync.added")
        .collect();
    assert_eq!(added.len(), 3);
    // Events reach viewers and webhooks: never the URL and its secret.
    for event in added {
        assert!(event.payload["source"].is_string(), "{}", event.payload);
        assert!(
            !event.payload.to_string().contains("secret"),
            "{}",
            event.payload
        );
    }
    // Nor does the audit log: the URL's host only.
    let audited = audit[0].metadata.to_string();
    assert!(!audited.contains("s=secret"), "{audited}");
    assert_eq!(
        audit[0].metadata["after"]["url_host"],
        "calendars.example.org"
    );
}

async fn claims_lease_due_syncs_and_reports_schedule_the_next_fetch(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let sync = w.add(cabin.id, "airbnb").await.unwrap();

    let claimed = w.claim().await;
    assert_eq!(claimed.len(), 1);
    assert!(w.claim().await.is_empty(), "leased");

    // A calendar: imported as the sync's source, next fetch an interval later.
    let (kept, outcome) = w
        .engine
        .finish_calendar_sync(
            &claimed[0],
            fetched(calendar("a@x", "20261210", "20261215"), "\"v1\""),
        )
        .await
        .unwrap();
    assert!(kept);
    assert!(matches!(
        outcome,
        SyncOutcome::Imported {
            blocks: 1,
            removed: 0,
            ..
        }
    ));
    assert_eq!(w.sources(cabin.id).await, [("airbnb".into(), "a@x".into())]);
    let after = w.sync(sync.id).await;
    let now = support::start_instant();
    assert_eq!(after.last_status, Some(SyncStatus::Imported));
    assert_eq!(after.last_success_at, Some(now));
    assert_eq!(after.next_fetch_at, now + Duration::minutes(60));
    assert_eq!(after.etag.as_deref(), Some("\"v1\""));
    assert!(w.claim().await.is_empty(), "not due before the interval");

    // An hour on: unchanged (304) keeps the validators.
    w.clock.advance(Duration::minutes(60));
    let claimed = w.claim().await;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].etag.as_deref(), Some("\"v1\""), "sent back");
    w.engine
        .finish_calendar_sync(&claimed[0], Fetched::NotModified)
        .await
        .unwrap();
    let unchanged = w.sync(sync.id).await;
    assert_eq!(unchanged.last_status, Some(SyncStatus::NotModified));
    assert_eq!(unchanged.etag.as_deref(), Some("\"v1\""));

    // Failures: counted, retried sooner, blocks and last success kept.
    w.clock.advance(Duration::minutes(60));
    let claimed = w.claim().await;
    w.engine
        .finish_calendar_sync(&claimed[0], Fetched::Failed("HTTP 503".into()))
        .await
        .unwrap();
    let failed = w.sync(sync.id).await;
    assert_eq!(failed.last_status, Some(SyncStatus::Failed));
    assert_eq!(failed.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(failed.failures, 1);
    assert_eq!(failed.last_success_at, Some(now + Duration::minutes(60)));
    assert_eq!(failed.next_fetch_at, w.clock.now() + Duration::minutes(5));
    assert_eq!(w.sources(cabin.id).await.len(), 1);

    // A claim whose worker never reports comes due again after its lease.
    w.clock.advance(Duration::minutes(5));
    assert_eq!(w.claim().await.len(), 1);
    assert!(w.claim().await.is_empty());
    w.clock.advance(Duration::minutes(2));
    assert_eq!(w.claim().await.len(), 1, "the lease ran out");

    // Asking for a fetch makes it due now, never later.
    let claimed = w.claim().await;
    assert!(claimed.is_empty());
    let hurried = w
        .engine
        .request_calendar_sync(w.tenant.id, sync.id, &admin())
        .await
        .unwrap();
    assert!(hurried.next_fetch_at <= w.clock.now());
}

async fn concurrent_claims_never_share_a_sync(backend: Backend) {
    let w = world(backend).await;
    let mut units = Vec::new();
    for i in 0..6 {
        let unit = support::unit(&*w.store, &w.tenant, &format!("Cabin {i}"), 1, 4).await;
        w.add(unit.id, "airbnb").await.unwrap();
        units.push(unit);
    }
    let claim = |engine: Engine, tenant| async move {
        engine
            .claim_calendar_syncs(tenant, 4, Duration::minutes(2))
            .await
            .unwrap()
    };
    let (a, b) = tokio::join!(
        claim(w.engine.clone(), w.tenant.id),
        claim(w.engine.clone(), w.tenant.id)
    );
    let mut ids: Vec<_> = a.iter().chain(&b).map(|s| s.id).collect();
    assert_eq!(ids.len(), 6, "{} + {}", a.len(), b.len());
    ids.sort_by_key(|id| id.as_uuid());
    ids.dedup();
    assert_eq!(ids.len(), 6, "no sync claimed twice");
}

async fn a_calendar_that_cannot_be_imported_keeps_the_blocks(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let sync = w.add(cabin.id, "airbnb").await.unwrap();
    w.claim_and_import().await;
    w.engine
        .request_calendar_sync(w.tenant.id, sync.id, &admin())
        .await
        .unwrap();
    let claimed = w.claim().await;
    let (_, outcome) = w
        .engine
        .finish_calendar_sync(&claimed[0], fetched("<html>login</html>".into(), "\"v2\""))
        .await
        .unwrap();
    let SyncOutcome::Failed(why) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(why.contains("not imported"), "{why}");
    let after = w.sync(sync.id).await;
    assert_eq!(after.last_status, Some(SyncStatus::Failed));
    assert_eq!(
        after.etag.as_deref(),
        Some("\"v1\""),
        "validators of the last import"
    );
    assert_eq!(w.sources(cabin.id).await, [("airbnb".into(), "a@x".into())]);
}

async fn removing_a_sync_keeps_or_clears_its_blocks(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    w.engine
        .import_calendar(
            w.tenant.id,
            cabin.id,
            &calendar("own@x", "20261201", "20261203"),
            "import".parse().unwrap(),
            &admin(),
        )
        .await
        .unwrap();
    let sync = w.add(cabin.id, "airbnb").await.unwrap();
    w.claim_and_import().await;
    let removed = w
        .engine
        .remove_calendar_sync(w.tenant.id, sync.id, false, &admin())
        .await
        .unwrap();
    assert_eq!(removed.id, sync.id);
    assert_eq!(w.sources(cabin.id).await.len(), 2, "blocks kept");
    assert_eq!(
        w.engine
            .remove_calendar_sync(w.tenant.id, sync.id, false, &admin())
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );

    let sync = w.add(cabin.id, "airbnb").await.unwrap();
    w.claim_and_import().await;
    w.engine
        .remove_calendar_sync(w.tenant.id, sync.id, true, &admin())
        .await
        .unwrap();
    assert_eq!(
        w.sources(cabin.id).await,
        [("import".into(), "own@x".into())],
        "only the sync's source cleared"
    );
    let audit = w
        .store
        .audit_entries(w.tenant.id, sync.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "remove_calendar_sync");
    assert_eq!(last.metadata["after"]["blocks_removed"], 1);

    // A fetch that ends after its sync was removed records nothing.
    let sync = w.add(cabin.id, "airbnb").await.unwrap();
    let claimed = w.claim().await;
    w.engine
        .remove_calendar_sync(w.tenant.id, sync.id, false, &admin())
        .await
        .unwrap();
    let (kept, _) = w
        .engine
        .finish_calendar_sync(&claimed[0], Fetched::NotModified)
        .await
        .unwrap();
    assert!(!kept);
}

async fn other_tenants_see_and_touch_nothing(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let sync = w.add(cabin.id, "airbnb").await.unwrap();
    let other = support::tenant(&*w.store, "harbor-hotel").await;
    let engine = &w.engine;
    assert!(
        engine
            .calendar_syncs(other.id, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        engine
            .calendar_syncs(other.id, Some(cabin.id))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        engine
            .remove_calendar_sync(other.id, sync.id, true, &admin())
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        engine
            .request_calendar_sync(other.id, sync.id, &admin())
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        engine
            .add_calendar_sync(
                other.id,
                cabin.id,
                "https://x.example.org/a.ics".parse().unwrap(),
                "airbnb".parse().unwrap(),
                SyncInterval::DEFAULT,
                &admin(),
            )
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert!(
        engine
            .claim_calendar_syncs(other.id, 10, Duration::minutes(2))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        w.store
            .calendar_sync(other.id, sync.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(w.claim().await.len(), 1, "still the owner's");
}

async fn urls_are_sealed_at_rest(backend: Backend) {
    use berth_core::ical::sync::NewCalendarSync;
    use berth_core::store::StoreError;

    let (plain, sealed, wrong) = support::sealed_stores(backend, 5, 6).await;
    let tenant = support::tenant(&*sealed, "alpine-cabins").await;
    let unit = support::unit(&*sealed, &tenant, "Birch", 1, 4).await;
    let url = "https://www.airbnb.com/calendar/ical/42.ics?s=5ecret";
    let new = NewCalendarSync {
        unit_id: unit.id,
        source: "airbnb".parse().unwrap(),
        url: url.parse().unwrap(),
        interval: SyncInterval::DEFAULT,
    };
    let sync = sealed
        .add_calendar_sync(tenant.id, new, &admin(), support::start_instant())
        .await
        .unwrap();
    // The keyed store reads it back, in every read and in the worker's claim.
    let read = sealed
        .calendar_sync(tenant.id, sync.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.url.as_str(), url);
    let claimed = sealed
        .claim_calendar_syncs(
            tenant.id,
            support::start_instant(),
            support::start_instant() + Duration::minutes(2),
            10,
        )
        .await
        .unwrap();
    assert_eq!(claimed[0].url.as_str(), url);
    // Without the key, or with another, the row does not open: it is sealed.
    for store in [&plain, &wrong] {
        let err = store.calendar_sync(tenant.id, sync.id).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }
    // Nothing else written carries it.
    for event in support::settled_events(&*sealed, tenant.id).await {
        assert!(
            !event.payload.to_string().contains("5ecret"),
            "{}",
            event.payload
        );
    }
    let audit = sealed
        .audit_entries(tenant.id, sync.id.as_uuid())
        .await
        .unwrap();
    assert!(!audit[0].metadata.to_string().contains("5ecret"));
}

async fn only_tenants_with_a_sync_due_are_visited(backend: Backend) {
    let w = world(backend).await;
    let harbor = support::tenant(&*w.store, "harbor-hotel").await;
    let idle = support::unit(&*w.store, &harbor, "Room", 1, 2).await;
    let unit = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let due = || async {
        w.store
            .calendar_sync_tenants_due(w.clock.now(), 100)
            .await
            .unwrap()
    };
    assert_eq!(due().await, vec![], "no tenant has a sync");

    let sync = w.add(unit.id, "airbnb").await.unwrap();
    assert_eq!(due().await, vec![w.tenant.id], "a new sync is due at once");
    // Claimed: not due while its lease (2 minutes) holds.
    assert_eq!(w.claim().await.len(), 1);
    assert_eq!(due().await, vec![]);
    w.clock.advance(Duration::minutes(1));
    assert_eq!(due().await, vec![]);
    // Its worker died: due again when the lease ends, and claimable.
    w.clock.advance(Duration::minutes(2));
    assert_eq!(due().await, vec![w.tenant.id]);
    let claimed = w.claim().await;
    assert_eq!(claimed.len(), 1);
    // Fetched: due again after its interval (an hour), not before.
    w.engine
        .finish_calendar_sync(
            &claimed[0],
            fetched(calendar("a@x", "20261210", "20261215"), "\"v1\""),
        )
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(59));
    assert_eq!(due().await, vec![]);
    w.clock.advance(Duration::minutes(1));
    assert_eq!(due().await, vec![w.tenant.id]);
    assert_eq!(w.claim().await.len(), 1);
    assert_eq!(due().await, vec![]);
    // Asked for by hand: due at once.
    w.engine
        .request_calendar_sync(w.tenant.id, sync.id, &admin())
        .await
        .unwrap();
    assert_eq!(due().await, vec![w.tenant.id]);
    // Removed: the tenant may still be named once; its empty claim drops it.
    w.engine
        .remove_calendar_sync(w.tenant.id, sync.id, false, &admin())
        .await
        .unwrap();
    assert!(w.claim().await.is_empty());
    assert_eq!(due().await, vec![]);
    w.clock.advance(Duration::days(2));
    assert_eq!(due().await, vec![]);
    // The other tenant, without syncs, was never due; its claims find nothing.
    let claims = w
        .engine
        .claim_calendar_syncs(harbor.id, 10, Duration::minutes(2))
        .await
        .unwrap();
    assert!(claims.is_empty() && idle.tenant_id == harbor.id);
}

async fn concurrent_sync_writers_never_hide_a_due_tenant(backend: Backend) {
    let w = Arc::new(world(backend).await);
    let mut units = Vec::new();
    for i in 0..6 {
        units.push(support::unit(&*w.store, &w.tenant, &format!("Cabin {i}"), 1, 4).await);
    }
    let first = w.add(units[0].id, "airbnb").await.unwrap();
    for (round, unit) in units.iter().enumerate().skip(1) {
        // At once: a new sync, a fetch asked for by hand, and a worker's claim
        // and record (each takes the tenant's mark in its own order of events).
        let adder = {
            let (w, unit) = (w.clone(), unit.id);
            tokio::spawn(async move { w.add(unit, "airbnb").await.map(|_| ()) })
        };
        let asker = {
            let w = w.clone();
            tokio::spawn(async move {
                w.engine
                    .request_calendar_sync(w.tenant.id, first.id, &admin())
                    .await
                    .map(|_| ())
            })
        };
        let worker = {
            let w = w.clone();
            tokio::spawn(async move {
                for sync in w.claim().await {
                    w.engine
                        .finish_calendar_sync(&sync, Fetched::NotModified)
                        .await?;
                }
                Ok::<_, berth_core::EngineError>(())
            })
        };
        for task in [adder, asker, worker] {
            task.await.unwrap().unwrap();
        }
        // Whatever the order, a sync due now makes the tenant due now.
        let syncs = w.engine.calendar_syncs(w.tenant.id, None).await.unwrap();
        let now = w.clock.now();
        let due = w.store.calendar_sync_tenants_due(now, 10).await.unwrap();
        if syncs.iter().any(|s| s.next_fetch_at <= now) {
            assert_eq!(due, vec![w.tenant.id], "round {round}: {syncs:?}");
        }
        w.clock.advance(Duration::minutes(1));
    }
}
