//! The public site's messages in English and Spanish
//! (`web/site/i18n/{en,es}.json`, embedded). The tenant's locale picks the
//! language: a tag starting with `es` is Spanish, anything else English
//! (docs/decisions/0093). Templates read messages as `t.key`; a message with
//! a placeholder (`{price}`) is filled by the template's `fill` filter.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use minijinja::Value;

pub use crate::locale::Lang;

const EN: &str = include_str!("../../../../web/site/i18n/en.json");
const ES: &str = include_str!("../../../../web/site/i18n/es.json");

/// The catalogs, parsed once. A catalog that does not parse is a build
/// mistake that the tests catch; at run time it would read as empty.
static CATALOGS: LazyLock<[(Lang, Catalog); 2]> = LazyLock::new(|| {
    [
        (Lang::En, Catalog::parse(EN)),
        (Lang::Es, Catalog::parse(ES)),
    ]
});

/// One language's messages.
#[derive(Debug)]
pub struct Catalog {
    messages: BTreeMap<String, String>,
    /// The same messages as a template value (built once).
    value: Value,
}

impl Catalog {
    fn parse(json: &str) -> Self {
        let messages: BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
        let value = Value::from_serialize(&messages);
        Self { messages, value }
    }

    /// The message `key` (the key itself when missing, so a gap shows).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map_or(key, String::as_str)
    }

    /// The messages for templates (`t.key`).
    pub fn value(&self) -> Value {
        self.value.clone()
    }
}

impl Lang {
    /// Its catalog of the site's messages.
    pub fn catalog(self) -> &'static Catalog {
        let index = match self {
            Self::En => 0,
            Self::Es => 1,
        };
        &CATALOGS[index].1
    }

    /// The site's message `key`.
    pub fn t(self, key: &str) -> &str {
        self.catalog().get(key)
    }
}

/// `message` with each `{name}` replaced by its value.
pub fn fill(message: &str, values: &[(&str, &str)]) -> String {
    let mut out = message.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        let en: BTreeMap<String, String> = serde_json::from_str(EN).expect("en.json");
        let es: BTreeMap<String, String> = serde_json::from_str(ES).expect("es.json");
        let en_keys: Vec<&String> = en.keys().collect();
        let es_keys: Vec<&String> = es.keys().collect();
        assert_eq!(en_keys, es_keys);
        assert!(en.values().chain(es.values()).all(|m| !m.trim().is_empty()));
    }

    #[test]
    fn spanish_locales_get_spanish_and_the_rest_english() {
        assert_eq!(Lang::of_locale("es-MX"), Lang::Es);
        assert_eq!(Lang::of_locale("es"), Lang::Es);
        assert_eq!(Lang::of_locale("de-CH"), Lang::En);
        assert_eq!(Lang::of_locale(""), Lang::En);
        assert_eq!(Lang::Es.t("units_title"), "Alojamientos y servicios");
    }
}
