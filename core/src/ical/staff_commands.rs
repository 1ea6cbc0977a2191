//! The engine's staff-block commands: `block_unit` takes a unit out of service
//! for a period (the period read like an import's — see
//! `commands::blocked_range` — so a nightly block takes what a stay of those
//! nights would, and same-day turnover with the stays around it keeps
//! working), `unblock_unit` lifts a staff block again. Both are one store
//! transaction with their audit entry and event. A block refused for another
//! session's lock is recorded as a `lock.conflict`, like a booking.

use chrono::Duration;

use super::block::CalendarBlock;
use super::commands::{blocked_range, books_nights};
use super::span::Span;
use super::staff::{BlockUnit, MAX_BLOCK_DAYS, NewStaffBlock};
use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{CalendarBlockId, TenantId};
use crate::policy::PeriodRequest;
use crate::store::StoreError;
use crate::time_range::TimeRange;

fn bad_period(message: impl Into<String>) -> EngineError {
    EngineError::InvalidInput {
        field: "period",
        message: message.into(),
    }
}

impl Engine {
    /// Takes a unit out of service for a period, with a reason: a staff block,
    /// which bookings, period changes, quotes, availability and slots treat as
    /// fully booked. Refused with INVALID_INPUT for a period that is over or
    /// longer than [`MAX_BLOCK_DAYS`]; UNAVAILABLE naming the first active
    /// reservation the period overlaps (`EngineError::Occupied`); LOCKED over
    /// another session's lock.
    pub async fn block_unit(
        &self,
        tenant_id: TenantId,
        cmd: BlockUnit,
        actor: &Actor,
    ) -> Result<CalendarBlock, EngineError> {
        let (tenant, unit) = self.tenant_and_unit(tenant_id, cmd.unit_id).await?;
        let policy = self.policies.policy(&tenant)?;
        let ctx = self.ctx(&tenant, &unit);
        let span = match cmd.period {
            PeriodRequest::Nights {
                check_in,
                check_out,
            } => {
                if check_out <= check_in {
                    return Err(bad_period(format!(
                        "the last day ({check_out}) must be after the first ({check_in})"
                    )));
                }
                Span::Days {
                    first: check_in,
                    end: check_out,
                }
            }
            slot @ PeriodRequest::Slot { .. } => {
                Span::Instants(policy.resolve_period(&ctx, &slot)?.period)
            }
            PeriodRequest::Interval { start, end } => Span::Instants(TimeRange::new(start, end)?),
        };
        let nightly = books_nights(&*policy, &ctx);
        let (range, first_day, end_day) =
            blocked_range(&*policy, &ctx, nightly, span).map_err(bad_period)?;
        let now = self.clock.now();
        if range.end() <= now {
            return Err(bad_period("the period is over"));
        }
        if range.duration() > Duration::days(MAX_BLOCK_DAYS) {
            return Err(bad_period(format!(
                "a block lasts at most {MAX_BLOCK_DAYS} days"
            )));
        }
        let new = NewStaffBlock {
            unit_id: unit.id,
            range,
            first_day,
            end_day,
            reason: cmd.reason,
            created_by_name: cmd.by_name,
            session: self.session.clone(),
            now,
        };
        let result = match self.store.add_staff_block(tenant_id, new, actor).await {
            Ok(block) => Ok(block),
            // The refusal in the tenant's own time.
            Err(StoreError::Occupied(overlap)) => Err(EngineError::Occupied {
                unit_id: overlap.unit_id,
                reservation_id: overlap.reservation_id,
                message: overlap.describe(Some(tenant.timezone)),
            }),
            Err(e) => Err(e.into()),
        };
        self.noting_conflict(tenant_id, actor, result).await
    }

    /// Lifts a staff block; returns it as it was. NOT_FOUND for a block the
    /// tenant does not have; INVALID_INPUT for an imported block (its import
    /// or calendar sync owns it: import the source again, or remove the sync
    /// with its blocks).
    pub async fn unblock_unit(
        &self,
        tenant_id: TenantId,
        id: CalendarBlockId,
        actor: &Actor,
    ) -> Result<CalendarBlock, EngineError> {
        let block = self
            .store
            .calendar_block(tenant_id, id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                entity: "block",
                id: id.to_string(),
            })?;
        if !block.is_manual() {
            return Err(EngineError::InvalidInput {
                field: "id",
                message: format!(
                    "block {id} was imported from `{}`; its import or calendar sync owns it",
                    block.source
                ),
            });
        }
        Ok(self
            .store
            .remove_staff_block(tenant_id, id, actor, self.clock.now())
            .await?)
    }

    /// The tenant's blocks (every unit, staff and imported) overlapping
    /// `range`, by start.
    pub async fn blocks_overlapping(
        &self,
        tenant_id: TenantId,
        range: &TimeRange,
    ) -> Result<Vec<CalendarBlock>, EngineError> {
        Ok(self.store.blocks_overlapping(tenant_id, range).await?)
    }
}
