//! The booking's capacity decision on both stores, against the sweep of
//! `capacity::fits`: a unit of inventory 3 with a staff block, and 100
//! pseudo-random requests (a fixed seed) of 1–3 nights and 1–2 items over 40
//! days, so stays overlap partly and the peak load differs from the sum of
//! what overlaps. Before each booking the expected answer is computed in Rust
//! from the store's occupancy; the booking must succeed exactly when it fits
//! and be UNAVAILABLE otherwise. On PostgreSQL these bookings go through the
//! `berth_book` function of migration 0031, which computes the peak in SQL.

use berth_core::ErrorCode;
use berth_core::capacity;
use berth_core::clock::Clock;
use berth_core::ical::staff::BlockUnit;
use berth_core::policy::{Policy, PolicyContext};

use crate::support::nightly::NightlyTestPolicy;
use crate::support::{self, Backend, date, nights, party, staff, world};

on_both_stores!(bookings_are_refused_exactly_when_the_sweep_says_they_do_not_fit);

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
