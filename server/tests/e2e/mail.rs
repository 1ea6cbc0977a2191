//! E-mail end to end: `berth serve --demo` with `BERTH_SMTP_URL` at the
//! loopback SMTP server of the test support code (`tests/support/smtp.rs`).
//! A guest's booking request on the public site brings "request received" to
//! the guest and "new request" to the staff member who opted in; staff confirm
//! over GraphQL and the guest gets "confirmed" with the stay as `stay.ics`,
//! which the same independent parser as the feeds (Python's `icalendar`,
//! server/tests/py/ical_events.py) reads back. Every message is parsed with
//! `mail-parser`: headers (`From` with the tenant's name, `Reply-To` its
//! address, `Message-ID`, `Date`), both parts in the tenant's language, and
//! the guest's name with markup escaped in HTML. Also: `berth policy check`
//! locating a broken override, and a URL without a sender refused at start.
//! Two instances on one PostgreSQL send each message exactly once. Retries
//! and permanent failures, with time moved by hand, are the worker's tests
//! (server/src/workers/mail/worker_tests.rs, on both databases).

use std::collections::HashSet;

use berth_core::testing::{Backend, available, fresh_postgres_url};
use chrono::{Days, Utc, Weekday};
use mail_parser::{Message, MessageParser, MimeHeaders};
use serde_json::json;

use super::ical::{python, run_python};
use super::live::{ok, stays};
use super::site::{catalog, copy_dir, encode, get, next, request_form, send};
use super::smtp::{Received, SmtpSink};
use super::transport::demo_admin_session;
use super::{Server, berth, temp_sqlite_url, tenants_dir};

const GUEST: &str = "<b>Ana</b> & \"co\"";
const SENDER: &str = "bookings@berth.test";
const ADMIN: &str = "admin@alpine-cabins.example.org";

fn parse(m: &Received) -> Message<'_> {
    MessageParser::default()
        .parse(&m.data)
        .expect("a MIME message")
}

/// The message of `received` to `to` whose subject starts with `subject`.
fn find<'a>(received: &'a [Received], to: &str, subject: &str) -> &'a Received {
    received
        .iter()
        .find(|m| m.to == [to] && parse(m).subject().is_some_and(|s| s.starts_with(subject)))
        .unwrap_or_else(|| {
            let all: Vec<(Vec<String>, Option<String>)> = received
                .iter()
                .map(|m| (m.to.clone(), parse(m).subject().map(str::to_owned)))
                .collect();
            panic!("no message to {to} starting {subject:?} in {all:?}")
        })
}

/// The headers every message has: the tenant's name on the default sender,
/// its own address for replies, an id of the sender's domain, a date.
fn check_envelope(m: &Received) {
    assert_eq!(m.from, SENDER);
    let message = parse(m);
    let from = message.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.name(), Some("Alpine Cabins"));
    assert_eq!(from.address(), Some(SENDER));
    let reply_to = message
        .reply_to()
        .and_then(|a| a.first())
        .expect("Reply-To");
    assert_eq!(reply_to.address(), Some("hallo@alpine-cabins.example.ch"));
    assert!(
        message
            .message_id()
            .is_some_and(|id| id.ends_with("@berth.test")),
        "{:?}",
        message.message_id()
    );
    let date = message.date().expect("Date").to_timestamp();
    assert!((Utc::now().timestamp() - date).abs() < 300, "{date}");
    assert!(message.body_text(0).is_some() && message.body_html(0).is_some());
}

/// Opts the demo admin in to e-mail about new requests (through the store:
/// the same database file the server uses).
async fn opt_in_admin(url: &str) {
    let store = berth_core::store::open_and_migrate(url).await.unwrap();
    let tenant = store
        .tenant_by_slug(&"alpine-cabins".parse().unwrap())
        .await
        .unwrap()
        .expect("the demo tenant");
    let admin = store
        .users(tenant.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email.as_str() == ADMIN)
        .expect("the demo admin");
    store
        .update_notification_settings(
            tenant.id,
            admin.id,
            berth_core::push::NotificationSettingsPatch {
                email_new_request: Some(true),
                ..Default::default()
            },
            &berth_core::audit::Actor::System,
            Utc::now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_booking_request_mails_guest_and_staff_and_the_confirmation_carries_the_stay() {
    let test = "a_booking_request_mails_guest_and_staff_and_the_confirmation_carries_the_stay";
    let sink = SmtpSink::start().await;
    let (url, _) = temp_sqlite_url();
    let tenants = tenants_dir();
    let smtp_url = sink.url();
    let server = Server::start_with_env(
        &[
            "--database-url",
            &url,
            "--demo",
            "--tenants",
            tenants.to_str().unwrap(),
        ],
        &[("BERTH_SMTP_URL", &smtp_url), ("BERTH_SMTP_FROM", SENDER)],
    );
    opt_in_admin(&url).await;

    // The guest asks for three nights on the public site.
    let (cabin, cabin_name, ..) = catalog(&server, "alpine-cabins").await.remove(0);
    let monday = next(Utc::now().date_naive() + Days::new(50), Weekday::Mon);
    let page = get(
        &server,
        &format!("/alpine-cabins/units/{cabin}?checkIn={monday}&nights=3&guests=2"),
    )
    .await;
    let (action, hidden) = request_form(&page.html());
    let form = encode(
        &hidden,
        &[
            ("name", GUEST),
            ("email", "ana@example.org"),
            ("phone", "+41 79 555 00 00"),
            ("message", "We arrive by train."),
            ("website", ""),
        ],
    );
    let answer = send(&server, "POST", &action, None, Some(&form)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    // "Request received" to the guest, "new request" to the admin.
    let received = sink.wait_for(2, 30).await;
    assert_eq!(received.len(), 2, "nothing else was sent");
    let to_guest = find(&received, "ana@example.org", "We have your booking request");
    check_envelope(to_guest);
    let message = parse(to_guest);
    let to = message.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.name(), Some(GUEST));
    assert_eq!(to.address(), Some("ana@example.org"));
    let text = message.body_text(0).unwrap();
    assert!(text.contains(&format!("Hello {GUEST},")), "{text}");
    assert!(text.contains(&cabin_name), "{text}");
    // de-CH: English words, Swiss money.
    assert!(text.contains("Total:     CHF\u{a0}"), "{text}");
    assert!(text.contains("We hold this for you until"), "{text}");
    let html = message.body_html(0).unwrap();
    assert!(
        html.contains("&lt;b&gt;Ana&lt;&#x2f;b&gt; &amp; &quot;co&quot;"),
        "{html}"
    );
    assert!(!html.contains(GUEST));
    assert!(message.attachment(0).is_none(), "a request carries no stay");

    let to_admin = find(&received, ADMIN, "New booking request");
    check_envelope(to_admin);
    let message = parse(to_admin);
    assert!(message.subject().unwrap().contains(GUEST));
    let text = message.body_text(0).unwrap();
    assert!(text.contains("E-mail:    ana@example.org"), "{text}");
    assert!(text.contains("We arrive by train."), "{text}");
    assert!(message.body_html(0).unwrap().contains("&lt;b&gt;Ana"));

    // Staff confirm it in the admin app (over GraphQL).
    let (_, token) = demo_admin_session(&server).await;
    let list = server
        .graphql_as(
            Some(&token),
            "{ reservations(first: 200) { edges { node { id state start end version client { name } } } } }",
            json!({}),
        )
        .await;
    let node = list["data"]["reservations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["client"]["name"] == GUEST)
        .unwrap_or_else(|| panic!("the request in {list}"))
        .clone();
    assert_eq!(node["state"], "HELD");
    let confirmed = server
        .graphql_as(
            Some(&token),
            "mutation($id: ID!) { confirmReservation(id: $id) { state version } }",
            json!({ "id": node["id"] }),
        )
        .await;
    assert_eq!(
        confirmed["data"]["confirmReservation"]["state"], "CONFIRMED",
        "{confirmed}"
    );

    // "Confirmed" with the stay.
    let received = sink.wait_for(3, 30).await;
    let done = find(&received, "ana@example.org", "Confirmed:");
    check_envelope(done);
    let message = parse(done);
    assert!(
        message
            .body_text(0)
            .unwrap()
            .contains("Check-in is from 15:00 on"),
        "{:?}",
        message.body_text(0)
    );
    let ics = message.attachment(0).expect("stay.ics");
    assert_eq!(ics.attachment_name(), Some("stay.ics"));
    let ct = ics.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
    assert_eq!(ct.attribute("method"), Some("PUBLISH"));
    let ics = String::from_utf8(ics.contents().to_vec()).unwrap();
    assert!(ics.contains("METHOD:PUBLISH"), "{ics}");
    if let Some(python) = python(test) {
        let parsed = run_python(&python, "ical_events.py", &ics);
        assert_eq!(parsed["errors"], json!([]), "{parsed}");
        let events = parsed["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{parsed}");
        let event = &events[0];
        assert_eq!(
            event["uid"],
            format!("{}@berth.test", node["id"].as_str().unwrap())
        );
        assert_eq!(event["summary"], format!("{cabin_name} · Alpine Cabins"));
        assert_eq!(event["start"]["all_day"], false);
        let start = chrono::DateTime::parse_from_rfc3339(event["start"]["value"].as_str().unwrap())
            .unwrap();
        let end =
            chrono::DateTime::parse_from_rfc3339(event["end"]["value"].as_str().unwrap()).unwrap();
        let booked =
            |k: &str| chrono::DateTime::parse_from_rfc3339(node[k].as_str().unwrap()).unwrap();
        assert_eq!((start, end), (booked("start"), booked("end")));
        for property in ["LOCATION", "GEO", "DESCRIPTION", "SEQUENCE", "STATUS"] {
            assert!(
                event["properties"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == property),
                "{property} in {event}"
            );
        }
    }
    assert_eq!(sink.refusals(), Vec::<u16>::new());
    server.stop();
}

#[tokio::test]
async fn policy_check_locates_a_broken_email_template() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mail-check-{}", uuid::Uuid::new_v4()));
    let tenant = dir.join("alpine-cabins");
    copy_dir(&tenants_dir().join("alpine-cabins"), &tenant);
    let check = || {
        berth()
            .args(["policy", "check"])
            .arg(&tenant)
            .output()
            .expect("berth policy check")
    };
    let ok = check();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    std::fs::write(
        tenant.join("emails/confirmed.txt"),
        "Subject: Confirmed, {{ guest.name }}\n\nHello {{ guest.nmae }},\n{% if reservation.total %}\n",
    )
    .unwrap();
    std::fs::write(tenant.join("emails/thanks.txt"), "Subject: Thanks\n\n").unwrap();
    let out = check();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("emails/thanks.txt:0:0: `thanks.txt` is not an e-mail template"),
        "{stdout}"
    );
    assert!(stdout.contains("emails/confirmed.txt:4:"), "{stdout}");
    std::fs::remove_file(tenant.join("emails/thanks.txt")).unwrap();
    std::fs::write(
        tenant.join("emails/confirmed.txt"),
        "Subject: Confirmed, {{ guest.name }}\n\nHello {{ guest.nmae }},\n",
    )
    .unwrap();
    let out = check();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("emails/confirmed.txt:3:10: unknown variable or attribute `guest.nmae`"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_smtp_url_without_a_sender_stops_the_start() {
    let (url, _) = temp_sqlite_url();
    let out = berth()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .env("BERTH_SMTP_URL", "smtps://berth:s3cret@mail.example.org")
        .env_remove("BERTH_SMTP_FROM")
        .output()
        .expect("berth serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--smtp-from (BERTH_SMTP_FROM)"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[tokio::test]
async fn two_instances_on_one_postgres_send_each_message_once() {
    let test = "two_instances_on_one_postgres_send_each_message_once";
    if !available(Backend::Postgres, test) {
        return;
    }
    let sink = SmtpSink::start().await;
    let url = fresh_postgres_url().await;
    let tenants = tenants_dir();
    let tenants = tenants.to_str().unwrap();
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let smtp_url = sink.url();
    let env = [
        ("BERTH_JWT_SECRET", secret.as_str()),
        ("BERTH_SMTP_URL", smtp_url.as_str()),
        ("BERTH_SMTP_FROM", SENDER),
    ];
    let a = Server::start_with_env(
        &["--database-url", &url, "--demo", "--tenants", tenants],
        &env,
    );
    let b = Server::start_with_env(&["--database-url", &url, "--tenants", tenants], &env);
    let (_, token) = demo_admin_session(&a).await;
    let units = ok(&a, &token, "{ units { id name } }", json!({})).await;
    let units: Vec<String> = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    // Six confirmed stays, booked alternately through A and B: six
    // "confirmed" messages, each to its own guest.
    let mut guests = Vec::new();
    for (i, stay) in stays(3).iter().enumerate() {
        for (j, unit) in units.iter().enumerate() {
            let n = i * 2 + j;
            let email = format!("guest{n}@example.org");
            let server = if n % 2 == 0 { &a } else { &b };
            let booked = ok(
                server,
                &token,
                "mutation($input: CreateReservationInput!) { createReservation(input: $input) { state } }",
                json!({ "input": { "unitId": unit, "guests": 2,
                    "period": { "checkIn": stay.0, "checkOut": stay.1 },
                    "client": { "name": format!("Guest {n}"), "email": email } } }),
            )
            .await;
            assert_eq!(booked["createReservation"]["state"], "CONFIRMED");
            guests.push(email);
        }
    }
    sink.wait_for(guests.len(), 60).await;
    // Both workers pass every second: a few more passes send nothing more.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let received = sink.received();
    assert_eq!(received.len(), guests.len(), "each message exactly once");
    let ids: HashSet<String> = received
        .iter()
        .map(|m| parse(m).message_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), guests.len());
    let to: HashSet<&str> = received.iter().map(|m| m.to[0].as_str()).collect();
    assert_eq!(to, guests.iter().map(String::as_str).collect());
    b.stop();
    a.stop();
}
