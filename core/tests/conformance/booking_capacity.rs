//! The booking's capacity decision on both stores, against the sweep of
//! `capacity::fits`: a unit of inventory 3 with a staff block, and 100
//! pseudo-random requests (a fixed seed) of 1–3 nights and 1–2 items over 40
//! days, so stays overlap partly and the peak load differs from the sum of
//! what overlaps. Before each booking the expected answer is computed in Rust
//! from the store's occupancy; the booking must succeed exactly when it fits
//! and be UNAVAILABLE otherwise. On PostgreSQL these bookings go through the
//! `berth_book` function of migrations 0031 and 0032, which computes the
//! peak in SQL.
//!
//! Both stores first sum what overlaps (an upper bound of the peak) and sweep
//! only when that sum leaves no room (docs/decisions/0181): the fixed cases
//! below pin both sides of that fast path — a stay whose overlapping bookings
//! sum past the inventory but never overlap one another (the sweep must let
//! it in), the same stay once the peak is reached (refused), and a change of
//! period decided the same way.

use berth_core::ErrorCode;
use berth_core::capacity;
use berth_core::clock::Clock;
use berth_core::ical::staff::BlockUnit;
use berth_core::policy::{Policy, PolicyContext};

use crate::support::nightly::NightlyTestPolicy;
use crate::support::{self, Backend, date, nights, party, staff, world};

on_both_stores!(
    bookings_are_refused_exactly_when_the_sweep_says_they_do_not_fit,
    a_stay_fits_where_the_sum_of_what_overlaps_does_not_but_the_peak_does
);

/// A small deterministic generator (xorshift64*): reproducible requests.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

async fn bookings_are_refused_exactly_when_the_sweep_says_they_do_not_fit(backend: Backend) {
    let w = world(backend).await;
    let unit = support::unit(&*w.store, &w.tenant, "Dorm", 3, 8).await;
    w.engine
        .block_unit(
            w.tenant.id,
            BlockUnit {
                unit_id: unit.id,
                period: nights("2026-12-09", "2026-12-11"),
                reason: "maintenance".parse().unwrap(),
                by_name: "staff@alpine.example.org".into(),
            },
            &staff(),
        )
        .await
        .unwrap();
    let policy = NightlyTestPolicy::default();
    let mut rng = Seeded(0x0b5e_55ed_c0ff_ee42);
    let (mut booked, mut refused) = (0, 0);
    for _ in 0..100 {
        let check_in = date("2026-12-01") + chrono::Days::new(rng.below(40));
        let check_out = check_in + chrono::Days::new(1 + rng.below(3));
        let quantity = 1 + i64::try_from(rng.below(2)).unwrap();
        let period = berth_core::policy::PeriodRequest::Nights {
            check_in,
            check_out,
        };
        let ctx = PolicyContext {
            tenant: &w.tenant,
            unit: &unit,
            now: w.clock.now(),
        };
        let occupied = policy.resolve_period(&ctx, &period).unwrap().occupied;
        let taken = w
            .store
            .occupancy(w.tenant.id, &[unit.id], &occupied)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.occupied, o.quantity));
        let fits = capacity::fits(taken, &occupied, u32::try_from(quantity).unwrap(), 3);
        let result = w
            .engine
            .create_reservation(
                w.tenant.id,
                support::admin_booking(unit.id, period, party(1, quantity)),
                &staff(),
            )
            .await;
        match result {
            Ok(_) => {
                assert!(
                    fits,
                    "{check_in}–{check_out} × {quantity} was booked over capacity"
                );
                booked += 1;
            }
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::Unavailable, "{e}");
                assert!(
                    !fits,
                    "{check_in}–{check_out} × {quantity} was refused though it fits"
                );
                refused += 1;
            }
        }
    }
    // Both answers were exercised.
    assert!(
        booked > 15 && refused > 15,
        "{booked} booked, {refused} refused"
    );
}

async fn a_stay_fits_where_the_sum_of_what_overlaps_does_not_but_the_peak_does(backend: Backend) {
    let w = world(backend).await;
    let unit = support::unit(&*w.store, &w.tenant, "Twin", 2, 8).await;
    let book = |check_in: &'static str, check_out: &'static str| {
        let engine = w.engine.clone();
        let tenant = w.tenant.id;
        async move {
            engine
                .create_reservation(
                    tenant,
                    support::admin_booking(unit.id, nights(check_in, check_out), party(1, 1)),
                    &staff(),
                )
                .await
        }
    };
    // Two one-night stays back to back: each night holds one of two items.
    book("2026-12-01", "2026-12-02").await.unwrap();
    let second = book("2026-12-02", "2026-12-03").await.unwrap();
    // Both overlap the two nights (their sum is 2, plus 1 is over the
    // inventory) but never each other: the peak is 1, so this one fits.
    book("2026-12-01", "2026-12-03").await.unwrap();
    // Now both nights hold two: the same stay again is refused.
    let e = book("2026-12-01", "2026-12-03").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unavailable, "{e}");
    // A change of period is decided the same way (its own stay not
    // counted): the second stay cannot move onto the full first night…
    let e = w
        .engine
        .change_period(
            w.tenant.id,
            support::change_period(second.id, nights("2026-12-01", "2026-12-02")),
            &staff(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unavailable, "{e}");
    // …but can grow to the third night next to another one-night stay: the
    // others it would overlap sum to 2, yet hold one item on each night.
    book("2026-12-03", "2026-12-04").await.unwrap();
    let grown = w
        .engine
        .change_period(
            w.tenant.id,
            support::change_period(second.id, nights("2026-12-02", "2026-12-04")),
            &staff(),
        )
        .await
        .unwrap();
    assert_eq!(grown.check_out, Some(date("2026-12-04")));
}
