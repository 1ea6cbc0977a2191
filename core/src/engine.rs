//! The reservation engine: the commands of berth (quote, availability, create,
//! change period, confirm, check in, check out, cancel). For each command it asks
//! the tenant's policy what the request means, whether it is allowed and what it
//! costs, adds the rules that hold for every tenant (guests per item, quantity per
//! inventory), and hands the write to the store, which checks capacity and writes
//! the reservation, its audit entry and its event in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use crate::audit::Actor;
use crate::capacity;
use crate::client::{Client, ClientPatch, NewClient};
use crate::clock::Clock;
use crate::error::EngineError;
use crate::ids::{ClientId, LockId, ReservationId, TenantId, UnitId};
use crate::lock::SessionId;
use crate::money::Money;
use crate::money::Price;
use crate::policy::{
    Party, PeriodRequest, Policy, PolicyContext, PolicyProvider, ResolvedPeriod, Violation,
};
use crate::policy_override::{OverrideRequest, PolicyOverride};
use crate::reservation::{Channel, IdempotencyKey, Reservation};
use crate::state::{ReservationState, StateAction};
use crate::store::{ClientRef, NewReservation, PeriodChange, Store, Transition, replay};
use crate::tenant::Tenant;
use crate::time_range::TimeRange;
use crate::unit::{NewUnit, Unit, UnitPatch};

/// A price-and-availability question about one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteRequest {
    /// The unit.
    pub unit_id: UnitId,
    /// The period, in the shape of the tenant's model.
    pub period: PeriodRequest,
    /// Guests and quantity.
    pub party: Party,
}

/// The answer to a quote: whether the unit can be booked, and for how much.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// The unit.
    pub unit_id: UnitId,
    /// True when the rules allow it and capacity is free.
    pub available: bool,
    /// The period as resolved by the policy.
    pub resolved: ResolvedPeriod,
    /// The price, when the rules allow the request.
    pub price: Option<Price>,
    /// The rules the request breaks.
    pub violations: Vec<Violation>,
    /// True when only the tenant's policy stands in the way: it broke only
    /// policy rules (none of the engine's own) and capacity is free, so an
    /// admin may book it anyway (`crate::policy_override`).
    pub overridable: bool,
}

/// A search over all of a tenant's units for one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityRequest {
    /// The period.
    pub period: PeriodRequest,
    /// Guests and quantity.
    pub party: Party,
}

/// One time slot of a unit and how many of its items are still free.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotAvailability {
    /// The slot's period.
    pub period: TimeRange,
    /// The unit's inventory (seats).
    pub capacity: u32,
    /// Items not taken by active reservations during the whole slot.
    pub free: u32,
}

/// The command to book.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateReservation {
    /// The unit.
    pub unit_id: UnitId,
    /// The period.
    pub period: PeriodRequest,
    /// Guests and quantity.
    pub party: Party,
    /// Who it is for.
    pub client: ClientRef,
    /// Makes the command safe to retry.
    pub idempotency_key: Option<IdempotencyKey>,
    /// Free notes.
    pub notes: Option<String>,
    /// Create a tentative hold instead of a confirmed booking.
    pub hold: bool,
    /// How the request came in.
    pub channel: Channel,
    /// A lock of the caller's session to release with the booking.
    pub consume_lock: Option<LockId>,
    /// Book even if the tenant's policy refuses (an admin's override, with a
    /// reason); only policy violations give way.
    pub policy_override: Option<OverrideRequest>,
}

/// The command to move, resize or re-unit a reservation.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangePeriod {
    /// The reservation.
    pub id: ReservationId,
    /// The new period.
    pub period: PeriodRequest,
    /// A different unit, or `None` to stay.
    pub unit_id: Option<UnitId>,
    /// New guests and quantity, or `None` to keep them.
    pub party: Option<Party>,
    /// When given, the reservation must still be at this version.
    pub expected_version: Option<i64>,
    /// A lock of the caller's session to release with the change.
    pub consume_lock: Option<LockId>,
    /// Change even if the tenant's policy refuses (an admin's override, with
    /// a reason); only policy violations give way.
    pub policy_override: Option<OverrideRequest>,
}

/// A period change evaluated against the reservation as it stands: what
/// `change_period` writes and `quote_change` shows.
struct PlannedChange {
    current: Reservation,
    tenant: Tenant,
    unit: Unit,
    policy: Arc<dyn Policy>,
    party: Party,
    eval: Evaluation,
}

/// The reservation engine. Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) policies: Arc<dyn PolicyProvider>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The caller's session: locks it holds do not block its writes.
    pub(crate) session: Option<SessionId>,
}

/// A request evaluated against one unit: resolved, checked and (when allowed) priced.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The period as the policy resolved it.
    pub resolved: ResolvedPeriod,
    /// Every rule broken: the engine's own, then the policy's.
    pub violations: Vec<Violation>,
    /// The price, when no rule is broken.
    pub price: Option<Price>,
}

/// Resolves, checks and prices one request against one unit, without touching
/// the store: the rules every tenant shares come first (archived unit, quantity
/// over inventory, guests over capacity), then the policy's `validate`; the price
/// is computed only for requests that break no rule. The engine runs exactly this
/// for quotes and bookings, and the policy test runner runs it for test cases.
pub fn evaluate(
    policy: &dyn Policy,
    ctx: &PolicyContext<'_>,
    period: &PeriodRequest,
    party: &Party,
) -> Result<Evaluation, EngineError> {
    let universal = universal_rules(ctx.unit, party);
    let verdict = verdict(policy, ctx, period, party, &universal)?;
    Ok(verdict.with(universal))
}

/// The policy's part of an evaluation: the same for every unit the policy cannot
/// tell apart ([`Policy::unit_key`]) when the engine's own rules pass for all of
/// them, or fail for all of them.
#[derive(Clone, Debug)]
struct Verdict {
    resolved: ResolvedPeriod,
    violations: Vec<Violation>,
    price: Option<Price>,
}

impl Verdict {
    /// The evaluation of a unit the engine's own rules found `universal` for.
    fn with(self, mut universal: Vec<Violation>) -> Evaluation {
        universal.extend(self.violations);
        Evaluation {
            resolved: self.resolved,
            violations: universal,
            price: self.price,
        }
    }
}

/// Asks the policy, telling it the engine's own violations (`known`): the price
/// is computed only when no rule is broken.
fn verdict(
    policy: &dyn Policy,
    ctx: &PolicyContext<'_>,
    period: &PeriodRequest,
    party: &Party,
    known: &[Violation],
) -> Result<Verdict, EngineError> {
    let resolved = policy.resolve_period(ctx, period)?;
    let (violations, price) = policy.validate_and_price(ctx, party, &resolved, known)?;
    Ok(Verdict {
        resolved,
        violations,
        price,
    })
}

impl Engine {
    /// An engine over `store`, asking `policies` for each tenant's rules and
    /// `clock` for the time.
    pub fn new(
        store: Arc<dyn Store>,
        policies: Arc<dyn PolicyProvider>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            policies,
            clock,
            session: None,
        }
    }

    /// This engine acting for `session`: the session's own locks do not block
    /// its reservation writes, and locks it takes are held by it. (Cheap: a
    /// clone of three pointers.)
    pub fn for_session(&self, session: SessionId) -> Self {
        Self {
            session: Some(session),
            ..self.clone()
        }
    }

    /// The session this engine acts for, if any.
    pub fn session(&self) -> Option<&SessionId> {
        self.session.as_ref()
    }

    /// The store, for reads that need no rules. Writes go through the engine's
    /// commands or its sibling services — [`Engine::accounts`] (users, API
    /// keys, sign-ins) and [`Engine::integrations`] (webhooks, push) — which
    /// own their rules; the API layer and the CLI never write through this.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The accounts service (users, passwords, sign-ins, API keys) over this
    /// engine's store and clock.
    pub fn accounts(&self) -> crate::accounts::Accounts {
        crate::accounts::Accounts::new(self.store.clone(), self.clock.clone())
    }

    /// The integrations service (webhooks, push subscriptions and
    /// notification settings) over this engine's store and clock.
    pub fn integrations(&self) -> crate::integrations::Integrations {
        crate::integrations::Integrations::new(self.store.clone(), self.clock.clone())
    }

    /// The policy versions service (publish, history, rollback) over this
    /// engine's store, policy port and clock.
    pub fn policy_versions(&self) -> crate::policy_versions::PolicyVersions {
        crate::policy_versions::PolicyVersions::new(
            self.store.clone(),
            self.policies.clone(),
            self.clock.clone(),
        )
    }

    /// The clock the engine reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Whether and for how much one unit can be booked.
    pub async fn quote(
        &self,
        tenant_id: TenantId,
        req: QuoteRequest,
    ) -> Result<Quote, EngineError> {
        let (tenant, unit) = self.tenant_and_unit(tenant_id, req.unit_id).await?;
        let policy = self.policies.policy(&tenant)?;
        let eval = self.evaluate(&*policy, &tenant, &unit, &req.period, &req.party)?;
        let taken = self
            .store
            .occupancy(tenant_id, &[unit.id], &eval.resolved.occupied)
            .await?;
        Ok(self.quote_from(
            &unit,
            eval,
            &req.party,
            taken.iter().map(|o| (o.occupied, o.quantity)),
        ))
    }

    /// Quotes for every active unit of the tenant for one period: the search a
    /// public site runs. Policy evaluation runs once per unit, and one store query
    /// fetches the occupancy of all units.
    pub async fn availability(
        &self,
        tenant_id: TenantId,
        req: AvailabilityRequest,
    ) -> Result<Vec<Quote>, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let policy = self.policies.policy(&tenant)?;
        let units = self.store.units(tenant_id, false).await?;
        let evaluated = evaluate_units(policy, tenant, units, &req, self.clock.now()).await?;
        let Some(window) = evaluated
            .iter()
            .map(|(_, e)| e.resolved.occupied)
            .reduce(|a, b| {
                TimeRange::new(a.start().min(b.start()), a.end().max(b.end())).unwrap_or(a)
            })
        else {
            return Ok(Vec::new());
        };
        let ids: Vec<UnitId> = evaluated.iter().map(|(u, _)| u.id).collect();
        let mut by_unit: HashMap<UnitId, Vec<(TimeRange, u32)>> = HashMap::new();
        for o in self.store.occupancy(tenant_id, &ids, &window).await? {
            by_unit
                .entry(o.unit_id)
                .or_default()
                .push((o.occupied, o.quantity));
        }
        Ok(evaluated
            .into_iter()
            .map(|(unit, eval)| {
                let taken = by_unit.remove(&unit.id).unwrap_or_default();
                self.quote_from(&unit, eval, &req.party, taken)
            })
            .collect())
    }

    /// The slots of a timeslot unit on a tenant-local date, with free seats.
    pub async fn slots(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        date: chrono::NaiveDate,
    ) -> Result<Vec<SlotAvailability>, EngineError> {
        let (tenant, unit) = self.tenant_and_unit(tenant_id, unit_id).await?;
        let policy = self.policies.policy(&tenant)?;
        let slots = policy.slots(&self.ctx(&tenant, &unit), date)?;
        let Some(window) = slots.iter().copied().reduce(|a, b| {
            TimeRange::new(a.start().min(b.start()), a.end().max(b.end())).unwrap_or(a)
        }) else {
            return Ok(Vec::new());
        };
        let taken: Vec<(TimeRange, u32)> = self
            .store
            .occupancy(tenant_id, &[unit.id], &window)
            .await?
            .into_iter()
            .map(|o| (o.occupied, o.quantity))
            .collect();
        let capacity = unit.inventory.get();
        Ok(slots
            .into_iter()
            .map(|period| SlotAvailability {
                period,
                capacity,
                free: capacity.saturating_sub(capacity::peak_load(taken.iter().copied(), &period)),
            })
            .collect())
    }

    /// Books, or returns the original reservation when `idempotency_key` was
    /// already used for the same request.
    async fn try_create_reservation(
        &self,
        tenant_id: TenantId,
        cmd: CreateReservation,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        if let ClientRef::New(client) = &cmd.client {
            check_client(client)?;
        }
        crate::reservation_details::check_notes(cmd.notes.as_deref())?;
        let (tenant, unit) = self.tenant_and_unit(tenant_id, cmd.unit_id).await?;
        let policy = self.policies.policy(&tenant)?;
        if let Some(key) = &cmd.idempotency_key
            && let Some(existing) = self
                .store
                .reservation_by_idempotency_key(tenant_id, key)
                .await?
        {
            // A retry is answered from the record, even if the rules or the
            // calendar changed since the first attempt.
            let resolved = policy.resolve_period(&self.ctx(&tenant, &unit), &cmd.period)?;
            let request = (
                cmd.unit_id,
                resolved.period,
                cmd.party.quantity,
                cmd.party.guests,
            );
            return Ok(replay(existing, request)?);
        }
        let eval = self.evaluate(&*policy, &tenant, &unit, &cmd.period, &cmd.party)?;
        let now = self.clock.now();
        let (resolved, price, policy_override) = self.settle(
            &*policy,
            &self.ctx(&tenant, &unit),
            &cmd.party,
            eval,
            cmd.policy_override,
            actor,
        )?;
        let (state, hold_expires_at) = if cmd.hold {
            (ReservationState::Held, Some(now + policy.hold_duration()))
        } else {
            (ReservationState::Confirmed, None)
        };
        let new = NewReservation {
            unit_id: unit.id,
            client: cmd.client,
            state,
            period: resolved.period,
            occupied: resolved.occupied,
            check_in: resolved.check_in,
            check_out: resolved.check_out,
            quantity: cmd.party.quantity,
            guests: cmd.party.guests,
            price,
            policy_override,
            channel: cmd.channel,
            idempotency_key: cmd.idempotency_key,
            notes: cmd.notes,
            hold_expires_at,
            session: self.session.clone(),
            consume_lock: cmd.consume_lock,
            now,
        };
        Ok(self
            .store
            .insert_reservation(tenant_id, new, actor)
            .await?
            .reservation)
    }

    /// The change `cmd` asks for, evaluated: the reservation must be able to
    /// change (CONFLICT for a final one or a stale `expected_version`); the
    /// rules every booking meets and the tenant's `can_change` rules are
    /// checked against the new period, unit and party.
    async fn plan_change(
        &self,
        tenant_id: TenantId,
        cmd: &ChangePeriod,
    ) -> Result<PlannedChange, EngineError> {
        let current = self.reservation(tenant_id, cmd.id).await?;
        current.state.apply(StateAction::ChangePeriod)?;
        check_version(&current, cmd.expected_version)?;
        let tenant = self.tenant(tenant_id).await?;
        let unit = self
            .unit(tenant_id, cmd.unit_id.unwrap_or(current.unit_id))
            .await?;
        let policy = self.policies.policy(&tenant)?;
        let party = cmd.party.unwrap_or(Party {
            guests: current.guests,
            quantity: current.quantity,
        });
        let mut eval = self.evaluate(&*policy, &tenant, &unit, &cmd.period, &party)?;
        // The tenant's `can_change` rules for changing this reservation, on top
        // of the rules every booking meets.
        let refused =
            policy.can_change(&self.ctx(&tenant, &unit), &current, &party, &eval.resolved)?;
        if !refused.is_empty() {
            // A refused change has no price, as a refused booking has none.
            eval.price = None;
            eval.violations.extend(refused);
        }
        Ok(PlannedChange {
            current,
            tenant,
            unit,
            policy,
            party,
            eval,
        })
    }

    /// Moves, resizes or re-units a reservation: the policy and capacity
    /// (excluding the reservation itself) are checked again, the price is
    /// recomputed, and the change is one transaction.
    async fn try_change_period(
        &self,
        tenant_id: TenantId,
        cmd: ChangePeriod,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        let plan = self.plan_change(tenant_id, &cmd).await?;
        let (resolved, price, policy_override) = self.settle(
            &*plan.policy,
            &self.ctx(&plan.tenant, &plan.unit),
            &plan.party,
            plan.eval,
            cmd.policy_override,
            actor,
        )?;
        let change = PeriodChange {
            id: plan.current.id,
            expected_version: plan.current.version,
            unit_id: plan.unit.id,
            period: resolved.period,
            occupied: resolved.occupied,
            check_in: resolved.check_in,
            check_out: resolved.check_out,
            quantity: plan.party.quantity,
            guests: plan.party.guests,
            price,
            policy_override,
            session: self.session.clone(),
            consume_lock: cmd.consume_lock,
            now: self.clock.now(),
        };
        Ok(self
            .store
            .change_reservation(tenant_id, change, actor)
            .await?)
    }

    /// The quote of a period change, as `change_period` would price and check
    /// it (the same evaluation, `can_change` included), with the reservation's
    /// own occupancy not counted against it. CONFLICT for a reservation that
    /// cannot change.
    pub async fn quote_change(
        &self,
        tenant_id: TenantId,
        cmd: ChangePeriod,
    ) -> Result<Quote, EngineError> {
        let plan = self.plan_change(tenant_id, &cmd).await?;
        let taken = self
            .store
            .occupancy(tenant_id, &[plan.unit.id], &plan.eval.resolved.occupied)
            .await?;
        let own = plan.current.id;
        Ok(self.quote_from(
            &plan.unit,
            plan.eval,
            &plan.party,
            taken
                .iter()
                .filter(|o| o.reservation != Some(own))
                .map(|o| (o.occupied, o.quantity)),
        ))
    }

    /// What the tenant's policy would refund if `reservation` were canceled
    /// now: `None` when it cannot be canceled (its state does not allow it)
    /// or the policy gives nothing back.
    pub async fn cancellation_refund(
        &self,
        tenant_id: TenantId,
        reservation: &Reservation,
    ) -> Result<Option<Money>, EngineError> {
        if reservation.state.apply(StateAction::Cancel).is_err() {
            return Ok(None);
        }
        self.refund_now(tenant_id, reservation).await
    }

    /// The refund the tenant's policy gives for `reservation` at this instant.
    async fn refund_now(
        &self,
        tenant_id: TenantId,
        reservation: &Reservation,
    ) -> Result<Option<Money>, EngineError> {
        let (tenant, unit) = self.tenant_and_unit(tenant_id, reservation.unit_id).await?;
        let policy = self.policies.policy(&tenant)?;
        Ok(policy.refund(&self.ctx(&tenant, &unit), reservation)?)
    }

    /// What a write records once evaluated: the resolved period, the price and
    /// the override, if one was needed. Without violations, the evaluation's
    /// price and no override (an override asked for but not needed is not
    /// recorded). With violations and no override: VALIDATION. With an
    /// override: VALIDATION still when any violation is the engine's own
    /// (archived unit, quantity over inventory, guests over the unit's
    /// capacity); otherwise the policy's price for the request when it still
    /// computes one (else none), and the override's record.
    fn settle(
        &self,
        policy: &dyn Policy,
        ctx: &PolicyContext<'_>,
        party: &Party,
        eval: Evaluation,
        request: Option<OverrideRequest>,
        actor: &Actor,
    ) -> Result<(ResolvedPeriod, Option<Price>, Option<PolicyOverride>), EngineError> {
        if eval.violations.is_empty() {
            return Ok((eval.resolved, eval.price, None));
        }
        let Some(request) = request else {
            return Err(EngineError::Validation(eval.violations));
        };
        if !universal_rules(ctx.unit, party).is_empty() {
            return Err(EngineError::Validation(eval.violations));
        }
        let price = match policy.price(ctx, party, &eval.resolved) {
            Ok(price) => Some(price),
            Err(e) => {
                tracing::info!(error = %e, "an overridden request has no price");
                None
            }
        };
        let record = PolicyOverride {
            reason: request.reason,
            violations: eval.violations,
            by: actor.clone(),
            by_name: request.by_name,
            at: ctx.now,
        };
        Ok((eval.resolved, price, Some(record)))
    }

    /// Books, or returns the original reservation when `idempotency_key` was
    /// already used for the same request. A refusal because another session
    /// holds a lock is recorded as a `lock.conflict` event.
    pub async fn create_reservation(
        &self,
        tenant_id: TenantId,
        cmd: CreateReservation,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        let result = match self
            .try_create_reservation(tenant_id, cmd.clone(), actor)
            .await
        {
            Err(EngineError::Unavailable { .. }) if self.expired_overdue_holds(tenant_id).await => {
                self.try_create_reservation(tenant_id, cmd, actor).await
            }
            other => other,
        };
        self.noting_conflict(tenant_id, actor, result).await
    }

    /// After an UNAVAILABLE refusal: expires the tenant's holds past their
    /// deadline that the lifecycle worker has not reached yet (it runs every
    /// few seconds), so that a full unit is never full only because of them;
    /// true when any was, and the command is worth one more try. A failure is
    /// only logged (the refusal stands).
    async fn expired_overdue_holds(&self, tenant_id: TenantId) -> bool {
        match self.expire_holds(tenant_id).await {
            Ok(expired) => !expired.is_empty(),
            Err(e) => {
                tracing::warn!(error = ?e, "expiring overdue holds after a refusal");
                false
            }
        }
    }

    /// Moves, resizes or re-units a reservation (see `try_change_period`); a
    /// refusal by a lock is recorded as a `lock.conflict` event.
    pub async fn change_period(
        &self,
        tenant_id: TenantId,
        cmd: ChangePeriod,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        let result = match self.try_change_period(tenant_id, cmd.clone(), actor).await {
            Err(EngineError::Unavailable { .. }) if self.expired_overdue_holds(tenant_id).await => {
                self.try_change_period(tenant_id, cmd, actor).await
            }
            other => other,
        };
        self.noting_conflict(tenant_id, actor, result).await
    }

    /// Applies a state action (with its audit details) to a reservation; a
    /// refusal by a lock is recorded as a `lock.conflict` event.
    pub async fn transition(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        action: StateAction,
        expected_version: Option<i64>,
        details: serde_json::Value,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        let result = self
            .try_transition(tenant_id, id, action, expected_version, details, actor)
            .await;
        self.noting_conflict(tenant_id, actor, result).await
    }

    /// Passes `result` on; when it is a LOCKED refusal, first records a
    /// `lock.conflict` event (with its audit entry) so that the lock's holder and
    /// the tenant's staff can hear of it. Failing to record it is only logged.
    pub(crate) async fn noting_conflict<T>(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
        result: Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        if let Err(EngineError::Locked(lock)) = &result {
            let event = crate::store::NewEvent {
                kind: crate::event::EventKind::LockConflict,
                entity_type: "lock".into(),
                entity_id: lock.id.as_uuid(),
                action: "conflict".into(),
                payload: serde_json::json!({
                    "lock": lock,
                    "attempted_by": actor.to_string(),
                    "session": self.session,
                }),
                at: self.clock.now(),
            };
            if let Err(e) = self.store.record_event(tenant_id, event, actor).await {
                tracing::warn!(error = ?e, "recording a lock conflict");
            }
        }
        result
    }

    /// Turns a hold into a confirmed booking.
    pub async fn confirm(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        self.transition(
            tenant_id,
            id,
            StateAction::Confirm,
            expected_version,
            serde_json::Value::Null,
            actor,
        )
        .await
    }

    /// Records the guest's arrival.
    pub async fn check_in(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        self.transition(
            tenant_id,
            id,
            StateAction::CheckIn,
            expected_version,
            serde_json::Value::Null,
            actor,
        )
        .await
    }

    /// Records the guest's departure; the reservation is finished for good.
    pub async fn check_out(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        self.transition(
            tenant_id,
            id,
            StateAction::CheckOut,
            expected_version,
            serde_json::Value::Null,
            actor,
        )
        .await
    }

    /// Cancels a hold or a booking, freeing its capacity.
    pub async fn cancel(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        reason: Option<String>,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        let details = serde_json::json!({ "reason": reason });
        self.transition(
            tenant_id,
            id,
            StateAction::Cancel,
            expected_version,
            details,
            actor,
        )
        .await
    }

    /// Creates a client after checking its fields.
    pub async fn create_client(
        &self,
        tenant_id: TenantId,
        new: NewClient,
        actor: &Actor,
    ) -> Result<Client, EngineError> {
        check_client(&new)?;
        Ok(self
            .store
            .create_client(tenant_id, new, actor, self.clock.now())
            .await?)
    }

    /// Changes a client after checking the new fields.
    pub async fn update_client(
        &self,
        tenant_id: TenantId,
        id: ClientId,
        patch: ClientPatch,
        actor: &Actor,
    ) -> Result<Client, EngineError> {
        if patch.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(EngineError::InvalidInput {
                field: "client.name",
                message: "a client needs a name".into(),
            });
        }
        Ok(self
            .store
            .update_client(tenant_id, id, patch, actor, self.clock.now())
            .await?)
    }

    /// Creates a unit after checking its fields.
    pub async fn create_unit(
        &self,
        tenant_id: TenantId,
        new: NewUnit,
        actor: &Actor,
    ) -> Result<Unit, EngineError> {
        check_unit_name(Some(&new.name))?;
        check_attributes(Some(&new.attributes))?;
        Ok(self
            .store
            .create_unit(tenant_id, new, actor, self.clock.now())
            .await?)
    }

    /// Changes (or archives) a unit after checking the new fields. Lowering the
    /// inventory below what active reservations take is CONFLICT.
    pub async fn update_unit(
        &self,
        tenant_id: TenantId,
        id: UnitId,
        patch: UnitPatch,
        actor: &Actor,
    ) -> Result<Unit, EngineError> {
        check_unit_name(patch.name.as_deref())?;
        check_attributes(patch.attributes.as_ref())?;
        Ok(self
            .store
            .update_unit(tenant_id, id, patch, actor, self.clock.now())
            .await?)
    }

    /// The state of the tenant's policy (live version, last refusal).
    pub async fn policy_status(
        &self,
        tenant_id: TenantId,
    ) -> Result<Option<crate::policy::PolicyStatus>, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        Ok(self.policies.status(&tenant))
    }

    /// The booking model of `tenant`'s live policy, as the measure its
    /// occupancy is counted in (one per model: nights for nightly, seat-hours
    /// for timeslot, item-hours for interval). POLICY_ERROR when the tenant has
    /// no live policy.
    pub fn occupancy_basis(
        &self,
        tenant: &Tenant,
    ) -> Result<crate::policy::OccupancyBasis, EngineError> {
        Ok(self.policies.policy(tenant)?.occupancy_basis())
    }

    /// A reservation of the tenant, or NOT_FOUND.
    pub async fn reservation(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
    ) -> Result<Reservation, EngineError> {
        self.store
            .reservation(tenant_id, id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "reservation",
                id: id.to_string(),
            })
    }

    pub(crate) async fn try_transition(
        &self,
        tenant_id: TenantId,
        id: ReservationId,
        action: StateAction,
        expected_version: Option<i64>,
        details: serde_json::Value,
        actor: &Actor,
    ) -> Result<Reservation, EngineError> {
        // A cancellation records the refund the tenant's policy says is due.
        let refund = if matches!(action, StateAction::Cancel) {
            let current = self.reservation(tenant_id, id).await?;
            self.refund_now(tenant_id, &current).await?
        } else {
            None
        };
        let details = match (refund, details) {
            (Some(r), serde_json::Value::Object(mut m)) => {
                m.insert("refund".into(), serde_json::json!(r));
                serde_json::Value::Object(m)
            }
            (Some(r), serde_json::Value::Null) => serde_json::json!({ "refund": r }),
            (_, d) => d,
        };
        let transition = Transition {
            id,
            action,
            expected_version,
            details,
            refund,
            session: self.session.clone(),
            now: self.clock.now(),
        };
        Ok(self
            .store
            .transition_reservation(tenant_id, transition, actor)
            .await?)
    }

    pub(crate) async fn tenant(&self, id: TenantId) -> Result<Tenant, EngineError> {
        self.store
            .tenant(id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "tenant",
                id: id.to_string(),
            })
    }

    pub(crate) async fn unit(&self, tenant_id: TenantId, id: UnitId) -> Result<Unit, EngineError> {
        self.store
            .unit(tenant_id, id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "unit",
                id: id.to_string(),
            })
    }

    /// The tenant and its unit `id` in one read; NOT_FOUND naming whichever is
    /// missing (the tenant is read again only then).
    pub(crate) async fn tenant_and_unit(
        &self,
        tenant_id: TenantId,
        id: UnitId,
    ) -> Result<(Tenant, Unit), EngineError> {
        match self.store.tenant_and_unit(tenant_id, id).await? {
            Some(found) => Ok(found),
            None => {
                self.tenant(tenant_id).await?;
                Err(EngineError::NotFound {
                    entity: "unit",
                    id: id.to_string(),
                })
            }
        }
    }

    pub(crate) fn ctx<'a>(&self, tenant: &'a Tenant, unit: &'a Unit) -> PolicyContext<'a> {
        PolicyContext {
            tenant,
            unit,
            now: self.clock.now(),
        }
    }

    fn evaluate(
        &self,
        policy: &dyn Policy,
        tenant: &Tenant,
        unit: &Unit,
        period: &PeriodRequest,
        party: &Party,
    ) -> Result<Evaluation, EngineError> {
        evaluate(policy, &self.ctx(tenant, unit), period, party)
    }

    fn quote_from<I>(&self, unit: &Unit, eval: Evaluation, party: &Party, taken: I) -> Quote
    where
        I: IntoIterator<Item = (TimeRange, u32)>,
    {
        let free = capacity::fits(
            taken,
            &eval.resolved.occupied,
            party.quantity.get(),
            unit.inventory.get(),
        );
        let overridable =
            free && !eval.violations.is_empty() && universal_rules(unit, party).is_empty();
        Quote {
            unit_id: unit.id,
            available: eval.violations.is_empty() && free,
            resolved: eval.resolved,
            price: eval.price,
            violations: eval.violations,
            overridable,
        }
    }
}

/// Below this many units, availability evaluates inline: threads cost more than
/// they save.
const PARALLEL_EVALUATION_MIN_UNITS: usize = 64;

/// Evaluates the request against every unit. Units the policy cannot tell apart
/// (equal [`Policy::unit_key`]) and for which the engine's own rules agree share
/// one policy evaluation — a search over 1,000 units of a few kinds is a few
/// evaluations. Policy evaluation is CPU work, so many distinct ones run on the
/// blocking pool, split across the cores, instead of stalling the async
/// executor; results keep the units' order.
async fn evaluate_units(
    policy: Arc<dyn Policy>,
    tenant: Tenant,
    units: Vec<Unit>,
    req: &AvailabilityRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(Unit, Evaluation)>, EngineError> {
    // Which distinct evaluation each unit takes, and one unit for each.
    let universal: Vec<Vec<Violation>> = units
        .iter()
        .map(|u| universal_rules(u, &req.party))
        .collect();
    let mut slot_of_key: HashMap<(String, bool), usize> = HashMap::new();
    let mut slots: Vec<usize> = Vec::with_capacity(units.len());
    let mut representatives: Vec<(Unit, Vec<Violation>)> = Vec::new();
    for (unit, broken) in units.iter().zip(&universal) {
        let fresh = representatives.len();
        let slot = match policy.unit_key(unit) {
            Some(key) => *slot_of_key.entry((key, broken.is_empty())).or_insert(fresh),
            None => fresh,
        };
        if slot == fresh {
            representatives.push((unit.clone(), broken.clone()));
        }
        slots.push(slot);
    }
    let run = move |policy: &dyn Policy,
                    tenant: &Tenant,
                    units: Vec<(Unit, Vec<Violation>)>,
                    req: &AvailabilityRequest| {
        units
            .into_iter()
            .map(|(unit, known)| {
                let ctx = PolicyContext {
                    tenant,
                    unit: &unit,
                    now,
                };
                verdict(policy, &ctx, &req.period, &req.party, &known)
            })
            .collect::<Result<Vec<_>, EngineError>>()
    };
    let verdicts = if representatives.len() < PARALLEL_EVALUATION_MIN_UNITS {
        run(&*policy, &tenant, representatives, req)?
    } else {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_worker = representatives.len().div_ceil(workers);
        let tenant = Arc::new(tenant);
        let req = Arc::new(req.clone());
        let mut tasks = Vec::with_capacity(workers);
        let mut remaining = representatives.into_iter();
        loop {
            let part: Vec<(Unit, Vec<Violation>)> = remaining.by_ref().take(per_worker).collect();
            if part.is_empty() {
                break;
            }
            let (policy, tenant, req) =
                (Arc::clone(&policy), Arc::clone(&tenant), Arc::clone(&req));
            tasks.push(tokio::task::spawn_blocking(move || {
                run(&*policy, &tenant, part, &req)
            }));
        }
        let mut verdicts = Vec::new();
        for task in tasks {
            let part = task
                .await
                .map_err(|e| EngineError::Crashed(format!("availability evaluation: {e}")))??;
            verdicts.extend(part);
        }
        verdicts
    };
    Ok(units
        .into_iter()
        .zip(universal)
        .zip(slots)
        .map(|((unit, universal), slot)| {
            let eval = verdicts[slot].clone().with(universal);
            (unit, eval)
        })
        .collect())
}

/// Rules that hold for every tenant and model.
fn universal_rules(unit: &Unit, party: &Party) -> Vec<Violation> {
    let mut violations = Vec::new();
    if unit.archived {
        violations.push(Violation::new(
            "unit_archived",
            format!("{} is archived and takes no new bookings", unit.name),
        ));
    }
    if party.quantity > unit.inventory.as_quantity() {
        violations.push(Violation::new(
            "quantity_over_inventory",
            format!(
                "{} has {} item(s); {} requested",
                unit.name,
                unit.inventory.get(),
                party.quantity.get()
            ),
        ));
    }
    let capacity = u64::from(unit.max_guests.get()) * u64::from(party.quantity.get());
    if u64::from(party.guests.get()) > capacity {
        let per = if party.quantity.get() == 1 {
            ""
        } else {
            " for that quantity"
        };
        violations.push(Violation::new(
            "max_guests",
            format!(
                "{} takes at most {capacity} guest(s){per}; {} requested",
                unit.name,
                party.guests.get()
            ),
        ));
    }
    violations
}

fn check_client(client: &NewClient) -> Result<(), EngineError> {
    if client.name.trim().is_empty() {
        return Err(EngineError::InvalidInput {
            field: "client.name",
            message: "a client needs a name".into(),
        });
    }
    Ok(())
}

fn check_unit_name(name: Option<&str>) -> Result<(), EngineError> {
    if name.is_some_and(|n| n.trim().is_empty()) {
        return Err(EngineError::InvalidInput {
            field: "unit.name",
            message: "a unit needs a name".into(),
        });
    }
    Ok(())
}

fn check_attributes(attributes: Option<&serde_json::Value>) -> Result<(), EngineError> {
    if attributes.is_some_and(|a| !a.is_object()) {
        return Err(EngineError::InvalidInput {
            field: "unit.attributes",
            message: "attributes must be an object".into(),
        });
    }
    Ok(())
}

fn check_version(r: &Reservation, expected: Option<i64>) -> Result<(), EngineError> {
    match expected {
        Some(v) if v != r.version => Err(EngineError::Conflict(format!(
            "reservation {} is at version {}, not {v}; reload it and try again",
            r.id, r.version
        ))),
        _ => Ok(()),
    }
}
