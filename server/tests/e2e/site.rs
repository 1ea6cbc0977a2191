//! The public sites (issue 20): every page of the four demo tenants parsed
//! with `scraper` (one `h1`, a title, a canonical link, JSON-LD naming the
//! business, every unit with its capacity, the sitemap), the estimator's
//! answers against the GraphQL `quote` of the same input, a policy refusal in
//! words, escaping of a unit's description and a guest's name, booking
//! requests (confirmation, idempotency, refusals that write nothing, the
//! honeypot, the per-address limit), own domains, 404s and the security
//! headers (a CSP without `unsafe-inline`, no cookie); the tenant's own cover
//! and gallery on its home page and as its sharing image; the interactive
//! map only for a tenant that names a tile server.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use scraper::{Html, Selector};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::transport::{demo_admin_session, demo_admin_session_where};
use super::{Server, temp_sqlite_url, tenants_dir};

const TENANTS: [&str; 4] = [
    "alpine-cabins",
    "harbor-hotel",
    "summit-tours",
    "river-gear",
];

/// An HTTP answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }
}

/// One request over a fresh connection, with an optional `Host` and form body.
pub(crate) async fn send(
    server: &Server,
    method: &str,
    path: &str,
    host: Option<&str>,
    form: Option<&str>,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connect");
    let host = host.unwrap_or(&server.addr);
    let body = form.unwrap_or("");
    let extra = if form.is_some() {
        format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        )
    } else {
        String::new()
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n{body}"
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    // Pictures are not text; their status and headers are all that is read.
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

pub(crate) async fn get(server: &Server, path: &str) -> Answer {
    send(server, "GET", path, None, None).await
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn texts(html: &Html, selector: &str) -> Vec<String> {
    html.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn attr(html: &Html, selector: &str, name: &str) -> Option<String> {
    html.select(&sel(selector))
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_owned)
}

/// The page's JSON-LD block, parsed.
fn json_ld(html: &Html) -> Value {
    let blocks: Vec<String> = html
        .select(&sel(r#"script[type="application/ld+json"]"#))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(blocks.len(), 1, "one JSON-LD block");
    serde_json::from_str(&blocks[0]).expect("JSON-LD parses")
}

/// Every string in `value`, at any depth.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// What every public page must be: one `h1`, a title, a canonical link (on
/// indexable pages), JSON-LD naming the business, the tenant's `lang`, the
/// strict CSP, no cookie.
fn check_page(answer: &Answer, business: &str, what: &str) -> Html {
    let csp = answer
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: a CSP"));
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{what}: {csp}"
    );
    assert!(answer.header("set-cookie").is_none(), "{what}: no cookie");
    assert_eq!(
        answer.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert!(answer.header("referrer-policy").is_some(), "{what}");
    let html = answer.html();
    assert_eq!(html.select(&sel("h1")).count(), 1, "{what}: one h1");
    let title = texts(&html, "title");
    assert!(title.len() == 1 && !title[0].is_empty(), "{what}: a title");
    assert!(
        attr(&html, "html", "lang").is_some_and(|l| !l.is_empty()),
        "{what}: lang"
    );
    let ld = json_ld(&html);
    assert!(
        strings(&ld).iter().any(|s| s == business),
        "{what}: the JSON-LD names {business}: {ld}"
    );
    html
}

/// The policy's `img-src` directive.
fn img_src(answer: &Answer) -> Option<String> {
    answer
        .header("content-security-policy")?
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("img-src"))
        .map(str::to_owned)
}

/// The URLs of a `srcset` with their widths.
fn srcset_urls(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|candidate| {
            let (url, width) = candidate.split_once(' ').expect("a width");
            (url.to_owned(), width.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

/// The home page shows the tenant's own cover (the hero: eager, `srcset`,
/// `sizes`, its alt text, every width served from `/media/`), its gallery
/// (lazy, alt text, `srcset`), and shares the cover: `og:image` and the
/// JSON-LD's first image are its widest width's absolute URL — all as
/// GraphQL's `Tenant.profile` has them.
async fn check_pictures(server: &Server, tenant: &str, home: &Answer, html: &Html) {
    let answer = server
        .graphql(
            "query($t: String!) { tenant(slug: $t) { profile { \
               cover { url srcset alt } gallery { url srcset alt } } } }",
            json!({ "t": tenant }),
        )
        .await;
    let profile = &answer["data"]["tenant"]["profile"];
    let cover = &profile["cover"];
    assert!(cover.is_object(), "{tenant} has a cover: {answer}");
    let hero = html
        .select(&sel(".hero-image img"))
        .next()
        .unwrap_or_else(|| panic!("{tenant}: a hero image in {}", home.body));
    let hero = hero.value();
    assert_eq!(hero.attr("srcset"), cover["srcset"].as_str(), "{tenant}");
    assert!(hero.attr("sizes").is_some(), "{tenant}: sizes");
    assert_eq!(hero.attr("loading"), Some("eager"), "{tenant}");
    assert_eq!(hero.attr("alt"), cover["alt"].as_str(), "{tenant}");
    assert!(
        hero.attr("width").is_some() && hero.attr("height").is_some(),
        "{tenant}: the hero's size is known before it loads"
    );
    let widths = srcset_urls(hero.attr("srcset").unwrap());
    assert!(widths.len() >= 2, "{tenant}: {widths:?}");
    for (url, _) in &widths {
        assert!(url.starts_with("/media/"), "{url}");
        let picture = get(server, url).await;
        assert_eq!(picture.status, 200, "{url}");
        assert_eq!(picture.header("content-type"), Some("image/jpeg"), "{url}");
    }
    let widest = &widths.iter().max_by_key(|(_, w)| *w).unwrap().0;
    assert_eq!(cover["url"].as_str(), Some(widest.as_str()));
    let shared = format!("http://{}{widest}", server.addr);
    assert_eq!(
        attr(html, r#"meta[property="og:image"]"#, "content").as_deref(),
        Some(shared.as_str()),
        "{tenant}: og:image is the cover"
    );
    let ld = json_ld(html);
    let ld_image = match &ld["image"] {
        Value::Array(list) => list[0].clone(),
        one => one.clone(),
    };
    assert_eq!(ld_image, json!(shared), "{tenant}: {ld}");

    let gallery = profile["gallery"].as_array().unwrap();
    assert!(!gallery.is_empty(), "{tenant} has a gallery");
    let shown: Vec<_> = html.select(&sel(".pictures img")).collect();
    assert_eq!(shown.len(), gallery.len(), "{tenant}: the whole gallery");
    for (img, picture) in shown.iter().zip(gallery) {
        let img = img.value();
        assert_eq!(img.attr("loading"), Some("lazy"));
        assert_eq!(img.attr("srcset"), picture["srcset"].as_str());
        assert!(img.attr("sizes").is_some());
        assert!(img.attr("alt").is_some_and(|a| !a.is_empty()));
        assert_eq!(img.attr("alt"), picture["alt"].as_str());
    }
    assert_eq!(
        texts(html, "#pictures-heading"),
        vec!["Pictures".to_owned()],
        "{tenant}"
    );
}

/// The public catalog of a tenant from GraphQL: (id, name, maxGuests, inventory).
pub(crate) async fn catalog(server: &Server, tenant: &str) -> Vec<(String, String, u64, u64)> {
    let answer = server
        .graphql(
            "query($t: String!) { units(tenant: $t) { id name maxGuests inventory } }",
            json!({ "t": tenant }),
        )
        .await;
    answer["data"]["units"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_owned(),
                u["name"].as_str().unwrap().to_owned(),
                u["maxGuests"].as_u64().unwrap(),
                u["inventory"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn start_demo(extra: &[&str]) -> Server {
    let (url, _) = temp_sqlite_url();
    Server::demo(&url, &tenants_dir(), extra)
}

fn tenant_name(slug: &str) -> &'static str {
    match slug {
        "alpine-cabins" => "Alpine Cabins",
        "harbor-hotel" => "Harbor Hotel",
        "summit-tours" => "Summit Tours",
        _ => "River Gear",
    }
}

#[tokio::test]
async fn every_page_of_the_demo_sites_is_complete() {
    let server = start_demo(&["--site-host", "alpine.example=alpine-cabins"]).await;
    for tenant in TENANTS {
        let name = tenant_name(tenant);
        let units = catalog(&server, tenant).await;
        assert!(!units.is_empty(), "{tenant} has units");

        let home = get(&server, &format!("/{tenant}/")).await;
        assert_eq!(home.status, 200, "{tenant} home: {}", home.body);
        let html = check_page(&home, name, &format!("{tenant} home"));
        assert_eq!(texts(&html, "h1"), vec![name.to_owned()]);
        // The words are English: a German-speaking tenant's page says `en`.
        let lang = match tenant {
            "alpine-cabins" | "river-gear" => "en",
            _ => "en-US",
        };
        assert_eq!(
            attr(&html, "html", "lang").as_deref(),
            Some(lang),
            "{tenant}"
        );
        let canonical = attr(&html, r#"link[rel="canonical"]"#, "href").expect("canonical");
        if tenant == "alpine-cabins" {
            assert_eq!(
                canonical, "http://alpine.example/",
                "its own domain is canonical"
            );
        } else {
            assert_eq!(canonical, format!("http://{}/{tenant}/", server.addr));
        }
        check_pictures(&server, tenant, &home, &html).await;
        // No tile server is configured: no map container, nothing more in
        // the policy than the site's own.
        assert!(
            html.select(&sel(".map-canvas")).next().is_none(),
            "{tenant}: no interactive map"
        );
        assert_eq!(
            img_src(&home).as_deref(),
            Some("img-src 'self' https: data:"),
            "{tenant}"
        );
        let tel = attr(&html, r#"a[href^="tel:"]"#, "href").expect("a tel: link");
        assert!(tel.starts_with("tel:+"), "{tel}");
        assert!(
            attr(&html, r#"a[href^="mailto:"]"#, "href").is_some(),
            "{tenant}: mailto"
        );
        let osm = attr(
            &html,
            r#"a[href^="https://www.openstreetmap.org/"]"#,
            "href",
        )
        .expect("a map link");
        assert!(osm.contains("mlat=") && osm.contains("mlon="), "{osm}");
        assert!(!texts(&html, "address").is_empty(), "{tenant}: an address");

        let catalog_page = get(&server, &format!("/{tenant}/units")).await;
        assert_eq!(catalog_page.status, 200);
        let html = check_page(&catalog_page, name, &format!("{tenant} units"));
        let cards = texts(&html, ".card");
        assert_eq!(cards.len(), units.len(), "{tenant}: a card per unit");
        for (id, unit_name, max_guests, inventory) in &units {
            let card = cards
                .iter()
                .find(|c| c.contains(unit_name.as_str()))
                .unwrap_or_else(|| panic!("{unit_name} listed in {cards:?}"));
            if *max_guests > 1 {
                assert!(
                    card.contains(&format!("Up to {max_guests} guests")),
                    "{card}"
                );
            }
            if *inventory > 1 {
                assert!(card.contains(&inventory.to_string()), "{card}");
            }
            assert!(
                html.select(&sel(&format!(r#".card a[href$="/units/{id}"]"#)))
                    .next()
                    .is_some(),
                "{unit_name} links to its page"
            );
        }
        assert!(
            html.select(&sel(".card img[srcset]")).next().is_some(),
            "{tenant}: responsive photos"
        );
        assert!(
            !texts(&html, ".from-price").is_empty(),
            "{tenant}: a from price"
        );

        for (id, unit_name, _, _) in &units {
            let page = get(&server, &format!("/{tenant}/units/{id}")).await;
            assert_eq!(page.status, 200, "{unit_name}");
            assert_eq!(page.header("cache-control"), Some("no-store"));
            let html = check_page(&page, name, unit_name);
            assert_eq!(texts(&html, "h1"), vec![unit_name.clone()]);
            let ld = json_ld(&html);
            assert_eq!(ld["name"], unit_name.as_str(), "{ld}");
            assert_eq!(texts(&html, "#availability-heading").len(), 1);
            assert!(
                html.select(&sel("form[method=get] input[name=guests]"))
                    .next()
                    .is_some()
            );
            assert!(
                html.select(&sel(r#"#answer[aria-live="polite"]"#))
                    .next()
                    .is_some()
            );
        }

        let sitemap = get(&server, &format!("/{tenant}/sitemap.xml")).await;
        assert_eq!(sitemap.status, 200);
        assert!(
            sitemap
                .header("content-type")
                .is_some_and(|c| c.contains("xml"))
        );
        for (id, ..) in &units {
            assert!(
                sitemap.body.contains(&format!("/units/{id}</loc>")),
                "{}",
                sitemap.body
            );
        }
    }

    let robots = get(&server, "/robots.txt").await;
    assert_eq!(robots.status, 200);
    assert!(robots.body.contains("Disallow: /admin/"), "{}", robots.body);
    assert!(
        robots
            .body
            .contains("Sitemap: http://alpine.example/sitemap.xml"),
        "{}",
        robots.body
    );
    for tenant in &TENANTS[1..] {
        assert!(
            robots.body.contains(&format!(
                "Sitemap: http://{}/{tenant}/sitemap.xml",
                server.addr
            )),
            "{}",
            robots.body
        );
    }

    // The own domain serves the tenant at `/`, its links without the slug.
    let own = send(&server, "GET", "/units", Some("alpine.example"), None).await;
    assert_eq!(own.status, 200);
    let html = check_page(&own, "Alpine Cabins", "own domain");
    assert_eq!(
        attr(&html, r#"link[rel="canonical"]"#, "href").as_deref(),
        Some("http://alpine.example/units")
    );
    let links: Vec<String> = html
        .select(&sel(".card-title a"))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert!(
        !links.is_empty() && links.iter().all(|l| l.starts_with("/units/")),
        "{links:?}"
    );
    let own_home = send(&server, "GET", "/", Some("alpine.example"), None).await;
    assert_eq!(
        texts(&own_home.html(), "h1"),
        vec!["Alpine Cabins".to_owned()]
    );
    let own_robots = send(&server, "GET", "/robots.txt", Some("alpine.example"), None).await;
    assert!(
        own_robots
            .body
            .contains("Sitemap: http://alpine.example/sitemap.xml")
    );
    assert!(
        !own_robots.body.contains("harbor-hotel"),
        "{}",
        own_robots.body
    );
    let own_sitemap = send(&server, "GET", "/sitemap.xml", Some("alpine.example"), None).await;
    assert!(
        own_sitemap
            .body
            .contains("<loc>http://alpine.example/units</loc>"),
        "{}",
        own_sitemap.body
    );
    // The API keeps its paths on every host.
    let health = send(&server, "GET", "/healthz", Some("alpine.example"), None).await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));

    // Redirects and 404s in words.
    let redirect = get(&server, "/harbor-hotel").await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/harbor-hotel/"));
    for path in [
        "/no-such-business/",
        "/no-such-business",
        "/harbor-hotel/units/01a24b70-0000-7000-8000-000000000000",
        "/harbor-hotel/units/not-an-id",
        "/metrics/units",
        "/assets/",
    ] {
        let missing = get(&server, path).await;
        assert_eq!(missing.status, 404, "{path}");
        if path != "/assets/" {
            let html = missing.html();
            assert_eq!(
                texts(&html, "h1"),
                vec!["Page not found".to_owned()],
                "{path}"
            );
            assert!(missing.header("content-security-policy").is_some());
        }
    }

    // The assets are hashed and immutable, and within their budgets.
    let home = get(&server, "/summit-tours/").await.html();
    let css = attr(&home, r#"link[rel="stylesheet"]"#, "href").expect("a stylesheet");
    let js = attr(&home, r#"script[type="module"]"#, "src").expect("a script");
    for asset in [css, js] {
        let answer = get(&server, &asset).await;
        assert_eq!(answer.status, 200, "{asset}");
        assert!(
            answer
                .header("cache-control")
                .is_some_and(|c| c.contains("immutable"))
        );
    }
    let theme = attr(&home, r#"link[href^="/assets/theme-"]"#, "href").expect("a theme");
    assert_eq!(theme, "/assets/theme-b5541c.css");
    assert!(get(&server, &theme).await.body.contains("--brand:#b5541c"));
    server.stop();
}

/// The first date from `from` that is `weekday`.
/// The first date from `from` that is `weekday` and whose week stays clear
/// of the year-end holidays (the cabins' Christmas stop-sell, the tours'
/// exceptions), so that the tests' stays are bookable whenever they run.
pub(crate) fn next(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let holidays =
        |d: NaiveDate| (d.month() == 12 && d.day() >= 17) || (d.month() == 1 && d.day() <= 3);
    let mut day = from;
    while day.weekday() != weekday || (0..14).any(|n| holidays(day + Days::new(n))) {
        day = day + Days::new(1);
    }
    day
}

/// The GraphQL quote's total (minor units) and violation messages.
async fn graphql_quote(
    server: &Server,
    tenant: &str,
    input: Value,
) -> (Option<i64>, Vec<String>, bool) {
    let answer = server
        .graphql(
            "query($t: String!, $input: QuoteInput!) { quote(tenant: $t, input: $input) { available total { amount currency } violations { message } } }",
            json!({ "t": tenant, "input": input }),
        )
        .await;
    let quote = &answer["data"]["quote"];
    assert!(quote.is_object(), "{answer}");
    (
        quote["total"]["amount"].as_i64(),
        quote["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["message"].as_str().unwrap().to_owned())
            .collect(),
        quote["available"].as_bool().unwrap(),
    )
}

/// The estimate the page shows: (total in minor units, reasons).
fn page_estimate(html: &Html) -> (Option<i64>, Vec<String>) {
    let total = attr(html, "[data-total-minor]", "data-total-minor").map(|t| t.parse().unwrap());
    (total, texts(html, ".reasons li"))
}

#[tokio::test]
async fn the_estimator_answers_what_graphql_quotes() {
    let server = start_demo(&[]).await;
    let today = Utc::now().date_naive();
    let monday = next(today + Days::new(40), Weekday::Mon);
    let q = |pairs: &[(&str, String)]| serde_urlencoded::to_string(pairs).unwrap();

    // Nightly (both hotels): each unit, 3 nights from a Monday, 2 guests.
    for tenant in ["alpine-cabins", "harbor-hotel"] {
        for (id, unit_name, max_guests, _) in catalog(&server, tenant).await {
            let guests = max_guests.min(3);
            let query = q(&[
                ("checkIn", monday.to_string()),
                ("nights", "3".into()),
                ("guests", guests.to_string()),
            ]);
            let page = get(&server, &format!("/{tenant}/units/{id}?{query}")).await;
            assert_eq!(page.status, 200);
            let html = page.html();
            let (total, _) = page_estimate(&html);
            let (expected, _, available) = graphql_quote(
                &server,
                tenant,
                json!({ "unitId": id, "guests": guests, "quantity": 1,
                        "period": { "checkIn": monday.to_string(), "checkOut": (monday + Days::new(3)).to_string() } }),
            )
            .await;
            assert!(available, "{unit_name}");
            assert_eq!(total, expected, "{tenant} {unit_name}");
            // The fragment the script fetches is the same answer.
            let fragment = get(&server, &format!("/{tenant}/units/{id}/estimate?{query}")).await;
            assert_eq!(
                page_estimate(&Html::parse_fragment(&fragment.body)).0,
                expected
            );
            assert!(
                fragment.body.contains("name=\"requestKey\""),
                "a request form under it"
            );
        }
    }

    // A policy refusal in words: the cabins take no Sunday arrivals.
    let (cabin, ..) = catalog(&server, "alpine-cabins").await.remove(0);
    let sunday = next(today + Days::new(40), Weekday::Sun);
    let query = q(&[
        ("checkIn", sunday.to_string()),
        ("nights", "3".into()),
        ("guests", "2".into()),
    ]);
    let html = get(&server, &format!("/alpine-cabins/units/{cabin}?{query}"))
        .await
        .html();
    let (total, reasons) = page_estimate(&html);
    let (_, violations, available) = graphql_quote(
        &server,
        "alpine-cabins",
        json!({ "unitId": cabin, "guests": 2,
                "period": { "checkIn": sunday.to_string(), "checkOut": (sunday + Days::new(3)).to_string() } }),
    )
    .await;
    assert!(!available && total.is_none());
    assert!(!reasons.is_empty(), "reasons in words");
    assert_eq!(reasons, violations);
    assert!(
        html.select(&sel("form.request")).next().is_none(),
        "no request form for a refusal"
    );

    // Invalid input: an error beside the field, no answer.
    let page = get(
        &server,
        &format!("/alpine-cabins/units/{cabin}?checkIn=soon&nights=two&guests=2"),
    )
    .await;
    assert_eq!(page.status, 422);
    let html = page.html();
    assert_eq!(texts(&html, "#nights-error").len(), 1);
    assert_eq!(texts(&html, "#checkIn-error").len(), 1);
    assert_eq!(
        attr(&html, "#nights", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&html, "#nights", "value").as_deref(),
        Some("two"),
        "the input is kept"
    );

    // Timeslot: a seat on the first departure three weeks ahead.
    for (id, unit_name, ..) in catalog(&server, "summit-tours").await {
        let date = next(today + Days::new(21), Weekday::Tue);
        let slots = server
            .graphql(
                "query($u: ID!, $d: Date!) { slots(tenant: \"summit-tours\", unitId: $u, date: $d) { start } }",
                json!({ "u": id, "d": date.to_string() }),
            )
            .await;
        let start = slots["data"]["slots"][0]["start"]
            .as_str()
            .expect("a slot")
            .to_owned();
        let local = chrono::DateTime::parse_from_rfc3339(&start)
            .unwrap()
            .with_timezone(&chrono_tz::America::Denver)
            .format("%H:%M")
            .to_string();
        let query = q(&[
            ("date", date.to_string()),
            ("slot", local),
            ("guests", "3".into()),
        ]);
        let html = get(&server, &format!("/summit-tours/units/{id}?{query}"))
            .await
            .html();
        let (expected, _, available) = graphql_quote(
            &server,
            "summit-tours",
            json!({ "unitId": id, "guests": 3, "quantity": 3, "period": { "start": start } }),
        )
        .await;
        assert!(available, "{unit_name}");
        assert_eq!(page_estimate(&html).0, expected, "{unit_name}");
    }

    // Interval: two boats' worth of paddlers for three hours on a Wednesday.
    for (id, unit_name, max_guests, _) in catalog(&server, "river-gear").await {
        let day = next(today + Days::new(21), Weekday::Wed);
        let start = chrono_tz::Europe::Berlin
            .from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
            .single()
            .unwrap()
            .with_timezone(&Utc);
        let end = start + chrono::Duration::minutes(180);
        let guests = max_guests + 1;
        let query = q(&[
            ("start", format!("{day}T10:00")),
            ("duration", "180".into()),
            ("guests", guests.to_string()),
        ]);
        let html = get(&server, &format!("/river-gear/units/{id}?{query}"))
            .await
            .html();
        let (expected, _, available) = graphql_quote(
            &server,
            "river-gear",
            json!({ "unitId": id, "guests": guests, "quantity": 2,
                    "period": { "start": start.to_rfc3339(), "end": end.to_rfc3339() } }),
        )
        .await;
        assert!(available, "{unit_name}");
        assert_eq!(page_estimate(&html).0, expected, "{unit_name}");
        let total = texts(&html, "[data-total-minor]").remove(0);
        assert!(
            total.ends_with('€') && total.contains(','),
            "de-DE money: {total}"
        );
    }
    server.stop();
}

/// The hidden fields and request key of the request form on a page.
pub(crate) fn request_form(html: &Html) -> (String, HashMap<String, String>) {
    let form = html
        .select(&sel("form.request"))
        .next()
        .expect("a request form");
    let action = form.value().attr("action").unwrap().to_owned();
    let hidden = form
        .select(&sel("input[type=hidden]"))
        .map(|i| {
            (
                i.value().attr("name").unwrap().to_owned(),
                i.value().attr("value").unwrap_or("").to_owned(),
            )
        })
        .collect();
    (action, hidden)
}

pub(crate) fn encode(fields: &HashMap<String, String>, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> =
        fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn reservation_count(server: &Server, token: &str) -> usize {
    let answer = server
        .graphql_as(
            Some(token),
            "{ reservations(first: 200) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    answer["data"]["reservations"]["edges"]
        .as_array()
        .expect("edges")
        .len()
}

#[tokio::test]
async fn a_guest_requests_a_booking_and_staff_see_it_held() {
    let server = start_demo(&[]).await;
    let (_, token) = demo_admin_session(&server).await;
    let (cabin, ..) = catalog(&server, "alpine-cabins").await.remove(0);
    let today = Utc::now().date_naive();
    let monday = next(today + Days::new(50), Weekday::Mon);
    let page = get(
        &server,
        &format!("/alpine-cabins/units/{cabin}?checkIn={monday}&nights=3&guests=2"),
    )
    .await;
    let (action, hidden) = request_form(&page.html());
    assert_eq!(action, format!("/alpine-cabins/units/{cabin}/request"));
    assert!(hidden.get("requestKey").is_some_and(|k| !k.is_empty()));
    let before = reservation_count(&server, &token).await;

    // A guest's name with markup stays text when the form comes back.
    let evil = "<script>alert('x')</script> Ana";
    let bad = send(
        &server,
        "POST",
        &action,
        None,
        Some(&encode(
            &hidden,
            &[("name", evil), ("email", "not an address"), ("website", "")],
        )),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(!bad.body.contains("<script>alert"), "escaped");
    let html = bad.html();
    assert_eq!(attr(&html, "#name", "value").as_deref(), Some(evil));
    assert_eq!(
        texts(&html, "#email-error").len(),
        1,
        "the error beside the field"
    );
    assert_eq!(
        reservation_count(&server, &token).await,
        before,
        "nothing written"
    );

    // The honeypot: nothing written, said in words.
    let bot = send(
        &server,
        "POST",
        &action,
        None,
        Some(&encode(
            &hidden,
            &[
                ("name", "Bot"),
                ("email", "bot@example.org"),
                ("website", "http://spam.example"),
            ],
        )),
    )
    .await;
    assert_eq!(bot.status, 400);
    assert_eq!(
        texts(&bot.html(), "h1"),
        vec!["Your request was not sent".to_owned()]
    );
    assert_eq!(reservation_count(&server, &token).await, before);

    // The request: a confirmation with a reference, the same on a resend.
    let form = encode(
        &hidden,
        &[
            ("name", evil),
            ("email", "ana@example.org"),
            ("phone", "+41 79 555 00 00"),
            ("message", "Late arrival <b>maybe</b>"),
            ("website", ""),
        ],
    );
    let sent = send(&server, "POST", &action, None, Some(&form)).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.header("set-cookie").is_none());
    let html = check_page(&sent, "Alpine Cabins", "confirmation");
    let reference = texts(&html, ".reference").remove(0);
    let id = attr(&html, ".reference", "data-reservation-id").unwrap();
    assert_eq!(reference.len(), 9, "{reference}");
    let again = send(&server, "POST", &action, None, Some(&form)).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        attr(&again.html(), ".reference", "data-reservation-id").as_deref(),
        Some(id.as_str())
    );
    assert_eq!(
        reservation_count(&server, &token).await,
        before + 1,
        "one reservation for two sends"
    );

    // Staff see it held, from the public channel, with the guest as typed.
    let seen = server
        .graphql_as(
            Some(&token),
            "query($id: ID!) { reservation(id: $id) { state channel notes client { name email phone } } }",
            json!({ "id": id }),
        )
        .await;
    let r = &seen["data"]["reservation"];
    assert_eq!(r["state"], "HELD", "{seen}");
    assert_eq!(r["channel"], "public", "{seen}");
    assert_eq!(r["client"]["name"], evil);
    assert_eq!(r["notes"], "Late arrival <b>maybe</b>");

    // The same stay again (a new form): the unit is taken, said in words,
    // nothing written.
    let page = get(
        &server,
        &format!("/alpine-cabins/units/{cabin}?checkIn={monday}&nights=3&guests=2"),
    )
    .await;
    let html = page.html();
    assert!(
        html.select(&sel("form.request")).next().is_none(),
        "no longer available"
    );
    let mut stale = hidden.clone();
    stale.insert("requestKey".into(), "another-visitor".into());
    let refused = send(
        &server,
        "POST",
        &action,
        None,
        Some(&encode(
            &stale,
            &[
                ("name", "Ben"),
                ("email", "ben@example.org"),
                ("website", ""),
            ],
        )),
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(!texts(&refused.html(), ".reasons li").is_empty());
    assert_eq!(reservation_count(&server, &token).await, before + 1);

    // A period someone in the admin app holds a lock on: words, without the
    // holder, and nothing written.
    let locked_monday = monday + Days::new(7);
    let lock = server
        .graphql_as(
            Some(&token),
            "mutation($u: ID!, $in: Date!, $out: Date!) { acquireLock(input: { unitId: $u, period: { checkIn: $in, checkOut: $out } }, ttlSeconds: 300) { id } }",
            json!({ "u": cabin, "in": locked_monday.to_string(), "out": (locked_monday + Days::new(3)).to_string() }),
        )
        .await;
    assert!(lock["data"]["acquireLock"]["id"].is_string(), "{lock}");
    let mut locked_form = hidden.clone();
    locked_form.insert("checkIn".into(), locked_monday.to_string());
    locked_form.insert("requestKey".into(), "locked".into());
    let refused = send(
        &server,
        "POST",
        &action,
        None,
        Some(&encode(
            &locked_form,
            &[("name", "Di"), ("email", "di@example.org"), ("website", "")],
        )),
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    let reasons = texts(&refused.html(), ".reasons li");
    assert!(
        reasons.iter().any(|r| r.contains("Someone is booking")),
        "{reasons:?}"
    );
    assert!(!refused.body.contains("admin@"), "the holder is not named");
    assert_eq!(reservation_count(&server, &token).await, before + 1);

    // A policy refusal (a Sunday arrival) is words too.
    let sunday = next(today + Days::new(50), Weekday::Sun);
    let mut sunday_form = hidden.clone();
    sunday_form.insert("checkIn".into(), sunday.to_string());
    sunday_form.insert("requestKey".into(), "sunday".into());
    let refused = send(
        &server,
        "POST",
        &action,
        None,
        Some(&encode(
            &sunday_form,
            &[("name", "Cy"), ("email", "cy@example.org"), ("website", "")],
        )),
    )
    .await;
    assert_eq!(refused.status, 409);
    assert!(!texts(&refused.html(), ".reasons li").is_empty());
    assert_eq!(reservation_count(&server, &token).await, before + 1);

    // A description with markup stays text, on the page and in its JSON-LD.
    let created = server
        .graphql_as(
            Some(&token),
            "mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }",
            json!({ "input": { "name": "Test </script> Cabin", "inventory": 1, "maxGuests": 2,
                    "description": "<script>alert(1)</script> & more" } }),
        )
        .await;
    let unit = created["data"]["createUnit"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"));
    let page = get(&server, &format!("/alpine-cabins/units/{unit}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>alert"), "escaped");
    assert_eq!(
        page.body.matches("</script>").count(),
        2,
        "only the two script elements close"
    );
    let html = page.html();
    assert_eq!(
        texts(&html, ".lead"),
        vec!["<script>alert(1)</script> & more".to_owned()]
    );
    assert_eq!(
        json_ld(&html)["description"],
        "<script>alert(1)</script> & more"
    );
    server.stop();
}

#[tokio::test]
async fn booking_requests_are_limited_per_address_with_a_page_in_words() {
    let (url, _) = temp_sqlite_url();
    let server = Server::start(&[
        "--database-url",
        &url,
        "--site-request-limit",
        "2",
        "--public-rate-limit",
        "3",
    ]);
    for n in 0..2 {
        let answer = send(
            &server,
            "POST",
            "/nobody/units/x/request",
            None,
            Some("name=a"),
        )
        .await;
        assert_eq!(answer.status, 404, "request {n}");
    }
    let refused = send(
        &server,
        "POST",
        "/nobody/units/x/request",
        None,
        Some("name=a"),
    )
    .await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
    assert_eq!(
        texts(&refused.html(), "h1"),
        vec!["Please wait a moment".to_owned()]
    );
    // Pages count against the public limit (a burst of 3 here); assets do not.
    for _ in 0..3 {
        assert_eq!(get(&server, "/nobody/").await.status, 404);
    }
    let page = get(&server, "/nobody/").await;
    assert_eq!(page.status, 429);
    assert_eq!(
        texts(&page.html(), "h1"),
        vec!["Please wait a moment".to_owned()]
    );
    assert!(page.header("content-security-policy").is_some());
    let asset = get(&server, "/assets/theme-2f6b4f.css").await;
    assert_eq!(asset.status, 200);
    server.stop();
}

/// Copies the directory `from` into `to`, recursively.
pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_spanish_speaking_tenant_gets_spanish_pages_with_its_money() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("site-es-{}", uuid::Uuid::new_v4()));
    let tenant = dir.join("alpine-cabins");
    copy_dir(&tenants_dir().join("alpine-cabins"), &tenant);
    let yaml = std::fs::read_to_string(tenant.join("tenant.yaml")).unwrap();
    std::fs::write(
        tenant.join("tenant.yaml"),
        yaml.replace("locale: de-CH", "locale: es-ES"),
    )
    .unwrap();
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(&url, &dir, &[]);
    let page = get(&server, "/alpine-cabins/units").await;
    assert_eq!(page.status, 200);
    let html = check_page(&page, "Alpine Cabins", "Spanish catalog");
    assert_eq!(attr(&html, "html", "lang").as_deref(), Some("es-ES"));
    assert_eq!(
        texts(&html, "h1"),
        vec!["Alojamientos y servicios".to_owned()]
    );
    assert!(texts(&html, "nav a").contains(&"Inicio".to_owned()));
    let from = texts(&html, ".from-price").remove(0);
    assert!(
        from.starts_with("Desde ") && from.ends_with("CHF") && from.contains(','),
        "{from}"
    );
    let missing = get(&server, "/alpine-cabins/units/not-a-unit").await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        texts(&missing.html(), "h1"),
        vec!["Página no encontrada".to_owned()]
    );
    server.stop();
}

#[tokio::test]
async fn a_tenant_that_names_a_tile_server_gets_an_interactive_map() {
    // Two tenants: the cabins name a tile server (on a loopback address,
    // which nothing here asks for tiles), the hotel does not.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("site-map-{}", uuid::Uuid::new_v4()));
    for slug in ["alpine-cabins", "harbor-hotel"] {
        copy_dir(&tenants_dir().join(slug), &dir.join(slug));
    }
    let cabins = dir.join("alpine-cabins").join("tenant.yaml");
    let yaml = std::fs::read_to_string(&cabins).unwrap();
    assert!(yaml.contains("\n  theme_color: \"#2f6b4f\"\n"));
    std::fs::write(
        &cabins,
        yaml.replace(
            "\n  theme_color: \"#2f6b4f\"\n",
            "\n  theme_color: \"#2f6b4f\"\n  map:\n    \
             tiles: \"https://127.0.0.1:9/tiles/{z}/{x}/{y}.png\"\n    \
             attribution: \"© Test <b>tiles</b>\"\n",
        ),
    )
    .unwrap();
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(&url, &dir, &[]);

    let home = get(&server, "/alpine-cabins/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    let html = check_page(&home, "Alpine Cabins", "home with a map");
    let canvas = html
        .select(&sel("#map .map-canvas"))
        .next()
        .unwrap_or_else(|| panic!("a map container in {}", home.body));
    let data = |name: &str| {
        canvas
            .value()
            .attr(&format!("data-{name}"))
            .unwrap_or_else(|| panic!("data-{name}"))
            .to_owned()
    };
    assert_eq!(data("tiles"), "https://127.0.0.1:9/tiles/{z}/{x}/{y}.png");
    // Text in an attribute, escaped there (the script escapes it again for
    // Leaflet, which writes attributions as HTML).
    assert_eq!(data("attribution"), "© Test <b>tiles</b>");
    assert!(!home.body.contains("<b>tiles"));
    assert_eq!(
        (data("lat"), data("lng")),
        ("46.62400".into(), "8.04100".into())
    );
    assert_eq!(data("label"), "Alpine Cabins");
    assert!(
        canvas.value().attr("hidden").is_some(),
        "shown by the script"
    );
    assert!(canvas.value().attr("aria-label").is_some());
    // The text, coordinates and OpenStreetMap link stay beside it.
    assert!(
        html.select(&sel(r#"#map a[href^="https://www.openstreetmap.org/"]"#))
            .next()
            .is_some()
    );
    // Leaflet is berth's own, never linked by the page: the script loads it.
    assert!(!home.body.contains("<script src=\"/assets/leaflet"));
    assert!(
        html.select(&sel(r#"link[href*="leaflet"]"#))
            .next()
            .is_none()
    );
    for (name, content_type) in [
        ("leaflet-js", "text/javascript"),
        ("leaflet-css", "text/css"),
        ("marker", "image/png"),
        ("marker-retina", "image/png"),
        ("marker-shadow", "image/png"),
    ] {
        let path = data(name);
        assert!(path.starts_with("/assets/"), "{path}");
        let asset = get(&server, &path).await;
        assert_eq!(asset.status, 200, "{path}");
        assert!(
            asset
                .header("content-type")
                .is_some_and(|c| c.starts_with(content_type)),
            "{path}"
        );
        assert!(
            asset
                .header("cache-control")
                .is_some_and(|c| c.contains("immutable"))
        );
    }
    // The tile server's origin in `img-src` and nowhere else.
    let csp = home.header("content-security-policy").unwrap();
    assert_eq!(
        img_src(&home).as_deref(),
        Some("img-src 'self' https: data: https://127.0.0.1:9"),
        "{csp}"
    );
    assert_eq!(csp.matches("127.0.0.1").count(), 1, "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    // Its other pages show no map and keep the site's policy.
    let catalog_page = get(&server, "/alpine-cabins/units").await;
    assert_eq!(catalog_page.status, 200);
    assert_eq!(
        img_src(&catalog_page).as_deref(),
        Some("img-src 'self' https: data:")
    );
    // Nor does a tenant without a tile server.
    let hotel = get(&server, "/harbor-hotel/").await;
    assert_eq!(hotel.status, 200);
    assert!(hotel.html().select(&sel(".map-canvas")).next().is_none());
    assert!(!hotel.body.contains("data-tiles"));
    assert_eq!(
        img_src(&hotel).as_deref(),
        Some("img-src 'self' https: data:")
    );

    // The API says the same.
    let answer = server
        .graphql(
            "{ a: tenant(slug: \"alpine-cabins\") { profile { map { tiles attribution } } } \
               h: tenant(slug: \"harbor-hotel\") { profile { map { tiles } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        answer["data"]["a"]["profile"]["map"],
        json!({ "tiles": "https://127.0.0.1:9/tiles/{z}/{x}/{y}.png",
                "attribution": "© Test <b>tiles</b>" })
    );
    assert_eq!(answer["data"]["h"]["profile"]["map"], Value::Null);
    server.stop();
}

/// `berth_site_price_cache_total{outcome}` in the server's `/metrics`.
async fn price_cache_count(server: &Server, outcome: &str) -> u64 {
    let metrics = get(server, "/metrics").await;
    let prefix = format!("berth_site_price_cache_total{{outcome=\"{outcome}\"}} ");
    metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().unwrap())
}

#[tokio::test]
async fn from_prices_are_kept_between_views_until_a_booking_or_a_publication() {
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(&url, &tenants_dir(), &[]);
    let from = async |server: &Server| {
        texts(
            &get(server, "/alpine-cabins/units").await.html(),
            ".from-price",
        )
    };
    let first = from(&server).await;
    assert!(!first.is_empty(), "alpine-cabins' catalog has from prices");
    assert_eq!(from(&server).await, first);
    assert_eq!(from(&server).await, first);
    assert_eq!(
        (
            price_cache_count(&server, "miss").await,
            price_cache_count(&server, "hit").await
        ),
        (1, 2),
        "computed once, kept for the next two views"
    );

    // A booking is an event: the next view computes the prices again.
    let (_, token) =
        demo_admin_session_where(&server, |l| l.contains("tenant=alpine-cabins")).await;
    let unit = &catalog(&server, "alpine-cabins").await[0].0;
    let stay = &super::live::stays(1)[0];
    super::live::ok(
        &server,
        &token,
        "mutation($input: CreateReservationInput!) { createReservation(input: $input) { id } }",
        json!({ "input": { "unitId": unit, "guests": 2,
            "period": { "checkIn": stay.0, "checkOut": stay.1 } } }),
    )
    .await;
    assert_eq!(
        from(&server).await,
        first,
        "a stay two months out leaves them"
    );
    assert_eq!(price_cache_count(&server, "miss").await, 2);

    // A publication raising the base rate shows at the next view.
    let staging = super::versions::tenants_copy("site-prices").join("alpine-cabins");
    super::versions::raise_base_rate(&staging, 24000);
    super::live::ok(
        &server,
        &token,
        "mutation($f: [PolicyFileInput!]!) { publishPolicy(files: $f) { created } }",
        json!({ "f": super::versions::policy_files(&staging) }),
    )
    .await;
    // (The publishing instance serves the version once it has activated it.)
    let started = std::time::Instant::now();
    let raised = loop {
        let now = from(&server).await;
        if now != first {
            break now;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the kept prices outlived the publication: {now:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(raised.len(), first.len());
    // And they are kept again. The view that first showed them may have
    // stamped its entry with the version live when it began while pricing
    // under the one activated meanwhile: the next view then computes once
    // more (never serving older prices), and the one after is kept.
    let hits = price_cache_count(&server, "hit").await;
    let mut views = 0;
    while price_cache_count(&server, "hit").await == hits {
        assert_eq!(from(&server).await, raised);
        views += 1;
        assert!(views <= 3, "the raised prices were never kept");
    }
    server.stop();
}
