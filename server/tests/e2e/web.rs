//! The admin app and GraphiQL served from a web build (`--web-dir`): a small
//! build made here (index.html, graphiql.html, sw.js, the manifest, hashed
//! assets, an icon) checked for content types, caching, deep links, 404s and
//! the security headers; and the pages a server without a build answers.

use std::path::PathBuf;

use serde_json::json;

use super::transport::{RawResponse, exchange_at, start_with_tenants};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; \
    manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const INDEX: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>berth admin</title><link rel="manifest" href="/admin/manifest.webmanifest"><script type="module" crossorigin src="/admin/assets/index-B3xQ9a1c.js"></script><link rel="stylesheet" href="/admin/assets/index-Cq7dM2pe.css"></head><body><div id="root"></div></body></html>"#;
const GRAPHIQL: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>berth GraphiQL</title><script type="module" crossorigin src="/admin/assets/graphiql-D0a7x2Lk.js"></script></head><body><div id="graphiql"></div></body></html>"#;

/// A web build as Vite writes it, in a fresh directory; also a file beside it
/// that no request may reach.
fn fake_build() -> PathBuf {
    let root =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("web-{}", uuid::Uuid::new_v4()));
    let dist = root.join("dist");
    let files: [(&str, &str); 8] = [
        ("index.html", INDEX),
        ("graphiql.html", GRAPHIQL),
        (
            "sw.js",
            "self.addEventListener('install', () => self.skipWaiting());\n",
        ),
        (
            "manifest.webmanifest",
            r#"{"name":"berth","start_url":"/admin/","display":"standalone","icons":[]}"#,
        ),
        ("assets/index-B3xQ9a1c.js", "console.log('app');\n"),
        ("assets/index-Cq7dM2pe.css", "body{margin:0}\n"),
        ("assets/graphiql-D0a7x2Lk.js", "console.log('graphiql');\n"),
        ("icons/icon-192.png", "\u{89}PNG\r\n"),
    ];
    for (path, content) in files {
        let path = dist.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    std::fs::write(root.join("secret.txt"), "not for the web").unwrap();
    dist
}

async fn get(server: &super::Server, path: &str, headers: &[(&str, &str)]) -> RawResponse {
    exchange_at(server, "GET", path, headers, "").await
}

/// The security headers every page and file under /admin/ carries.
fn assert_secured(response: &RawResponse, what: &str) {
    assert_eq!(
        response.header("content-security-policy"),
        Some(CSP),
        "{what}: {response:?}"
    );
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        response.header("referrer-policy"),
        Some("same-origin"),
        "{what}"
    );
}

#[tokio::test]
async fn the_admin_app_is_served_with_its_caching_rules_and_deep_links() {
    let dist = fake_build();
    let server = start_with_tenants(false, &["--web-dir", dist.to_str().unwrap()]);

    let redirect = get(&server, "/admin", &[]).await;
    assert_eq!(redirect.status, 308, "{redirect:?}");
    assert_eq!(redirect.header("location"), Some("/admin/"));

    // The shell, itself and behind any deep link: revalidated on every load.
    for path in [
        "/admin/",
        "/admin/index.html",
        "/admin/calendar/2026-12",
        "/admin/board?from=2026-12-01",
    ] {
        let page = get(&server, path, &[("Accept", BROWSER_ACCEPT)]).await;
        assert_eq!(page.status, 200, "{path}: {page:?}");
        assert_eq!(page.body, INDEX, "{path}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
        assert_secured(&page, path);
    }
    // Hashed assets: immutable; a missing one is 404, never the app.
    let script = get(&server, "/admin/assets/index-B3xQ9a1c.js", &[]).await;
    assert_eq!(script.status, 200, "{script:?}");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_secured(&script, "script");
    let style = get(&server, "/admin/assets/index-Cq7dM2pe.css", &[]).await;
    assert_eq!(
        style.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    for missing in [
        "/admin/assets/index-old.js",
        "/admin/assets/",
        "/admin/assets/nested/x.css",
    ] {
        let answer = get(&server, missing, &[]).await;
        assert_eq!(answer.status, 404, "{missing}: {answer:?}");
        assert!(!answer.body.contains("<div id=\"root\">"), "{missing}");
    }
    // The service worker and the manifest: revalidated, with their types.
    let worker = get(&server, "/admin/sw.js", &[]).await;
    assert_eq!(worker.status, 200);
    assert_eq!(
        worker.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(worker.header("cache-control"), Some("no-cache"));
    let manifest = get(&server, "/admin/manifest.webmanifest", &[]).await;
    assert_eq!(
        manifest.header("content-type"),
        Some("application/manifest+json")
    );
    assert_eq!(manifest.header("cache-control"), Some("no-cache"));
    // Other files plainly.
    let icon = get(&server, "/admin/icons/icon-192.png", &[]).await;
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("content-type"), Some("image/png"));
    assert_eq!(icon.header("cache-control"), None);
    // Revalidation answers 304.
    let modified = worker
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();
    let again = get(&server, "/admin/sw.js", &[("If-Modified-Since", &modified)]).await;
    assert_eq!(again.status, 304, "{again:?}");
    assert_eq!(again.header("cache-control"), Some("no-cache"));
    // Nothing outside the build is reachable.
    for sneaky in [
        "/admin/../secret.txt",
        "/admin/assets/../../secret.txt",
        "/admin/%2e%2e/secret.txt",
    ] {
        let answer = get(&server, sneaky, &[]).await;
        assert!(
            !answer.body.contains("not for the web"),
            "{sneaky}: {answer:?}"
        );
    }

    // GraphiQL: the build's page for a browser, under the same policy; the API
    // for everyone else, GET queries included.
    let graphiql = get(&server, "/graphql", &[("Accept", BROWSER_ACCEPT)]).await;
    assert_eq!(graphiql.status, 200, "{graphiql:?}");
    assert_eq!(graphiql.body, GRAPHIQL);
    assert_eq!(graphiql.header("cache-control"), Some("no-cache"));
    assert_secured(&graphiql, "GraphiQL");
    let query = get(
        &server,
        "/graphql?query=%7B__typename%7D",
        &[("Accept", BROWSER_ACCEPT)],
    )
    .await;
    assert_eq!(query.status, 200, "{query:?}");
    assert_eq!(query.json()["data"]["__typename"], "Query");
    let no_query = get(&server, "/graphql", &[("Accept", "application/json")]).await;
    assert_eq!(no_query.status, 400, "{no_query:?}");
    let body = json!({ "query": r#"{ tenant(slug: "alpine-cabins") { name } }"# }).to_string();
    let api = exchange_at(
        &server,
        "POST",
        "/graphql",
        &[("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(api.json()["data"]["tenant"]["name"], "Alpine Cabins");
    server.stop();
}

#[tokio::test]
async fn without_a_build_the_pages_say_how_to_build_and_the_api_works() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-web-build-here");
    let server = start_with_tenants(false, &["--web-dir", missing.to_str().unwrap()]);
    for (path, accept) in [
        ("/admin/", BROWSER_ACCEPT),
        ("/admin/calendar", BROWSER_ACCEPT),
        ("/graphql", BROWSER_ACCEPT),
    ] {
        let page = get(&server, path, &[("Accept", accept)]).await;
        assert_eq!(page.status, 503, "{path}: {page:?}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(
            page.body.contains("npm run build --prefix web"),
            "{path}: {}",
            page.body
        );
        assert!(page.body.contains("scripts/dev"), "{path}");
        assert!(
            page.body.contains("no-web-build-here"),
            "names the directory: {}",
            page.body
        );
        assert!(!page.body.contains("<script"), "{path}");
        assert_secured(&page, path);
    }
    let asset = get(&server, "/admin/assets/index-B3xQ9a1c.js", &[]).await;
    assert_eq!(asset.status, 404, "{asset:?}");
    let body = json!({ "query": r#"{ tenant(slug: "alpine-cabins") { name } }"# }).to_string();
    let api = exchange_at(
        &server,
        "POST",
        "/graphql",
        &[("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(api.status, 200);
    assert_eq!(api.json()["data"]["tenant"]["name"], "Alpine Cabins");
    server.stop();
}
