//! The admin app and GraphiQL, served from the web build (`--web-dir`,
//! `BERTH_WEB_DIR`, default `web/dist` relative to the working directory; the
//! container image ships it at /usr/share/berth/web). The binary never needs a
//! build to compile or to serve the API: without one, `/admin/` and GraphiQL
//! answer a page saying how to build it (503, so a deployment that forgot the
//! build fails its smoke test instead of looking healthy).
//!
//! - `/admin` redirects (308) to `/admin/`.
//! - `/admin/assets/*` (content-hashed by Vite) are `Cache-Control: public,
//!   max-age=31536000, immutable`; a missing one is 404, never the app.
//! - `index.html`, `sw.js` and `manifest.webmanifest` are `no-cache` (the service
//!   worker and the app shell must update at once); other files go plain.
//! - Any other path under `/admin/` without a file is the app's `index.html`
//!   (a deep link the app's router resolves).
//! - `GET /graphql` from a browser (see `mod.rs`) is `graphiql.html` of the same
//!   build (a second Vite entry): nothing comes from a CDN.
//!
//! Files are served by tower-http's `ServeFile` (conditional requests, ranges,
//! HEAD); every answer carries the app's Content-Security-Policy, `nosniff`
//! and `Referrer-Policy: same-origin` (`security_headers.rs`).

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::http::AppState;
use crate::http::routes::Surface;

/// Cache-Control of content-hashed assets.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Files the browser must revalidate on every load.
const NO_CACHE_FILES: [&str; 3] = ["index.html", "sw.js", "manifest.webmanifest"];

/// The web build's directory.
#[derive(Clone, Debug)]
pub struct WebDir(pub PathBuf);

impl WebDir {
    /// Whether the app is built (its `index.html` is there).
    pub fn app_built(&self) -> bool {
        self.0.join("index.html").is_file()
    }

    /// Says at start-up whether the app will be served.
    pub fn log_state(&self) {
        if self.app_built() {
            tracing::info!(dir = %self.0.display(), "serving the admin app at /admin/");
        } else {
            tracing::warn!(
                dir = %self.0.display(),
                "no admin app build (index.html) here: /admin/ and GraphiQL say how to build it; the API is served"
            );
        }
    }
}

/// `/admin` → `/admin/` (308: the method is kept), with the query string kept
/// too: the app's addresses carry its state (`/admin?month=2026-12`).
pub async fn admin_redirect(uri: axum::http::Uri) -> Redirect {
    match uri.query() {
        Some(query) => Redirect::permanent(&format!("/admin/?{query}")),
        None => Redirect::permanent("/admin/"),
    }
}

/// `/admin/` and everything under it.
pub async fn admin(State(state): State<AppState>, request: Request) -> Response {
    let rel = request
        .uri()
        .path()
        .strip_prefix("/admin/")
        .unwrap_or_default()
        .to_owned();
    let dir = &state.web_dir.0;
    let asset = rel.starts_with("assets/");
    let found = match resolve(dir, &rel) {
        Some(path) if !rel.is_empty() && is_file(&path).await => Some(path),
        _ => None,
    };
    match found {
        Some(path) => {
            let cache = if asset {
                Some(IMMUTABLE)
            } else if NO_CACHE_FILES.iter().any(|f| rel == *f) {
                Some("no-cache")
            } else {
                None
            };
            serve_file(&path, request, cache).await
        }
        None if asset => not_found(),
        None => {
            let index = dir.join("index.html");
            if is_file(&index).await {
                serve_file(&index, request, Some("no-cache")).await
            } else {
                how_to_build("The admin app", &state.web_dir)
            }
        }
    }
}

/// GraphiQL: `graphiql.html` of the web build, or how to build it.
pub async fn graphiql(state: &AppState, request: Request) -> Response {
    let page = state.web_dir.0.join("graphiql.html");
    let mut response = if is_file(&page).await {
        serve_file(&page, request, Some("no-cache")).await
    } else {
        how_to_build("GraphiQL", &state.web_dir)
    };
    // A page of the app's build, under the app's policy (GET /graphql is
    // otherwise the API's).
    response.extensions_mut().insert(Surface::AdminApp);
    response
}

/// `dir/rel` when every segment of `rel` is a plain name (no `.`, `..`,
/// backslash or NUL): a request never reaches outside the build.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for segment in rel.split('/').filter(|s| !s.is_empty()) {
        if matches!(segment, "." | "..") || segment.contains(['\\', '\0']) {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path).await.is_ok_and(|m| m.is_file())
}

/// Serves `path` for `request` (conditional requests, ranges, HEAD), with the
/// content types browsers insist on and `cache` as Cache-Control.
async fn serve_file(path: &Path, request: Request, cache: Option<&'static str>) -> Response {
    let response = match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let mut response = response.into_response();
    let status = response.status();
    let headers = response.headers_mut();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        if let Some(cache) = cache {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let content_type = match extension {
            "js" | "mjs" => Some("text/javascript; charset=utf-8"),
            "webmanifest" => Some("application/manifest+json"),
            "html" => Some("text/html; charset=utf-8"),
            "css" => Some("text/css; charset=utf-8"),
            "json" => Some("application/json"),
            "svg" => Some("image/svg+xml"),
            _ => None,
        };
        if let Some(content_type) = content_type
            && status != StatusCode::NOT_MODIFIED
        {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
    }
    response
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-cache")],
        "not found",
    )
        .into_response()
}

/// 503 with a page saying how to build the web app (no script; the CSP allows
/// its inline style).
fn how_to_build(what: &str, dir: &WebDir) -> Response {
    let dir = html_escape(&dir.0.display().to_string());
    let page = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>berth: the web app is not built</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; }} code, pre {{ background: #f3f3f3; padding: 0.1rem 0.3rem; }}</style>
</head>
<body>
<h1>{what} is not built</h1>
<p>berth serves the admin app and GraphiQL from a build of <code>web/</code>, looked for in
<code>{dir}</code> (<code>--web-dir</code> or <code>BERTH_WEB_DIR</code>). The GraphQL API at
<code>/graphql</code> works without it.</p>
<p>To build it, run <code>scripts/dev</code> (which builds the app when it is missing or stale,
then serves), or from the repository:</p>
<pre>npm ci --prefix web
npm run build --prefix web</pre>
<p>then reload this page. The container image ships the build.</p>
</body>
</html>
"#
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_build() {
        let dir = Path::new("/srv/web");
        assert_eq!(
            resolve(dir, "assets/app-1a2b.js"),
            Some(PathBuf::from("/srv/web/assets/app-1a2b.js"))
        );
        assert_eq!(resolve(dir, "a//b/"), Some(PathBuf::from("/srv/web/a/b")));
        for bad in ["../etc/passwd", "assets/../../x", "./x", "a\\..\\b", "a\0b"] {
            assert_eq!(resolve(dir, bad), None, "{bad}");
        }
    }
}
