//! The public site's stylesheet and script, embedded in the binary
//! (`web/site/static/`), served under the reserved `/assets/` segment with a
//! content hash in the name (`/assets/site-3f2a9c1d.css`) and cached for a
//! year (docs/decisions/0085). A tenant's theme colour is a stylesheet of its
//! own, named by the colour itself (`/assets/theme-2f6b4f.css`): no inline
//! style is needed, so the Content-Security-Policy forbids them
//! (docs/decisions/0088).
//!
//! Leaflet 1.9.4 (BSD-2-Clause, `web/site/vendor/leaflet/`) is embedded the
//! same way, but no page links it: the script loads it only on the home page
//! of a tenant that configures a map tile server, and only when the map comes
//! near the view (docs/decisions/0111). It is not part of the script's budget.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The stylesheet's source.
pub const SITE_CSS: &str = include_str!("../../../../web/site/static/site.css");
/// The script's source (an ES module).
pub const SITE_JS: &str = include_str!("../../../../web/site/static/site.js");

/// How long anyone may keep a hashed asset: its name changes with it.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// An embedded asset and its hashed file name.
#[derive(Debug)]
pub struct Asset {
    /// `site-3f2a9c1d.css`.
    pub file: String,
    /// The content.
    pub body: &'static [u8],
    /// Its `Content-Type`.
    pub content_type: &'static str,
}

impl Asset {
    fn new(stem: &str, extension: &str, body: &'static [u8], content_type: &'static str) -> Self {
        let digest = Sha256::digest(body);
        let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            file: format!("{stem}-{hash}.{extension}"),
            body,
            content_type,
        }
    }

    /// Its address: `/assets/<file>`.
    pub fn path(&self) -> String {
        format!("/assets/{}", self.file)
    }
}

/// The stylesheet.
pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "site",
        "css",
        SITE_CSS.as_bytes(),
        "text/css; charset=utf-8",
    )
});
/// The script.
pub static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "site",
        "js",
        SITE_JS.as_bytes(),
        "text/javascript; charset=utf-8",
    )
});

macro_rules! leaflet_file {
    ($name:literal) => {
        include_bytes!(concat!("../../../../web/site/vendor/leaflet/", $name))
    };
}

/// Leaflet's script, stylesheet and marker images, loaded by the site
/// script on demand (never linked by a page).
pub static LEAFLET: LazyLock<Leaflet> = LazyLock::new(|| Leaflet {
    js: Asset::new(
        "leaflet",
        "js",
        leaflet_file!("leaflet.js"),
        "text/javascript; charset=utf-8",
    ),
    css: Asset::new(
        "leaflet",
        "css",
        leaflet_file!("leaflet.css"),
        "text/css; charset=utf-8",
    ),
    marker: Asset::new(
        "marker-icon",
        "png",
        leaflet_file!("marker-icon.png"),
        "image/png",
    ),
    marker_2x: Asset::new(
        "marker-icon-2x",
        "png",
        leaflet_file!("marker-icon-2x.png"),
        "image/png",
    ),
    shadow: Asset::new(
        "marker-shadow",
        "png",
        leaflet_file!("marker-shadow.png"),
        "image/png",
    ),
});

/// Leaflet's embedded files.
#[derive(Debug)]
pub struct Leaflet {
    pub js: Asset,
    pub css: Asset,
    pub marker: Asset,
    pub marker_2x: Asset,
    pub shadow: Asset,
}

impl Leaflet {
    fn all(&self) -> [&Asset; 5] {
        [
            &self.js,
            &self.css,
            &self.marker,
            &self.marker_2x,
            &self.shadow,
        ]
    }
}

/// The theme stylesheet's address for a `#rrggbb` colour; `None` for anything
/// else (the profile's check keeps colours in that form).
pub fn theme_path(color: &str) -> Option<String> {
    parse_hex(color).map(|_| format!("/assets/theme-{}.css", &color[1..]))
}

/// `GET /assets/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let site = [&*CSS, &*JS];
    for asset in site.into_iter().chain(LEAFLET.all()) {
        if file == asset.file {
            return immutable(asset.content_type, asset.body.to_vec());
        }
    }
    if let Some(hex) = file
        .strip_prefix("theme-")
        .and_then(|f| f.strip_suffix(".css"))
        && let Some(rgb) = parse_hex(&format!("#{hex}"))
    {
        return immutable("text/css; charset=utf-8", theme_css(hex, rgb).into_bytes());
    }
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-cache")],
        "not found",
    )
        .into_response()
}

fn immutable(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `#rrggbb` (lowercase or not) as its three channels.
fn parse_hex(color: &str) -> Option<[u8; 3]> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// The theme: the brand colour, a readable text colour on it (white or near
/// black, whichever contrasts more), and a darker shade for hovers and links
/// on white that stays readable.
fn theme_css(hex: &str, rgb: [u8; 3]) -> String {
    let on_brand = if contrast(rgb, [255, 255, 255]) >= contrast(rgb, [17, 17, 17]) {
        "#ffffff"
    } else {
        "#111111"
    };
    // Links and the brand's text on white need 4.5:1; darken until they have it.
    let mut ink = rgb;
    while contrast(ink, [255, 255, 255]) < 4.5 && ink != [0, 0, 0] {
        ink = ink.map(|c| (f64::from(c) * 0.9) as u8);
    }
    format!(
        ":root{{--brand:#{hex};--on-brand:{on_brand};--brand-ink:#{:02x}{:02x}{:02x}}}\n",
        ink[0], ink[1], ink[2]
    )
}

/// WCAG's contrast ratio of two colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_carry_their_content_hash() {
        assert!(CSS.file.starts_with("site-") && CSS.file.ends_with(".css"));
        assert_eq!(CSS.file.len(), "site-".len() + 8 + ".css".len());
        assert_ne!(
            CSS.file.trim_end_matches(".css"),
            JS.file.trim_end_matches(".js")
        );
        assert!(LEAFLET.js.file.starts_with("leaflet-") && LEAFLET.js.file.ends_with(".js"));
        assert!(LEAFLET.marker.body.starts_with(b"\x89PNG"));
    }

    #[test]
    fn the_vendored_leaflet_is_1_9_4_with_its_license() {
        let js = std::str::from_utf8(LEAFLET.js.body).unwrap();
        assert!(js.contains("t.version=\"1.9.4\""));
        let license = include_str!("../../../../web/site/vendor/leaflet/LICENSE");
        assert!(license.contains("BSD 2-Clause"), "{license}");
    }

    /// Issue 20's budgets: the public script at most 15 KB and the stylesheet
    /// at most 20 KB, gzipped. Leaflet (about 42 KB gzipped) is outside them:
    /// no page links it, and the script loads it only for a tenant that
    /// configures a map, when the map comes near the view
    /// (docs/decisions/0111).
    #[test]
    fn the_embedded_assets_stay_within_their_gzip_budgets() {
        use std::io::Write;
        let gzipped = |body: &[u8]| {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(body).unwrap();
            encoder.finish().unwrap().len()
        };
        let js = gzipped(SITE_JS.as_bytes());
        let css = gzipped(SITE_CSS.as_bytes());
        assert!(js <= 15 * 1024, "site.js is {js} bytes gzipped");
        assert!(css <= 20 * 1024, "site.css is {css} bytes gzipped");
    }

    #[test]
    fn a_theme_is_a_colour_and_readable_colours_beside_it() {
        assert_eq!(
            theme_path("#2f6b4f").as_deref(),
            Some("/assets/theme-2f6b4f.css")
        );
        assert_eq!(theme_path("red"), None);
        assert_eq!(theme_path("#2f6b4"), None);
        let dark = theme_css("1f4e79", [0x1f, 0x4e, 0x79]);
        assert!(dark.contains("--on-brand:#ffffff"), "{dark}");
        assert!(dark.contains("--brand-ink:#1f4e79"), "{dark}");
        let light = theme_css("f5d76e", [0xf5, 0xd7, 0x6e]);
        assert!(light.contains("--on-brand:#111111"), "{light}");
        assert!(
            !light.contains("--brand-ink:#f5d76e"),
            "darkened for text: {light}"
        );
    }
}
