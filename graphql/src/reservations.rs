//! Reservations of the signed-in tenant: `reservations` (a filtered connection),
//! `reservation`, `quoteChange` (a period change's quote, nothing written), and
//! the commands `createReservation` (idempotent by `idempotencyKey`),
//! `changeReservationPeriod`, `updateReservation` (notes and client),
//! `confirmReservation`, `checkIn`, `checkOut`, `cancelReservation`.
//! Reading needs viewer; writing needs staff; booking anyway over a policy's
//! refusal (`overrideReason`) needs admin.
//! Units and clients of a list's page are loaded in one batch each (through the
//! DataLoaders); a single reservation's load on demand.

use std::collections::HashMap;

use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, Enum, ID, InputObject, Lookahead, MaybeUndefined, Object, Result, SimpleObject,
};
use berth_core::engine::{ChangePeriod, CreateReservation};
use berth_core::ids::{ClientId, ReservationId, UnitId};
use berth_core::policy_override::{OverrideRequest, PolicyOverride as CoreOverride};
use berth_core::reservation::{Channel, Reservation as CoreReservation};
use berth_core::reservation_details::DetailsPatch;
use berth_core::state::{ReservationState as CoreState, StateAction};
use berth_core::store::{ClientRef, ReservationFilter};
use berth_core::time_range::TimeRange;
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::{engine_for, require};
use crate::auth::{Principal, Viewer};
use crate::clients::{Client, ClientInput};
use crate::error::{OrGraphql, coded, internal};
use crate::ids::{not_found, parse};
use crate::loaders::{ClientLoader, UnitLoader};
use crate::page::{Page, page_size};
use crate::scalars::Date;
use crate::types::{Money, PeriodInput, PriceLine, Quote, Unit, Violation, party};

/// Where a reservation is in its life.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReservationState {
    /// Tentative; expires.
    Held,
    /// Booked.
    Confirmed,
    /// The guest arrived.
    CheckedIn,
    /// The guest left (final).
    Finished,
    /// Canceled (final).
    Canceled,
    /// The guest never came (final).
    Absent,
}

impl From<CoreState> for ReservationState {
    fn from(s: CoreState) -> Self {
        match s {
            CoreState::Held => Self::Held,
            CoreState::Confirmed => Self::Confirmed,
            CoreState::CheckedIn => Self::CheckedIn,
            CoreState::Finished => Self::Finished,
            CoreState::Canceled => Self::Canceled,
            CoreState::Absent => Self::Absent,
        }
    }
}

impl From<ReservationState> for CoreState {
    fn from(s: ReservationState) -> Self {
        match s {
            ReservationState::Held => Self::Held,
            ReservationState::Confirmed => Self::Confirmed,
            ReservationState::CheckedIn => Self::CheckedIn,
            ReservationState::Finished => Self::Finished,
            ReservationState::Canceled => Self::Canceled,
            ReservationState::Absent => Self::Absent,
        }
    }
}

/// The policy refusal an admin set aside to book (or change) a reservation as
/// it stands.
#[derive(SimpleObject, Debug)]
pub struct PolicyOverride {
    /// Why.
    pub reason: String,
    /// What the policy refused.
    pub violations: Vec<Violation>,
    /// Who overrode, as shown to others then.
    pub by: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<CoreOverride> for PolicyOverride {
    fn from(o: CoreOverride) -> Self {
        Self {
            reason: o.reason.into(),
            violations: o.violations.into_iter().map(Into::into).collect(),
            by: Some(o.by_name),
            at: o.at,
        }
    }
}

/// A reservation, possibly with its unit and client already loaded (lists load
/// them for all rows at once).
#[derive(Debug)]
pub struct Reservation {
    r: CoreReservation,
    unit: Option<berth_core::unit::Unit>,
    client: Option<Option<berth_core::client::Client>>,
}

impl Reservation {
    /// A reservation whose unit and client load on demand.
    pub fn new(r: CoreReservation) -> Self {
        Self {
            r,
            unit: None,
            client: None,
        }
    }

    /// `found` (all of one tenant) with their units and clients, each loaded
    /// in one batch when `asked` (the selection of a reservation) wants them;
    /// the `known` units are not loaded again (and come with their
    /// reservations even when not asked for).
    pub async fn preload_all(
        ctx: &Context<'_>,
        asked: Lookahead<'_>,
        found: Vec<CoreReservation>,
        known: &[berth_core::unit::Unit],
    ) -> Result<Vec<Self>> {
        let mut units: HashMap<UnitId, berth_core::unit::Unit> =
            known.iter().map(|u| (u.id, u.clone())).collect();
        if asked.field("unit").exists() {
            let missing: Vec<_> = found
                .iter()
                .filter(|r| !units.contains_key(&r.unit_id))
                .map(|r| (r.tenant_id, r.unit_id))
                .collect();
            if !missing.is_empty() {
                let loader = ctx.data_unchecked::<DataLoader<UnitLoader>>();
                let loaded = loader.load_many(missing).await.map_err(internal)?;
                units.extend(loaded.into_iter().map(|((_, id), u)| (id, u)));
            }
        }
        let clients = if asked.field("client").exists() {
            let keys = found
                .iter()
                .filter_map(|r| r.client_id.map(|c| (r.tenant_id, c)));
            let loader = ctx.data_unchecked::<DataLoader<ClientLoader>>();
            Some(loader.load_many(keys).await.map_err(internal)?)
        } else {
            None
        };
        Ok(found
            .into_iter()
            .map(|r| {
                let unit = units.get(&r.unit_id).cloned();
                let client = clients.as_ref().map(|c| {
                    r.client_id
                        .and_then(|id| c.get(&(r.tenant_id, id)).cloned())
                });
                Self { r, unit, client }
            })
            .collect())
    }
}

#[Object]
impl Reservation {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.r.id.to_string())
    }

    /// The unit booked.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Unit> {
        if let Some(unit) = &self.unit {
            return Ok(unit.clone().into());
        }
        let loader = ctx.data_unchecked::<DataLoader<UnitLoader>>();
        let unit = loader
            .load_one((self.r.tenant_id, self.r.unit_id))
            .await
            .map_err(internal)?;
        unit.map(Into::into)
            .ok_or_else(|| internal(format!("reservation {} has no unit", self.r.id)))
    }

    /// The client booked for, if any.
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        if let Some(client) = &self.client {
            return Ok(client.clone().map(Into::into));
        }
        let Some(client_id) = self.r.client_id else {
            return Ok(None);
        };
        let loader = ctx.data_unchecked::<DataLoader<ClientLoader>>();
        let client = loader
            .load_one((self.r.tenant_id, client_id))
            .await
            .map_err(internal)?;
        Ok(client.map(Into::into))
    }

    /// Where it is in its life.
    async fn state(&self) -> ReservationState {
        self.r.state.into()
    }

    /// The booked period's start.
    async fn start(&self) -> DateTime<Utc> {
        self.r.period.start()
    }

    /// The booked period's end.
    async fn end(&self) -> DateTime<Utc> {
        self.r.period.end()
    }

    /// Check-in date (nightly).
    async fn check_in(&self) -> Option<Date> {
        self.r.check_in.map(Date)
    }

    /// Check-out date (nightly).
    async fn check_out(&self) -> Option<Date> {
        self.r.check_out.map(Date)
    }

    /// People.
    async fn guests(&self) -> i64 {
        i64::from(self.r.guests)
    }

    /// Items or seats taken.
    async fn quantity(&self) -> i64 {
        i64::from(self.r.quantity)
    }

    /// The price snapshot's total.
    async fn price(&self) -> Option<Money> {
        self.r.price.as_ref().map(|p| p.total.into())
    }

    /// The refund due, recorded when it was canceled (the tenant's policy).
    async fn refund(&self) -> Option<Money> {
        self.r.refund.map(Into::into)
    }

    /// What the tenant's policy would refund if it were canceled now; null
    /// when it cannot be canceled (finished, canceled, absent, checked in) or
    /// the policy refunds nothing. A preview: `cancelReservation` records the
    /// refund of its own instant.
    async fn cancellation_refund(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        let engine = ctx.data_unchecked::<Engine>();
        Ok(engine
            .cancellation_refund(self.r.tenant_id, &self.r)
            .await
            .gql()?
            .map(Into::into))
    }

    /// The policy refusal an admin set aside to book (or change) it as it
    /// stands; null when it meets the tenant's rules.
    async fn policy_override(&self) -> Option<PolicyOverride> {
        self.r.policy_override.clone().map(Into::into)
    }

    /// The price snapshot's lines.
    async fn lines(&self) -> Vec<PriceLine> {
        self.r
            .price
            .as_ref()
            .map(|p| p.lines.iter().cloned().map(Into::into).collect())
            .unwrap_or_default()
    }

    /// How it came in: `admin`, `public` or `api`.
    async fn channel(&self) -> &str {
        self.r.channel.as_str()
    }

    /// Free notes.
    async fn notes(&self) -> Option<&str> {
        self.r.notes.as_deref()
    }

    /// When a hold expires.
    async fn hold_expires_at(&self) -> Option<DateTime<Utc>> {
        self.r.hold_expires_at
    }

    /// Incremented by every change; pass it back as `version` to refuse
    /// overwriting someone else's change (CONFLICT).
    async fn version(&self) -> i64 {
        self.r.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.r.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.r.updated_at
    }
}

/// Which reservations to list (all given conditions hold).
#[derive(InputObject, Debug, Default)]
pub struct ReservationFilterInput {
    /// Only these states.
    #[graphql(default)]
    pub states: Vec<ReservationState>,
    /// Only this unit.
    pub unit_id: Option<ID>,
    /// Only this client.
    pub client_id: Option<ID>,
    /// Only reservations of clients whose name, e-mail or phone contains this
    /// (case-insensitive): the front desk's "find Keller's booking".
    pub client_search: Option<String>,
    /// Only reservations whose period ends after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only reservations whose period starts before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// A booking to make.
#[derive(InputObject, Debug)]
pub struct CreateReservationInput {
    /// The unit.
    pub unit_id: ID,
    /// The period, in the shape of the tenant's model.
    pub period: PeriodInput,
    /// People.
    pub guests: i32,
    /// Items or seats.
    #[graphql(default = 1)]
    pub quantity: i32,
    /// An existing client.
    pub client_id: Option<ID>,
    /// A new client, created with the reservation.
    pub client: Option<ClientInput>,
    /// Makes the request safe to retry: a repeat returns the same reservation.
    pub idempotency_key: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// A tentative hold that expires, instead of a confirmed booking.
    #[graphql(default = false)]
    pub hold: bool,
    /// A lock of the caller's session that the booking ends (released in the
    /// same transaction).
    pub lock_id: Option<ID>,
    /// Book anyway: why the tenant's policy refusal is set aside (1-500
    /// characters; admin and owner only, FORBIDDEN for others). Only the
    /// policy's violations give way — never capacity (UNAVAILABLE), a lock
    /// (LOCKED), the rules every unit has (archived, quantity, guests) or a
    /// policy that failed (POLICY_ERROR). The reservation records it in
    /// `policyOverride`; a request the rules allow records nothing.
    pub override_reason: Option<String>,
}

/// Changes to a reservation's details: omitted fields stay; `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateReservationInput {
    /// New notes (at most 4,000 characters).
    pub notes: MaybeUndefined<String>,
    /// The client the reservation is for: an existing, bookable client of the
    /// tenant, or `null` for none.
    pub client_id: MaybeUndefined<ID>,
}

/// Reservation queries.
#[derive(Default, Debug)]
pub struct ReservationsQuery;

fn engine<'a>(ctx: &'a Context<'_>) -> &'a Engine {
    ctx.data_unchecked::<Engine>()
}

/// Refuses a filter that names a unit or client the tenant does not have.
async fn check_filter_ids(
    ctx: &Context<'_>,
    viewer: &Viewer,
    filter: &ReservationFilterInput,
) -> Result<(Option<UnitId>, Option<ClientId>)> {
    let store = engine(ctx).store();
    let unit = match &filter.unit_id {
        Some(id) => {
            let unit_id: UnitId = parse(id, "filter.unitId")?;
            store
                .unit(viewer.tenant_id, unit_id)
                .await
                .gql()?
                .ok_or_else(|| not_found("unit", id))?;
            Some(unit_id)
        }
        None => None,
    };
    let client = match &filter.client_id {
        Some(id) => {
            let client_id: ClientId = parse(id, "filter.clientId")?;
            store
                .client(viewer.tenant_id, client_id)
                .await
                .gql()?
                .ok_or_else(|| not_found("client", id))?;
            Some(client_id)
        }
        None => None,
    };
    Ok((unit, client))
}

#[Object]
impl ReservationsQuery {
    /// The tenant's reservations in creation order, filtered.
    #[graphql(complexity = "crate::cost::page(first, child_complexity)")]
    async fn reservations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: ReservationFilterInput,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Page<Reservation>> {
        let viewer = require(ctx, Role::Viewer).await?;
        let limit = page_size(first)?;
        let after = after
            .map(|c| parse::<ReservationId>(&ID(c), "after"))
            .transpose()?;
        let (unit_id, client_id) = check_filter_ids(ctx, &viewer, &filter).await?;
        let overlapping = match (filter.from, filter.to) {
            (None, None) => None,
            (from, to) => Some(
                TimeRange::new(
                    from.unwrap_or(DateTime::<Utc>::MIN_UTC),
                    to.unwrap_or(DateTime::<Utc>::MAX_UTC),
                )
                .map_err(|_| {
                    coded(
                        ErrorCode::InvalidInput,
                        "filter: `from` must be before `to`",
                    )
                })?,
            ),
        };
        let query = ReservationFilter {
            unit_id,
            client_id,
            client_search: filter.client_search,
            states: filter.states.iter().map(|s| (*s).into()).collect(),
            overlapping,
            after,
            limit: Some(limit + 1),
            ..ReservationFilter::default()
        };
        let mut found = engine(ctx)
            .store()
            .reservations(viewer.tenant_id, &query)
            .await
            .gql()?;
        let has_next = found.len() > limit as usize;
        found.truncate(limit as usize);
        // Units and clients of the whole page in one batch each, when asked for.
        let node = ctx.look_ahead().field("edges").field("node");
        let nodes = Reservation::preload_all(ctx, node, found, &[]).await?;
        let mut page = Connection::new(after.is_some(), has_next);
        page.edges.extend(
            nodes
                .into_iter()
                .map(|node| Edge::new(node.r.id.to_string(), node)),
        );
        Ok(page)
    }

    /// One reservation of the tenant, or NOT_FOUND.
    async fn reservation(&self, ctx: &Context<'_>, id: ID) -> Result<Reservation> {
        let viewer = require(ctx, Role::Viewer).await?;
        let found = engine(ctx)
            .reservation(viewer.tenant_id, parse(&id, "id")?)
            .await
            .gql()?;
        Ok(Reservation::new(found))
    }

    /// The quote of a period change, as `changeReservationPeriod` would price
    /// and check it (the tenant's rules for changes included), with the
    /// reservation's own occupancy not counted against it. Nothing is
    /// written. CONFLICT for a reservation that cannot change (finished,
    /// canceled, absent); `overridable` says whether an admin could change it
    /// anyway.
    async fn quote_change(
        &self,
        ctx: &Context<'_>,
        id: ID,
        period: PeriodInput,
        unit_id: Option<ID>,
        guests: Option<i32>,
        quantity: Option<i32>,
    ) -> Result<Quote> {
        let viewer = require(ctx, Role::Viewer).await?;
        let cmd = change_command(ctx, &viewer, &id, &period, unit_id, guests, quantity).await?;
        let quote = engine(ctx)
            .quote_change(viewer.tenant_id, cmd)
            .await
            .gql()?;
        Ok(quote.into())
    }
}

/// The period change `changeReservationPeriod` and `quoteChange` describe.
async fn change_command(
    ctx: &Context<'_>,
    viewer: &Viewer,
    id: &ID,
    period: &PeriodInput,
    unit_id: Option<ID>,
    guests: Option<i32>,
    quantity: Option<i32>,
) -> Result<ChangePeriod> {
    let reservation_id: ReservationId = parse(id, "id")?;
    let period = period.parse()?;
    let unit_id = unit_id.map(|u| parse(&u, "unitId")).transpose()?;
    let party = match (guests, quantity) {
        (None, None) => None,
        (g, q) => {
            let current = engine(ctx)
                .reservation(viewer.tenant_id, reservation_id)
                .await
                .gql()?;
            Some(party(
                g.unwrap_or(i32::try_from(i64::from(current.guests)).unwrap_or(i32::MAX)),
                q.unwrap_or(i32::try_from(i64::from(current.quantity)).unwrap_or(i32::MAX)),
            )?)
        }
    };
    Ok(ChangePeriod {
        id: reservation_id,
        period,
        unit_id,
        party,
        expected_version: None,
        consume_lock: None,
        policy_override: None,
    })
}

/// The override `overrideReason` asks for: FORBIDDEN below admin,
/// INVALID_INPUT for a reason that is empty or too long.
async fn override_request(
    ctx: &Context<'_>,
    viewer: &Viewer,
    reason: Option<String>,
    field: &str,
) -> Result<Option<OverrideRequest>> {
    let Some(text) = reason else {
        return Ok(None);
    };
    if !viewer.role.includes(Role::Admin) {
        return Err(coded(
            ErrorCode::Forbidden,
            format!("{field}: booking over the policy's refusal needs the admin role or higher"),
        ));
    }
    let reason = crate::blocks::reason(&text, field)?;
    let by_name = crate::locks::display_name(engine(ctx), viewer).await?;
    Ok(Some(OverrideRequest { reason, by_name }))
}

/// Reservation mutations.
#[derive(Default, Debug)]
pub struct ReservationsMutation;

/// A state action by the staff caller's session, with its audit details.
async fn transition(
    ctx: &Context<'_>,
    id: &ID,
    action: StateAction,
    version: Option<i64>,
    details: serde_json::Value,
) -> Result<Reservation> {
    let viewer = require(ctx, Role::Staff).await?;
    let r = engine_for(ctx, &viewer)
        .transition(
            viewer.tenant_id,
            parse(id, "id")?,
            action,
            version,
            details,
            &viewer.actor(),
        )
        .await
        .gql()?;
    Ok(Reservation::new(r))
}

fn channel(viewer: &Viewer) -> Channel {
    match viewer.principal {
        Principal::User(_) => Channel::Admin,
        Principal::ApiKey(_) => Channel::Api,
    }
}

#[Object]
impl ReservationsMutation {
    /// Books a unit (or places a hold). Policy refusals are VALIDATION with
    /// `extensions.violations`; no capacity is UNAVAILABLE.
    async fn create_reservation(
        &self,
        ctx: &Context<'_>,
        input: CreateReservationInput,
    ) -> Result<Reservation> {
        let viewer = require(ctx, Role::Staff).await?;
        let client = match (&input.client_id, input.client) {
            (Some(_), Some(_)) => {
                return Err(coded(
                    ErrorCode::InvalidInput,
                    "give clientId or client, not both",
                ));
            }
            (Some(id), None) => ClientRef::Existing(parse(id, "input.clientId")?),
            (None, Some(new)) => ClientRef::New(new.into()),
            (None, None) => ClientRef::None,
        };
        let idempotency_key = input
            .idempotency_key
            .map(|k| {
                k.parse().map_err(|_| {
                    coded(
                        ErrorCode::InvalidInput,
                        "input.idempotencyKey: 1 to 255 printable characters",
                    )
                })
            })
            .transpose()?;
        let policy_override =
            override_request(ctx, &viewer, input.override_reason, "input.overrideReason").await?;
        let cmd = CreateReservation {
            unit_id: parse(&input.unit_id, "input.unitId")?,
            period: input.period.parse()?,
            party: party(input.guests, input.quantity)?,
            client,
            idempotency_key,
            notes: input.notes,
            hold: input.hold,
            channel: channel(&viewer),
            consume_lock: input
                .lock_id
                .as_ref()
                .map(|id| parse(id, "input.lockId"))
                .transpose()?,
            policy_override,
        };
        let created = engine_for(ctx, &viewer)
            .create_reservation(viewer.tenant_id, cmd, &viewer.actor())
            .await
            .gql()?;
        Ok(Reservation::new(created))
    }

    /// Moves, resizes or re-units a reservation: the policy and capacity are
    /// checked again and the price recomputed, all or nothing. With
    /// `overrideReason` (admin and owner) a policy refusal — of its booking
    /// rules or its rules for changes — is set aside and recorded in
    /// `policyOverride`; a change within the rules clears an earlier one.
    #[allow(clippy::too_many_arguments)]
    async fn change_reservation_period(
        &self,
        ctx: &Context<'_>,
        id: ID,
        period: PeriodInput,
        unit_id: Option<ID>,
        guests: Option<i32>,
        quantity: Option<i32>,
        version: Option<i64>,
        lock_id: Option<ID>,
        override_reason: Option<String>,
    ) -> Result<Reservation> {
        let viewer = require(ctx, Role::Staff).await?;
        let policy_override =
            override_request(ctx, &viewer, override_reason, "overrideReason").await?;
        let cmd = ChangePeriod {
            expected_version: version,
            consume_lock: lock_id.map(|id| parse(&id, "lockId")).transpose()?,
            policy_override,
            ..change_command(ctx, &viewer, &id, &period, unit_id, guests, quantity).await?
        };
        let changed = engine_for(ctx, &viewer)
            .change_period(viewer.tenant_id, cmd, &viewer.actor())
            .await
            .gql()?;
        Ok(Reservation::new(changed))
    }

    /// Changes a reservation's notes or client, not its period or price:
    /// CONFLICT for a final reservation (finished, canceled, absent) or a
    /// stale `version`, LOCKED while another session holds a lock on it,
    /// VALIDATION for a blocked or archived client. A change that changes
    /// nothing returns the reservation as it is.
    async fn update_reservation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateReservationInput,
        version: Option<i64>,
    ) -> Result<Reservation> {
        let viewer = require(ctx, Role::Staff).await?;
        let patch = DetailsPatch {
            notes: crate::clients::patch_field(input.notes),
            client_id: crate::clients::patch_field(input.client_id)
                .map(|c| {
                    c.map(|id| parse::<ClientId>(&id, "input.clientId"))
                        .transpose()
                })
                .transpose()?,
        };
        let changed = engine_for(ctx, &viewer)
            .update_reservation_details(
                viewer.tenant_id,
                parse(&id, "id")?,
                patch,
                version,
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(Reservation::new(changed))
    }

    /// Turns a hold into a confirmed booking.
    async fn confirm_reservation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i64>,
    ) -> Result<Reservation> {
        transition(
            ctx,
            &id,
            StateAction::Confirm,
            version,
            serde_json::Value::Null,
        )
        .await
    }

    /// Records the guest's arrival.
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i64>,
    ) -> Result<Reservation> {
        transition(
            ctx,
            &id,
            StateAction::CheckIn,
            version,
            serde_json::Value::Null,
        )
        .await
    }

    /// Records the guest's departure; the reservation is finished for good.
    async fn check_out(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i64>,
    ) -> Result<Reservation> {
        transition(
            ctx,
            &id,
            StateAction::CheckOut,
            version,
            serde_json::Value::Null,
        )
        .await
    }

    /// Cancels a hold or a booking, freeing its capacity.
    async fn cancel_reservation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
        version: Option<i64>,
    ) -> Result<Reservation> {
        let details = serde_json::json!({ "reason": reason });
        transition(ctx, &id, StateAction::Cancel, version, details).await
    }
}
