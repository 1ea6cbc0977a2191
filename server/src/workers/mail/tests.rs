//! Rendering in both languages with the tenant's money and dates, escaping,
//! the template check located at file:line, the MIME message and what the
//! SMTP server's answers mean — against the loopback SMTP server of the test
//! support code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use berth_core::client::Client;
use berth_core::ids::{ClientId, MailId, ReservationId, TenantId, UnitId};
use berth_core::mail::{EmailAddress, MailKind, MailResult};
use berth_core::money::{Money, Price, PriceLine};
use berth_core::policy::OccupancyBasis;
use berth_core::profile::{Address, Coordinates, Handover, TenantProfile};
use berth_core::quantity::{Guests, Quantity};
use berth_core::reservation::{Channel, Reservation};
use berth_core::state::ReservationState;
use berth_core::tenant::Tenant;
use berth_core::time_range::TimeRange;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};

use super::compose::compose;
use super::context::{Facts, build, sample};
use super::send::{SmtpSender, build as build_message};
use super::settings::{SmtpConfig, SmtpUrl};
use super::templates::{TemplateSet, Templates, check_dir};
use crate::locale::Lang;

#[path = "../../../tests/support/smtp.rs"]
pub(super) mod smtp;

const GUEST: &str = "<b>Ana</b> & \"co\"";
/// The guest's name as the HTML part must show it.
const GUEST_HTML: &str = "&lt;b&gt;Ana&lt;&#x2f;b&gt; &amp; &quot;co&quot;";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn tenant(locale: &str, currency: &str, tz: &str) -> Tenant {
    Tenant {
        id: TenantId::new(),
        slug: "casa-rural".parse().unwrap(),
        name: "Casa Rural El Olivo".to_owned(),
        timezone: tz.parse().unwrap(),
        currency: currency.parse().unwrap(),
        locale: locale.to_owned(),
        created_at: at("2026-01-01T00:00:00Z"),
    }
}

fn profile() -> TenantProfile {
    TenantProfile {
        email: Some("hola@olivo.example".to_owned()),
        phone: Some("+34 953 000 111".to_owned()),
        address: Some(Address {
            street: "Calle Mayor 3".to_owned(),
            postal_code: Some("23400".to_owned()),
            locality: "Úbeda".to_owned(),
            region: Some("Jaén".to_owned()),
            country: "ES".to_owned(),
        }),
        coordinates: Some(Coordinates {
            lat: 38.0133,
            lng: -3.3706,
        }),
        check_in: Handover {
            time: NaiveTime::from_hms_opt(16, 0, 0),
            notes: Some("La llave está en la caja junto a la puerta.".to_owned()),
        },
        check_out: Handover {
            time: NaiveTime::from_hms_opt(11, 0, 0),
            notes: None,
        },
        ..TenantProfile::default()
    }
}

/// A three-night stay, 12–15 Dec 2026, 16:00 to 11:00 in Madrid, 1,234.50.
fn reservation(t: &Tenant, state: ReservationState) -> Reservation {
    let currency = t.currency;
    let money = |amount_minor| Money {
        amount_minor,
        currency,
    };
    Reservation {
        id: ReservationId::new(),
        tenant_id: t.id,
        unit_id: UnitId::new(),
        client_id: Some(ClientId::new()),
        state,
        period: TimeRange::new(at("2026-12-12T15:00:00Z"), at("2026-12-15T10:00:00Z")).unwrap(),
        occupied: TimeRange::new(at("2026-12-12T15:00:00Z"), at("2026-12-15T10:00:00Z")).unwrap(),
        check_in: NaiveDate::from_ymd_opt(2026, 12, 12),
        check_out: NaiveDate::from_ymd_opt(2026, 12, 15),
        quantity: Quantity::new(1).unwrap(),
        guests: Guests::new(2).unwrap(),
        price: Some(Price {
            lines: vec![PriceLine {
                kind: "nights".to_owned(),
                label: "3 noches".to_owned(),
                amount: money(123_450),
            }],
            total: money(123_450),
        }),
        channel: Channel::Public,
        idempotency_key: None,
        notes: Some("Llegamos tarde.".to_owned()),
        hold_expires_at: Some(at("2026-12-01T08:30:00Z")),
        refund: Some(money(61_725)),
        policy_override: None,
        version: 3,
        created_at: at("2026-11-30T08:30:00Z"),
        updated_at: at("2026-11-30T08:30:00Z"),
    }
}

fn client(r: &Reservation) -> Client {
    Client {
        id: r.client_id.unwrap(),
        tenant_id: r.tenant_id,
        name: GUEST.to_owned(),
        email: Some("ana@example.com".to_owned()),
        phone: None,
        notes: None,
        blocked: false,
        archived: false,
        created_at: r.created_at,
        erased_at: None,
    }
}

fn address(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

struct World {
    tenant: Tenant,
    profile: TenantProfile,
    reservation: Reservation,
    client: Client,
    to: EmailAddress,
}

impl World {
    fn new(locale: &str, currency: &str, state: ReservationState) -> Self {
        let tenant = tenant(locale, currency, "Europe/Madrid");
        let reservation = reservation(&tenant, state);
        let client = client(&reservation);
        Self {
            tenant,
            profile: profile(),
            reservation,
            client,
            to: address("ana@example.com"),
        }
    }

    fn facts(&self, kind: MailKind) -> Facts<'_> {
        Facts {
            kind,
            tenant: &self.tenant,
            profile: &self.profile,
            basis: OccupancyBasis::Nights,
            unit_name: "Habitación Olivo",
            reservation: &self.reservation,
            recipient: &self.to,
            recipient_name: Some(GUEST),
            client: Some(&self.client),
            reminder_coming: true,
        }
    }
}

#[test]
fn every_default_renders_in_both_languages_with_every_value_escaped_in_html() {
    for lang in [Lang::En, Lang::Es] {
        let set = TemplateSet::defaults(lang);
        for kind in MailKind::ALL {
            let rendered = set
                .render(kind, &sample(kind, lang))
                .unwrap_or_else(|e| panic!("{kind} ({lang:?}): {e}"));
            assert!(!rendered.subject.is_empty(), "{kind}");
            assert!(!rendered.subject.contains('\n'));
            // The guest's name with markup: escaped in HTML, as is in text.
            assert!(
                rendered.html.contains(GUEST_HTML),
                "{kind} ({lang:?}) HTML:\n{}",
                rendered.html
            );
            assert!(!rendered.html.contains("<b>Ana</b>"), "{kind}");
            assert!(
                rendered.text.contains(GUEST),
                "{kind} ({lang:?}):\n{}",
                rendered.text
            );
            assert!(rendered.text.contains("099A-8057"), "{kind}");
            assert!(rendered.html.contains("099A-8057"), "{kind}");
            assert!(
                !rendered.text.contains("\n\n\n"),
                "{kind} ({lang:?}) has a gap:\n{}",
                rendered.text
            );
            assert!(rendered.html.starts_with("<!DOCTYPE html>"), "{kind}");
        }
    }
}

#[test]
fn a_spanish_tenant_writes_spanish_with_its_money_dates_and_times() {
    let w = World::new("es-ES", "EUR", ReservationState::Confirmed);
    let templates = Templates::new();
    let now = at("2026-12-01T09:00:00Z");
    let mail = compose(
        &templates,
        &w.facts(MailKind::Confirmed),
        MailId::new(),
        &address("bookings@berth.test"),
        now,
    )
    .unwrap();
    assert_eq!(
        mail.subject,
        "Reserva confirmada: Habitación Olivo, sáb, 12 dic 2026"
    );
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("1234,50\u{a0}€"), "{part}");
        // 15:00 UTC is 16:00 in Madrid in December.
        assert!(part.contains("16:00"), "{part}");
        assert!(part.contains("mar, 15 dic 2026"), "{part}");
        assert!(part.contains("3 noches"), "{part}");
    }
    assert!(
        mail.text.starts_with(&format!("Hola, {GUEST}:")),
        "{}",
        mail.text
    );
    assert_eq!(mail.from_name, "Casa Rural El Olivo");
    assert_eq!(
        mail.reply_to.as_ref().map(EmailAddress::as_str),
        Some("hola@olivo.example")
    );
    let ics = mail.ics.expect("a confirmation carries the stay");
    assert!(ics.contains("DTSTART:20261212T150000Z"), "{ics}");
    assert!(ics.contains("SEQUENCE:3"), "{ics}");
    assert!(ics.contains("STATUS:CONFIRMED"), "{ics}");
    assert!(
        ics.contains(&format!("UID:{}@berth.test", w.reservation.id)),
        "{ics}"
    );

    // A request received: the hold's end, no attachment.
    let held = World::new("es-ES", "EUR", ReservationState::Held);
    let mail = compose(
        &templates,
        &held.facts(MailKind::RequestReceived),
        MailId::new(),
        &address("bookings@berth.test"),
        now,
    )
    .unwrap();
    assert!(mail.ics.is_none());
    assert!(
        mail.text.contains("hasta el mar, 1 dic 2026, 09:30"),
        "{}",
        mail.text
    );
    // A cancellation: the refund.
    let mail = compose(
        &templates,
        &w.facts(MailKind::Canceled),
        MailId::new(),
        &address("bookings@berth.test"),
        now,
    )
    .unwrap();
    assert!(
        mail.text.contains("te devolveremos 617,25\u{a0}€"),
        "{}",
        mail.text
    );
}

#[test]
fn an_english_tenant_in_the_us_writes_dollars_and_twelve_hours() {
    let mut w = World::new("en-US", "USD", ReservationState::Confirmed);
    w.tenant.timezone = "America/New_York".parse().unwrap();
    let ctx = build(&w.facts(MailKind::Reminder));
    assert_eq!(ctx.lang, "en");
    assert_eq!(ctx.reservation.total.as_deref(), Some("$1,234.50"));
    // 15:00 UTC is 10:00 AM in New York in December.
    assert_eq!(ctx.reservation.arrival.time, "10:00\u{a0}AM");
    assert_eq!(ctx.reservation.arrival.date, "Sat, Dec 12, 2026");
    assert_eq!(ctx.reservation.arrival.weekday, "Saturday");
    assert_eq!(ctx.business.check_in.time.as_deref(), Some("4:00\u{a0}PM"));
    assert!(
        ctx.business
            .map_url
            .as_deref()
            .unwrap()
            .starts_with("https://www.openstreetmap.org/?mlat=38.01330&mlon=-3.37060")
    );
    let rendered = TemplateSet::defaults(Lang::En)
        .render(MailKind::Reminder, &ctx)
        .unwrap();
    assert_eq!(rendered.subject, "See you on Saturday: Habitación Olivo");
    assert!(
        rendered
            .text
            .contains("Check-in: from 4:00\u{a0}PM on Sat, Dec 12, 2026"),
        "{}",
        rendered.text
    );
    assert!(
        rendered
            .text
            .contains("Map: https://www.openstreetmap.org/"),
        "{}",
        rendered.text
    );
    assert!(
        rendered.html.contains("La llave está en la caja"),
        "{}",
        rendered.html
    );
}

#[test]
fn names_cannot_break_lines_and_an_erased_guest_is_nobody() {
    let mut w = World::new("en-GB", "GBP", ReservationState::Confirmed);
    w.client.name = "Eve\r\nBcc: x@y.z".to_owned();
    let ctx = build(&w.facts(MailKind::StaffNewRequest));
    assert_eq!(ctx.guest.name, "Eve  Bcc: x@y.z");
    w.client.erased_at = Some(at("2026-12-01T00:00:00Z"));
    let ctx = build(&w.facts(MailKind::StaffNewRequest));
    assert_eq!(ctx.guest.name, "");
    assert_eq!(ctx.guest.email, None);
}

fn write(dir: &std::path::Path, name: &str, source: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), source).unwrap();
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("berth-mail-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_check_locates_each_problem_at_its_file_and_line() {
    let root = temp_dir();
    let dir = root.join("emails");
    write(&dir, "notes.txt", "hello");
    let found = check_dir(&dir, Lang::En);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .to_string()
            .contains("emails/notes.txt:0:0: `notes.txt` is not an e-mail template"),
        "{}",
        found[0]
    );
    std::fs::remove_file(dir.join("notes.txt")).unwrap();

    write(
        &dir,
        "reminder.txt",
        "Subject: Soon\n\nHello {{ guest.nmae }},\n{% if business.phone %}\n{{ busines.phone }}\n{% endif %}\n",
    );
    write(
        &dir,
        "confirmed.html",
        "{% extends \"layout.html\" %}\n{% block heading %}\n{% if reservation.unit %}\n{{ reservation.unit }\n{% endblock %}\n",
    );
    write(&dir, "canceled.txt", "Canceled!\n{{ reservation.unit }}\n");
    let found: Vec<String> = check_dir(&dir, Lang::En)
        .iter()
        .map(ToString::to_string)
        .collect();
    let has = |needle: &str| found.iter().any(|d| d.contains(needle));
    assert!(
        has("emails/canceled.txt:1:1: the first line must be `Subject: …`"),
        "{found:#?}"
    );
    assert!(has("emails/confirmed.html:4:"), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|d| d.contains("emails/confirmed.html:4:") && d.contains("syntax error")),
        "{found:#?}"
    );
    // An unknown name and an unknown attribute, even in a branch not taken.
    std::fs::remove_file(dir.join("confirmed.html")).unwrap();
    let found: Vec<String> = check_dir(&dir, Lang::En)
        .iter()
        .map(ToString::to_string)
        .collect();
    let has = |needle: &str| found.iter().any(|d| d.contains(needle));
    assert!(
        has("emails/reminder.txt:3:10: unknown variable or attribute `guest.nmae`"),
        "{found:#?}"
    );
    assert!(
        has("emails/reminder.txt:5:4: unknown variable or attribute `busines.phone`"),
        "{found:#?}"
    );

    // Fixed, they pass; and a run-time error (a filter misused) is located too.
    write(
        &dir,
        "reminder.txt",
        "Subject: Soon, {{ guest.name }}\n\nHello {{ guest.name }}, {{ reservation.guests | upper(3) }}\n",
    );
    write(
        &dir,
        "canceled.txt",
        "Subject: Canceled\n\n{{ reservation.unit }}\n",
    );
    let found: Vec<String> = check_dir(&dir, Lang::En)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("emails/reminder.txt:3:"), "{found:#?}");
    write(
        &dir,
        "reminder.txt",
        "Subject: Soon, {{ guest.name }}\n\nHello {{ guest.name }}\n{% include \"signature.txt\" %}\n",
    );
    assert!(
        check_dir(&dir, Lang::En).is_empty(),
        "{:#?}",
        check_dir(&dir, Lang::En)
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_tenant_keeps_its_last_good_templates_when_new_ones_fail() {
    let templates = Templates::new();
    let mut files = std::collections::BTreeMap::new();
    let w = World::new("es-ES", "EUR", ReservationState::Confirmed);
    let from = address("bookings@berth.test");
    let now = at("2026-12-01T09:00:00Z");
    let subject = |t: &Templates| {
        compose(t, &w.facts(MailKind::Confirmed), MailId::new(), &from, now)
            .unwrap()
            .subject
    };
    assert!(subject(&templates).starts_with("Reserva confirmada"));
    files.insert(
        "confirmed.txt".to_owned(),
        "Subject: ¡Confirmado, {{ guest.name }}!\n\nTe esperamos.\n{% include \"signature.txt\" %}\n".to_owned(),
    );
    assert!(templates.set("casa-rural", Lang::Es, &files));
    assert!(!templates.set("casa-rural", Lang::Es, &files), "unchanged");
    assert_eq!(subject(&templates), format!("¡Confirmado, {GUEST}!"));
    // The HTML part is still the default's.
    let mail = compose(
        &templates,
        &w.facts(MailKind::Confirmed),
        MailId::new(),
        &from,
        now,
    )
    .unwrap();
    assert!(mail.html.contains("Tu reserva está confirmada"));
    // A broken edit is refused: the last good set stays.
    let mut broken = files.clone();
    broken.insert(
        "confirmed.txt".to_owned(),
        "Subject: {{ guest.name \n".to_owned(),
    );
    assert!(!templates.set("casa-rural", Lang::Es, &broken));
    assert_eq!(subject(&templates), format!("¡Confirmado, {GUEST}!"));
    // So is a file berth does not use.
    let mut unknown = files.clone();
    unknown.insert("notes.txt".to_owned(), "Subject: x\n\ny\n".to_owned());
    assert!(!templates.set("casa-rural", Lang::Es, &unknown));
    // No overrides bring the defaults back.
    assert!(templates.set("casa-rural", Lang::Es, &Default::default()));
    assert!(subject(&templates).starts_with("Reserva confirmada"));
}

#[test]
fn the_shipped_demo_override_passes_the_check() {
    let tenants = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let mut checked = 0;
    for entry in std::fs::read_dir(&tenants).unwrap() {
        let dir = entry.unwrap().path().join("emails");
        if dir.is_dir() {
            let found = check_dir(&dir, Lang::En);
            assert!(found.is_empty(), "{found:#?}");
            checked += 1;
        }
    }
    assert!(checked >= 1, "a demo tenant shows an override");
}

fn config(url: &str, timeout_secs: u64) -> SmtpConfig {
    let SmtpUrl::Server(server) = SmtpUrl::parse(url).unwrap() else {
        panic!("{url}");
    };
    SmtpConfig {
        server,
        from: address("bookings@berth.test"),
        timeout: std::time::Duration::from_secs(timeout_secs),
    }
}

fn outgoing(w: &World, kind: MailKind) -> super::send::Outgoing {
    let templates = Templates::new();
    compose(
        &templates,
        &w.facts(kind),
        MailId::new(),
        &address("bookings@berth.test"),
        at("2026-12-01T09:00:00Z"),
    )
    .unwrap()
}

#[tokio::test]
async fn the_message_has_its_headers_both_parts_and_the_stay() {
    let sink = smtp::SmtpSink::start().await;
    let sender = SmtpSender::new(&config(&sink.url(), 10)).unwrap();
    let w = World::new("es-ES", "EUR", ReservationState::Confirmed);
    let mail = outgoing(&w, MailKind::Confirmed);
    assert_eq!(sender.send(&mail).await, MailResult::Sent(250));
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "bookings@berth.test");
    assert_eq!(got[0].to, ["ana@example.com"]);
    let raw = String::from_utf8_lossy(&got[0].data).into_owned();
    assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
    let message = MessageParser::default()
        .parse(&got[0].data)
        .expect("a message");
    assert_eq!(
        message.message_id(),
        Some(format!("{}@berth.test", mail.id).as_str())
    );
    assert_eq!(
        message.date().map(|d| d.to_timestamp()),
        Some(mail.date.timestamp())
    );
    let from = message.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.name(), Some("Casa Rural El Olivo"));
    assert_eq!(from.address(), Some("bookings@berth.test"));
    let reply_to = message.reply_to().and_then(|a| a.first()).unwrap();
    assert_eq!(reply_to.address(), Some("hola@olivo.example"));
    let to = message.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.name(), Some(GUEST));
    assert_eq!(message.subject(), Some(mail.subject.as_str()));
    assert_eq!(
        message
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n").trim_end().to_owned()),
        Some(mail.text.trim_end().to_owned())
    );
    let html = message.body_html(0).unwrap();
    assert!(html.contains(GUEST_HTML), "{html}");
    assert!(html.contains("Tu reserva está confirmada"));
    let attachment = message.attachment(0).expect("stay.ics");
    assert_eq!(attachment.attachment_name(), Some("stay.ics"));
    let ct = attachment.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
    assert_eq!(ct.attribute("method"), Some("PUBLISH"));
    assert_eq!(
        attachment.contents(),
        mail.ics.as_deref().unwrap().as_bytes()
    );
    // Without the stay: no attachment, and no Reply-To without a profile address.
    let mut w = World::new("en-GB", "GBP", ReservationState::Held);
    w.profile.email = None;
    let mail = outgoing(&w, MailKind::RequestReceived);
    let message = build_message(&mail, &address("bookings@berth.test")).unwrap();
    let raw = String::from_utf8(message.formatted()).unwrap();
    assert!(!raw.contains("Reply-To"), "{raw}");
    assert!(!raw.contains("text/calendar"), "{raw}");
}

#[tokio::test]
async fn refusals_are_temporary_or_permanent_as_the_server_says() {
    let sink = smtp::SmtpSink::start().await;
    let sender = SmtpSender::new(&config(&sink.url(), 10)).unwrap();
    let w = World::new("en-GB", "GBP", ReservationState::Confirmed);
    let mail = outgoing(&w, MailKind::Confirmed);
    sink.then("DATA", 421, "try again later");
    match sender.send(&mail).await {
        MailResult::Temporary {
            code: Some(421),
            error,
        } => assert!(error.contains("try again later"), "{error}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sender.send(&mail).await, MailResult::Sent(250));
    sink.then("RCPT", 550, "no such mailbox");
    assert!(matches!(
        sender.send(&mail).await,
        MailResult::Permanent {
            code: Some(550),
            ..
        }
    ));
    sink.then("MAIL", 452, "mailbox full");
    assert!(matches!(
        sender.send(&mail).await,
        MailResult::Temporary {
            code: Some(452),
            ..
        }
    ));
    // A refusal of berth's own credentials is the operator's to fix: retried.
    sink.then("MAIL", 535, "authentication failed");
    assert!(matches!(
        sender.send(&mail).await,
        MailResult::Temporary {
            code: Some(535),
            ..
        }
    ));
    assert_eq!(sink.received().len(), 1);
    assert_eq!(sink.refusals(), [421, 550, 452, 535]);

    // Nobody listening: temporary, no code.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let sender = SmtpSender::new(&config(&format!("smtp://127.0.0.1:{port}?tls=none"), 5)).unwrap();
    assert!(matches!(
        sender.send(&mail).await,
        MailResult::Temporary { code: None, .. }
    ));
    // STARTTLS required, and the server offers none: nothing is sent.
    let sender = SmtpSender::new(&config(&format!("smtp://{}", sink.addr()), 5)).unwrap();
    assert!(matches!(
        sender.send(&mail).await,
        MailResult::Temporary { code: None, .. }
    ));
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_temporary() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts and keeps the connection open without a greeting.
    let held = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        drop(socket);
    });
    let sender = SmtpSender::new(&config(&format!("smtp://{addr}?tls=none"), 1)).unwrap();
    let w = World::new("en-GB", "GBP", ReservationState::Confirmed);
    let result = sender.send(&outgoing(&w, MailKind::Confirmed)).await;
    assert!(
        matches!(result, MailResult::Temporary { code: None, .. }),
        "{result:?}"
    );
    held.abort();
}

#[test]
fn every_overridable_file_has_a_default_in_both_languages() {
    for lang in [Lang::En, Lang::Es] {
        let with_all = TemplateSet::new(lang, &BTreeMap::new());
        assert!(with_all.is_ok());
    }
    assert_eq!(super::templates::file_names().len(), 18);
}

#[test]
fn a_confirmation_promises_a_reminder_only_when_one_will_come() {
    for lang in [Lang::En, Lang::Es] {
        let set = TemplateSet::defaults(lang);
        let mut ctx = sample(MailKind::Confirmed, lang);
        let promise = match lang {
            Lang::En => "send you a reminder",
            Lang::Es => "te enviaremos un recordatorio",
        };
        let with = set.render(MailKind::Confirmed, &ctx).unwrap();
        assert!(with.text.contains(promise) && with.html.contains(promise));
        ctx.reservation.reminder_coming = false;
        let without = set.render(MailKind::Confirmed, &ctx).unwrap();
        assert!(!without.text.contains(promise), "{}", without.text);
        assert!(!without.html.contains(promise));
        assert!(!without.text.contains("\n\n\n"), "{}", without.text);
    }
}

/// The e-mail templates are part of a published version (docs/decisions/0168):
/// an instance whose own disk has neither the tenant's templates nor its
/// pictures makes the version live and renders with the version's templates;
/// a version whose template fails the check does not go live there; a
/// version without overrides brings the defaults back.
#[test]
fn the_live_version_brings_its_templates_to_every_instance() {
    use berth_policy::registry::{PolicyChange, PolicyRegistry, directory_files};

    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants/alpine-cabins");
    let files = directory_files(&repo).unwrap();
    assert!(
        files.iter().any(|f| f.path == "emails/reminder.txt"),
        "{:?}",
        files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
    assert!(!files.iter().any(|f| f.path.ends_with(".png")));
    let root = temp_dir();
    let runtime = berth_policy::Runtime::new(berth_policy::sandbox::Limits::default())
        .unwrap()
        .with_directory_check(super::templates::directory_check());
    let registry = PolicyRegistry::new(
        runtime,
        &root,
        std::sync::Arc::new(berth_core::clock::SystemClock),
    );
    let templates = Templates::new();
    let reminder_subject = |templates: &Templates| {
        templates
            .for_tenant("alpine-cabins", Lang::En)
            .render(MailKind::Reminder, &sample(MailKind::Reminder, Lang::En))
            .unwrap()
            .subject
    };

    let live = registry.activate_version("alpine-cabins", 1, &files);
    assert!(matches!(live, PolicyChange::Activated { .. }), "{live:?}");
    super::take_live(&registry, &templates, "alpine-cabins");
    assert!(
        reminder_subject(&templates).starts_with("Grüezi!"),
        "{}",
        reminder_subject(&templates)
    );

    let mut broken = files.clone();
    for f in &mut broken {
        if f.path == "emails/reminder.txt" {
            f.text = "Subject: Hello {{ guest.nmae }}\n\nSee you.\n".to_owned();
        }
    }
    let refused = registry.activate_version("alpine-cabins", 2, &broken);
    let PolicyChange::Rejected { diagnostics, .. } = refused else {
        panic!("{refused:?}");
    };
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("emails/reminder.txt:1:") && l.contains("guest.nmae")),
        "{lines:#?}"
    );
    assert_eq!(registry.get("alpine-cabins").unwrap().version(), 1);

    let without: Vec<_> = files
        .into_iter()
        .filter(|f| !f.path.starts_with("emails/"))
        .collect();
    let live = registry.activate_version("alpine-cabins", 3, &without);
    assert!(matches!(live, PolicyChange::Activated { .. }), "{live:?}");
    super::take_live(&registry, &templates, "alpine-cabins");
    assert!(
        !reminder_subject(&templates).starts_with("Grüezi!"),
        "the default: {}",
        reminder_subject(&templates)
    );
    std::fs::remove_dir_all(root).unwrap();
}
