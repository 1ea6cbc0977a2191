//! What both stores share: decoding raw rows into domain types, and the pure parts
//! of each write (the idempotency fingerprint, the reservation after a change or a
//! transition, and the audit entry and event that go with it). Keeping these here
//! leaves each store with only its SQL.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{NewReservation, PeriodChange, StoreError, Transition};
use crate::api_key::ApiKey;
use crate::audit::{Actor, AuditEntry};
use crate::client::Client;
use crate::event::EventKind;
use crate::ids::{ClientId, EventId, ReservationId, TenantId, UnitId};
use crate::quantity::{Guests, Quantity};
use crate::reservation::{IdempotencyKey, Reservation};
use crate::state::{ReservationState, StateAction};
use crate::tenant::Tenant;
use crate::time_range::TimeRange;
use crate::unit::Unit;

/// An audit entry and an outbox event to append in the same transaction as a change.
#[derive(Debug)]
pub(crate) struct ChangeRecord {
    pub audit: AuditEntry,
    pub event_id: EventId,
    pub event_kind: EventKind,
    pub event_payload: serde_json::Value,
}

impl ChangeRecord {
    /// The audit entry and event for `action` on an entity, with `after` as the
    /// event payload and `metadata` in the audit entry.
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is a distinct field of the record"
    )]
    pub(crate) fn new(
        tenant_id: TenantId,
        actor: &Actor,
        entity: (&str, Uuid),
        action: &str,
        event_kind: EventKind,
        after: serde_json::Value,
        metadata: serde_json::Value,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            audit: AuditEntry::new(tenant_id, actor, entity, action, metadata, at),
            event_id: EventId::new(),
            event_kind,
            event_payload: after,
        }
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The reservation a `NewReservation` becomes once inserted.
pub(crate) fn new_reservation(
    tenant_id: TenantId,
    client_id: Option<ClientId>,
    new: &NewReservation,
) -> Reservation {
    Reservation {
        id: ReservationId::new(),
        tenant_id,
        unit_id: new.unit_id,
        client_id,
        state: new.state,
        period: new.period,
        occupied: new.occupied,
        check_in: new.check_in,
        check_out: new.check_out,
        quantity: new.quantity,
        guests: new.guests,
        price: new.price.clone(),
        channel: new.channel,
        idempotency_key: new.idempotency_key.clone(),
        notes: new.notes.clone(),
        hold_expires_at: new.hold_expires_at,
        refund: None,
        policy_override: new.policy_override.clone(),
        version: 1,
        created_at: new.now,
        updated_at: new.now,
    }
}

/// The audit entry and event for a created reservation.
pub(crate) fn reservation_created(r: &Reservation, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        r.tenant_id,
        actor,
        ("reservation", r.id.as_uuid()),
        "create",
        EventKind::ReservationCreated,
        to_json(r),
        json!({ "after": to_json(r) }),
        r.created_at,
    )
}

/// What identifies a booking request for idempotency: unit, booked period,
/// quantity and guests.
pub type RequestFingerprint = (UnitId, TimeRange, Quantity, Guests);

/// The fingerprint of a reservation about to be inserted.
pub(crate) fn fingerprint(new: &NewReservation) -> RequestFingerprint {
    (new.unit_id, new.period, new.quantity, new.guests)
}

/// Returns the earlier reservation for a retried idempotency key, or CONFLICT
/// when the key was used for a different request.
pub fn replay(
    existing: Reservation,
    request: RequestFingerprint,
) -> Result<Reservation, StoreError> {
    let (unit_id, period, quantity, guests) = request;
    let same = existing.unit_id == unit_id
        && existing.period == period
        && existing.quantity == quantity
        && existing.guests == guests;
    if same {
        Ok(existing)
    } else {
        Err(StoreError::Conflict(format!(
            "idempotency key `{}` was already used for a different reservation",
            existing
                .idempotency_key
                .as_ref()
                .map(IdempotencyKey::as_str)
                .unwrap_or("")
        )))
    }
}

fn check_version(r: &Reservation, expected: Option<i64>) -> Result<(), StoreError> {
    match expected {
        Some(v) if v != r.version => Err(StoreError::Conflict(format!(
            "reservation {} is at version {}, not {v}; reload it and try again",
            r.id, r.version
        ))),
        _ => Ok(()),
    }
}

fn illegal(e: crate::state::IllegalTransition) -> StoreError {
    StoreError::Conflict(e.to_string())
}

/// The reservation after a period change, with its audit entry and event; refuses
/// stale versions and states that cannot change.
pub(crate) fn apply_change(
    before: &Reservation,
    change: &PeriodChange,
    actor: &Actor,
) -> Result<(Reservation, ChangeRecord), StoreError> {
    check_version(before, Some(change.expected_version))?;
    before
        .state
        .apply(StateAction::ChangePeriod)
        .map_err(illegal)?;
    let after = Reservation {
        unit_id: change.unit_id,
        period: change.period,
        occupied: change.occupied,
        check_in: change.check_in,
        check_out: change.check_out,
        quantity: change.quantity,
        guests: change.guests,
        price: change.price.clone(),
        policy_override: change.policy_override.clone(),
        version: before.version + 1,
        updated_at: change.now,
        ..before.clone()
    };
    let record = ChangeRecord::new(
        after.tenant_id,
        actor,
        ("reservation", after.id.as_uuid()),
        StateAction::ChangePeriod.as_str(),
        EventKind::ReservationChanged,
        to_json(&after),
        changed_fields(&to_json(before), &to_json(&after)),
        change.now,
    );
    Ok((after, record))
}

/// The reservation after a details change (notes, client), with its audit
/// entry (`update`, the changed fields) and `reservation.changed` event; `None`
/// when the patch changes nothing. A final reservation is CONFLICT.
pub(crate) fn details_changed(
    before: &Reservation,
    change: &crate::reservation_details::DetailsChange,
    actor: &Actor,
) -> Result<Option<(Reservation, ChangeRecord)>, StoreError> {
    if before.state.is_final() {
        return Err(StoreError::Conflict(format!(
            "reservation {} is {}: a final reservation does not change",
            before.id,
            before.state.as_str()
        )));
    }
    check_version(before, change.expected_version)?;
    let patched = change.patch.apply(before);
    if patched == *before {
        return Ok(None);
    }
    let after = Reservation {
        version: before.version + 1,
        updated_at: change.now,
        ..patched
    };
    let record = ChangeRecord::new(
        after.tenant_id,
        actor,
        ("reservation", after.id.as_uuid()),
        "update",
        EventKind::ReservationChanged,
        to_json(&after),
        changed_fields(&to_json(before), &to_json(&after)),
        change.now,
    );
    Ok(Some((after, record)))
}

/// The reservation after a state transition, with its audit entry and event.
pub(crate) fn apply_transition(
    before: &Reservation,
    t: &Transition,
    actor: &Actor,
) -> Result<(Reservation, ChangeRecord), StoreError> {
    check_version(before, t.expected_version)?;
    let state = before.state.apply(t.action).map_err(illegal)?;
    let after = Reservation {
        state,
        hold_expires_at: if state == ReservationState::Held {
            before.hold_expires_at
        } else {
            None
        },
        refund: if state == ReservationState::Canceled {
            t.refund
        } else {
            before.refund
        },
        version: before.version + 1,
        updated_at: t.now,
        ..before.clone()
    };
    let kind = if state == ReservationState::Canceled {
        EventKind::ReservationCanceled
    } else {
        EventKind::ReservationStateChanged
    };
    let record = ChangeRecord::new(
        after.tenant_id,
        actor,
        ("reservation", after.id.as_uuid()),
        t.action.as_str(),
        kind,
        to_json(&after),
        json!({ "from": before.state, "to": state, "details": t.details }),
        t.now,
    );
    Ok((after, record))
}

/// The audit entry and event for a created client.
pub(crate) fn client_created(c: &Client, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        c.tenant_id,
        actor,
        ("client", c.id.as_uuid()),
        "create",
        EventKind::ClientCreated,
        to_json(c),
        json!({ "after": to_json(c) }),
        c.created_at,
    )
}

/// The audit entry and event for a created user (never with the password hash).
pub(crate) fn user_created(u: &crate::user::User, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        u.tenant_id,
        actor,
        ("user", u.id.as_uuid()),
        "create",
        EventKind::UserCreated,
        to_json(u),
        json!({ "after": to_json(u) }),
        u.created_at,
    )
}

/// The audit entry and event for a changed user: the changed fields, with a new
/// password shown only as `"password": "changed"` (never its hash). The action
/// says what happened: `disable`, `enable`, `change_password`,
/// `revoke_sessions`, or `update` (the role).
pub(crate) fn user_updated(
    before: &crate::user::User,
    after: &crate::user::User,
    patch: &crate::user::UserPatch,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let action = if after.disabled_at.is_some() && before.disabled_at.is_none() {
        "disable"
    } else if after.disabled_at.is_none() && before.disabled_at.is_some() {
        "enable"
    } else if patch.password_hash.is_some() {
        "change_password"
    } else if patch.revoke_sessions && before.role == after.role {
        "revoke_sessions"
    } else {
        "update"
    };
    let mut metadata = changed_fields(&to_json(before), &to_json(after));
    if patch.password_hash.is_some() {
        metadata["after"]["password"] = json!("changed");
    }
    ChangeRecord::new(
        after.tenant_id,
        actor,
        ("user", after.id.as_uuid()),
        action,
        EventKind::UserUpdated,
        to_json(after),
        metadata,
        at,
    )
}

/// The user after `patch` at `now`, or `None` when the patch changes nothing
/// (then nothing is written, and no audit entry either).
pub(crate) fn user_change(
    before: &crate::user::User,
    patch: &crate::user::UserPatch,
    now: DateTime<Utc>,
) -> Option<crate::user::User> {
    let after = before.patched(patch, now);
    (after != *before || patch.password_hash.is_some()).then_some(after)
}

/// Whether the change takes an active owner away: then the tenant's other
/// active owners must be counted (see [`keeps_an_owner`]).
pub(crate) fn removes_an_owner(before: &crate::user::User, after: &crate::user::User) -> bool {
    before.is_active_owner() && !after.is_active_owner()
}

/// CONFLICT when a change that removes an active owner leaves none.
pub(crate) fn keeps_an_owner(other_active_owners: i64) -> Result<(), StoreError> {
    if other_active_owners == 0 {
        Err(StoreError::Conflict(
            "the tenant's last active owner cannot be demoted or disabled".into(),
        ))
    } else {
        Ok(())
    }
}

/// The audit entry and event for a created unit.
pub(crate) fn unit_created(u: &Unit, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        u.tenant_id,
        actor,
        ("unit", u.id.as_uuid()),
        "create",
        EventKind::UnitCreated,
        to_json(u),
        json!({ "after": to_json(u) }),
        u.created_at,
    )
}

/// The audit entry and event for a created tenant.
pub(crate) fn tenant_created(t: &Tenant, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        t.id,
        actor,
        ("tenant", t.id.as_uuid()),
        "create",
        EventKind::TenantCreated,
        to_json(t),
        json!({ "after": to_json(t) }),
        t.created_at,
    )
}

/// The audit entry and event for a changed tenant.
pub(crate) fn tenant_updated(
    before: &Tenant,
    after: &Tenant,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        after.id,
        actor,
        ("tenant", after.id.as_uuid()),
        "update",
        EventKind::TenantUpdated,
        to_json(after),
        json!({ "before": to_json(before), "after": to_json(after) }),
        at,
    )
}

/// The audit entry and event of a standalone event.
pub(crate) fn standalone(tenant: TenantId, event: super::NewEvent, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        tenant,
        actor,
        (&event.entity_type, event.entity_id),
        &event.action,
        event.kind,
        event.payload.clone(),
        event.payload,
        event.at,
    )
}

/// The `LIKE … ESCAPE '\'` pattern that finds `search` anywhere in a
/// lowercased text (its `%`, `_` and `\` taken literally), or `None` when
/// the search is blank.
pub(crate) fn contains_pattern(search: Option<&str>) -> Option<String> {
    let search = search?.trim();
    if search.is_empty() {
        return None;
    }
    let mut pattern = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// Refuses a client that cannot be booked for: blocked, or archived (an
/// erased client is archived too).
pub(crate) fn bookable_client(client: &Client) -> Result<(), StoreError> {
    if client.blocked {
        return Err(client_blocked(client.id));
    }
    if client.archived {
        return Err(client_archived(client.id));
    }
    Ok(())
}

/// The refusal for booking an archived client.
pub(crate) fn client_archived(id: ClientId) -> StoreError {
    StoreError::Refused(crate::policy::Violation::new(
        "client_archived",
        format!("client {id} is archived and cannot be booked"),
    ))
}

/// The refusal for booking a blocked client.
pub(crate) fn client_blocked(id: ClientId) -> StoreError {
    StoreError::Refused(crate::policy::Violation::new(
        "client_blocked",
        format!("client {id} is blocked and cannot be booked"),
    ))
}

/// The refusal for booking an archived unit.
pub(crate) fn unit_archived(id: UnitId) -> StoreError {
    StoreError::Refused(crate::policy::Violation::new(
        "unit_archived",
        format!("unit {id} is archived and takes no new bookings"),
    ))
}

/// The fields that differ between two JSON objects: `{before: {..}, after: {..}}`
/// holding only the changed fields, as the audit log keeps them.
pub(crate) fn changed_fields(
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> serde_json::Value {
    let mut b = serde_json::Map::new();
    let mut a = serde_json::Map::new();
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (key, new) in after {
            let old = before.get(key).unwrap_or(&serde_json::Value::Null);
            if old != new {
                b.insert(key.clone(), old.clone());
                a.insert(key.clone(), new.clone());
            }
        }
    }
    json!({ "before": b, "after": a })
}

/// The audit entry and event for a changed unit (`unit.archived` when the change
/// archived it).
pub(crate) fn unit_updated(
    before: &Unit,
    after: &Unit,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let (action, kind) = if after.archived && !before.archived {
        ("archive", EventKind::UnitArchived)
    } else {
        ("update", EventKind::UnitUpdated)
    };
    ChangeRecord::new(
        after.tenant_id,
        actor,
        ("unit", after.id.as_uuid()),
        action,
        kind,
        to_json(after),
        changed_fields(&to_json(before), &to_json(after)),
        at,
    )
}

/// The audit entry and event for a changed client (`client.archived` when the
/// change archived it).
pub(crate) fn client_updated(
    before: &Client,
    after: &Client,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    let (action, kind) = if after.archived && !before.archived {
        ("archive", EventKind::ClientArchived)
    } else {
        ("update", EventKind::ClientUpdated)
    };
    ChangeRecord::new(
        after.tenant_id,
        actor,
        ("client", after.id.as_uuid()),
        action,
        kind,
        to_json(after),
        changed_fields(&to_json(before), &to_json(after)),
        at,
    )
}

/// The audit entry and `client.erased` event of an erasure: the client as it
/// stays, and how much of its history was redacted.
pub(crate) fn client_erased(
    after: &Client,
    report: &crate::erasure::ErasureReport,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        after.tenant_id,
        actor,
        ("client", after.id.as_uuid()),
        "erase",
        EventKind::ClientErased,
        to_json(after),
        json!({ "redacted": report }),
        at,
    )
}

/// The refusal to change an erased client.
pub(crate) fn client_erased_refusal(client: &Client) -> StoreError {
    StoreError::Conflict(crate::erasure::already_erased(client))
}

/// The audit entry and event for a created API key (never with its secret).
pub(crate) fn api_key_created(k: &ApiKey, actor: &Actor) -> ChangeRecord {
    ChangeRecord::new(
        k.tenant_id,
        actor,
        ("api_key", k.id.as_uuid()),
        "create",
        EventKind::ApiKeyCreated,
        to_json(k),
        json!({ "after": to_json(k) }),
        k.created_at,
    )
}

/// The audit entry and event for a revoked API key.
pub(crate) fn api_key_revoked(k: &ApiKey, actor: &Actor, at: DateTime<Utc>) -> ChangeRecord {
    ChangeRecord::new(
        k.tenant_id,
        actor,
        ("api_key", k.id.as_uuid()),
        "revoke",
        EventKind::ApiKeyRevoked,
        to_json(k),
        json!({ "before": { "revoked_at": null }, "after": { "revoked_at": k.revoked_at } }),
        at,
    )
}

/// Refuses an inventory below what the unit's active reservations take at their
/// peak.
pub(crate) fn check_inventory(
    unit: &Unit,
    active: Vec<(TimeRange, u32)>,
) -> Result<(), StoreError> {
    let start = active.iter().map(|(r, _)| r.start()).min();
    let end = active.iter().map(|(r, _)| r.end()).max();
    let peak = match (start, end) {
        (Some(start), Some(end)) => match TimeRange::new(start, end) {
            Ok(window) => crate::capacity::peak_load(active, &window),
            Err(_) => 0,
        },
        _ => 0,
    };
    if peak > unit.inventory.get() {
        return Err(StoreError::Conflict(format!(
            "unit {} has active reservations taking {peak} items at once; its inventory cannot go below that",
            unit.id
        )));
    }
    Ok(())
}

/// The audit entry and event for a lock change (`acquire`, `renew`, `release`,
/// `expire`).
pub(crate) fn lock_changed(
    lock: &crate::lock::Lock,
    action: &str,
    kind: EventKind,
    actor: &Actor,
    at: DateTime<Utc>,
) -> ChangeRecord {
    ChangeRecord::new(
        lock.tenant_id,
        actor,
        ("lock", lock.id.as_uuid()),
        action,
        kind,
        to_json(lock),
        json!({ "after": to_json(lock) }),
        at,
    )
}

/// The first of `locks` that blocks a write by `session`, as a LOCKED refusal.
pub(crate) fn first_blocking(
    locks: Vec<crate::lock::Lock>,
    session: Option<&crate::lock::SessionId>,
    unit: UnitId,
    range: Option<&TimeRange>,
    reservation: Option<ReservationId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match locks
        .into_iter()
        .find(|l| l.blocks(session, unit, range, reservation, now))
    {
        Some(lock) => Err(StoreError::Locked(Box::new(lock))),
        None => Ok(()),
    }
}
