//! Booking anyway on both stores: an override sets aside the policy's
//! violations only — never the engine's own rules, capacity, a lock, a final
//! state, a stale version or a policy that failed — and the reservation keeps
//! the record (reason, violations, who, when), read back as written and carried
//! by its audit entry and event. The price is the policy's when it still
//! computes one, else none; a later change within the rules clears the record.

use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::clock::ManualClock;
use berth_core::engine::{ChangePeriod, CreateReservation};
use berth_core::event::EventKind;
use berth_core::ids::UserId;
use berth_core::lock::SessionId;
use berth_core::lock_commands::LockTarget;
use berth_core::money::Price;
use berth_core::policy::{
    Party, PeriodRequest, Policy, PolicyContext, PolicyError, ResolvedPeriod, Violation,
};
use berth_core::policy_override::OverrideRequest;
use berth_core::reservation::Reservation;
use berth_core::store::{ClientRef, Store};
use berth_core::tenant::Tenant;
use berth_core::unit::Unit;
use berth_core::{Engine, EngineError, ErrorCode};
use chrono::Duration;

use crate::support::nightly::NightlyTestPolicy;
use crate::support::{self, Backend, SinglePolicy, nights};

on_both_stores!(
    an_override_books_what_the_policy_refuses_and_says_so,
    an_override_never_beats_capacity_locks_states_versions_or_engine_rules,
    a_failed_policy_is_not_overridable,
    an_unpriceable_override_records_no_price,
    a_period_change_overrides_can_change_and_a_later_change_clears_it,
    erasing_the_guest_erases_the_override_reason,
);

/// The nightly test policy, fussier: a one-night stay breaks `min_nights` and
/// cannot be priced; a stay arriving on 2026-12-31 makes the policy fail.
#[derive(Debug, Default)]
struct Fussy(NightlyTestPolicy);

impl Policy for Fussy {
    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        self.0.resolve_period(ctx, period)
    }

    fn validate(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        let mut violations = self.0.validate(ctx, party, resolved)?;
        if resolved.check_in == Some("2026-12-31".parse().unwrap()) {
            return Err(PolicyError::Failed("validate threw on line 3".into()));
        }
        if let (Some(a), Some(b)) = (resolved.check_in, resolved.check_out)
            && (b - a).num_days() < 2
        {
            violations.push(Violation::new("min_nights", "at least 2 nights"));
        }
        Ok(violations)
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        if let (Some(a), Some(b)) = (resolved.check_in, resolved.check_out)
            && (b - a).num_days() < 2
        {
            return Err(PolicyError::Failed("price: no rate for one night".into()));
        }
        self.0.price(ctx, party, resolved)
    }

    fn can_change(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        self.0.can_change(ctx, current, party, resolved)
    }
}

struct World {
    engine: Engine,
    store: Arc<dyn Store>,
    tenant: Tenant,
    cabin: Unit,
    clock: Arc<ManualClock>,
    admin: Actor,
}

async fn world(backend: Backend, fussy: bool) -> World {
    let store = support::fresh_store(backend).await;
    let (engine, clock) = support::engine(store.clone());
    let engine = if fussy {
        Engine::new(
            store.clone(),
            Arc::new(SinglePolicy(Arc::new(Fussy::default()))),
            clock.clone(),
        )
    } else {
        engine
    };
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    World {
        engine,
        store,
        tenant,
        cabin,
        clock,
        admin: Actor::User(UserId::new()),
    }
}

fn anyway(reason: &str) -> Option<OverrideRequest> {
    Some(OverrideRequest {
        reason: reason.parse().unwrap(),
        by_name: "admin@alpine.example.org".into(),
    })
}

impl World {
    async fn book(
        &self,
        check_in: &str,
        check_out: &str,
        policy_override: Option<OverrideRequest>,
    ) -> Result<Reservation, EngineError> {
        self.engine
            .create_reservation(
                self.tenant.id,
                CreateReservation {
                    policy_override,
                    ..support::stay(self.cabin.id, check_in, check_out)
                },
                &self.admin,
            )
            .await
    }

    fn change(&self, r: &Reservation, a: &str, b: &str) -> ChangePeriod {
        ChangePeriod {
            expected_version: Some(r.version),
            ..support::change_period(r.id, nights(a, b))
        }
    }
}

fn codes<T: std::fmt::Debug>(r: Result<T, EngineError>) -> ErrorCode {
    r.expect_err("refused").code()
}

async fn an_override_books_what_the_policy_refuses_and_says_so(backend: Backend) {
    let w = world(backend, false).await;
    // 31 nights break the test policy's 30-night maximum.
    let refused = w.book("2026-12-01", "2027-01-01", None).await;
    match refused {
        Err(EngineError::Validation(v)) => assert_eq!(v[0].code, "max_nights"),
        other => panic!("expected VALIDATION, got {other:?}"),
    }
    let r = w
        .book("2026-12-01", "2027-01-01", anyway("long-standing guest"))
        .await
        .expect("booked anyway");
    let o = r.policy_override.clone().expect("the override is recorded");
    assert_eq!(o.reason.as_str(), "long-standing guest");
    assert_eq!(
        o.violations,
        vec![Violation::new("max_nights", "at most 30 nights")]
    );
    assert_eq!(o.by, w.admin);
    assert_eq!(o.by_name, "admin@alpine.example.org");
    assert_eq!(o.at, support::start_instant());
    // The policy's price for the stay: 31 nights + cleaning.
    assert_eq!(
        r.price.as_ref().unwrap().total.amount_minor,
        31 * 100_000 + 25_000
    );
    // Read back as written.
    let stored = w.engine.reservation(w.tenant.id, r.id).await.unwrap();
    assert_eq!(stored, r);
    // Its audit entry and event carry it.
    let audit = w
        .store
        .audit_entries(w.tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit[0].action, "create");
    assert_eq!(
        audit[0].metadata["after"]["policy_override"]["reason"],
        "long-standing guest"
    );
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    let created = events
        .iter()
        .find(|e| e.kind == EventKind::ReservationCreated && e.entity_id == r.id.as_uuid())
        .unwrap();
    assert_eq!(
        created.payload["policy_override"]["violations"][0]["code"],
        "max_nights"
    );
    // A request within the rules records no override, asked for or not.
    let fine = w
        .book("2027-02-01", "2027-02-03", anyway("not needed"))
        .await
        .unwrap();
    assert_eq!(fine.policy_override, None);
}

async fn an_override_never_beats_capacity_locks_states_versions_or_engine_rules(backend: Backend) {
    let w = world(backend, false).await;
    let first = w
        .book("2026-12-01", "2027-01-01", anyway("a"))
        .await
        .unwrap();
    // Capacity: the cabin is taken.
    assert_eq!(
        codes(w.book("2026-12-05", "2027-01-06", anyway("b")).await),
        ErrorCode::Unavailable
    );
    // A lock of another session.
    let ada = w.engine.for_session("ws:ada".parse::<SessionId>().unwrap());
    ada.acquire_lock(
        w.tenant.id,
        LockTarget::Unit {
            unit_id: w.cabin.id,
            period: Some(nights("2027-03-01", "2027-04-10")),
        },
        &w.admin,
        "ada",
        Duration::seconds(60),
    )
    .await
    .unwrap();
    assert_eq!(
        codes(w.book("2027-03-01", "2027-04-05", anyway("c")).await),
        ErrorCode::Locked
    );
    // The engine's own rules: five guests in a four-guest cabin.
    let crowd = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                party: support::party(5, 1),
                policy_override: anyway("d"),
                ..support::stay(w.cabin.id, "2027-05-01", "2027-06-05")
            },
            &w.admin,
        )
        .await;
    match crowd {
        Err(EngineError::Validation(v)) => {
            let codes: Vec<_> = v.iter().map(|v| v.code.as_str()).collect();
            assert_eq!(codes, ["max_guests", "max_nights"]);
        }
        other => panic!("expected VALIDATION, got {other:?}"),
    }
    // A stale version, then a final state.
    let mut stale = w.change(&first, "2026-12-01", "2027-01-02");
    stale.expected_version = Some(first.version + 1);
    stale.policy_override = anyway("e");
    assert_eq!(
        codes(w.engine.change_period(w.tenant.id, stale, &w.admin).await),
        ErrorCode::Conflict
    );
    let canceled = w
        .engine
        .cancel(w.tenant.id, first.id, None, None, &w.admin)
        .await
        .unwrap();
    let mut after_cancel = w.change(&canceled, "2026-12-01", "2027-01-02");
    after_cancel.policy_override = anyway("f");
    assert_eq!(
        codes(
            w.engine
                .change_period(w.tenant.id, after_cancel, &w.admin)
                .await
        ),
        ErrorCode::Conflict
    );
}

async fn a_failed_policy_is_not_overridable(backend: Backend) {
    let w = world(backend, true).await;
    assert_eq!(
        codes(w.book("2026-12-31", "2027-01-03", anyway("please")).await),
        ErrorCode::PolicyError
    );
}

async fn an_unpriceable_override_records_no_price(backend: Backend) {
    let w = world(backend, true).await;
    assert_eq!(
        codes(w.book("2026-12-10", "2026-12-11", None).await),
        ErrorCode::Validation
    );
    let r = w
        .book("2026-12-10", "2026-12-11", anyway("goodwill night"))
        .await
        .unwrap();
    assert_eq!(r.price, None, "the policy cannot price one night");
    let o = r.policy_override.unwrap();
    assert_eq!(o.violations[0].code, "min_nights");
    let quote = w
        .engine
        .quote(
            w.tenant.id,
            berth_core::engine::QuoteRequest {
                unit_id: w.cabin.id,
                period: nights("2026-12-20", "2026-12-21"),
                party: support::party(2, 1),
            },
        )
        .await
        .unwrap();
    assert!(!quote.available);
    assert!(quote.overridable, "only the policy stands in the way");
}

async fn a_period_change_overrides_can_change_and_a_later_change_clears_it(backend: Backend) {
    let w = world(backend, false).await;
    let r = w.book("2026-11-20", "2026-11-23", None).await.unwrap();
    // 24 hours before arrival: the policy allows no change.
    w.clock.set("2026-11-19T14:00:00Z".parse().unwrap());
    let late = w.change(&r, "2026-11-20", "2026-11-24");
    match w
        .engine
        .change_period(w.tenant.id, late.clone(), &w.admin)
        .await
    {
        Err(EngineError::Validation(v)) => assert_eq!(v[0].code, "change_too_late"),
        other => panic!("expected VALIDATION, got {other:?}"),
    }
    let changed = w
        .engine
        .change_period(
            w.tenant.id,
            ChangePeriod {
                policy_override: anyway("flight delayed"),
                ..late
            },
            &w.admin,
        )
        .await
        .unwrap();
    let o = changed.policy_override.clone().unwrap();
    assert_eq!(o.violations[0].code, "change_too_late");
    assert_eq!(
        changed.price.as_ref().unwrap().total.amount_minor,
        4 * 100_000 + 25_000
    );
    let audit = w
        .store
        .audit_entries(w.tenant.id, r.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "change_period");
    assert_eq!(
        last.metadata["after"]["policy_override"]["reason"],
        "flight delayed"
    );
    // Back to a week ahead: a change within the rules clears the record.
    w.clock.set("2026-11-10T09:00:00Z".parse().unwrap());
    let within = w
        .engine
        .change_period(
            w.tenant.id,
            w.change(&changed, "2026-11-20", "2026-11-22"),
            &w.admin,
        )
        .await
        .unwrap();
    assert_eq!(within.policy_override, None);
    assert_eq!(
        w.engine
            .reservation(w.tenant.id, r.id)
            .await
            .unwrap()
            .policy_override,
        None
    );
}

async fn erasing_the_guest_erases_the_override_reason(backend: Backend) {
    let w = world(backend, false).await;
    let r = w
        .engine
        .create_reservation(
            w.tenant.id,
            CreateReservation {
                client: ClientRef::New(support::new_client("Ada Lovelace", None)),
                policy_override: anyway("Ada Lovelace is the owner's aunt"),
                ..support::stay(w.cabin.id, "2026-12-01", "2027-01-01")
            },
            &w.admin,
        )
        .await
        .unwrap();
    w.engine
        .cancel(w.tenant.id, r.id, None, None, &w.admin)
        .await
        .unwrap();
    w.engine
        .erase_client(w.tenant.id, r.client_id.unwrap(), &w.admin)
        .await
        .unwrap();
    let kept = w.engine.reservation(w.tenant.id, r.id).await.unwrap();
    let o = kept.policy_override.unwrap();
    assert_eq!(o.reason.as_str(), berth_core::erasure::ERASED);
    assert_eq!(o.violations[0].code, "max_nights", "what was refused stays");
    assert_eq!(o.by, w.admin);
    let history = serde_json::to_string(
        &w.store
            .audit_entries(w.tenant.id, r.id.as_uuid())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(!history.contains("owner's aunt"), "{history}");
    let events =
        serde_json::to_string(&support::settled_events(&*w.store, w.tenant.id).await).unwrap();
    assert!(!events.contains("owner's aunt"));
}
