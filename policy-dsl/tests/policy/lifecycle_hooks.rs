//! The lifecycle hooks a tenant script defines, run by the engine: `refund` on
//! cancellation, `can_change` on a period change, `no_show_deadline` for the
//! no-show round — and the models' permissive defaults without a script.

use berth_core::audit::Actor;
use berth_core::clock::Clock;
use berth_core::engine::{ChangePeriod, CreateReservation};
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Quantity};
use berth_core::reservation::Channel;
use berth_core::state::ReservationState;
use berth_core::store::ClientRef;
use berth_core::{Engine, EngineError};
use berth_policy::config::ModelKind;
use berth_policy::registry::PolicyChange;

use crate::support::{self, Root};

const HOOKS: &str = r#"
// Everything back a week ahead, half after that.
fn refund(current, req, rules, pricing) {
    if req.lead_minutes >= 7 * 24 * 60 { current.total } else { current.total / 2 }
}

// Stays can grow, never shrink.
fn can_change(current, req, rules, pricing) {
    if req.nights < current.nights {
        [#{ code: "no_shortening", message: "stays cannot be shortened" }]
    } else {
        []
    }
}

// Absent 90 minutes after check-in time.
fn no_show_deadline(req, rules, pricing) {
    90
}
"#;

fn nights(a: &str, b: &str) -> PeriodRequest {
    PeriodRequest::Nights {
        check_in: a.parse().unwrap(),
        check_out: b.parse().unwrap(),
    }
}

fn booking(unit: berth_core::ids::UnitId, period: PeriodRequest) -> CreateReservation {
    CreateReservation {
        unit_id: unit,
        period,
        party: Party {
            guests: Guests::new(2).unwrap(),
            quantity: Quantity::ONE,
        },
        client: ClientRef::None,
        idempotency_key: None,
        notes: None,
        hold: false,
        channel: Channel::Admin,
        consume_lock: None,
        policy_override: None,
    }
}

fn change(id: berth_core::ids::ReservationId, period: PeriodRequest) -> ChangePeriod {
    ChangePeriod {
        id,
        period,
        unit_id: None,
        party: None,
        expected_version: None,
        consume_lock: None,
        policy_override: None,
    }
}

async fn book(
    engine: &Engine,
    tenant: berth_core::ids::TenantId,
    unit: berth_core::ids::UnitId,
    a: &str,
    b: &str,
) -> berth_core::reservation::Reservation {
    engine
        .create_reservation(tenant, booking(unit, nights(a, b)), &Actor::System)
        .await
        .unwrap()
}

#[tokio::test]
async fn tenant_scripts_decide_refunds_changes_and_no_shows() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    std::fs::write(dir.join("hooks.rhai"), HOOKS).unwrap();
    let registry = support::registry(&root);
    let changes = registry.load_all();
    assert!(
        matches!(changes.as_slice(), [PolicyChange::Activated { .. }]),
        "{changes:?}"
    );
    let (engine, tenant, unit, clock) = support::engine_with_clock(registry, "lake-rooms").await;

    // The clock stands at 2030-01-07 09:00 UTC.
    let ahead = book(&engine, tenant.id, unit.id, "2030-02-04", "2030-02-07").await;
    let paid = ahead.price.as_ref().unwrap().total;
    let err = engine
        .change_period(
            tenant.id,
            change(ahead.id, nights("2030-02-04", "2030-02-05")),
            &Actor::System,
        )
        .await
        .unwrap_err();
    let EngineError::Validation(v) = err else {
        panic!("{err:?}")
    };
    assert_eq!(v[0].code, "no_shortening");
    let longer = engine
        .change_period(
            tenant.id,
            change(ahead.id, nights("2030-02-04", "2030-02-08")),
            &Actor::System,
        )
        .await
        .unwrap();
    let canceled = engine
        .cancel(tenant.id, longer.id, None, None, &Actor::System)
        .await
        .unwrap();
    assert_eq!(
        canceled.refund,
        longer.price.as_ref().map(|p| p.total),
        "a week ahead: all of it"
    );
    assert!(paid.amount_minor > 0);

    let soon = book(&engine, tenant.id, unit.id, "2030-01-10", "2030-01-12").await;
    let canceled = engine
        .cancel(tenant.id, soon.id, None, None, &Actor::System)
        .await
        .unwrap();
    assert_eq!(
        canceled.refund.unwrap().amount_minor,
        soon.price.as_ref().unwrap().total.amount_minor / 2
    );

    // Check-in is 15:00 in Berlin (14:00 UTC); absent 90 minutes later.
    let stay = book(&engine, tenant.id, unit.id, "2030-01-20", "2030-01-22").await;
    clock.set("2030-01-20T15:29:00Z".parse().unwrap());
    assert!(engine.mark_no_shows(tenant.id).await.unwrap().is_empty());
    clock.set("2030-01-20T15:30:00Z".parse().unwrap());
    let absent = engine.mark_no_shows(tenant.id).await.unwrap();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0].id, stay.id);
    assert_eq!(absent[0].state, ReservationState::Absent);
}

#[tokio::test]
async fn without_a_script_the_model_defaults_apply() {
    let root = Root::new();
    root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    let (engine, tenant, unit, clock) = support::engine_with_clock(registry, "lake-rooms").await;
    let soon = book(&engine, tenant.id, unit.id, "2030-01-10", "2030-01-12").await;
    let shorter = engine
        .change_period(
            tenant.id,
            change(soon.id, nights("2030-01-10", "2030-01-11")),
            &Actor::System,
        )
        .await
        .expect("any change the rules allow");
    let canceled = engine
        .cancel(tenant.id, shorter.id, None, None, &Actor::System)
        .await
        .unwrap();
    assert_eq!(
        canceled.refund,
        shorter.price.as_ref().map(|p| p.total),
        "the whole price"
    );
    // The nightly model's default deadline: `no_show_after_hours` (24 by default).
    let stay = book(&engine, tenant.id, unit.id, "2030-01-20", "2030-01-22").await;
    clock.set("2030-01-21T13:59:00Z".parse().unwrap());
    assert!(engine.mark_no_shows(tenant.id).await.unwrap().is_empty());
    clock.set("2030-01-21T14:00:00Z".parse().unwrap());
    assert_eq!(
        engine.mark_no_shows(tenant.id).await.unwrap()[0].id,
        stay.id
    );
}

#[tokio::test]
async fn holds_last_as_long_as_the_tenant_says() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    let (engine, tenant, unit, clock) =
        support::engine_with_clock(registry.clone(), "lake-rooms").await;
    let hold = |a: &str, b: &str| CreateReservation {
        hold: true,
        ..booking(unit.id, nights(a, b))
    };
    // Without a setting: a quarter of an hour.
    let r = engine
        .create_reservation(tenant.id, hold("2030-02-04", "2030-02-06"), &Actor::System)
        .await
        .unwrap();
    assert_eq!(r.state, ReservationState::Held);
    assert_eq!(
        r.hold_expires_at,
        Some(clock.now() + chrono::Duration::minutes(15))
    );
    // A day, as a business answering its guests' requests once a day needs.
    let file = dir.join("tenant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nhold_minutes: 1440\n")).unwrap();
    assert!(
        matches!(
            registry.reload("lake-rooms"),
            PolicyChange::Activated { .. }
        ),
        "a valid hold time goes live"
    );
    let r = engine
        .create_reservation(tenant.id, hold("2030-02-10", "2030-02-12"), &Actor::System)
        .await
        .unwrap();
    assert_eq!(
        r.hold_expires_at,
        Some(clock.now() + chrono::Duration::days(1))
    );
    // Out of range: refused where it is written, the live version stays.
    std::fs::write(&file, format!("{text}\nhold_minutes: 0\n")).unwrap();
    let PolicyChange::Rejected { diagnostics, .. } = registry.reload("lake-rooms") else {
        panic!("a zero hold time goes live")
    };
    assert!(
        diagnostics
            .iter()
            .any(|d| d.to_string().contains("hold_minutes")),
        "{diagnostics:?}"
    );
}

#[tokio::test]
async fn reminders_go_out_as_many_days_ahead_as_the_tenant_says() {
    let root = Root::new();
    let dir = root.tenant("lake-rooms", ModelKind::Nightly);
    let registry = support::registry(&root);
    registry.load_all();
    let (engine, tenant, _unit, _clock) =
        support::engine_with_clock(registry.clone(), "lake-rooms").await;
    // Without a setting: two days.
    assert_eq!(
        engine.mail_settings(&tenant).unwrap().reminder_days,
        berth_core::mail::DEFAULT_REMINDER_DAYS
    );
    let file = dir.join("tenant.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    for (days, live) in [(0, true), (7, true), (61, false)] {
        std::fs::write(&file, format!("{text}\nreminder_days: {days}\n")).unwrap();
        match registry.reload("lake-rooms") {
            PolicyChange::Activated { .. } => {
                assert!(live, "{days} days went live");
                assert_eq!(engine.mail_settings(&tenant).unwrap().reminder_days, days);
            }
            PolicyChange::Rejected { diagnostics, .. } => {
                assert!(!live, "{days} days were refused: {diagnostics:?}");
                assert!(
                    diagnostics
                        .iter()
                        .any(|d| d.to_string().contains("reminder_days")),
                    "{diagnostics:?}"
                );
                // The live version stays.
                assert_eq!(engine.mail_settings(&tenant).unwrap().reminder_days, 7);
            }
            other => panic!("{other:?}"),
        }
    }
}
