//! One tenant's compiled policy: its validated configuration, its model script
//! merged with the tenant's own hooks (compiled once per version, never re-parsed),
//! and the pre-parsed calendar. It implements core's `Policy` port: periods are
//! resolved natively (time zones never reach scripts), then the `validate` and
//! `price` hooks run in the sandbox on plain maps.

use std::sync::Arc;

use berth_core::local_time::{local_date, local_instant};
use berth_core::money::{Money, Price, PriceLine};
use berth_core::policy::{
    OccupancyBasis, Party, PeriodRequest, Policy, PolicyContext, PolicyError, ResolvedPeriod,
    Violation, party_of, resolved_of,
};
use berth_core::reservation::Reservation;
use berth_core::time_range::TimeRange;
use berth_core::unit::Unit;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use rhai::{AST, CallFnOptions, Dynamic, Engine, FuncArgs, Map, Scope};

use crate::calendar::{Calendar, DayFacts};
use crate::config::{ModelKind, TenantConfig};
use crate::loader::FunctionOrigins;
use crate::native::{self, NativeHooks, NightlyRequest};
use crate::native_hourly::{self, HourlyRequest};
use crate::sandbox::{self, Facts, Limits};

/// A tenant's policy, ready to evaluate.
#[derive(Debug)]
pub struct TenantPolicy {
    slug: String,
    version: u64,
    config: TenantConfig,
    engine: Arc<Engine>,
    ast: AST,
    limits: Limits,
    rules: Dynamic,
    pricing: Dynamic,
    calendar: Calendar,
    /// Each date's `day` map (weekday, weekend, season, stop-sell, rate) as
    /// scripts see it, by (date, base rate): fixed for this policy version, so
    /// built once instead of on every quote.
    day_maps: std::sync::RwLock<std::collections::HashMap<(NaiveDate, i64), Dynamic>>,
    model: ModelRules,
    origins: FunctionOrigins,
    /// The tenant's e-mail template overrides (`emails/`): file name → text,
    /// part of the version (docs/decisions/0168).
    email_templates: std::collections::BTreeMap<String, String>,
    /// The built-in hooks run natively (see `native`), not in the sandbox.
    native: NativeHooks,
}

/// Day maps kept per policy version at most (about three years of dates at a
/// few base rates); past it the cache starts over.
const DAY_MAP_CACHE_LIMIT: usize = 4096;

/// The natively used parts of the model's rules, parsed once.
#[derive(Debug, Clone)]
enum ModelRules {
    Nightly {
        check_in: NaiveTime,
        check_out: NaiveTime,
    },
    Timeslot {
        duration: Duration,
    },
    Interval {
        granularity_minutes: i64,
        buffer_before: Duration,
        buffer_after: Duration,
    },
}

/// The keys of the maps the runtime builds for hooks (`req`, its days, `current`):
/// each gets a getter on facts (see `sandbox::register_fact_getters`). A test
/// checks that every key the runtime writes is listed.
pub(crate) const FACT_KEYS: &[&str] = &[
    "aligned",
    "arrival_weekday",
    "check_in",
    "check_out",
    "date",
    "day",
    "days",
    "days_ahead",
    "departure_weekday",
    "duration_minutes",
    "end",
    "end_day",
    "end_time",
    "guests",
    "id",
    "lead_minutes",
    "night_list",
    "nights",
    "now",
    "quantity",
    "rate",
    "rate_total",
    "season",
    "start",
    "start_day",
    "start_time",
    "state",
    "stop_sell",
    "stop_sell_dates",
    "total",
    "unit",
    "weekday",
    "weekend",
];

impl TenantPolicy {
    /// Assembles a policy from a validated configuration and a compiled script (the
    /// model merged with the tenant's hooks). The loader guarantees that the model's
    /// section is present and that times parse.
    pub(crate) fn new(
        version: u64,
        config: TenantConfig,
        engine: Arc<Engine>,
        ast: AST,
        limits: Limits,
        origins: FunctionOrigins,
    ) -> Result<Self, String> {
        let (rules, model, stop_sell) = match config.model {
            ModelKind::Nightly => {
                let r = config
                    .nightly
                    .as_ref()
                    .ok_or("the `nightly:` section is missing")?;
                let check_in = r.check_in_time.time().ok_or("bad check_in_time")?;
                let check_out = r.check_out_time.time().ok_or("bad check_out_time")?;
                (
                    to_dynamic(r)?,
                    ModelRules::Nightly {
                        check_in,
                        check_out,
                    },
                    r.stop_sell.clone(),
                )
            }
            ModelKind::Timeslot => {
                let r = config
                    .timeslot
                    .as_ref()
                    .ok_or("the `timeslot:` section is missing")?;
                let duration = Duration::minutes(i64::from(r.duration_minutes));
                (
                    to_dynamic(r)?,
                    ModelRules::Timeslot { duration },
                    Vec::new(),
                )
            }
            ModelKind::Interval => {
                let r = config
                    .interval
                    .as_ref()
                    .ok_or("the `interval:` section is missing")?;
                let model = ModelRules::Interval {
                    granularity_minutes: i64::from(r.granularity_minutes.max(1)),
                    buffer_before: Duration::minutes(i64::from(r.buffer_before_minutes)),
                    buffer_after: Duration::minutes(i64::from(r.buffer_after_minutes)),
                };
                (to_dynamic(r)?, model, Vec::new())
            }
        };
        Ok(Self {
            native: NativeHooks::of(config.model, &origins),
            slug: config.slug.clone(),
            version,
            calendar: Calendar::new(&config.pricing, &stop_sell),
            day_maps: std::sync::RwLock::default(),
            pricing: to_dynamic(&config.pricing)?,
            rules,
            model,
            config,
            engine,
            ast,
            limits,
            origins,
            email_templates: std::collections::BTreeMap::new(),
        })
    }

    /// The policy with the tenant's e-mail template overrides (file name →
    /// text), as its directory has them.
    pub fn with_email_templates(
        mut self,
        templates: std::collections::BTreeMap<String, String>,
    ) -> Self {
        self.email_templates = templates;
        self
    }

    /// The tenant's e-mail template overrides (file name → text): what the
    /// mail of this version renders with, over berth's defaults.
    pub fn email_templates(&self) -> &std::collections::BTreeMap<String, String> {
        &self.email_templates
    }

    /// The tenant's slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The version number, increasing with every activation.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The validated configuration.
    pub fn config(&self) -> &TenantConfig {
        &self.config
    }

    /// This policy with every hook run in the sandbox, the built-in ones
    /// included: the reference the native hooks are held equal to (tests,
    /// benchmarks).
    #[must_use]
    pub fn rhai_reference(mut self) -> Self {
        self.native = NativeHooks::default();
        self
    }

    /// True when `hook` (`validate`, `price` or `slots`) runs natively: the
    /// tenant's scripts leave the built-in model's hook as it is.
    pub fn runs_natively(&self, hook: &str) -> bool {
        match hook {
            "validate" => self.native.validate,
            "price" => self.native.price,
            "slots" => self.native.slots,
            _ => false,
        }
    }

    /// True when the script (model or tenant hooks) defines `name`.
    pub fn has_hook(&self, name: &str) -> bool {
        self.ast.iter_functions().any(|f| f.name == name)
    }

    /// The length of a timeslot model's slots.
    pub(crate) fn slot_duration(&self) -> Option<Duration> {
        match self.model {
            ModelRules::Timeslot { duration } => Some(duration),
            _ => None,
        }
    }

    /// The start times of a timeslot model's slots on `date`, tenant-local.
    pub fn slot_starts(&self, date: NaiveDate) -> Result<Vec<NaiveTime>, PolicyError> {
        let facts = self.calendar.day(date);
        if let (true, Some(rules)) = (self.native.slots, &self.config.timeslot) {
            return Ok(native_hourly::timeslot_slots(rules, date, facts.weekday));
        }
        let day = self.day_map(&facts, self.config.pricing.base_rate);
        let out = self.call("slots", (day, self.rules.clone()))?;
        let times = out
            .into_typed_array::<rhai::ImmutableString>()
            .map_err(|t| {
                self.bad_output("slots", &format!("an array of \"HH:MM\" strings, not {t}"))
            })?;
        times
            .iter()
            .map(|t| {
                NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
                    self.bad_output("slots", &format!("a time \"HH:MM\", not \"{t}\""))
                })
            })
            .collect()
    }

    /// The slots of `date` (see [`Self::slot_starts`]), each `duration` long,
    /// as instants (the starts are wall-clock times in `tz`).
    pub(crate) fn slot_ranges(
        &self,
        tz: Tz,
        date: NaiveDate,
        duration: Duration,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        self.slot_starts(date)?
            .into_iter()
            .map(|t| {
                let start = local_instant(tz, date, t);
                TimeRange::new(start, start + duration)
                    .map_err(|e| PolicyError::Failed(e.to_string()))
            })
            .collect()
    }

    /// The function that answers `hook`. A model's `validate`, `price` and `slots`
    /// only hand over to its `model_*` function (which a tenant's own hook calls to
    /// extend the model); unless the tenant replaced the hook, that function is
    /// called directly, saving a script call per hook.
    fn entry<'h>(&self, hook: &'h str) -> std::borrow::Cow<'h, str> {
        let (model_file, _) = crate::models::source(self.config.model);
        let delegated = matches!(hook, "validate" | "price" | "slots");
        if delegated && self.origins.file_of(hook) == model_file {
            format!("model_{hook}").into()
        } else {
            hook.into()
        }
    }

    /// Calls a hook in the sandbox, with the per-call deadline.
    fn call(&self, hook: &str, args: impl FuncArgs) -> Result<Dynamic, PolicyError> {
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(false);
        let entry = self.entry(hook);
        sandbox::with_deadline(self.limits.deadline, || {
            self.engine.call_fn_with_options::<Dynamic>(
                options,
                &mut Scope::new(),
                &self.ast,
                &entry,
                args,
            )
        })
        .map_err(|e| {
            let at = describe(&e, hook, |f| self.origins.file_of(f).to_owned());
            PolicyError::Failed(format!("tenant {}: hook `{hook}`: {at}", self.slug))
        })
    }

    fn bad_output(&self, hook: &str, expected: &str) -> PolicyError {
        PolicyError::Failed(format!(
            "tenant {}: hook `{hook}` must return {expected}",
            self.slug
        ))
    }

    /// The `day` map of `day` at base rate `base`, from the cache when built
    /// before.
    fn day_map(&self, day: &DayFacts, base: i64) -> Dynamic {
        let key = (day.date, base);
        if let Ok(cache) = self.day_maps.read()
            && let Some(map) = cache.get(&key)
        {
            return map.clone();
        }
        let map = self.build_day_map(day, base);
        if let Ok(mut cache) = self.day_maps.write() {
            if cache.len() >= DAY_MAP_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, map.clone());
        }
        map
    }

    fn build_day_map(&self, day: &DayFacts, base: i64) -> Dynamic {
        let mut m = Map::new();
        put(&mut m, "rate", self.calendar.rate(day, base).into());
        put(&mut m, "date", day.date.to_string().into());
        put(&mut m, "weekday", day.weekday.as_str().into());
        put(&mut m, "weekend", day.weekend.into());
        put(&mut m, "season", day.season.into());
        put(&mut m, "stop_sell", day.stop_sell.into());
        // Facts: shared by every request that covers the date, read-only.
        Dynamic::from(Facts::new(m))
    }

    /// The `current` map lifecycle hooks receive: the reservation as booked, in
    /// the same terms as a request, plus its id, state and paid total.
    /// Calls `hook` with the reservation as it is, the request `req`, the rules
    /// and the pricing.
    fn call_on_current(
        &self,
        hook: &str,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
        req: Dynamic,
    ) -> Result<Dynamic, PolicyError> {
        let current = self.current_map(ctx, current);
        self.call(
            hook,
            (current, req, self.rules.clone(), self.pricing.clone()),
        )
    }

    fn current_map(&self, ctx: &PolicyContext<'_>, r: &Reservation) -> Dynamic {
        let mut m = self.request_map(ctx, &party_of(r), &resolved_of(r));
        put(&mut m, "id", r.id.to_string().into());
        put(&mut m, "state", r.state.as_str().into());
        put(
            &mut m,
            "total",
            r.price.as_ref().map_or(0, |p| p.total.amount_minor).into(),
        );
        Dynamic::from(Facts::new(m))
    }

    /// The `req` map a hook receives: the party, the unit, the period's calendar
    /// facts in tenant-local terms, and how far ahead it is.
    fn request_map(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Map {
        let tz = ctx.tenant.timezone;
        let start = resolved.period.start();
        let base = self.base_rate(ctx);
        let mut m = Map::new();
        put(&mut m, "guests", i64::from(party.guests.get()).into());
        put(&mut m, "quantity", i64::from(party.quantity.get()).into());
        put(&mut m, "unit", unit_map(ctx));
        put(&mut m, "now", ctx.now.to_rfc3339().into());
        put(
            &mut m,
            "lead_minutes",
            (start - ctx.now).num_minutes().into(),
        );
        let start_date = local_date(tz, start);
        put(
            &mut m,
            "days_ahead",
            (start_date - local_date(tz, ctx.now)).num_days().into(),
        );
        match (&self.model, resolved.check_in, resolved.check_out) {
            (ModelRules::Nightly { .. }, Some(check_in), Some(check_out)) => {
                let nights = (check_out - check_in).num_days();
                let (facts, rate_total) =
                    NightlyRequest::nights(&self.calendar, check_in, check_out, base);
                let stop_sell: rhai::Array = facts
                    .iter()
                    .filter(|f| f.stop_sell)
                    .map(|f| f.date.to_string().into())
                    .collect();
                let night_list: rhai::Array = facts.iter().map(|f| self.day_map(f, base)).collect();
                put(&mut m, "rate_total", rate_total.into());
                put(&mut m, "stop_sell_dates", stop_sell.into());
                put(&mut m, "check_in", check_in.to_string().into());
                put(&mut m, "check_out", check_out.to_string().into());
                put(&mut m, "nights", nights.into());
                put(
                    &mut m,
                    "arrival_weekday",
                    self.calendar.day(check_in).weekday.as_str().into(),
                );
                put(
                    &mut m,
                    "departure_weekday",
                    self.calendar.day(check_out).weekday.as_str().into(),
                );
                put(&mut m, "night_list", night_list.into());
            }
            _ => {
                let end = resolved.period.end();
                let (local_start, local_end) = (start.with_timezone(&tz), end.with_timezone(&tz));
                let minutes = resolved.period.duration().num_minutes();
                put(
                    &mut m,
                    "start",
                    local_start.naive_local().to_string().into(),
                );
                put(&mut m, "end", local_end.naive_local().to_string().into());
                let start_day = self.day_map(&self.calendar.day(local_start.date_naive()), base);
                let end_day = self.day_map(&self.calendar.day(local_end.date_naive()), base);
                put(&mut m, "day", start_day.clone());
                put(&mut m, "start_day", start_day);
                put(&mut m, "end_day", end_day);
                put(&mut m, "start_time", hh_mm(local_start.time()).into());
                put(&mut m, "end_time", hh_mm(local_end.time()).into());
                put(&mut m, "duration_minutes", minutes.into());
                put(&mut m, "days", ((minutes + 1439) / 1440).max(1).into());
                let aligned = match self.model {
                    ModelRules::Interval {
                        granularity_minutes,
                        ..
                    } => {
                        aligned(local_start.time(), granularity_minutes)
                            && aligned(local_end.time(), granularity_minutes)
                    }
                    _ => true,
                };
                put(&mut m, "aligned", aligned.into());
            }
        }
        m
    }
}

impl TenantPolicy {
    /// The unit's regular rate: its own `base_rate` attribute overrides the
    /// tenant's.
    fn base_rate(&self, ctx: &PolicyContext<'_>) -> i64 {
        ctx.unit
            .attributes
            .get("base_rate")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(self.config.pricing.base_rate)
    }

    /// The facts the native nightly hooks read, the same as the `req` map's;
    /// `None` for another model.
    fn nightly_request(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Option<NightlyRequest> {
        let (ModelRules::Nightly { .. }, Some(check_in), Some(check_out)) =
            (&self.model, resolved.check_in, resolved.check_out)
        else {
            return None;
        };
        let tz = ctx.tenant.timezone;
        let start = resolved.period.start();
        let (nights, rate_total) =
            NightlyRequest::nights(&self.calendar, check_in, check_out, self.base_rate(ctx));
        Some(NightlyRequest {
            check_in,
            check_out,
            nights,
            rate_total,
            lead_minutes: (start - ctx.now).num_minutes(),
            days_ahead: (local_date(tz, start) - local_date(tz, ctx.now)).num_days(),
            guests: i64::from(party.guests.get()),
            quantity: i64::from(party.quantity.get()),
        })
    }

    /// The facts the native timeslot and interval hooks read, the same as the
    /// `req` map's; `None` for the nightly model.
    fn hourly_request(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Option<HourlyRequest> {
        let granularity = match self.model {
            ModelRules::Nightly { .. } => return None,
            ModelRules::Timeslot { .. } => None,
            ModelRules::Interval {
                granularity_minutes,
                ..
            } => Some(granularity_minutes),
        };
        let tz = ctx.tenant.timezone;
        let (start, end) = (resolved.period.start(), resolved.period.end());
        let (local_start, local_end) = (start.with_timezone(&tz), end.with_timezone(&tz));
        let minutes = resolved.period.duration().num_minutes();
        let start_day = self.calendar.day(local_start.date_naive());
        let end_day = self.calendar.day(local_end.date_naive());
        Some(HourlyRequest {
            start_rate: self.calendar.rate(&start_day, self.base_rate(ctx)),
            start_weekday: start_day.weekday,
            end_weekday: end_day.weekday,
            start_time: hh_mm(local_start.time()),
            end_time: hh_mm(local_end.time()),
            duration_minutes: minutes,
            days: ((minutes + 1439) / 1440).max(1),
            aligned: granularity
                .is_none_or(|g| aligned(local_start.time(), g) && aligned(local_end.time(), g)),
            lead_minutes: (start - ctx.now).num_minutes(),
            days_ahead: (local_date(tz, start) - local_date(tz, ctx.now)).num_days(),
            guests: i64::from(party.guests.get()),
            quantity: i64::from(party.quantity.get()),
        })
    }

    /// The native `validate`, when it runs natively for this request.
    fn native_validate(&self, req: Option<&NativeRequest>) -> Option<Vec<Violation>> {
        if !self.native.validate {
            return None;
        }
        let c = &self.config;
        match (req?, &c.nightly, &c.timeslot, &c.interval) {
            (NativeRequest::Nightly(req), Some(rules), _, _) => {
                Some(native::nightly_validate(rules, &c.pricing, req))
            }
            (NativeRequest::Hourly(req), _, Some(rules), _) => {
                Some(native_hourly::timeslot_validate(rules, req))
            }
            (NativeRequest::Hourly(req), _, _, Some(rules)) => {
                Some(native_hourly::interval_validate(rules, req))
            }
            _ => None,
        }
    }

    /// The native `price`, when it runs natively for this request.
    fn native_price(
        &self,
        req: Option<&NativeRequest>,
        currency: berth_core::money::Currency,
    ) -> Option<Result<Price, PolicyError>> {
        if !self.native.price {
            return None;
        }
        let pricing = &self.config.pricing;
        let lines = match (req?, self.config.model) {
            (NativeRequest::Nightly(req), ModelKind::Nightly) => {
                native::nightly_price(pricing, req, currency)
            }
            (NativeRequest::Hourly(req), ModelKind::Timeslot) => {
                native_hourly::timeslot_price(pricing, req, currency)
            }
            (NativeRequest::Hourly(req), ModelKind::Interval) => {
                native_hourly::interval_price(pricing, req, currency)
            }
            _ => return None,
        };
        let failed =
            |e: String| PolicyError::Failed(format!("tenant {}: hook `price`: {e}", self.slug));
        Some(lines.map_err(|e| failed(e.to_string())).and_then(|lines| {
            Price::from_lines(currency, lines).map_err(|e| failed(e.to_string()))
        }))
    }

    /// The request facts for the native hooks, when one of them runs.
    fn native_request(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Option<NativeRequest> {
        if !(self.native.validate || self.native.price) {
            return None;
        }
        match self.config.model {
            ModelKind::Nightly => self
                .nightly_request(ctx, party, resolved)
                .map(NativeRequest::Nightly),
            ModelKind::Timeslot | ModelKind::Interval => self
                .hourly_request(ctx, party, resolved)
                .map(NativeRequest::Hourly),
        }
    }
}

/// The facts the native hooks read of a request, per kind of model.
#[derive(Clone, Debug)]
enum NativeRequest {
    /// The nightly model's.
    Nightly(NightlyRequest),
    /// The timeslot and interval models'.
    Hourly(HourlyRequest),
}

/// Writes `key` into a map hooks receive as facts; every key must be one of
/// `FACT_KEYS` (so that it has a getter), which debug builds — all tests — check.
fn put(m: &mut Map, key: &'static str, value: Dynamic) {
    debug_assert!(
        FACT_KEYS.contains(&key),
        "`{key}` is missing from FACT_KEYS"
    );
    m.insert(key.into(), value);
}

fn hh_mm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn aligned(t: NaiveTime, granularity_minutes: i64) -> bool {
    t.second() == 0
        && t.nanosecond() == 0
        && i64::from(t.hour() * 60 + t.minute()) % granularity_minutes == 0
}

/// What scripts see of a unit: what it is (kind, size, attributes), never which
/// one it is (no id, no name) — so that units alike share one evaluation (see
/// `unit_key`); a per-unit rule or rate goes in the unit's attributes.
fn unit_map(ctx: &PolicyContext<'_>) -> Dynamic {
    let u = ctx.unit;
    let mut m = Map::new();
    m.insert(
        "kind".into(),
        u.kind.clone().map_or(Dynamic::UNIT, Dynamic::from),
    );
    m.insert("inventory".into(), i64::from(u.inventory.get()).into());
    m.insert("max_guests".into(), i64::from(u.max_guests.get()).into());
    let attributes = rhai::serde::to_dynamic(&u.attributes).unwrap_or_else(|_| Map::new().into());
    m.insert("attributes".into(), attributes);
    m.into()
}

fn to_dynamic<T: serde::Serialize>(value: &T) -> Result<Dynamic, String> {
    // As facts: every hook call gets a pointer, not a deep copy, of the rules.
    rhai::serde::to_dynamic(value)
        .map(Facts::from_dynamic)
        .map_err(|e| e.to_string())
}

/// A script error as `file:line:col: message`, in the file of the innermost
/// function called from `hook` (`file_of` maps a function name to the file
/// defining it), so that an
/// error in a tenant hook points into the tenant's file.
pub fn describe(
    error: &rhai::EvalAltResult,
    hook: &str,
    file_of: impl Fn(&str) -> String,
) -> String {
    let mut err = error;
    let mut source = file_of(hook);
    while let rhai::EvalAltResult::ErrorInFunctionCall(function, _, inner, _) = err {
        source = file_of(function);
        err = inner;
    }
    let pos = err.position();
    let mut message = match err {
        // The deadline's message is carried as the termination token.
        rhai::EvalAltResult::ErrorTerminated(token, _) => token.to_string(),
        other => other.to_string(),
    };
    // The position is printed in front; drop Rhai's own " (line x, position y)".
    if let Some(i) = message.rfind(" (line ") {
        message.truncate(i);
    }
    match (pos.line(), pos.position()) {
        (Some(line), col) => format!("{source}:{line}:{}: {message}", col.unwrap_or(0)),
        _ => format!("{source}: {message}"),
    }
}

impl Policy for TenantPolicy {
    /// Everything the model and the scripts read of a unit (see `unit_map` and
    /// the `base_rate` attribute): its kind, inventory, guests and attributes.
    fn unit_key(&self, unit: &Unit) -> Option<String> {
        let key = serde_json::json!([
            unit.kind,
            unit.inventory.get(),
            unit.max_guests.get(),
            unit.attributes
        ]);
        Some(key.to_string())
    }

    fn resolve_period(
        &self,
        ctx: &PolicyContext<'_>,
        period: &PeriodRequest,
    ) -> Result<ResolvedPeriod, PolicyError> {
        let tz: Tz = ctx.tenant.timezone;
        match (&self.model, period) {
            (
                ModelRules::Nightly {
                    check_in,
                    check_out,
                },
                PeriodRequest::Nights {
                    check_in: ci,
                    check_out: co,
                },
            ) => {
                if co <= ci {
                    return Err(PolicyError::InvalidPeriod(format!(
                        "check-out ({co}) must be after check-in ({ci})"
                    )));
                }
                let range = TimeRange::new(
                    local_instant(tz, *ci, *check_in),
                    local_instant(tz, *co, *check_out),
                )
                .map_err(|e| PolicyError::InvalidPeriod(e.to_string()))?;
                Ok(ResolvedPeriod {
                    period: range,
                    occupied: range,
                    check_in: Some(*ci),
                    check_out: Some(*co),
                })
            }
            (ModelRules::Timeslot { duration }, PeriodRequest::Slot { start }) => {
                let local = start.with_timezone(&tz);
                let date = local.date_naive();
                let starts = self.slot_starts(date)?;
                let found = starts.iter().any(|t| local_instant(tz, date, *t) == *start);
                if !found {
                    let list: Vec<String> = starts.iter().map(|t| hh_mm(*t)).collect();
                    return Err(PolicyError::Refused(vec![Violation::new(
                        "no_such_slot",
                        format!(
                            "no slot starts at {} on {date}; slots that day: {}",
                            hh_mm(local.time()),
                            if list.is_empty() {
                                "none".to_owned()
                            } else {
                                list.join(", ")
                            }
                        ),
                    )]));
                }
                let range = TimeRange::new(*start, *start + *duration)
                    .map_err(|e| PolicyError::InvalidPeriod(e.to_string()))?;
                Ok(ResolvedPeriod {
                    period: range,
                    occupied: range,
                    check_in: None,
                    check_out: None,
                })
            }
            (
                ModelRules::Interval {
                    buffer_before,
                    buffer_after,
                    ..
                },
                PeriodRequest::Interval { start, end },
            ) => {
                let range = TimeRange::new(*start, *end)
                    .map_err(|e| PolicyError::InvalidPeriod(e.to_string()))?;
                Ok(ResolvedPeriod {
                    period: range,
                    occupied: range.widened(*buffer_before, *buffer_after),
                    check_in: None,
                    check_out: None,
                })
            }
            (_, _) => Err(PolicyError::InvalidPeriod(match self.config.model {
                ModelKind::Nightly => "this tenant books by check-in and check-out dates".into(),
                ModelKind::Timeslot => "this tenant books time slots: give the slot's start".into(),
                ModelKind::Interval => {
                    "this tenant books intervals: give a start and an end".into()
                }
            })),
        }
    }

    fn slots(
        &self,
        ctx: &PolicyContext<'_>,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        let ModelRules::Timeslot { duration } = self.model else {
            return Err(PolicyError::InvalidPeriod(
                "this tenant does not book time slots".into(),
            ));
        };
        self.slot_ranges(ctx.tenant.timezone, date, duration)
    }

    fn occupancy_basis(&self) -> OccupancyBasis {
        match self.model {
            ModelRules::Nightly { .. } => OccupancyBasis::Nights,
            ModelRules::Timeslot { .. } => OccupancyBasis::SeatHours,
            ModelRules::Interval { .. } => OccupancyBasis::ItemHours,
        }
    }

    fn open_periods(
        &self,
        tenant: &berth_core::tenant::Tenant,
        date: NaiveDate,
    ) -> Result<Vec<TimeRange>, PolicyError> {
        crate::open_periods::open_periods(self, tenant.timezone, date)
    }

    fn validate(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        let native = self.native_request(ctx, party, resolved);
        if let Some(violations) = self.native_validate(native.as_ref()) {
            return Ok(violations);
        }
        self.run_validate(Dynamic::from(Facts::new(
            self.request_map(ctx, party, resolved),
        )))
    }

    fn price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Price, PolicyError> {
        let native = self.native_request(ctx, party, resolved);
        if let Some(price) = self.native_price(native.as_ref(), ctx.tenant.currency) {
            return price;
        }
        self.run_price(
            Dynamic::from(Facts::new(self.request_map(ctx, party, resolved))),
            ctx.tenant.currency,
        )
    }

    fn can_change(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
        party: &Party,
        resolved: &ResolvedPeriod,
    ) -> Result<Vec<Violation>, PolicyError> {
        let req = Dynamic::from(Facts::new(self.request_map(ctx, party, resolved)));
        let out = self.call_on_current("can_change", ctx, current, req)?;
        self.violations("can_change", out)
    }

    fn refund(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
    ) -> Result<Option<Money>, PolicyError> {
        let Some(paid) = current.price.as_ref().map(|p| p.total) else {
            return Ok(None);
        };
        let req = Dynamic::from(Facts::new(self.request_map(
            ctx,
            &party_of(current),
            &resolved_of(current),
        )));
        let out = self.call_on_current("refund", ctx, current, req)?;
        let amount = out
            .as_int()
            .map_err(|_| self.bad_output("refund", "an amount in minor units (an integer)"))?;
        // Never negative, never more than was paid (nothing when what was
        // paid is negative: a tenant's price lines may sum below zero).
        let amount = amount.min(paid.amount_minor).max(0);
        Ok(Some(Money::new(amount, paid.currency)))
    }

    fn hold_duration(&self) -> Duration {
        Duration::minutes(i64::from(self.config.hold_minutes))
    }

    fn reminder_days(&self) -> u32 {
        self.config.reminder_days
    }

    fn protects_reservations(&self) -> bool {
        self.config.protect_reservations
    }

    fn no_show_after(
        &self,
        ctx: &PolicyContext<'_>,
        current: &Reservation,
    ) -> Result<Duration, PolicyError> {
        let req = Dynamic::from(Facts::new(self.request_map(
            ctx,
            &party_of(current),
            &resolved_of(current),
        )));
        let out = self.call(
            "no_show_deadline",
            (req, self.rules.clone(), self.pricing.clone()),
        )?;
        let minutes = out.as_int().ok().filter(|m| *m >= 0).ok_or_else(|| {
            self.bad_output("no_show_deadline", "minutes (a non-negative integer)")
        })?;
        Ok(Duration::minutes(minutes))
    }

    fn validate_and_price(
        &self,
        ctx: &PolicyContext<'_>,
        party: &Party,
        resolved: &ResolvedPeriod,
        known: &[Violation],
    ) -> Result<(Vec<Violation>, Option<Price>), PolicyError> {
        // The native hooks' facts, and one request map for the script hooks,
        // built only when a script hook runs and then shared rather than copied.
        let native = self.native_request(ctx, party, resolved);
        let mut req: Option<Dynamic> = None;
        let req_map = || Dynamic::from(Facts::new(self.request_map(ctx, party, resolved)));
        let violations = match self.native_validate(native.as_ref()) {
            Some(violations) => violations,
            None => {
                let map = req_map();
                req = Some(map.clone());
                self.run_validate(map)?
            }
        };
        let price = if known.is_empty() && violations.is_empty() {
            Some(
                match self.native_price(native.as_ref(), ctx.tenant.currency) {
                    Some(price) => price?,
                    None => self.run_price(req.unwrap_or_else(req_map), ctx.tenant.currency)?,
                },
            )
        } else {
            None
        };
        Ok((violations, price))
    }
}

impl TenantPolicy {
    /// Runs `validate` on a request map and reads its violations.
    fn run_validate(&self, req: Dynamic) -> Result<Vec<Violation>, PolicyError> {
        let out = self.call("validate", (req, self.rules.clone(), self.pricing.clone()))?;
        self.violations("validate", out)
    }

    /// Reads a hook's answer as violations.
    fn violations(&self, hook: &str, out: Dynamic) -> Result<Vec<Violation>, PolicyError> {
        let expected = "an array of #{code, message} maps";
        let items = out
            .into_array()
            .map_err(|_| self.bad_output(hook, expected))?;
        items
            .into_iter()
            .map(|item| {
                let map = item
                    .try_cast::<Map>()
                    .ok_or_else(|| self.bad_output(hook, expected))?;
                let text = |key: &str| {
                    map.get(key)
                        .map(|v| v.to_string())
                        .filter(|s| !s.is_empty())
                };
                let code = text("code").ok_or_else(|| self.bad_output(hook, expected))?;
                Ok(Violation::new(
                    code.clone(),
                    text("message").unwrap_or(code),
                ))
            })
            .collect()
    }

    /// Runs `price` on a request map and reads its lines.
    fn run_price(
        &self,
        req: Dynamic,
        currency: berth_core::money::Currency,
    ) -> Result<Price, PolicyError> {
        let out = self.call("price", (req, self.rules.clone(), self.pricing.clone()))?;
        let expected = "an array of #{kind, label, amount} maps with integer amounts";
        let items = out
            .into_array()
            .map_err(|_| self.bad_output("price", expected))?;
        let lines = items
            .into_iter()
            .map(|item| {
                let map = item
                    .try_cast::<Map>()
                    .ok_or_else(|| self.bad_output("price", expected))?;
                let amount = map
                    .get("amount")
                    .and_then(|a| a.as_int().ok())
                    .ok_or_else(|| self.bad_output("price", expected))?;
                let text = |key: &str| map.get(key).map(|v| v.to_string()).unwrap_or_default();
                Ok(PriceLine {
                    kind: text("kind"),
                    label: text("label"),
                    amount: Money::new(amount, currency),
                })
            })
            .collect::<Result<Vec<_>, PolicyError>>()?;
        Price::from_lines(currency, lines).map_err(|e| PolicyError::Failed(e.to_string()))
    }
}

/// The instant a tenant-local naive date-time happens, for test cases and tools.
pub fn local_to_utc(tz: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    local_instant(tz, local.date(), local.time())
}
