//! Calendar syncs over GraphQL (admin: a sync's URL often carries the other
//! site's secret): `calendarSyncs(unitId)`, `addCalendarSync`,
//! `removeCalendarSync` (optionally clearing the blocks it imported) and
//! `requestCalendarSync` (fetch at the worker's next pass). The server's worker
//! fetches each sync on its interval and imports the calendar as the sync's
//! source, as `importCalendar` would; each fetch's outcome shows here.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use berth_core::ical::block::BlockSource;
use berth_core::ical::sync::{
    CalendarSync as CoreSync, SyncInterval, SyncStatus as CoreStatus, SyncUrl,
};
use berth_core::ids::{CalendarSyncId, UnitId};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded};
use crate::ids::parse;

/// How a sync's last fetch went.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarSyncStatus {
    /// The calendar was fetched and imported.
    Imported,
    /// Unchanged since the last import (the site answered 304).
    NotModified,
    /// Fetching or importing failed (see `lastError`); the blocks from
    /// before stay.
    Failed,
}

impl From<CoreStatus> for CalendarSyncStatus {
    fn from(s: CoreStatus) -> Self {
        match s {
            CoreStatus::Imported => Self::Imported,
            CoreStatus::NotModified => Self::NotModified,
            CoreStatus::Failed => Self::Failed,
        }
    }
}

/// Another calendar (an Airbnb or Booking.com export, a channel manager's
/// feed) fetched on a schedule and imported as one source's blocks of a unit.
#[derive(SimpleObject, Debug)]
pub struct CalendarSync {
    /// Its id.
    pub id: ID,
    /// The unit whose blocks it keeps.
    pub unit_id: ID,
    /// The source its blocks are imported as (`airbnb`).
    pub source: String,
    /// The calendar's URL.
    pub url: String,
    /// Minutes between fetches.
    pub interval_minutes: i32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it is fetched next, at the latest.
    pub next_fetch_at: DateTime<Utc>,
    /// The last fetch, successful or not.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The last fetch that imported the calendar or found it unchanged.
    pub last_success_at: Option<DateTime<Utc>>,
    /// How the last fetch went; none before the first.
    pub last_status: Option<CalendarSyncStatus>,
    /// Why the last fetch failed.
    pub last_error: Option<String>,
    /// Fetches failed in a row (retried after 5 minutes, doubling, at most
    /// the interval).
    pub failures: i32,
}

impl From<CoreSync> for CalendarSync {
    fn from(s: CoreSync) -> Self {
        Self {
            id: ID(s.id.to_string()),
            unit_id: ID(s.unit_id.to_string()),
            source: s.source.to_string(),
            url: s.url.to_string(),
            interval_minutes: i32::try_from(s.interval.minutes()).unwrap_or(i32::MAX),
            created_at: s.created_at,
            next_fetch_at: s.next_fetch_at,
            last_attempt_at: s.last_attempt_at,
            last_success_at: s.last_success_at,
            last_status: s.last_status.map(Into::into),
            last_error: s.last_error,
            failures: i32::try_from(s.failures).unwrap_or(i32::MAX),
        }
    }
}

/// A calendar to sync into a unit.
#[derive(InputObject, Debug)]
pub struct AddCalendarSyncInput {
    /// The unit.
    pub unit_id: ID,
    /// The calendar's `https://` (or `http://`) URL; a `webcal://` one is
    /// fetched as `https://`.
    pub url: String,
    /// The source its blocks are imported as (`airbnb`, `booking.com`); one
    /// sync per unit and source. Importing that source by hand replaces the
    /// same blocks.
    pub source: String,
    /// Minutes between fetches, 15 to 1440.
    #[graphql(default = 60)]
    pub interval_minutes: i32,
}

fn field<T, E: std::fmt::Display>(name: &str, r: Result<T, E>) -> Result<T> {
    r.map_err(|e| coded(ErrorCode::InvalidInput, format!("{name}: {e}")))
}

/// Calendar sync queries.
#[derive(Default, Debug)]
pub struct CalendarSyncQuery;

#[Object]
impl CalendarSyncQuery {
    /// The tenant's calendar syncs, or one unit's, by unit and source.
    async fn calendar_syncs(
        &self,
        ctx: &Context<'_>,
        unit_id: Option<ID>,
    ) -> Result<Vec<CalendarSync>> {
        let viewer = require(ctx, Role::Admin).await?;
        let unit: Option<UnitId> = unit_id.map(|u| parse(&u, "unitId")).transpose()?;
        let engine = ctx.data_unchecked::<Engine>();
        let syncs = engine.calendar_syncs(viewer.tenant_id, unit).await.gql()?;
        Ok(syncs.into_iter().map(Into::into).collect())
    }
}

/// Calendar sync mutations.
#[derive(Default, Debug)]
pub struct CalendarSyncMutation;

#[Object]
impl CalendarSyncMutation {
    /// Starts syncing a calendar into a unit: fetched at the worker's next
    /// pass, then every `intervalMinutes`.
    async fn add_calendar_sync(
        &self,
        ctx: &Context<'_>,
        input: AddCalendarSyncInput,
    ) -> Result<CalendarSync> {
        let viewer = require(ctx, Role::Admin).await?;
        let unit: UnitId = parse(&input.unit_id, "input.unitId")?;
        let url: SyncUrl = field("input.url", input.url.parse())?;
        let source: BlockSource = field("input.source", input.source.parse())?;
        let interval = field(
            "input.intervalMinutes",
            SyncInterval::from_minutes(i64::from(input.interval_minutes)),
        )?;
        let engine = ctx.data_unchecked::<Engine>();
        let sync = engine
            .add_calendar_sync(
                viewer.tenant_id,
                unit,
                url,
                source,
                interval,
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(sync.into())
    }

    /// Stops syncing. The blocks it imported stay unless `clearBlocks`.
    async fn remove_calendar_sync(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] clear_blocks: bool,
    ) -> Result<CalendarSync> {
        let viewer = require(ctx, Role::Admin).await?;
        let id: CalendarSyncId = parse(&id, "id")?;
        let engine = ctx.data_unchecked::<Engine>();
        let sync = engine
            .remove_calendar_sync(viewer.tenant_id, id, clear_blocks, &viewer.actor())
            .await
            .gql()?;
        Ok(sync.into())
    }

    /// Fetches the calendar at the worker's next pass (within a minute)
    /// instead of waiting for its interval.
    async fn request_calendar_sync(&self, ctx: &Context<'_>, id: ID) -> Result<CalendarSync> {
        let viewer = require(ctx, Role::Admin).await?;
        let id: CalendarSyncId = parse(&id, "id")?;
        let engine = ctx.data_unchecked::<Engine>();
        let sync = engine
            .request_calendar_sync(viewer.tenant_id, id, &viewer.actor())
            .await
            .gql()?;
        Ok(sync.into())
    }
}
