//! The periods a tenant is open on a date, for analytics' hour-based capacity
//! (core's `Policy::open_periods`): the timeslot model's slots of the date (each
//! its start plus the slot length, elapsed time), the interval model's opening
//! hours of the date's weekday (a weekday not listed is closed; a day whose
//! closing time is not after its opening time has no period), and the whole
//! local day for the nightly model and for an interval model without opening
//! hours. Wall-clock times are converted natively, DST rules included.

use berth_core::local_time::local_instant;
use berth_core::policy::{PolicyError, whole_local_day};
use berth_core::time_range::TimeRange;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::config::{ModelKind, Weekday};
use crate::tenant_policy::TenantPolicy;

/// The open periods of `date` in `tz` under `policy`.
pub fn open_periods(
    policy: &TenantPolicy,
    tz: Tz,
    date: NaiveDate,
) -> Result<Vec<TimeRange>, PolicyError> {
    let whole_day = || Ok(whole_local_day(tz, date).into_iter().collect());
    let config = policy.config();
    match config.model {
        ModelKind::Nightly => whole_day(),
        ModelKind::Timeslot => {
            let duration = policy
                .slot_duration()
                .ok_or_else(|| PolicyError::Failed("timeslot rules missing".into()))?;
            policy.slot_ranges(tz, date, duration)
        }
        ModelKind::Interval => {
            let Some(rules) = config.interval.as_ref() else {
                return whole_day();
            };
            if rules.opening_hours.is_empty() {
                return whole_day();
            }
            let Some(hours) = rules
                .opening_hours
                .get(&Weekday::from_chrono(date.weekday()))
            else {
                return Ok(Vec::new());
            };
            let (Some(open), Some(close)) = (hours.open.time(), hours.close.time()) else {
                return Err(PolicyError::Failed(format!(
                    "tenant {}: opening hours are not HH:MM times",
                    policy.slug()
                )));
            };
            Ok(TimeRange::new(
                local_instant(tz, date, open),
                local_instant(tz, date, close),
            )
            .ok()
            .into_iter()
            .collect())
        }
    }
}
