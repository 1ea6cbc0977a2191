//! Unit images over real HTTP: the demo's units have photos; `/media/{hash}/
//! {width}.{ext}` serves each width with its type, a year's immutable cache,
//! `nosniff` and the hash as `ETag` (304 when it matches), and a bare 404 for
//! anything else; `POST /media/units/{unitId}` takes a multipart upload from a
//! bearer token or the session cookie (same origin only), for admins, answers
//! `{"data": Image}`, strips a photo's GPS from every width, and refuses a text
//! file named `.jpg` and a file over 10 MB with INVALID_INPUT, storing nothing.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use berth_core::test_pictures::{self as pictures, GPS_MARKER};

use super::Server;
use super::transport::{demo_admin_session, exchange, start_with_tenants};

/// An answer with its body as bytes.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends `method path` with `headers` and a binary `body` (HTTP/1.1, no
/// chunking on either side for these answers).
async fn send(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        server.addr,
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    // A refusal may come (and the server close) before the whole body is sent.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
}

const BOUNDARY: &str = "berth-e2e-boundary-7d1f";

/// A multipart/form-data body: the file (with a name and declared type) and
/// optional alt text.
fn form(file: &[u8], filename: &str, declared: &str, alt: Option<&str>) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(alt) = alt {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {declared}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

const CONTENT_TYPE: &str = "multipart/form-data; boundary=berth-e2e-boundary-7d1f";

async fn upload(server: &Server, unit: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut all = vec![("Content-Type", CONTENT_TYPE)];
    all.extend_from_slice(headers);
    send(server, "POST", &format!("/media/units/{unit}"), &all, body).await
}

fn code(answer: &Answer) -> String {
    answer.json()["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn images(server: &Server, token: &str, unit: &str) -> Vec<Value> {
    let answer = server
        .graphql_as(
            Some(token),
            "query($id: ID!) { unit(id: $id) { images { id url alt uploaded variants { width url } } } }",
            json!({ "id": unit }),
        )
        .await;
    answer["data"]["unit"]["images"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .clone()
}

/// Signs in with `signIn` and returns the `berth_session=…` cookie pair.
async fn sign_in_cookie(server: &Server, tenant: &str, email: &str, password: &str) -> String {
    let answer = exchange(
        server,
        "POST",
        &[("Content-Type", "application/json")],
        &json!({
            "query": "mutation($t: String!, $e: String!, $p: String!) { signIn(tenant: $t, email: $e, password: $p) { expiresAt } }",
            "variables": { "t": tenant, "e": email, "p": password },
        })
        .to_string(),
    )
    .await;
    answer
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cookie: {answer:?}"))
        .to_owned()
}

#[tokio::test]
async fn images_are_uploaded_and_served() {
    let server = start_with_tenants(true, &[]);
    let (_, token) = demo_admin_session(&server).await;
    let bearer = format!("Bearer {token}");
    let units = server
        .graphql_as(Some(&token), "{ units { id name } }", json!({}))
        .await;
    let unit = units["data"]["units"][0]["id"].as_str().unwrap().to_owned();

    // The demo unit has its drawn photo, served from /media/.
    let seeded = images(&server, &token, &unit).await;
    let photo = seeded
        .iter()
        .find(|i| i["uploaded"] == true)
        .expect("a demo photo");
    assert!(photo["alt"].as_str().is_some_and(|a| !a.is_empty()));
    let url = photo["variants"][0]["url"].as_str().unwrap().to_owned();
    let served = send(&server, "GET", &url, &[], b"").await;
    assert_eq!(served.status, 200, "{url}");
    assert_eq!(served.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        served.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    let hash = url.split('/').nth(2).unwrap();
    let etag = format!("\"{hash}\"");
    assert_eq!(served.header("etag"), Some(etag.as_str()));
    assert_eq!(&served.body[..2], &[0xff, 0xd8]);
    let again = send(&server, "GET", &url, &[("If-None-Match", &etag)], b"").await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let head = send(&server, "HEAD", &url, &[], b"").await;
    assert_eq!(head.status, 200);
    let unknown = "0".repeat(64);
    for path in [
        format!("/media/{unknown}/320.jpg"),
        url.replace("/320.jpg", "/321.jpg"),
        url.replace(".jpg", ".png"),
        url.replace(hash, "not-a-hash"),
        format!("/media/{hash}/320"),
    ] {
        let missing = send(&server, "GET", &path, &[], b"").await;
        assert_eq!(missing.status, 404, "{path}");
    }

    // A phone photo with GPS, uploaded with a bearer token: stored in every
    // width, none of which keeps the location.
    let photo = pictures::jpeg_with_gps(1700, 1100, 9);
    let answer = upload(
        &server,
        &unit,
        &[("Authorization", &bearer)],
        &form(
            &photo,
            "IMG_0001.JPG",
            "image/jpeg",
            Some("The jetty at dusk"),
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let image = answer.json()["data"].clone();
    assert_eq!(image["alt"], "The jetty at dusk");
    assert_eq!(
        (image["width"].clone(), image["height"].clone()),
        (json!(1600), json!(1035))
    );
    let widths: Vec<u64> = image["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["width"].as_u64().unwrap())
        .collect();
    assert_eq!(widths, vec![320, 800, 1600]);
    assert!(image["srcset"].as_str().unwrap().ends_with("1600w"));
    for variant in image["variants"].as_array().unwrap() {
        let bytes = send(&server, "GET", variant["url"].as_str().unwrap(), &[], b"").await;
        assert_eq!(bytes.status, 200);
        assert!(!pictures::jpeg_markers(&bytes.body).contains(&0xe1));
        assert!(!pictures::contains(&bytes.body, b"Exif"));
        assert!(!pictures::contains(&bytes.body, GPS_MARKER));
    }
    // The same photo again: the image the unit has, 200, nothing stored.
    let again = upload(
        &server,
        &unit,
        &[("Authorization", &bearer)],
        &form(&photo, "copy.jpg", "image/jpeg", None),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["data"]["id"], image["id"]);
    let listed = images(&server, &token, &unit).await;
    assert!(listed.iter().any(|i| i["id"] == image["id"]));
    let count = listed.len();

    // Refusals store nothing.
    let text = b"name,price\ncabin,120\n".repeat(20);
    let renamed = upload(
        &server,
        &unit,
        &[("Authorization", &bearer)],
        &form(&text, "cabin.jpg", "image/jpeg", None),
    )
    .await;
    assert_eq!(renamed.status, 400);
    assert_eq!(code(&renamed), "INVALID_INPUT");
    assert!(
        renamed.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not an image")
    );
    let huge = vec![0xffu8; 10 * 1024 * 1024 + 1];
    let oversized = upload(
        &server,
        &unit,
        &[("Authorization", &bearer)],
        &form(&huge, "big.jpg", "image/jpeg", None),
    )
    .await;
    assert_eq!(oversized.status, 413);
    assert_eq!(code(&oversized), "INVALID_INPUT");
    let no_file = upload(
        &server,
        &unit,
        &[("Authorization", &bearer)],
        format!("--{BOUNDARY}--\r\n").as_bytes(),
    )
    .await;
    assert_eq!(no_file.status, 400);
    assert_eq!(images(&server, &token, &unit).await.len(), count);

    // Credentials: none, a viewer's, an unknown unit.
    let png = pictures::png(500, 400, 3);
    let anonymous = upload(&server, &unit, &[], &form(&png, "a.png", "image/png", None)).await;
    assert_eq!(
        (anonymous.status, code(&anonymous).as_str()),
        (401, "UNAUTHENTICATED")
    );
    let viewer = server
        .graphql_as(
            Some(&token),
            r#"mutation { createUser(email: "viewer@media.example.org", password: "correct horse battery staple", role: VIEWER) { email tenant { slug } } }"#,
            json!({}),
        )
        .await;
    let slug = viewer["data"]["createUser"]["tenant"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = server
        .graphql(
            "mutation($t: String!) { login(tenant: $t, email: \"viewer@media.example.org\", password: \"correct horse battery staple\") { token } }",
            json!({ "t": slug }),
        )
        .await;
    let viewer_bearer = format!(
        "Bearer {}",
        login["data"]["login"]["token"].as_str().unwrap()
    );
    let forbidden = upload(
        &server,
        &unit,
        &[("Authorization", &viewer_bearer)],
        &form(&png, "a.png", "image/png", None),
    )
    .await;
    assert_eq!(
        (forbidden.status, code(&forbidden).as_str()),
        (403, "FORBIDDEN")
    );
    let elsewhere = upload(
        &server,
        "0190a0b0-0000-7000-8000-000000000000",
        &[("Authorization", &bearer)],
        &form(&png, "a.png", "image/png", None),
    )
    .await;
    assert_eq!(
        (elsewhere.status, code(&elsewhere).as_str()),
        (404, "NOT_FOUND")
    );

    // The admin app's session cookie: same origin only.
    let login_line = server
        .stdout_lines
        .iter()
        .find(|l| l.starts_with("demo login:"))
        .unwrap()
        .clone();
    let field = |key: &str| {
        login_line
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_owned))
            .unwrap()
    };
    let admin_cookie = sign_in_cookie(&server, &slug, &field("email"), &field("password")).await;
    let cookie = sign_in_cookie(
        &server,
        &slug,
        "viewer@media.example.org",
        "correct horse battery staple",
    )
    .await;
    let own = format!("http://{}", server.addr);
    let by_cookie = upload(
        &server,
        &unit,
        &[("Cookie", &admin_cookie), ("Origin", &own)],
        &form(&png, "a.png", "image/png", None),
    )
    .await;
    assert_eq!(
        by_cookie.status,
        201,
        "{}",
        String::from_utf8_lossy(&by_cookie.body)
    );
    assert_eq!(by_cookie.json()["data"]["alt"], Value::Null);
    // A viewer's cookie: signed in, but not allowed.
    let by_viewer = upload(
        &server,
        &unit,
        &[("Cookie", &cookie), ("Origin", &own)],
        &form(&png, "a.png", "image/png", None),
    )
    .await;
    assert_eq!(
        (by_viewer.status, code(&by_viewer).as_str()),
        (403, "FORBIDDEN")
    );
    let foreign = upload(
        &server,
        &unit,
        &[("Cookie", &admin_cookie), ("Origin", "http://evil.example")],
        &form(&png, "a.png", "image/png", None),
    )
    .await;
    assert_eq!(
        (foreign.status, code(&foreign).as_str()),
        (403, "FORBIDDEN")
    );
    assert!(String::from_utf8_lossy(&foreign.body).contains("evil.example"));
    server.stop();
}
