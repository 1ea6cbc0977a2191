//! Calendar facts, computed natively so that scripts never do date math or walk
//! calendars: for each night or day of a request, its weekday, whether it is a
//! weekend day, which season it falls in, whether it is a stop-sell date, and its
//! rate (the season's rate, or its multiplier of the regular rate, where the regular
//! rate is the weekend rate on weekend days). Seasons are month-day ranges that may
//! wrap the year end (`12-20` to `03-31`).

use chrono::{Datelike, NaiveDate};

use crate::config::{DateRange, Pricing, Weekday};

/// A season's month-day range, as `month * 100 + day` ordinals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MonthDayRange {
    from: u32,
    to: u32,
}

impl MonthDayRange {
    fn parse(from: &str, to: &str) -> Option<Self> {
        Some(Self {
            from: month_day(from)?,
            to: month_day(to)?,
        })
    }

    fn contains(&self, date: NaiveDate) -> bool {
        let md = date.month() * 100 + date.day();
        if self.from <= self.to {
            self.from <= md && md <= self.to
        } else {
            md >= self.from || md <= self.to
        }
    }
}

fn month_day(s: &str) -> Option<u32> {
    let (m, d) = s.split_once('-')?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(m * 100 + d)
}

/// The facts of one date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayFacts {
    /// The date.
    pub date: NaiveDate,
    /// Its weekday.
    pub weekday: Weekday,
    /// True when the weekday is one of the pricing's weekend days.
    pub weekend: bool,
    /// Index into `pricing.seasons` of the first season containing the date, or -1.
    pub season: i64,
    /// True when a stop-sell range contains the date.
    pub stop_sell: bool,
}

/// How a season sets the rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SeasonRate {
    Fixed(i64),
    Percent(i64),
    Regular,
}

/// Pre-parsed calendar rules of one policy version.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    weekend: Vec<Weekday>,
    weekend_rate: Option<i64>,
    seasons: Vec<MonthDayRange>,
    season_rates: Vec<SeasonRate>,
    stop_sell: Vec<DateRange>,
}

impl Calendar {
    /// Parses the calendar parts of the pricing and the stop-sell dates. Seasons
    /// that do not parse are reported by the schema; here they never match.
    pub fn new(pricing: &Pricing, stop_sell: &[DateRange]) -> Self {
        Self {
            weekend: pricing.weekend_days.clone(),
            weekend_rate: pricing.weekend_rate,
            season_rates: pricing
                .seasons
                .iter()
                .map(|s| match (s.rate, s.multiplier_percent) {
                    (Some(rate), _) => SeasonRate::Fixed(rate),
                    (None, Some(percent)) => SeasonRate::Percent(i64::from(percent)),
                    (None, None) => SeasonRate::Regular,
                })
                .collect(),
            seasons: pricing
                .seasons
                .iter()
                .map(|s| {
                    MonthDayRange::parse(&s.from, &s.to).unwrap_or(MonthDayRange { from: 0, to: 0 })
                })
                .collect(),
            stop_sell: stop_sell.to_vec(),
        }
    }

    /// The rate of one item on `day`, when the unit's regular rate is `base`.
    pub fn rate(&self, day: &DayFacts, base: i64) -> i64 {
        let regular = match (day.weekend, self.weekend_rate) {
            (true, Some(rate)) => rate,
            _ => base,
        };
        let season = usize::try_from(day.season)
            .ok()
            .and_then(|i| self.season_rates.get(i));
        match season {
            Some(SeasonRate::Fixed(rate)) => *rate,
            Some(SeasonRate::Percent(p)) => percent_of(regular, *p),
            _ => regular,
        }
    }

    /// The sum of the rates of `days` (one item), held at the integers' range.
    pub fn rate_total(&self, days: &[DayFacts], base: i64) -> i64 {
        days.iter().fold(0_i64, |total, day| {
            total.saturating_add(self.rate(day, base))
        })
    }

    /// The facts of `date`.
    pub fn day(&self, date: NaiveDate) -> DayFacts {
        let weekday = Weekday::from_chrono(date.weekday());
        DayFacts {
            date,
            weekday,
            weekend: self.weekend.contains(&weekday),
            season: self
                .seasons
                .iter()
                .position(|s| s.contains(date))
                .map_or(-1, |i| i as i64),
            stop_sell: self
                .stop_sell
                .iter()
                .any(|r| r.from <= date && date <= r.to),
        }
    }
}

/// `amount × percent / 100` rounded half away from zero, computed wide and held
/// at the integers' range: a base rate (any integer in tenant.yaml or a unit's
/// `base_rate` attribute) times a season's `multiplier_percent` must neither
/// wrap around (release builds) nor panic (debug builds).
fn percent_of(amount: i64, percent: i64) -> i64 {
    let n = i128::from(amount) * i128::from(percent);
    let rounded = if n >= 0 {
        (n + 50) / 100
    } else {
        -((-n + 50) / 100)
    };
    i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Season;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pricing(seasons: &[(&str, &str)]) -> Pricing {
        Pricing {
            base_rate: 100,
            weekend_rate: None,
            weekend_days: vec![Weekday::Fri, Weekday::Sat],
            daily_rate: None,
            seasons: seasons
                .iter()
                .map(|(from, to)| Season {
                    name: format!("{from}..{to}"),
                    from: (*from).into(),
                    to: (*to).into(),
                    rate: Some(1),
                    multiplier_percent: None,
                    min_nights: None,
                })
                .collect(),
            extra_guest: None,
            length_of_stay: vec![],
            fees: vec![],
            taxes: vec![],
        }
    }

    #[test]
    fn seasons_wrap_the_year_end() {
        let cal = Calendar::new(&pricing(&[("12-20", "03-31"), ("07-01", "08-31")]), &[]);
        assert_eq!(cal.day(d("2026-12-19")).season, -1);
        assert_eq!(cal.day(d("2026-12-20")).season, 0);
        assert_eq!(cal.day(d("2027-01-15")).season, 0);
        assert_eq!(cal.day(d("2027-03-31")).season, 0);
        assert_eq!(cal.day(d("2027-04-01")).season, -1);
        assert_eq!(cal.day(d("2027-07-01")).season, 1);
    }

    #[test]
    fn rates_follow_weekends_and_seasons() {
        let mut p = pricing(&[("12-20", "03-31")]);
        p.weekend_rate = Some(150);
        p.seasons[0].rate = None;
        p.seasons[0].multiplier_percent = Some(125);
        let cal = Calendar::new(&p, &[]);
        assert_eq!(cal.rate(&cal.day(d("2026-12-14")), 100), 100, "weekday");
        assert_eq!(cal.rate(&cal.day(d("2026-12-18")), 100), 150, "weekend");
        assert_eq!(
            cal.rate(&cal.day(d("2026-12-21")), 100),
            125,
            "season weekday"
        );
        assert_eq!(
            cal.rate(&cal.day(d("2026-12-25")), 100),
            188,
            "season weekend, rounded"
        );
        let fixed = Calendar::new(&pricing(&[("12-20", "03-31")]), &[]);
        assert_eq!(
            fixed.rate(&fixed.day(d("2026-12-25")), 100),
            1,
            "a fixed season rate wins"
        );
    }

    #[test]
    fn weekends_and_stop_sell() {
        let stop = [DateRange {
            from: d("2026-12-24"),
            to: d("2026-12-26"),
        }];
        let cal = Calendar::new(&pricing(&[]), &stop);
        let fri = cal.day(d("2026-12-25"));
        assert_eq!(fri.weekday, Weekday::Fri);
        assert!(fri.weekend && fri.stop_sell);
        let sun = cal.day(d("2026-12-27"));
        assert!(!sun.weekend && !sun.stop_sell);
    }

    #[test]
    fn rates_out_of_the_integers_range_are_held_at_its_ends() {
        let mut p = pricing(&[("12-20", "03-31")]);
        p.seasons[0].rate = None;
        p.seasons[0].multiplier_percent = Some(u32::MAX);
        let cal = Calendar::new(&p, &[]);
        let season = cal.day(d("2026-12-21"));
        assert_eq!(cal.rate(&season, i64::MAX), i64::MAX);
        assert_eq!(cal.rate(&season, i64::MIN), i64::MIN);
        assert_eq!(cal.rate(&season, 100), 4_294_967_295);
        p.seasons[0].multiplier_percent = Some(50);
        let half = Calendar::new(&p, &[]);
        assert_eq!(half.rate(&season, i64::MAX), 4_611_686_018_427_387_904);
        assert_eq!(half.rate(&season, -3), -2, "rounded half away from zero");
        let nights: Vec<DayFacts> = d("2026-12-21")
            .iter_days()
            .take(3)
            .map(|day| cal.day(day))
            .collect();
        assert_eq!(cal.rate_total(&nights, i64::MAX / 2), i64::MAX);
        assert_eq!(cal.rate_total(&nights, 1), 3 * 42_949_673);
    }
}
