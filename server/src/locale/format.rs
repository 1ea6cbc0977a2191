//! Money, dates and times written the way the tenant's locale writes them
//! (docs/decisions/0092). berth has no ICU: this is a small table of the
//! separators, symbol positions and currency digits CLDR gives for the locales
//! businesses use, with a plain fallback (English conventions) for the rest.
//! Month and weekday names follow the page's message language (English or
//! Spanish, `Lang`); their order, the clock (12 or 24 hours) and the
//! numbers follow the locale itself, so a German-speaking tenant's English
//! page says `Sat 12 Dec 2026`, `15:00` and `1.234,50 €`.

use berth_core::money::Money;
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};

use super::Lang;

/// How one locale writes numbers, money and dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocaleFormat {
    /// `en-US`, `de-CH`, as the tenant wrote it.
    tag: String,
    language: String,
    region: Option<String>,
    decimal: &'static str,
    group: &'static str,
    /// The fewest integer digits before grouping starts (Spanish: 5, so
    /// `1234,50` but `12.345,50`).
    min_grouping_digits: usize,
    symbol_after: bool,
    /// The message language (names of months and weekdays).
    lang: Lang,
}

const NBSP: &str = "\u{a0}";
const NARROW_NBSP: &str = "\u{202f}";

impl LocaleFormat {
    /// The conventions of `tag` (a BCP 47 tag such as `de-CH`), writing names
    /// in `lang`.
    pub fn new(tag: &str, lang: Lang) -> Self {
        let mut parts = tag.split(['-', '_']);
        let language = parts.next().unwrap_or("en").to_ascii_lowercase();
        let region = parts
            .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase);
        let (decimal, group, min_grouping_digits, symbol_after) =
            match (language.as_str(), region.as_deref()) {
                ("de" | "it" | "fr" | "rm", Some("CH" | "LI")) => (".", "’", 4, false),
                ("es", Some("MX" | "US" | "PR")) => (".", ",", 4, false),
                ("es", _) => (",", ".", 5, true),
                ("de" | "it" | "pt" | "id" | "tr" | "el" | "da" | "hr" | "sl", _) => {
                    (",", ".", 4, true)
                }
                ("nl", _) => (",", ".", 4, false),
                ("fr", _) => (",", NARROW_NBSP, 4, true),
                ("sv" | "nb" | "no" | "fi" | "cs" | "sk" | "pl" | "ru" | "uk" | "hu", _) => {
                    (",", NBSP, 5, true)
                }
                _ => (".", ",", 4, false),
            };
        Self {
            tag: tag.to_owned(),
            language,
            region,
            decimal,
            group,
            min_grouping_digits,
            symbol_after,
            lang,
        }
    }

    /// The tag as the tenant wrote it.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// `1.234,50 €`, `$1,234.50`, `CHF 1’234.50`.
    pub fn money(&self, money: &Money) -> String {
        let code = money.currency.as_str();
        let digits = currency_digits(code);
        let negative = money.amount_minor < 0;
        let abs = money.amount_minor.unsigned_abs();
        let scale = 10u64.pow(digits);
        let whole = self.group_digits(&(abs / scale).to_string());
        let number = if digits == 0 {
            whole
        } else {
            format!(
                "{whole}{}{:0width$}",
                self.decimal,
                abs % scale,
                width = digits as usize
            )
        };
        let symbol = self.symbol(code);
        let sign = if negative { "-" } else { "" };
        if self.symbol_after {
            format!("{sign}{number}{NBSP}{symbol}")
        } else if symbol.chars().all(|c| c.is_ascii_alphabetic()) || self.language == "nl" {
            // A code (`CHF`) is set apart from the number; so is Dutch's `€`.
            format!("{sign}{symbol}{NBSP}{number}")
        } else {
            format!("{sign}{symbol}{number}")
        }
    }

    /// `Sat, Dec 12, 2026` (en-US), `Sat 12 Dec 2026` (other English),
    /// `sáb, 12 dic 2026` (Spanish).
    pub fn date_long(&self, date: NaiveDate) -> String {
        let weekday = self.lang.weekday_short(date.weekday());
        let month = self.lang.month_short(date.month0());
        match self.lang {
            Lang::En if self.region.as_deref() == Some("US") => {
                format!("{weekday}, {month} {}, {}", date.day(), date.year())
            }
            Lang::En => format!("{weekday} {} {month} {}", date.day(), date.year()),
            Lang::Es => format!("{weekday}, {} {month} {}", date.day(), date.year()),
        }
    }

    /// A day of the coming weeks: `Sun, Dec 6` (en-US), `Sun 6 Dec`,
    /// `dom, 6 dic`.
    pub fn day_month(&self, date: NaiveDate) -> String {
        let weekday = self.lang.weekday_short(date.weekday());
        let month = self.lang.month_short(date.month0());
        match self.lang {
            Lang::En if self.region.as_deref() == Some("US") => {
                format!("{weekday}, {month} {}", date.day())
            }
            Lang::En => format!("{weekday} {} {month}", date.day()),
            Lang::Es => format!("{weekday}, {} {month}", date.day()),
        }
    }

    /// `December 2026` / `diciembre de 2026`.
    pub fn month_year(&self, date: NaiveDate) -> String {
        let month = self.lang.month_long(date.month0());
        match self.lang {
            Lang::En => format!("{month} {}", date.year()),
            Lang::Es => format!("{month} de {}", date.year()),
        }
    }

    /// The weekday's short name.
    pub fn weekday(&self, day: Weekday) -> &'static str {
        self.lang.weekday_short(day)
    }

    /// `6:00 AM` in the United States, `06:00` elsewhere.
    pub fn time(&self, time: NaiveTime) -> String {
        if self.region.as_deref() == Some("US") && self.language == "en" {
            let (pm, hour) = time.hour12();
            let suffix = if pm { "PM" } else { "AM" };
            format!("{hour}:{:02}{NBSP}{suffix}", time.minute())
        } else {
            format!("{:02}:{:02}", time.hour(), time.minute())
        }
    }

    fn group_digits(&self, digits: &str) -> String {
        if digits.len() < self.min_grouping_digits {
            return digits.to_owned();
        }
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.group);
            }
            out.push(c);
        }
        out
    }

    fn symbol(&self, code: &str) -> String {
        let symbol = match code {
            "EUR" => "€",
            "GBP" => "£",
            "JPY" if self.language == "ja" => "￥",
            "JPY" => "¥",
            "USD" if matches!(self.region.as_deref(), Some("US") | None) => "$",
            "USD" => "US$",
            "INR" => "₹",
            "ILS" => "₪",
            "KRW" => "₩",
            "BRL" => "R$",
            "AUD" if self.region.as_deref() == Some("AU") => "$",
            "CAD" if self.region.as_deref() == Some("CA") => "$",
            "MXN" if self.region.as_deref() == Some("MX") => "$",
            other => other,
        };
        symbol.to_owned()
    }
}

/// The minor-unit digits of an ISO 4217 currency (ISO 4217's table: most have
/// two; these have none or three).
pub fn currency_digits(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_core::money::Currency;

    fn money(amount_minor: i64, code: &str) -> Money {
        Money::new(amount_minor, code.parse::<Currency>().unwrap())
    }

    #[test]
    fn money_is_written_the_locales_way() {
        let cases = [
            ("de-DE", 123_450, "EUR", "1.234,50\u{a0}€"),
            ("en-US", 123_450, "USD", "$1,234.50"),
            ("de-CH", 123_450, "CHF", "CHF\u{a0}1’234.50"),
            ("es-ES", 123_450, "EUR", "1234,50\u{a0}€"),
            ("es-ES", 1_234_550, "EUR", "12.345,50\u{a0}€"),
            ("fr-FR", 123_450, "EUR", "1\u{202f}234,50\u{a0}€"),
            ("en-GB", 99, "GBP", "£0.99"),
            ("ja-JP", 1200, "JPY", "￥1,200"),
            ("en-US", -500, "USD", "-$5.00"),
            ("de-DE", -500, "EUR", "-5,00\u{a0}€"),
            ("en-US", 1_000, "KWD", "KWD\u{a0}1.000"),
            ("xx", 100, "SEK", "SEK\u{a0}1.00"),
            ("de-DE", 2500, "USD", "25,00\u{a0}US$"),
        ];
        for (tag, amount, code, expected) in cases {
            let f = LocaleFormat::new(tag, Lang::En);
            assert_eq!(
                f.money(&money(amount, code)),
                expected,
                "{tag} {amount} {code}"
            );
        }
    }

    #[test]
    fn dates_and_times_follow_the_region_and_the_language() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 12).unwrap();
        assert_eq!(
            LocaleFormat::new("en-US", Lang::En).date_long(d),
            "Sat, Dec 12, 2026"
        );
        assert_eq!(
            LocaleFormat::new("de-CH", Lang::En).date_long(d),
            "Sat 12 Dec 2026"
        );
        assert_eq!(
            LocaleFormat::new("es-ES", Lang::Es).date_long(d),
            "sáb, 12 dic 2026"
        );
        assert_eq!(
            LocaleFormat::new("es-MX", Lang::Es).month_year(d),
            "diciembre de 2026"
        );
        let t = NaiveTime::from_hms_opt(13, 5, 0).unwrap();
        assert_eq!(LocaleFormat::new("en-US", Lang::En).time(t), "1:05\u{a0}PM");
        assert_eq!(LocaleFormat::new("de-DE", Lang::En).time(t), "13:05");
    }
}
