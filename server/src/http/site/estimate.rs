//! The price estimator: the unit page's GET form in the fields of DESIGN.md's
//! web contract (nightly `checkIn`, `nights`, `guests`; timeslot `date`,
//! `slot`, `guests`; interval `start`, `duration`, `guests`) read into the
//! engine's quote request, and the answer as the page shows it — price lines
//! and total from `Engine::quote` (the quote GraphQL gives), or the policy's
//! reasons, or an error beside the field that is wrong.
//!
//! Guests become a party the way a person would book it: the fewest items
//! that hold them, `quantity = ⌈guests / max_guests⌉` (one seat per hiker, one
//! boat per two paddlers, one room for two guests; docs/decisions/0090).

use std::collections::{BTreeMap, HashMap};

use berth_core::engine::{Quote, QuoteRequest};
use berth_core::local_time::{local_date, local_instant};
use berth_core::policy::{Party, PeriodRequest};
use berth_core::quantity::{Guests, Quantity};
use berth_core::unit::Unit;
use berth_core::{EngineError, ErrorCode};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

use super::i18n::fill;
use super::view::{Ctx, Model};
use crate::http::AppState;

/// The most guests the form accepts (the engine refuses more than a unit
/// holds, in words).
const MAX_GUESTS: u32 = 999;
/// The longest stay, in nights.
const MAX_NIGHTS: u32 = 365;
/// The longest rental, in minutes (30 days).
const MAX_DURATION_MINUTES: u32 = 30 * 24 * 60;
/// Durations the interval form offers, in minutes.
const DURATIONS: [u32; 11] = [60, 120, 180, 240, 300, 360, 480, 1440, 2880, 4320, 10080];

/// The estimator's fields as the visitor typed them (shown again in the form).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Fields {
    #[serde(rename = "checkIn")]
    pub check_in: String,
    pub nights: String,
    pub date: String,
    pub slot: String,
    pub start: String,
    pub duration: String,
    pub guests: String,
}

impl Fields {
    /// The fields of a query string or form.
    pub fn from_map(map: &HashMap<String, String>) -> Self {
        let get = |k: &str| map.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            check_in: get("checkIn"),
            nights: get("nights"),
            date: get("date"),
            slot: get("slot"),
            start: get("start"),
            duration: get("duration"),
            guests: get("guests"),
        }
    }

    /// Whether the visitor asked anything (any of the model's fields given).
    pub fn asked(&self, model: Model) -> bool {
        let period = match model {
            Model::Nightly => !self.check_in.is_empty() || !self.nights.is_empty(),
            Model::Timeslot => !self.date.is_empty() || !self.slot.is_empty(),
            Model::Interval => !self.start.is_empty() || !self.duration.is_empty(),
        };
        period || !self.guests.is_empty()
    }

    /// The model's fields as (name, value) pairs: the request form's hidden
    /// inputs and the estimate's query.
    pub fn pairs(&self, model: Model) -> Vec<(&'static str, String)> {
        let mut pairs = match model {
            Model::Nightly => vec![
                ("checkIn", self.check_in.clone()),
                ("nights", self.nights.clone()),
            ],
            Model::Timeslot => vec![("date", self.date.clone()), ("slot", self.slot.clone())],
            Model::Interval => vec![
                ("start", self.start.clone()),
                ("duration", self.duration.clone()),
            ],
        };
        pairs.push(("guests", self.guests.clone()));
        pairs
    }

    /// Sensible first values for an empty form: the first Wednesday at least
    /// a week ahead (a weekday most rules accept arrivals and rentals on),
    /// two nights (or two hours), two guests when the unit holds them.
    pub fn defaults(ctx: &Ctx, unit: &Unit, today: NaiveDate) -> Self {
        let mut day = today + Duration::days(7);
        while day.weekday() != chrono::Weekday::Wed {
            day += Duration::days(1);
        }
        Self {
            check_in: day.to_string(),
            nights: "2".into(),
            date: day.to_string(),
            slot: String::new(),
            start: format!("{day}T10:00"),
            duration: "120".into(),
            guests: if ctx.model == Model::Timeslot {
                "1".into()
            } else {
                unit.max_guests.get().min(2).to_string()
            },
        }
    }
}

/// A slot the timeslot form offers for its date.
#[derive(Clone, Debug, Serialize)]
pub struct SlotOption {
    /// `06:00` (tenant-local), the field's value.
    pub value: String,
    /// `6:00 AM · 12 places left`.
    pub label: String,
    /// No place left.
    pub full: bool,
}

/// A duration the interval form offers.
#[derive(Clone, Debug, Serialize)]
pub struct DurationOption {
    pub value: String,
    pub label: String,
}

/// What the estimator shows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Estimate {
    /// `none` (nothing asked), `invalid` (see `errors`), `available`,
    /// `refused` (see `reasons`), `error` (see `message`).
    pub state: &'static str,
    /// Field name → what is wrong with it.
    pub errors: BTreeMap<&'static str, String>,
    /// The request in words: `2 nights from Sat 12 Dec 2026 · 2 guests`.
    pub summary: String,
    pub lines: Vec<LineView>,
    pub total: String,
    /// The total in minor units and its currency (for tests and scripts).
    pub total_minor: i64,
    pub currency: String,
    /// Why it cannot be booked.
    pub reasons: Vec<String>,
    /// An error not about one field.
    pub message: Option<String>,
}

/// One price line.
#[derive(Clone, Debug, Serialize)]
pub struct LineView {
    pub label: String,
    pub amount: String,
    pub negative: bool,
}

/// The form read: the quote to ask for, or the errors beside fields.
#[derive(Debug)]
pub enum Parsed {
    /// Ask the engine this, described in words.
    Ready(QuoteRequest, String),
    /// Field name → message.
    Invalid(BTreeMap<&'static str, String>),
}

/// Reads `fields` for `unit` (timeslot forms look the day's slots up).
pub async fn parse(
    state: &AppState,
    ctx: &Ctx,
    unit: &Unit,
    fields: &Fields,
) -> Result<Parsed, EngineError> {
    let mut errors = BTreeMap::new();
    let guests = match fields.guests.parse::<u32>() {
        Ok(n) if (1..=MAX_GUESTS).contains(&n) => Some(n),
        _ => {
            errors.insert(
                "guests",
                fill(ctx.t("error_guests"), &[("max", &MAX_GUESTS.to_string())]),
            );
            None
        }
    };
    let (period, when) = match ctx.model {
        Model::Nightly => {
            let check_in = parse_date(&fields.check_in);
            if check_in.is_none() {
                errors.insert("checkIn", ctx.t("error_date").to_owned());
            }
            let nights = match fields.nights.parse::<u32>() {
                Ok(n) if (1..=MAX_NIGHTS).contains(&n) => Some(n),
                _ => {
                    errors.insert(
                        "nights",
                        fill(ctx.t("error_nights"), &[("max", &MAX_NIGHTS.to_string())]),
                    );
                    None
                }
            };
            match (check_in, nights) {
                (Some(check_in), Some(nights)) => {
                    let check_out = check_in + Duration::days(i64::from(nights));
                    let key = if nights == 1 {
                        "summary_night"
                    } else {
                        "summary_nights"
                    };
                    let when = fill(
                        ctx.t(key),
                        &[
                            ("n", &nights.to_string()),
                            ("date", &ctx.fmt.date_long(check_in)),
                        ],
                    );
                    (
                        Some(PeriodRequest::Nights {
                            check_in,
                            check_out,
                        }),
                        when,
                    )
                }
                _ => (None, String::new()),
            }
        }
        Model::Timeslot => match parse_date(&fields.date) {
            None => {
                errors.insert("date", ctx.t("error_date").to_owned());
                (None, String::new())
            }
            Some(date) => {
                let slots = state.engine.slots(ctx.id(), unit.id, date).await?;
                let tz = ctx.tenant.timezone;
                let chosen = slots
                    .iter()
                    .find(|s| local_hhmm(tz, s.period.start()) == fields.slot);
                match chosen {
                    Some(slot) => {
                        let time = slot.period.start().with_timezone(&tz).time();
                        let when = fill(
                            ctx.t("summary_slot"),
                            &[
                                ("date", &ctx.fmt.date_long(date)),
                                ("time", &ctx.fmt.time(time)),
                            ],
                        );
                        (
                            Some(PeriodRequest::Slot {
                                start: slot.period.start(),
                            }),
                            when,
                        )
                    }
                    None if slots.is_empty() => {
                        errors.insert("date", ctx.t("error_no_slots").to_owned());
                        (None, String::new())
                    }
                    None => {
                        errors.insert("slot", ctx.t("error_slot").to_owned());
                        (None, String::new())
                    }
                }
            }
        },
        Model::Interval => {
            let start = NaiveDateTime::parse_from_str(&fields.start, "%Y-%m-%dT%H:%M").ok();
            if start.is_none() {
                errors.insert("start", ctx.t("error_start").to_owned());
            }
            let duration = match fields.duration.parse::<u32>() {
                Ok(n) if (1..=MAX_DURATION_MINUTES).contains(&n) => Some(n),
                _ => {
                    errors.insert("duration", ctx.t("error_duration").to_owned());
                    None
                }
            };
            match (start, duration) {
                (Some(start), Some(minutes)) => {
                    let begin = local_instant(ctx.tenant.timezone, start.date(), start.time());
                    let end = begin + Duration::minutes(i64::from(minutes));
                    let when = fill(
                        ctx.t("summary_interval"),
                        &[
                            ("duration", &duration_label(ctx, minutes)),
                            ("date", &ctx.fmt.date_long(start.date())),
                            ("time", &ctx.fmt.time(start.time())),
                        ],
                    );
                    (Some(PeriodRequest::Interval { start: begin, end }), when)
                }
                _ => (None, String::new()),
            }
        }
    };
    match (period, guests) {
        (Some(period), Some(guests)) if errors.is_empty() => {
            // The fewest items that hold the party, never more than the unit
            // has: a party too large for all of it is refused for its
            // guests ("takes at most 4 guests"), which a visitor understands.
            let per_item = unit.max_guests.get().max(1);
            let quantity = guests.div_ceil(per_item).min(unit.inventory.get()).max(1);
            let party = Party {
                guests: Guests::new(i64::from(guests))?,
                quantity: Quantity::new(i64::from(quantity))?,
            };
            let key = if guests == 1 {
                "summary_guest"
            } else {
                "summary_guests"
            };
            let summary = format!(
                "{when} · {}",
                fill(ctx.t(key), &[("n", &guests.to_string())])
            );
            Ok(Parsed::Ready(
                QuoteRequest {
                    unit_id: unit.id,
                    period,
                    party,
                },
                summary,
            ))
        }
        _ => Ok(Parsed::Invalid(errors)),
    }
}

/// Runs the estimator for `fields`: nothing when nothing was asked.
pub async fn run(state: &AppState, ctx: &Ctx, unit: &Unit, fields: &Fields) -> Estimate {
    if !fields.asked(ctx.model) {
        return Estimate {
            state: "none",
            ..Estimate::default()
        };
    }
    let parsed = match parse(state, ctx, unit, fields).await {
        Ok(parsed) => parsed,
        Err(e) => return failed(ctx, &e),
    };
    match parsed {
        Parsed::Invalid(errors) => Estimate {
            state: "invalid",
            errors,
            ..Estimate::default()
        },
        Parsed::Ready(request, summary) => match state.engine.quote(ctx.id(), request).await {
            Ok(quote) => answer(ctx, &quote, summary),
            Err(e) => failed(ctx, &e),
        },
    }
}

/// The answer to an engine quote.
pub fn answer(ctx: &Ctx, quote: &Quote, summary: String) -> Estimate {
    let mut estimate = Estimate {
        summary,
        ..Estimate::default()
    };
    if let Some(price) = &quote.price {
        estimate.lines = price
            .lines
            .iter()
            .map(|l| LineView {
                label: l.label.clone(),
                amount: ctx.fmt.money(&l.amount),
                negative: l.amount.amount_minor < 0,
            })
            .collect();
        estimate.total = ctx.fmt.money(&price.total);
        estimate.total_minor = price.total.amount_minor;
        estimate.currency = price.total.currency.to_string();
    }
    if quote.available {
        estimate.state = "available";
    } else {
        estimate.state = "refused";
        estimate.reasons = quote.violations.iter().map(|v| v.message.clone()).collect();
        if estimate.reasons.is_empty() {
            estimate.reasons.push(ctx.t("reason_full").to_owned());
        }
    }
    estimate
}

/// An engine error in words.
pub fn failed(ctx: &Ctx, e: &EngineError) -> Estimate {
    let message = match e {
        EngineError::InvalidInput { message, .. } => {
            fill(ctx.t("error_input"), &[("message", message)])
        }
        EngineError::Validation(violations) => {
            return Estimate {
                state: "refused",
                reasons: violations.iter().map(|v| v.message.clone()).collect(),
                ..Estimate::default()
            };
        }
        _ if e.code() == ErrorCode::Internal => {
            tracing::error!(error = ?e, "a public estimate failed");
            ctx.t("error_estimate").to_owned()
        }
        _ => ctx.t("error_estimate").to_owned(),
    };
    Estimate {
        state: "error",
        message: Some(message),
        ..Estimate::default()
    }
}

/// The slots of `date` for the timeslot form.
pub async fn slot_options(
    state: &AppState,
    ctx: &Ctx,
    unit: &Unit,
    date: Option<NaiveDate>,
) -> Vec<SlotOption> {
    let Some(date) = date else {
        return Vec::new();
    };
    let Ok(slots) = state.engine.slots(ctx.id(), unit.id, date).await else {
        return Vec::new();
    };
    let tz = ctx.tenant.timezone;
    slots
        .iter()
        .map(|s| {
            let time = s.period.start().with_timezone(&tz).time();
            let left = fill(ctx.t("places_left"), &[("n", &s.free.to_string())]);
            SlotOption {
                value: local_hhmm(tz, s.period.start()),
                label: format!("{} · {left}", ctx.fmt.time(time)),
                full: s.free == 0,
            }
        })
        .collect()
}

/// The durations the interval form offers (the asked one among them).
pub fn duration_options(ctx: &Ctx, asked: &str) -> Vec<DurationOption> {
    let mut minutes: Vec<u32> = DURATIONS.to_vec();
    if let Ok(n) = asked.parse::<u32>()
        && (1..=MAX_DURATION_MINUTES).contains(&n)
        && !minutes.contains(&n)
    {
        minutes.push(n);
        minutes.sort_unstable();
    }
    minutes
        .into_iter()
        .map(|m| DurationOption {
            value: m.to_string(),
            label: duration_label(ctx, m),
        })
        .collect()
}

/// `2 hours`, `1 day`, `90 min`.
pub fn duration_label(ctx: &Ctx, minutes: u32) -> String {
    let (key, n) = if minutes.is_multiple_of(1440) {
        (
            if minutes == 1440 {
                "duration_day"
            } else {
                "duration_days"
            },
            minutes / 1440,
        )
    } else if minutes.is_multiple_of(60) {
        (
            if minutes == 60 {
                "duration_hour"
            } else {
                "duration_hours"
            },
            minutes / 60,
        )
    } else {
        ("duration_minutes", minutes)
    };
    fill(ctx.t(key), &[("n", &n.to_string())])
}

/// A form date (`YYYY-MM-DD`).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// An instant's tenant-local time as `HH:MM` (the slot field's value).
fn local_hhmm(tz: chrono_tz::Tz, instant: chrono::DateTime<chrono::Utc>) -> String {
    let time: NaiveTime = instant.with_timezone(&tz).time();
    time.format("%H:%M").to_string()
}

/// Today in the tenant's time zone.
pub fn today(state: &AppState, ctx: &Ctx) -> NaiveDate {
    local_date(ctx.tenant.timezone, state.clock.now())
}
