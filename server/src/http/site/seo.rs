//! For search engines and link previews: each page's JSON-LD (schema.org: the
//! business as a `LodgingBusiness`, `Hotel` or `Campground` for nightly
//! tenants, a `LocalBusiness` otherwise; units as `Accommodation`,
//! `TouristTrip` or `Product`), the tenant's `sitemap.xml` and the platform's
//! `robots.txt`, which names every tenant's sitemap.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use super::PageError;
use super::render;
use super::view::{Ctx, Model, Place, UnitView};
use crate::http::AppState;

/// The business's schema.org type.
pub fn business_type(ctx: &Ctx, unit_kinds: &[Option<String>]) -> &'static str {
    let has = |words: &[&str]| {
        unit_kinds.iter().flatten().any(|k| {
            let k = k.to_ascii_lowercase();
            words.iter().any(|w| k.contains(w))
        })
    };
    match ctx.model {
        Model::Nightly if has(&["room", "suite"]) => "Hotel",
        Model::Nightly if has(&["pitch", "camp", "tent"]) => "Campground",
        Model::Nightly => "LodgingBusiness",
        Model::Timeslot | Model::Interval => "LocalBusiness",
    }
}

/// The business as JSON-LD: name, description, URL, contact, address, geo,
/// image, price range and (lodging) amenities.
pub fn business(ctx: &Ctx, units: &[UnitView], origin_image: Option<String>) -> Json {
    let b = ctx.business();
    let kinds: Vec<Option<String>> = units.iter().map(|u| u.kind.clone()).collect();
    let mut node = json!({
        "@context": "https://schema.org",
        "@type": business_type(ctx, &kinds),
        "@id": format!("{}/#business", ctx.canonical_root),
        "name": b.name,
        "url": ctx.canonical("/"),
    });
    let obj = node
        .as_object_mut()
        .unwrap_or_else(|| unreachable!("an object"));
    if let Some(d) = &b.description {
        obj.insert("description".into(), json!(d));
    }
    if let Some(phone) = &b.phone {
        obj.insert("telephone".into(), json!(phone));
    }
    if let Some(email) = &b.email {
        obj.insert("email".into(), json!(email));
    }
    if let Some(a) = &ctx.profile.address {
        obj.insert(
            "address".into(),
            json!({
                "@type": "PostalAddress",
                "streetAddress": a.street,
                "postalCode": a.postal_code,
                "addressLocality": a.locality,
                "addressRegion": a.region,
                "addressCountry": a.country,
            }),
        );
    }
    if let Some(c) = ctx.profile.coordinates {
        obj.insert(
            "geo".into(),
            json!({ "@type": "GeoCoordinates", "latitude": c.lat, "longitude": c.lng }),
        );
    }
    if let Some(image) = origin_image {
        obj.insert("image".into(), json!(image));
    }
    let prices: Vec<&berth_core::money::Money> = units
        .iter()
        .filter_map(|u| u.from.as_ref().and_then(|f| f.money.as_ref()))
        .collect();
    if let (Some(low), Some(high)) = (
        prices.iter().min_by_key(|m| m.amount_minor),
        prices.iter().max_by_key(|m| m.amount_minor),
    ) {
        let range = if low == high {
            ctx.fmt.money(low)
        } else {
            format!("{} – {}", ctx.fmt.money(low), ctx.fmt.money(high))
        };
        obj.insert("priceRange".into(), json!(range));
        obj.insert(
            "currenciesAccepted".into(),
            json!(ctx.tenant.currency.as_str()),
        );
    }
    if ctx.model == Model::Nightly {
        let mut amenities: Vec<&String> = units.iter().flat_map(|u| &u.amenities).collect();
        amenities.sort();
        amenities.dedup();
        if !amenities.is_empty() {
            obj.insert(
                "amenityFeature".into(),
                amenities
                    .iter()
                    .map(|a| json!({ "@type": "LocationFeatureSpecification", "name": a, "value": true }))
                    .collect(),
            );
        }
        if let Some(time) = ctx.profile.check_in.time {
            obj.insert(
                "checkinTime".into(),
                json!(time.format("%H:%M").to_string()),
            );
        }
        if let Some(time) = ctx.profile.check_out.time {
            obj.insert(
                "checkoutTime".into(),
                json!(time.format("%H:%M").to_string()),
            );
        }
    }
    node
}

/// A unit as JSON-LD, offered by the business.
pub fn unit(ctx: &Ctx, unit: &UnitView, origin: &str) -> Json {
    let ty = match ctx.model {
        Model::Nightly => "Accommodation",
        Model::Timeslot => "TouristTrip",
        Model::Interval => "Product",
    };
    let mut node = json!({
        "@type": ty,
        "name": unit.name,
        "url": ctx.canonical(&format!("/units/{}", unit.id)),
    });
    let obj = node
        .as_object_mut()
        .unwrap_or_else(|| unreachable!("an object"));
    if let Some(d) = &unit.description {
        obj.insert("description".into(), json!(d));
    }
    let images: Vec<String> = unit
        .photos
        .iter()
        .map(|p| absolute(origin, &p.large))
        .collect();
    if !images.is_empty() {
        obj.insert("image".into(), json!(images));
    }
    match ctx.model {
        Model::Nightly => {
            obj.insert(
                "occupancy".into(),
                json!({ "@type": "QuantitativeValue", "maxValue": unit.max_guests }),
            );
            if !unit.amenities.is_empty() {
                obj.insert(
                    "amenityFeature".into(),
                    unit.amenities
                        .iter()
                        .map(|a| json!({ "@type": "LocationFeatureSpecification", "name": a, "value": true }))
                        .collect(),
                );
            }
            obj.insert(
                "containedInPlace".into(),
                json!({ "@id": format!("{}/#business", ctx.canonical_root) }),
            );
        }
        Model::Timeslot => {
            obj.insert(
                "provider".into(),
                json!({ "@id": format!("{}/#business", ctx.canonical_root) }),
            );
            obj.insert(
                "additionalProperty".into(),
                json!([{ "@type": "PropertyValue", "name": "seats", "value": unit.inventory }]),
            );
        }
        Model::Interval => {
            obj.insert(
                "brand".into(),
                json!({ "@id": format!("{}/#business", ctx.canonical_root) }),
            );
        }
    }
    // schema.org's `Accommodation` is a place and takes no `offers`: the
    // home page offers it (`makesOffer`), and the business has its
    // `priceRange`.
    if let Some(money) = unit
        .from
        .as_ref()
        .and_then(|f| f.money.as_ref())
        .filter(|_| ctx.model != Model::Nightly)
    {
        let digits = crate::locale::format::currency_digits(money.currency.as_str());
        let amount = money.amount_minor as f64 / 10f64.powi(digits as i32);
        obj.insert(
            "offers".into(),
            json!({
                "@type": "Offer",
                "price": format!("{amount:.prec$}", prec = digits as usize),
                "priceCurrency": money.currency.as_str(),
                "url": ctx.canonical(&format!("/units/{}", unit.id)),
            }),
        );
    }
    node
}

/// `origin` + `path` unless `path` is already absolute.
pub fn absolute(origin: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        path.to_owned()
    } else {
        format!("{origin}{path}")
    }
}

/// The origin requests for media go to: the request's own.
pub fn request_origin(place: &Place) -> String {
    format!(
        "{}://{}",
        place.scheme,
        place.host.as_deref().unwrap_or("localhost")
    )
}

/// `GET /{tenant}/sitemap.xml`: the home page, the catalog and every unit.
pub async fn sitemap(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    place: Place,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(&state, &tenant, &place).await?;
    let units = state.store.units(ctx.id(), false).await?;
    let mut urls = vec![ctx.canonical("/"), ctx.canonical("/units")];
    urls.extend(
        units
            .iter()
            .map(|u| ctx.canonical(&format!("/units/{}", u.id))),
    );
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&url)));
    }
    xml.push_str("</urlset>\n");
    Ok(render::document("application/xml; charset=utf-8", xml))
}

/// `GET /robots.txt`: crawl the sites, not the admin app, the API, the
/// feeds or the estimator's answers; the sitemaps of every tenant (on a
/// tenant's own domain, its own only).
pub async fn robots(State(state): State<AppState>, place: Place) -> Result<Response, PageError> {
    let origin = request_origin(&place);
    let host_tenant = place
        .host
        .as_deref()
        .and_then(|h| state.site.hosts.tenant_of(h))
        .map(str::to_owned);
    let mut text = String::from(
        "User-agent: *\nDisallow: /admin/\nDisallow: /graphql\nDisallow: /ical/\nDisallow: /*/estimate\nDisallow: /*/request\n",
    );
    match host_tenant {
        Some(_) => text.push_str(&format!("\nSitemap: {origin}/sitemap.xml\n")),
        None => {
            let mut tenants = state.store.tenants().await?;
            tenants.sort_by(|a, b| a.slug.as_str().cmp(b.slug.as_str()));
            text.push('\n');
            for tenant in tenants {
                let sitemap = match state.site.hosts.host_of(tenant.slug.as_str()) {
                    Some(domain) => format!("{}://{domain}/sitemap.xml", place.scheme),
                    None => format!("{origin}/{}/sitemap.xml", tenant.slug),
                };
                text.push_str(&format!("Sitemap: {sitemap}\n"));
            }
        }
    }
    Ok(render::document("text/plain; charset=utf-8", text).into_response())
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
