//! A guest's booking request: `POST /{tenant}/units/{unitId}/request` from
//! the form under an available estimate (`name`, `email`, `phone`, `message`,
//! the estimate's period and guest fields, a per-render `requestKey` and the
//! honeypot `website`). berth records it through `Engine::request_booking` —
//! a `held` reservation on the public channel with a new client, idempotent
//! by the request key — and answers the confirmation page with a reference
//! at once, without a redirect or a cookie (docs/decisions/0096): sending
//! the form again (a reload, a double click) answers the same reservation.
//!
//! Refusals (full, locked, a rule) are pages in words and write nothing;
//! mistakes in the form come back beside their fields. A filled honeypot
//! writes nothing and says so (docs/decisions/0095). Requests are limited per
//! address (`--site-request-limit`, 10 an hour by default) with a 429 page.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use berth_core::EngineError;
use berth_core::booking_request::BookingRequest;
use berth_core::client::NewClient;
use berth_core::unit::Unit;
use minijinja::{Value, context};
use serde::Serialize;

use super::estimate::{self, Fields, Parsed};
use super::i18n::fill;
use super::pages::{self, error_page};
use super::render::{self, Caching};
use super::view::{Ctx, PageMeta, Place, UnitView};
use super::{PageError, too_many};
use crate::http::AppState;
use crate::http::client_address::ClientAddress;
use crate::http::rate_limit::Decision;

/// The longest message accepted (a reservation's notes).
const MAX_MESSAGE_CHARS: usize = 4000;
/// The longest name, e-mail or phone (the engine's limit).
const MAX_CONTACT_CHARS: usize = 200;
/// The honeypot's field name: people never see it, form-filling bots do.
pub const HONEYPOT: &str = "website";

/// What the guest typed, shown again when something is wrong.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Guest {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub message: String,
}

/// `POST /{tenant}/units/{unitId}/request`.
pub async fn request(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    peer: Option<axum::extract::Extension<ClientAddress>>,
    place: Place,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if let (Some(limiter), Some(axum::extract::Extension(ClientAddress(peer)))) =
        (state.site.request_limit.as_ref(), peer)
        && let Decision::Refuse { retry_after_secs } = limiter.check(peer)
    {
        return Ok(too_many(retry_after_secs));
    }
    let ctx = Ctx::load(&state, &tenant, &place).await?;
    let unit = match id.parse() {
        Ok(id) => match state.store.unit(ctx.id(), id).await? {
            Some(unit) if !unit.archived => unit,
            _ => return Ok(pages::not_found(&ctx)),
        },
        Err(_) => return Ok(pages::not_found(&ctx)),
    };
    let field = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    if !field(HONEYPOT).is_empty() {
        tracing::info!(tenant = %ctx.tenant.slug, "a booking request filled the honeypot; nothing written");
        return Ok(error_page(
            Some(&ctx),
            ctx.lang,
            StatusCode::BAD_REQUEST,
            "honeypot_title",
            "honeypot_text",
        ));
    }
    let guest = Guest {
        name: field("name"),
        email: field("email"),
        phone: field("phone"),
        message: field("message"),
    };
    let fields = Fields::from_map(&form);
    let request_key = field("requestKey");
    let photos = super::view::photos_by_unit(state.engine.unit_images(ctx.id(), &[unit.id]).await?);
    let view = ctx.unit(&unit, photos.get(&unit.id).map_or(&[][..], Vec::as_slice));

    // The request page again, with this request's form values.
    let again_with = |answer, errors, status| {
        again(
            &ctx,
            &view,
            &fields,
            &guest,
            &request_key,
            answer,
            errors,
            status,
        )
    };
    let mut errors = check_guest(&ctx, &guest);
    let parsed = match estimate::parse(&state, &ctx, &unit, &fields).await {
        Ok(parsed) => parsed,
        Err(e) => {
            let answer = estimate::failed(&ctx, &e);
            return again_with(answer, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let (quote_request, summary) = match parsed {
        Parsed::Ready(q, summary) => (q, summary),
        Parsed::Invalid(field_errors) => {
            // The period came from hidden fields: the form is stale or damaged.
            let answer = estimate::Estimate {
                state: "error",
                message: Some(ctx.t("error_period_stale").to_owned()),
                errors: field_errors,
                ..estimate::Estimate::default()
            };
            return again_with(answer, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    if request_key.is_empty() {
        errors.insert("form", ctx.t("error_form_damaged").to_owned());
    }
    if !errors.is_empty() {
        let answer = quote_answer(&state, &ctx, &quote_request, summary).await;
        return again_with(answer, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let booking = BookingRequest {
        unit_id: unit.id,
        period: quote_request.period.clone(),
        party: quote_request.party,
        guest: NewClient {
            name: guest.name.clone(),
            email: Some(guest.email.clone()),
            phone: Some(guest.phone.clone()).filter(|p| !p.is_empty()),
            notes: None,
            blocked: false,
        },
        message: Some(guest.message.clone()).filter(|m| !m.is_empty()),
        request_key: request_key.clone(),
    };
    match state.engine.request_booking(ctx.id(), booking).await {
        Ok(reservation) => confirmation(&ctx, &unit, &view, &reservation, &summary),
        Err(e) => {
            let (status, mut answer) = refusal(&ctx, &e);
            if let EngineError::InvalidInput { field, message } = &e
                && matches!(*field, "name" | "email" | "phone")
            {
                errors.insert(field, message.clone());
                answer = quote_answer(&state, &ctx, &quote_request, summary).await;
            } else {
                answer.summary = summary;
            }
            again_with(answer, errors, status)
        }
    }
}

/// The guest's fields checked (messages in the site's language; the engine
/// checks them again).
fn check_guest(ctx: &Ctx, guest: &Guest) -> BTreeMap<&'static str, String> {
    let mut errors = BTreeMap::new();
    let too_long = |s: &str| s.chars().count() > MAX_CONTACT_CHARS;
    if guest.name.is_empty() || too_long(&guest.name) {
        errors.insert("name", ctx.t("error_name").to_owned());
    }
    let email_ok = guest.email.rsplit_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !guest.email.chars().any(char::is_whitespace)
        && !too_long(&guest.email);
    if !email_ok {
        errors.insert("email", ctx.t("error_email").to_owned());
    }
    if too_long(&guest.phone) {
        errors.insert("phone", ctx.t("error_phone").to_owned());
    }
    if guest.message.chars().count() > MAX_MESSAGE_CHARS {
        errors.insert(
            "message",
            fill(
                ctx.t("error_message"),
                &[("max", &MAX_MESSAGE_CHARS.to_string())],
            ),
        );
    }
    errors
}

/// The estimate of the request (shown above the form again).
async fn quote_answer(
    state: &AppState,
    ctx: &Ctx,
    request: &berth_core::engine::QuoteRequest,
    summary: String,
) -> estimate::Estimate {
    match state.engine.quote(ctx.id(), request.clone()).await {
        Ok(quote) => estimate::answer(ctx, &quote, summary),
        Err(e) => estimate::failed(ctx, &e),
    }
}

/// A refusal of the engine in words, and its status.
fn refusal(ctx: &Ctx, e: &EngineError) -> (StatusCode, estimate::Estimate) {
    let refused = |reasons: Vec<String>| estimate::Estimate {
        state: "refused",
        reasons,
        ..estimate::Estimate::default()
    };
    match e {
        EngineError::Validation(violations) => (
            StatusCode::CONFLICT,
            refused(violations.iter().map(|v| v.message.clone()).collect()),
        ),
        EngineError::Unavailable { .. } | EngineError::Occupied { .. } => (
            StatusCode::CONFLICT,
            refused(vec![ctx.t("refused_full").to_owned()]),
        ),
        EngineError::Locked(_) => (
            StatusCode::CONFLICT,
            refused(vec![ctx.t("refused_locked").to_owned()]),
        ),
        EngineError::Conflict(_) => (
            StatusCode::CONFLICT,
            refused(vec![ctx.t("refused_conflict").to_owned()]),
        ),
        other => (
            if matches!(other, EngineError::InvalidInput { .. }) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            },
            estimate::failed(ctx, other),
        ),
    }
}

/// The layout of a page of the request flow (the form again, the
/// confirmation): titled by the message `title_key`, about the unit, its
/// canonical address the unit's page, and never indexed.
fn flow_layout(ctx: &Ctx, title_key: &str, unit_name: &str, unit_id: &str) -> Value {
    let title = ctx.t(title_key).to_owned();
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": title,
        "about": { "@type": "Organization", "name": ctx.tenant.name },
    });
    ctx.layout(PageMeta {
        title: format!("{title} · {}", ctx.tenant.name),
        description: unit_name.to_owned(),
        canonical: ctx.canonical(&format!("/units/{unit_id}")),
        json_ld: render::json_ld(&ld),
        nav: "units",
        noindex: true,
        ..PageMeta::default()
    })
}

/// The request page again: the estimate (or why not), and the form with the
/// guest's values and the errors beside their fields.
#[allow(clippy::too_many_arguments)]
fn again(
    ctx: &Ctx,
    unit: &UnitView,
    fields: &Fields,
    guest: &Guest,
    request_key: &str,
    estimate: estimate::Estimate,
    errors: BTreeMap<&'static str, String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let layout = flow_layout(ctx, "request_title", &unit.name, &unit.id.to_string());
    let key = if request_key.is_empty() {
        uuid::Uuid::new_v4().simple().to_string()
    } else {
        request_key.to_owned()
    };
    let html = render::render(
        "request.html",
        context! { ..layout, ..context! {
            unit => unit,
            estimate => estimate,
            guest => guest,
            errors => errors,
            hidden => fields.pairs(ctx.model),
            request_key => key,
        }},
    )?;
    Ok(render::page(status, html, Caching::NoStore))
}

/// The confirmation: a reference, what was asked, and what happens next.
fn confirmation(
    ctx: &Ctx,
    unit: &Unit,
    view: &UnitView,
    reservation: &berth_core::reservation::Reservation,
    summary: &str,
) -> Result<Response, PageError> {
    let id = reservation.id.to_string();
    let reference = reference_of(&id);
    let layout = flow_layout(ctx, "confirmation_title", &unit.name, &unit.id.to_string());
    let tz = ctx.tenant.timezone;
    let held_until = reservation.hold_expires_at.map(|at| {
        let local = at.with_timezone(&tz);
        format!(
            "{}, {}",
            ctx.fmt.date_long(local.date_naive()),
            ctx.fmt.time(local.time())
        )
    });
    let total = reservation.price.as_ref().map(|p| ctx.fmt.money(&p.total));
    let html = render::render(
        "confirmation.html",
        context! { ..layout, ..context! {
            unit => view,
            reference => reference,
            reservation_id => id,
            summary => summary,
            total => total,
            held_until => held_until,
        }},
    )?;
    Ok(render::page(StatusCode::OK, html, Caching::NoStore).into_response())
}

/// The reference a guest quotes: the last eight characters of the
/// reservation's id, upper-case and grouped (`7F3A-91C2`). Ids are UUID v7,
/// whose last characters are random, so references of one business differ.
pub(crate) fn reference_of(id: &str) -> String {
    let tail: String = id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_uppercase();
    let tail = &tail[tail.len().saturating_sub(8)..];
    format!(
        "{}-{}",
        &tail[..4.min(tail.len())],
        &tail[4.min(tail.len())..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_the_ids_last_eight_characters() {
        assert_eq!(
            reference_of("01890a5d-ac96-774b-bcce-b302099a8057"),
            "099A-8057"
        );
    }
}
