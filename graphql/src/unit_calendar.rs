//! `unitCalendar(tenant, unitId, from, days)`: one unit's availability per
//! tenant-local day, public — what a public site's unit page shows beside its
//! estimator, for any frontend (core's `Engine::unit_calendar`). One list is
//! filled, by the tenant's model: `nights`, `slotDays` or `hourDays`.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::unit_calendar::{self as core, UnitCalendar as CoreCalendar};
use chrono::{DateTime, Utc};

use crate::error::OrGraphql;
use crate::public::{tenant_id, unit_id};
use crate::scalars::Date;
use crate::types::Slot;

/// Free, partly free or full.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Every item free.
    Free,
    /// Some items free.
    Partly,
    /// No item free.
    Full,
}

impl From<core::Fill> for Fill {
    fn from(f: core::Fill) -> Self {
        match f {
            core::Fill::Free => Self::Free,
            core::Fill::Partly => Self::Partly,
            core::Fill::Full => Self::Full,
        }
    }
}

/// A nightly unit's night, from its arrival date to the next day.
#[derive(SimpleObject, Debug)]
pub struct NightAvailability {
    /// The arrival date of the night.
    pub date: Date,
    /// The unit's inventory.
    pub capacity: i32,
    /// Items free for the whole night.
    pub free: i32,
    /// Free, partly free or full.
    pub fill: Fill,
}

/// A timeslot unit's day: its departures with places left.
#[derive(SimpleObject, Debug)]
pub struct DaySlots {
    /// The day.
    pub date: Date,
    /// Its slots in time order.
    pub slots: Vec<Slot>,
}

/// A stretch of time.
#[derive(SimpleObject, Debug)]
pub struct TimeSpan {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

/// Items taken over a stretch of time (buffers included).
#[derive(SimpleObject, Debug)]
pub struct TakenTime {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// How many items.
    pub quantity: i32,
}

/// An interval unit's day: its opening hours and the times taken in them.
#[derive(SimpleObject, Debug)]
pub struct DayHours {
    /// The day.
    pub date: Date,
    /// Opening hours; empty on a closed day.
    pub open: Vec<TimeSpan>,
    /// The unit's inventory.
    pub capacity: i32,
    /// Taken times overlapping the opening hours, in time order.
    pub taken: Vec<TakenTime>,
}

/// One unit's availability per day. Exactly one list is filled, by `model`.
#[derive(SimpleObject, Debug, Default)]
pub struct UnitCalendar {
    /// `nightly`, `timeslot` or `interval`.
    pub model: String,
    /// Nightly: each night.
    pub nights: Vec<NightAvailability>,
    /// Timeslot: each day's departures.
    pub slot_days: Vec<DaySlots>,
    /// Interval: each day's hours.
    pub hour_days: Vec<DayHours>,
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<CoreCalendar> for UnitCalendar {
    fn from(calendar: CoreCalendar) -> Self {
        match calendar {
            CoreCalendar::Nights(nights) => Self {
                model: "nightly".into(),
                nights: nights
                    .into_iter()
                    .map(|n| NightAvailability {
                        date: Date(n.date),
                        capacity: int(n.capacity),
                        free: int(n.free),
                        fill: n.fill().into(),
                    })
                    .collect(),
                ..Self::default()
            },
            CoreCalendar::Slots(days) => Self {
                model: "timeslot".into(),
                slot_days: days
                    .into_iter()
                    .map(|d| DaySlots {
                        date: Date(d.date),
                        slots: d.slots.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
                ..Self::default()
            },
            CoreCalendar::Hours(days) => Self {
                model: "interval".into(),
                hour_days: days
                    .into_iter()
                    .map(|d| DayHours {
                        date: Date(d.date),
                        open: d
                            .open
                            .iter()
                            .map(|r| TimeSpan {
                                start: r.start(),
                                end: r.end(),
                            })
                            .collect(),
                        capacity: int(d.capacity),
                        taken: d
                            .taken
                            .iter()
                            .map(|t| TakenTime {
                                start: t.range.start(),
                                end: t.range.end(),
                                quantity: int(t.quantity),
                            })
                            .collect(),
                    })
                    .collect(),
                ..Self::default()
            },
        }
    }
}

/// The public calendar query.
#[derive(Default, Debug)]
pub struct UnitCalendarQuery;

#[Object]
impl UnitCalendarQuery {
    /// One unit's availability per tenant-local day for `days` days (1–400)
    /// from `from`, in its model's terms. Capacity only: a day may still break
    /// a rule (a minimum stay), which `quote` says.
    #[graphql(complexity = "crate::public::EXPENSIVE_FIELD_COST + child_complexity")]
    async fn unit_calendar(
        &self,
        ctx: &Context<'_>,
        tenant: String,
        unit_id: ID,
        from: Date,
        #[graphql(default = 90)] days: i32,
    ) -> Result<UnitCalendar> {
        let tenant = tenant_id(ctx, &tenant).await?;
        let unit = self::unit_id(&unit_id)?;
        let days = u32::try_from(days).unwrap_or(0);
        Ok(ctx
            .data_unchecked::<Engine>()
            .unit_calendar(tenant, unit, from.0, days)
            .await
            .gql()?
            .into())
    }
}
