//! Staff blocks over GraphQL: `blockUnit` takes a unit out of service for a
//! period with a reason (maintenance, the owner's own use), `unblockUnit`
//! lifts it again (staff and up). A block over an active reservation is
//! UNAVAILABLE naming it (`extensions.reservationId`); over another
//! session's lock, LOCKED like a booking; `unblockUnit` of an imported block
//! is INVALID_INPUT (its import or calendar sync owns it). Blocks are listed by
//! `calendarBlocks(unitId)` and `board`, and announced as `block.created` and
//! `block.removed` (`boardEvents`, webhooks).

use async_graphql::{Context, ID, InputObject, Object, Result};
use berth_core::ErrorCode;
use berth_core::ical::staff::BlockUnit;
use berth_core::reason::Reason;
use berth_core::user::Role;

use crate::access::{engine_for, require};
use crate::error::{OrGraphql, coded};
use crate::ical::CalendarBlock;
use crate::ids::parse;
use crate::locks::display_name;
use crate::types::PeriodInput;

/// A unit to take out of service.
#[derive(InputObject, Debug)]
pub struct BlockUnitInput {
    /// The unit.
    pub unit_id: ID,
    /// The period, in the tenant's model shape like a booking: nightly
    /// `checkIn` + `checkOut` (the nights a stay would take; same-day
    /// turnover with the stays around it keeps working), timeslot `start` (one
    /// slot), or `start` + `end` (those instants, on any model).
    pub period: PeriodInput,
    /// Why (1-500 characters): maintenance, the owner's own use.
    pub reason: String,
}

/// Parses a reason argument, or INVALID_INPUT naming it.
pub(crate) fn reason(text: &str, field: &str) -> Result<Reason> {
    text.parse::<Reason>()
        .map_err(|e| coded(ErrorCode::InvalidInput, format!("{field}: {e}")))
}

/// Staff-block mutations.
#[derive(Default, Debug)]
pub struct BlocksMutation;

#[Object]
impl BlocksMutation {
    /// Takes a unit out of service for a period (a staff block): bookings,
    /// period changes, quotes, availability and slots treat it as fully
    /// booked, and occupancy counts it as unavailable. UNAVAILABLE when an
    /// active reservation (held, confirmed, checked in) holds part of the
    /// period — the message names it, `extensions.reservationId` gives its
    /// id; LOCKED over another session's lock; INVALID_INPUT for a period that
    /// is over or longer than three years.
    async fn block_unit(&self, ctx: &Context<'_>, input: BlockUnitInput) -> Result<CalendarBlock> {
        let viewer = require(ctx, Role::Staff).await?;
        let unit_id = parse(&input.unit_id, "input.unitId")?;
        let period = input.period.parse()?;
        let reason = reason(&input.reason, "input.reason")?;
        let engine = engine_for(ctx, &viewer);
        let cmd = BlockUnit {
            unit_id,
            period,
            reason,
            by_name: display_name(&engine, &viewer).await?,
        };
        let block = engine
            .block_unit(viewer.tenant_id, cmd, &viewer.actor())
            .await
            .gql()?;
        Ok(block.into())
    }

    /// Lifts a staff block; returns it as it was. INVALID_INPUT for an
    /// imported block (import its source again, or remove its sync with
    /// `clearBlocks`).
    async fn unblock_unit(&self, ctx: &Context<'_>, id: ID) -> Result<CalendarBlock> {
        let viewer = require(ctx, Role::Staff).await?;
        let block = engine_for(ctx, &viewer)
            .unblock_unit(viewer.tenant_id, parse(&id, "id")?, &viewer.actor())
            .await
            .gql()?;
        Ok(block.into())
    }
}
