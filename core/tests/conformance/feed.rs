//! The live feed: a subscriber that resumes from a cursor replays what it missed
//! and continues live with no gap and no duplicate at the seam, while writers keep
//! committing; a live-only subscriber gets only what happens after it joined.

use std::time::Duration;

use berth_core::audit::Actor;
use berth_core::event::EventCursor;
use berth_core::feed::Feed;
use berth_core::policy::PeriodRequest;
use futures_util::StreamExt;

use crate::support::{self, Backend};

on_both_stores!(resuming_subscribers_get_every_event_exactly_once);

fn night(unit_day: u32) -> PeriodRequest {
    PeriodRequest::Nights {
        check_in: chrono::NaiveDate::from_ymd_opt(2026, 12, unit_day).unwrap(),
        check_out: chrono::NaiveDate::from_ymd_opt(2026, 12, unit_day + 1).unwrap(),
    }
}

async fn resuming_subscribers_get_every_event_exactly_once(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 2).await;
    let tenant_id = tenant.id;
    let unit_id = unit.id;
    let book = move |engine: berth_core::Engine, day: u32| async move {
        let party = support::party(1, 1);
        engine
            .create_reservation(
                tenant_id,
                support::admin_booking(unit_id, night(day), party),
                &Actor::System,
            )
            .await
            .unwrap()
    };
    for day in 1..=3 {
        book(engine.clone(), day).await;
    }
    let history = support::settled_events(&*store, tenant.id).await;
    let resume_at = history[history.len() - 2].cursor;

    let feed = Feed::new(store.clone(), Duration::from_millis(50));
    let live = feed.subscribe(tenant.id, None).await.unwrap();
    let resumed = feed.subscribe(tenant.id, Some(resume_at)).await.unwrap();
    let from_start = feed
        .subscribe(tenant.id, Some(EventCursor::START))
        .await
        .unwrap();
    // Writers keep committing while the subscribers replay.
    let writer_engine = engine.clone();
    let writer = tokio::spawn(async move {
        for day in 4..=12 {
            book(writer_engine.clone(), day).await;
        }
    });
    writer.await.unwrap();
    let all = support::settled_events(&*store, tenant.id).await;
    let after_resume: Vec<_> = all
        .iter()
        .filter(|e| e.cursor > resume_at)
        .map(|e| e.id)
        .collect();
    let new_ones: Vec<_> = all
        .iter()
        .filter(|e| e.cursor > history.last().unwrap().cursor)
        .map(|e| e.id)
        .collect();

    assert_eq!(take(after_resume.len(), resumed).await, after_resume);
    assert_eq!(
        take(all.len(), from_start).await,
        all.iter().map(|e| e.id).collect::<Vec<_>>()
    );
    assert_eq!(take(new_ones.len(), live).await, new_ones);
}

/// The first `n` event ids of a subscription (within 10 s).
async fn take<S>(n: usize, stream: S) -> Vec<berth_core::ids::EventId>
where
    S: futures_util::Stream<
            Item = Result<std::sync::Arc<berth_core::event::Event>, berth_core::store::StoreError>,
        >,
{
    tokio::time::timeout(Duration::from_secs(10), async move {
        futures_util::pin_mut!(stream);
        let mut got = Vec::new();
        while got.len() < n {
            got.push(stream.next().await.unwrap().unwrap().id);
        }
        got
    })
    .await
    .expect("events arrive")
}
