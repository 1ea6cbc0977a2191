//! The board and the previews on both stores: the board of a range lists the
//! active units by name, every reservation touching it (any state), the blocks
//! and the live locks touching it; timeslot tenants get every slot with its
//! seats taken (reservations and blocks), interval tenants each unit's opening
//! hours. A change's quote is what the change would be, the reservation's own
//! occupancy not counted against it; the refund preview is what a cancellation
//! now would record.

use std::sync::Arc;

use berth_core::engine::ChangePeriod;
use berth_core::ical::staff::BlockUnit;
use berth_core::ids::UnitId;
use berth_core::local_time::local_instant;
use berth_core::lock::SessionId;
use berth_core::lock_commands::LockTarget;
use berth_core::money::{Money, Price, PriceLine};
use berth_core::policy::{
    OccupancyBasis, Party, PeriodRequest, Policy, PolicyContext, PolicyError, ResolvedPeriod,
    Violation,
};
use berth_core::tenant::Tenant;
use berth_core::time_range::TimeRange;
use berth_core::unit::UnitPatch;
use berth_core::{Engine, EngineError, ErrorCode};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use crate::support::{self, Backend, SinglePolicy, date, nights, staff};

on_both_stores!(
    the_board_shows_units_reservations_blocks_and_locks_of_its_range,
    the_board_of_a_timeslot_tenant_counts_seats_per_slot,
    the_board_of_an_interval_tenant_shows_opening_hours,
    a_change_is_quoted_as_it_would_be_made,
    the_refund_preview_is_what_a_cancellation_would_record,
);

fn seats(n: i64) -> Party {
    support::party(n, n)
}

fn code<T: std::fmt::Debug>(r: Result<T, EngineError>) -> ErrorCode {
    r.expect_err("refused").code()
}

fn price(ctx: &PolicyContext<'_>, amount: i64) -> Result<Price, PolicyError> {
    let currency = ctx.tenant.currency;
    Price::from_lines(
        currency,
        vec![PriceLine {
            kind: "base".into(),
            label: "Base".into(),
            amount: Money::new(amount, currency),
        }],
    )
    .map_err(|e| PolicyError::Failed(e.to_string()))
}

/// Tours at 10:00 and 14:00 (tenant-local), two hours each, every day.
#[derive(Debug)]
struct Tours;

impl Tours {
    fn starts() -> [NaiveTime; 2] {
        [
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
        ]
    }
}

impl Policy for Tours {
    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        let PeriodRequest::Slot { start } = period else {
            return Err(PolicyError::InvalidPeriod("give a slot's start".into()));
        };
        let tz = ctx.tenant.timezone;
        let day = start.with_timezone(&tz).date_naive();
        if !Self::starts()
            .iter()
            .any(|t| local_instant(tz, day, *t) == *start)
        {
            return Err(PolicyError::Refused(vec![Violation::new(
                "no_such_slot",
                "no slot starts then",
            )]));
        }
        let range = TimeRange::new(*start, *start + Duration::hours(2)).unwrap();
        Ok(ResolvedPeriod {
            period: range,
            occupied: range,
            check_in: None,
            check_out: None,
        })
    }

    fn validate(
        &self,
        _: &PolicyContext<'_>,
        _: &Party,
        _: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        Ok(Vec::new())
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        _: &Party,
        _: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        price(ctx, 5_000)
    }

    fn unit_key(&self, _: &berth_core::unit::Unit) -> Option<String> {
        Some("every tour".into())
    }

    fn slots(
        &self,
        ctx: &PolicyContext<'_>,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        let tz = ctx.tenant.timezone;
        Ok(Self::starts()
            .iter()
            .map(|t| {
                let start = local_instant(tz, date, *t);
                TimeRange::new(start, start + Duration::hours(2)).unwrap()
            })
            .collect())
    }

    fn occupancy_basis(&self) -> OccupancyBasis {
        OccupancyBasis::SeatHours
    }
}

/// Rentals open 09:00-17:00, closed on Sundays.
#[derive(Debug)]
struct Rentals;

impl Policy for Rentals {
    fn resolve_period(
        &self,
        _: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        let PeriodRequest::Interval { start, end } = period else {
            return Err(PolicyError::InvalidPeriod("give a start and an end".into()));
        };
        let range =
            TimeRange::new(*start, *end).map_err(|e| PolicyError::InvalidPeriod(e.to_string()))?;
        Ok(ResolvedPeriod {
            period: range,
            occupied: range,
            check_in: None,
            check_out: None,
        })
    }

    fn validate(
        &self,
        _: &PolicyContext<'_>,
        _: &Party,
        _: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        Ok(Vec::new())
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        _: &Party,
        _: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        price(ctx, 1_000)
    }

    fn occupancy_basis(&self) -> OccupancyBasis {
        OccupancyBasis::ItemHours
    }

    fn open_periods(
        &self,
        tenant: &Tenant,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        if date.weekday() == Weekday::Sun {
            return Ok(Vec::new());
        }
        let tz = tenant.timezone;
        let at = |h| local_instant(tz, date, NaiveTime::from_hms_opt(h, 0, 0).unwrap());
        Ok(vec![TimeRange::new(at(9), at(17)).unwrap()])
    }
}

async fn the_board_shows_units_reservations_blocks_and_locks_of_its_range(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let birch = support::unit(&*store, &tenant, "birch", 1, 4).await;
    let aspen = support::unit(&*store, &tenant, "Aspen", 1, 4).await;
    let cedar = support::unit(&*store, &tenant, "cedar", 1, 4).await;
    let zed = support::unit(&*store, &tenant, "Zed", 1, 4).await;
    let book = |unit: UnitId, a: &'static str, b: &'static str| {
        let engine = engine.clone();
        async move {
            engine
                .create_reservation(tenant.id, support::stay(unit, a, b), &staff())
                .await
                .unwrap()
        }
    };
    let inside = book(birch.id, "2026-12-03", "2026-12-05").await;
    let crossing = book(aspen.id, "2026-11-28", "2026-12-02").await;
    let canceled = book(cedar.id, "2026-12-06", "2026-12-09").await;
    engine
        .cancel(tenant.id, canceled.id, None, None, &staff())
        .await
        .unwrap();
    let after = book(birch.id, "2026-12-08", "2026-12-10").await;
    let on_zed = book(zed.id, "2026-12-02", "2026-12-03").await;
    store
        .update_unit(
            tenant.id,
            zed.id,
            UnitPatch {
                archived: Some(true),
                ..UnitPatch::default()
            },
            &staff(),
            support::start_instant(),
        )
        .await
        .unwrap();
    let block = |unit, a, b| BlockUnit {
        unit_id: unit,
        period: nights(a, b),
        reason: "repairs".parse().unwrap(),
        by_name: "staff".into(),
    };
    let blocked = engine
        .block_unit(
            tenant.id,
            block(cedar.id, "2026-12-01", "2026-12-03"),
            &staff(),
        )
        .await
        .unwrap();
    engine
        .block_unit(
            tenant.id,
            block(cedar.id, "2026-12-20", "2026-12-22"),
            &staff(),
        )
        .await
        .unwrap();
    let ada = engine.for_session("ws:ada".parse::<SessionId>().unwrap());
    let lease = Duration::seconds(60);
    let on_range = ada
        .acquire_lock(
            tenant.id,
            LockTarget::Unit {
                unit_id: aspen.id,
                period: Some(nights("2026-12-05", "2026-12-06")),
            },
            &staff(),
            "ada",
            lease,
        )
        .await
        .unwrap();
    ada.acquire_lock(
        tenant.id,
        LockTarget::Unit {
            unit_id: aspen.id,
            period: Some(nights("2026-12-24", "2026-12-26")),
        },
        &staff(),
        "ada",
        lease,
    )
    .await
    .unwrap();
    let whole = ada
        .acquire_lock(
            tenant.id,
            LockTarget::Unit {
                unit_id: birch.id,
                period: None,
            },
            &staff(),
            "ada",
            lease,
        )
        .await
        .unwrap();

    let board = engine
        .board(tenant.id, date("2026-12-01"), date("2026-12-07"))
        .await
        .unwrap();
    let names: Vec<_> = board.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Aspen", "birch", "cedar"], "active units by name");
    let ids: Vec<_> = board.reservations.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [crossing.id, on_zed.id, inside.id, canceled.id],
        "every state, by start; an archived unit's stays too"
    );
    assert!(!ids.contains(&after.id));
    assert!(!board.truncated);
    assert_eq!(board.blocks, vec![blocked]);
    let locks: Vec<_> = board.locks.iter().map(|l| l.id).collect();
    assert_eq!(locks.len(), 2);
    assert!(locks.contains(&on_range.id) && locks.contains(&whole.id));
    assert_eq!(board.basis, OccupancyBasis::Nights);
    assert!(board.slots.is_empty() && board.open_hours.is_empty());
    assert_eq!(board.span.len(), 7);

    // At most 62 days; `from` not after `to`.
    assert!(
        engine
            .board(tenant.id, date("2026-12-01"), date("2027-01-31"))
            .await
            .is_ok()
    );
    assert_eq!(
        code(
            engine
                .board(tenant.id, date("2026-12-01"), date("2027-02-01"))
                .await
        ),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        code(
            engine
                .board(tenant.id, date("2026-12-07"), date("2026-12-01"))
                .await
        ),
        ErrorCode::InvalidInput
    );
    // The store's read: by start, at most `limit`, another tenant's none.
    let range = board.range;
    let two = store
        .reservations_touching(tenant.id, &range, 2)
        .await
        .unwrap();
    assert_eq!(
        two.iter().map(|r| r.id).collect::<Vec<_>>(),
        [crossing.id, on_zed.id]
    );
    let other = support::tenant(&*store, "summit-tours").await;
    assert!(
        store
            .reservations_touching(other.id, &range, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let board = engine
        .board(other.id, date("2026-12-01"), date("2026-12-07"))
        .await
        .unwrap();
    assert!(board.units.is_empty() && board.blocks.is_empty() && board.locks.is_empty());
}

async fn the_board_of_a_timeslot_tenant_counts_seats_per_slot(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let clock = Arc::new(berth_core::clock::ManualClock::new(support::start_instant()));
    let engine = Engine::new(
        store.clone(),
        Arc::new(SinglePolicy(Arc::new(Tours))),
        clock,
    );
    let tenant = support::tenant(&*store, "summit-tours").await;
    let big = support::unit(&*store, &tenant, "Big boat", 10, 1).await;
    let small = support::unit(&*store, &tenant, "Small boat", 5, 1).await;
    let tz = tenant.timezone;
    let at =
        |d: &str, h: u32| local_instant(tz, date(d), NaiveTime::from_hms_opt(h, 0, 0).unwrap());
    engine
        .create_reservation(
            tenant.id,
            support::admin_booking(
                big.id,
                PeriodRequest::Slot {
                    start: at("2026-12-01", 10),
                },
                seats(3),
            ),
            &staff(),
        )
        .await
        .unwrap();
    engine
        .block_unit(
            tenant.id,
            BlockUnit {
                unit_id: small.id,
                period: PeriodRequest::Slot {
                    start: at("2026-12-02", 14),
                },
                reason: "engine check".parse().unwrap(),
                by_name: "staff".into(),
            },
            &staff(),
        )
        .await
        .unwrap();
    let board = engine
        .board(tenant.id, date("2026-12-01"), date("2026-12-02"))
        .await
        .unwrap();
    assert_eq!(board.basis, OccupancyBasis::SeatHours);
    assert_eq!(board.slots.len(), 2 * 2 * 2, "units × days × slots");
    let slot = |unit: UnitId, start| {
        board
            .slots
            .iter()
            .find(|s| s.unit_id == unit && s.period.start() == start)
            .copied()
            .unwrap()
    };
    let first = slot(big.id, at("2026-12-01", 10));
    assert_eq!((first.capacity, first.taken, first.left()), (10, 3, 7));
    assert_eq!(slot(big.id, at("2026-12-01", 14)).left(), 10);
    let blocked = slot(small.id, at("2026-12-02", 14));
    assert_eq!(
        (blocked.capacity, blocked.left()),
        (5, 0),
        "a block takes every seat"
    );
    assert_eq!(slot(small.id, at("2026-12-02", 10)).left(), 5);
    // Units by name, each unit's slots in time order.
    assert_eq!(board.slots[0].unit_id, big.id);
    assert!(
        board.slots[..4]
            .windows(2)
            .all(|w| w[0].period.start() < w[1].period.start())
    );
    assert!(board.open_hours.is_empty());
}

async fn the_board_of_an_interval_tenant_shows_opening_hours(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let clock = Arc::new(berth_core::clock::ManualClock::new(support::start_instant()));
    let engine = Engine::new(
        store.clone(),
        Arc::new(SinglePolicy(Arc::new(Rentals))),
        clock,
    );
    let tenant = support::tenant(&*store, "river-gear").await;
    let kayaks = support::unit(&*store, &tenant, "Kayaks", 8, 1).await;
    let bikes = support::unit(&*store, &tenant, "Bikes", 4, 1).await;
    // Friday to Sunday: Sunday closed.
    let board = engine
        .board(tenant.id, date("2026-12-04"), date("2026-12-06"))
        .await
        .unwrap();
    assert_eq!(board.basis, OccupancyBasis::ItemHours);
    assert!(board.slots.is_empty());
    assert_eq!(board.open_hours.len(), 2 * 2, "units × open days");
    let first = board.open_hours[0];
    assert_eq!((first.unit_id, first.date), (bikes.id, date("2026-12-04")));
    let tz = tenant.timezone;
    assert_eq!(
        first.period.start(),
        local_instant(
            tz,
            date("2026-12-04"),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        )
    );
    assert!(board.open_hours.iter().any(|o| o.unit_id == kayaks.id));
    assert!(
        !board
            .open_hours
            .iter()
            .any(|o| o.date == date("2026-12-06"))
    );
}

async fn a_change_is_quoted_as_it_would_be_made(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let actor = staff();
    let book = |a, b| engine.create_reservation(tenant.id, support::stay(cabin.id, a, b), &actor);
    let mine = book("2026-12-10", "2026-12-13").await.unwrap();
    let theirs = book("2026-12-15", "2026-12-17").await.unwrap();
    let change = |a, b| support::change_period(mine.id, nights(a, b));
    // Its own nights do not count against it: one more night fits.
    let quote = engine
        .quote_change(tenant.id, change("2026-12-10", "2026-12-14"))
        .await
        .unwrap();
    assert!(quote.available, "{quote:?}");
    assert_eq!(
        quote.price.unwrap().total.amount_minor,
        4 * 100_000 + 25_000
    );
    assert_eq!(quote.resolved.check_out, Some(date("2026-12-14")));
    // Another reservation's nights do.
    let quote = engine
        .quote_change(tenant.id, change("2026-12-12", "2026-12-16"))
        .await
        .unwrap();
    assert!(!quote.available);
    assert!(quote.violations.is_empty() && !quote.overridable);
    // The policy's rules for changes: none in the last 48 hours.
    clock.set("2026-12-09T14:00:00Z".parse().unwrap());
    let quote = engine
        .quote_change(tenant.id, change("2026-12-10", "2026-12-12"))
        .await
        .unwrap();
    assert!(!quote.available);
    assert_eq!(quote.violations[0].code, "change_too_late");
    assert!(quote.overridable);
    assert_eq!(quote.price, None);
    // Nothing was written, and what cannot change is CONFLICT.
    assert_eq!(engine.reservation(tenant.id, mine.id).await.unwrap(), mine);
    engine
        .cancel(tenant.id, theirs.id, None, None, &staff())
        .await
        .unwrap();
    let quote = engine
        .quote_change(
            tenant.id,
            ChangePeriod {
                id: theirs.id,
                ..change("2026-12-15", "2026-12-16")
            },
        )
        .await;
    assert_eq!(code(quote), ErrorCode::Conflict);
}

async fn the_refund_preview_is_what_a_cancellation_would_record(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let r = engine
        .create_reservation(
            tenant.id,
            support::stay(cabin.id, "2026-12-10", "2026-12-12"),
            &staff(),
        )
        .await
        .unwrap();
    let total = r.price.as_ref().unwrap().total.amount_minor;
    // A week or more ahead: everything back.
    let preview = engine.cancellation_refund(tenant.id, &r).await.unwrap();
    assert_eq!(preview.unwrap().amount_minor, total);
    // Closer: half, and the cancellation records exactly the preview.
    clock.set("2026-12-08T09:00:00Z".parse().unwrap());
    let preview = engine.cancellation_refund(tenant.id, &r).await.unwrap();
    assert_eq!(preview.unwrap().amount_minor, total / 2);
    let canceled = engine
        .cancel(tenant.id, r.id, None, None, &staff())
        .await
        .unwrap();
    assert_eq!(canceled.refund, preview);
    // A reservation that cannot be canceled has no refund to preview.
    assert_eq!(
        engine
            .cancellation_refund(tenant.id, &canceled)
            .await
            .unwrap(),
        None
    );
}
