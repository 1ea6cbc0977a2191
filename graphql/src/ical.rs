//! iCalendar over GraphQL: a unit's feed (`icalFeed`, `rotateIcalToken`,
//! `disableIcalFeed`: admin, since the feed URL is a secret) and the import of
//! another calendar's busy periods as blocks (`importCalendar`: admin;
//! `calendarBlocks`: anyone signed in). Staff blocks are `blocks.rs`. The feed itself is served by the
//! server at `GET /ical/{tenant}/{unit}.ics?token=…`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use berth_core::ical::block::{
    BlockSource, CalendarBlock as CoreBlock, CalendarImport as CoreImport, IcalFeed as CoreFeed,
};
use berth_core::ical::commands::feed_path;
use berth_core::ids::{TenantId, UnitId};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::{OrGraphql, coded};
use crate::ids::parse;
use crate::scalars::Date;

/// A unit's feed of busy periods, for channel managers and booking sites.
#[derive(SimpleObject, Debug)]
pub struct IcalFeed {
    /// The unit.
    pub unit_id: ID,
    /// The feed's path on this server, token included
    /// (`/ical/{tenant}/{unit}.ics?token=…`): give it, prefixed with the
    /// server's address, to the site that imports it. Anyone with it can read
    /// the unit's busy periods (never guests' data).
    pub path: String,
    /// The secret part of the path.
    pub token: String,
    /// When this token was made (the feed was turned on or rotated).
    pub created_at: DateTime<Utc>,
}

/// A period a unit is out of service: a busy period imported from another
/// calendar, or a staff block (`manual`, made with `blockUnit`). It takes the
/// whole unit.
#[derive(SimpleObject, Debug, Clone)]
pub struct CalendarBlock {
    /// Its id.
    pub id: ID,
    /// The unit it blocks.
    pub unit_id: ID,
    /// The calendar it came from (`airbnb`, `import`); `@staff` for a staff
    /// block.
    pub source: String,
    /// The event's UID in that calendar.
    pub uid: String,
    /// The first blocked instant.
    pub start: DateTime<Utc>,
    /// The first instant after the block.
    pub end: DateTime<Utc>,
    /// For all-day events: the first day (a stay's check-in).
    pub first_day: Option<Date>,
    /// For all-day events: the day after the last (a stay's check-out).
    pub end_day: Option<Date>,
    /// When it was imported (a staff block: made).
    pub imported_at: DateTime<Utc>,
    /// Why staff blocked the unit (staff blocks only).
    pub reason: Option<String>,
    /// Who made it, as shown to others (staff blocks only).
    pub created_by: Option<String>,
    /// True for a staff block (`blockUnit`; lifted with `unblockUnit`), false
    /// for an imported one (its import or calendar sync owns it).
    pub manual: bool,
}

impl From<CoreBlock> for CalendarBlock {
    fn from(b: CoreBlock) -> Self {
        let manual = b.is_manual();
        Self {
            manual,
            reason: b.reason.map(String::from),
            created_by: b.created_by_name,
            id: ID(b.id.to_string()),
            unit_id: ID(b.unit_id.to_string()),
            source: b.source.to_string(),
            uid: b.uid,
            start: b.range.start(),
            end: b.range.end(),
            first_day: b.first_day.map(Date),
            end_day: b.end_day.map(Date),
            imported_at: b.imported_at,
        }
    }
}

/// A reservation that an imported block overlaps: both are kept, for a person
/// to resolve.
#[derive(SimpleObject, Debug)]
pub struct CalendarConflict {
    /// The reservation.
    pub reservation_id: ID,
    /// The UID of the block it overlaps.
    pub block_uid: String,
    /// Where they start to overlap.
    pub start: DateTime<Utc>,
    /// Where they stop overlapping.
    pub end: DateTime<Utc>,
}

/// What an import did.
#[derive(SimpleObject, Debug)]
pub struct CalendarImport {
    /// The unit.
    pub unit_id: ID,
    /// The source whose blocks were replaced.
    pub source: String,
    /// The source's blocks now, in time order.
    pub blocks: Vec<CalendarBlock>,
    /// How many of the source's earlier blocks were replaced.
    pub removed: i32,
    /// Events that block nothing: canceled, free, of no length, or already over.
    pub skipped: i32,
    /// Reservations the new blocks overlap.
    pub conflicts: Vec<CalendarConflict>,
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<CoreImport> for CalendarImport {
    fn from(i: CoreImport) -> Self {
        Self {
            unit_id: ID(i.unit_id.to_string()),
            source: i.source.to_string(),
            blocks: i.blocks.into_iter().map(Into::into).collect(),
            removed: int(i.removed),
            skipped: int(i.skipped),
            conflicts: i
                .conflicts
                .into_iter()
                .map(|c| CalendarConflict {
                    reservation_id: ID(c.reservation_id.to_string()),
                    block_uid: c.block_uid,
                    start: c.overlap.start(),
                    end: c.overlap.end(),
                })
                .collect(),
        }
    }
}

/// The GraphQL form of a feed, with its path under the tenant's slug.
async fn feed_of(engine: &Engine, tenant: TenantId, feed: CoreFeed) -> Result<IcalFeed> {
    let slug = engine
        .store()
        .tenant(tenant)
        .await
        .gql()?
        .ok_or_else(|| coded(ErrorCode::NotFound, "tenant not found"))?
        .slug;
    Ok(IcalFeed {
        unit_id: ID(feed.unit_id.to_string()),
        path: feed_path(&slug, feed.unit_id, &feed.token),
        token: feed.token.as_str().to_owned(),
        created_at: feed.created_at,
    })
}

/// iCalendar queries.
#[derive(Default, Debug)]
pub struct IcalQuery;

#[Object]
impl IcalQuery {
    /// The unit's feed, or null while it is off (admin: the path is a secret).
    async fn ical_feed(&self, ctx: &Context<'_>, unit_id: ID) -> Result<Option<IcalFeed>> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let unit: UnitId = parse(&unit_id, "unitId")?;
        match engine.ical_feed(viewer.tenant_id, unit).await.gql()? {
            Some(feed) => Ok(Some(feed_of(engine, viewer.tenant_id, feed).await?)),
            None => Ok(None),
        }
    }

    /// The unit's blocks of every source (imported and staff), in time order.
    async fn calendar_blocks(&self, ctx: &Context<'_>, unit_id: ID) -> Result<Vec<CalendarBlock>> {
        let viewer = require(ctx, Role::Viewer).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let blocks = engine
            .calendar_blocks(viewer.tenant_id, parse(&unit_id, "unitId")?)
            .await
            .gql()?;
        Ok(blocks.into_iter().map(Into::into).collect())
    }
}

/// iCalendar mutations.
#[derive(Default, Debug)]
pub struct IcalMutation;

#[Object]
impl IcalMutation {
    /// Turns the unit's feed on, or gives it a new token: the old URL stops
    /// working at once.
    async fn rotate_ical_token(&self, ctx: &Context<'_>, unit_id: ID) -> Result<IcalFeed> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let feed = engine
            .rotate_ical_token(
                viewer.tenant_id,
                parse(&unit_id, "unitId")?,
                &viewer.actor(),
            )
            .await
            .gql()?;
        feed_of(engine, viewer.tenant_id, feed).await
    }

    /// Turns the unit's feed off; false when it was off already.
    async fn disable_ical_feed(&self, ctx: &Context<'_>, unit_id: ID) -> Result<bool> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        engine
            .disable_ical_feed(
                viewer.tenant_id,
                parse(&unit_id, "unitId")?,
                &viewer.actor(),
            )
            .await
            .gql()
    }

    /// Replaces the unit's blocks from `source` with the busy events of `ics`
    /// (an iCalendar file, as a string): all-day events block the nights a stay
    /// would, timed ones their instants. Overlapping reservations are kept and
    /// reported in `conflicts`. An empty calendar clears the source. A file that
    /// cannot be read is INVALID_INPUT naming the line, and nothing changes.
    async fn import_calendar(
        &self,
        ctx: &Context<'_>,
        unit_id: ID,
        ics: String,
        #[graphql(desc = "The calendar the events come from (`airbnb`); `import` when omitted.")]
        source: Option<String>,
    ) -> Result<CalendarImport> {
        let viewer = require(ctx, Role::Admin).await?;
        let unit: UnitId = parse(&unit_id, "unitId")?;
        let source: BlockSource = match source {
            None => BlockSource::default_import(),
            Some(s) => s
                .parse()
                .map_err(|e: berth_core::ical::block::InvalidSource| {
                    coded(ErrorCode::InvalidInput, format!("source: {e}"))
                })?,
        };
        let engine = ctx.data_unchecked::<Engine>();
        let import = engine
            .import_calendar(viewer.tenant_id, unit, &ics, source, &viewer.actor())
            .await
            .gql()?;
        Ok(import.into())
    }
}
