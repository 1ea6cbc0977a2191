//! The tenant's language and locale conventions, shared by everything berth
//! writes for people outside the admin app: the public site (`http/site/`) and the
//! e-mail to guests and staff (`workers/mail/`). A tenant's locale tag picks the
//! language — a tag starting with `es` is Spanish, anything else English
//! (docs/decisions/0093) — and its own conventions for money, dates and times
//! (`format.rs`, docs/decisions/0092).

pub mod format;

use chrono::Weekday;

pub use format::LocaleFormat;

/// A language berth writes messages in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English, the fallback.
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// The language of a tenant's locale tag.
    pub fn of_locale(locale: &str) -> Self {
        let language = locale.split(['-', '_']).next().unwrap_or_default();
        if language.eq_ignore_ascii_case("es") {
            Self::Es
        } else {
            Self::En
        }
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }

    /// A weekday's short name (`Sat`, `sáb`).
    pub fn weekday_short(self, day: Weekday) -> &'static str {
        let i = day.num_days_from_monday() as usize;
        match self {
            Self::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
            Self::Es => ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"][i],
        }
    }

    /// A weekday's full name (`Saturday`, `sábado`).
    pub fn weekday_long(self, day: Weekday) -> &'static str {
        let i = day.num_days_from_monday() as usize;
        match self {
            Self::En => [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ][i],
            Self::Es => [
                "lunes",
                "martes",
                "miércoles",
                "jueves",
                "viernes",
                "sábado",
                "domingo",
            ][i],
        }
    }

    /// A month's short name, `month0` counted from 0 (`Dec`, `dic`).
    pub fn month_short(self, month0: u32) -> &'static str {
        let i = month0 as usize % 12;
        match self {
            Self::En => [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][i],
            Self::Es => [
                "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
            ][i],
        }
    }

    /// A month's full name, `month0` counted from 0 (`December`, `diciembre`).
    pub fn month_long(self, month0: u32) -> &'static str {
        let i = month0 as usize % 12;
        match self {
            Self::En => [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ][i],
            Self::Es => [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ][i],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_locales_get_spanish_and_the_rest_english() {
        assert_eq!(Lang::of_locale("es-MX"), Lang::Es);
        assert_eq!(Lang::of_locale("es"), Lang::Es);
        assert_eq!(Lang::of_locale("ES_es"), Lang::Es);
        assert_eq!(Lang::of_locale("de-CH"), Lang::En);
        assert_eq!(Lang::of_locale(""), Lang::En);
    }
}
