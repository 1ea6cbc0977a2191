//! Asking a compiled tenant policy everything the engine asks it, for one
//! request: resolve and evaluate it (`berth_core::engine::evaluate`, what a
//! quote and a booking run), then the lifecycle hooks on the reservation that
//! booking would make, the day's slots and opening periods. Shared by the
//! tenant-directory target (arbitrary rules) and the hook target (arbitrary
//! scripts). Errors are answers; only panics, hangs and broken promises of the
//! `Policy` port are bugs.

use arbitrary::Arbitrary;
use berth_core::engine::evaluate;
use berth_core::ids::{ReservationId, TenantId, UnitId};
use berth_core::policy::{Party, PeriodRequest, Policy, PolicyContext};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::reservation::{Channel, Reservation};
use berth_core::state::ReservationState;
use berth_core::tenant::Tenant;
use berth_core::unit::Unit;
use berth_policy::TenantPolicy;
use berth_policy::config::ModelKind;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// One request, in terms every model can read: days from today, a length
/// (nights, or minutes), a minute of the day, the party, and a unit's own
/// `base_rate` attribute.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Request {
    /// Days from the evaluation's date to the start (may be far off).
    pub start_day: i32,
    /// Nights (nightly) or minutes (interval).
    pub length: i16,
    /// The start's minute of the day (interval), or which slot (timeslot).
    pub minute: u16,
    /// People.
    pub guests: u8,
    /// Items.
    pub quantity: u8,
    /// The unit's `base_rate` attribute, overriding the tenant's.
    pub base_rate: Option<i64>,
}

/// When every request is evaluated: fixed, so that an input always replays.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Asks `policy` about `request` (see the module's comment).
pub fn ask(policy: &TenantPolicy, request: Request) {
    let config = policy.config();
    let (Ok(timezone), Ok(slug), Ok(currency)) = (
        config.timezone.parse::<chrono_tz::Tz>(),
        config.slug.parse(),
        config.currency.parse(),
    ) else {
        return;
    };
    let now = now();
    let tenant = Tenant {
        id: TenantId::new(),
        slug,
        name: config.name.clone(),
        timezone,
        currency,
        locale: config.locale.clone(),
        created_at: now,
    };
    let attributes = match request.base_rate {
        Some(rate) => serde_json::json!({ "base_rate": rate }),
        None => serde_json::json!({}),
    };
    let (Ok(inventory), Ok(max_guests)) = (Inventory::new(3), Guests::new(4)) else {
        return;
    };
    let unit = Unit {
        id: UnitId::new(),
        tenant_id: tenant.id,
        name: "Unit".into(),
        kind: Some("cabin".into()),
        inventory,
        max_guests,
        description: None,
        amenities: Vec::new(),
        images: Vec::new(),
        attributes,
        archived: false,
        created_at: now,
    };
    let ctx = PolicyContext {
        tenant: &tenant,
        unit: &unit,
        now,
    };
    let _ = policy.unit_key(&unit);
    let _ = (
        policy.occupancy_basis(),
        policy.hold_duration(),
        policy.reminder_days(),
        policy.protects_reservations(),
    );
    let today = now.with_timezone(&timezone).date_naive();
    let Some(date) = today.checked_add_signed(Duration::days(i64::from(request.start_day))) else {
        return;
    };
    let _ = policy.open_periods(&tenant, date);
    let slots = policy.slots(&ctx, date);
    let Some(period) = period(config.model, date, request, slots.ok().as_deref(), timezone) else {
        return;
    };
    let (Ok(guests), Ok(quantity)) = (
        Guests::new(i64::from(request.guests)),
        Quantity::new(i64::from(request.quantity)),
    ) else {
        return;
    };
    let party = Party { guests, quantity };
    let Ok(evaluation) = evaluate(policy, &ctx, &period, &party) else {
        return;
    };
    if let Some(price) = &evaluation.price {
        let sum = price
            .lines
            .iter()
            .try_fold(0_i64, |sum, line| sum.checked_add(line.amount.amount_minor));
        assert_eq!(
            sum,
            Some(price.total.amount_minor),
            "a price is its lines' sum"
        );
    }
    let resolved = evaluation.resolved;
    let reservation = Reservation {
        id: ReservationId::new(),
        tenant_id: tenant.id,
        unit_id: unit.id,
        client_id: None,
        state: ReservationState::Confirmed,
        period: resolved.period,
        occupied: resolved.occupied,
        check_in: resolved.check_in,
        check_out: resolved.check_out,
        quantity,
        guests,
        price: evaluation.price.clone(),
        channel: Channel::Admin,
        idempotency_key: None,
        notes: None,
        hold_expires_at: None,
        refund: None,
        policy_override: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let _ = policy.can_change(&ctx, &reservation, &party, &resolved);
    if let Ok(Some(refund)) = policy.refund(&ctx, &reservation) {
        let paid = evaluation
            .price
            .as_ref()
            .map_or(0, |p| p.total.amount_minor);
        assert!(
            refund.amount_minor <= paid.max(0),
            "a refund of {} is more than the {paid} paid",
            refund.amount_minor
        );
    }
    let _ = policy.no_show_after(&ctx, &reservation);
}

/// The period `request` asks for in the shape of `model`.
fn period(
    model: ModelKind,
    date: NaiveDate,
    request: Request,
    slots: Option<&[berth_core::time_range::TimeRange]>,
    timezone: chrono_tz::Tz,
) -> Option<PeriodRequest> {
    match model {
        ModelKind::Nightly => Some(PeriodRequest::Nights {
            check_in: date,
            check_out: date.checked_add_signed(Duration::days(i64::from(request.length)))?,
        }),
        ModelKind::Timeslot => {
            let slots = slots.filter(|s| !s.is_empty());
            let start = match slots {
                Some(s) => s[usize::from(request.minute) % s.len()].start(),
                None => start_of(date, request.minute, timezone)?,
            };
            Some(PeriodRequest::Slot { start })
        }
        ModelKind::Interval => {
            let start = start_of(date, request.minute, timezone)?;
            let end = start.checked_add_signed(Duration::minutes(i64::from(request.length)))?;
            Some(PeriodRequest::Interval { start, end })
        }
    }
}

fn start_of(date: NaiveDate, minute: u16, timezone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let local = date
        .and_hms_opt(0, 0, 0)?
        .checked_add_signed(Duration::minutes(i64::from(minute % 1440)))?;
    timezone
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
