//! Staff blocks on both stores: a unit taken out of service refuses bookings,
//! period changes and quotes like an imported block (same-day turnover with
//! the stays around it still works) and counts as unavailable in occupancy; it
//! keeps its reason and author, is audited and announced; it is refused over
//! an active reservation (naming it) and over another session's lock; imports
//! never touch it and only staff blocks can be lifted; the tenant's blocks of
//! a range are one read.

use berth_core::analytics::DateSpan;
use berth_core::engine::QuoteRequest;
use berth_core::event::EventKind;
use berth_core::ical::block::CalendarBlock;
use berth_core::ical::staff::BlockUnit;
use berth_core::ids::{CalendarBlockId, UnitId};
use berth_core::lock::SessionId;
use berth_core::lock_commands::LockTarget;
use berth_core::policy::PeriodRequest;
use berth_core::store::ClientRef;
use berth_core::time_range::TimeRange;
use berth_core::{EngineError, ErrorCode};
use chrono::{DateTime, Duration, Utc};

use crate::support::{self, Backend, World, nights, staff, world};

on_both_stores!(
    a_staff_block_refuses_bookings_changes_and_quotes,
    a_staff_block_is_audited_announced_and_lifted,
    a_block_over_an_active_reservation_is_refused_naming_it,
    a_block_over_another_sessions_lock_is_locked,
    imports_never_touch_staff_blocks_and_imported_ones_are_not_lifted_here,
    block_periods_are_checked_and_read_by_range,
    blocks_count_as_unavailable_in_occupancy,
);

fn instant(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn block(unit: UnitId, period: PeriodRequest, reason: &str) -> BlockUnit {
    BlockUnit {
        unit_id: unit,
        period,
        reason: reason.parse().unwrap(),
        by_name: "staff@alpine.example.org".into(),
    }
}

impl World {
    async fn block(
        &self,
        unit: UnitId,
        period: PeriodRequest,
        reason: &str,
    ) -> Result<CalendarBlock, EngineError> {
        self.engine
            .block_unit(self.tenant.id, block(unit, period, reason), &staff())
            .await
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, EngineError>) -> ErrorCode {
    r.expect_err("refused").code()
}

async fn a_staff_block_refuses_bookings_changes_and_quotes(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let rooms = support::unit(&*w.store, &w.tenant, "Rooms", 3, 2).await;
    let b = w
        .block(cabin.id, nights("2026-12-10", "2026-12-15"), "new roof")
        .await
        .expect("block");
    // What a stay of those nights would occupy: 15:00 to 10:00 in Oslo.
    assert_eq!(b.range.start(), instant("2026-12-10T14:00:00Z"));
    assert_eq!(b.range.end(), instant("2026-12-15T09:00:00Z"));
    assert_eq!(
        (b.first_day, b.end_day),
        (
            Some("2026-12-10".parse().unwrap()),
            Some("2026-12-15".parse().unwrap())
        )
    );
    for (a, z) in [
        ("2026-12-09", "2026-12-11"),
        ("2026-12-12", "2026-12-13"),
        ("2026-12-14", "2026-12-16"),
    ] {
        assert_eq!(
            code(w.book(cabin.id, a, z).await),
            ErrorCode::Unavailable,
            "{a}..{z}"
        );
    }
    // Same-day turnover on both sides.
    let before = w.book(cabin.id, "2026-12-08", "2026-12-10").await.unwrap();
    w.book(cabin.id, "2026-12-15", "2026-12-17").await.unwrap();
    let moved = w
        .engine
        .change_period(
            w.tenant.id,
            support::change_period(before.id, nights("2026-12-08", "2026-12-11")),
            &staff(),
        )
        .await;
    assert_eq!(code(moved), ErrorCode::Unavailable);
    let quote = w
        .engine
        .quote(
            w.tenant.id,
            QuoteRequest {
                unit_id: cabin.id,
                period: nights("2026-12-11", "2026-12-12"),
                party: support::party(1, 1),
            },
        )
        .await
        .unwrap();
    assert!(!quote.available);
    assert!(quote.violations.is_empty(), "capacity, not a rule");
    assert!(!quote.overridable, "no override beats capacity");
    // A block takes every item of a unit with several.
    w.block(rooms.id, nights("2026-12-20", "2026-12-21"), "painting")
        .await
        .unwrap();
    assert_eq!(
        code(w.book(rooms.id, "2026-12-20", "2026-12-21").await),
        ErrorCode::Unavailable
    );
}

async fn a_staff_block_is_audited_announced_and_lifted(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let actor = staff();
    let events_before = support::settled_events(&*w.store, w.tenant.id).await.len();
    let b = w
        .engine
        .block_unit(
            w.tenant.id,
            block(
                cabin.id,
                nights("2026-12-10", "2026-12-12"),
                "  owner's week ",
            ),
            &actor,
        )
        .await
        .unwrap();
    assert!(b.is_manual());
    assert_eq!(b.source.as_str(), "@staff");
    assert_eq!(b.reason.as_ref().unwrap().as_str(), "owner's week");
    assert_eq!(b.created_by.as_ref(), Some(&actor));
    assert_eq!(
        b.created_by_name.as_deref(),
        Some("staff@alpine.example.org")
    );
    // Read back as written, by unit, by id and by range.
    let listed = w
        .engine
        .calendar_blocks(w.tenant.id, cabin.id)
        .await
        .unwrap();
    assert_eq!(listed, vec![b.clone()]);
    assert_eq!(
        w.store.calendar_block(w.tenant.id, b.id).await.unwrap(),
        Some(b.clone())
    );
    // One audit entry by the actor, one event, in the same transaction.
    let audit = w
        .store
        .audit_entries(w.tenant.id, b.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].entity_type.as_str(), audit[0].action.as_str()),
        ("block", "create")
    );
    assert_eq!(audit[0].actor, actor);
    assert_eq!(audit[0].metadata["after"]["reason"], "owner's week");
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    assert_eq!(events.len(), events_before + 1);
    let created = events.last().unwrap();
    assert_eq!(created.kind, EventKind::BlockCreated);
    assert_eq!(created.entity_id, b.id.as_uuid());
    let decoded: CalendarBlock = serde_json::from_value(created.payload.clone()).unwrap();
    assert_eq!(decoded, b, "the event carries the block");

    // Lifting it frees the nights again.
    let lifted = w
        .engine
        .unblock_unit(w.tenant.id, b.id, &actor)
        .await
        .unwrap();
    assert_eq!(lifted, b);
    assert!(
        w.engine
            .calendar_blocks(w.tenant.id, cabin.id)
            .await
            .unwrap()
            .is_empty()
    );
    w.book(cabin.id, "2026-12-10", "2026-12-12").await.unwrap();
    let audit = w
        .store
        .audit_entries(w.tenant.id, b.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit.last().unwrap().action, "remove");
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::BlockRemoved && e.entity_id == b.id.as_uuid())
    );
    // Lifting it again: there is nothing to lift.
    assert_eq!(
        code(w.engine.unblock_unit(w.tenant.id, b.id, &actor).await),
        ErrorCode::NotFound
    );
}

async fn a_block_over_an_active_reservation_is_refused_naming_it(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let stay = w
        .engine
        .create_reservation(
            w.tenant.id,
            berth_core::engine::CreateReservation {
                client: ClientRef::New(support::new_client("Ada Lovelace", None)),
                ..support::stay(cabin.id, "2026-12-10", "2026-12-12")
            },
            &staff(),
        )
        .await
        .unwrap();
    let events = support::settled_events(&*w.store, w.tenant.id).await.len();
    let refused = w
        .block(cabin.id, nights("2026-12-11", "2026-12-14"), "repairs")
        .await
        .expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::Unavailable);
    match &refused {
        EngineError::Occupied {
            reservation_id,
            message,
            ..
        } => {
            assert_eq!(*reservation_id, stay.id);
            assert!(message.contains(&stay.id.to_string()), "{message}");
            assert!(message.contains("Ada Lovelace"), "{message}");
            assert!(message.contains("2026-12-10 to 2026-12-12"), "{message}");
        }
        other => panic!("expected Occupied, got {other:?}"),
    }
    assert_eq!(
        support::settled_events(&*w.store, w.tenant.id).await.len(),
        events,
        "nothing written"
    );
    // Touching it (check-out day) is fine: same-day turnover.
    w.block(cabin.id, nights("2026-12-12", "2026-12-14"), "repairs")
        .await
        .expect("starts on the departure day");
    // A canceled stay is in no one's way.
    w.engine
        .cancel(w.tenant.id, stay.id, None, None, &staff())
        .await
        .unwrap();
    w.block(cabin.id, nights("2026-12-09", "2026-12-12"), "repairs")
        .await
        .expect("the stay is canceled");
}

async fn a_block_over_another_sessions_lock_is_locked(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let ada = w.engine.for_session("ws:ada".parse::<SessionId>().unwrap());
    let bob = w.engine.for_session("ws:bob".parse::<SessionId>().unwrap());
    let target = LockTarget::Unit {
        unit_id: cabin.id,
        period: Some(nights("2026-12-10", "2026-12-12")),
    };
    ada.acquire_lock(w.tenant.id, target, &staff(), "ada", Duration::seconds(60))
        .await
        .unwrap();
    let refused = bob
        .block_unit(
            w.tenant.id,
            block(cabin.id, nights("2026-12-11", "2026-12-13"), "repairs"),
            &staff(),
        )
        .await;
    match refused {
        Err(EngineError::Locked(lock)) => assert_eq!(lock.holder.display_name, "ada"),
        other => panic!("expected LOCKED, got {other:?}"),
    }
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    assert_eq!(events.last().unwrap().kind, EventKind::LockConflict);
    // The holder's own lock does not block it.
    ada.block_unit(
        w.tenant.id,
        block(cabin.id, nights("2026-12-11", "2026-12-13"), "repairs"),
        &staff(),
    )
    .await
    .expect("own lock");
}

async fn imports_never_touch_staff_blocks_and_imported_ones_are_not_lifted_here(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let staff_block = w
        .block(cabin.id, nights("2026-12-01", "2026-12-03"), "owner")
        .await
        .unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@x\r\n\
               DTSTART;VALUE=DATE:20261220\r\nDTEND;VALUE=DATE:20261222\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let import = w
        .engine
        .import_calendar(
            w.tenant.id,
            cabin.id,
            ics,
            "import".parse().unwrap(),
            &staff(),
        )
        .await
        .unwrap();
    let imported = import.blocks[0].clone();
    assert!(!imported.is_manual());
    assert_eq!(imported.reason, None);
    // An empty import of the same source clears only that source.
    let empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n";
    w.engine
        .import_calendar(
            w.tenant.id,
            cabin.id,
            empty,
            "import".parse().unwrap(),
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(
        w.engine
            .calendar_blocks(w.tenant.id, cabin.id)
            .await
            .unwrap(),
        vec![staff_block.clone()]
    );
    // An imported block is its import's to remove.
    let again = w
        .engine
        .import_calendar(
            w.tenant.id,
            cabin.id,
            ics,
            "airbnb".parse().unwrap(),
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(
        code(
            w.engine
                .unblock_unit(w.tenant.id, again.blocks[0].id, &staff())
                .await
        ),
        ErrorCode::InvalidInput
    );
    // Another tenant's block, or none: NOT_FOUND.
    let other = support::tenant(&*w.store, "summit-tours").await;
    assert_eq!(
        code(
            w.engine
                .unblock_unit(other.id, staff_block.id, &staff())
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        w.store
            .calendar_block(other.id, staff_block.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        code(
            w.engine
                .unblock_unit(w.tenant.id, CalendarBlockId::new(), &staff())
                .await
        ),
        ErrorCode::NotFound
    );
    // Blocking another tenant's unit is NOT_FOUND too.
    assert_eq!(
        code(
            w.engine
                .block_unit(
                    other.id,
                    block(cabin.id, nights("2026-12-05", "2026-12-06"), "x"),
                    &staff()
                )
                .await
        ),
        ErrorCode::NotFound
    );
}

async fn block_periods_are_checked_and_read_by_range(backend: Backend) {
    let w = world(backend).await;
    let birch = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let aspen = support::unit(&*w.store, &w.tenant, "Aspen", 1, 4).await;
    // Over already: refused. Reversed: refused. Too long: refused.
    assert_eq!(
        code(
            w.block(birch.id, nights("2026-10-01", "2026-10-03"), "x")
                .await
        ),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        code(
            w.block(birch.id, nights("2026-12-03", "2026-12-01"), "x")
                .await
        ),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        code(
            w.block(birch.id, nights("2027-01-01", "2030-06-01"), "x")
                .await
        ),
        ErrorCode::InvalidInput
    );
    // Instants on any model: blocked as given.
    let timed = w
        .block(
            aspen.id,
            PeriodRequest::Interval {
                start: instant("2026-12-05T08:00:00Z"),
                end: instant("2026-12-05T12:00:00Z"),
            },
            "boiler service",
        )
        .await
        .unwrap();
    assert_eq!(timed.range.start(), instant("2026-12-05T08:00:00Z"));
    assert_eq!((timed.first_day, timed.end_day), (None, None));
    let days = w
        .block(birch.id, nights("2026-12-04", "2026-12-06"), "painting")
        .await
        .unwrap();
    let late = w
        .block(birch.id, nights("2026-12-20", "2026-12-22"), "owner")
        .await
        .unwrap();
    let imported = w
        .engine
        .import_calendar(
            w.tenant.id,
            aspen.id,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:i@x\r\n\
             DTSTART;VALUE=DATE:20261203\r\nDTEND;VALUE=DATE:20261204\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "import".parse().unwrap(),
            &staff(),
        )
        .await
        .unwrap()
        .blocks
        .remove(0);
    // Every unit and source, by start; nothing outside the range.
    let range = TimeRange::new(
        instant("2026-12-01T00:00:00Z"),
        instant("2026-12-10T00:00:00Z"),
    )
    .unwrap();
    let found = w
        .engine
        .blocks_overlapping(w.tenant.id, &range)
        .await
        .unwrap();
    assert_eq!(found, vec![imported, days, timed.clone()]);
    assert!(!found.contains(&late));
    // Ranges are half-open: a block ending where the range starts is out.
    let after = TimeRange::new(timed.range.end(), instant("2026-12-06T00:00:00Z")).unwrap();
    let found = w
        .engine
        .blocks_overlapping(w.tenant.id, &after)
        .await
        .unwrap();
    assert!(!found.iter().any(|b| b.id == timed.id));
    // Another tenant sees none of them.
    let other = support::tenant(&*w.store, "summit-tours").await;
    assert!(
        w.engine
            .blocks_overlapping(other.id, &range)
            .await
            .unwrap()
            .is_empty()
    );
    let _ = &w.clock;
}

async fn blocks_count_as_unavailable_in_occupancy(backend: Backend) {
    let w = world(backend).await;
    let mut cabins = Vec::new();
    for name in ["A", "B", "C", "D", "E"] {
        cabins.push(support::unit(&*w.store, &w.tenant, name, 1, 4).await);
    }
    for cabin in &cabins[..3] {
        w.book(cabin.id, "2026-12-24", "2026-12-25").await.unwrap();
    }
    w.block(
        cabins[4].id,
        nights("2026-12-24", "2026-12-26"),
        "burst pipe",
    )
    .await
    .unwrap();
    let day: chrono::NaiveDate = "2026-12-24".parse().unwrap();
    let span = DateSpan::new(day, day.succ_opt().unwrap()).unwrap();
    let report = w.engine.occupancy(w.tenant.id, span, true).await.unwrap();
    let eve = &report.days[0].total;
    assert_eq!(
        (eve.occupied, eve.capacity, eve.blocked),
        (3, 4, 1),
        "3 of 4"
    );
    let christmas = &report.days[1].total;
    assert_eq!(
        (christmas.occupied, christmas.capacity, christmas.blocked),
        (0, 4, 1)
    );
    let stats = w.engine.stats(w.tenant.id, span).await.unwrap();
    assert_eq!(stats.current.occupancy.blocked, 2);
    assert_eq!(stats.current.occupancy.capacity, 8);
    let view = w.engine.day(w.tenant.id, day).await.unwrap();
    assert_eq!(view.occupancy.total.blocked, 1);
}
