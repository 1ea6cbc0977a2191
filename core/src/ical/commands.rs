//! The engine's iCalendar commands: turn a unit's feed on (or give it a new
//! token), turn it off, serve it to whoever holds the token, import another
//! calendar's busy periods as blocks, and list a unit's blocks.
//!
//! An imported all-day event on a nightly tenant occupies exactly what a stay of
//! those nights would (the policy resolves check-in to check-out), so same-day
//! turnover with adjacent stays keeps working; on other tenants it covers the
//! tenant-local days from midnight to midnight. Timed events block their
//! instants. Events already over are skipped.

use chrono::{Duration, NaiveDate, NaiveTime};

use super::block::{
    BlockReplacement, BlockSource, CalendarBlock, CalendarImport, IcalFeed, NewBlock,
};
use super::busy::feed_events;
use super::read::{BusyEvent, read};
use super::span::Span;
use super::token::FeedToken;
use super::write::{FeedHeader, write_calendar};
use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{TenantId, UnitId};
use crate::local_time::{local_date, local_instant};
use crate::policy::{PeriodRequest, Policy, PolicyContext};
use crate::tenant::TenantSlug;
use crate::time_range::TimeRange;

/// How far ahead the occurrences of an imported recurring event become blocks
/// (a re-import, as calendar syncs do, moves the horizon on).
pub const RECURRENCE_HORIZON_DAYS: i64 = 3 * 366;

/// How far back a feed reaches: recent stays stay visible to importers that
/// reconcile the past.
pub const FEED_DAYS_BEHIND: i64 = 60;
/// How far ahead a feed reaches (three years, beyond any booking horizon).
pub const FEED_DAYS_AHEAD: i64 = 3 * 366;

/// The path of a unit's feed: `/ical/{tenant}/{unit}.ics?token=…` (the token is
/// base64url, so it needs no escaping).
pub fn feed_path(slug: &TenantSlug, unit: UnitId, token: &FeedToken) -> String {
    format!(
        "/ical/{}/{unit}.ics?token={}",
        slug.as_str(),
        token.as_str()
    )
}

/// The one answer for every feed request that is not served: unknown tenant or
/// unit, feed off, wrong or missing token. It says nothing about which.
fn no_feed() -> EngineError {
    EngineError::NotFound {
        entity: "feed",
        id: String::new(),
    }
}

fn bad_ics(message: String) -> EngineError {
    EngineError::InvalidInput {
        field: "ics",
        message,
    }
}

impl Engine {
    /// Turns the unit's feed on, or replaces its token (the old URL stops
    /// working at once). The token is in the result only.
    pub async fn rotate_ical_token(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        actor: &Actor,
    ) -> Result<IcalFeed, EngineError> {
        let token = FeedToken::generate().map_err(|e| EngineError::Crashed(e.to_string()))?;
        Ok(self
            .store
            .set_ical_token(tenant_id, unit_id, token, actor, self.clock.now())
            .await?)
    }

    /// Turns the unit's feed off; false when it was off already.
    pub async fn disable_ical_feed(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        Ok(self
            .store
            .disable_ical_feed(tenant_id, unit_id, actor, self.clock.now())
            .await?)
    }

    /// The unit's feed (its token included: for admins), `None` while it is
    /// off; NOT_FOUND for a unit the tenant does not have.
    pub async fn ical_feed(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
    ) -> Result<Option<IcalFeed>, EngineError> {
        self.unit(tenant_id, unit_id).await?;
        Ok(self.store.ical_feed(tenant_id, unit_id).await?)
    }

    /// The feed document of `unit` of the tenant `slug` for the holder of
    /// `token`. Every refusal is the same NOT_FOUND, whether the tenant, the unit
    /// or the feed is missing or the token is wrong; the token is compared in
    /// constant time.
    pub async fn published_feed(
        &self,
        slug: &str,
        unit: &str,
        token: Option<&str>,
    ) -> Result<String, EngineError> {
        let slug: TenantSlug = slug.parse().map_err(|_| no_feed())?;
        let unit_id: UnitId = unit.parse().map_err(|_| no_feed())?;
        let token = token.ok_or_else(no_feed)?;
        let tenant = self
            .store
            .tenant_by_slug(&slug)
            .await?
            .ok_or_else(no_feed)?;
        let feed = self
            .store
            .ical_feed(tenant.id, unit_id)
            .await?
            .ok_or_else(no_feed)?;
        if !feed.token.matches(token) {
            return Err(no_feed());
        }
        let unit = self
            .store
            .unit(tenant.id, unit_id)
            .await?
            .ok_or_else(no_feed)?;
        let now = self.clock.now();
        let window = TimeRange::new(
            now - Duration::days(FEED_DAYS_BEHIND),
            now + Duration::days(FEED_DAYS_AHEAD),
        )
        .map_err(|e| EngineError::Crashed(e.to_string()))?;
        let busy = self
            .store
            .busy_reservations(tenant.id, unit_id, &window)
            .await?;
        let events = feed_events(unit.id, unit.inventory.get(), &busy);
        let header = FeedHeader {
            name: unit.name,
            stamp: now,
        };
        let feed = write_calendar(&header, &events);
        if feed.left_out > 0 {
            // A unit busier than a feed holds (timeslots over three years):
            // importers see everything up to where the feed ends.
            tracing::warn!(
                tenant = %tenant.id,
                unit = %unit_id,
                left_out = feed.left_out,
                "the unit's iCalendar feed is full; its latest busy periods are left out"
            );
        }
        Ok(feed.ics)
    }

    /// Replaces the unit's blocks from `source` with the busy events of `ics`,
    /// in one transaction; reports the reservations they overlap (kept: a
    /// double booking is for a person to resolve). A file that cannot be read
    /// is INVALID_INPUT naming the line, and nothing changes.
    pub async fn import_calendar(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
        ics: &str,
        source: BlockSource,
        actor: &Actor,
    ) -> Result<CalendarImport, EngineError> {
        let (tenant, unit) = self.tenant_and_unit(tenant_id, unit_id).await?;
        let now = self.clock.now();
        // Recurring events become blocks from now to the horizon.
        let window = TimeRange::new(now, now + Duration::days(RECURRENCE_HORIZON_DAYS))
            .map_err(|e| bad_ics(format!("the import window: {e}")))?;
        let calendar = read(ics, tenant.timezone, window).map_err(|e| bad_ics(e.to_string()))?;
        let policy = self.policies.policy(&tenant)?;
        let ctx = self.ctx(&tenant, &unit);
        let nightly = books_nights(&*policy, &ctx);
        let mut skipped = calendar.skipped;
        let mut blocks = Vec::with_capacity(calendar.events.len());
        for event in calendar.events {
            let block = to_block(&*policy, &ctx, nightly, event)?;
            if block.range.end() <= now {
                skipped += 1;
            } else {
                blocks.push(block);
            }
        }
        let replacement = BlockReplacement {
            unit_id: unit.id,
            source,
            blocks,
            skipped: u32::try_from(skipped).unwrap_or(u32::MAX),
            now,
        };
        Ok(self
            .store
            .replace_calendar_blocks(tenant_id, replacement, actor)
            .await?)
    }

    /// The unit's blocks of every source, in time order; NOT_FOUND for a unit
    /// the tenant does not have.
    pub async fn calendar_blocks(
        &self,
        tenant_id: TenantId,
        unit_id: UnitId,
    ) -> Result<Vec<CalendarBlock>, EngineError> {
        self.unit(tenant_id, unit_id).await?;
        Ok(self.store.calendar_blocks(tenant_id, unit_id).await?)
    }
}

/// Whether the tenant's policy books by check-in and check-out dates: it
/// resolves a one-night stay to dates.
pub(crate) fn books_nights(policy: &dyn Policy, ctx: &PolicyContext<'_>) -> bool {
    let today = local_date(ctx.tenant.timezone, ctx.now);
    let Some(tomorrow) = today.succ_opt() else {
        return false;
    };
    let probe = PeriodRequest::Nights {
        check_in: today,
        check_out: tomorrow,
    };
    policy
        .resolve_period(ctx, &probe)
        .is_ok_and(|r| r.check_in.is_some())
}

/// What a span blocks: its instants, and for whole days the first day and the
/// day after the last. Whole days on a nightly tenant take what a stay of those
/// nights would occupy (the policy resolves check-in to check-out, so same-day
/// turnover keeps working); on other tenants the tenant-local days from
/// midnight to midnight. Instants stay as they are. Imports and staff blocks
/// both read their periods through this. The error is the reason in words.
pub(crate) fn blocked_range(
    policy: &dyn Policy,
    ctx: &PolicyContext<'_>,
    nightly: bool,
    span: Span,
) -> Result<(TimeRange, Option<NaiveDate>, Option<NaiveDate>), String> {
    match span {
        Span::Days { first, end } => {
            let range = if nightly {
                let stay = PeriodRequest::Nights {
                    check_in: first,
                    check_out: end,
                };
                policy
                    .resolve_period(ctx, &stay)
                    .map_err(|e| e.to_string())?
                    .occupied
            } else {
                let tz = ctx.tenant.timezone;
                TimeRange::new(
                    local_instant(tz, first, NaiveTime::MIN),
                    local_instant(tz, end, NaiveTime::MIN),
                )
                .map_err(|e| e.to_string())?
            };
            Ok((range, Some(first), Some(end)))
        }
        Span::Instants(range) => Ok((range, None, None)),
    }
}

/// The block of one busy event.
fn to_block(
    policy: &dyn Policy,
    ctx: &PolicyContext<'_>,
    nightly: bool,
    event: BusyEvent,
) -> Result<NewBlock, EngineError> {
    let (range, first_day, end_day) = blocked_range(policy, ctx, nightly, event.span)
        .map_err(|message| bad_ics(format!("line {}: {message}", event.line)))?;
    Ok(NewBlock {
        uid: event.uid,
        range,
        first_day,
        end_day,
    })
}
