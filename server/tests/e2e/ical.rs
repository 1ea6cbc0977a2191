//! iCalendar end to end: an admin turns a unit's feed on over GraphQL, the feed
//! is fetched over HTTP and parsed by an independent parser (Python's
//! `icalendar`, server/tests/py/ical_events.py) which must find exactly the
//! unit's stays, as all-day events from check-in to check-out, without any of
//! the guest's data; wrong tokens get a bare 404; and the feed imported into
//! another unit blocks the same nights there. A calendar sync of one unit's
//! feed into another is fetched and imported by the running server's worker.
//!
//! Without Python and `icalendar` the parse test is skipped loudly, or fails
//! when `BERTH_REQUIRE_PYTHON=1` (set by scripts/test, which installs them in a
//! venv and names its interpreter in `BERTH_PYTHON`).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::live::{ok, stays};
use super::transport::demo_admin_session;
use super::{Server, temp_sqlite_url, tenants_dir};

const CREATE_UNIT: &str = r#"mutation($name: String!) {
    createUnit(input: { name: $name, inventory: 1, maxGuests: 4 }) { id } }"#;
const BOOK: &str = "mutation($input: CreateReservationInput!) {
    createReservation(input: $input) { id checkIn checkOut } }";
const ROTATE: &str = "mutation($unit: ID!) { rotateIcalToken(unitId: $unit) { path token } }";
const IMPORT: &str = "mutation($unit: ID!, $ics: String!) {
    importCalendar(unitId: $unit, ics: $ics, source: \"birch\") { blocks { firstDay endDay } conflicts { reservationId } } }";
const QUOTE: &str = "query($unit: ID!, $in: Date!, $out: Date!) {
    quote(tenant: \"alpine-cabins\", input: { unitId: $unit, guests: 2,
      period: { checkIn: $in, checkOut: $out } }) { available violations { code } } }";

/// The Python interpreter with `icalendar`, or `None` (skipped loudly; a
/// failure under `BERTH_REQUIRE_PYTHON=1`).
pub(crate) fn python(test: &str) -> Option<String> {
    let python = std::env::var("BERTH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let probe = Command::new(&python)
        .args(["-c", "import icalendar; print(icalendar.__version__)"])
        .output();
    let missing = match probe {
        Err(e) => Some(format!("`{python}` cannot be run ({e})")),
        Ok(out) if !out.status.success() => Some(format!(
            "`{python}` has no `icalendar` package: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        )),
        Ok(_) => None,
    };
    let Some(why) = missing else {
        return Some(python);
    };
    crate::skip(test, "BERTH_REQUIRE_PYTHON", &why);
    None
}

/// What `icalendar` read from `ics` (see ical_events.py).
fn parsed_by_python(python: &str, ics: &str) -> Value {
    run_python(python, "ical_events.py", ics)
}

/// Runs `server/tests/py/<script>` with `input` on stdin; its stdout as JSON.
pub(crate) fn run_python(python: &str, script: &str, input: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(script);
    let mut child = Command::new(python)
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write to the script");
    let out = child.wait_with_output().expect("python's output");
    assert!(
        out.status.success(),
        "{script} failed: {}\n{input}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON from {script}: {e}"))
}

async fn start_demo() -> (Server, String) {
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(&url, &tenants_dir(), &[]);
    let (_, token) = demo_admin_session(&server).await;
    (server, token)
}

async fn new_unit(server: &Server, token: &str, name: &str) -> String {
    ok(server, token, CREATE_UNIT, json!({ "name": name })).await["createUnit"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn book(server: &Server, token: &str, unit: &str, stay: &(String, String)) -> String {
    let input = json!({ "unitId": unit, "guests": 2,
        "period": { "checkIn": stay.0, "checkOut": stay.1 },
        "client": { "name": "Ingrid Secretsen", "email": "ingrid@example.org", "phone": "+47 99887766" },
        "notes": "door code 4711" });
    ok(server, token, BOOK, json!({ "input": input })).await["createReservation"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_feed_parses_with_python_icalendar_and_shows_only_busy_nights() {
    let test = "the_feed_parses_with_python_icalendar_and_shows_only_busy_nights";
    let Some(python) = python(test) else {
        return;
    };
    let (server, token) = start_demo().await;
    let unit = new_unit(&server, &token, "Feed Cabin").await;
    let all = stays(3);
    let stays = &all[..2];
    let mut booked = Vec::new();
    for stay in stays {
        booked.push(book(&server, &token, &unit, stay).await);
    }
    let feed =
        ok(&server, &token, ROTATE, json!({ "unit": unit })).await["rotateIcalToken"].clone();
    let path = feed["path"].as_str().unwrap();

    let (status, head, ics) = server.fetch(path).await;
    assert_eq!(status, 200, "{head}\n{ics}");
    assert!(
        head.contains("content-type: text/calendar; charset=utf-8"),
        "{head}"
    );
    for secret in [
        "Ingrid",
        "Secretsen",
        "ingrid@example.org",
        "99887766",
        "4711",
    ] {
        assert!(!ics.contains(secret), "{secret} in the feed:\n{ics}");
    }
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75 && !line.contains('\n'), "{line:?}");
    }

    let parsed = parsed_by_python(&python, &ics);
    assert_eq!(parsed["errors"], json!([]), "{parsed}");
    assert_eq!(parsed["version"], "2.0");
    assert_eq!(parsed["calscale"], "GREGORIAN");
    assert_eq!(parsed["name"], "Feed Cabin");
    assert!(
        parsed["prodid"].as_str().unwrap().contains("berth"),
        "{parsed}"
    );
    let events = parsed["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{parsed}");
    for ((event, id), stay) in events.iter().zip(&booked).zip(stays) {
        assert_eq!(event["uid"], format!("{id}@berth"));
        assert_eq!(event["summary"], "Reserved");
        assert_eq!(event["start"], json!({ "all_day": true, "value": stay.0 }));
        assert_eq!(event["end"], json!({ "all_day": true, "value": stay.1 }));
        assert_eq!(
            event["properties"],
            json!(["DTEND", "DTSTAMP", "DTSTART", "SUMMARY", "TRANSP", "UID"]),
            "nothing else about the stay"
        );
    }

    // Wrong, missing or old tokens, unknown units and tenants: the same bare 404.
    let (status, _, not_found) = server
        .fetch(&format!("/ical/alpine-cabins/{unit}.ics"))
        .await;
    assert_eq!((status, not_found.as_str()), (404, "not found\n"));
    let rotated =
        ok(&server, &token, ROTATE, json!({ "unit": unit })).await["rotateIcalToken"].clone();
    let other_unit = new_unit(&server, &token, "No Feed").await;
    let new_token = rotated["token"].as_str().unwrap();
    for probe in [
        path.to_owned(),
        format!("/ical/alpine-cabins/{unit}.ics?token=wrong"),
        format!("/ical/alpine-cabins/{other_unit}.ics?token={new_token}"),
        format!("/ical/harbor-hotel/{unit}.ics?token={new_token}"),
        format!("/ical/nobody/{unit}.ics?token={new_token}"),
        format!("/ical/alpine-cabins/{unit}?token={new_token}"),
        format!("/ical/alpine-cabins/not-a-unit.ics?token={new_token}"),
    ] {
        let (status, _, body) = server.fetch(&probe).await;
        assert_eq!((status, body.as_str()), (404, "not found\n"), "{probe}");
    }
    let (status, _, _) = server.fetch(rotated["path"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    // Round trip: the feed imported into another cabin blocks the same nights.
    let (_, _, ics) = server.fetch(rotated["path"].as_str().unwrap()).await;
    let import = ok(
        &server,
        &token,
        IMPORT,
        json!({ "unit": other_unit, "ics": ics }),
    )
    .await;
    let blocks = &import["importCalendar"]["blocks"];
    assert_eq!(blocks.as_array().unwrap().len(), 2, "{import}");
    assert_eq!(blocks[0]["firstDay"], stays[0].0.as_str());
    assert_eq!(blocks[0]["endDay"], stays[0].1.as_str());
    let quote = |stay: (String, String)| {
        let server = &server;
        let token = token.clone();
        let unit = other_unit.clone();
        async move {
            ok(
                server,
                &token,
                QUOTE,
                json!({ "unit": unit, "in": stay.0, "out": stay.1 }),
            )
            .await["quote"]
                .clone()
        }
    };
    let blocked = quote(stays[0].clone()).await;
    assert_eq!(
        blocked,
        json!({ "available": false, "violations": [] }),
        "capacity, not a rule"
    );
    let free = quote(all[2].clone()).await;
    assert_eq!(free["available"], true, "{free}");
    server.stop();
}

#[tokio::test]
async fn a_calendar_sync_imports_another_units_feed_through_the_running_worker() {
    let (url, _) = temp_sqlite_url();
    let server = Server::demo(
        &url,
        &tenants_dir(),
        &[
            // The feed is this server's, on loopback; a pass every second.
            "--calendar-sync-allow-private-targets",
            "--calendar-sync-poll",
            "1",
        ],
    );
    let (_, token) = demo_admin_session(&server).await;
    let birch = new_unit(&server, &token, "Birch (synced from)").await;
    let pine = new_unit(&server, &token, "Pine (synced into)").await;
    let stay = &stays(1)[0];
    book(&server, &token, &birch, stay).await;
    let rotated = ok(&server, &token, ROTATE, json!({ "unit": birch })).await;
    let feed = format!(
        "http://{}{}",
        server.addr,
        rotated["rotateIcalToken"]["path"].as_str().unwrap()
    );
    let added = ok(
        &server,
        &token,
        "mutation($input: AddCalendarSyncInput!) { addCalendarSync(input: $input) { id } }",
        json!({ "input": { "unitId": pine, "url": feed, "source": "birch", "intervalMinutes": 15 } }),
    )
    .await;
    let id = added["addCalendarSync"]["id"].as_str().unwrap().to_owned();
    // The worker's next pass (within a second or two) imports the feed.
    let status = "query($unit: ID!) { calendarSyncs(unitId: $unit) { id lastStatus lastError }
        calendarBlocks(unitId: $unit) { source firstDay endDay } }";
    let mut last = Value::Null;
    for _ in 0..100 {
        last = ok(&server, &token, status, json!({ "unit": pine })).await;
        if last["calendarSyncs"][0]["lastStatus"] != Value::Null {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["calendarSyncs"][0]["id"], id.as_str());
    assert_eq!(last["calendarSyncs"][0]["lastStatus"], "IMPORTED", "{last}");
    assert_eq!(
        last["calendarBlocks"],
        json!([{ "source": "birch", "firstDay": stay.0, "endDay": stay.1 }])
    );
    // The synced nights are no longer for sale on the other unit.
    let quote = ok(
        &server,
        &token,
        QUOTE,
        json!({ "unit": pine, "in": stay.0, "out": stay.1 }),
    )
    .await;
    assert_eq!(quote["quote"]["available"], false, "{quote}");
}
