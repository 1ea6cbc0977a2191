//! Unit images over HTTP (docs/decisions/0016–0019).
//!
//! - `POST /media/units/{unitId}`: an upload, `multipart/form-data` with a
//!   `file` field (and an optional `alt`), from the admin app's session cookie
//!   (same-origin only: `browser::guard` runs first, as for `/graphql`) or a
//!   bearer token, verified by the route table's `require_session` (401
//!   without one); the role `updateUnit` needs. Answers 201 with
//!   `{"data": Image}` (the GraphQL `Image`'s fields; 200 with the image the
//!   unit already had when it is the same picture again), or 4xx with
//!   `{"errors": [{"message", "extensions": {"code"}}]}`. The body may be a
//!   little over 10 MiB (the file's limit plus the form's overhead).
//! - `GET /media/{hash}/{width}.{ext}`: a stored width, public,
//!   content-addressed and so immutable: cached for a year, `ETag` the hash
//!   (a matching `If-None-Match` is 304), `nosniff`. Anything else is a bare
//!   404. Not under the public rate limit: each answer is one primary-key
//!   read of bytes that never change, which every cache may keep, and a page
//!   of a dozen photos must not spend a visitor's allowance.

use axum::Extension;
use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_core::media::{MAX_UPLOAD_BYTES, MediaHash};
use berth_core::{EngineError, ErrorCode, request};
use berth_graphql::access::{IMAGES_ROLE, permits};
use berth_graphql::auth::Viewer;

use crate::http::AppState;

/// The largest upload body: the file's limit and room for the form around it.
pub const MAX_UPLOAD_BODY_BYTES: usize = MAX_UPLOAD_BYTES + 256 * 1024;
/// The longest `alt` field read (the engine allows 500 characters).
const MAX_ALT_BYTES: usize = 4 * 1024;
/// How long anyone may keep a stored width: it never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `POST /media/units/{unitId}`.
pub async fn upload(
    State(state): State<AppState>,
    Path(unit): Path<String>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if let Err(e) = permits(&viewer, IMAGES_ROLE) {
        return graphql_refusal(StatusCode::FORBIDDEN, e);
    }
    let Ok(unit) = unit.parse() else {
        return refusal(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput,
            &format!("unitId: `{unit}` is not a unit id"),
        );
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidInput,
                &format!("send the image as multipart/form-data with a `file` field ({e})"),
            );
        }
    };
    let form = match read_form(&mut multipart).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let Some(file) = form.file else {
        return refusal(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput,
            "file: the form has no `file` field",
        );
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let stored = request::scope(
        request_id,
        state.engine.upload_unit_image(
            viewer.tenant_id,
            unit,
            file,
            form.alt.as_deref(),
            &viewer.actor(),
        ),
    )
    .await;
    match stored {
        Ok(uploaded) => {
            let status = if uploaded.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let body = berth_graphql::media::upload_answer(uploaded.image).to_string();
            let mut response = (status, body).into_response();
            json_headers(response.headers_mut());
            response
        }
        Err(e) => engine_refusal(e),
    }
}

/// The fields of an upload form that matter.
struct Form {
    file: Option<Vec<u8>>,
    alt: Option<String>,
}

async fn read_form(multipart: &mut Multipart) -> Result<Form, Response> {
    let mut form = Form {
        file: None,
        alt: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_refusal)? {
        match field.name() {
            Some("file") => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_refusal)? {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > MAX_UPLOAD_BYTES {
                        return Err(too_large());
                    }
                }
                form.file = Some(bytes);
            }
            Some("alt") => {
                let bytes = field.bytes().await.map_err(multipart_refusal)?;
                if bytes.len() > MAX_ALT_BYTES {
                    return Err(refusal(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::InvalidInput,
                        "alt: alt text is at most 500 characters",
                    ));
                }
                form.alt = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            // Other fields (a browser may add some) are ignored.
            _ => {}
        }
    }
    Ok(form)
}

fn multipart_refusal(e: MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    refusal(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidInput,
        &format!("the form could not be read: {}", e.body_text()),
    )
}

fn too_large() -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::InvalidInput,
        &format!(
            "file: the file is larger than {} MB, the most an image may have",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

fn json_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn refusal(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    graphql_refusal(status, berth_graphql::error::coded(code, message))
}

/// The answer for an engine error: its GraphQL form (code, message, the
/// internal cause logged and never sent) with the status its code means.
fn engine_refusal(e: EngineError) -> Response {
    let status = match e.code() {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Conflict | ErrorCode::Locked => StatusCode::CONFLICT,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    graphql_refusal(status, berth_graphql::error::from_engine(e))
}

fn graphql_refusal(status: StatusCode, e: async_graphql::Error) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": e.message, "extensions": e.extensions }]
    });
    let mut response = (status, body.to_string()).into_response();
    json_headers(response.headers_mut());
    response
}

/// `GET /media/{hash}/{width}.{ext}`.
pub async fn blob(
    State(state): State<AppState>,
    Path((hash, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Ok(hash) = hash.parse::<MediaHash>() else {
        return not_found();
    };
    let Some((width, ext)) = file.split_once('.') else {
        return not_found();
    };
    let Ok(width) = width.parse::<u32>() else {
        return not_found();
    };
    let blob = match state.engine.media_blob(&hash).await {
        Ok(Some(blob)) if blob.width == width && blob.format.extension() == ext => blob,
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!(error = ?e, "cannot read a media blob");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let etag = format!("\"{hash}\"");
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = blob.bytes.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(blob.format.content_type()),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn not_found() -> Response {
    let mut response = (StatusCode::NOT_FOUND, "not found").into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
