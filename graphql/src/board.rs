//! The board (tape chart) over GraphQL: `board(from, to)` (viewer; tenant-local
//! dates, `to` included, at most 62 days) answers everything a range of the
//! tenant's units shows in one request at a fixed cost (`berth_core::board`):
//! the active units by name, every reservation touching the range (any state;
//! their units come with the answer, their clients in one batch through the
//! DataLoader), the blocks, the live locks, the slots with seats left
//! (timeslot tenants) and the opening hours (interval tenants). It changes as
//! `boardEvents` and `lockEvents` say.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::board::{Board as CoreBoard, BoardSlot as CoreSlot, OpenHours};
use berth_core::user::Role;
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::analytics::OccupancyMeasure;
use crate::error::OrGraphql;
use crate::ical::CalendarBlock;
use crate::locks::Lock;
use crate::reservations::Reservation;
use crate::scalars::Date;
use crate::types::Unit;

fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// One slot of a unit on the board (timeslot tenants).
#[derive(SimpleObject, Debug)]
pub struct BoardSlot {
    /// The unit.
    pub unit_id: ID,
    /// The slot's start.
    pub start: DateTime<Utc>,
    /// The slot's end.
    pub end: DateTime<Utc>,
    /// Seats in total (the unit's inventory).
    pub capacity: i32,
    /// Seats taken at the slot's fullest instant (reservations and blocks).
    pub taken: i32,
    /// Seats still free for the whole slot.
    pub left: i32,
}

impl From<CoreSlot> for BoardSlot {
    fn from(s: CoreSlot) -> Self {
        Self {
            unit_id: ID(s.unit_id.to_string()),
            start: s.period.start(),
            end: s.period.end(),
            capacity: int(s.capacity),
            taken: int(s.taken),
            left: int(s.left()),
        }
    }
}

/// When a unit opens and closes on a date (interval tenants; a date with
/// several opening periods has one entry each, a closed date none).
#[derive(SimpleObject, Debug)]
pub struct BoardOpenHours {
    /// The unit.
    pub unit_id: ID,
    /// The tenant-local date.
    pub date: Date,
    /// Opening.
    pub opens: DateTime<Utc>,
    /// Closing.
    pub closes: DateTime<Utc>,
}

impl From<OpenHours> for BoardOpenHours {
    fn from(o: OpenHours) -> Self {
        Self {
            unit_id: ID(o.unit_id.to_string()),
            date: Date(o.date),
            opens: o.period.start(),
            closes: o.period.end(),
        }
    }
}

/// What a board (tape chart) of a range of days shows.
#[derive(SimpleObject, Debug)]
pub struct Board {
    /// First date.
    pub from: Date,
    /// Last date (included).
    pub to: Date,
    /// How the tenant's model measures: nights, seat-hours (timeslot) or
    /// item-hours (interval).
    pub measure: OccupancyMeasure,
    /// The active units, by name: the rows.
    pub units: Vec<Unit>,
    /// Every reservation whose booked period touches the range, in any state,
    /// by start (at most 10,000).
    pub reservations: Vec<Reservation>,
    /// True when more reservations touch the range than are listed.
    pub truncated: bool,
    /// The blocks (staff and imported) touching the range, by start.
    pub blocks: Vec<CalendarBlock>,
    /// The live locks on a period touching the range, on a whole unit, or on a
    /// reservation.
    pub locks: Vec<Lock>,
    /// Timeslot tenants: every slot of every unit on the range's dates, with
    /// the seats left (empty for other models).
    pub slots: Vec<BoardSlot>,
    /// Interval tenants: each unit's opening hours on each date (empty for
    /// other models).
    pub open_hours: Vec<BoardOpenHours>,
    /// Where to follow this board's changes from: `boardEvents(after:)` with
    /// this cursor delivers every change the answer does not show (a change it
    /// already shows may come once more).
    pub cursor: String,
}

/// Board queries.
#[derive(Default, Debug)]
pub struct BoardQuery;

#[Object]
impl BoardQuery {
    /// The board of the tenant-local dates `from`..`to` (included; at most
    /// 62 days, INVALID_INPUT otherwise).
    async fn board(&self, ctx: &Context<'_>, from: Date, to: Date) -> Result<Board> {
        let viewer = require(ctx, Role::Viewer).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let board = engine.board(viewer.tenant_id, from.0, to.0).await.gql()?;
        let CoreBoard {
            span,
            basis,
            units,
            reservations,
            truncated,
            blocks,
            locks,
            slots,
            open_hours,
            cursor,
            ..
        } = board;
        let reservations = with_units_and_clients(ctx, &units, reservations).await?;
        Ok(Board {
            from: Date(span.from()),
            to: Date(span.to()),
            measure: basis.into(),
            units: units.into_iter().map(Into::into).collect(),
            reservations,
            truncated,
            blocks: blocks.into_iter().map(Into::into).collect(),
            locks: locks.into_iter().map(Into::into).collect(),
            slots: slots.into_iter().map(Into::into).collect(),
            open_hours: open_hours.into_iter().map(Into::into).collect(),
            cursor: cursor.to_string(),
        })
    }
}

/// The board's reservations with their units (the board's own, plus archived
/// ones in one batch) and, when asked for, their clients in one batch.
async fn with_units_and_clients(
    ctx: &Context<'_>,
    board_units: &[berth_core::unit::Unit],
    reservations: Vec<berth_core::reservation::Reservation>,
) -> Result<Vec<Reservation>> {
    let asked = ctx.look_ahead().field("reservations");
    Reservation::preload_all(ctx, asked, reservations, board_units).await
}
