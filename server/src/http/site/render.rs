//! Rendering: the template environment (minijinja 2, autoescaping every
//! `.html` template; docs/decisions/0085), and turning a rendered page into a
//! response with the site's caching and never a cookie (the security headers
//! are the layer's, `security_headers.rs`).

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::value::Kwargs;
use minijinja::{Environment, Value};

use crate::http::security_headers::TileOrigin;

/// Widens the policy of a page that shows an interactive map: its tile
/// server's origin (`https://tile.example.org`) is added to `img-src` by the
/// security headers' layer (`security_headers.rs`, docs/decisions/0112).
pub fn allow_tiles(response: &mut Response, tile_origin: &str) {
    response
        .extensions_mut()
        .insert(TileOrigin(tile_origin.to_owned()));
}

/// The templates, embedded so a deployment needs no extra files.
const TEMPLATES: [(&str, &str); 9] = [
    (
        "layout.html",
        include_str!("../../../../web/site/templates/layout.html"),
    ),
    (
        "parts.html",
        include_str!("../../../../web/site/templates/parts.html"),
    ),
    (
        "home.html",
        include_str!("../../../../web/site/templates/home.html"),
    ),
    (
        "units.html",
        include_str!("../../../../web/site/templates/units.html"),
    ),
    (
        "unit.html",
        include_str!("../../../../web/site/templates/unit.html"),
    ),
    (
        "estimate.html",
        include_str!("../../../../web/site/templates/estimate.html"),
    ),
    (
        "request.html",
        include_str!("../../../../web/site/templates/request.html"),
    ),
    (
        "confirmation.html",
        include_str!("../../../../web/site/templates/confirmation.html"),
    ),
    (
        "error.html",
        include_str!("../../../../web/site/templates/error.html"),
    ),
];

/// The environment, built once. A template that does not parse is a build
/// mistake: the unit test below renders every one.
static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.add_filter("fill", fill);
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "a public site template does not parse");
        }
    }
    env
});

/// `{{ t.from_price | fill(price=p) }}`: a message with its `{name}`
/// placeholders filled (values are escaped on output like everything else).
fn fill(message: String, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut out = message;
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    Ok(out)
}

/// Renders `template` with `context`.
pub fn render(template: &str, context: Value) -> Result<String, minijinja::Error> {
    ENV.get_template(template)?.render(context)
}

/// How a page may be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caching {
    /// The same for everyone for a minute (home, catalog, sitemap).
    Public,
    /// Never kept: availability, estimates and forms with a request key.
    NoStore,
}

/// A rendered page with the site's headers.
pub fn page(status: StatusCode, html: String, caching: Caching) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers, caching);
    response
}

/// A plain-text or XML document with the site's headers.
pub fn document(content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    secure(headers, Caching::Public);
    response
}

/// The caching of every site answer (its security headers are the layer's:
/// `security_headers.rs`).
pub fn secure(headers: &mut HeaderMap, caching: Caching) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match caching {
            Caching::Public => "public, max-age=60",
            Caching::NoStore => "no-store",
        }),
    );
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&`
/// written as JSON escapes, so no string in it can close the element or open
/// a comment (`</script>`, `<!--`), and marked safe for the template.
pub fn json_ld(value: &serde_json::Value) -> Value {
    let text = value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    Value::from_safe_string(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let value = serde_json::json!({ "name": "</script><script>alert(1)</script> & <!--" });
        let text = json_ld(&value).to_string();
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        let env = Environment::new();
        let mut env = env;
        env.add_filter("fill", fill);
        let out = env
            .render_str("{{ 'from {price} for {n}' | fill(price='$5', n=2) }}", ())
            .unwrap();
        assert_eq!(out, "from $5 for 2");
    }
}
