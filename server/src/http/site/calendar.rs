//! The unit page's availability (from `Engine::unit_calendar`), in words and
//! symbols, never colour alone: nightly units get a month grid for the next
//! three months (each night free, partly free or full, its count in the
//! cell's text for screen readers), timeslot units the departures of the next
//! two weeks with places left, interval units the opening hours and the times
//! already taken.

use berth_core::unit::Unit;
use berth_core::unit_calendar::{Fill, UnitCalendar};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

use super::i18n::fill;
use super::view::Ctx;
use crate::http::AppState;

/// Nights shown: about three months.
const NIGHT_DAYS: u32 = 92;
/// Days of slots or hours shown.
const HOUR_DAYS: u32 = 14;

/// The availability section.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AvailabilityView {
    /// `nights`, `slots`, `hours`, or `none` when it could not be read.
    pub kind: &'static str,
    /// Nightly: month grids.
    pub months: Vec<MonthView>,
    /// Weekday names, Monday first.
    pub weekdays: Vec<&'static str>,
    /// Timeslot and interval: one entry per day.
    pub days: Vec<DayView>,
}

/// One month's grid.
#[derive(Clone, Debug, Serialize)]
pub struct MonthView {
    pub title: String,
    /// Weeks of seven cells, Monday first; `None` outside the month or the
    /// window.
    pub weeks: Vec<Vec<Option<CellView>>>,
}

/// One night.
#[derive(Clone, Debug, Serialize)]
pub struct CellView {
    pub day: u32,
    /// `free`, `partly`, `full`.
    pub state: &'static str,
    /// `Sat 12 Dec 2026: 2 of 3 free`.
    pub label: String,
}

/// One day of slots or hours.
#[derive(Clone, Debug, Serialize)]
pub struct DayView {
    pub date: String,
    pub closed: bool,
    pub items: Vec<ItemView>,
}

/// A slot, an opening period or a taken time.
#[derive(Clone, Debug, Serialize)]
pub struct ItemView {
    pub text: String,
    /// `free`, `partly`, `full`, `open`, `taken`.
    pub state: &'static str,
}

/// The availability of `unit` from `today`.
pub async fn view(state: &AppState, ctx: &Ctx, unit: &Unit, today: NaiveDate) -> AvailabilityView {
    let days = match ctx.model {
        super::view::Model::Nightly => NIGHT_DAYS,
        _ => HOUR_DAYS,
    };
    let calendar = match state
        .engine
        .unit_calendar(ctx.id(), unit.id, today, days)
        .await
    {
        Ok(calendar) => calendar,
        Err(e) => {
            tracing::warn!(error = ?e, unit = %unit.id, "the public availability could not be read");
            return AvailabilityView {
                kind: "none",
                ..AvailabilityView::default()
            };
        }
    };
    let tz = ctx.tenant.timezone;
    let local_time = |t: chrono::DateTime<chrono::Utc>| ctx.fmt.time(t.with_timezone(&tz).time());
    match calendar {
        UnitCalendar::Nights(nights) => {
            let mut months: Vec<MonthView> = Vec::new();
            let Some(last) = nights.last().map(|n| n.date) else {
                return AvailabilityView {
                    kind: "none",
                    ..AvailabilityView::default()
                };
            };
            let mut month_start = today.with_day(1).unwrap_or(today);
            while month_start <= last {
                let next_month = add_month(month_start);
                let mut weeks = Vec::new();
                let mut week: Vec<Option<CellView>> =
                    vec![None; month_start.weekday().num_days_from_monday() as usize];
                let mut date = month_start;
                while date < next_month {
                    let cell = nights.iter().find(|n| n.date == date).map(|n| {
                        let (state, words) = match n.fill() {
                            Fill::Free => ("free", ctx.t("night_free").to_owned()),
                            Fill::Partly => (
                                "partly",
                                fill(
                                    ctx.t("night_partly"),
                                    &[
                                        ("free", &n.free.to_string()),
                                        ("capacity", &n.capacity.to_string()),
                                    ],
                                ),
                            ),
                            Fill::Full => ("full", ctx.t("night_full").to_owned()),
                        };
                        CellView {
                            day: date.day(),
                            state,
                            label: format!("{}: {words}", ctx.fmt.date_long(date)),
                        }
                    });
                    // Days before today or past the window: shown, not described.
                    week.push(cell.or(Some(CellView {
                        day: date.day(),
                        state: if date < today { "past" } else { "unknown" },
                        label: ctx.fmt.date_long(date),
                    })));
                    if week.len() == 7 {
                        weeks.push(std::mem::take(&mut week));
                    }
                    date += Duration::days(1);
                }
                if !week.is_empty() {
                    week.resize(7, None);
                    weeks.push(week);
                }
                months.push(MonthView {
                    title: ctx.fmt.month_year(month_start),
                    weeks,
                });
                month_start = next_month;
            }
            AvailabilityView {
                kind: "nights",
                months,
                weekdays: [
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                    Weekday::Sat,
                    Weekday::Sun,
                ]
                .into_iter()
                .map(|d| ctx.fmt.weekday(d))
                .collect(),
                days: Vec::new(),
            }
        }
        UnitCalendar::Slots(days) => AvailabilityView {
            kind: "slots",
            days: days
                .into_iter()
                .map(|day| DayView {
                    date: ctx.fmt.day_month(day.date),
                    closed: day.slots.is_empty(),
                    items: day
                        .slots
                        .iter()
                        .map(|s| {
                            let (state, words) = match Fill::of(s.free, s.capacity) {
                                Fill::Full => ("full", ctx.t("slot_full").to_owned()),
                                fill_state => (
                                    if fill_state == Fill::Free {
                                        "free"
                                    } else {
                                        "partly"
                                    },
                                    fill(ctx.t("places_left"), &[("n", &s.free.to_string())]),
                                ),
                            };
                            ItemView {
                                text: format!("{} · {words}", local_time(s.period.start())),
                                state,
                            }
                        })
                        .collect(),
                })
                .collect(),
            ..AvailabilityView::default()
        },
        UnitCalendar::Hours(days) => AvailabilityView {
            kind: "hours",
            days: days
                .into_iter()
                .map(|day| {
                    let mut items: Vec<ItemView> = day
                        .open
                        .iter()
                        .map(|o| ItemView {
                            text: fill(
                                ctx.t("open_hours"),
                                &[
                                    ("from", &local_time(o.start())),
                                    ("to", &local_time(o.end())),
                                ],
                            ),
                            state: "open",
                        })
                        .collect();
                    items.extend(day.taken.iter().map(|t| ItemView {
                        text: fill(
                            ctx.t("taken_hours"),
                            &[
                                ("from", &local_time(t.range.start())),
                                ("to", &local_time(t.range.end())),
                                ("n", &t.quantity.to_string()),
                                ("capacity", &day.capacity.to_string()),
                            ],
                        ),
                        state: if t.quantity >= day.capacity {
                            "full"
                        } else {
                            "taken"
                        },
                    }));
                    DayView {
                        date: ctx.fmt.day_month(day.date),
                        closed: day.open.is_empty(),
                        items,
                    }
                })
                .collect(),
            ..AvailabilityView::default()
        },
    }
}

/// The first day of the month after `first`'s.
fn add_month(first: NaiveDate) -> NaiveDate {
    let (year, month) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(first + Duration::days(31))
}
