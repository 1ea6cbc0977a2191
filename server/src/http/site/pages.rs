//! The pages: home, catalog, unit (with the estimator), the estimator's
//! answer alone (for the script), and the error pages.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use berth_core::ids::UnitId;
use berth_core::unit::Unit;
use minijinja::{Value, context};

use super::estimate::{self, Estimate, Fields};
use super::i18n::{Lang, fill};
use super::render::{self, Caching};
use super::view::{Ctx, MapView, Model, PageMeta, PhotoView, Place, UnitView, photos_by_unit};
use super::{PageError, calendar, prices, seo};
use crate::http::AppState;

/// How many units the home page shows.
const TEASER_UNITS: usize = 3;

/// `GET /{tenant}` → `/{tenant}/` (308, the query kept); 404 for a tenant
/// that does not exist.
pub async fn to_home(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    uri: Uri,
    place: Place,
) -> Response {
    let Ok(slug) = tenant.parse::<berth_core::tenant::TenantSlug>() else {
        return PageError::NotFound.into_response();
    };
    if super::hosts::RESERVED_SEGMENTS.contains(&tenant.as_str()) {
        return PageError::NotFound.into_response();
    }
    match state.store.tenant_by_slug(&slug).await {
        Ok(Some(_)) => {}
        Ok(None) => return PageError::NotFound.into_response(),
        Err(e) => return PageError::from(e).into_response(),
    }
    let base = if place.own_host {
        String::new()
    } else {
        format!("/{tenant}")
    };
    match uri.query() {
        Some(query) => Redirect::permanent(&format!("{base}/?{query}")),
        None => Redirect::permanent(&format!("{base}/")),
    }
    .into_response()
}

/// The tenant's active units with their views (photos and, when asked,
/// "from" prices), in the store's order.
async fn unit_views(
    state: &AppState,
    ctx: &Ctx,
    with_prices: bool,
) -> Result<(Vec<Unit>, Vec<UnitView>), PageError> {
    let units = state.store.units(ctx.id(), false).await?;
    let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
    let photos = photos_by_unit(state.engine.unit_images(ctx.id(), &ids).await?);
    let mut from = if with_prices {
        prices::from_prices(state, ctx, &units).await
    } else {
        HashMap::new()
    };
    let views = units
        .iter()
        .map(|u| {
            let mut view = ctx.unit(u, photos.get(&u.id).map_or(&[][..], Vec::as_slice));
            view.from = from.remove(&u.id);
            view
        })
        .collect();
    Ok((units, views))
}

/// `GET /{tenant}/`.
pub async fn home(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    place: Place,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(&state, &tenant, &place).await?;
    let (_, units) = unit_views(&state, &ctx, true).await?;
    let pictures = state.engine.tenant_pictures(ctx.id()).await?;
    let origin = seo::request_origin(&place);
    // The tenant's own cover; a unit's first photo only when it has none.
    let own_cover = pictures.cover.as_ref().and_then(PhotoView::of_picture);
    let cover = own_cover.or_else(|| units.iter().flat_map(|u| u.photos.first()).next().cloned());
    let gallery: Vec<PhotoView> = pictures
        .gallery
        .iter()
        .filter_map(PhotoView::of_picture)
        .collect();
    let image = cover.as_ref().map(|p| seo::absolute(&origin, &p.large));
    let map = MapView::of(&ctx);
    let mut ld = seo::business(&ctx, &units, image.clone());
    if image.is_some() && !gallery.is_empty() {
        ld["image"] = image
            .iter()
            .cloned()
            .chain(gallery.iter().map(|p| seo::absolute(&origin, &p.large)))
            .collect();
    }
    ld["makesOffer"] = units
        .iter()
        .map(
            |u| serde_json::json!({ "@type": "Offer", "itemOffered": seo::unit(&ctx, u, &origin) }),
        )
        .collect();
    let description = ctx
        .profile
        .description
        .clone()
        .unwrap_or_else(|| ctx.tenant.name.clone());
    let layout = ctx.layout(PageMeta {
        title: ctx.tenant.name.clone(),
        description,
        canonical: ctx.canonical("/"),
        image,
        json_ld: render::json_ld(&ld),
        nav: "home",
        noindex: false,
    });
    let teaser: Vec<&UnitView> = units.iter().take(TEASER_UNITS).collect();
    let html = render::render(
        "home.html",
        context! { ..layout, ..context! {
            cover => cover,
            gallery => gallery,
            units => teaser,
            more_units => units.len() > TEASER_UNITS,
            model => ctx.model,
            map => map.as_ref().map(|(view, _)| view),
        }},
    )?;
    let mut response = render::page(StatusCode::OK, html, Caching::Public);
    if let Some((_, tile_origin)) = &map {
        render::allow_tiles(&mut response, tile_origin);
    }
    Ok(response)
}

/// `GET /{tenant}/units`.
pub async fn units(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    place: Place,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(&state, &tenant, &place).await?;
    let (_, units) = unit_views(&state, &ctx, true).await?;
    let origin = seo::request_origin(&place);
    let image = units
        .iter()
        .flat_map(|u| u.photos.first())
        .next()
        .map(|p| seo::absolute(&origin, &p.large));
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": fill(ctx.t("units_of"), &[("name", &ctx.tenant.name)]),
        "itemListElement": units.iter().enumerate().map(|(i, u)| serde_json::json!({
            "@type": "ListItem",
            "position": i + 1,
            "item": seo::unit(&ctx, u, &origin),
        })).collect::<Vec<_>>(),
        "about": seo::business(&ctx, &units, image.clone()),
    });
    let title = format!("{} · {}", ctx.t("units_title"), ctx.tenant.name);
    let description = fill(
        ctx.t("units_description"),
        &[("name", &ctx.tenant.name), ("n", &units.len().to_string())],
    );
    let layout = ctx.layout(PageMeta {
        title,
        description,
        canonical: ctx.canonical("/units"),
        image,
        json_ld: render::json_ld(&ld),
        nav: "units",
        noindex: false,
    });
    let html = render::render(
        "units.html",
        context! { ..layout, ..context! { units => units, model => ctx.model }},
    )?;
    Ok(render::page(StatusCode::OK, html, Caching::Public))
}

/// The unit of the path, or the tenant's 404 page.
async fn find_unit(state: &AppState, ctx: &Ctx, id: &str) -> Result<Unit, PageError> {
    let id: UnitId = id.parse().map_err(|_| PageError::NotFound)?;
    match state.store.unit(ctx.id(), id).await? {
        Some(unit) if !unit.archived => Ok(unit),
        _ => Err(PageError::NotFound),
    }
}

/// What the estimator's form and answer are rendered from.
pub struct EstimatorView {
    /// The fields shown (asked or defaults).
    pub fields: Fields,
    /// The answer.
    pub estimate: Estimate,
    /// Timeslot: the slots of the form's date.
    pub slots: Vec<estimate::SlotOption>,
    /// Interval: the durations offered.
    pub durations: Vec<estimate::DurationOption>,
    /// A fresh request key for the booking request form.
    pub request_key: String,
    /// The request form's hidden period and guest fields.
    pub hidden: Vec<(&'static str, String)>,
}

impl EstimatorView {
    /// Runs the estimator for `query`.
    pub async fn build(
        state: &AppState,
        ctx: &Ctx,
        unit: &Unit,
        query: &HashMap<String, String>,
    ) -> Self {
        let asked = Fields::from_map(query);
        let estimate = estimate::run(state, ctx, unit, &asked).await;
        let today = estimate::today(state, ctx);
        let fields = if asked.asked(ctx.model) {
            asked
        } else {
            Fields::defaults(ctx, unit, today)
        };
        let slots = if ctx.model == Model::Timeslot {
            estimate::slot_options(state, ctx, unit, estimate::parse_date(&fields.date)).await
        } else {
            Vec::new()
        };
        let durations = if ctx.model == Model::Interval {
            estimate::duration_options(ctx, &fields.duration)
        } else {
            Vec::new()
        };
        let hidden = fields.pairs(ctx.model);
        Self {
            fields,
            estimate,
            slots,
            durations,
            request_key: uuid::Uuid::new_v4().simple().to_string(),
            hidden,
        }
    }

    /// The template context of the estimator.
    pub fn context(&self, ctx: &Ctx, unit: &UnitView, today: chrono::NaiveDate) -> Value {
        context! {
            unit => unit,
            model => ctx.model,
            fields => self.fields,
            estimate => self.estimate,
            slots => self.slots,
            durations => self.durations,
            request_key => self.request_key,
            hidden => self.hidden,
            min_date => today.to_string(),
            max_guests => unit.max_guests * unit.inventory,
        }
    }
}

/// `GET /{tenant}/units/{unitId}` (the estimator's form is a GET on it).
pub async fn unit(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    place: Place,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(&state, &tenant, &place).await?;
    let unit = match find_unit(&state, &ctx, &id).await {
        Ok(unit) => unit,
        Err(PageError::NotFound) => return Ok(not_found(&ctx)),
        Err(e) => return Err(e),
    };
    let photos = photos_by_unit(state.engine.unit_images(ctx.id(), &[unit.id]).await?);
    let view = ctx.unit(&unit, photos.get(&unit.id).map_or(&[][..], Vec::as_slice));
    let estimator = EstimatorView::build(&state, &ctx, &unit, &query).await;
    let today = estimate::today(&state, &ctx);
    let availability = calendar::view(&state, &ctx, &unit, today).await;
    let origin = seo::request_origin(&place);
    let image = view
        .photos
        .first()
        .map(|p| seo::absolute(&origin, &p.large));
    let mut ld = seo::unit(&ctx, &view, &origin);
    ld["@context"] = serde_json::json!("https://schema.org");
    let units_for_business = [view.clone()];
    let business = seo::business(&ctx, &units_for_business, image.clone());
    match ctx.model {
        Model::Nightly => ld["containedInPlace"] = business,
        Model::Timeslot => ld["provider"] = business,
        Model::Interval => ld["brand"] = business,
    }
    let description = view
        .description
        .clone()
        .unwrap_or_else(|| format!("{} · {}", view.name, ctx.tenant.name));
    let layout = ctx.layout(PageMeta {
        title: format!("{} · {}", view.name, ctx.tenant.name),
        description,
        canonical: ctx.canonical(&format!("/units/{}", unit.id)),
        image,
        json_ld: render::json_ld(&ld),
        nav: "units",
        noindex: false,
    });
    let html = render::render(
        "unit.html",
        context! { ..layout, ..estimator.context(&ctx, &view, today), ..context! {
            availability => availability,
        }},
    )?;
    let status = match estimator.estimate.state {
        "invalid" => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    Ok(render::page(status, html, Caching::NoStore))
}

/// `GET /{tenant}/units/{unitId}/estimate`: the estimator's answer alone,
/// the very block the unit page renders, for the script to put in place.
pub async fn estimate(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    place: Place,
) -> Result<Response, PageError> {
    let ctx = Ctx::load(&state, &tenant, &place).await?;
    let unit = find_unit(&state, &ctx, &id).await?;
    let view = ctx.unit(&unit, &[]);
    let estimator = EstimatorView::build(&state, &ctx, &unit, &query).await;
    let today = estimate::today(&state, &ctx);
    let layout = ctx.layout(PageMeta::default());
    let html = render::render(
        "estimate.html",
        context! { ..layout, ..estimator.context(&ctx, &view, today), ..context! { show_form => true } },
    )?;
    Ok(render::page(StatusCode::OK, html, Caching::NoStore))
}

/// The tenant's own 404 page (an unknown or archived unit).
pub fn not_found(ctx: &Ctx) -> Response {
    error_page(
        Some(ctx),
        ctx.lang,
        StatusCode::NOT_FOUND,
        "not_found_title",
        "not_found_text",
    )
}

/// An error page in English, for requests with no tenant to speak for.
pub fn plain_error(status: StatusCode, title_key: &str, text_key: &str) -> Response {
    error_page(None, Lang::En, status, title_key, text_key)
}

/// An error page in words: a heading, a sentence, and a way back.
pub fn error_page(
    ctx: Option<&Ctx>,
    lang: Lang,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
) -> Response {
    let title = lang.t(title_key).to_owned();
    let text = lang.t(text_key).to_owned();
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": title,
    });
    let mut ld = ld;
    if let Some(c) = ctx {
        ld["publisher"] = serde_json::json!({ "@type": "Organization", "name": c.tenant.name });
    }
    let layout = match ctx {
        Some(ctx) => ctx.layout(PageMeta {
            title: format!("{title} · {}", ctx.tenant.name),
            description: text.clone(),
            json_ld: render::json_ld(&ld),
            noindex: true,
            ..PageMeta::default()
        }),
        None => context! {
            lang => lang.code(),
            t => lang.catalog().value(),
            css => super::assets::CSS.path(),
            js => super::assets::JS.path(),
            title => title,
            description => text,
            json_ld => render::json_ld(&ld),
            noindex => true,
        },
    };
    let html = render::render(
        "error.html",
        context! { ..layout, ..context! { heading => title, text => text, home => ctx.map(|c| format!("{}/", c.base)) }},
    )
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "the error page template failed");
        format!("<!doctype html><title>{status}</title><h1>{status}</h1>")
    });
    render::page(status, html, Caching::NoStore)
}
